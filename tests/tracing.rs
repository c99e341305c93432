//! The `tracing` feature: events on the control path with their fields, and none at all on
//! the data path, whatever the level.

use std::sync::{Arc, Mutex};

use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One event as recorded: level, target and `name=value` fields (the message as `message`).
#[derive(Debug, Clone)]
struct Seen {
    level: Level,
    target: String,
    fields: Vec<(String, String)>,
}

impl Seen {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A subscriber that keeps every event, at every level.
#[derive(Default, Clone)]
struct Recorder {
    events: Arc<Mutex<Vec<Seen>>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(Seen {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
        });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

impl Recorder {
    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }
}

#[test]
fn the_control_path_reports_and_the_data_path_stays_silent() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let engine = Engine::new(Config {
            people_max: 1_000,
            slots_max: 1,
            ..Config::default()
        })
        .unwrap();
        let built = recorder.take();
        assert_eq!(built.len(), 1, "{built:?}");
        assert_eq!(built[0].level, Level::INFO);
        assert_eq!(built[0].target, "fairbook");
        assert_eq!(built[0].field("message"), Some("engine built"));
        assert_eq!(built[0].field("people_max"), Some("1000"));
        let memory = engine.memory().total_bytes().to_string();
        assert_eq!(built[0].field("memory_bytes"), Some(memory.as_str()));

        let slot = engine.add_slot(SlotSpec::with_capacity(3)).unwrap();
        assert!(engine.add_slot(SlotSpec::with_capacity(3)).is_err());
        let slots = recorder.take();
        assert_eq!(slots.len(), 2, "{slots:?}");
        assert_eq!(
            (slots[0].level, slots[0].field("capacity")),
            (Level::TRACE, Some("3"))
        );
        assert_eq!(slots[1].level, Level::WARN);
        assert_eq!(slots[1].field("code"), Some("inventory_full"));

        // The data path: joins, status, reserves, releases. Not one event, even at trace.
        let now = Timestamp::from_secs(1);
        let cohort = CohortId::new(0);
        for id in 0..10 {
            engine.enqueue(PersonId::new(id), cohort, now).unwrap();
            engine.status(PersonId::new(id), now).unwrap();
        }
        assert!(recorder.take().is_empty());

        let advanced = engine.advance(now, 2).unwrap();
        let summary = recorder.take();
        assert_eq!(summary.len(), 1, "{summary:?}");
        assert_eq!(summary[0].level, Level::DEBUG);
        assert_eq!(summary[0].field("admitted"), Some("2"));
        assert_eq!(advanced.admitted, 2);

        engine.reserve(PersonId::new(0), &[slot], now).unwrap();
        engine.release(PersonId::new(0), now).unwrap();
        engine.release(PersonId::new(5), now).unwrap();
        assert!(engine.reserve(PersonId::new(9), &[slot], now).is_err());
        assert!(recorder.take().is_empty());

        // An advance with nobody to admit is a trace-level heartbeat.
        engine.advance(now, 0).unwrap();
        let idle = recorder.take();
        assert_eq!(idle.len(), 1);
        assert_eq!(idle[0].level, Level::TRACE);
    });
}
