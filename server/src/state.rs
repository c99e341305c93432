//! [`AppState`]: what every handler shares: the engine, the clock, the pass keys, the door's
//! policy, the cohort gates and the acknowledger.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use fairbook::pass::{PassSigner, PassVerifier};
use fairbook::{CohortId, Engine, OutflowPolicy, WallClock};
use parking_lot::RwLock;

use crate::ack::{Acknowledger, Immediate};
use crate::campaign::{Campaign, CampaignError, ServerSettings};

/// The server's shared state; cloning is cheap (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    clock: WallClock,
    signer: PassSigner,
    verifier: PassVerifier,
    outflow: RwLock<OutflowPolicy>,
    cohorts_open: Vec<AtomicBool>,
    cohort_names: Vec<String>,
    acknowledger: Box<dyn Acknowledger>,
    settings: ServerSettings,
}

impl AppState {
    /// Builds the engine and its inventory from a campaign, with the [`Immediate`]
    /// acknowledger.
    ///
    /// # Errors
    /// [`CampaignError`] if the engine refuses the campaign's limits or inventory, or a pass
    /// key is missing.
    pub fn from_campaign(campaign: &Campaign) -> Result<AppState, CampaignError> {
        AppState::with_acknowledger(campaign, Box::new(Immediate))
    }

    /// As [`AppState::from_campaign`], with another acknowledger (one that waits for a
    /// journal, or a test double).
    ///
    /// # Errors
    /// As [`AppState::from_campaign`].
    pub fn with_acknowledger(
        campaign: &Campaign,
        acknowledger: Box<dyn Acknowledger>,
    ) -> Result<AppState, CampaignError> {
        let engine = Engine::new(campaign.engine_config()).map_err(CampaignError::Engine)?;
        for spec in campaign.slot_specs() {
            engine
                .add_slot(spec)
                .map_err(|error| CampaignError::Invalid {
                    reason: error.to_string(),
                })?;
        }
        let (signer, verifier) = campaign.pass_signer_and_verifier()?;
        Ok(AppState {
            inner: Arc::new(Inner {
                engine,
                clock: WallClock::new(),
                signer,
                verifier,
                outflow: RwLock::new(campaign.outflow),
                cohorts_open: campaign
                    .cohorts
                    .iter()
                    .map(|cohort| AtomicBool::new(cohort.open))
                    .collect(),
                cohort_names: campaign
                    .cohorts
                    .iter()
                    .map(|cohort| cohort.name.clone())
                    .collect(),
                acknowledger,
                settings: campaign.server.clone(),
            }),
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The server's clock: Unix milliseconds that never go backwards.
    pub fn clock(&self) -> &WallClock {
        &self.inner.clock
    }

    /// Mints passes.
    pub fn signer(&self) -> &PassSigner {
        &self.inner.signer
    }

    /// Checks passes.
    pub fn verifier(&self) -> &PassVerifier {
        &self.inner.verifier
    }

    /// The acknowledger mutation handlers await.
    pub fn acknowledger(&self) -> &dyn Acknowledger {
        &*self.inner.acknowledger
    }

    /// The server settings of the campaign.
    pub fn settings(&self) -> &ServerSettings {
        &self.inner.settings
    }

    /// The door's current policy.
    pub fn outflow(&self) -> OutflowPolicy {
        *self.inner.outflow.read()
    }

    /// Replaces the door's policy; the next tick uses it.
    pub fn set_outflow(&self, policy: OutflowPolicy) {
        *self.inner.outflow.write() = policy;
    }

    /// Whether joins of `cohort` are open (`None` for a cohort the campaign does not have).
    pub fn is_cohort_open(&self, cohort: CohortId) -> Option<bool> {
        self.inner
            .cohorts_open
            .get(cohort.as_index())
            .map(|open| open.load(Ordering::Acquire))
    }

    /// Opens joins of `cohort`; `false` if the campaign has no such cohort.
    pub fn open_cohort(&self, cohort: CohortId) -> bool {
        match self.inner.cohorts_open.get(cohort.as_index()) {
            Some(open) => {
                open.store(true, Ordering::Release);
                true
            }
            None => false,
        }
    }

    /// The cohort's name, if it exists.
    pub fn cohort_name(&self, cohort: CohortId) -> Option<&str> {
        self.inner
            .cohort_names
            .get(cohort.as_index())
            .map(String::as_str)
    }
}
