//! Hostile *models* (tests/fixtures/hostile.py, listed in generated/hostile/manifest.txt): each
//! is loaded by a real Wasm guest and must answer the exact errno, with a host message naming
//! the tensor, op or field; the same instance then serves a valid inference. The original
//! attacks (a host file in the temp folder, /etc/passwd, the `_ORT_MEM_ADDR_` address read that
//! killed the host with SIGSEGV) also run through the CLI as a child process, so a crash would be
//! seen as a signal, not take the test down.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use wasi_nn_host::backend::Target;
use wasi_nn_host::gate::{self, Encoding};
use wasi_nn_host::{Backend, BackendConfig, Encoding as NnEncoding, WasiNnCtx};
use wasmtime::{Engine, Instance, Linker, Module, Store};

mod common;
use common::wat_bytes;

const INVALID_ARGUMENT: i32 = 1;
const INVALID_ENCODING: i32 = 2;

/// Where the test writes the hostile builders in guest memory (after the valid model).
const BUILDERS_AT: usize = 1 << 16;
/// Guest memory: 64 KiB of fixed data, then room for the largest model (the real PP-OCR ONNX).
const PAGES: u32 = 32;

struct Entry {
    name: String,
    encoding: String,
    expect: String,
    named: String,
    files: Vec<PathBuf>,
}

fn manifest() -> Vec<Entry> {
    let dir = openvino_fixtures::dir();
    let text = std::fs::read_to_string(dir.join("hostile/manifest.txt"))
        .expect("hostile/manifest.txt (run scripts/generate-fixtures)");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').collect();
            assert_eq!(parts.len(), 5, "{line}");
            Entry {
                name: parts[0].into(),
                encoding: parts[1].into(),
                expect: parts[2].into(),
                named: parts[3].into(),
                files: parts[4].split(',').map(|f| dir.join(f)).collect(),
            }
        })
        .collect()
}

fn tag(encoding: &str) -> (i32, NnEncoding, Encoding) {
    match encoding {
        "openvino" => (0, NnEncoding::Openvino, Encoding::Ir),
        "onnx" => (1, NnEncoding::Onnx, Encoding::Onnx),
        "tensorflow" => (2, NnEncoding::Tensorflow, Encoding::TensorFlow),
        "tensorflowlite" => (4, NnEncoding::TensorflowLite, Encoding::TensorFlowLite),
        "autodetect" => (5, NnEncoding::Autodetect, Encoding::Autodetect),
        other => panic!("unknown encoding {other}"),
    }
}

/// A guest with the `add` IR at 4096 (`valid` runs sum = x + x on it) and `load_hostile`, which
/// loads the builders the test wrote at 2048 (array) / 65536 (bytes).
struct Guest {
    store: Store<WasiNnCtx>,
    instance: Instance,
}

impl Guest {
    fn new(backend: Arc<Backend>) -> Self {
        let xml = openvino::doc_support::ADD_MODEL_XML;
        let wat = format!(
            r#"(module
  {imports}
  (memory (export "memory") {PAGES})
  (data (i32.const 64) "\00\10\00\00{xml_len}\00\20\00\00\00\00\00\00")
  (data (i32.const 4096) "{xml}")
  (func (export "load_hostile") (param $count i32) (param $encoding i32) (result i32)
    (call $load (i32.const 2048) (local.get $count) (local.get $encoding) (i32.const 0) (i32.const 32)))
  (func (export "valid") (result i32)
    (local $e i32)
    ;; tensor {{ dims 256 (rank 2), f32, data 512 (16 bytes) }}; dims [1, 4]; x = [1, 2, 3, 4]
    (i32.store (i32.const 128) (i32.const 256)) (i32.store (i32.const 132) (i32.const 2))
    (i32.store (i32.const 136) (i32.const 1)) (i32.store (i32.const 140) (i32.const 512))
    (i32.store (i32.const 144) (i32.const 16))
    (i32.store (i32.const 256) (i32.const 1)) (i32.store (i32.const 260) (i32.const 4))
    (f32.store (i32.const 512) (f32.const 1)) (f32.store (i32.const 516) (f32.const 2))
    (f32.store (i32.const 520) (f32.const 3)) (f32.store (i32.const 524) (f32.const 4))
    (local.set $e (call $load (i32.const 64) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 32)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $e (call $init (i32.load (i32.const 32)) (i32.const 36)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $e (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $e (call $set_input (i32.load (i32.const 36)) (i32.const 1) (i32.const 128)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $e (call $compute (i32.load (i32.const 36))))
    (if (local.get $e) (then (return (local.get $e))))
    (call $get_output (i32.load (i32.const 36)) (i32.const 0) (i32.const 1024) (i32.const 16) (i32.const 40))))"#,
            imports = common::NN_IMPORTS,
            xml_len = wat_bytes(&(xml.len() as u32).to_le_bytes()),
            xml = wat_bytes(xml.as_bytes()),
        );
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        wasi_nn_host::add_to_linker(&mut linker, |ctx: &mut WasiNnCtx| ctx).unwrap();
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, WasiNnCtx::new(backend));
        let instance = linker.instantiate(&mut store, &module).unwrap();
        Self { store, instance }
    }

    /// Writes the builders into guest memory and calls `load` with the encoding tag.
    fn load(&mut self, builders: &[Vec<u8>], encoding: i32) -> i32 {
        let memory = self.instance.get_memory(&mut self.store, "memory").unwrap();
        let mut at = BUILDERS_AT;
        for (i, bytes) in builders.iter().enumerate() {
            assert!(
                at + bytes.len() <= (PAGES as usize) << 16,
                "guest memory too small"
            );
            memory.write(&mut self.store, at, bytes).unwrap();
            let entry = [
                (at as u32).to_le_bytes(),
                (bytes.len() as u32).to_le_bytes(),
            ]
            .concat();
            memory.write(&mut self.store, 2048 + 8 * i, &entry).unwrap();
            at += bytes.len();
        }
        let f = self
            .instance
            .get_typed_func::<(i32, i32), i32>(&mut self.store, "load_hostile")
            .unwrap();
        f.call(&mut self.store, (builders.len() as i32, encoding))
            .unwrap()
    }

    fn assert_still_serving(&mut self) {
        let valid = self
            .instance
            .get_typed_func::<(), i32>(&mut self.store, "valid")
            .unwrap();
        assert_eq!(valid.call(&mut self.store, ()).unwrap(), 0);
        let memory = self.instance.get_memory(&mut self.store, "memory").unwrap();
        let out: Vec<f32> = memory.data(&self.store)[1024..1040]
            .chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(out, vec![2.0, 4.0, 6.0, 8.0]);
    }
}

#[test]
fn every_hostile_model_answers_its_errno_names_the_culprit_and_the_host_serves_next() {
    let backend = Arc::new(
        Backend::new(BackendConfig {
            properties: vec![("INFERENCE_PRECISION_HINT".into(), "f32".into())],
            limits: wasi_nn_host::Limits {
                max_graphs: 1000,
                ..Default::default()
            },
            // Every encoding, TensorFlow included, through the sandbox the CLI uses.
            guest_loads: wasi_nn_host::GuestLoadPolicy {
                encodings: vec![
                    NnEncoding::Openvino,
                    NnEncoding::Onnx,
                    NnEncoding::Tensorflow,
                    NnEncoding::TensorflowLite,
                ],
                ..common::sandboxed()
            },
            ..BackendConfig::default()
        })
        .unwrap(),
    );
    let mut guest = Guest::new(Arc::clone(&backend));
    let mut session = backend.session();
    let entries = manifest();
    let mut refused = 0;
    for entry in &entries {
        let builders: Vec<Vec<u8>> = entry
            .files
            .iter()
            .map(|f| std::fs::read(f).unwrap())
            .collect();
        let slices: Vec<&[u8]> = builders.iter().map(Vec::as_slice).collect();
        let (tag, encoding, gate_encoding) = tag(&entry.encoding);
        match entry.expect.as_str() {
            "invalid_encoding" | "invalid_argument" => {
                let expected = if entry.expect == "invalid_encoding" {
                    INVALID_ENCODING
                } else {
                    INVALID_ARGUMENT
                };
                assert_eq!(guest.load(&builders, tag), expected, "{}", entry.name);
                let err = session.load(&slices, encoding, Target::Cpu).unwrap_err();
                assert!(
                    err.message().contains(&entry.named),
                    "{}: {:?} does not contain {:?}",
                    entry.name,
                    err.message(),
                    entry.named
                );
                assert!(
                    err.message().len() < 1024,
                    "{}: a {}-byte message",
                    entry.name,
                    err.message().len()
                );
                guest.assert_still_serving();
                refused += 1;
            }
            // Clean models that only the host's budget or deadline stop: the gate lets them by.
            "budget" | "deadline" => {
                gate::check(gate_encoding, &slices)
                    .unwrap_or_else(|e| panic!("{}: {e}", entry.name));
            }
            other => panic!("{}: unknown expectation {other}", entry.name),
        }
    }
    assert!(refused >= 45, "{refused} hostile models refused");
}

#[test]
fn the_original_attacks_are_dead_through_the_cli() {
    // The host file the relative location named: planted in the temp folder, as in the attack.
    let secret = std::env::temp_dir().join("wasi-nn-host-secret.bin");
    std::fs::write(&secret, [0x5au8; 64]).unwrap();
    let dir = openvino_fixtures::dir();
    let list =
        std::env::temp_dir().join(format!("wasi-nn-host-attacks-{}.txt", std::process::id()));
    let attacks = [
        "onnx_external_relative",
        "onnx_external_absolute",
        "onnx_external_dotdot",
        "onnx_external_ort_mem_addr",
    ];
    let text: String = attacks
        .iter()
        .map(|a| {
            format!("onnx /fixtures/hostile/{a}.onnx\nautodetect /fixtures/hostile/{a}.onnx\n")
        })
        .collect();
    std::fs::write(&list, text).unwrap();
    // -v: errors guests cause are logged at debug level.
    let out = Command::new(env!("CARGO_BIN_EXE_wasi-nn-host"))
        .arg("-v")
        .args(["--dir", &format!("{}::/fixtures", dir.display())])
        .args([
            "--dir",
            &format!("{}::/list", list.parent().unwrap().display()),
        ])
        .arg(openvino_fixtures::guest("nn-load"))
        .arg(format!(
            "/list/{}",
            list.file_name().unwrap().to_string_lossy()
        ))
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&list);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the host died: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2 * attacks.len(), "{stdout}");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(*line, format!("{i} errno {INVALID_ENCODING}"), "{stdout}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("initializer 'w' of graph 'main' refers to external data (location '*/_ORT_MEM_ADDR_/*')"), "{stderr}");
}
