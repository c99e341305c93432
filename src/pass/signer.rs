//! [`PassSigner`]: mints passes with one key, in the process that runs the engine.

use hmac::Mac;

use crate::ids::{PersonId, Seq};
use crate::pass::encoding::{Pass, PassClaims};
use crate::pass::key::{KeyId, PassKey};
use crate::status::Status;
use crate::time::Timestamp;

/// Mints passes with one key: the service's current signing key.
///
/// # Example
/// ```
/// use fairbook::pass::{KeyId, PassKey, PassSigner, PassVerifier};
/// use fairbook::{CohortId, Config, Engine, PersonId, Timestamp};
///
/// let key = PassKey::new(KeyId::new(1), &[9; 32])?;
/// let (signer, verifier) = (PassSigner::new(key.clone()), PassVerifier::new([key])?);
/// let engine = Engine::new(Config::default())?;
/// let (person, now) = (PersonId::new(8), Timestamp::from_secs(5));
/// engine.enqueue(person, CohortId::new(0), now)?;
/// assert!(signer.sign_status(person, &engine.status(person, now)?).is_none()); // waiting
/// engine.advance(now, 1)?;
/// let pass = signer.sign_status(person, &engine.status(person, now)?).expect("admitted");
/// assert!(verifier.verify(pass.as_str(), person, now).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct PassSigner {
    key: PassKey,
}

impl PassSigner {
    /// A signer with this key.
    pub fn new(key: PassKey) -> PassSigner {
        PassSigner { key }
    }

    /// The id of the key it signs with.
    pub fn key_id(&self) -> KeyId {
        self.key.id()
    }

    /// A pass saying that `person` was admitted at place `seq` with a lease until
    /// `lease_until`. The signer takes the caller's word: mint passes only from what the
    /// engine returned (an `Advanced`, a `Status`), or use [`PassSigner::sign_status`].
    pub fn sign(&self, person: PersonId, seq: Seq, lease_until: Timestamp) -> Pass {
        let claims = PassClaims {
            person,
            seq,
            lease_until,
            key_id: self.key.id(),
        };
        let tag = self.key.mac_over(&claims.body()).finalize().into_bytes();
        Pass::encode(&claims, &tag.into())
    }

    /// A pass for a person whose status says they hold a lease ([`Status::Admitted`], or
    /// [`Status::Booked`] with the lease under which they may still change bookings); `None`
    /// for every other status.
    pub fn sign_status(&self, person: PersonId, status: &Status) -> Option<Pass> {
        match *status {
            Status::Admitted { seq, lease_until }
            | Status::Booked {
                seq, lease_until, ..
            } => Some(self.sign(person, seq, lease_until)),
            _ => None,
        }
    }
}
