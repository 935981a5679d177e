//! Finds libopenvino_c with openvino-finder and links it (feature `dynamic-linking`).
//!
//! The library is linked through `$OUT_DIR/openvino-libs`, a folder of symbolic links to the
//! install's libraries and plugins with an unversioned `libopenvino_c.so` added (pip and apt
//! installs ship only versioned names). Cargo puts link-search folders inside the target
//! directory on the loader path for `cargo run`/`cargo test`, so no LD_LIBRARY_PATH is needed.

use std::env;
use std::path::{Path, PathBuf};

/// The variables this script reads itself; the finder's are `openvino_finder::ENV_VARS`.
const OWN_VARS: &[&str] = &[
    "OPENVINO_SKIP_LINKING",
    "DOCS_RS",
    "OPENVINO_SYS_NO_WORKSPACE_INSTALL",
];

fn main() {
    for var in OWN_VARS.iter().chain(openvino_finder::ENV_VARS) {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace_install = manifest.join("../upstream/openvino");
    // Packagers set OPENVINO_SYS_NO_WORKSPACE_INSTALL so that no build-machine path is compiled in.
    let use_workspace =
        workspace_install.is_dir() && env::var_os("OPENVINO_SYS_NO_WORKSPACE_INSTALL").is_none();
    if use_workspace {
        // Lets `library::load()` find the workspace's own install at run time too.
        println!(
            "cargo:rustc-env=OPENVINO_SYS_WORKSPACE_INSTALL={}",
            workspace_install.display()
        );
    }

    let runtime = env::var_os("CARGO_FEATURE_RUNTIME_LINKING").is_some();
    let dynamic = env::var_os("CARGO_FEATURE_DYNAMIC_LINKING").is_some();
    let skip = env::var_os("OPENVINO_SKIP_LINKING").is_some() || env::var_os("DOCS_RS").is_some();
    if runtime || !dynamic || skip {
        return;
    }

    let mut finder = openvino_finder::Finder::from_env();
    if use_workspace {
        finder = finder.workspace_install(&workspace_install);
    }
    let library = match finder.find() {
        Ok(library) => library,
        Err(e) => {
            // A plain message and exit code: a panic would bury it under a backtrace.
            eprintln!(
                "openvino-sys: {e}\n(or build with the `runtime-linking` feature to find OpenVINO \
                 at run time, or set OPENVINO_SKIP_LINKING=1 to build without linking)"
            );
            std::process::exit(1);
        }
    };
    println!("cargo:rerun-if-changed={}", library.path().display());
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("openvino-libs");
    if let Err(e) = link_farm(library.dir(), library.path(), &out) {
        eprintln!("openvino-sys: cannot prepare {}: {e}", out.display());
        std::process::exit(1);
    }
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=dylib=openvino_c");
    // This crate's own tests and examples also get an rpath to the real folder.
    println!(
        "cargo:rustc-link-arg=-Wl,-rpath,{}",
        library.dir().display()
    );
    println!(
        "cargo:rustc-env=OPENVINO_SYS_LINKED_LIBRARY={}",
        library.path().display()
    );
    // Read by dependents' build scripts as DEP_OPENVINO_C_LIB_DIR / DEP_OPENVINO_C_LIBRARY.
    println!("cargo:lib_dir={}", library.dir().display());
    println!("cargo:library={}", library.path().display());
}

/// Fills `out` with links to OpenVINO's libraries, plugins and their companions in `dir`, plus
/// `libopenvino_c.so` (or `.dylib`) pointing at `library`.
fn link_farm(dir: &Path, library: &Path, out: &Path) -> std::io::Result<()> {
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = [
            "libopenvino",
            "openvino",
            "libtbb",
            "tbb",
            "libhwloc",
            "plugins.xml",
            "cache.json",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix));
        if ours {
            symlink(&entry.path(), &out.join(&*name))?;
        }
    }
    let unversioned = if cfg!(target_os = "macos") {
        "libopenvino_c.dylib"
    } else {
        "libopenvino_c.so"
    };
    let link = out.join(unversioned);
    if !link.exists() {
        symlink(library, &link)?;
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::fs::copy(target, link).map(|_| ())
}
