//! The engine's service-grade flows over HTTP: two-phase holds (`/api/hold`, `/api/confirm`,
//! `/api/cancel`) and retry-safe writes (the `Idempotency-Key` header), on a real server on
//! an ephemeral loopback port with a real client.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Response;
use serde_json::{Value, json};

/// The shared test campaign (slots of capacity 0, 1, 2, 5) with holds on and answers
/// remembered.
fn flows_toml() -> String {
    campaign_toml().replace(
        "lease_ms = 60000",
        "lease_ms = 60000\nholds_max = 8\nhold_ttl_max_ms = 60000\nops_remembered_max = 256",
    )
}

async fn start() -> Harness {
    Harness::start_with(&flows_toml()).await
}

/// Joins `people`, opens the door and returns their passes, in order.
async fn admit(h: &Harness, people: &[u64]) -> Vec<String> {
    for &person in people {
        assert_eq!(h.join(person).await.status(), 200);
    }
    h.open_door().await;
    let mut passes = Vec::new();
    for &person in people {
        let view = h.wait_for_state(person, "admitted").await;
        passes.push(view["pass"].as_str().expect("a pass").to_owned());
    }
    passes
}

async fn hold(h: &Harness, person: u64, pass: Option<&str>, body: Value) -> Response {
    let mut request = h
        .post("/api/hold")
        .header("x-fairbook-person", person.to_string())
        .json(&body);
    if let Some(pass) = pass {
        request = request.header("x-fairbook-pass", pass);
    }
    request.send().await.unwrap()
}

async fn confirm(h: &Harness, person: u64, pass: Option<&str>, slot: u32) -> Response {
    let mut request = h
        .post("/api/confirm")
        .header("x-fairbook-person", person.to_string())
        .json(&json!({ "slot": slot }));
    if let Some(pass) = pass {
        request = request.header("x-fairbook-pass", pass);
    }
    request.send().await.unwrap()
}

async fn cancel(h: &Harness, person: u64, slot: u32) -> Response {
    h.post("/api/cancel")
        .header("x-fairbook-person", person.to_string())
        .json(&json!({ "slot": slot }))
        .send()
        .await
        .unwrap()
}

/// How many seats of `slot` are taken (booked or held).
async fn taken(h: &Harness, slot: u32) -> u64 {
    let page: Value = h
        .get(&format!("/api/slots?from={slot}&limit=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["slots"][0]["id"], slot, "{page}");
    page["slots"][0]["booked"].as_u64().unwrap()
}

async fn ok_json(response: Response) -> Value {
    assert_eq!(response.status(), 200, "{response:?}");
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_then_confirm_books_the_seat() {
    let h = start().await;
    let passes = admit(&h, &[1]).await;
    let before = fairbook::WallClock::new().now().as_millis();
    // Ranked choices: slot 0 has no room, slot 1 does.
    let held = ok_json(
        hold(
            &h,
            1,
            Some(&passes[0]),
            json!({"choices": [0, 1], "ttl_ms": 30_000}),
        )
        .await,
    )
    .await;
    assert_eq!(held["hold"]["slot"], 1);
    assert_eq!(held["hold"]["rank"], 1);
    assert_eq!(held["hold"]["seq"], 0);
    let until = held["hold"]["until"].as_u64().unwrap();
    // The server's clock and this one are read apart (and each steps with the monotonic
    // clock from its own start): a second of slack either way.
    assert!(
        until + 1_000 >= before + 30_000 && until < before + 40_000,
        "{held}, read at {before}"
    );
    assert_eq!(taken(&h, 1).await, 1, "a held seat counts against the slot");

    let status = h.status(1).await;
    assert_eq!(status["status"]["state"], "holding", "{status}");
    assert_eq!(status["status"]["holds"][0]["slot"], 1, "{status}");
    let pass = status["pass"]
        .as_str()
        .expect("a holding person gets a pass");

    let booked = ok_json(confirm(&h, 1, Some(pass), 1).await).await;
    assert_eq!(booked["booking"]["slot"], 1);
    assert_eq!(booked["booking"]["seq"], 0);
    let status = h.status(1).await;
    assert_eq!(status["status"]["state"], "booked", "{status}");
    assert_eq!(status["status"]["slots"], json!([1]));
    assert_eq!(taken(&h, 1).await, 1, "confirming moves no seat");
    // Confirming again answers the booking; a confirm of a slot never held does not book.
    let again = ok_json(confirm(&h, 1, Some(pass), 1).await).await;
    assert_eq!(again["booking"], booked["booking"]);
    assert_eq!(
        code_of(confirm(&h, 1, Some(pass), 3).await, 409).await,
        "not_held"
    );
    assert_eq!(taken(&h, 3).await, 0);

    let audit = h.audit().await;
    assert_eq!(audit["ok"], true, "{audit}");
    assert_eq!(audit["report"]["bookings"], 1, "{audit}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_last_seat_is_no_room_for_others_until_cancelled() {
    let h = start().await;
    let passes = admit(&h, &[1, 2]).await;
    ok_json(
        hold(
            &h,
            1,
            Some(&passes[0]),
            json!({"choices": [1], "ttl_ms": 60_000}),
        )
        .await,
    )
    .await;
    // Slot 1 has one seat, held by person 1: person 2 can neither book nor hold it.
    assert_eq!(
        code_of(h.reserve(2, Some(&passes[1]), &[1]).await, 409).await,
        "no_room"
    );
    assert_eq!(
        code_of(
            hold(
                &h,
                2,
                Some(&passes[1]),
                json!({"choices": [1], "ttl_ms": 1_000})
            )
            .await,
            409
        )
        .await,
        "no_room"
    );
    // Cancel needs no pass; the seat is free at once.
    let cancelled = ok_json(cancel(&h, 1, 1).await).await;
    assert!(cancelled["released"].is_object(), "{cancelled}");
    assert_eq!(taken(&h, 1).await, 0);
    assert_eq!(code_of(cancel(&h, 1, 1).await, 409).await, "not_held");
    let booked = ok_json(h.reserve(2, Some(&passes[1]), &[1]).await).await;
    assert_eq!(booked["booking"]["slot"], 1);
    // Person 1 was back to admitted and may book elsewhere.
    assert_eq!(h.status(1).await["status"]["state"], "admitted");
    ok_json(h.reserve(1, Some(&passes[0]), &[2]).await).await;
    let audit = h.audit().await;
    assert_eq!(audit["ok"], true, "{audit}");
    assert_eq!(audit["report"]["bookings"], 2, "{audit}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_hold_cannot_be_confirmed_and_frees_its_seat() {
    let h = start().await;
    let passes = admit(&h, &[1, 2]).await;
    // The server's clock is the wall clock: a hold of 1 ms and a short sleep.
    ok_json(
        hold(
            &h,
            1,
            Some(&passes[0]),
            json!({"choices": [1], "ttl_ms": 1}),
        )
        .await,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        code_of(confirm(&h, 1, Some(&passes[0]), 1).await, 409).await,
        "not_held"
    );
    assert_ne!(h.status(1).await["status"]["state"], "booked");
    let booked = ok_json(h.reserve(2, Some(&passes[1]), &[1]).await).await;
    assert_eq!(booked["booking"]["slot"], 1);
    assert_eq!(taken(&h, 1).await, 1);
    let audit = h.audit().await;
    assert_eq!(audit["ok"], true, "{audit}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_refusals_carry_their_status_and_code() {
    let h = start().await;
    let passes = admit(&h, &[1]).await;
    let pass = Some(passes[0].as_str());
    let refused = |body: Value| hold(&h, 1, pass, body);
    assert_eq!(
        code_of(refused(json!({"choices": [1], "ttl_ms": 0})).await, 422).await,
        "ttl_out_of_range"
    );
    assert_eq!(
        code_of(
            refused(json!({"choices": [1], "ttl_ms": 60_001})).await,
            422
        )
        .await,
        "ttl_out_of_range"
    );
    assert_eq!(
        code_of(refused(json!({"choices": [], "ttl_ms": 10})).await, 400).await,
        "empty_choice"
    );
    assert_eq!(
        code_of(refused(json!({"choices": [9], "ttl_ms": 10})).await, 400).await,
        "unknown_slot"
    );
    assert_eq!(
        code_of(refused(json!({"choices": [1]})).await, 400).await,
        "bad_request"
    );
    assert_eq!(
        code_of(refused(json!({"choices": [1], "ttl_ms": -5})).await, 400).await,
        "bad_request"
    );
    assert_eq!(
        code_of(
            refused(json!({"choices": [1], "ttl_ms": 10, "extra": 1})).await,
            400
        )
        .await,
        "bad_request"
    );
    assert_eq!(
        code_of(
            hold(&h, 1, None, json!({"choices": [1], "ttl_ms": 10})).await,
            403
        )
        .await,
        "pass_missing"
    );
    assert_eq!(
        code_of(confirm(&h, 1, None, 1).await, 403).await,
        "pass_missing"
    );
    let bad_body = h
        .post("/api/confirm")
        .header("x-fairbook-person", "1")
        .header("x-fairbook-pass", &passes[0])
        .body("{\"slot\": \"one\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(bad_body, 400).await, "bad_request");
    let no_body = h
        .post("/api/cancel")
        .header("x-fairbook-person", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(no_body, 400).await, "bad_request");
    assert_eq!(code_of(cancel(&h, 1, 9).await, 400).await, "unknown_slot");
    assert_eq!(
        code_of(cancel(&h, 77, 1).await, 404).await,
        "unknown_person"
    );
    // Someone else's pass never holds.
    assert_eq!(
        code_of(
            hold(&h, 2, pass, json!({"choices": [1], "ttl_ms": 10})).await,
            403
        )
        .await,
        "pass_wrong_person"
    );
    // One hold per person: a second hold of another slot is refused.
    ok_json(refused(json!({"choices": [3], "ttl_ms": 60_000})).await).await;
    assert_eq!(
        code_of(
            refused(json!({"choices": [2], "ttl_ms": 60_000})).await,
            409
        )
        .await,
        "hold_limit"
    );
    // Holding the same slot again answers that hold.
    let again = ok_json(refused(json!({"choices": [3], "ttl_ms": 60_000})).await).await;
    assert_eq!(again["hold"]["slot"], 3);
    assert_eq!(taken(&h, 3).await, 1);
    h.stop().await;

    // A campaign without holds: 501 holds_off on all three.
    let h = Harness::start().await;
    let passes = admit(&h, &[1]).await;
    assert_eq!(
        code_of(
            hold(
                &h,
                1,
                Some(&passes[0]),
                json!({"choices": [1], "ttl_ms": 10})
            )
            .await,
            501
        )
        .await,
        "holds_off"
    );
    assert_eq!(
        code_of(confirm(&h, 1, Some(&passes[0]), 1).await, 501).await,
        "holds_off"
    );
    assert_eq!(code_of(cancel(&h, 1, 1).await, 501).await, "holds_off");
    h.stop().await;
}

/// A `POST` of `body` (none if `Null`) to `path` as `person`, with an optional pass and an
/// optional `Idempotency-Key`.
async fn keyed(
    h: &Harness,
    path: &str,
    person: u64,
    pass: Option<&str>,
    key: Option<&str>,
    body: Value,
) -> Response {
    let mut request = h.post(path).header("x-fairbook-person", person.to_string());
    if !body.is_null() {
        request = request.json(&body);
    }
    if let Some(pass) = pass {
        request = request.header("x-fairbook-pass", pass);
    }
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.unwrap()
}

/// The status and the exact body text.
async fn answer(response: Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reserve_retried_with_its_key_gets_the_first_answer() {
    let h = start().await;
    let passes = admit(&h, &[1, 2]).await;
    let pass = Some(passes[0].as_str());
    let key = Some("order-1f3a-7c2e");
    let first =
        answer(keyed(&h, "/api/reserve", 1, pass, key, json!({"choices": [0, 1]})).await).await;
    assert_eq!(first.0, 200, "{first:?}");
    let booking: Value = serde_json::from_str(&first.1).unwrap();
    assert_eq!(booking["booking"], json!({"seq": 0, "slot": 1, "rank": 1}));
    let retry =
        answer(keyed(&h, "/api/reserve", 1, pass, key, json!({"choices": [0, 1]})).await).await;
    assert_eq!(retry, first, "the same status and the same body");
    assert_eq!(taken(&h, 1).await, 1, "booked once");

    // The same key with other choices, or for another endpoint: 409 op_conflict, nothing done.
    let other = keyed(&h, "/api/reserve", 1, pass, key, json!({"choices": [3]})).await;
    assert_eq!(code_of(other, 409).await, "op_conflict");
    let hold_with_it = keyed(
        &h,
        "/api/hold",
        1,
        pass,
        key,
        json!({"choices": [3], "ttl_ms": 10}),
    )
    .await;
    assert_eq!(code_of(hold_with_it, 409).await, "op_conflict");
    assert_eq!(taken(&h, 3).await, 0);

    // The answer is remembered, not recomputed: after the booking is given back, the retry
    // still answers it and books nothing.
    ok_json(keyed(&h, "/api/release", 1, None, None, json!({"slot": 1})).await).await;
    assert_eq!(taken(&h, 1).await, 0);
    let late =
        answer(keyed(&h, "/api/reserve", 1, pass, key, json!({"choices": [0, 1]})).await).await;
    assert_eq!(late, first);
    assert_eq!(taken(&h, 1).await, 0);

    // Another person's request under the same key is refused: it never gets this answer.
    let stranger = keyed(
        &h,
        "/api/reserve",
        2,
        Some(&passes[1]),
        key,
        json!({"choices": [0, 1]}),
    )
    .await;
    assert_eq!(code_of(stranger, 409).await, "op_conflict");

    // A keyed release retried: the first answer, not nothing_to_release.
    ok_json(h.reserve(1, pass, &[2]).await).await;
    let release_key = Some("release-once");
    let released =
        answer(keyed(&h, "/api/release", 1, None, release_key, json!({"slot": 2})).await).await;
    assert_eq!(released.0, 200, "{released:?}");
    assert_eq!(
        answer(keyed(&h, "/api/release", 1, None, release_key, json!({"slot": 2})).await).await,
        released
    );
    assert_eq!(
        code_of(
            keyed(&h, "/api/release", 1, None, release_key, Value::Null).await,
            409
        )
        .await,
        "op_conflict"
    );
    let audit = h.audit().await;
    assert_eq!(audit["ok"], true, "{audit}");
    assert_eq!(audit["report"]["bookings"], 0, "{audit}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyed_holds_confirms_and_cancels_answer_their_first_answer() {
    let h = start().await;
    let passes = admit(&h, &[1]).await;
    let pass = Some(passes[0].as_str());
    let body = json!({"choices": [3], "ttl_ms": 60_000});
    let held = answer(keyed(&h, "/api/hold", 1, pass, Some("hold-a"), body.clone()).await).await;
    assert_eq!(held.0, 200, "{held:?}");
    tokio::time::sleep(Duration::from_millis(5)).await;
    // The same deadline, not a new one.
    assert_eq!(
        answer(keyed(&h, "/api/hold", 1, pass, Some("hold-a"), body.clone()).await).await,
        held
    );
    let cancelled = answer(
        keyed(
            &h,
            "/api/cancel",
            1,
            None,
            Some("cancel-a"),
            json!({"slot": 3}),
        )
        .await,
    )
    .await;
    assert_eq!(cancelled.0, 200, "{cancelled:?}");
    assert_eq!(
        answer(
            keyed(
                &h,
                "/api/cancel",
                1,
                None,
                Some("cancel-a"),
                json!({"slot": 3})
            )
            .await
        )
        .await,
        cancelled
    );
    assert_eq!(code_of(cancel(&h, 1, 3).await, 409).await, "not_held");
    assert_eq!(taken(&h, 3).await, 0);

    ok_json(keyed(&h, "/api/hold", 1, pass, Some("hold-b"), body).await).await;
    let confirmed = answer(
        keyed(
            &h,
            "/api/confirm",
            1,
            pass,
            Some("confirm-b"),
            json!({"slot": 3}),
        )
        .await,
    )
    .await;
    assert_eq!(confirmed.0, 200, "{confirmed:?}");
    assert_eq!(
        answer(
            keyed(
                &h,
                "/api/confirm",
                1,
                pass,
                Some("confirm-b"),
                json!({"slot": 3})
            )
            .await
        )
        .await,
        confirmed
    );
    assert_eq!(
        code_of(
            keyed(
                &h,
                "/api/confirm",
                1,
                pass,
                Some("confirm-b"),
                json!({"slot": 2})
            )
            .await,
            409
        )
        .await,
        "op_conflict"
    );
    assert_eq!(taken(&h, 3).await, 1);
    assert_eq!(h.status(1).await["status"]["slots"], json!([3]));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_retried_with_its_key_gets_the_same_place() {
    let h = start().await;
    assert_eq!(h.join(9).await.status(), 200);
    let first: Value =
        ok_json(keyed(&h, "/api/join", 4, None, Some("join-4"), Value::Null).await).await;
    assert_eq!(first["place"], json!({"seq": 1, "is_new": true}));
    let retry: Value =
        ok_json(keyed(&h, "/api/join", 4, None, Some("join-4"), Value::Null).await).await;
    assert_eq!(
        retry["place"], first["place"],
        "is_new included: the first try took the place"
    );
    // Without the key, the engine's own answer: the same place, not new.
    let plain: Value = ok_json(h.join(4).await).await;
    assert_eq!(plain["place"], json!({"seq": 1, "is_new": false}));
    // The key of person 4's join is not person 5's.
    let other = keyed(&h, "/api/join", 5, None, Some("join-4"), Value::Null).await;
    assert_eq!(code_of(other, 409).await, "op_conflict");
    assert_eq!(h.status(5).await["status"]["state"], "unknown");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_keys_are_refused_and_keys_need_remembered_operations() {
    let h = start().await;
    let join_with = |value: reqwest::header::HeaderValue| {
        h.post("/api/join")
            .header("x-fairbook-person", "1")
            .header("idempotency-key", value)
            .send()
    };
    let too_long = "k".repeat(201);
    for bad in ["", "has space", too_long.as_str(), "tab\there"] {
        let response = join_with(reqwest::header::HeaderValue::from_str(bad).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 400, "{bad:?}: {body}");
        assert_eq!(body["code"], "idempotency_key_invalid", "{bad:?}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key"),
            "{body}"
        );
    }
    let not_ascii = reqwest::header::HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap();
    assert_eq!(
        code_of(join_with(not_ascii).await.unwrap(), 400).await,
        "idempotency_key_invalid"
    );
    let twice = h
        .post("/api/join")
        .header("x-fairbook-person", "1")
        .header("idempotency-key", "a")
        .header("idempotency-key", "b")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(twice, 400).await, "idempotency_key_invalid");
    // Nothing was done by the refused requests.
    assert_eq!(h.status(1).await["status"]["state"], "unknown");
    // The longest key is accepted, with every visible character.
    let longest = format!("!~{}", "x".repeat(198));
    let response = join_with(reqwest::header::HeaderValue::from_str(&longest).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    h.stop().await;

    // A campaign that remembers nothing refuses a key rather than pretend.
    let h = Harness::start().await;
    let response = keyed(&h, "/api/join", 1, None, Some("join-1"), Value::Null).await;
    assert_eq!(code_of(response, 501).await, "ops_not_remembered");
    assert_eq!(h.status(1).await["status"]["state"], "unknown");
    assert_eq!(h.join(1).await.status(), 200, "without the key it works");
    h.stop().await;
}
