//! Helpers shared by the integration tests: models built in memory and the stress-test size.

#![allow(dead_code)] // each test binary uses its own subset

use openvino::doc_support::ADD_MODEL_XML;
use openvino::{CompiledModel, Core, DeviceType, InferRequest, PropertyKey};

pub fn core() -> Core {
    Core::new().expect("OpenVINO is installed (scripts/install-openvino)")
}

/// `sum = a + b` over `f32[1,4]`, compiled for the CPU in f32.
pub fn add_compiled(core: &Core) -> CompiledModel {
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    core.compile_model(
        &model,
        &DeviceType::CPU,
        &[(PropertyKey::InferencePrecisionHint, "f32")],
    )
    .unwrap()
}

/// Fills the add model's inputs: every element of `a` with `a`, of `b` with `b`.
pub fn fill_add_inputs(request: &mut InferRequest<'_>, a: f32, b: f32) {
    for (name, value) in [("a", a), ("b", b)] {
        request
            .tensor_mut(name)
            .unwrap()
            .data_mut::<f32>()
            .unwrap()
            .fill(value);
    }
}

/// `out = a · b · b · ... · b` (`depth` matrix products of `f32[n,n]` inputs `a` and `b`): an
/// inference long enough to still be running while a test pokes at its request.
pub fn slow_model_xml(n: usize, depth: usize) -> String {
    let dims = format!("<dim>{n}</dim><dim>{n}</dim>");
    let mut layers = String::new();
    let mut edges = String::new();
    for (id, name) in [(0, "a"), (1, "b")] {
        layers += &format!(
            r#"<layer id="{id}" name="{name}" type="Parameter" version="opset1"><data shape="{n},{n}" element_type="f32"/><output><port id="0" precision="FP32" names="{name}">{dims}</port></output></layer>"#
        );
    }
    let mut previous = (0, 0);
    for i in 0..depth {
        let id = 2 + i;
        let names = if i + 1 == depth {
            r#" names="out""#
        } else {
            ""
        };
        layers += &format!(
            r#"<layer id="{id}" name="mm{i}" type="MatMul" version="opset1"><data transpose_a="false" transpose_b="false"/><input><port id="0" precision="FP32">{dims}</port><port id="1" precision="FP32">{dims}</port></input><output><port id="2" precision="FP32"{names}>{dims}</port></output></layer>"#
        );
        edges += &format!(
            r#"<edge from-layer="{}" from-port="{}" to-layer="{id}" to-port="0"/><edge from-layer="1" from-port="0" to-layer="{id}" to-port="1"/>"#,
            previous.0, previous.1
        );
        previous = (id, 2);
    }
    let sink = 2 + depth;
    layers += &format!(
        r#"<layer id="{sink}" name="out/sink" type="Result" version="opset1"><input><port id="0" precision="FP32">{dims}</port></input></layer>"#
    );
    edges += &format!(
        r#"<edge from-layer="{}" from-port="2" to-layer="{sink}" to-port="0"/>"#,
        previous.0
    );
    format!(
        r#"<?xml version="1.0"?><net name="slow" version="11"><layers>{layers}</layers><edges>{edges}</edges></net>"#
    )
}

/// The slow model, compiled for the CPU in f32 on one stream (so each request runs alone).
pub fn slow_compiled(core: &Core, n: usize, depth: usize) -> CompiledModel {
    let model = core
        .read_model_from_buffer(slow_model_xml(n, depth).as_bytes(), None)
        .unwrap();
    core.compile_model(
        &model,
        &DeviceType::CPU,
        &[(PropertyKey::InferencePrecisionHint, "f32")],
    )
    .unwrap()
}

/// The size of the slow model, `(n, depth)`: `OPENVINO_TEST_SLOW_MODEL=n,depth`, or one that runs
/// tens of milliseconds natively (scripts/leak-check picks a smaller one, as valgrind slows
/// OpenVINO and the calls poking at it alike).
pub fn slow_size() -> (usize, usize) {
    std::env::var("OPENVINO_TEST_SLOW_MODEL")
        .ok()
        .and_then(|v| {
            let (n, depth) = v.split_once(',')?;
            Some((n.trim().parse().ok()?, depth.trim().parse().ok()?))
        })
        .unwrap_or((512, 8))
}

/// How many iterations each thread of a stress test runs: `OPENVINO_STRESS_ITERATIONS`, or a
/// quick default that keeps `cargo test` (and the leak check under valgrind) short. The full
/// form runs thousands: `OPENVINO_STRESS_ITERATIONS=5000 cargo test --release -p openvino --test
/// threads`.
pub fn iterations(quick: usize) -> usize {
    std::env::var("OPENVINO_STRESS_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(quick)
}
