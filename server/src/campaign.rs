//! [`Campaign`]: one booking campaign as its TOML file describes it: the engine's limits,
//! the cohorts, the inventory, the door's outflow policy, the pass keys and the server's own
//! settings. `campaigns/reference.toml` is the reference campaign, `campaigns/demo.toml` a
//! small one for trying the page.
//!
//! ```toml
//! [server]
//! listen = "127.0.0.1:8080"
//! tick_ms = 100                 # how often the door lets people in
//! admin_token = "change-me"     # bearer token of the /admin endpoints
//! journal = "/var/lib/fairbook" # optional: journal every change, answer once durable
//!
//! [engine]                      # fairbook::Config; every field optional
//! people_max = 1_500_000
//! lease_ms = 600_000
//! holds_max = 50_000            # seats held at once (POST /api/hold); 0 turns holds off
//! hold_ttl_max_ms = 300_000     # the longest a hold may last
//! holds_per_person_max = 1      # 1 to bookings_per_person_max
//! standby_max = 0               # holds need the engine's standby line off (no route uses it)
//! ops_remembered_max = 524_288  # answers kept for Idempotency-Key retries; 0 turns keys off
//!
//! [[cohorts]]                   # in order: cohort 0, 1, ...
//! name = "ages 53-54"
//! open = true                   # false: joins wait for POST /admin/cohorts/{id}/open
//!
//! [inventory]                   # a grid of sites x days x windows, and/or a list of slots
//! grid = { sites = 14000, days = 14, windows = 8, capacity = 15 }
//! sites = [{ site = 7, region = 1 }] # optional: regions for GET /api/search (else region 0)
//!
//! [outflow]                     # fairbook::OutflowPolicy; every field optional
//! admissions_per_sec = 5000
//!
//! [passes]
//! signing_key = 1
//! keys = [{ id = 1, secret_env = "FAIRBOOK_PASS_KEY_1" }]   # or secret_hex = "..."
//! ```
//!
//! The `[engine]` table is the engine's own `Config`, checked by `Config::validate` before
//! anything starts ([`CampaignError::Engine`], with the limit and its range in the message).
//! Two of its flows matter to the HTTP surface:
//!
//! - **Holds** (`POST /api/hold`, `/api/confirm`, `/api/cancel`) need `holds_max` above 0;
//!   `hold_ttl_max_ms` bounds the `ttl_ms` a request may ask for, and
//!   `holds_per_person_max` must be 1 to `bookings_per_person_max` while holds are on, and
//!   `standby_max` must be 0 (the engine does not combine holds with its standby line yet). With
//!   `holds_max = 0` (the engine's default) the hold routes answer 501 `holds_off`.
//! - **Retry-safe writes** (the `Idempotency-Key` header) need `ops_remembered_max` above 0:
//!   the engine keeps the answers of that many keyed operations (about 100 bytes each), and a
//!   retry whose answer was pushed out runs again under the verbs' own retry rules. With 0, a
//!   request carrying the header answers 501 `ops_not_remembered`.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use fairbook::pass::{KeyId, PassKey, PassKeyError, PassSigner, PassVerifier};
use fairbook::{
    CohortWindow, Config, ConfigError, Day, OutflowPolicy, RegionId, SiteId, SlotSpec, Timestamp,
    Window,
};
use serde::Deserialize;

/// A campaign file, as read.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Where to listen, how often to tick, the admin token.
    #[serde(default)]
    pub server: ServerSettings,
    /// The engine's limits. `cohorts` is filled from [`Campaign::cohorts`]: leave it out.
    #[serde(default)]
    pub engine: Config,
    /// The eligibility groups, in order (cohort 0 first). At least one.
    pub cohorts: Vec<CohortSettings>,
    /// The slots.
    pub inventory: InventorySettings,
    /// How fast the door admits, until an admin changes it.
    #[serde(default)]
    pub outflow: OutflowPolicy,
    /// The pass keys.
    pub passes: PassSettings,
}

/// The `[server]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// The address to listen on (loopback by default).
    pub listen: SocketAddr,
    /// The door's period in milliseconds: one `advance_with_policy` per tick.
    pub tick_ms: u64,
    /// The bearer token of the admin endpoints; `None` leaves them closed to everyone.
    pub admin_token: Option<String>,
    /// How often the live status stream looks for a change, in milliseconds.
    pub events_poll_ms: u64,
    /// The most slots one `GET /api/slots` lists.
    pub slots_page_max: u32,
    /// The journal's directory. With one, every change is journaled, a mutation is answered
    /// only once it is durable, and a restart rebuilds the engine from it (the campaign's
    /// inventory is added only when the directory holds no journal yet). Without one, the
    /// engine lives in memory only.
    pub journal: Option<std::path::PathBuf>,
    /// How often the server checks whether a snapshot of the journal is due, in milliseconds.
    pub snapshot_check_ms: u64,
}

impl Default for ServerSettings {
    fn default() -> ServerSettings {
        ServerSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            // Ten ticks a second: the token bucket keeps the long-run rate whatever the
            // period, and 100 ms is below what a person notices on a waiting page.
            tick_ms: 100,
            admin_token: None,
            // Four looks a second per open page: a status is about a microsecond.
            events_poll_ms: 250,
            slots_page_max: 500,
            journal: None,
            // A snapshot is built on a replica in a blocking thread; checking every ten
            // seconds keeps the log between snapshots to a few seconds of traffic.
            snapshot_check_ms: 10_000,
        }
    }
}

/// One `[[cohorts]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortSettings {
    /// A name for people and operators.
    pub name: String,
    /// Whether joins are open when the server starts; a closed cohort opens through
    /// `POST /admin/cohorts/{id}/open`.
    #[serde(default = "yes")]
    pub open: bool,
    /// The engine's window for the cohort (Unix milliseconds), checked on first joins; by
    /// default always open.
    #[serde(default)]
    pub opens_at: Option<Timestamp>,
    /// When first joins stop (Unix milliseconds); people in line keep their place.
    #[serde(default)]
    pub closes_at: Option<Timestamp>,
}

fn yes() -> bool {
    true
}

/// The `[inventory]` table: a grid, a list, or both (the grid's slots first).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventorySettings {
    /// Every site × day × window with one capacity.
    #[serde(default)]
    pub grid: Option<Grid>,
    /// Slots one by one.
    #[serde(default)]
    pub slots: Vec<SlotSpec>,
    /// Sites and their regions, added before any slot (`GET /api/search?region=`); a site
    /// not listed is in region 0. Regions need `engine.regions_max` above them.
    #[serde(default)]
    pub sites: Vec<SiteSettings>,
}

/// One `[[inventory.sites]]` entry: a site and its region.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// The site.
    pub site: SiteId,
    /// Its region, below `engine.regions_max`.
    pub region: RegionId,
}

/// `sites × days × windows` slots of `capacity` each.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// Sites, numbered from 0.
    pub sites: u32,
    /// Days, numbered from 0.
    pub days: u16,
    /// Windows per day, numbered from 0.
    pub windows: u8,
    /// Bookings per slot.
    pub capacity: u32,
}

/// The `[passes]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassSettings {
    /// The id of the key that signs new passes.
    pub signing_key: KeyId,
    /// Every key accepted (the signing key among them).
    pub keys: Vec<KeySettings>,
}

/// One pass key: its id and where its secret is.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySettings {
    /// The key's public id.
    pub id: KeyId,
    /// The secret in hexadecimal, in the file itself (for demos and tests).
    #[serde(default)]
    pub secret_hex: Option<String>,
    /// The name of an environment variable holding the secret in hexadecimal (for
    /// production: keep secrets out of files).
    #[serde(default)]
    pub secret_env: Option<String>,
}

impl fmt::Debug for KeySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySettings")
            .field("id", &self.id)
            .field("secret_env", &self.secret_env)
            .finish_non_exhaustive()
    }
}

impl Campaign {
    /// Reads and checks a campaign file.
    ///
    /// # Errors
    /// [`CampaignError`] if the file cannot be read, is not valid TOML for a campaign, or
    /// describes a campaign the engine would refuse.
    pub fn from_file(path: &Path) -> Result<Campaign, CampaignError> {
        let text = std::fs::read_to_string(path).map_err(|error| CampaignError::Read {
            path: path.display().to_string(),
            reason: error.to_string(),
        })?;
        Campaign::from_toml(&text)
    }

    /// Reads and checks a campaign from TOML text.
    ///
    /// # Errors
    /// As [`Campaign::from_file`].
    ///
    /// # Example
    /// ```
    /// use fairbook_server::Campaign;
    /// let campaign = Campaign::from_toml(r#"
    ///     cohorts = [{ name = "everyone" }]
    ///     inventory = { grid = { sites = 2, days = 1, windows = 2, capacity = 5 } }
    ///     passes = { signing_key = 1, keys = [{ id = 1, secret_hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" }] }
    /// "#)?;
    /// assert_eq!(campaign.slot_specs().len(), 4);
    /// # Ok::<(), fairbook_server::CampaignError>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Campaign, CampaignError> {
        let campaign: Campaign = toml::from_str(text).map_err(|error| CampaignError::Parse {
            reason: error.to_string(),
        })?;
        campaign.check()?;
        Ok(campaign)
    }

    fn check(&self) -> Result<(), CampaignError> {
        if self.server.tick_ms == 0 {
            return Err(CampaignError::Invalid {
                reason: "server.tick_ms must be at least 1".to_owned(),
            });
        }
        if self.server.snapshot_check_ms == 0 {
            return Err(CampaignError::Invalid {
                reason: "server.snapshot_check_ms must be at least 1".to_owned(),
            });
        }
        if !self.engine.cohorts.is_empty() && self.engine.cohorts != Config::default().cohorts {
            return Err(CampaignError::Invalid {
                reason: "give cohorts as [[cohorts]] tables, not engine.cohorts".to_owned(),
            });
        }
        self.engine_config()
            .validate()
            .map_err(CampaignError::Engine)?;
        let slots = self.slot_count();
        if slots > u64::from(self.engine.slots_max) {
            return Err(CampaignError::Invalid {
                reason: format!(
                    "the inventory has {slots} slots but engine.slots_max is {}",
                    self.engine.slots_max
                ),
            });
        }
        let mut listed = std::collections::HashSet::new();
        for entry in &self.inventory.sites {
            let reason = if entry.site.as_u32() >= self.engine.sites_max {
                format!(
                    "inventory.sites: site {} is not below engine.sites_max ({})",
                    entry.site, self.engine.sites_max
                )
            } else if u32::from(entry.region.as_u16()) >= self.engine.regions_max {
                format!(
                    "inventory.sites: region {} of site {} is not below engine.regions_max ({})",
                    entry.region, entry.site, self.engine.regions_max
                )
            } else if !listed.insert(entry.site) {
                format!("inventory.sites: site {} is listed twice", entry.site)
            } else {
                continue;
            };
            return Err(CampaignError::Invalid { reason });
        }
        self.pass_keys()?;
        Ok(())
    }

    /// The engine's configuration, with the cohorts' windows.
    pub fn engine_config(&self) -> Config {
        Config {
            cohorts: self
                .cohorts
                .iter()
                .map(|cohort| CohortWindow {
                    opens_at: cohort.opens_at.unwrap_or(Timestamp::ZERO),
                    closes_at: cohort.closes_at,
                    ..CohortWindow::ALWAYS
                })
                .collect(),
            ..self.engine.clone()
        }
    }

    fn slot_count(&self) -> u64 {
        let grid = self.inventory.grid.map_or(0, |grid| {
            u64::from(grid.sites) * u64::from(grid.days) * u64::from(grid.windows)
        });
        grid + self.inventory.slots.len() as u64
    }

    /// Every slot, in the order they are added (the grid site by site, day by day, window
    /// by window; then the list).
    pub fn slot_specs(&self) -> Vec<SlotSpec> {
        let mut specs = Vec::with_capacity(self.slot_count() as usize);
        if let Some(grid) = self.inventory.grid {
            for site in 0..grid.sites {
                for day in 0..grid.days {
                    for window in 0..grid.windows {
                        specs.push(SlotSpec {
                            site: SiteId::new(site),
                            day: Day::new(day),
                            window: Window::new(window),
                            capacity: grid.capacity,
                        });
                    }
                }
            }
        }
        specs.extend_from_slice(&self.inventory.slots);
        specs
    }

    /// The keys, read from the file or the environment.
    fn pass_keys(&self) -> Result<Vec<PassKey>, CampaignError> {
        self.passes
            .keys
            .iter()
            .map(|key| {
                let secret = match (&key.secret_hex, &key.secret_env) {
                    (Some(hex), None) => hex.clone(),
                    (None, Some(variable)) => {
                        std::env::var(variable).map_err(|_| CampaignError::Invalid {
                            reason: format!(
                                "key {}: the environment variable {variable} is not set",
                                key.id
                            ),
                        })?
                    }
                    _ => {
                        return Err(CampaignError::Invalid {
                            reason: format!(
                                "key {}: give exactly one of secret_hex and secret_env",
                                key.id
                            ),
                        });
                    }
                };
                PassKey::from_hex(key.id, &secret).map_err(|error| CampaignError::PassKey {
                    key_id: key.id,
                    error,
                })
            })
            .collect()
    }

    /// The signer (with `passes.signing_key`) and the verifier (with every key).
    ///
    /// # Errors
    /// [`CampaignError`] if a secret is missing or invalid, or the signing key is not among
    /// the keys.
    pub fn pass_signer_and_verifier(&self) -> Result<(PassSigner, PassVerifier), CampaignError> {
        let keys = self.pass_keys()?;
        let signing = keys
            .iter()
            .find(|key| key.id() == self.passes.signing_key)
            .cloned()
            .ok_or_else(|| CampaignError::Invalid {
                reason: format!(
                    "passes.signing_key is {}, which is not among passes.keys",
                    self.passes.signing_key
                ),
            })?;
        let verifier = PassVerifier::new(keys).map_err(|error| CampaignError::PassKey {
            key_id: self.passes.signing_key,
            error,
        })?;
        Ok((PassSigner::new(signing), verifier))
    }

    /// The verifier alone: what a second process that checks passes needs.
    ///
    /// # Errors
    /// As [`Campaign::pass_signer_and_verifier`].
    pub fn pass_verifier(&self) -> Result<PassVerifier, CampaignError> {
        self.pass_signer_and_verifier()
            .map(|(_, verifier)| verifier)
    }
}

/// Why a campaign could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CampaignError {
    /// The file could not be read.
    Read {
        /// The path given.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// Not a campaign in TOML (syntax, an unknown field, a wrong type).
    Parse {
        /// What the parser said, with the line.
        reason: String,
    },
    /// The engine's limits are out of range.
    Engine(ConfigError),
    /// A pass key is invalid.
    PassKey {
        /// The key.
        key_id: KeyId,
        /// What is wrong with it.
        error: PassKeyError,
    },
    /// Something else the campaign says cannot work.
    Invalid {
        /// What.
        reason: String,
    },
    /// The journal could not be created, opened or replayed (damage, a lock, a journal of
    /// another campaign's limits).
    Journal {
        /// The directory.
        dir: String,
        /// What the journal said.
        reason: String,
    },
}

impl fmt::Display for CampaignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CampaignError::Read { path, reason } => write!(f, "cannot read {path}: {reason}"),
            CampaignError::Parse { reason } => write!(f, "not a valid campaign: {reason}"),
            CampaignError::Engine(error) => write!(f, "engine limits: {error}"),
            CampaignError::PassKey { key_id, error } => write!(f, "pass key {key_id}: {error}"),
            CampaignError::Invalid { reason } => f.write_str(reason),
            CampaignError::Journal { dir, reason } => write!(f, "journal {dir}: {reason}"),
        }
    }
}

impl std::error::Error for CampaignError {}
