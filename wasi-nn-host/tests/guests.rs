//! Guests built with the crates.io `wasi-nn` crate (tests/guests) run unchanged on this host and
//! produce exactly Python OpenVINO's outputs (same runtime, INFERENCE_PRECISION_HINT=f32).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use openvino_fixtures::{Case, Run};
use wasi_nn_host::{Backend, BackendConfig, CommandConfig, run_command};
use wasmtime::{Engine, Module};

mod common;

fn f32_config() -> BackendConfig {
    BackendConfig {
        properties: vec![("INFERENCE_PRECISION_HINT".into(), "f32".into())],
        guest_loads: common::sandboxed(),
        ..BackendConfig::default()
    }
}

/// One engine and the compiled nn-run guest, shared by the tests of this file.
fn nn_run() -> &'static (Engine, Module) {
    static GUEST: OnceLock<(Engine, Module)> = OnceLock::new();
    GUEST.get_or_init(|| {
        let engine = Engine::default();
        let module = Module::from_file(&engine, openvino_fixtures::guest("nn-run")).unwrap();
        (engine, module)
    })
}

struct OutDir(PathBuf);

impl OutDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "wasi-nn-host-{tag}-{}-{:?}",
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

/// Runs nn-run for one run of a case; returns the exit code and the output files' bytes.
fn run_guest(
    backend: &Arc<Backend>,
    source: &[String],
    encoding: &str,
    run: &Run,
    out: &OutDir,
) -> (i32, Vec<Vec<u8>>) {
    let (engine, module) = nn_run();
    let mut args = vec!["nn-run".to_string(), "--encoding".into(), encoding.into()];
    args.extend(source.iter().cloned());
    for input in &run.inputs {
        let dims: Vec<String> = input.dims.iter().map(|d| d.to_string()).collect();
        args.push("--input".into());
        args.push(format!(
            "{}:{}:{}",
            input.element_type,
            dims.join(","),
            guest_path(&input.path)
        ));
    }
    for i in 0..run.outputs.len() {
        args.push("--output".into());
        args.push(format!("/out/{i}.bin"));
    }
    let config = CommandConfig {
        args,
        dirs: vec![
            (openvino_fixtures::dir(), "/fixtures".into()),
            (out.0.clone(), "/out".into()),
        ],
        inherit_stdio: true,
        ..CommandConfig::default()
    };
    let code = run_command(engine, module, Arc::clone(backend), &config).unwrap();
    let outputs = (0..run.outputs.len())
        .map(|i| std::fs::read(out.0.join(format!("{i}.bin"))).unwrap_or_default())
        .collect();
    (code, outputs)
}

fn model_args(case: &Case) -> Vec<String> {
    case.model
        .iter()
        .flat_map(|m| ["--model".to_string(), guest_path(m)])
        .collect()
}

fn assert_matches_python(case: &Case, run: &Run, code: i32, outputs: &[Vec<u8>]) {
    assert_eq!(code, 0, "{} {}: the guest failed", case.name, run.label);
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
fn guests_built_with_the_wasi_nn_crate_match_python_openvino() {
    let manifest = openvino_fixtures::load();
    let backend = Arc::new(Backend::new(f32_config()).unwrap());
    let out = OutDir::new("cases");
    let wasi_nn_types = ["f16", "f32", "f64", "u8", "i32", "i64"];
    let mut checked = 0;
    for case in &manifest.cases {
        if let Some(t) = case.name.strip_prefix("types_")
            && !wasi_nn_types.contains(&t)
        {
            continue; // wasi-nn's tensor types are f16, f32, f64, u8, i32, i64
        }
        for run in &case.runs {
            let (code, outputs) = run_guest(&backend, &model_args(case), &case.encoding, run, &out);
            assert_matches_python(case, run, code, &outputs);
            checked += 1;
        }
    }
    assert!(checked >= 17, "{checked} runs checked");
}

#[test]
fn autodetect_tells_ir_onnx_and_tflite_apart() {
    let manifest = openvino_fixtures::load();
    let backend = Arc::new(Backend::new(f32_config()).unwrap());
    let out = OutDir::new("autodetect");
    for name in ["add", "pp_ocr_cls_onnx", "face_detection"] {
        let case = manifest.case(name);
        let run = &case.runs[0];
        let (code, outputs) = run_guest(&backend, &model_args(case), "autodetect", run, &out);
        assert_matches_python(case, run, code, &outputs);
    }
}

#[test]
fn pytorch_encoding_is_unsupported_and_the_guest_sees_the_errno() {
    let manifest = openvino_fixtures::load();
    let backend = Arc::new(Backend::new(f32_config()).unwrap());
    let out = OutDir::new("pytorch");
    let case = manifest.case("add");
    let (code, _) = run_guest(&backend, &model_args(case), "pytorch", &case.runs[0], &out);
    assert_eq!(
        code,
        10 + 6,
        "nn-run exits with 10 + errno; unsupported_operation is 6"
    );
}

#[test]
fn load_by_name_serves_registered_graphs_and_refuses_unknown_names() {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("pp_ocr_cls_onnx");
    let backend = Arc::new(Backend::new(f32_config()).unwrap());
    backend
        .register("classifier", &case.model[0], None)
        .unwrap();
    let out = OutDir::new("by-name");
    for run in &case.runs {
        let (code, outputs) = run_guest(
            &backend,
            &["--name".into(), "classifier".into()],
            "onnx",
            run,
            &out,
        );
        assert_matches_python(case, run, code, &outputs);
    }
    let (code, _) = run_guest(
        &backend,
        &["--name".into(), "nope".into()],
        "onnx",
        &case.runs[0],
        &out,
    );
    assert_eq!(code, 10 + 8, "not_found is 8");
    assert_eq!(
        backend
            .register("missing", Path::new("/no/such/model.onnx"), None)
            .unwrap_err()
            .kind(),
        wasi_nn_host::backend::ErrorKind::NotFound
    );
}

#[test]
fn instances_on_several_threads_share_one_named_model() {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("pp_ocr_cls_ir");
    let backend = Arc::new(Backend::new(f32_config()).unwrap());
    backend
        .register("classifier", &case.model[0], None)
        .unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let backend = Arc::clone(&backend);
            let case = case.clone();
            std::thread::spawn(move || {
                let out = OutDir::new(&format!("thread{t}"));
                for _ in 0..3 {
                    for run in &case.runs {
                        let (code, outputs) = run_guest(
                            &backend,
                            &["--name".into(), "classifier".into()],
                            "openvino",
                            run,
                            &out,
                        );
                        assert_matches_python(&case, run, code, &outputs);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
