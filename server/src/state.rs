//! [`AppState`]: what every handler shares: the engine, the clock, the pass keys, the door's
//! policy, the cohort gates and the acknowledger.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use fairbook::pass::{PassSigner, PassVerifier};
use fairbook::{CohortId, Engine, OutflowPolicy, WallClock};
use fairbook_journal::{
    DurableEngine, DurableEngineError, JournalConfig, OpenError, OsStorage, Recovered, Storage,
};
use parking_lot::RwLock;

use crate::ack::{Acknowledger, Immediate, JournalAcknowledger};
use crate::campaign::{Campaign, CampaignError, ServerSettings};

/// The engine, in memory only or journaled.
enum Host {
    Memory(Box<Engine>),
    Journaled(Arc<DurableEngine>),
}

/// How a journaled server started: from a new journal, or by recovering one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalStart {
    /// The directory held no journal: one was created and the campaign's inventory added.
    Created,
    /// The engine was rebuilt from the journal (the campaign's inventory was not added
    /// again: the journal holds it).
    Recovered(Recovered),
}

/// The server's shared state; cloning is cheap (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Host,
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
        add_inventory(&engine, campaign)?;
        AppState::assemble(campaign, Host::Memory(Box::new(engine)), acknowledger)
    }

    /// Builds the state on a journal in `dir`: every change is journaled and every mutation
    /// is answered only once its record is durable ([`JournalAcknowledger`]). If `dir` holds
    /// no journal, one is created and the campaign's inventory added (and made durable);
    /// otherwise the engine is rebuilt from the journal, which already holds the inventory.
    ///
    /// # Errors
    /// [`CampaignError::Journal`] if the journal cannot be created, opened or replayed (a
    /// journal of other engine limits is refused: its fingerprint differs), or another
    /// [`CampaignError`] as [`AppState::from_campaign`].
    pub fn journaled(
        campaign: &Campaign,
        dir: &Path,
        journal_config: JournalConfig,
    ) -> Result<(AppState, JournalStart), CampaignError> {
        AppState::journaled_with(Arc::new(OsStorage), campaign, dir, journal_config)
    }

    /// [`AppState::journaled`] on another [`Storage`] (a test double whose disk fails on cue).
    ///
    /// # Errors
    /// As [`AppState::journaled`].
    pub fn journaled_with(
        storage: Arc<dyn Storage>,
        campaign: &Campaign,
        dir: &Path,
        journal_config: JournalConfig,
    ) -> Result<(AppState, JournalStart), CampaignError> {
        let journal_error = |error: DurableEngineError| CampaignError::Journal {
            dir: dir.display().to_string(),
            reason: error.to_string(),
        };
        let config = campaign.engine_config();
        config.validate().map_err(CampaignError::Engine)?;
        let (durable, start) = match DurableEngine::open_with(
            storage.clone(),
            dir,
            config.clone(),
            journal_config.clone(),
        ) {
            Ok((durable, recovered)) => (durable, JournalStart::Recovered(recovered)),
            Err(DurableEngineError::Open(OpenError::NoJournal { .. })) => {
                std::fs::create_dir_all(dir).map_err(|error| CampaignError::Journal {
                    dir: dir.display().to_string(),
                    reason: error.to_string(),
                })?;
                let durable = DurableEngine::create_with(storage, dir, config, journal_config)
                    .map_err(journal_error)?;
                add_inventory(durable.engine(), campaign)?;
                durable
                    .wait_durable()
                    .map_err(|error| CampaignError::Journal {
                        dir: dir.display().to_string(),
                        reason: error.to_string(),
                    })?;
                (durable, JournalStart::Created)
            }
            Err(error) => return Err(journal_error(error)),
        };
        let durable = Arc::new(durable);
        let acknowledger = Box::new(JournalAcknowledger::new(durable.clone()));
        let state = AppState::assemble(campaign, Host::Journaled(durable), acknowledger)?;
        Ok((state, start))
    }

    fn assemble(
        campaign: &Campaign,
        engine: Host,
        acknowledger: Box<dyn Acknowledger>,
    ) -> Result<AppState, CampaignError> {
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
        match &self.inner.engine {
            Host::Memory(engine) => engine,
            Host::Journaled(durable) => durable.engine(),
        }
    }

    /// The journaled engine, if the server keeps a journal.
    pub fn durable(&self) -> Option<&Arc<DurableEngine>> {
        match &self.inner.engine {
            Host::Memory(_) => None,
            Host::Journaled(durable) => Some(durable),
        }
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

/// Adds the campaign's sites, then its slots, to a new engine.
fn add_inventory(engine: &Engine, campaign: &Campaign) -> Result<(), CampaignError> {
    for entry in &campaign.inventory.sites {
        engine
            .add_site(entry.site, entry.region)
            .map_err(|error| CampaignError::Invalid {
                reason: error.to_string(),
            })?;
    }
    for spec in campaign.slot_specs() {
        engine
            .add_slot(spec)
            .map_err(|error| CampaignError::Invalid {
                reason: error.to_string(),
            })?;
    }
    Ok(())
}
