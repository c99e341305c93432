//! The whole flow in one screen: people join (some from two devices), the service admits them
//! in order, admitted people book by ranked preference, one gives a booking back, and the
//! audit confirms every invariant.
//!
//! Run it with `cargo run --example quickstart`.

use fairbook::{
    CohortId, Config, Day, Engine, OutflowPolicy, PersonId, SiteId, SlotSpec, Status, Timestamp,
    Window,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(Config {
        people_max: 1_000,
        lease_ms: 5 * 60 * 1_000,
        ..Config::default()
    })?;

    // Two clinics, one evening window each with a few seats.
    let near_work = engine.add_slot(SlotSpec {
        site: SiteId::new(1),
        day: Day::new(0),
        window: Window::new(7),
        capacity: 2,
    })?;
    let near_home = engine.add_slot(SlotSpec {
        site: SiteId::new(2),
        day: Day::new(0),
        window: Window::new(7),
        capacity: 3,
    })?;

    let opening = Timestamp::from_secs(20 * 3_600);
    let cohort = CohortId::new(0);
    let people: Vec<PersonId> = (1..=6).map(PersonId::new).collect();

    println!("-- the opening: everyone joins, some from a second device");
    for (index, &person) in people.iter().enumerate() {
        let now = opening.plus_millis(index as u64 * 10);
        let place = engine.enqueue(person, cohort, now)?;
        println!("person {person} joins and gets place {}", place.seq);
        if index % 2 == 0 {
            let again = engine.enqueue(person, cohort, now.plus_millis(5))?;
            println!(
                "person {person} joins again from a tablet: still place {}",
                again.seq
            );
        }
    }

    println!("\n-- the door lets 4 people in per second");
    let door = OutflowPolicy {
        admissions_per_sec: Some(4),
        ..OutflowPolicy::default()
    };
    let tick = opening.plus_millis(1_000);
    let advanced = engine.advance_with_policy(tick, &door)?;
    for (seq, person) in engine.admitted_in(&advanced)? {
        println!(
            "person {person} (place {seq}) is admitted until {}",
            advanced.lease_until
        );
    }
    println!(
        "person {} is told: {}",
        people[5],
        engine.status(people[5], tick)?
    );

    println!("\n-- admitted people book: near work first, near home second");
    for &person in &people[..4] {
        let booking = engine.reserve(person, &[near_work, near_home], tick)?;
        println!(
            "person {person} booked slot {} (choice {})",
            booking.slot,
            booking.rank + 1
        );
    }

    println!("\n-- someone gives their booking back; the seat is bookable at once");
    let released = engine.release(people[0], tick)?;
    println!("person {} gave back {:?}", people[0], released.slots);

    let later = tick.plus_millis(1_000);
    engine.advance_with_policy(later, &door)?;
    for &person in &people[4..] {
        let booking = engine.reserve(person, &[near_work, near_home], later)?;
        println!(
            "person {person} booked slot {} (choice {})",
            booking.slot,
            booking.rank + 1
        );
    }

    println!("\n-- where everyone stands");
    for &person in &people {
        let status = engine.status(person, later)?;
        println!("person {person}: {status}");
        assert!(matches!(
            status,
            Status::Booked { .. } | Status::Released { .. }
        ));
    }
    for slot in [near_work, near_home] {
        println!("slot {}", engine.slot(slot).expect("slot exists"));
    }

    let report = engine.audit();
    println!("\naudit: {report}");
    assert!(report.is_ok());
    Ok(())
}
