//! Randomized hostile calls (the quick form of the cargo-fuzz target): random handles, pointers,
//! lengths, dimensions and enum tags, interleaved with valid inferences that must stay correct.
//! `FUZZ_CALLS` sets the number of calls (default 100,000).

use std::collections::BTreeMap;

use arbitrary::{Arbitrary, Unstructured};
mod fuzzing;
use fuzzing::common::Rng;
use fuzzing::wit::{WitCall, WitHarness, WitOutcome};
use fuzzing::{Call, Harness, Outcome};

/// `FUZZ_CALLS`, default 100,000.
fn total_calls() -> u64 {
    std::env::var("FUZZ_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

#[test]
fn random_calls_never_crash_the_host_and_valid_calls_stay_correct() {
    let total = total_calls();
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

#[test]
fn random_wit_calls_never_crash_the_host_and_valid_calls_stay_correct() {
    let total = total_calls();
    let backend = Harness::backend().unwrap();
    let mut harness = WitHarness::new(std::sync::Arc::clone(&backend));
    let mut rng = Rng(0x0b5e_55ed_2026_5eed);
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut bytes = vec![0u8; 96];
    let started = std::time::Instant::now();
    while harness.calls < total {
        rng.fill(&mut bytes);
        let mut u = Unstructured::new(&bytes);
        let Ok(call) = WitCall::arbitrary(&mut u) else {
            continue;
        };
        let key = match (&call, harness.call(&call)) {
            (WitCall::Valid, _) => "valid".to_owned(),
            (_, WitOutcome::Ok) => "ok".to_owned(),
            (_, WitOutcome::Failed(code)) => code,
            (_, WitOutcome::Trap) => "trap".to_owned(),
        };
        *outcomes.entry(key).or_default() += 1;
        if harness.calls.is_multiple_of(64) {
            harness.check_valid();
        }
    }
    harness.check_valid();
    eprintln!(
        "{} WIT calls in {:.1?} ({} instances replaced after a trap): {outcomes:?}",
        harness.calls,
        started.elapsed(),
        harness.traps
    );
    for key in ["ok", "invalid-argument", "too-large", "proxy"] {
        assert!(
            outcomes.get(key).copied().unwrap_or(0) > 0,
            "no {key} in {outcomes:?}"
        );
    }
    drop(harness);
    assert_eq!(backend.charged_bytes(), 0, "every charge was given back");
}
