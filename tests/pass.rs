//! Signed admission passes (feature `pass`): typed refusals, key rotation, passes minted from
//! what the engine says, and a million forged or mutated passes of which none is accepted.

use fairbook::pass::{
    KeyId, PassClaims, PassError, PassKey, PassKeyError, PassSigner, PassVerifier,
};
use fairbook::{CohortId, Config, Engine, PersonId, Seq, SlotSpec, Timestamp};
use fairbook_lab::rng::Rng;

fn key(id: u32, fill: u8) -> PassKey {
    PassKey::new(KeyId::new(id), &[fill; 32]).expect("32 bytes")
}

const NOW: Timestamp = Timestamp::from_millis(1_625_000_000_000);

#[test]
fn each_kind_of_bad_pass_gets_its_own_error() {
    let signer = PassSigner::new(key(1, 0xa1));
    let verifier = PassVerifier::new([key(1, 0xa1)]).unwrap();
    let (ana, ben) = (PersonId::new(42), PersonId::new(43));
    let lease_until = NOW.plus_millis(60_000);
    let pass = signer.sign(ana, Seq::new(7), lease_until);
    let text = pass.as_str();

    assert_eq!(
        verifier.verify(text, ana, NOW),
        Ok(PassClaims {
            person: ana,
            seq: Seq::new(7),
            lease_until,
            key_id: KeyId::new(1)
        })
    );
    // Someone else's.
    assert_eq!(verifier.verify(text, ben, NOW), Err(PassError::WrongPerson));
    // Expired: the lease is live strictly before its deadline, as in the engine.
    assert_eq!(
        verifier.verify(text, ana, lease_until),
        Err(PassError::Expired { lease_until })
    );
    assert!(
        verifier
            .verify(
                text,
                ana,
                Timestamp::from_millis(lease_until.as_millis() - 1)
            )
            .is_ok()
    );
    // Wrong key: same id, another secret.
    let impostor = PassSigner::new(key(1, 0xb2)).sign(ana, Seq::new(7), lease_until);
    assert_eq!(
        verifier.verify(impostor.as_str(), ana, NOW),
        Err(PassError::BadSignature)
    );
    // A key this verifier does not hold.
    let retired = PassSigner::new(key(5, 0xa1)).sign(ana, Seq::new(7), lease_until);
    assert_eq!(
        verifier.verify(retired.as_str(), ana, NOW),
        Err(PassError::UnknownKey {
            key_id: KeyId::new(5)
        })
    );
    // Tampered: the person field rewritten to Ben's (bytes 5..13 are hex characters 10..26).
    let mut tampered = text.to_owned();
    tampered.replace_range(10..26, &format!("{:016x}", ben.as_u64()));
    assert_eq!(
        verifier.verify(&tampered, ben, NOW),
        Err(PassError::BadSignature)
    );
    // Malformed: uppercase, short, long, empty, not hex.
    for bad in [
        text.to_uppercase(),
        text[..120].to_owned(),
        format!("{text}00"),
        String::new(),
        format!("{}zz", &text[..120]),
    ] {
        assert_eq!(
            verifier.verify(&bad, ana, NOW),
            Err(PassError::Malformed),
            "{bad:?}"
        );
    }
    // Every refusal has its own code.
    let codes = [
        PassError::Malformed,
        PassError::UnknownKey {
            key_id: KeyId::new(1),
        },
        PassError::BadSignature,
        PassError::Expired { lease_until },
        PassError::WrongPerson,
    ]
    .map(|error| error.code());
    assert_eq!(
        codes,
        [
            "pass_malformed",
            "pass_unknown_key",
            "pass_bad_signature",
            "pass_expired",
            "pass_wrong_person"
        ]
    );
}

#[test]
fn rotation_accepts_every_active_key_and_drops_retired_ones() {
    let (old, new) = (key(1, 0x11), key(2, 0x22));
    let person = PersonId::new(9);
    let lease_until = NOW.plus_millis(1_000);
    let old_pass = PassSigner::new(old.clone()).sign(person, Seq::new(0), lease_until);
    let new_pass = PassSigner::new(new.clone()).sign(person, Seq::new(0), lease_until);

    let during = PassVerifier::new([old.clone(), new.clone()]).unwrap();
    assert!(during.verify(old_pass.as_str(), person, NOW).is_ok());
    assert!(during.verify(new_pass.as_str(), person, NOW).is_ok());
    assert_eq!(
        during.key_ids().collect::<Vec<_>>(),
        [KeyId::new(1), KeyId::new(2)]
    );

    let after = PassVerifier::new([new.clone()]).unwrap();
    assert_eq!(
        after.verify(old_pass.as_str(), person, NOW),
        Err(PassError::UnknownKey {
            key_id: KeyId::new(1)
        })
    );
    assert!(after.verify(new_pass.as_str(), person, NOW).is_ok());

    assert_eq!(
        PassVerifier::new([old.clone(), key(1, 0x33)]).unwrap_err(),
        PassKeyError::DuplicateKeyId {
            key_id: KeyId::new(1)
        }
    );
    assert_eq!(
        PassVerifier::new(Vec::new()).unwrap_err(),
        PassKeyError::NoKeys
    );
    assert_eq!(
        PassKey::from_hex(KeyId::new(1), "zz").unwrap_err(),
        PassKeyError::SecretNotHex
    );
    assert_eq!(
        PassKey::from_hex(KeyId::new(1), &"0f".repeat(31)).unwrap_err(),
        PassKeyError::SecretTooShort { len: 31, min: 32 }
    );
}

/// A pass minted from the engine's own status is accepted for the admitted person, carries
/// the place the engine gave, and books through `reserve_with_ticket`; nobody waiting gets one.
#[test]
fn passes_minted_from_the_engine_book_with_their_ticket() {
    let engine = Engine::new(Config {
        lease_ms: 30_000,
        ..Config::default()
    })
    .unwrap();
    let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    let signer = PassSigner::new(key(3, 0x33));
    let verifier = PassVerifier::new([key(3, 0x33)]).unwrap();
    let cohort = CohortId::new(0);
    let (first, second) = (PersonId::new(100), PersonId::new(200));
    engine.enqueue(first, cohort, NOW).unwrap();
    engine.enqueue(second, cohort, NOW).unwrap();
    engine.advance(NOW, 1).unwrap();

    let waiting = engine.status(second, NOW).unwrap();
    assert!(signer.sign_status(second, &waiting).is_none());
    let admitted = engine.status(first, NOW).unwrap();
    let pass = signer.sign_status(first, &admitted).expect("admitted");
    let claims = verifier.verify(pass.as_str(), first, NOW).unwrap();
    assert_eq!(claims.seq, Seq::new(0));
    assert_eq!(claims.lease_until, NOW.plus_millis(30_000));
    let booking = engine
        .reserve_with_ticket(claims.person, claims.seq, &[slot], NOW)
        .unwrap();
    assert_eq!(booking.slot, slot);
    // Booked people keep a pass for the rest of their lease (to change a booking).
    let booked = engine.status(first, NOW).unwrap();
    assert!(signer.sign_status(first, &booked).is_some());
}

/// How many forged or mutated passes the next test feeds: a million in release builds (about
/// a second), fewer in debug builds where SHA-256 runs some 30 times slower.
/// `FAIRBOOK_PASS_FORGERIES` overrides it.
fn forgeries() -> u64 {
    std::env::var("FAIRBOOK_PASS_FORGERIES")
        .ok()
        .and_then(|text| text.replace('_', "").parse().ok())
        .unwrap_or(if cfg!(debug_assertions) {
            50_000
        } else {
            1_000_000
        })
}

/// One million forged or mutated passes, eight kinds of attack drawn at random from a seed,
/// and not one accepted; each kind is refused with the error that names it. The genuine passes
/// the forgeries start from are accepted, so the verifier is not simply refusing everything.
#[test]
fn a_million_forged_or_mutated_passes_are_all_refused() {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let signer = PassSigner::new(key(1, 0x5a));
    let verifier = PassVerifier::new([key(1, 0x5a), key(2, 0x6b)]).unwrap();
    let forger_same_id = PassSigner::new(key(1, 0x7c));
    let forger_new_id = PassSigner::new(key(3, 0x5a));
    let mut rng = Rng::new(2021);

    let genuine: Vec<(PersonId, String)> = (0..1_000)
        .map(|index| {
            let person = PersonId::new(rng.next_u64());
            let lease_until = NOW.plus_millis(1 + rng.below(600_000));
            let pass = signer.sign(person, Seq::new(index), lease_until);
            assert!(verifier.verify(pass.as_str(), person, NOW).is_ok());
            (person, pass.into_string())
        })
        .collect();

    let total = forgeries();
    let mut accepted = 0u64;
    let mut refused_as = [0u64; 5];
    for round in 0..total {
        let (person, text) = &genuine[rng.below(genuine.len() as u64) as usize];
        let mut bytes = text.clone().into_bytes();
        let kind = round % 8;
        let (presented_for, expect): (PersonId, Option<PassError>) = match kind {
            // One character changed to another hexadecimal digit: body or tag.
            0 => {
                let at = rng.below(bytes.len() as u64) as usize;
                let old = bytes[at];
                let mut new = old;
                while new == old {
                    new = HEX[rng.below(16) as usize];
                }
                bytes[at] = new;
                (*person, None)
            }
            // A random run of bytes flipped: several characters at once, anything goes.
            1 => {
                let at = rng.below(bytes.len() as u64) as usize;
                let len = 1 + rng.below(8) as usize;
                for byte in bytes.iter_mut().skip(at).take(len) {
                    *byte = HEX[rng.below(16) as usize];
                }
                if bytes == text.as_bytes() {
                    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
                }
                (*person, None)
            }
            // Not hexadecimal, or the wrong length.
            2 => {
                match rng.below(3) {
                    0 => {
                        let at = rng.below(bytes.len() as u64) as usize;
                        bytes[at] = b'G' + rng.below(20) as u8;
                    }
                    1 => bytes.truncate(rng.below(bytes.len() as u64) as usize),
                    _ => bytes.extend((0..1 + rng.below(8)).map(|_| HEX[rng.below(16) as usize])),
                }
                (*person, Some(PassError::Malformed))
            }
            // Signed with another secret under an accepted key id.
            3 => {
                let forged = forger_same_id.sign(
                    *person,
                    Seq::new(rng.below(1_000)),
                    NOW.plus_millis(60_000),
                );
                bytes = forged.into_string().into_bytes();
                (*person, Some(PassError::BadSignature))
            }
            // Signed with a key id nobody accepts.
            4 => {
                let forged = forger_new_id.sign(*person, Seq::new(0), NOW.plus_millis(60_000));
                bytes = forged.into_string().into_bytes();
                (
                    *person,
                    Some(PassError::UnknownKey {
                        key_id: KeyId::new(3),
                    }),
                )
            }
            // Another genuine pass's tag spliced onto this body.
            5 => {
                let (_, other) = &genuine[rng.below(genuine.len() as u64) as usize];
                if other == text {
                    bytes[121] = if bytes[121] == b'0' { b'1' } else { b'0' };
                } else {
                    bytes[58..].copy_from_slice(&other.as_bytes()[58..]);
                }
                (*person, Some(PassError::BadSignature))
            }
            // A genuine pass, presented by someone else.
            6 => {
                let mut stranger = PersonId::new(rng.next_u64());
                if stranger == *person {
                    stranger = PersonId::new(person.as_u64() ^ 1);
                }
                (stranger, Some(PassError::WrongPerson))
            }
            // Random text of the right shape.
            _ => {
                for byte in bytes.iter_mut() {
                    *byte = HEX[rng.below(16) as usize];
                }
                (*person, None)
            }
        };
        let presented = String::from_utf8(bytes).expect("ASCII");
        match verifier.verify(&presented, presented_for, NOW) {
            Ok(_) => accepted += 1,
            Err(error) => {
                if let Some(expected) = expect {
                    assert_eq!(error, expected, "attack kind {kind}: {presented}");
                }
                refused_as[match error {
                    PassError::Malformed => 0,
                    PassError::UnknownKey { .. } => 1,
                    PassError::BadSignature => 2,
                    PassError::Expired { .. } => 3,
                    _ => 4,
                }] += 1;
            }
        }
    }
    assert_eq!(accepted, 0, "refused as {refused_as:?}");
    assert_eq!(refused_as.iter().sum::<u64>(), total);
    // Every kind of refusal but expiry turned up (no forgery here is expired: the forgers
    // sign live deadlines and mutated deadlines fail the tag first).
    assert!(
        refused_as[0] > 0 && refused_as[1] > 0 && refused_as[2] > 0 && refused_as[4] > 0,
        "{refused_as:?}"
    );
}
