//! Randomized hostile calls (the quick form of the cargo-fuzz target): random handles, pointers,
//! lengths, dimensions and enum tags, interleaved with valid inferences that must stay correct.
//! `FUZZ_CALLS` sets the number of calls (default 100,000).

use std::collections::BTreeMap;

use arbitrary::{Arbitrary, Unstructured};
mod fuzzing;
use fuzzing::common::Rng;
use fuzzing::{Call, Harness, Outcome};

#[test]
fn random_calls_never_crash_the_host_and_valid_calls_stay_correct() {
    let total: u64 = std::env::var("FUZZ_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let engine = wasmtime::Engine::default();
    let backend = Harness::backend().unwrap();
    let mut harness = Harness::new(&engine, backend).unwrap();
    let mut rng = Rng(0x5eed_2026_0b5e_55ed);
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut bytes = vec![0u8; 64];
    while harness.calls < total {
        rng.fill(&mut bytes);
        let mut u = Unstructured::new(&bytes);
        let Ok(call) = Call::arbitrary(&mut u) else {
            continue;
        };
        let outcome = harness.call(&call);
        let key = match (&call, outcome) {
            (Call::Scribble(..) | Call::Valid, _) => "memory/valid".to_owned(),
            (_, Outcome::Errno(e)) => format!("errno {e}"),
            (_, Outcome::Trap) => "trap".to_owned(),
        };
        *outcomes.entry(key).or_default() += 1;
        if harness.calls.is_multiple_of(64) {
            harness.check_valid();
        }
    }
    harness.check_valid();
    eprintln!("{} calls: {outcomes:?}", harness.calls);
    // The generator reaches every kind of answer: success, bad arguments, limits, and traps.
    for key in ["errno 0", "errno 1", "trap"] {
        assert!(
            outcomes.get(key).copied().unwrap_or(0) > 0,
            "no {key} in {outcomes:?}"
        );
    }
}
