//! Tools for property-checking a booking flow built on fairbook.
