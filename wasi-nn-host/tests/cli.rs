//! The `wasi-nn-host` command line: runs guests, passes exit codes through, and reports bad
//! input in one readable line with a non-zero exit code.

use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasi-nn-host"))
        .args(args)
        .output()
        .expect("the CLI starts")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_prints_usage() {
    let out = cli(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: wasi-nn-host"));
}

#[test]
fn missing_module_is_one_line_and_exit_code_1() {
    let out = cli(&["/no/such/module.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("/no/such/module.wasm does not exist"), "{err}");
}

#[test]
fn a_file_that_is_not_wasm_is_refused() {
    let out = cli(&[concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("is not a valid Wasm module"), "{err}");
}

#[test]
fn unknown_options_and_bad_values_exit_2() {
    assert_eq!(cli(&["--frobnicate", "x.wasm"]).status.code(), Some(2));
    assert_eq!(cli(&["--env", "NOEQUALS", "x.wasm"]).status.code(), Some(2));
    assert_eq!(cli(&[]).status.code(), Some(2));
}

#[test]
fn missing_graph_file_is_reported() {
    let guest = openvino_fixtures::guest("nn-run");
    let out = cli(&["--graph", "m=/no/such/model.onnx", guest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--graph m: model file /no/such/model.onnx does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn classify_text_through_a_preloaded_graph() {
    let dir = openvino_fixtures::dir();
    let guest = openvino_fixtures::guest("classify-text");
    let cache = std::env::temp_dir().join(format!("wasi-nn-host-cli-cache-{}", std::process::id()));
    let out = cli(&[
        "--graph",
        &format!("cls={}", dir.join("pp_ocr_cls.onnx").display()),
        "--property",
        "INFERENCE_PRECISION_HINT=f32",
        "--cache-dir",
        cache.to_str().unwrap(),
        "--dir",
        &format!("{}::/data", dir.display()),
        guest.to_str().unwrap(),
        "--name",
        "cls",
        "/data/text_upright.png",
        "/data/text_upside_down.png",
    ]);
    let cached = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&cache);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("text_upright.png: upright (0 degrees), probability 0.99"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("text_upside_down.png: upside down (180 degrees), probability 0.99"),
        "{stdout}"
    );
    assert!(cached > 0, "--cache-dir filled OpenVINO's model cache");
}

#[test]
fn the_guest_exit_code_is_passed_through() {
    // nn-run exits with 10 + errno; an unknown name is not_found (8).
    let guest = openvino_fixtures::guest("nn-run");
    let out = cli(&[guest.to_str().unwrap(), "--name", "missing"]);
    assert_eq!(out.status.code(), Some(18), "{}", stderr(&out));
}
