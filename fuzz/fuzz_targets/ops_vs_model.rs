//! Fuzz target: the engine against the reference model, in the same vocabulary as the
//! property test (`fairbook_testing`). The input picks a universe, then one op at a time until
//! it runs out; after every op the answers must be equal, the engine's audit clean, the model's
//! invariants whole and the two states equal. Any difference panics with the step and the op.

#![no_main]

use fairbook_testing::arbitrary::{Arbitrary, Unstructured};
use fairbook_testing::{Harness, Op, Universe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let Ok(universe) = Universe::arbitrary(&mut input) else {
        return;
    };
    // One input in four also keeps the engine's records and checks after every op that they
    // rebuild it exactly (slower: a replay per op).
    let mut harness = if input.ratio(1, 4).unwrap_or(false) {
        Harness::recorded(&universe)
    } else {
        Harness::new(&universe)
    };
    let mut step = 0;
    while let Ok(op) = Op::arbitrary(&mut input) {
        if let Err(mismatch) = harness.apply(&op) {
            panic!("step {step} ({op:?}): {mismatch}\nuniverse: {universe:?}");
        }
        step += 1;
        if input.is_empty() {
            break;
        }
    }
});
