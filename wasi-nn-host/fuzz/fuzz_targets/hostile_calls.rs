//! Feeds libFuzzer's bytes to the hostile-call generator; any host panic or wrong valid result
//! is a finding.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use wasi_nn_host::Backend;

// The generator the randomized test uses, shared as a file.
#[path = "../../tests/fuzzing/mod.rs"]
mod fuzzing;
use fuzzing::Harness;

fn shared() -> &'static (wasmtime::Engine, Arc<Backend>) {
    static SHARED: OnceLock<(wasmtime::Engine, Arc<Backend>)> = OnceLock::new();
    SHARED.get_or_init(|| {
        (
            wasmtime::Engine::default(),
            Harness::backend().expect("OpenVINO is installed"),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (engine, backend) = shared();
    let mut harness =
        Harness::new(engine, Arc::clone(backend)).expect("the proxy guest instantiates");
    harness.run_bytes(data);
});
