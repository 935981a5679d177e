//! Fake install trees for every layout the finder knows, and the precedence between them.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

/// A temporary folder, removed on drop.
struct Tree {
    root: PathBuf,
}

impl Tree {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "openvino-finder-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, AtomicOrdering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Self { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Creates empty files (and their folders).
    fn files(&self, dir: &str, names: &[&str]) -> PathBuf {
        let dir = self.path(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for name in names {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        dir
    }

    /// A complete install (C library + core library) with versioned names only.
    fn install(&self, dir: &str, suffix: &str) -> PathBuf {
        self.files(
            dir,
            &[
                &format!("libopenvino_c.so.{suffix}"),
                &format!("libopenvino.so.{suffix}"),
            ],
        )
    }

    fn finder(&self) -> Finder {
        Finder::empty().system_root(&self.root)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn found(finder: &Finder) -> Library {
    finder.find().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn pip_venv_with_versioned_names_only() {
    let t = Tree::new();
    let libs = t.install("venv/lib/python3.11/site-packages/openvino/libs", "2641");
    let lib = found(&t.finder().var("VIRTUAL_ENV", t.path("venv")));
    assert_eq!(lib.path(), libs.join("libopenvino_c.so.2641"));
    assert_eq!(lib.version().unwrap().to_string(), "2026.4.1");
    assert_eq!(lib.source(), &Source::VirtualEnv);
    assert_eq!(lib.dir(), libs);
}

#[test]
fn venv_picks_the_newest_python() {
    let t = Tree::new();
    t.install("venv/lib/python3.9/site-packages/openvino/libs", "2541");
    let new = t.install("venv/lib/python3.12/site-packages/openvino/libs", "2641");
    let lib = found(&t.finder().var("VIRTUAL_ENV", t.path("venv")));
    assert_eq!(lib.dir(), new);
}

#[test]
fn conda_package_and_conda_wheel() {
    let t = Tree::new();
    let pkg = t.files("conda/lib", &["libopenvino_c.so", "libopenvino.so"]);
    let lib = found(&t.finder().var("CONDA_PREFIX", t.path("conda")));
    assert_eq!(lib.path(), pkg.join("libopenvino_c.so"));
    assert_eq!(lib.version(), None);
    assert_eq!(lib.source(), &Source::Conda);

    let t = Tree::new();
    let wheel = t.install("conda/lib/python3.11/site-packages/openvino/libs", "2641");
    let lib = found(&t.finder().var("CONDA_PREFIX", t.path("conda")));
    assert_eq!(lib.dir(), wheel);
}

#[test]
fn user_site_pyenv_and_system_site() {
    let t = Tree::new();
    let user = t.install(
        "home/.local/lib/python3.11/site-packages/openvino/libs",
        "2641",
    );
    assert_eq!(found(&t.finder().var("HOME", t.path("home"))).dir(), user);
    assert_eq!(
        found(&t.finder().var("HOME", t.path("home"))).source(),
        &Source::PythonUserSite
    );

    let t = Tree::new();
    let pyenv = t.install(
        "home/.pyenv/versions/3.11.7/lib/python3.11/site-packages/openvino/libs",
        "2641",
    );
    let lib = found(&t.finder().var("HOME", t.path("home")));
    assert_eq!((lib.dir(), lib.source()), (pyenv.as_path(), &Source::Pyenv));

    let t = Tree::new();
    let system = t.install(
        "usr/local/lib/python3.11/dist-packages/openvino/libs",
        "2641",
    );
    let lib = found(&t.finder());
    assert_eq!(
        (lib.dir(), lib.source()),
        (system.as_path(), &Source::PythonSystemSite)
    );
}

#[test]
fn official_archive_via_install_dir_setupvars_and_default() {
    let t = Tree::new();
    let dir = t.files(
        "ov/runtime/lib/intel64",
        &[
            "libopenvino_c.so",
            "libopenvino_c.so.2026.4.1",
            "libopenvino.so.2026.4.1",
        ],
    );
    t.files("ov/runtime/include/openvino/c", &["openvino.h"]);
    let lib = found(&t.finder().var("OPENVINO_INSTALL_DIR", t.path("ov")));
    assert_eq!(
        lib.path(),
        dir.join("libopenvino_c.so.2026.4.1"),
        "a versioned name beats the unversioned one"
    );
    assert_eq!(lib.source(), &Source::OpenvinoInstallDir);
    assert_eq!(lib.include_dir(), Some(t.path("ov/runtime/include")));

    let lib = found(&t.finder().var("INTEL_OPENVINO_DIR", t.path("ov")));
    assert_eq!(lib.source(), &Source::IntelOpenvinoDir);

    let t = Tree::new();
    t.install("opt/intel/openvino_2025.4.0/runtime/lib/intel64", "2540");
    let newest = t.install("opt/intel/openvino_2026.4.1/runtime/lib/intel64", "2641");
    let lib = found(&t.finder());
    assert_eq!(
        (lib.dir(), lib.source()),
        (newest.as_path(), &Source::OfficialArchive)
    );
}

#[test]
fn apt_multiarch_with_versioned_names_only() {
    let t = Tree::new();
    let dir = t.install("usr/lib/x86_64-linux-gnu", "2641");
    t.files("usr/include/openvino/c", &["openvino.h"]);
    let lib = found(&t.finder());
    assert_eq!(lib.path(), dir.join("libopenvino_c.so.2641"));
    assert_eq!(lib.source(), &Source::Distro);
    assert_eq!(lib.include_dir(), Some(t.path("usr/include")));
}

#[test]
fn build_dir() {
    let t = Tree::new();
    let dir = t.files(
        "build/bin/intel64/Release",
        &["libopenvino_c.so", "libopenvino.so"],
    );
    let lib = found(&t.finder().var("OPENVINO_BUILD_DIR", t.path("build")));
    assert_eq!(
        (lib.dir(), lib.source()),
        (dir.as_path(), &Source::OpenvinoBuildDir)
    );
}

#[test]
fn pkg_config_file_with_variable_expansion() {
    let t = Tree::new();
    let dir = t.install("prefix/lib/custom", "2641");
    let pc = t.files("pc", &[]).join("openvino.pc");
    std::fs::write(
        &pc,
        format!(
            "prefix={}\nexec_prefix=${{prefix}}\nlibdir=${{exec_prefix}}/lib/custom\n\nName: OpenVINO\nLibs: -L${{libdir}} -lopenvino_c\n",
            t.path("prefix").display()
        ),
    )
    .unwrap();
    let lib = found(&t.finder().var("PKG_CONFIG_PATH", t.path("pc")));
    assert_eq!(lib.dir(), dir);
    assert_eq!(lib.source(), &Source::PkgConfig(pc));

    // The default pkg-config folders under the system root are searched too.
    let t = Tree::new();
    let dir = t.install("opt/vendor/lib", "2641");
    let pcdir = t.files("usr/lib/pkgconfig", &[]);
    std::fs::write(
        pcdir.join("openvino.pc"),
        format!("libdir={}\n", dir.display()),
    )
    .unwrap();
    assert_eq!(found(&t.finder()).dir(), dir);
}

#[test]
fn ld_library_path_and_lib_path_as_folder_or_file() {
    let t = Tree::new();
    let a = t.install("a", "2641");
    let b = t.install("b", "2641");
    let paths = std::env::join_paths([t.path("missing"), a.clone(), b]).unwrap();
    let lib = found(&t.finder().var("LD_LIBRARY_PATH", paths));
    assert_eq!(lib.dir(), a);
    assert_eq!(lib.source(), &Source::LibraryPath("LD_LIBRARY_PATH".into()));

    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &a));
    assert_eq!(
        (lib.dir(), lib.source()),
        (a.as_path(), &Source::OpenvinoLibPath)
    );

    let file = a.join("libopenvino_c.so.2641");
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &file));
    assert_eq!(lib.path(), file);
}

#[test]
fn workspace_install() {
    let t = Tree::new();
    let libs = t.install("ws/upstream/openvino/libs", "2641");
    t.files("ws/upstream/openvino/include/openvino/c", &["openvino.h"]);
    let lib = found(&t.finder().workspace_install(t.path("ws/upstream/openvino")));
    assert_eq!(
        (lib.dir(), lib.source()),
        (libs.as_path(), &Source::Workspace)
    );
    assert_eq!(
        lib.include_dir(),
        Some(t.path("ws/upstream/openvino/include"))
    );
}

#[test]
fn precedence_between_layouts() {
    let t = Tree::new();
    let explicit = t.install("explicit", "2641");
    let venv = t.install("venv/lib/python3.11/site-packages/openvino/libs", "2641");
    let ld = t.install("ld", "2641");
    let pc_lib = t.install("pclib", "2641");
    let pcdir = t.files("pc", &[]);
    std::fs::write(
        pcdir.join("openvino.pc"),
        format!("libdir={}\n", pc_lib.display()),
    )
    .unwrap();
    let distro = t.install("usr/lib/x86_64-linux-gnu", "2641");

    let all = t
        .finder()
        .var("OPENVINO_LIB_PATH", &explicit)
        .var("VIRTUAL_ENV", t.path("venv"))
        .var("LD_LIBRARY_PATH", &ld)
        .var("PKG_CONFIG_PATH", &pcdir);
    assert_eq!(
        found(&all).dir(),
        explicit,
        "OPENVINO_LIB_PATH beats everything"
    );
    let all = all.var("OPENVINO_LIB_PATH", "");
    assert_eq!(
        found(&all).dir(),
        ld,
        "LD_LIBRARY_PATH beats pkg-config and Python"
    );
    let all = all.var("LD_LIBRARY_PATH", "");
    assert_eq!(found(&all).dir(), pc_lib, "pkg-config beats Python");
    let all = all.var("PKG_CONFIG_PATH", "");
    assert_eq!(found(&all).dir(), venv, "a venv beats the distro folders");
    assert_eq!(found(&t.finder()).dir(), distro);
}

#[test]
fn highest_version_is_picked_numerically() {
    let t = Tree::new();
    let dir = t.files(
        "lib",
        &[
            "libopenvino_c.so.2026.9.0",
            "libopenvino_c.so.2026.10.0",
            "libopenvino.so.2026.10.0",
        ],
    );
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &dir));
    assert_eq!(lib.file_name(), "libopenvino_c.so.2026.10.0");

    let dir = t.files(
        "lib2",
        &[
            "libopenvino_c.so.2541",
            "libopenvino_c.so.2641",
            "libopenvino.so.2641",
        ],
    );
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &dir));
    assert_eq!(lib.file_name(), "libopenvino_c.so.2641");

    let dir = t.files(
        "lib3",
        &[
            "libopenvino_c.so.2641",
            "libopenvino_c.so.26101",
            "libopenvino.so.26101",
        ],
    );
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &dir));
    assert_eq!(lib.version().unwrap().to_string(), "2026.10.1");
}

#[test]
fn old_versions_are_rejected_and_the_search_goes_on() {
    let t = Tree::new();
    let old = t.install("old", "2341");
    let good = t.install("usr/lib/x86_64-linux-gnu", "2641");
    let finder = t.finder().var("OPENVINO_LIB_PATH", &old);
    assert_eq!(found(&finder).dir(), good);
    let probe = finder.probe();
    assert_eq!(
        probe.candidates[0].verdict,
        Verdict::UnsupportedVersion("2023.4.1".parse().unwrap())
    );
    assert!(probe.to_string().contains("older than 2025.1.0"), "{probe}");
}

#[test]
fn missing_companion_is_rejected() {
    let t = Tree::new();
    let lonely = t.files("lonely", &["libopenvino_c.so.2641"]);
    let finder = t.finder().var("OPENVINO_LIB_PATH", &lonely);
    let err = finder.find().unwrap_err();
    let Error::NotFound { probe } = &err;
    assert_eq!(probe.candidates[0].verdict, Verdict::MissingCompanion);
}

#[test]
fn not_found_error_lists_places_and_the_fix() {
    let t = Tree::new();
    let err = t
        .finder()
        .var("OPENVINO_LIB_PATH", t.path("nowhere"))
        .find()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&t.path("nowhere").display().to_string()),
        "{text}"
    );
    assert!(text.contains("no such folder"), "{text}");
    assert!(text.contains("usr/lib/x86_64-linux-gnu"), "{text}");
    assert!(text.contains("scripts/install-openvino"), "{text}");
    assert!(text.contains("OPENVINO_LIB_PATH"), "{text}");
}

#[test]
fn probe_lists_every_candidate_in_order() {
    let t = Tree::new();
    let a = t.install("a", "2641");
    let finder = t
        .finder()
        .var("OPENVINO_LIB_PATH", &a)
        .var("OPENVINO_INSTALL_DIR", t.path("ov"));
    let probe = finder.probe();
    assert_eq!(probe.candidates[0].verdict, Verdict::Accepted);
    assert_eq!(probe.candidates[1].source, Source::OpenvinoInstallDir);
    assert_eq!(probe.candidates[1].verdict, Verdict::NotADirectory);
    assert_eq!(probe.found().unwrap().path, a.join("libopenvino_c.so.2641"));
    assert!(probe.candidates.iter().any(|c| c.source == Source::Distro));
}

#[test]
fn file_names_parse() {
    assert_eq!(
        library_version("openvino_c", "libopenvino_c.so"),
        Some(None)
    );
    assert_eq!(
        library_version("openvino_c", "libopenvino_c.so.2641"),
        Some(Some("2026.4.1".parse().unwrap()))
    );
    assert_eq!(
        library_version("openvino_c", "libopenvino_c.2641.dylib"),
        Some(Some("2026.4.1".parse().unwrap()))
    );
    assert_eq!(
        library_version("openvino_c", "libopenvino_c.dylib"),
        Some(None)
    );
    assert_eq!(library_version("openvino_c", "openvino_c.dll"), Some(None));
    assert_eq!(library_version("openvino", "libopenvino_c.so"), None);
    assert_eq!(library_version("openvino_c", "libopenvino_c.so.abc"), None);
    assert_eq!(
        library_version("openvino_c", "libopenvino_c_extra.so"),
        None
    );
    assert_eq!(
        "2026.x".parse::<Version>().map_err(|e| e.to_string()),
        Err("\"2026.x\" is not a version like 2026.4.1".into())
    );
}
