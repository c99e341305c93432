//! The platform underneath both wings: the door to atomics that a `loom` build swaps
//! ([`sync`]), a counter striped over cache lines ([`counter`]), fallible allocation of the
//! engine's tables ([`alloc`]), and advisory memory hints to the kernel and the processor
//! ([`hints`], the crate's only `unsafe` code).

pub(crate) mod alloc;
pub(crate) mod counter;
pub(crate) mod hints;
pub(crate) mod sync;
