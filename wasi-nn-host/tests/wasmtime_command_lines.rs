//! Command lines from Wasmtime's wasi-nn examples work unchanged with `wasi-nn-host` in place of
//! `wasmtime run` (or of `wasmtime`): the guests in tests/guests do what Wasmtime's
//! `classification-example` and `classification-example-named` do, on this workspace's fixture
//! laid out as those examples lay out theirs (`fixture/model.xml`, `model.bin`, `tensor.bgr`),
//! and their results match Python OpenVINO's.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A working folder laid out as the Wasmtime examples expect: `fixture/` (model and tensor) and
/// `mobilenet/` (the model again, for the named example's preload folder).
struct ExampleDir(PathBuf);

impl ExampleDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("wasi-nn-host-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let fixtures = openvino_fixtures::dir();
        for folder in ["fixture", "mobilenet"] {
            std::fs::create_dir_all(dir.join(folder)).unwrap();
            std::fs::copy(
                fixtures.join("pp_ocr_cls.xml"),
                dir.join(folder).join("model.xml"),
            )
            .unwrap();
            std::fs::copy(
                fixtures.join("pp_ocr_cls.bin"),
                dir.join(folder).join("model.bin"),
            )
            .unwrap();
        }
        std::fs::copy(
            upside_down().inputs[0].path.clone(),
            dir.join("fixture/tensor.bgr"),
        )
        .unwrap();
        Self(dir)
    }
}

impl Drop for ExampleDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn upside_down() -> openvino_fixtures::Run {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("pp_ocr_cls_ir");
    case.runs
        .iter()
        .find(|r| r.label == "upside_down")
        .unwrap()
        .clone()
}

/// Runs `wasmtime`'s command line with `wasi-nn-host` in its place, in `dir`; returns stdout.
fn run(dir: &Path, command_line: &str) -> String {
    let mut words = command_line.split_whitespace();
    assert_eq!(words.next(), Some("wasi-nn-host"));
    let out = Command::new(env!("CARGO_BIN_EXE_wasi-nn-host"))
        .args(words.map(|w| {
            // The guests' file names stand for the paths where scripts/build-guests put them.
            match w.strip_suffix(".wasm") {
                Some(name) => openvino_fixtures::guest(name).display().to_string(),
                None => w.to_owned(),
            }
        }))
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{command_line}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The classes and probabilities of `Found results, sorted top N: [InferenceResult(1, 0.99),
/// ...]`.
fn results(stdout: &str) -> Vec<(usize, f32)> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Found results, sorted top 2: "))
        .unwrap_or_else(|| panic!("no results in\n{stdout}"));
    line.trim_matches(['[', ']'])
        .split("InferenceResult(")
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (class, p) = s
                .trim_end_matches([')', ',', ' '])
                .split_once(", ")
                .unwrap();
            (class.parse().unwrap(), p.parse().unwrap())
        })
        .collect()
}

/// Python OpenVINO's output for the same tensor, sorted as the guests sort it.
fn expected() -> Vec<(usize, f32)> {
    let mut probabilities: Vec<(usize, f32)> = upside_down().outputs[0]
        .f32s()
        .into_iter()
        .enumerate()
        .collect();
    probabilities.sort_by(|a, b| b.1.total_cmp(&a.1));
    probabilities
}

fn assert_matches_python(stdout: &str) {
    let got = results(stdout);
    let want = expected();
    assert_eq!(got.len(), want.len(), "{stdout}");
    for ((class, p), (want_class, want_p)) in got.iter().zip(&want) {
        assert_eq!(class, want_class, "{stdout}");
        // The command lines pass no INFERENCE_PRECISION_HINT, so the CPU plugin may pick its
        // own precision; the references were computed in f32.
        assert!(
            (p - want_p).abs() < 1e-3,
            "{p} vs Python's {want_p}\n{stdout}"
        );
    }
}

#[test]
fn classification_example_command_lines_work_unchanged() {
    let dir = ExampleDir::new("classification-example");
    for command_line in [
        // Wasmtime's crates/wasi-nn/examples/classification-example/README.md
        "wasi-nn-host run --wasi=nn --dir=fixture classification-example.wasm",
        "wasi-nn-host --wasi=nn --dir=fixture classification-example.wasm",
        "wasi-nn-host run --dir fixture::fixture -S nn classification-example.wasm",
    ] {
        assert_matches_python(&run(&dir.0, command_line));
    }
}

#[test]
fn named_graph_command_lines_work_unchanged() {
    let dir = ExampleDir::new("classification-example-named");
    for command_line in [
        // Wasmtime's crates/wasi-nn/examples/classification-example-named/README.md: the graph
        // is served under the preload folder's name.
        "wasi-nn-host run --dir=fixture --wasi=nn --wasi=nn-graph=openvino::mobilenet \
         classification-example-named.wasm mobilenet",
        "wasi-nn-host run --dir fixture::fixture -S nn,nn-graph=openvino::./fixture \
         classification-example-named.wasm",
        "wasi-nn-host --dir=fixture -S nn -S nn-graph=openvino::./fixture/ \
         classification-example-named.wasm fixture",
    ] {
        let stdout = run(&dir.0, command_line);
        assert!(stdout.starts_with("Loaded graph "), "{stdout}");
        assert_matches_python(&stdout);
    }
}
