//! The server end to end: a real server on an ephemeral loopback port, a real HTTP client.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use fairbook_server::{
    AckError, Acknowledgement, Acknowledger, AppState, Campaign, Mutation, MutationKind,
};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_waits_is_admitted_and_books_with_the_pass() {
    let h = Harness::start().await;
    // Two devices of person 1 get one place; person 2 is behind.
    let laptop: Value = h.join(1).await.json().await.unwrap();
    let phone: Value = h.join(1).await.json().await.unwrap();
    assert_eq!(laptop["place"], json!({"seq": 0, "is_new": true}));
    assert_eq!(phone["place"], json!({"seq": 0, "is_new": false}));
    assert_eq!(h.join(2).await.status(), 200);
    let waiting = h.status(2).await;
    assert_eq!(waiting["status"]["state"], "waiting");
    assert_eq!(waiting["status"]["ahead"], 1);
    assert_eq!(waiting["pass"], Value::Null);

    // No pass, no booking: the server does not take the client's word.
    let refused = h.reserve(1, None, &[1]).await;
    assert_eq!(code_of(refused, 403).await, "pass_missing");

    h.open_door().await;
    let admitted = h.wait_for_state(1, "admitted").await;
    let pass = admitted["pass"]
        .as_str()
        .expect("a pass once admitted")
        .to_owned();
    assert_eq!(pass.len(), 122);

    // Someone else's pass, and a tampered one, are refused with their codes.
    h.wait_for_state(2, "admitted").await;
    assert_eq!(
        code_of(h.reserve(2, Some(&pass), &[1]).await, 403).await,
        "pass_wrong_person"
    );
    let mut tampered = pass.clone().into_bytes();
    tampered[40] = if tampered[40] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        code_of(h.reserve(1, Some(&tampered), &[1]).await, 403).await,
        "pass_bad_signature"
    );

    // Ranked choices: slot 0 has no room, slot 1 does.
    let booked = h.reserve(1, Some(&pass), &[0, 1]).await;
    assert_eq!(booked.status(), 200);
    let booked: Value = booked.json().await.unwrap();
    assert_eq!(booked["booking"], json!({"seq": 0, "slot": 1, "rank": 1}));
    // A retry of the same request (a lost answer) gets the same booking back and books
    // nothing more: the status below still lists slot 1 once.
    let retry = h.reserve(1, Some(&pass), &[0, 1]).await;
    assert_eq!(retry.status(), 200);
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["booking"], booked["booking"]);
    // Slot 1 is now full for person 2.
    let pass_2 = h.status(2).await["pass"].as_str().unwrap().to_owned();
    let full = h.reserve(2, Some(&pass_2), &[1]).await;
    assert_eq!(code_of(full, 409).await, "no_room");

    let status = h.status(1).await;
    assert_eq!(status["status"]["state"], "booked");
    assert_eq!(status["status"]["slots"], json!([1]));

    // Release the booking: the seat is bookable at once.
    let released = h
        .post("/api/release")
        .header("x-fairbook-person", "1")
        .json(&json!({"slot": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(released.status(), 200);
    assert_eq!(h.reserve(2, Some(&pass_2), &[1]).await.status(), 200);

    let audit = h.audit().await;
    assert_eq!(audit["ok"], true, "{audit}");
    assert_eq!(audit["report"]["bookings"], 1);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_a_status_a_code_and_a_retry_hint() {
    let opens_at = fairbook::WallClock::new().now().plus_millis(90_000);
    let toml = campaign_toml().replace(
        "[[cohorts]]\nname = \"second\"\nopen = false",
        &format!("[[cohorts]]\nname = \"second\"\nopen = false\n\n[[cohorts]]\nname = \"later\"\nopens_at = {}", opens_at.as_millis()),
    );
    let h = Harness::start_with(&toml).await;

    let anonymous = h.post("/api/join").send().await.unwrap();
    assert_eq!(code_of(anonymous, 401).await, "identity_missing");
    let bad = h
        .post("/api/join")
        .header("x-fairbook-person", "-4")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(bad, 400).await, "invalid_person");
    let reserved = h.join(u64::MAX).await;
    assert_eq!(code_of(reserved, 400).await, "invalid_person");
    let unknown_cohort = h
        .post("/api/join")
        .header("x-fairbook-person", "5")
        .header("x-fairbook-cohort", "9")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(unknown_cohort, 400).await, "unknown_cohort");

    // The closed cohort waits for an admin.
    let join_second = || {
        h.post("/api/join")
            .header("x-fairbook-person", "6")
            .header("x-fairbook-cohort", "1")
            .send()
    };
    assert_eq!(
        code_of(join_second().await.unwrap(), 403).await,
        "cohort_not_open"
    );
    let not_admin = h
        .post("/admin/cohorts/1/open")
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(not_admin, 401).await, "admin_token_invalid");
    let opened = h
        .admin(h.post("/admin/cohorts/1/open"))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    assert_eq!(join_second().await.unwrap().status(), 200);

    // A window that opens in 90 s says so, in Retry-After and in the body.
    let early = h
        .post("/api/join")
        .header("x-fairbook-person", "7")
        .header("x-fairbook-cohort", "2")
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 403);
    let retry_after: u64 = early.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((88..=90).contains(&retry_after), "{retry_after}");
    let body: Value = early.json().await.unwrap();
    assert_eq!(body["code"], "window_not_open");
    assert_eq!(body["detail"]["cohort"], 2);
    assert_eq!(body["detail"]["opens_at"], opens_at.as_millis());

    let never_joined = h
        .post("/api/release")
        .header("x-fairbook-person", "77")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(never_joined, 404).await, "unknown_person");
    let bad_body = h
        .post("/api/reserve")
        .header("x-fairbook-person", "6")
        .header("x-fairbook-pass", "x")
        .body("{\"choices\": \"all\"}")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(bad_body, 400).await, "bad_request");
    let malformed = h.reserve(6, Some("not-a-pass"), &[1]).await;
    assert_eq!(code_of(malformed, 403).await, "pass_malformed");
    h.stop().await;
}

/// The pass is checked by a second process that holds only the campaign's keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_checks_the_pass_with_the_keys_alone() {
    let h = Harness::start().await;
    h.join(11).await;
    h.open_door().await;
    let pass = h.wait_for_state(11, "admitted").await["pass"]
        .as_str()
        .unwrap()
        .to_owned();

    let campaign_file =
        std::env::temp_dir().join(format!("fairbook-campaign-{}.toml", std::process::id()));
    std::fs::write(&campaign_file, campaign_toml()).unwrap();
    let check = |person: &str| {
        Command::new(env!("CARGO_BIN_EXE_fairbook-server"))
            .args(["check-pass", "--campaign"])
            .arg(&campaign_file)
            .args(["--person", person, &pass])
            .output()
            .unwrap()
    };
    let accepted = check("11");
    assert!(accepted.status.success(), "{accepted:?}");
    let claims: Value = serde_json::from_slice(&accepted.stdout).unwrap();
    assert_eq!(claims["person"], 11);
    assert_eq!(claims["seq"], 0);
    assert_eq!(claims["key_id"], 1);
    let refused = check("12");
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&refused.stdout).trim(),
        "pass_wrong_person"
    );
    std::fs::remove_file(&campaign_file).unwrap();
    h.stop().await;
}

/// An acknowledger that answers only when the test lets it, or refuses.
struct Gate {
    permits: Arc<Semaphore>,
    fail: bool,
}

impl Acknowledger for Gate {
    fn acknowledge(&self, mutation: &Mutation) -> Acknowledgement {
        if self.fail {
            return Acknowledgement::Settled(Err(AckError::Unavailable));
        }
        assert!(matches!(mutation.kind, MutationKind::Join { is_new: true }));
        let permits = Arc::clone(&self.permits);
        Acknowledgement::Pending(Box::pin(async move {
            permits
                .acquire()
                .await
                .map_err(|_| AckError::Unavailable)?
                .forget();
            Ok(())
        }))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutations_are_answered_only_once_acknowledged() {
    let campaign = Campaign::from_toml(&campaign_toml()).unwrap();
    let permits = Arc::new(Semaphore::new(0));
    let gate = Gate {
        permits: Arc::clone(&permits),
        fail: false,
    };
    let h =
        Harness::start_state(AppState::with_acknowledger(&campaign, Box::new(gate)).unwrap()).await;

    let pending = tokio::spawn({
        let request = h.post("/api/join").header("x-fairbook-person", "21");
        async move { request.send().await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !pending.is_finished(),
        "answered before the acknowledgement"
    );
    // The engine has the place already; only the answer waits.
    assert_eq!(h.status(21).await["status"]["state"], "waiting");
    permits.add_permits(1);
    let answered = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answered.status(), 200);
    h.stop().await;

    let failing = Gate {
        permits,
        fail: true,
    };
    let h =
        Harness::start_state(AppState::with_acknowledger(&campaign, Box::new(failing)).unwrap())
            .await;
    assert_eq!(code_of(h.join(22).await, 503).await, "not_durable");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_stream_sends_each_change() {
    let h = Harness::start().await;
    h.join(31).await;
    let response = h
        .get("/api/events")
        .header("x-fairbook-person", "31")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.bytes_stream();
    let mut text = String::new();
    let mut next_status = async || -> Value {
        loop {
            if let Some(end) = text.find("\n\n") {
                let frame: String = text.drain(..end + 2).collect();
                if let Some(data) = frame.lines().find_map(|line| line.strip_prefix("data: ")) {
                    assert!(frame.contains("event: status"), "{frame}");
                    return serde_json::from_str(data).unwrap();
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), stream.next())
                .await
                .expect("an event within 5 s")
                .expect("the stream stays open")
                .unwrap();
            text.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    };
    let first = next_status().await;
    assert_eq!(first["status"]["state"], "waiting");
    h.open_door().await;
    let second = next_status().await;
    assert_eq!(second["status"]["state"], "admitted");
    assert!(second["pass"].is_string());
    // The stream is still open: stopping cuts it after the grace period.
    h.stop().await;
}

/// Fifty people race for the five seats of slot 3 over HTTP: exactly five book.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_bookings_never_overbook() {
    let h = Arc::new(Harness::start().await);
    for person in 100..150 {
        assert_eq!(h.join(person).await.status(), 200);
    }
    h.open_door().await;
    let mut passes = Vec::new();
    for person in 100..150 {
        let view = h.wait_for_state(person, "admitted").await;
        passes.push((person, view["pass"].as_str().unwrap().to_owned()));
    }
    let tasks: Vec<_> = passes
        .into_iter()
        .map(|(person, pass)| {
            let h = Arc::clone(&h);
            tokio::spawn(
                async move { h.reserve(person, Some(&pass), &[3]).await.status().as_u16() },
            )
        })
        .collect();
    let mut booked = 0;
    for task in tasks {
        match task.await.unwrap() {
            200 => booked += 1,
            409 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(booked, 5);
    let audit = h.audit().await;
    assert_eq!(
        (audit["ok"].as_bool(), audit["report"]["bookings"].as_u64()),
        (Some(true), Some(5))
    );
    let stats: Value = h
        .admin(h.get("/admin/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["stats"]["places_handed_out"], 50);
    assert_eq!(stats["cohorts"][1]["open"], false);
    Arc::try_unwrap(h)
        .ok()
        .expect("no other owner")
        .stop()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slots_are_listed_a_page_at_a_time_and_the_page_is_served() {
    let h = Harness::start().await;
    let page: Value = h
        .get("/api/slots?from=1&limit=2")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 4);
    assert_eq!(page["next"], 3);
    assert_eq!(
        page["slots"][0],
        json!({"id": 1, "spec": {"site": 1, "day": 0, "window": 1, "capacity": 1}, "booked": 0, "closed": false})
    );
    let bad = h.get("/api/slots?from=x").send().await.unwrap();
    assert_eq!(code_of(bad, 400).await, "bad_request");
    let html = h.get("/").send().await.unwrap().text().await.unwrap();
    assert!(html.contains("waiting room"));
    let floor: Value = h.get("/floor").send().await.unwrap().json().await.unwrap();
    assert_eq!(floor, json!({"ok": true}));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_slots_with_room_by_region_sites_days_and_windows() {
    // Sites 1 and 2 in region 0, site 3 in region 1 (its slot: capacity 5, day 2, window 3).
    let toml = campaign_toml()
        .replace("standby_max = 0\n", "standby_max = 0\nregions_max = 2\n")
        .replace(
            "[inventory]\n",
            "[inventory]\nsites = [{ site = 3, region = 1 }, { site = 1, region = 0 }]\n",
        );
    let h = Harness::start_with(&toml).await;
    let get = |path: &str| h.get(path).send();
    let found: Value = get("/api/search").await.unwrap().json().await.unwrap();
    // The slot of capacity 0 has no room; the others in region order (0: site 1, then site 2
    // named by its slot; 1: site 3).
    let ids: Vec<&Value> = found["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| &slot["id"])
        .collect();
    assert_eq!(ids, [&json!(1), &json!(2), &json!(3)]);
    assert_eq!(found["free_seats"], 8);
    assert!(found.get("sold_out_in_region").is_none());

    let busan: Value = get("/api/search?region=1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(busan["slots"][0]["spec"]["site"], 3);
    assert_eq!(busan["free_seats"], 5);
    assert_eq!(busan["sold_out_in_region"], false);

    let narrow: Value = get("/api/search?sites=2,1&first_day=0&last_day=1&windows=0&limit=5")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(narrow["slots"].as_array().unwrap().len(), 1);
    assert_eq!(narrow["slots"][0]["id"], 2);
    assert_eq!(narrow["free_seats"], 2);
    let limited: Value = get("/api/search?limit=1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(limited["slots"].as_array().unwrap().len(), 1);

    for (path, code) in [
        ("/api/search?region=2", "region_out_of_range"),
        ("/api/search?first_day=3&last_day=1", "empty_day_range"),
        ("/api/search?region=0&sites=1", "bad_request"),
        ("/api/search?sites=1,x", "bad_request"),
        ("/api/search?windows=300", "bad_request"),
    ] {
        assert_eq!(code_of(get(path).await.unwrap(), 400).await, code, "{path}");
    }
    let many = (0..300)
        .map(|site| site.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let too_many = get(&format!("/api/search?sites={many}")).await.unwrap();
    assert_eq!(code_of(too_many, 400).await, "bad_request");
    h.stop().await;
}

#[test]
fn campaign_files_are_checked_before_anything_starts() {
    let reference = Campaign::from_file(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/campaigns/demo.toml"
    )))
    .unwrap();
    assert_eq!(reference.slot_specs().len(), 24);
    let typo = campaign_toml().replace("tick_ms", "tick_msec");
    assert!(
        Campaign::from_toml(&typo)
            .unwrap_err()
            .to_string()
            .contains("tick_msec")
    );
    let no_secret = campaign_toml().replace(
        &format!("secret_hex = \"{SECRET_HEX}\""),
        "secret_env = \"FAIRBOOK_TEST_KEY_THAT_IS_NOT_SET\"",
    );
    let error = Campaign::from_toml(&no_secret).unwrap_err().to_string();
    assert!(
        error.contains("FAIRBOOK_TEST_KEY_THAT_IS_NOT_SET"),
        "{error}"
    );
    let too_many = campaign_toml().replace("slots_max = 16", "slots_max = 3");
    assert!(
        Campaign::from_toml(&too_many)
            .unwrap_err()
            .to_string()
            .contains("4 slots")
    );
    let bad_engine = campaign_toml().replace("lease_ms = 60000", "lease_ms = 0");
    assert!(Campaign::from_toml(&bad_engine).is_err());
    for (sites, needle) in [
        (
            "{ site = 1, region = 1 }",
            "not below engine.regions_max (1)",
        ),
        ("{ site = 70000, region = 0 }", "not below engine.sites_max"),
        (
            "{ site = 1, region = 0 }, { site = 1, region = 0 }",
            "listed twice",
        ),
    ] {
        let toml = campaign_toml().replace(
            "[inventory]\n",
            &format!("[inventory]\nsites = [{sites}]\n"),
        );
        let error = Campaign::from_toml(&toml).unwrap_err().to_string();
        assert!(error.contains(needle), "{sites}: {error}");
    }
}

#[test]
fn campaigns_set_holds_and_remembered_operations_within_the_engine_limits() {
    let demo = Campaign::from_file(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/campaigns/demo.toml"
    )))
    .unwrap();
    assert_eq!(demo.engine.holds_max, 48);
    assert_eq!(demo.engine.hold_ttl_max_ms, 120_000);
    assert_eq!(demo.engine.holds_per_person_max, 1);
    assert_eq!(demo.engine.ops_remembered_max, 4_096);
    // The reference campaign reads its secret from the environment: give it one inline.
    let reference = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/campaigns/reference.toml"
    ))
    .unwrap()
    .replace(
        "secret_env = \"FAIRBOOK_PASS_KEY_1\"",
        &format!("secret_hex = \"{SECRET_HEX}\""),
    );
    let reference = Campaign::from_toml(&reference).unwrap();
    assert_eq!(reference.engine.holds_max, 50_000);
    assert_eq!(reference.engine.hold_ttl_max_ms, 300_000);
    assert_eq!(reference.engine.ops_remembered_max, 524_288);
    assert!(reference.engine.hold_ttl_max_ms < reference.engine.lease_ms);

    // Out of range: refused with the limit's name.
    let with = |lines: &str| {
        campaign_toml().replace("lease_ms = 60000", &format!("lease_ms = 60000\n{lines}"))
    };
    let per_person = Campaign::from_toml(&with("holds_max = 4\nholds_per_person_max = 2"))
        .unwrap_err()
        .to_string();
    assert!(
        per_person.contains("holds_per_person_max is 2"),
        "{per_person}"
    );
    let ttl = Campaign::from_toml(&with("holds_max = 4\nhold_ttl_max_ms = 0"))
        .unwrap_err()
        .to_string();
    assert!(ttl.contains("hold_ttl_max_ms"), "{ttl}");
    let typo = Campaign::from_toml(&with("holds_maximum = 4"))
        .unwrap_err()
        .to_string();
    assert!(typo.contains("holds_maximum"), "{typo}");
    let negative = Campaign::from_toml(&with("ops_remembered_max = -1"));
    assert!(negative.is_err());
    // Holds off: the other hold limits are not checked (the engine's defaults stand).
    let off = Campaign::from_toml(&with("holds_max = 0\nholds_per_person_max = 0")).unwrap();
    assert_eq!(off.engine.holds_max, 0);
}
