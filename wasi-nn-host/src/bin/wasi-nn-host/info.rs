//! `wasi-nn-host info` and `--version`: which OpenVINO this binary uses, where it was found and
//! why, and what it can run on; or, when there is none, every place that was searched.

use std::path::Path;
use std::process::ExitCode;

use openvino::{Core, LoadedLibrary, PropertyKey};

/// Prints the OpenVINO in use: version, library file, why that one, devices, and every place
/// the finder looked.
#[derive(clap::Args, Debug, Clone)]
pub struct InfoCommand {}

/// How this binary reaches OpenVINO.
fn linking() -> &'static str {
    if cfg!(feature = "runtime-linking") {
        "at run time (openvino-finder searches when the program starts; no LD_LIBRARY_PATH needed)"
    } else {
        "at build time (dynamic-linking: the system loader finds the library)"
    }
}

/// The OpenVINO library, loaded; or an error carrying the finder's report of every place it
/// looked and what to do.
pub fn require_openvino() -> anyhow::Result<&'static LoadedLibrary> {
    openvino::library().map_err(|e| anyhow::anyhow!("cannot use OpenVINO: {}", e.message()))
}

/// Why this library: the search step that proposed it, if the finder's run-time search leads
/// to this very file.
fn reason(library: &LoadedLibrary, probe: &openvino_finder::Probe) -> String {
    let Some(path) = library.path() else {
        return "linked at build time".into();
    };
    if !cfg!(feature = "runtime-linking") {
        return "linked at build time (found by openvino-finder when this binary was built)".into();
    }
    match probe.found() {
        Some(found) if same_file(&found.path, path) => format!("found by: {}", found.source),
        _ => "the workspace's own install (scripts/install-openvino), compiled into this \
              development build"
            .into(),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

impl InfoCommand {
    /// Prints the report; an error (exit code 1) when no usable OpenVINO is found, after the
    /// list of every place looked at.
    pub fn execute(self) -> anyhow::Result<ExitCode> {
        println!("wasi-nn-host {}", env!("CARGO_PKG_VERSION"));
        println!("links OpenVINO {}", linking());
        let probe = openvino_finder::probe();
        let library = match openvino::library() {
            Ok(library) => library,
            Err(e) => {
                println!("OpenVINO: not usable");
                println!("places looked at, in order:\n{probe}");
                anyhow::bail!("cannot use OpenVINO: {}", e.message());
            }
        };
        println!(
            "OpenVINO {} (build {})",
            library.version(),
            library.build_number()
        );
        match library.path() {
            Some(path) => println!("library: {}", path.display()),
            None => println!("library: linked at build time"),
        }
        println!("why: {}", reason(library, &probe));
        let core = Core::new().map_err(|e| anyhow::anyhow!("cannot start OpenVINO: {e}"))?;
        let devices = core
            .available_devices()
            .map_err(|e| anyhow::anyhow!("cannot list OpenVINO's devices: {e}"))?;
        println!("devices:");
        for device in &devices {
            match core.property(device, &PropertyKey::DeviceFullName) {
                Ok(name) => println!("  {}: {name}", device.as_str()),
                Err(e) => println!("  {}: (no name: {e})", device.as_str()),
            }
        }
        println!("places looked at, in order:\n{probe}");
        Ok(ExitCode::SUCCESS)
    }
}

/// `--version`: this binary's version, and the OpenVINO it finds, if any.
pub fn version_text() -> String {
    let mut text = format!(
        "wasi-nn-host {} (OpenVINO linked {})\n",
        env!("CARGO_PKG_VERSION"),
        if cfg!(feature = "runtime-linking") {
            "at run time"
        } else {
            "at build time"
        }
    );
    match openvino::library() {
        Ok(library) => {
            text.push_str(&format!("OpenVINO {}", library.version()));
            if let Some(path) = library.path() {
                text.push_str(&format!(" ({})", path.display()));
            }
            text.push('\n');
        }
        Err(_) => {
            text.push_str("OpenVINO: not found (`wasi-nn-host info` lists where it looked)\n")
        }
    }
    text
}
