//! Parity with Wasmtime's own host: the same wasip2 component (tests/guests-p2's nn-run) on
//! `wasmtime-wasi-nn` 48's WIT host (benches/peers/wasmtime-wasi-nn, built here, outside the
//! workspace) and on ours gives bit-identical outputs, for every IR fixture of a WIT tensor type
//! (IR is the only format Wasmtime's OpenVINO backend reads). Both hosts compile with OpenVINO's
//! defaults here (no properties), so the comparison is host against host.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use wasi_nn_host::{Backend, BackendConfig};

mod common;
use common::component;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds the peer (release, its own target folder and lock file) and gives it a folder of
/// OpenVINO libraries under the unversioned names its loader looks for.
fn peer() -> (PathBuf, PathBuf) {
    let manifest = root().join("benches/peers/wasmtime-wasi-nn/Cargo.toml");
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--release",
            "--locked",
            "--manifest-path",
        ])
        .arg(&manifest)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the peer builds");
    let libs = root().join("upstream/openvino/libs");
    let links = root().join("target/parity-openvino-libs");
    let _ = std::fs::remove_dir_all(&links);
    std::fs::create_dir_all(&links).unwrap();
    for entry in std::fs::read_dir(&libs).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        std::os::unix::fs::symlink(&path, links.join(&name)).unwrap();
        if let Some((base, _)) = name.split_once(".so.") {
            let _ = std::os::unix::fs::symlink(&path, links.join(format!("{base}.so")));
        }
    }
    (
        root().join("benches/peers/wasmtime-wasi-nn/target/release/peer-wasmtime-wasi-nn"),
        links,
    )
}

struct OutDir(PathBuf);

impl OutDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("wasi-nn-parity-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn read(&self, count: usize) -> Vec<Vec<u8>> {
        (0..count)
            .map(|i| std::fs::read(self.0.join(format!("{i}.bin"))).unwrap_or_default())
            .collect()
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_same_component_gives_the_same_bits_on_wasmtime_wasi_nn_and_on_this_host() {
    let (peer, libs) = peer();
    let manifest = openvino_fixtures::load();
    let fixtures = openvino_fixtures::dir();
    let component_file = openvino_fixtures::component("nn-run");
    let backend = Arc::new(
        Backend::new(BackendConfig {
            guest_loads: common::sandboxed(),
            ..BackendConfig::default()
        })
        .unwrap(),
    );
    let wit_types = ["f16", "f32", "f64", "bf16", "u8", "i32", "i64"];
    let mut compared = Vec::new();
    for case in manifest.cases.iter().filter(|c| c.encoding == "openvino") {
        if let Some(t) = case.name.strip_prefix("types_")
            && !wit_types.contains(&t)
        {
            continue;
        }
        for run in &case.runs {
            let ours = OutDir::new("ours");
            let theirs = OutDir::new("theirs");
            let mut args = vec!["nn-run".to_string()];
            for model in &case.model {
                let rel = model.strip_prefix(&fixtures).unwrap();
                args.push("--model".into());
                args.push(format!("/fixtures/{}", rel.display()));
            }
            for input in &run.inputs {
                let dims: Vec<String> = input.dims.iter().map(|d| d.to_string()).collect();
                let rel = input.path.strip_prefix(&fixtures).unwrap();
                args.push("--input".into());
                args.push(format!(
                    "{}:{}:{}:/fixtures/{}",
                    input.name,
                    input.element_type,
                    dims.join(","),
                    rel.display()
                ));
            }
            for i in 0..run.outputs.len() {
                args.push("--output".into());
                args.push(format!("/out/{i}.bin"));
            }
            // Theirs: one preopened folder (WASI follows no link out of it), so the run's model
            // and input files are copied into it.
            for path in case.model.iter().chain(run.inputs.iter().map(|i| &i.path)) {
                let copy = theirs
                    .0
                    .join("fixtures")
                    .join(path.strip_prefix(&fixtures).unwrap());
                std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
                std::fs::copy(path, copy).unwrap();
            }
            let peer_args: Vec<String> = args
                .iter()
                .map(|a| a.replace("/fixtures/", "/out/fixtures/"))
                .collect();
            let out = Command::new(&peer)
                .arg(&component_file)
                .arg(&theirs.0)
                .arg("/out")
                .args(&peer_args[1..])
                .env("LD_LIBRARY_PATH", &libs)
                .output()
                .expect("the peer runs");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{} {} on wasmtime-wasi-nn: {}",
                case.name,
                run.label,
                String::from_utf8_lossy(&out.stderr)
            );
            let ran = component::run(
                &backend,
                "nn-run",
                &args,
                &[(fixtures.clone(), "/fixtures"), (ours.0.clone(), "/out")],
            );
            assert_eq!(ran.code, 0, "{} {}: {}", case.name, run.label, ran.stderr);
            let (a, b) = (ours.read(run.outputs.len()), theirs.read(run.outputs.len()));
            assert!(a.iter().all(|o| !o.is_empty()), "{}: no output", case.name);
            assert_eq!(a, b, "{} run {}: the hosts differ", case.name, run.label);
            // The one visible difference: Wasmtime names outputs by position, we by the model.
            let their_names: Vec<&str> = stdout
                .lines()
                .filter_map(|l| l.strip_prefix("output "))
                .filter_map(|l| l.split(' ').next())
                .collect();
            let expected: Vec<String> = (0..run.outputs.len()).map(|i| i.to_string()).collect();
            assert_eq!(their_names, expected, "{}", case.name);
            compared.push(format!("{}/{}", case.name, run.label));
        }
    }
    eprintln!("bit-identical on both hosts: {compared:?}");
    for must in [
        "pp_ocr_cls_ir/upright",
        "multi_io/0",
        "types_bf16/0",
        "dynamic/batch3",
    ] {
        assert!(compared.iter().any(|c| c == must), "{must} not compared");
    }
}
