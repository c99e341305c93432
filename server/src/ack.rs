//! [`Acknowledger`]: what a mutation handler waits on before it answers.
//!
//! A booking service must not tell a person "booked" and then lose the booking in a crash.
//! Every handler that changes the engine (join, reserve, release, hold, confirm, cancel) calls
//! [`Acknowledger::acknowledge`] after the engine call and awaits the [`Acknowledgement`]
//! before it answers. An in-memory server uses [`Immediate`], which answers at once: a
//! restart loses everything whatever the handler waits for. A journaled server uses
//! [`JournalAcknowledger`], which answers once every record appended so far (the mutation's
//! among them) is durable; no handler knows which.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use std::sync::Arc;

use fairbook::PersonId;
use fairbook_journal::DurableEngine;

/// Which kind of change a handler made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MutationKind {
    /// A person took a place in line (or was given theirs again: a repeat join changes
    /// nothing, and an acknowledger may answer it at once).
    Join {
        /// `true` if the engine handed out a new place.
        is_new: bool,
    },
    /// A booking was made.
    Reserve,
    /// A booking or a place was given back.
    Release,
    /// A seat was held.
    Hold,
    /// A hold became a booking.
    Confirm,
    /// A hold was given back.
    Cancel,
}

/// A change the engine has made and a person is about to be told of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mutation {
    /// What changed.
    pub kind: MutationKind,
    /// Whose.
    pub person: PersonId,
}

impl Mutation {
    /// A mutation of `kind` for `person`.
    pub fn new(kind: MutationKind, person: PersonId) -> Mutation {
        Mutation { kind, person }
    }
}

/// A pending acknowledgement: already settled, or a future to await.
///
/// The settled case allocates nothing, so the in-memory server pays nothing for the seam.
pub enum Acknowledgement {
    /// Settled: answer now.
    Settled(Result<(), AckError>),
    /// Answer once this resolves.
    Pending(Pin<Box<dyn Future<Output = Result<(), AckError>> + Send>>),
}

impl Acknowledgement {
    /// Waits until the mutation may be acknowledged.
    ///
    /// # Errors
    /// [`AckError`] if it never will be (the journal failed): the person must be told that
    /// the outcome is unknown, not that it succeeded.
    pub async fn settled(self) -> Result<(), AckError> {
        match self {
            Acknowledgement::Settled(result) => result,
            Acknowledgement::Pending(future) => future.await,
        }
    }
}

impl fmt::Debug for Acknowledgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Acknowledgement::Settled(result) => f.debug_tuple("Settled").field(result).finish(),
            Acknowledgement::Pending(_) => f.write_str("Pending"),
        }
    }
}

/// Decides when a mutation may be acknowledged to the person.
///
/// # Example: an acknowledger that holds every answer until a durability signal
/// ```
/// use fairbook_server::{AckError, Acknowledgement, Acknowledger, Mutation};
/// use tokio::sync::watch;
///
/// struct WaitForFlush(watch::Receiver<u64>);
///
/// impl Acknowledger for WaitForFlush {
///     fn acknowledge(&self, _mutation: &Mutation) -> Acknowledgement {
///         let mut flushed = self.0.clone();
///         let wanted = *flushed.borrow() + 1;
///         Acknowledgement::Pending(Box::pin(async move {
///             flushed.wait_for(|&done| done >= wanted).await.map_err(|_| AckError::Unavailable)?;
///             Ok(())
///         }))
///     }
/// }
/// ```
pub trait Acknowledger: Send + Sync + 'static {
    /// The acknowledgement of `mutation`, which the engine has already applied.
    fn acknowledge(&self, mutation: &Mutation) -> Acknowledgement;
}

/// Acknowledges every mutation at once: right for an engine that keeps nothing on disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct Immediate;

impl Acknowledger for Immediate {
    fn acknowledge(&self, _mutation: &Mutation) -> Acknowledgement {
        Acknowledgement::Settled(Ok(()))
    }
}

/// Acknowledges a mutation once the journal holds it durably: the future waits for every
/// record appended so far, which includes the mutation's own (it was appended before the
/// engine call returned). Concurrent mutations share one `fdatasync` (group commit), so the
/// wait is one flush, not one per request.
///
/// A repeat join made no record of its own, but it waits too: the first join's record may
/// still be on its way to the disk, and its answer must not run ahead of it.
pub struct JournalAcknowledger {
    durable: Arc<DurableEngine>,
}

impl JournalAcknowledger {
    /// Acknowledges through `durable`'s journal.
    pub fn new(durable: Arc<DurableEngine>) -> JournalAcknowledger {
        JournalAcknowledger { durable }
    }
}

impl fmt::Debug for JournalAcknowledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JournalAcknowledger")
            .finish_non_exhaustive()
    }
}

impl Acknowledger for JournalAcknowledger {
    fn acknowledge(&self, _mutation: &Mutation) -> Acknowledgement {
        let journal = self.durable.journal();
        // Already durable (a quiet moment, or a flush that overtook us): nothing to box. A
        // failed journal refuses appends, so its positions say nothing: ask the future.
        if journal.durable_lsn() >= journal.appended() && journal.failure().is_none() {
            return Acknowledgement::Settled(Ok(()));
        }
        let durable = self.durable.durable();
        Acknowledgement::Pending(Box::pin(async move {
            durable.await.map_err(|error| {
                tracing::error!("a change could not be made durable: {error}");
                AckError::Unavailable
            })
        }))
    }
}

/// Why a mutation cannot be acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AckError {
    /// Whatever makes mutations durable has failed or stopped; the change may not survive a
    /// restart.
    Unavailable,
}

impl fmt::Display for AckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AckError::Unavailable => write!(f, "the change could not be made durable"),
        }
    }
}

impl std::error::Error for AckError {}
