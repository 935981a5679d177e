//! wasm32-wasip2 components built with wit-bindgen from our WIT (tests/guests-p2) run on this
//! host's `wasi:nn@0.2.0-rc-2024-10-28` and produce exactly Python OpenVINO's outputs (same
//! runtime, INFERENCE_PRECISION_HINT=f32), under the model's output names; guest models go
//! through the sandboxed model worker, as in the CLI.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openvino_fixtures::{Case, Run};
use wasi_nn_host::{Backend, BackendConfig};

mod common;
use common::component::{self, Ran};

fn backend() -> Arc<Backend> {
    Arc::new(
        Backend::new(BackendConfig {
            properties: vec![("INFERENCE_PRECISION_HINT".into(), "f32".into())],
            guest_loads: common::sandboxed(),
            ..BackendConfig::default()
        })
        .unwrap(),
    )
}

/// The WIT's tensor types, by OpenVINO's names.
const WIT_TYPES: [&str; 7] = ["f16", "f32", "f64", "bf16", "u8", "i32", "i64"];

struct OutDir(PathBuf);

impl OutDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "wasi-nn-host-p2-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn guest_path(path: &Path) -> String {
    let rel = path.strip_prefix(openvino_fixtures::dir()).unwrap();
    format!("/fixtures/{}", rel.display())
}

fn model_args(case: &Case) -> Vec<String> {
    case.model
        .iter()
        .flat_map(|m| ["--model".to_string(), guest_path(m)])
        .collect()
}

/// Runs the nn-run component for one run of a case; returns what it did and its output files.
fn nn_run(
    backend: &Arc<Backend>,
    source: &[String],
    encoding: &str,
    run: &Run,
    out: &OutDir,
) -> (Ran, Vec<Vec<u8>>) {
    let mut args = vec!["nn-run".to_string(), "--encoding".into(), encoding.into()];
    args.extend(source.iter().cloned());
    for input in &run.inputs {
        let dims: Vec<String> = input.dims.iter().map(|d| d.to_string()).collect();
        args.push("--input".into());
        args.push(format!(
            "{}:{}:{}:{}",
            input.name,
            input.element_type,
            dims.join(","),
            guest_path(&input.path)
        ));
    }
    for i in 0..run.outputs.len() {
        args.push("--output".into());
        args.push(format!("/out/{i}.bin"));
    }
    let ran = component::run(
        backend,
        "nn-run",
        &args,
        &[
            (openvino_fixtures::dir(), "/fixtures"),
            (out.0.clone(), "/out"),
        ],
    );
    let outputs = (0..run.outputs.len())
        .map(|i| std::fs::read(out.0.join(format!("{i}.bin"))).unwrap_or_default())
        .collect();
    (ran, outputs)
}

/// The outputs equal Python OpenVINO's, bit for bit, and come back under the model's names,
/// types and shapes.
fn assert_matches_python(case: &Case, run: &Run, ran: &Ran, outputs: &[Vec<u8>]) {
    assert_eq!(ran.code, 0, "{} {}: {}", case.name, run.label, ran.stderr);
    let described: Vec<String> = run
        .outputs
        .iter()
        .map(|o| {
            let dims: Vec<String> = o.dims.iter().map(|d| d.to_string()).collect();
            format!("output {} {} {}", o.name, o.element_type, dims.join(","))
        })
        .collect();
    let printed: Vec<&str> = ran
        .stdout
        .lines()
        .filter(|l| l.starts_with("output "))
        .collect();
    assert_eq!(printed, described, "{} {}", case.name, run.label);
    for (got, expected) in outputs.iter().zip(&run.outputs) {
        assert_eq!(
            got,
            &expected.bytes(),
            "{} run {} output {} differs from Python OpenVINO",
            case.name,
            run.label,
            expected.name
        );
    }
}

#[test]
fn components_built_with_wit_bindgen_match_python_openvino() {
    let manifest = openvino_fixtures::load();
    let backend = backend();
    let out = OutDir::new("cases");
    let mut checked = Vec::new();
    for case in &manifest.cases {
        if let Some(t) = case.name.strip_prefix("types_")
            && !WIT_TYPES.contains(&t)
        {
            continue; // not a WIT tensor type (see the next test)
        }
        for run in &case.runs {
            let (ran, outputs) = nn_run(&backend, &model_args(case), &case.encoding, run, &out);
            assert_matches_python(case, run, &ran, &outputs);
            checked.push(format!("{}/{}", case.name, run.label));
        }
    }
    // Every WIT tensor type, the classifier as IR and ONNX, multi-input/output, the TFLite face
    // detector, a dynamic shape.
    for must in [
        "types_bf16/0",
        "types_f16/0",
        "types_i64/0",
        "pp_ocr_cls_ir/upright",
        "pp_ocr_cls_onnx/upside_down",
        "multi_io/0",
        "face_detection/0",
        "dynamic/batch3",
    ] {
        assert!(
            checked.iter().any(|c| c == must),
            "{must} not in {checked:?}"
        );
    }
    assert!(checked.len() >= 19, "{} runs checked", checked.len());
}

#[test]
fn a_tensor_of_a_type_the_input_does_not_take_is_refused_by_name() {
    // An i8 model: the component cannot even name i8 inputs, so it sends u8 bytes; the host
    // refuses the type by the input's name, with the type it expects.
    let manifest = openvino_fixtures::load();
    let case = manifest.case("types_i8");
    let backend = backend();
    let out = OutDir::new("i8");
    let mut run = case.runs[0].clone();
    run.inputs[0].element_type = "u8".into();
    let (ran, _) = nn_run(&backend, &model_args(case), "openvino", &run, &out);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "error: compute: invalid-argument: input \"x\": input \"x\" takes i8, not u8"
        ),
        "{}",
        ran.stderr
    );
}

#[test]
fn autodetect_tells_ir_onnx_and_tflite_apart() {
    let manifest = openvino_fixtures::load();
    let backend = backend();
    let out = OutDir::new("autodetect");
    for name in ["add", "pp_ocr_cls_onnx", "face_detection"] {
        let case = manifest.case(name);
        let run = &case.runs[0];
        let (ran, outputs) = nn_run(&backend, &model_args(case), "autodetect", run, &out);
        assert_matches_python(case, run, &ran, &outputs);
    }
}

#[test]
fn pytorch_and_ggml_are_unsupported_with_a_message() {
    let manifest = openvino_fixtures::load();
    let backend = backend();
    let out = OutDir::new("unsupported");
    let case = manifest.case("add");
    for (encoding, says) in [
        ("pytorch", "OpenVINO cannot read TorchScript"),
        ("ggml", "OpenVINO cannot read GGML"),
    ] {
        let (ran, _) = nn_run(&backend, &model_args(case), encoding, &case.runs[0], &out);
        assert_eq!(ran.code, 1, "{}", ran.stderr);
        assert!(
            ran.stderr
                .contains(&format!("error: load: unsupported-operation: {says}")),
            "{}",
            ran.stderr
        );
    }
}

#[test]
fn load_by_name_serves_registered_graphs_and_refuses_unknown_names() {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("pp_ocr_cls_onnx");
    let backend = backend();
    backend
        .register("classifier", &case.model[0], None)
        .unwrap();
    let out = OutDir::new("by-name");
    for run in &case.runs {
        let (ran, outputs) = nn_run(
            &backend,
            &["--name".into(), "classifier".into()],
            "onnx",
            run,
            &out,
        );
        assert_matches_python(case, run, &ran, &outputs);
    }
    let (ran, _) = nn_run(
        &backend,
        &["--name".into(), "nope".into()],
        "onnx",
        &case.runs[0],
        &out,
    );
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("error: load: not-found: no graph named \"nope\" is registered"),
        "{}",
        ran.stderr
    );
}

#[test]
fn classify_text_component_reads_the_images_like_the_wasip1_module() {
    let fixtures = openvino_fixtures::dir();
    let backend = backend();
    let args: Vec<String> = [
        "classify-text",
        "--model",
        "/fixtures/pp_ocr_cls.onnx",
        "/fixtures/text_upright.png",
        "/fixtures/text_upside_down.png",
    ]
    .map(String::from)
    .to_vec();
    let ran = component::run(&backend, "classify-text", &args, &[(fixtures, "/fixtures")]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", ran.stdout);
    assert!(
        lines[0].starts_with("text_upright.png: upright (0 degrees), probability 0.9"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("text_upside_down.png: upside down (180 degrees), probability 0.9"),
        "{}",
        lines[1]
    );
}

#[test]
fn run_component_runs_a_command_and_passes_its_exit_code() {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("add");
    let backend = backend();
    backend.register("add", &case.model[0], None).unwrap();
    let engine = component::engine();
    let nn_run = component::component("nn-run");
    let mut args: Vec<String> = ["nn-run", "--name", "add"].map(String::from).to_vec();
    for input in &case.runs[0].inputs {
        args.push("--input".into());
        args.push(format!(
            "{}:f32:1,4:{}",
            input.name,
            guest_path(&input.path)
        ));
    }
    let config = wasi_nn_host::CommandConfig {
        args: args.clone(),
        dirs: vec![(openvino_fixtures::dir(), "/fixtures".into())],
        ..Default::default()
    };
    let code = wasi_nn_host::run_component(engine, &nn_run, Arc::clone(&backend), &config);
    assert_eq!(code.unwrap(), 0, "a run that works exits with 0");
    args[2] = "missing".into();
    let config = wasi_nn_host::CommandConfig { args, ..config };
    let code = wasi_nn_host::run_component(engine, &nn_run, backend, &config).unwrap();
    assert_eq!(code, 1, "nn-run fails: no such graph");
}

#[test]
fn components_and_modules_are_told_apart_by_their_header() {
    for name in ["nn-run", "classify-text", "nn-bench", "nn_proxy"] {
        let bytes = std::fs::read(openvino_fixtures::component(name)).unwrap();
        assert!(wasi_nn_host::is_component(&bytes), "{name}");
    }
    for name in ["nn-run", "classify-text", "nn-bench"] {
        let bytes = std::fs::read(openvino_fixtures::guest(name)).unwrap();
        assert!(!wasi_nn_host::is_component(&bytes), "{name}");
    }
    assert!(!wasi_nn_host::is_component(b""));
    assert!(!wasi_nn_host::is_component(b"\0asm"));
}
