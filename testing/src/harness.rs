//! [`Harness`]: drives an [`Engine`] and a [`Model`] side by side through [`Op`]s, and checks
//! after every op that they agree and that every invariant holds.
//!
//! After each op the harness checks, in this order:
//!
//! 1. the op's answers are equal (`Result`s compared with `==`, errors included);
//! 2. [`Engine::audit`] finds no broken invariant;
//! 3. [`Model::check_invariants`] holds;
//! 4. the states are equal: [`Engine::stats`], [`Engine::is_sold_out`], every slot's
//!    [`SlotView`](fairbook::SlotView), the audit's booking and free-seat totals, and the
//!    [`Status`](fairbook::Status) of every person of the vocabulary, read at the latest time the
//!    engine has seen (which changes nothing).
//!
//! The first difference is returned as a [`Mismatch`]; [`Harness::run`] wraps it in a
//! [`Failure`] that names the step and the op.

use core::fmt;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{Model, ModelStats, Op, PEOPLE, REGION_IDS, RecordLog, SLOT_IDS, Universe};
use fairbook::{
    Advanced, AuditReport, Config, ConfigError, Engine, EnqueueError, OpAnswer, OpId, PersonId,
    RegionId, ReserveError, ReserveRequest, SlotFilter, SlotId, Timestamp,
};

/// How the engine and the model parted ways on one op.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mismatch {
    /// The op's answers differ.
    Answer {
        /// What the engine returned.
        engine: String,
        /// What the model returned.
        model: String,
    },
    /// The engine's audit found broken invariants.
    Audit(AuditReport),
    /// The model's own invariant check failed.
    Model(String),
    /// After the op, some part of the state differs.
    State {
        /// Which part.
        what: String,
        /// The engine's.
        engine: String,
        /// The model's.
        model: String,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Answer { engine, model } => {
                write!(f, "answers differ\n  engine: {engine}\n  model:  {model}")
            }
            Mismatch::Audit(report) => write!(f, "audit failed: {report}"),
            Mismatch::Model(broken) => write!(f, "model invariant broken: {broken}"),
            Mismatch::State {
                what,
                engine,
                model,
            } => write!(f, "{what} differs\n  engine: {engine}\n  model:  {model}"),
        }
    }
}

impl std::error::Error for Mismatch {}

/// A [`Mismatch`] with the step and op that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The index of the op in the sequence.
    pub step: usize,
    /// The op.
    pub op: Op,
    /// The harness's clock when the op ran.
    pub now: Timestamp,
    /// What went wrong.
    pub mismatch: Mismatch,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} ({:?} at {}): {}",
            self.step, self.op, self.now, self.mismatch
        )
    }
}

impl std::error::Error for Failure {}

/// Checks that the engine's audit finds nothing, and returns the report.
///
/// # Panics
/// With the report, if any invariant is broken. Call it between steps, while no other thread
/// is mid-call (see [`Engine::audit`]).
///
/// # Example
/// ```
/// use fairbook_testing::assert_audit_ok;
/// use fairbook::{Config, Engine, SlotSpec};
/// let engine = Engine::new(Config::default())?;
/// engine.add_slot(SlotSpec::with_capacity(3)).unwrap();
/// assert_eq!(assert_audit_ok(&engine).free_seats, 3);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[track_caller]
pub fn assert_audit_ok(engine: &Engine) -> AuditReport {
    let report = engine.audit();
    assert!(report.is_ok(), "engine audit failed: {report}");
    report
}

/// The engine's audit as a `Result`: `Ok` with the report if every invariant holds,
/// [`Mismatch::Audit`] otherwise.
///
/// # Errors
/// [`Mismatch::Audit`] with the report.
pub fn check_audit(engine: &Engine) -> Result<AuditReport, Mismatch> {
    let report = engine.audit();
    if report.is_ok() {
        Ok(report)
    } else {
        Err(Mismatch::Audit(report))
    }
}

/// How often each kind of outcome came up, by label such as `"enqueue: same place"` or
/// `"reserve: NoRoom (sold out)"`: the evidence that a generator reaches the hard cases.
///
/// # Example
/// ```
/// use fairbook_testing::{Harness, Op, Universe};
/// use fairbook::{CohortId, PersonId};
/// let join = Op::Enqueue { person: PersonId::new(1), cohort: CohortId::new(0) };
/// let harness = Harness::check(&Universe::default(), &[join.clone(), join])?;
/// assert_eq!(harness.coverage.count("enqueue: new place"), 1);
/// assert_eq!(harness.coverage.count("enqueue: same place"), 1);
/// # Ok::<(), Box<fairbook_testing::Failure>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    counts: BTreeMap<String, u64>,
}

impl Coverage {
    /// How many times `label` came up.
    pub fn count(&self, label: &str) -> u64 {
        self.counts.get(label).copied().unwrap_or(0)
    }

    /// Every label with its count, in label order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.counts
            .iter()
            .map(|(label, &count)| (label.as_str(), count))
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Coverage) {
        for (label, count) in other.iter() {
            *self.counts.entry(label.to_owned()).or_default() += count;
        }
    }

    fn note(&mut self, label: String) {
        *self.counts.entry(label).or_default() += 1;
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (label, count) in self.iter() {
            writeln!(f, "{count:>8}  {label}")?;
        }
        Ok(())
    }
}

/// The name of an error variant: its `Debug` form up to the first field.
fn variant<E: fmt::Debug>(error: &E) -> String {
    let debug = format!("{error:?}");
    let end = debug.find([' ', '(', '{']).unwrap_or(debug.len());
    debug[..end].to_owned()
}

/// The coverage label of an answer: `verb: Ok` or `verb: ErrorVariant`, refined by `ok`.
fn label<T, E: fmt::Debug>(
    verb: &str,
    answer: &Result<T, E>,
    ok: impl FnOnce(&T) -> &'static str,
) -> String {
    match answer {
        Ok(value) => format!("{verb}: {}", ok(value)),
        Err(error) => format!("{verb}: {}", variant(error)),
    }
}

fn advanced_label(advanced: &Advanced) -> &'static str {
    if advanced.lapsed > 0 {
        return "swept lapses";
    }
    if advanced.offers_lapsed > 0 {
        return "offers lapsed";
    }
    if advanced.offered > 0 {
        return "offered seats";
    }
    if advanced.stall.is_some() {
        return "stalled";
    }
    match (advanced.admitted > 0, advanced.lapsed > 0) {
        (_, true) => "swept lapses",
        (true, false) => "admitted",
        (false, false) => "nobody due",
    }
}

/// The coverage label of a call through `once`: the id remembered before or not, then the
/// answer's kind; `compared` is the comparison of the engine's answer with the model's.
fn once_label<T, E: fmt::Debug>(
    remembered: Option<bool>,
    answer: &Result<T, E>,
    compared: Result<(), Mismatch>,
) -> Result<String, Mismatch> {
    compared?;
    Ok(match (remembered, answer) {
        (_, Err(error)) if variant(error) == "Op" => {
            let debug = format!("{error:?}");
            let inner = debug.trim_start_matches("Op(");
            let end = inner.find([' ', ')']).unwrap_or(inner.len());
            format!("once: {}", &inner[..end])
        }
        (Some(true), Ok(_)) => "once: answered again".to_owned(),
        (_, Ok(_)) => "once: ran".to_owned(),
        (_, Err(error)) => format!("once: ran, {}", variant(error)),
    })
}

fn place(answer: OpAnswer) -> Option<fairbook::Place> {
    match answer {
        OpAnswer::Place(place) => Some(place),
        _ => None,
    }
}

fn booking(answer: OpAnswer) -> Option<fairbook::Booking> {
    match answer {
        OpAnswer::Booking(booking) => Some(booking),
        _ => None,
    }
}

fn released(answer: OpAnswer) -> Option<fairbook::Released> {
    match answer {
        OpAnswer::Released(released) => Some(released),
        _ => None,
    }
}

/// The people an advance let in, as [`Engine::admitted_in`] lists them, against the model.
fn compare_admitted<E>(
    engine: &Engine,
    model: &Model,
    answer: &Result<Advanced, E>,
) -> Result<(), Mismatch> {
    let Ok(advanced) = answer else {
        return Ok(());
    };
    compare(
        engine
            .admitted_in(advanced)
            .map(Iterator::collect::<Vec<_>>),
        model.admitted_in(advanced),
    )
}

fn compare<T: PartialEq + fmt::Debug>(engine: T, model: T) -> Result<(), Mismatch> {
    if engine == model {
        return Ok(());
    }
    Err(Mismatch::Answer {
        engine: format!("{engine:?}"),
        model: format!("{model:?}"),
    })
}

fn compare_state<T: PartialEq + fmt::Debug>(
    what: impl FnOnce() -> String,
    engine: T,
    model: T,
) -> Result<(), Mismatch> {
    if engine == model {
        return Ok(());
    }
    Err(Mismatch::State {
        what: what(),
        engine: format!("{engine:?}"),
        model: format!("{model:?}"),
    })
}

/// An engine and its model, built from the same configuration, with the caller's clock.
///
/// # Example: replay a scenario by hand
/// ```
/// use fairbook_testing::{Harness, Op, Universe};
/// use fairbook::{CohortId, PersonId, SlotId};
///
/// let ops = [
///     Op::Enqueue { person: PersonId::new(1), cohort: CohortId::new(0) },
///     Op::Enqueue { person: PersonId::new(1), cohort: CohortId::new(0) },
///     Op::Advance { how_many: 1 },
///     Op::Reserve { person: PersonId::new(1), choices: vec![SlotId::new(0)] },
///     Op::Tick { ms: 500 },
///     Op::Status { person: PersonId::new(1) },
/// ];
/// let harness = Harness::check(&Universe::default(), &ops)?;
/// assert_eq!(harness.engine.slot(SlotId::new(0)).unwrap().booked, 1);
/// # Ok::<(), Box<fairbook_testing::Failure>>(())
/// ```
#[derive(Debug)]
pub struct Harness {
    /// The engine under test.
    pub engine: Engine,
    /// The reference model.
    pub model: Model,
    /// The caller's clock: every op runs at this time; [`Op::Tick`] and [`Op::Rewind`] move it.
    pub now: Timestamp,
    /// The outcomes seen so far.
    pub coverage: Coverage,
    /// With [`Harness::recorded`], every record the engine made: after each op, the records
    /// must rebuild the engine exactly (see [`RecordLog::rebuilds`]).
    pub journal: Option<Arc<RecordLog>>,
    /// Every op applied so far, as it ran ([`Op::Repeat`] resolved), for the repeats.
    history: Vec<Op>,
}

impl Harness {
    /// An engine and a model for `universe`, with its slots added, at time zero.
    ///
    /// # Panics
    /// If the universe's configuration is invalid or the two disagree while adding its slots
    /// (every [`Universe`] from this module's strategies is valid).
    pub fn new(universe: &Universe) -> Harness {
        let mut harness = Harness::with_config(universe.config(), &[], Timestamp::ZERO)
            .expect("a universe's configuration is valid");
        for (site, region) in universe.sites() {
            assert_eq!(
                harness.engine.add_site(site, region),
                harness.model.add_site(site, region),
                "engine and model disagree on adding a site"
            );
        }
        for (index, &capacity) in universe.capacities.iter().enumerate() {
            let spec = universe.slot_spec(index, capacity);
            assert_eq!(
                harness.engine.add_slot(spec),
                harness.model.add_slot(spec),
                "engine and model disagree on adding a slot"
            );
        }
        harness
    }

    /// [`Harness::new`], with the engine's records kept and checked after every op: replaying
    /// them (from nothing, and from a snapshot part way) must rebuild the engine byte for byte.
    pub fn recorded(universe: &Universe) -> Harness {
        let journal = Arc::new(RecordLog::default());
        let mut harness = Harness::new(universe);
        harness.engine = journal
            .engine(universe.config())
            .expect("a universe's configuration is valid");
        universe.populate(&harness.engine);
        harness.journal = Some(journal);
        harness
    }

    /// An engine and a model for any configuration, with slots of `capacities` added (as
    /// [`Universe::series_slot_spec`] makes them), the caller's clock starting at `start`.
    ///
    /// # Errors
    /// The [`ConfigError`] of [`Engine::new`].
    ///
    /// # Panics
    /// If the engine and the model disagree about the configuration or the slots.
    pub fn with_config(
        config: Config,
        capacities: &[u32],
        start: Timestamp,
    ) -> Result<Harness, ConfigError> {
        let model = Model::new(config.clone());
        let engine = Engine::new(config);
        assert_eq!(
            engine.as_ref().err(),
            model.as_ref().err(),
            "engine and model disagree on the configuration"
        );
        let mut harness = Harness {
            engine: engine?,
            model: model?,
            now: start,
            coverage: Coverage::default(),
            journal: None,
            history: Vec::new(),
        };
        for (index, &capacity) in capacities.iter().enumerate() {
            let spec = Universe::series_slot_spec(index as u32, capacity);
            assert_eq!(
                harness.engine.add_slot(spec),
                harness.model.add_slot(spec),
                "engine and model disagree on adding a slot"
            );
        }
        Ok(harness)
    }

    /// Builds a harness for `universe` and applies every op, checking after each.
    ///
    /// # Errors
    /// The first [`Failure`].
    pub fn check(universe: &Universe, ops: &[Op]) -> Result<Harness, Box<Failure>> {
        let mut harness = Harness::new(universe);
        harness.run(ops)?;
        Ok(harness)
    }

    /// Applies every op in turn, checking after each.
    ///
    /// # Errors
    /// The first [`Failure`].
    pub fn run(&mut self, ops: &[Op]) -> Result<(), Box<Failure>> {
        for (step, op) in ops.iter().enumerate() {
            let now = self.now;
            self.apply(op).map_err(|mismatch| {
                Box::new(Failure {
                    step,
                    op: op.clone(),
                    now,
                    mismatch,
                })
            })?;
        }
        Ok(())
    }

    /// Applies one op to both the engine and the model, compares the answers, then checks the
    /// audit, the model's invariants and the states (see the module docs).
    ///
    /// # Errors
    /// The first [`Mismatch`].
    pub fn apply(&mut self, op: &Op) -> Result<(), Mismatch> {
        let op = match op {
            Op::Repeat { back } => {
                let back = usize::from(*back);
                let earlier = (back > 0 && back <= self.history.len())
                    .then(|| self.history[self.history.len() - back].clone());
                self.coverage.note(format!(
                    "repeat: {}",
                    if earlier.is_some() { "ran" } else { "nothing" }
                ));
                earlier.unwrap_or(Op::Tick { ms: 0 })
            }
            op => op.clone(),
        };
        self.history.push(op.clone());
        let outcome = self.run_op(&op)?;
        self.coverage.note(outcome);
        if self.model.is_sold_out() {
            self.coverage.note("state: sold out".to_owned());
        }
        self.check_state()
    }

    /// Runs one op on both, compares the answers, and returns its coverage label.
    fn run_op(&mut self, op: &Op) -> Result<String, Mismatch> {
        let (engine, model, now) = (&self.engine, &mut self.model, self.now);
        let outcome = match op {
            Op::Enqueue { person, cohort } => {
                let had_place = model.place_of(*person).is_some();
                let answer = engine.enqueue(*person, *cohort, now);
                let outcome = label("enqueue", &answer, |place| {
                    match (place.is_new, had_place) {
                        (false, _) => "same place",
                        (true, false) => "new place",
                        (true, true) => "requeued",
                    }
                });
                compare(answer, model.enqueue(*person, *cohort, now))?;
                outcome
            }
            Op::EnqueueIn {
                person,
                cohort,
                scope,
            } => {
                let answer = engine.enqueue_in(*person, *cohort, *scope, now);
                let outcome = label("enqueue_in", &answer, |place| {
                    if place.is_new {
                        "new place"
                    } else {
                        "same place"
                    }
                });
                compare(answer, model.enqueue_in(*person, *cohort, *scope, now))?;
                outcome
            }
            Op::EnqueueBatch { requests } => {
                let mut answers = vec![Err(EnqueueError::SoldOut); requests.len()];
                let handled = engine.enqueue_batch(requests, now, &mut answers);
                compare(handled, requests.len())?;
                compare(answers, model.enqueue_batch(requests, now))?;
                "enqueue_batch".to_owned()
            }
            Op::Advance { how_many } => {
                let holds = model.holds();
                let answer = engine.advance(now, *how_many);
                let mut outcome = label("advance", &answer, advanced_label);
                compare(answer, model.advance(now, *how_many))?;
                compare_admitted(engine, model, &answer)?;
                if model.holds() < holds {
                    outcome = "advance: expired holds".to_owned();
                }
                outcome
            }
            Op::AdvanceBy { policy } => {
                let answer = engine.advance_with_policy(now, policy);
                let outcome = label("advance_with_policy", &answer, advanced_label);
                compare(answer, model.advance_with_policy(now, policy))?;
                compare_admitted(engine, model, &answer)?;
                outcome
            }
            Op::Tick { ms } => {
                self.now = now.plus_millis(*ms);
                "tick".to_owned()
            }
            Op::Rewind { ms } => {
                self.now = Timestamp::from_millis(now.as_millis().saturating_sub(*ms));
                "rewind".to_owned()
            }
            Op::Reserve { person, choices } => {
                let answer = engine.reserve(*person, choices, now);
                let outcome = match answer {
                    Err(ReserveError::NoRoom { sold_out: true }) => {
                        "reserve: NoRoom (sold out)".to_owned()
                    }
                    _ => label("reserve", &answer, |_| "booked"),
                };
                compare(answer, model.reserve(*person, choices, now))?;
                outcome
            }
            Op::ReserveWithTicket {
                person,
                ticket,
                choices,
            } => {
                let answer = engine.reserve_with_ticket(*person, *ticket, choices, now);
                let outcome = label("reserve with ticket", &answer, |_| "booked");
                compare(answer, model.reserve(*person, choices, now))?;
                outcome
            }
            Op::ReserveBatch { requests } => {
                let batch: Vec<ReserveRequest<'_>> = requests
                    .iter()
                    .map(|(person, ticket, choices)| ReserveRequest {
                        person: *person,
                        ticket: *ticket,
                        choices,
                    })
                    .collect();
                let mut answers = vec![Err(ReserveError::EmptyChoice); batch.len()];
                let handled = engine.reserve_batch(&batch, now, &mut answers);
                compare(handled, batch.len())?;
                let expected: Vec<_> = requests
                    .iter()
                    .map(|(person, _, choices)| model.reserve(*person, choices, now))
                    .collect();
                compare(answers, expected)?;
                "reserve batch".to_owned()
            }
            Op::Standby { person } => {
                let answer = engine.standby(*person, now);
                let outcome = label("standby", &answer, |_| "Ok");
                compare(answer, model.standby(*person, now))?;
                outcome
            }
            Op::EnterDraw { person, cohort } => {
                let answer = engine.enter_draw(*person, *cohort, now);
                let outcome = label("enter_draw", &answer, |entry| {
                    if entry.is_new { "entered" } else { "again" }
                });
                compare(answer, model.enter_draw(*person, *cohort, now))?;
                outcome
            }
            Op::Draw { cohort, secret } => {
                let secret = fairbook::DrawSecret::from_bytes([*secret; 32]);
                let answer = engine.draw(*cohort, &secret, now);
                let outcome = label("draw", &answer, |record| {
                    if record.placed > 0 {
                        "placed"
                    } else {
                        "nobody"
                    }
                });
                if let Ok(record) = &answer {
                    compare(record.verify(&secret), true)?;
                }
                compare(answer, model.draw(*cohort, &secret, now))?;
                outcome
            }
            Op::Release { person } => {
                let answer = engine.release(*person, now);
                let outcome = label("release", &answer, |released| {
                    match (released.was_waiting, released.slots.is_empty()) {
                        (true, _) => "place in line",
                        (false, true) => "lease",
                        (false, false) => "bookings",
                    }
                });
                compare(answer, model.release(*person, now))?;
                outcome
            }
            Op::ReleaseBooking { person, slot } => {
                let answer = engine.release_booking(*person, *slot, now);
                let outcome = label("release_booking", &answer, |_| "Ok");
                compare(answer, model.release_booking(*person, *slot, now))?;
                outcome
            }
            Op::Status { person } => {
                let answer = engine.status(*person, now);
                let outcome = match &answer {
                    Ok(status) => format!("status: {}", variant(status)),
                    Err(error) => format!("status: {}", variant(error)),
                };
                compare(answer, model.status(*person, now))?;
                outcome
            }
            Op::AddSlot { spec } => {
                let answer = engine.add_slot(*spec);
                let outcome = label("add_slot", &answer, |_| "Ok");
                compare(answer, model.add_slot(*spec))?;
                outcome
            }
            Op::AddSite { site, region } => {
                let answer = engine.add_site(*site, *region);
                let outcome = label("add_site", &answer, |_| "Ok");
                compare(answer, model.add_site(*site, *region))?;
                outcome
            }
            Op::SetCapacity { slot, capacity } => {
                let answer = engine.set_capacity(*slot, *capacity);
                let outcome = label("set_capacity", &answer, |change| {
                    match change.capacity.cmp(&change.capacity_before) {
                        core::cmp::Ordering::Greater => "grew",
                        core::cmp::Ordering::Less => "shrank",
                        core::cmp::Ordering::Equal => "unchanged",
                    }
                });
                compare(answer, model.set_capacity(*slot, *capacity))?;
                outcome
            }
            Op::CloseSlot { slot } => {
                let answer = engine.close_slot(*slot);
                let outcome = label("close_slot", &answer, |_| "Ok");
                compare(answer, model.close_slot(*slot))?;
                outcome
            }
            Op::Search { filter } => {
                let filter = filter.filter();
                let answer = engine.search(filter).map(Iterator::collect::<Vec<_>>);
                let outcome = label("search", &answer, |found| {
                    if found.is_empty() { "none" } else { "found" }
                });
                compare(answer, model.search(&filter))?;
                compare(engine.free_seats(&filter), model.free_seats(&filter))?;
                outcome
            }
            Op::AdmittedIn { from, to } => {
                let advanced = Advanced {
                    admitted: 0,
                    from: *from,
                    to: *to,
                    lease_until: now,
                    lapsed: 0,
                    offered: 0,
                    offers_lapsed: 0,
                    stall: None,
                };
                let answer = engine
                    .admitted_in(&advanced)
                    .map(Iterator::collect::<Vec<_>>);
                let outcome = label("admitted_in", &answer, |_| "Ok");
                compare(answer, model.admitted_in(&advanced))?;
                outcome
            }
            Op::Hold {
                person,
                choices,
                ttl_ms,
            } => {
                let answer = engine.hold(*person, choices, *ttl_ms, now);
                let outcome = label("hold", &answer, |_| "held");
                compare(answer, model.hold(*person, choices, *ttl_ms, now))?;
                outcome
            }
            Op::Confirm { person, slot } => {
                let answer = engine.confirm(*person, *slot, now);
                let outcome = label("confirm", &answer, |_| "Ok");
                compare(answer, model.confirm(*person, *slot, now))?;
                outcome
            }
            Op::Cancel { person, slot } => {
                let answer = engine.cancel(*person, *slot, now);
                let outcome = label("cancel", &answer, |_| "Ok");
                compare(answer, model.cancel(*person, *slot, now))?;
                outcome
            }
            Op::Rebook {
                person,
                from,
                choices,
            } => {
                let answer = engine.rebook(*person, *from, choices, now);
                let outcome = label("rebook", &answer, |_| "moved");
                compare(answer, model.rebook(*person, *from, choices, now))?;
                outcome
            }
            Op::BookSeries { person, pairs } => {
                let answer = engine.book_series(*person, pairs, now);
                let outcome = label("book_series", &answer, |_| "booked");
                compare(answer, model.book_series(*person, pairs, now))?;
                outcome
            }
            Op::RegisterDependant { holder, dependant } => {
                let answer = engine.register_dependant(*holder, *dependant, now);
                let outcome = label("register_dependant", &answer, |_| "Ok");
                compare(answer, model.register_dependant(*holder, *dependant, now))?;
                outcome
            }
            Op::BookGroup { holder, choices } => {
                let answer = engine.book_group(*holder, choices, now);
                let outcome = label("book_group", &answer, |group| {
                    if group.seats > 1 { "family" } else { "alone" }
                });
                compare(answer, model.book_group(*holder, choices, now))?;
                outcome
            }
            Op::Once { op, call } => return self.run_once(*op, call),
            Op::Repeat { .. } => unreachable!("a repeat is resolved before it runs"),
        };
        Ok(outcome)
    }

    /// Runs a person verb through [`Engine::once`] and [`Model::once`]; other ops as they are.
    fn run_once(&mut self, op: OpId, call: &Op) -> Result<String, Mismatch> {
        let remembered = self.model.remembers(op);
        let (engine, model, now) = (&self.engine, &mut self.model, self.now);
        let once = engine.once(op);
        let outcome = match call {
            Op::Enqueue { person, cohort } => {
                let answer = once.enqueue(*person, *cohort, now);
                let expected = model.once(op, call, OpAnswer::Place, place, |model| {
                    model.enqueue(*person, *cohort, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::Reserve { person, choices } => {
                let answer = once.reserve(*person, choices, now);
                let expected = model.once(op, call, OpAnswer::Booking, booking, |model| {
                    model.reserve(*person, choices, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::Release { person } => {
                let answer = once.release(*person, now);
                let expected = model.once(op, call, OpAnswer::Released, released, |model| {
                    model.release(*person, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::ReleaseBooking { person, slot } => {
                let answer = once.release_booking(*person, *slot, now);
                let expected = model.once(op, call, OpAnswer::Released, released, |model| {
                    model.release_booking(*person, *slot, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::Hold {
                person,
                choices,
                ttl_ms,
            } => {
                let answer = once.hold(*person, choices, *ttl_ms, now);
                let unwrap = |answer| match answer {
                    OpAnswer::Hold(hold) => Some(hold),
                    _ => None,
                };
                let expected = model.once(op, call, OpAnswer::Hold, unwrap, |model| {
                    model.hold(*person, choices, *ttl_ms, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::Confirm { person, slot } => {
                let answer = once.confirm(*person, *slot, now);
                let expected = model.once(op, call, OpAnswer::Booking, booking, |model| {
                    model.confirm(*person, *slot, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::Cancel { person, slot } => {
                let answer = once.cancel(*person, *slot, now);
                let expected = model.once(op, call, OpAnswer::Released, released, |model| {
                    model.cancel(*person, *slot, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::Rebook {
                person,
                from,
                choices,
            } => {
                let answer = once.rebook(*person, *from, choices, now);
                let expected = model.once(op, call, OpAnswer::Booking, booking, |model| {
                    model.rebook(*person, *from, choices, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::BookSeries { person, pairs } => {
                let answer = once.book_series(*person, pairs, now);
                let unwrap = |answer| match answer {
                    OpAnswer::Series(series) => Some(series),
                    _ => None,
                };
                let expected = model.once(op, call, OpAnswer::Series, unwrap, |model| {
                    model.book_series(*person, pairs, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::RegisterDependant { holder, dependant } => {
                let answer = once.register_dependant(*holder, *dependant, now);
                let unwrap = |answer| match answer {
                    OpAnswer::Registered(registered) => Some(registered),
                    _ => None,
                };
                let expected = model.once(op, call, OpAnswer::Registered, unwrap, |model| {
                    model.register_dependant(*holder, *dependant, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            Op::BookGroup { holder, choices } => {
                let answer = once.book_group(*holder, choices, now);
                let unwrap = |answer| match answer {
                    OpAnswer::Group(group) => Some(group),
                    _ => None,
                };
                let expected = model.once(op, call, OpAnswer::Group, unwrap, |model| {
                    model.book_group(*holder, choices, now)
                });
                once_label(remembered, &answer, compare(answer, expected))?
            }
            other => return self.run_op(other),
        };
        Ok(outcome)
    }

    /// Checks the audit, the model's invariants, and that the two states are equal.
    ///
    /// # Errors
    /// The first [`Mismatch`].
    pub fn check_state(&mut self) -> Result<(), Mismatch> {
        let report = check_audit(&self.engine)?;
        self.model.check_invariants().map_err(Mismatch::Model)?;
        if let Some(journal) = &self.journal {
            journal
                .rebuilds(self.engine.config().clone(), &self.engine)
                .map_err(|broken| Mismatch::State {
                    what: "recovery from the records".into(),
                    engine: "the live engine".into(),
                    model: broken,
                })?;
        }

        let stats = self.engine.stats();
        compare_state(
            || "stats".into(),
            ModelStats::from(stats),
            self.model.stats(),
        )?;
        compare_state(
            || "sold out".into(),
            self.engine.is_sold_out(),
            self.model.is_sold_out(),
        )?;
        let slots_len = self.engine.stats().slots.max(self.model.slots_len());
        let (mut bookings, mut free_seats) = (0u64, 0u64);
        for raw in 0..=slots_len.max(SLOT_IDS) {
            let slot = SlotId::new(raw);
            let view = self.model.slot(slot);
            if let Some(view) = view {
                bookings += u64::from(view.booked);
                free_seats += u64::from(view.free());
            }
            compare_state(|| format!("{slot}"), self.engine.slot(slot), view)?;
        }
        compare_state(
            || "audit totals (seats taken, holds, free seats)".into(),
            (
                report.bookings + report.holds,
                report.holds,
                report.free_seats,
            ),
            (bookings, self.model.holds(), free_seats),
        )?;
        for raw in 0..REGION_IDS {
            let region = RegionId::new(raw);
            compare_state(
                || format!("{region} sold out"),
                self.engine.is_sold_out_in(region),
                self.model.is_sold_out_in(region),
            )?;
            let filter = SlotFilter::region(region);
            compare_state(
                || format!("free seats in {region}"),
                self.engine.free_seats(&filter),
                self.model.free_seats(&filter),
            )?;
            compare_state(
                || format!("slots with room in {region}"),
                self.engine.search(filter).map(Iterator::collect::<Vec<_>>),
                self.model.search(&filter),
            )?;
        }

        // Read at the latest time the engine has seen: that moves no clock.
        let latest = stats.latest_time;
        let others: Vec<PersonId> = self
            .model
            .people()
            .filter(|person| person.as_u64() >= PEOPLE)
            .collect();
        let people = (0..PEOPLE).map(PersonId::new).chain([PersonId::RESERVED]);
        let mut sold_out_in_scope = false;
        for person in people.chain(others) {
            let status = self.engine.status(person, latest);
            sold_out_in_scope |= matches!(status, Ok(fairbook::Status::SoldOutInScope { .. }));
            compare_state(
                || format!("status of {person}"),
                status,
                self.model.status(person, latest),
            )?;
        }
        if sold_out_in_scope {
            self.coverage
                .note("state: waiting, sold out in scope".to_owned());
        }
        Ok(())
    }
}
