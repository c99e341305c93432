//! A journaled server: every acknowledged change survives a restart on the same journal, a
//! failing disk is answered `not_durable` (never 200), and a journal of other limits is
//! refused at start-up.

mod common;

use std::io::ErrorKind;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use fairbook_journal::{FaultyStorage, JournalConfig, OsStorage, Storage};
use fairbook_server::{AppState, Campaign, CampaignError, JournalStart};
use serde_json::{Value, json};

/// Starts a journaled server on `dir`, retrying while the previous one (stopped a moment ago:
/// its tasks drop their share of the engine asynchronously) still holds the journal's lock.
async fn start_on(
    storage: Arc<dyn Storage>,
    dir: &Path,
    toml: &str,
) -> Result<(Harness, JournalStart), CampaignError> {
    let campaign = Campaign::from_toml(toml).expect("valid campaign");
    for _ in 0..200 {
        match AppState::journaled_with(storage.clone(), &campaign, dir, JournalConfig::default()) {
            Ok((state, start)) => return Ok((Harness::start_state(state).await, start)),
            Err(CampaignError::Journal { reason, .. }) if reason.contains("open") => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(error) => return Err(error),
        }
    }
    panic!("the journal in {} stayed locked", dir.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_change_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (h, start) = start_on(Arc::new(OsStorage), dir.path(), &campaign_toml())
        .await
        .unwrap();
    assert_eq!(start, JournalStart::Created);
    for person in 1..=3 {
        assert_eq!(h.join(person).await.status(), 200);
    }
    h.open_door().await;
    let pass = h.wait_for_state(1, "admitted").await["pass"]
        .as_str()
        .unwrap()
        .to_owned();
    let booked: Value = h.reserve(1, Some(&pass), &[1]).await.json().await.unwrap();
    assert_eq!(booked["booking"], json!({"seq": 0, "slot": 1, "rank": 0}));
    h.wait_for_state(2, "admitted").await;
    let pass_3 = h.wait_for_state(3, "admitted").await["pass"]
        .as_str()
        .unwrap()
        .to_owned();
    let booked_3 = h.reserve(3, Some(&pass_3), &[3]).await;
    assert_eq!(booked_3.status(), 200);
    let released = h
        .post("/api/release")
        .header("x-fairbook-person", "3")
        .json(&json!({"slot": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(released.status(), 200);
    let mut before = Vec::new();
    for person in [1u64, 2, 3] {
        before.push(h.status(person).await["status"].clone());
    }
    let audit_before = h.audit().await;
    h.stop().await;

    let (h, start) = start_on(Arc::new(OsStorage), dir.path(), &campaign_toml())
        .await
        .unwrap();
    let JournalStart::Recovered(report) = start else {
        panic!("a journal was there to recover: {start:?}");
    };
    // The slots, three joins, admissions, two bookings and a release at the least.
    let at_least = 4 + 3 + 2 + 1;
    assert!(report.records >= at_least, "{report:?}");
    assert_eq!(report.torn_bytes, 0);
    for (i, person) in [1u64, 2, 3].into_iter().enumerate() {
        let mut after = h.status(person).await["status"].clone();
        // Estimates of waits move with the clock; the facts must not.
        for view in [&mut after, &mut before[i]] {
            if let Some(object) = view.as_object_mut() {
                object.remove("lease_expires_at");
            }
        }
        assert_eq!(after, before[i], "person {person}");
    }
    assert_eq!(h.status(1).await["status"]["slots"], json!([1]));
    // The inventory came back from the journal, not added a second time.
    let slots: Value = h
        .get("/api/slots")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(slots["total"], 4);
    assert_eq!(slots["slots"][1]["booked"], 1);
    assert_eq!(h.status(3).await["status"]["state"], "admitted");
    // The same person joining again gets the same place; a new one is behind everybody.
    let again: Value = h.join(2).await.json().await.unwrap();
    assert_eq!(again["place"], json!({"seq": 1, "is_new": false}));
    let new: Value = h.join(4).await.json().await.unwrap();
    assert_eq!(new["place"], json!({"seq": 3, "is_new": true}));
    // Slot 1's one seat is still taken; slot 3's released seat is free again.
    let pass_2 = h.status(2).await["pass"].as_str().unwrap().to_owned();
    assert_eq!(
        code_of(h.reserve(2, Some(&pass_2), &[1]).await, 409).await,
        "no_room"
    );
    assert_eq!(h.reserve(2, Some(&pass_2), &[3]).await.status(), 200);
    let audit_after = h.audit().await;
    assert_eq!(audit_after["ok"], true, "{audit_after}");
    assert_eq!(audit_before["ok"], true, "{audit_before}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_disk_is_answered_not_durable_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let disk = Arc::new(FaultyStorage::new());
    let (h, _) = start_on(disk.clone(), dir.path(), &campaign_toml())
        .await
        .unwrap();
    assert_eq!(h.join(1).await.status(), 200);
    disk.fail_syncs_after(0, ErrorKind::StorageFull);
    // The engine took the place, but the disk never held it: no 200.
    assert_eq!(code_of(h.join(2).await, 503).await, "not_durable");
    // Nor for anything after: the journal stays failed.
    assert_eq!(code_of(h.join(3).await, 503).await, "not_durable");
    h.stop().await;

    disk.heal();
    let (h, _) = start_on(Arc::new(OsStorage), dir.path(), &campaign_toml())
        .await
        .unwrap();
    assert_eq!(h.status(1).await["status"]["state"], "waiting");
    assert_eq!(h.audit().await["ok"], true);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_of_other_limits_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (h, _) = start_on(Arc::new(OsStorage), dir.path(), &campaign_toml())
        .await
        .unwrap();
    h.stop().await;
    let other = campaign_toml().replace("people_max = 1000", "people_max = 2000");
    let mut refused = None;
    for _ in 0..200 {
        match start_on(Arc::new(OsStorage), dir.path(), &other).await {
            Err(CampaignError::Journal { reason, .. }) if !reason.contains("lock") => {
                refused = Some(reason);
                break;
            }
            Err(CampaignError::Journal { .. }) => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            other => panic!(
                "expected a refusal, got {:?}",
                other.map(|(_, start)| start)
            ),
        }
    }
    let reason = refused.expect("refused for its limits");
    assert!(reason.contains("config"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_retry_after_a_restart_gets_the_first_answer() {
    let toml = campaign_toml().replace(
        "lease_ms = 60000",
        "lease_ms = 60000\nholds_max = 8\nops_remembered_max = 256",
    );
    let keyed_reserve = |h: &Harness, pass: &str, choices: Value| {
        h.post("/api/reserve")
            .header("x-fairbook-person", "1")
            .header("x-fairbook-pass", pass.to_owned())
            .header("idempotency-key", "booking-attempt-1")
            .json(&json!({ "choices": choices }))
            .send()
    };
    let dir = tempfile::tempdir().unwrap();
    let (h, _) = start_on(Arc::new(OsStorage), dir.path(), &toml)
        .await
        .unwrap();
    assert_eq!(h.join(1).await.status(), 200);
    h.open_door().await;
    let pass = h.wait_for_state(1, "admitted").await["pass"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = keyed_reserve(&h, &pass, json!([0, 1])).await.unwrap();
    assert_eq!(first.status(), 200);
    let first = first.text().await.unwrap();
    let booking: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(booking["booking"], json!({"seq": 0, "slot": 1, "rank": 1}));
    // Given back before the crash: a retry that ran again would book slot 1 anew.
    let released = h
        .post("/api/release")
        .header("x-fairbook-person", "1")
        .json(&json!({"slot": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(released.status(), 200);
    h.stop().await;

    let (h, start) = start_on(Arc::new(OsStorage), dir.path(), &toml)
        .await
        .unwrap();
    assert!(matches!(start, JournalStart::Recovered(_)), "{start:?}");
    let retry = keyed_reserve(&h, &pass, json!([0, 1])).await.unwrap();
    assert_eq!(retry.status(), 200);
    assert_eq!(
        retry.text().await.unwrap(),
        first,
        "the first answer, remembered"
    );
    let slots: Value = h
        .get("/api/slots")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(slots["slots"][1]["booked"], 0, "the retry booked nothing");
    let conflict = keyed_reserve(&h, &pass, json!([3])).await.unwrap();
    assert_eq!(code_of(conflict, 409).await, "op_conflict");
    assert_eq!(h.status(1).await["status"]["state"], "admitted");
    let audit = h.audit().await;
    assert_eq!(audit["ok"], true, "{audit}");
    h.stop().await;
}
