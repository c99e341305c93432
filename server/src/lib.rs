//! `fairbook-server`: a booking service on the fairbook engine, on axum and tokio.
//!
//! One process runs one campaign, read from a TOML file ([`Campaign`]): the engine with its
//! inventory, the door that lets people in at the outflow policy ([`spawn_door`]), JSON
//! endpoints for people and for admins ([`router`]), signed admission passes, and a
//! waiting-room page at `/`.
//!
//! ```text
//! cargo run --release -p fairbook-server -- --campaign server/campaigns/demo.toml
//! ```
//!
//! # The flow, over HTTP
//!
//! 1. `POST /api/join`: a person takes a place; every device of theirs gets the same one.
//! 2. `GET /api/status` (or the live `GET /api/events`): place, people ahead, estimated
//!    wait; once the door has let them in, a signed **admission pass**.
//! 3. `POST /api/reserve` with the pass in `x-fairbook-pass` and ranked choices: a booking.
//!    Without a valid pass of this very person the request never reaches the engine, and a
//!    second process can check passes with the campaign's keys alone
//!    (`fairbook-server check-pass`).
//!
//! Who the person is comes from the `x-fairbook-person` header, which **stands in for a
//! verified identity**: this server authenticates nobody and must sit behind a gateway that
//! sets the header from a verified login (see [`identity`]).
//!
//! Every mutating request may carry an `Idempotency-Key` header: its retries get the first
//! answer instead of changing anything again ([`idempotency`]).
//!
//! Errors are an HTTP status, a stable machine code and `Retry-After` where waiting helps
//! ([`ApiError`]). Every change is acknowledged through an [`Acknowledger`] before the
//! answer goes out: at once ([`Immediate`]) for an engine in memory, or once the change is
//! durable ([`JournalAcknowledger`]) for a server started with a journal
//! ([`AppState::journaled`]), which a restart rebuilds the engine from.

pub mod ack;
pub mod api_error;
pub mod campaign;
pub mod door;
pub mod idempotency;
pub mod identity;
pub mod routes;
pub mod serve;
pub mod snapshots;
pub mod state;

pub use ack::{
    AckError, Acknowledgement, Acknowledger, Immediate, JournalAcknowledger, Mutation, MutationKind,
};
pub use api_error::ApiError;
pub use campaign::{Campaign, CampaignError};
pub use door::spawn_door;
pub use routes::{StatusView, router};
pub use serve::{RunningServer, start};
pub use snapshots::spawn_snapshots;
pub use state::{AppState, JournalStart};
