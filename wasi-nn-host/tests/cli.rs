//! The `wasi-nn-host` command line: runs guests, exits as `wasmtime run` exits (the program's
//! code, 134 after a trap or timeout, 1 for host failures, 2 for bad flags), parses `wasmtime
//! run`'s flags, caches compiled modules, and reports bad input in one readable line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasi-nn-host"))
}

fn cli(args: &[&str]) -> Output {
    bin().args(args).output().expect("the CLI starts")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder of its own for each test, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("wasi-nn-host-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// Writes a WAT module (the CLI reads text modules as Wasmtime does) and returns its path.
    fn module(&self, name: &str, wat: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, wat).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `_start` calls `proc_exit(code)`.
fn exit_with(code: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const {code}))))"#
    )
}

/// `_start` exits with what `environ_sizes_get` (or `args_sizes_get`, with `args`) reports: the
/// number of strings (`Count`) or their byte size (`Bytes`, `NAME=VALUE\0` or `ARG\0` each).
fn exit_with_size_of(what: &str, field: Field) -> String {
    let offset = field as u32;
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "{what}_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (call $exit (i32.load (i32.const {offset})))))"#
    )
}

#[derive(Clone, Copy)]
enum Field {
    Count = 0,
    Bytes = 4,
}

const LOOP_FOREVER: &str = r#"(module (func (export "_start") (loop $l (br $l))))"#;

#[test]
fn help_prints_usage() {
    let out = cli(&["--help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("Usage: wasi-nn-host [OPTIONS] <WASM>..."));
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
fn a_component_that_is_not_valid_is_refused_in_one_line() {
    let dir = TempDir::new("component");
    // A component header (magic, version 0x0d, layer 1) and nothing else it needs.
    let path = dir.0.join("c.wasm");
    std::fs::write(&path, b"\0asm\x0d\0\x01\0\xff").unwrap();
    let out = cli(&[path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a valid Wasm component"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_wasip2_component_classifies_the_same_images_as_the_module() {
    let dir = openvino_fixtures::dir();
    let out = cli(&[
        "--dir",
        &format!("{}::/fixtures", dir.display()),
        openvino_fixtures::component("classify-text")
            .to_str()
            .unwrap(),
        "--model",
        "/fixtures/pp_ocr_cls.onnx",
        "/fixtures/text_upright.png",
        "/fixtures/text_upside_down.png",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = stdout(&out);
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
}

#[test]
fn a_component_that_fails_exits_1_and_a_looping_one_is_interrupted() {
    let dir = TempDir::new("component-exit");
    // `run` returning err: exit code 1, as `wasmtime run` gives it.
    let out = cli(&[
        openvino_fixtures::component("classify-text")
            .to_str()
            .unwrap(),
        "--model",
        "/no/such/model.onnx",
        "x.png",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // A component whose run loops forever: -W timeout traps it, exit 134.
    let wat = r#"(component
  (core module $m (func (export "run") (result i32) (loop $l (br $l)) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))"#;
    let path = dir.module("loop.wat", wat);
    let started = Instant::now();
    let out = cli(&["-W", "timeout=300ms", &path]);
    assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn unknown_options_and_bad_values_exit_2() {
    for args in [
        &["--frobnicate", "x.wasm"][..],
        &["-W", "timeout=soon", "x.wasm"],
        &["-W", "frobnicate=1", "x.wasm"],
        &["-S", "http", "x.wasm"],
        &["-S", "nn-graph=openvino:fixture", "x.wasm"],
        &["-C", "cache=maybe", "x.wasm"],
        &["--dir", "a::b::c", "x.wasm"],
        &["--graph", "noequals", "x.wasm"],
        &["--max-graphs", "many", "x.wasm"],
        &[],
    ] {
        let out = cli(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let err = stderr(&cli(&["-S", "http", "x.wasm"]));
    assert!(err.contains("unknown -S / --wasi option: http"), "{err}");
}

#[test]
fn option_group_help_lists_the_keys() {
    let out = cli(&["-W", "help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for key in ["timeout", "max-memory-size", "trap-on-grow-failure", "fuel"] {
        assert!(text.contains(&format!("-W {key}")), "{text}");
    }
    assert!(stdout(&cli(&["-S", "help"])).contains("-S nn-graph=<format>::<dir>"));
    assert!(stdout(&cli(&["-C", "help"])).contains("-C cache[=y|n]"));
}

#[test]
fn version_names_the_openvino_found() {
    let out = cli(&["--version"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(concat!("wasi-nn-host ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("\nOpenVINO 20"), "{text}");
}

#[test]
fn info_reports_version_library_reason_and_devices() {
    let out = cli(&["info"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "\nOpenVINO 20",
        "\nlibrary: ",
        "\nwhy: ",
        "\ndevices:\n  CPU: ",
        "\nplaces looked at, in order:\n  [",
    ] {
        assert!(text.contains(line), "no {line:?} in\n{text}");
    }
    // The library it names is the file it loaded.
    let library = text
        .lines()
        .find_map(|l| l.strip_prefix("library: "))
        .unwrap();
    assert!(Path::new(library).is_file(), "{library}");
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
fn a_graph_name_given_twice_is_refused() {
    let dir = openvino_fixtures::dir();
    let model = format!("m={}", dir.join("add.xml").display());
    let guest = openvino_fixtures::guest("nn-run");
    let out = cli(&[
        "--graph",
        &model,
        "--graph",
        &model,
        guest.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a graph named `m` is already given"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn classify_text_through_a_preloaded_graph() {
    let dir = openvino_fixtures::dir();
    let guest = openvino_fixtures::guest("classify-text");
    let cache = TempDir::new("ov-cache");
    let out = cli(&[
        "--graph",
        &format!("cls={}", dir.join("pp_ocr_cls.onnx").display()),
        "--property",
        "INFERENCE_PRECISION_HINT=f32",
        "--cache-dir",
        cache.0.to_str().unwrap(),
        "--dir",
        &format!("{}::/data", dir.display()),
        guest.to_str().unwrap(),
        "--name",
        "cls",
        "/data/text_upright.png",
        "/data/text_upside_down.png",
    ]);
    let cached = std::fs::read_dir(&cache.0).map(|d| d.count()).unwrap_or(0);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = stdout(&out);
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

#[test]
fn proc_exit_codes_pass_through_as_wasmtime_passes_them() {
    let dir = TempDir::new("exit");
    for code in [0, 1, 7, 125] {
        let module = dir.module(&format!("exit{code}.wat"), &exit_with(code));
        let out = cli(&[&module]);
        assert_eq!(out.status.code(), Some(code as i32), "{}", stderr(&out));
    }
    // WASI allows 0..126; wasmtime refuses the rest as an error (exit code 1).
    for code in [126, 255, 256, u32::MAX] {
        let module = dir.module(&format!("exit{code}.wat"), &exit_with(code));
        let out = cli(&[&module]);
        assert_eq!(out.status.code(), Some(1), "proc_exit({code})");
        assert!(
            stderr(&out).contains("exit with invalid exit status outside of [0..126)"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_trap_exits_134_and_prints_the_trap() {
    let dir = TempDir::new("trap");
    let module = dir.module(
        "trap.wat",
        r#"(module (func (export "_start") unreachable))"#,
    );
    let out = cli(&[&module]);
    assert_eq!(out.status.code(), Some(134));
    let err = stderr(&out);
    assert!(err.contains("the program trapped"), "{err}");
    assert!(err.contains("unreachable"), "{err}");
}

#[test]
fn a_timeout_interrupts_a_loop_within_twice_its_setting() {
    let dir = TempDir::new("timeout");
    let module = dir.module("loop.wat", LOOP_FOREVER);
    for flag in [&["-W", "timeout=300ms"][..], &["--timeout", "300ms"]] {
        let started = Instant::now();
        let out = cli(&[flag, &[module.as_str()][..]].concat());
        let elapsed = started.elapsed();
        assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("ran longer than the timeout of 300ms"),
            "{}",
            stderr(&out)
        );
        // Starting OpenVINO and compiling take part of it; the loop itself gets 300 ms.
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }
}

#[test]
fn fuel_stops_a_loop() {
    let dir = TempDir::new("fuel");
    let module = dir.module("loop.wat", LOOP_FOREVER);
    let out = cli(&["-W", "fuel=100000", &module]);
    assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("used all its fuel"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn max_memory_size_makes_memory_grow_fail() {
    let dir = TempDir::new("memory");
    // Grows by 4 pages (256 KiB): exits 3 if that failed, 4 if it worked.
    let module = dir.module(
        "grow.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (if (i32.eq (memory.grow (i32.const 4)) (i32.const -1))
      (then (call $exit (i32.const 3)))
      (else (call $exit (i32.const 4))))))"#,
    );
    assert_eq!(cli(&[&module]).status.code(), Some(4));
    assert_eq!(
        cli(&["-W", "max-memory-size=131072", &module])
            .status
            .code(),
        Some(3)
    );
    assert_eq!(
        cli(&["-W", "max-memory-size=0x50000", &module])
            .status
            .code(),
        Some(4)
    );
    // Wasmtime reports a forced grow failure as an error, not a trap: exit code 1, as there.
    let out = cli(&["-W", "max-memory-size=131072,trap-on-grow-failure", &module]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("forcing trap when growing memory"),
        "{}",
        stderr(&out)
    );
    // A module whose initial memory is over the limit does not start: a host error.
    let big = dir.module("big.wat", r#"(module (memory 4) (func (export "_start")))"#);
    let out = cli(&["-W", "max-memory-size=65536", &big]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot instantiate"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invoke_calls_a_reactor_function_with_parsed_arguments() {
    let dir = TempDir::new("invoke");
    let module = dir.module(
        "reactor.wat",
        r#"(module
  (global $base (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $base (i32.const 100)))
  (func (export "mix") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
    (i32.add (global.get $base) (local.get 0))
    (local.get 1) (local.get 2) (local.get 3)))"#,
    );
    let out = cli(&["--invoke", "mix", &module, "5", "0x10", "1.5", "-2.25"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "105\n16\n1.5\n-2.25\n");
    let out = cli(&["--invoke", "mix", &module, "5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not enough arguments for `mix`"),
        "{}",
        stderr(&out)
    );
    let out = cli(&["--invoke", "nope", &module]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no func export named `nope` found"),
        "{}",
        stderr(&out)
    );
    let out = cli(&["--invoke", "mix", &module, "5", "sixteen", "1", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn env_sets_inherits_or_leaves_unset() {
    let dir = TempDir::new("env");
    let bytes = dir.module("env.wat", &exit_with_size_of("environ", Field::Bytes));
    let count = dir.module("count.wat", &exit_with_size_of("environ", Field::Count));
    // With dynamic-linking the binary needs the loader path Cargo gave this test to start.
    let loader_path = std::env::var("LD_LIBRARY_PATH").ok();
    let run = |args: &[&str], module: &str| {
        let mut command = bin();
        command
            .args(args)
            .arg(module)
            .env_clear()
            .env("HOST_VAR", "hello");
        if let Some(path) = &loader_path {
            command.env("LD_LIBRARY_PATH", path);
        }
        command.output().unwrap().status.code()
    };
    // "A=1\0" is 4 bytes, "BB=xyz\0" 7, "HOST_VAR=hello\0" 15.
    assert_eq!(run(&["--env", "A=1", "--env=BB=xyz"], &bytes), Some(11));
    assert_eq!(run(&["--env", "HOST_VAR"], &bytes), Some(15));
    assert_eq!(run(&["--env", "UNSET_VAR"], &bytes), Some(0));
    let host_vars = 1 + i32::from(loader_path.is_some());
    assert_eq!(run(&["-S", "inherit-env"], &count), Some(host_vars));
    assert_eq!(
        run(&["-S", "inherit-env", "--env", "A=1"], &count),
        Some(host_vars + 1)
    );
    assert_eq!(run(&["-S", "inherit-env=n"], &count), Some(0));
}

#[test]
fn argv_starts_with_the_module_file_name_or_argv0() {
    let dir = TempDir::new("argv");
    let module = dir.module("m.wat", &exit_with_size_of("args", Field::Bytes));
    // "m.wat\0" + "ab\0": the host's path to the module stays hidden.
    assert_eq!(cli(&[&module, "ab"]).status.code(), Some(9));
    assert_eq!(cli(&["--argv0", "z", &module, "ab"]).status.code(), Some(5));
    // After the module every flag is the program's; `--` works before it too.
    assert_eq!(cli(&["--", &module, "-v"]).status.code(), Some(9));
    assert_eq!(cli(&["run", &module, "--dir"]).status.code(), Some(12));
    // WASI arguments are strings: bytes that are not UTF-8 are refused, not mangled.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let out = bin()
            .arg(&module)
            .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("is not valid UTF-8"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn nn_graph_folders_are_checked_before_the_program_starts() {
    let dir = TempDir::new("nn-graph");
    let module = dir.module("exit0.wat", &exit_with(0));
    for (graph, message) in [
        (
            "openvino::/no/such/folder",
            "preload directory is not a valid directory: /no/such/folder",
        ),
        ("openvino::/", "has no folder name to serve the graph under"),
        ("ggml::.", "unknown graph encoding: ggml"),
    ] {
        let out = cli(&["-S", &format!("nn-graph={graph}"), &module]);
        assert_eq!(out.status.code(), Some(1), "{graph}");
        assert!(stderr(&out).contains(message), "{graph}: {}", stderr(&out));
    }
    let empty = dir.0.join("model");
    std::fs::create_dir_all(&empty).unwrap();
    let out = cli(&[
        "-S",
        &format!("nn-graph=onnx::{}", empty.display()),
        &module,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("model.onnx does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn nn_cannot_be_turned_off() {
    let dir = TempDir::new("nn-off");
    let module = dir.module("exit0.wat", &exit_with(0));
    assert_eq!(cli(&["-S", "nn", &module]).status.code(), Some(0));
    let out = cli(&["-S", "nn=n", &module]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("wasi-nn cannot be turned off"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn module_cache_skips_compilation_on_the_second_start() {
    let dir = TempDir::new("module-cache");
    let config = dir.0.join("cache.toml");
    std::fs::write(
        &config,
        format!("[cache]\ndirectory = {:?}\n", dir.0.join("cache")),
    )
    .unwrap();
    let guest = openvino_fixtures::guest("classify-text");
    let cache_config = format!("cache-config={}", config.display());
    let run = |extra: &[&str]| {
        let out = cli(&[
            &["-v", "-C", &cache_config][..],
            extra,
            &[guest.to_str().unwrap()],
        ]
        .concat());
        // The guest prints its usage and exits 1 without images: enough to load the module.
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        stderr(&out)
    };
    assert!(run(&[]).contains("module compiled in"));
    assert!(run(&[]).contains("module loaded from Wasmtime's cache"));
    assert!(run(&["-C", "cache=n"]).contains("module compiled in"));
    let out = cli(&[
        "-C",
        "cache-config=/no/such/config.toml",
        guest.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot use Wasmtime's module cache"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verbose_and_rust_log_compose() {
    let dir = TempDir::new("logging");
    let module = dir.module("exit0.wat", &exit_with(0));
    let run = |args: &[&str], rust_log: Option<&str>| {
        let mut command = bin();
        command.args(args).arg(&module).env_remove("RUST_LOG");
        if let Some(value) = rust_log {
            command.env("RUST_LOG", value);
        }
        stderr(&command.output().unwrap())
    };
    // -v: our debug events; RUST_LOG adds another crate's without lowering ours.
    assert!(run(&[], None).is_empty());
    assert!(run(&["-v"], None).contains("DEBUG"));
    let both = run(&["-v"], Some("wasmtime_wasi=trace"));
    assert!(both.contains("Wasmtime engine ready"), "{both}");
    assert!(
        both.contains("TRACE") && both.contains("wasmtime_wasi::p1"),
        "{both}"
    );
    // RUST_LOG wins for our own target.
    assert!(!run(&["-v"], Some("wasi_nn_host=error")).contains("DEBUG"));
}

#[test]
fn completions_and_the_man_page_come_from_the_flags() {
    let out = cli(&["completion", "bash"]);
    assert!(out.status.success());
    let script = stdout(&out);
    for flag in ["--invoke", "--dir", "--graph", "--cache-dir"] {
        assert!(
            script.contains(flag),
            "{flag} missing from the bash completion"
        );
    }
    let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/doc/wasi-nn-host.1");
    let out = cli(&["man"]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        std::fs::read_to_string(committed).unwrap_or_default(),
        "the man page drifted from the flags: cargo run -p wasi-nn-host -- man > wasi-nn-host/doc/wasi-nn-host.1"
    );
}
