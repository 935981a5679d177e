//! `dynamic-linking`: the system loader mapped the library before `main`; only its version is
//! checked here.

use std::path::PathBuf;
use std::sync::OnceLock;

use super::{LoadError, LoadedLibrary, Version, read_version};

static LOADED: OnceLock<LoadedLibrary> = OnceLock::new();

/// Checks the OpenVINO C library linked at build time and returns what it is.
///
/// With `dynamic-linking` the system loader has already mapped the library (the program would
/// not have started otherwise), so this only asks its version and refuses releases outside the
/// supported range (see [`check_version`](super::check_version)). A success is remembered for the
/// rest of the process.
///
/// ```
/// let library = openvino_sys::library::load().expect("OpenVINO is installed");
/// println!("OpenVINO {}", library.version());
/// ```
pub fn load() -> Result<&'static LoadedLibrary, LoadError> {
    if let Some(loaded) = LOADED.get() {
        return Ok(loaded);
    }
    let path = option_env!("OPENVINO_SYS_LINKED_LIBRARY").map(PathBuf::from);
    // A linked program has every function it calls (the system loader checked), so nothing is
    // reported unavailable.
    let info = read_version(
        crate::ov_get_openvino_version,
        crate::ov_version_free,
        path,
        Vec::new(),
    )?;
    Ok(LOADED.get_or_init(|| info))
}

/// The checked library, loading (checking) it on first use; `None` if it is unsupported.
pub(super) fn loaded() -> Option<&'static LoadedLibrary> {
    load().ok()
}

pub(super) fn loaded_version() -> Option<Version> {
    loaded().map(|l| *l.version())
}
