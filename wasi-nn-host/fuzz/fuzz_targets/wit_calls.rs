//! Feeds libFuzzer's bytes to the WIT call generator (through the proxy component); any host
//! panic, code outside the WIT, error without a message or wrong valid result is a finding.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use wasi_nn_host::Backend;

// The generators the randomized test uses, shared as files.
#[path = "../../tests/fuzzing/mod.rs"]
mod fuzzing;
use fuzzing::Harness;
use fuzzing::wit::WitHarness;

fn backend() -> &'static Arc<Backend> {
    static BACKEND: OnceLock<Arc<Backend>> = OnceLock::new();
    BACKEND.get_or_init(|| Harness::backend().expect("OpenVINO is installed"))
}

fuzz_target!(|data: &[u8]| {
    let mut harness = WitHarness::new(Arc::clone(backend()));
    harness.run_bytes(data);
});
