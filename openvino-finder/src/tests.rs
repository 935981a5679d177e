//! Fake install trees (empty files named like the real ones) for every layout the finder knows,
//! and the precedence between them.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A temporary folder used as the system root, removed on drop.
struct Tree {
    root: PathBuf,
}

impl Tree {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "openvino-finder-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Self { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Creates `dir` and empty files named `names` in it.
    fn files(&self, dir: &str, names: &[&str]) -> PathBuf {
        let dir = self.path(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for name in names {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        dir
    }

    /// A usable install with versioned names only, as the wheel and apt ship it:
    /// `libopenvino_c.so.<suffix>` and `libopenvino.so.<suffix>`.
    fn install(&self, dir: &str, suffix: &str) -> PathBuf {
        self.files(
            dir,
            &[
                &format!("libopenvino_c.so.{suffix}"),
                &format!("libopenvino.so.{suffix}"),
            ],
        )
    }

    /// `openvino/c/openvino.h` under `include`.
    fn header(&self, include: &str) -> PathBuf {
        self.files(&format!("{include}/openvino/c"), &["openvino.h"]);
        self.path(include)
    }

    /// Writes `openvino.pc` with `text` into `dir`.
    fn pc(&self, dir: &str, text: &str) -> PathBuf {
        let pc = self.files(dir, &[]).join("openvino.pc");
        std::fs::write(&pc, text).unwrap();
        pc
    }

    /// A finder that sees nothing of the real machine: no variables, this tree as system root.
    fn finder(&self) -> Finder {
        Finder::empty().system_root(&self.root)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[track_caller]
fn found(finder: &Finder) -> Library {
    finder.find().unwrap_or_else(|e| panic!("{e}"))
}

fn v(s: &str) -> Version {
    s.parse().unwrap()
}

fn verdict_of(probe: &Probe, path: &Path) -> Verdict {
    let candidate = probe.candidates.iter().find(|c| c.path == path);
    candidate
        .unwrap_or_else(|| panic!("{} not in\n{probe}", path.display()))
        .verdict
        .clone()
}

// ---- one test per layout -------------------------------------------------------------------

#[test]
fn venv_wheel_with_versioned_names_only_is_found() {
    let t = Tree::new();
    let libs = t.install("venv/lib/python3.11/site-packages/openvino/libs", "2641");
    let include = t.header("venv/lib/python3.11/site-packages/openvino/include");
    let lib = found(&t.finder().var("VIRTUAL_ENV", t.path("venv")));
    assert_eq!(lib.path(), libs.join("libopenvino_c.so.2641"));
    assert_eq!(lib.dir(), libs);
    assert_eq!(lib.file_name(), "libopenvino_c.so.2641");
    assert_eq!(lib.version(), Some(&v("2026.4.1")));
    assert_eq!(lib.source(), &Source::VirtualEnv);
    assert_eq!(lib.include_dir(), Some(include));
}

#[test]
fn venv_with_several_pythons_prefers_the_highest_numerically() {
    let t = Tree::new();
    t.install("venv/lib/python3.9/site-packages/openvino/libs", "2641");
    let newest = t.install("venv/lib/python3.12/site-packages/openvino/libs", "2641");
    let lib = found(&t.finder().var("VIRTUAL_ENV", t.path("venv")));
    assert_eq!(lib.dir(), newest, "python3.12 comes before python3.9");
}

#[test]
fn conda_package_in_prefix_lib_is_found_before_the_conda_wheel() {
    let t = Tree::new();
    let conda_lib = t.files("conda/lib", &["libopenvino_c.so", "libopenvino.so"]);
    t.install("conda/lib/python3.11/site-packages/openvino/libs", "2641");
    let include = t.header("conda/include");
    let lib = found(&t.finder().var("CONDA_PREFIX", t.path("conda")));
    assert_eq!(lib.path(), conda_lib.join("libopenvino_c.so"));
    assert_eq!(
        lib.version(),
        None,
        "an unversioned name carries no version"
    );
    assert_eq!(lib.source(), &Source::Conda);
    assert_eq!(lib.include_dir(), Some(include));
}

#[test]
fn conda_wheel_in_site_packages_is_found() {
    let t = Tree::new();
    t.files("conda/lib", &["libz.so"]);
    let wheel = t.install("conda/lib/python3.11/site-packages/openvino/libs", "2641");
    let lib = found(&t.finder().var("CONDA_PREFIX", t.path("conda")));
    assert_eq!((lib.dir(), lib.source()), (wheel.as_path(), &Source::Conda));
}

#[test]
fn user_site_wheel_is_found_under_home() {
    let t = Tree::new();
    let user = t.install(
        "home/.local/lib/python3.12/site-packages/openvino/libs",
        "2641",
    );
    let lib = found(&t.finder().var("HOME", t.path("home")));
    assert_eq!(
        (lib.dir(), lib.source()),
        (user.as_path(), &Source::PythonUserSite)
    );
}

#[test]
fn pyenv_wheel_is_found_under_home_pyenv_newest_version_first() {
    let t = Tree::new();
    t.install(
        "home/.pyenv/versions/3.9.18/lib/python3.9/site-packages/openvino/libs",
        "2641",
    );
    let newest = t.install(
        "home/.pyenv/versions/3.12.1/lib/python3.12/site-packages/openvino/libs",
        "2641",
    );
    let lib = found(&t.finder().var("HOME", t.path("home")));
    assert_eq!(
        (lib.dir(), lib.source()),
        (newest.as_path(), &Source::Pyenv)
    );
}

#[test]
fn pyenv_root_replaces_home_pyenv() {
    let t = Tree::new();
    t.install(
        "home/.pyenv/versions/3.12.1/lib/python3.12/site-packages/openvino/libs",
        "2641",
    );
    let custom = t.install(
        "pyenv/versions/3.11.7/lib/python3.11/site-packages/openvino/libs",
        "2641",
    );
    let finder = t
        .finder()
        .var("HOME", t.path("home"))
        .var("PYENV_ROOT", t.path("pyenv"));
    assert_eq!(found(&finder).dir(), custom);
}

#[test]
fn system_site_wheels_are_found_in_usr_local_then_usr_lib() {
    let t = Tree::new();
    let debian = t.install("usr/lib/python3/dist-packages/openvino/libs", "2641");
    let lib = found(&t.finder());
    assert_eq!(
        (lib.dir(), lib.source()),
        (debian.as_path(), &Source::PythonSystemSite)
    );

    let local = t.install(
        "usr/local/lib/python3.11/dist-packages/openvino/libs",
        "2641",
    );
    assert_eq!(found(&t.finder()).dir(), local, "/usr/local comes first");

    let t = Tree::new();
    let site = t.install("usr/lib/python3.12/site-packages/openvino/libs", "2641");
    assert_eq!(found(&t.finder()).dir(), site);
}

#[test]
fn install_dir_finds_the_official_archive_layout() {
    let t = Tree::new();
    let dir = t.install("ov/runtime/lib/intel64", "2026.4.1");
    let include = t.header("ov/runtime/include");
    let lib = found(&t.finder().var("OPENVINO_INSTALL_DIR", t.path("ov")));
    assert_eq!(lib.path(), dir.join("libopenvino_c.so.2026.4.1"));
    assert_eq!(lib.source(), &Source::OpenvinoInstallDir);
    assert_eq!(lib.include_dir(), Some(include));
}

#[test]
fn install_dir_finds_arm64_release_and_plain_prefix_layouts() {
    let t = Tree::new();
    let arm = t.install("ov/runtime/lib/arm64/Release", "2641");
    assert_eq!(
        found(&t.finder().var("OPENVINO_INSTALL_DIR", t.path("ov"))).dir(),
        arm
    );

    let t = Tree::new();
    let lib64 = t.install("prefix/lib64", "2641");
    let include = t.header("prefix/include");
    let lib = found(&t.finder().var("OPENVINO_INSTALL_DIR", t.path("prefix")));
    assert_eq!(
        (lib.dir(), lib.include_dir()),
        (lib64.as_path(), Some(include))
    );
}

#[test]
fn intel_openvino_dir_from_setupvars_finds_the_archive() {
    let t = Tree::new();
    let dir = t.install("ov/runtime/lib/intel64", "2641");
    let lib = found(&t.finder().var("INTEL_OPENVINO_DIR", t.path("ov")));
    assert_eq!(
        (lib.dir(), lib.source()),
        (dir.as_path(), &Source::IntelOpenvinoDir)
    );
}

#[test]
fn opt_intel_default_archive_is_found_highest_version_first() {
    let t = Tree::new();
    t.install("opt/intel/openvino/runtime/lib/intel64", "2641");
    t.install("opt/intel/openvino_2025/runtime/lib/intel64", "2510");
    t.install("opt/intel/openvino_2026.4.1/runtime/lib/intel64", "2641");
    let newest = t.install("opt/intel/openvino_2026.10.0/runtime/lib/intel64", "26100");
    t.header("opt/intel/openvino_2026.10.0/runtime/include");
    let lib = found(&t.finder());
    assert_eq!(
        (lib.dir(), lib.source()),
        (newest.as_path(), &Source::OfficialArchive)
    );
    assert_eq!(lib.version(), Some(&v("2026.10.0")));
    assert!(
        lib.include_dir()
            .unwrap()
            .ends_with("openvino_2026.10.0/runtime/include")
    );
}

#[test]
fn opt_intel_2026_4_1_archive_is_found() {
    let t = Tree::new();
    let dir = t.install("opt/intel/openvino_2026.4.1/runtime/lib/intel64", "2641");
    let lib = found(&t.finder());
    assert_eq!(
        (lib.dir(), lib.source()),
        (dir.as_path(), &Source::OfficialArchive)
    );
}

#[test]
fn apt_multiarch_dir_with_versioned_names_only_is_found() {
    let t = Tree::new();
    let dir = t.install("usr/lib/x86_64-linux-gnu", "2641");
    let include = t.header("usr/include");
    let lib = found(&t.finder());
    assert_eq!(lib.path(), dir.join("libopenvino_c.so.2641"));
    assert_eq!(lib.source(), &Source::Distro);
    assert_eq!(lib.include_dir(), Some(include));
}

#[test]
fn build_dir_finds_release_before_debug_and_has_no_include_dir() {
    let t = Tree::new();
    t.files(
        "build/bin/intel64/Debug",
        &["libopenvino_c.so", "libopenvino.so"],
    );
    let release = t.files(
        "build/bin/intel64/Release",
        &["libopenvino_c.so", "libopenvino.so"],
    );
    let lib = found(&t.finder().var("OPENVINO_BUILD_DIR", t.path("build")));
    assert_eq!(
        (lib.dir(), lib.source()),
        (release.as_path(), &Source::OpenvinoBuildDir)
    );
    assert_eq!(lib.include_dir(), None);
}

#[test]
fn build_dir_finds_aarch64_release() {
    let t = Tree::new();
    let dir = t.files(
        "build/bin/aarch64/Release",
        &["libopenvino_c.so", "libopenvino.so"],
    );
    assert_eq!(
        found(&t.finder().var("OPENVINO_BUILD_DIR", t.path("build"))).dir(),
        dir
    );
}

#[test]
fn pkg_config_file_in_pkg_config_path_is_read_with_prefix_expansion() {
    let t = Tree::new();
    let dir = t.install("prefix/lib/custom", "2641");
    let include = t.header("prefix/inc");
    let text = format!(
        "prefix={}\nexec_prefix=${{prefix}}\nlibdir=${{exec_prefix}}/lib/custom\nincludedir=${{prefix}}/inc\n\nName: OpenVINO\nLibs: -L${{libdir}} -lopenvino_c\n",
        t.path("prefix").display()
    );
    t.pc("pc", &text);
    let lib = found(&t.finder().var("PKG_CONFIG_PATH", t.path("pc")));
    assert_eq!(lib.dir(), std::fs::canonicalize(&dir).unwrap());
    assert_eq!(lib.source(), &Source::PkgConfig);
    assert_eq!(
        lib.include_dir().map(|d| std::fs::canonicalize(d).unwrap()),
        Some(std::fs::canonicalize(include).unwrap())
    );
}

#[test]
fn pkg_config_file_relative_to_pcfiledir_like_openvinos_own() {
    let t = Tree::new();
    let dir = t.install("ov/runtime/lib/intel64", "2641");
    t.pc(
        "ov/runtime/lib/intel64/pkgconfig",
        "pc_path=${pcfiledir}\nprefix=${pc_path}/../../../..\nexec_prefix=${prefix}/runtime/lib/intel64\nlibdir=${exec_prefix}\n",
    );
    let finder = t.finder().var(
        "PKG_CONFIG_PATH",
        t.path("ov/runtime/lib/intel64/pkgconfig"),
    );
    let lib = found(&finder);
    assert_eq!(
        lib.path(),
        std::fs::canonicalize(&dir)
            .unwrap()
            .join("libopenvino_c.so.2641")
    );
}

#[test]
fn pkg_config_default_dirs_under_the_system_root_are_read() {
    let t = Tree::new();
    let dir = t.install("opt/vendor/lib", "2641");
    t.pc(
        "usr/lib/x86_64-linux-gnu/pkgconfig",
        &format!("libdir={}\n", dir.display()),
    );
    let lib = found(&t.finder());
    assert_eq!(lib.dir(), std::fs::canonicalize(dir).unwrap());
    assert_eq!(lib.source(), &Source::PkgConfig);
}

#[test]
fn pkg_config_file_without_libdir_is_listed_as_unusable() {
    let t = Tree::new();
    let pc = t.pc("pc", "prefix=/usr\nName: OpenVINO\n");
    let probe = t.finder().var("PKG_CONFIG_PATH", t.path("pc")).probe();
    assert_eq!(
        verdict_of(&probe, &pc),
        Verdict::Unreadable("openvino.pc: it defines no libdir".into())
    );
    assert!(
        probe
            .to_string()
            .contains("[rejected: openvino.pc: it defines no libdir]"),
        "{probe}"
    );
}

#[test]
fn ld_library_path_entries_are_tried_in_order_skipping_empty_ones() {
    let t = Tree::new();
    let a = t.install("a", "2641");
    let b = t.install("b", "2641");
    let paths = std::env::join_paths([t.path("missing"), PathBuf::new(), a.clone(), b]).unwrap();
    let finder = t.finder().var("LD_LIBRARY_PATH", paths);
    let lib = found(&finder);
    assert_eq!(lib.dir(), a);
    assert_eq!(lib.source(), &Source::LibraryPath("LD_LIBRARY_PATH".into()));
    let probe = finder.probe();
    assert_eq!(probe.candidates[0].path, t.path("missing"));
    assert_eq!(probe.candidates[0].verdict, Verdict::Missing);
    assert!(
        probe
            .candidates
            .iter()
            .all(|c| !c.path.as_os_str().is_empty())
    );
}

#[test]
fn dyld_library_path_then_path_are_searched_after_ld_library_path() {
    let t = Tree::new();
    let dyld = t.files(
        "dyld",
        &["libopenvino_c.2641.dylib", "libopenvino.2641.dylib"],
    );
    let bin = t.files("bin", &["openvino_c.dll", "openvino.dll"]);
    let finder = t.finder().var("DYLD_LIBRARY_PATH", &dyld).var("PATH", &bin);
    let lib = found(&finder);
    assert_eq!(lib.path(), dyld.join("libopenvino_c.2641.dylib"));
    assert_eq!(
        lib.source(),
        &Source::LibraryPath("DYLD_LIBRARY_PATH".into())
    );
    let lib = found(&finder.var("DYLD_LIBRARY_PATH", ""));
    assert_eq!(lib.path(), bin.join("openvino_c.dll"));
    assert_eq!(lib.source(), &Source::LibraryPath("PATH".into()));
}

#[test]
fn lib_path_accepts_a_folder() {
    let t = Tree::new();
    let dir = t.install("mine", "2641");
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &dir));
    assert_eq!(lib.path(), dir.join("libopenvino_c.so.2641"));
    assert_eq!(lib.source(), &Source::OpenvinoLibPath);
}

#[test]
fn lib_path_accepts_the_library_file_itself() {
    let t = Tree::new();
    let dir = t.files(
        "mine",
        &[
            "libopenvino_c.so",
            "libopenvino_c.so.2641",
            "libopenvino.so.2641",
        ],
    );
    let file = dir.join("libopenvino_c.so");
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &file));
    assert_eq!(
        lib.path(),
        file,
        "the named file, not the highest version beside it"
    );
    assert_eq!(lib.source(), &Source::OpenvinoLibPath);
}

#[test]
fn lib_path_naming_another_file_is_rejected_as_not_a_directory() {
    let t = Tree::new();
    let dir = t.install("mine", "2641");
    let other = dir.join("libopenvino.so.2641");
    let probe = t.finder().var("OPENVINO_LIB_PATH", &other).probe();
    assert_eq!(probe.candidates[0].verdict, Verdict::NotADirectory);
    assert!(
        probe
            .to_string()
            .contains("neither a folder nor a libopenvino_c file")
    );
}

#[test]
fn workspace_install_uses_its_libs_and_include() {
    let t = Tree::new();
    let libs = t.install("ws/upstream/openvino/libs", "2641");
    let include = t.header("ws/upstream/openvino/include");
    let lib = found(&t.finder().workspace_install(t.path("ws/upstream/openvino")));
    assert_eq!(
        (lib.dir(), lib.source()),
        (libs.as_path(), &Source::Workspace)
    );
    assert_eq!(lib.include_dir(), Some(include));
}

// ---- precedence ----------------------------------------------------------------------------

#[test]
fn lib_path_beats_a_venv() {
    let t = Tree::new();
    let explicit = t.install("explicit", "2641");
    t.install("venv/lib/python3.11/site-packages/openvino/libs", "2641");
    let finder = t
        .finder()
        .var("VIRTUAL_ENV", t.path("venv"))
        .var("OPENVINO_LIB_PATH", &explicit);
    assert_eq!(found(&finder).dir(), explicit);
}

#[test]
fn venv_beats_distro() {
    let t = Tree::new();
    let venv = t.install("venv/lib/python3.11/site-packages/openvino/libs", "2641");
    t.install("usr/lib/x86_64-linux-gnu", "2641");
    assert_eq!(
        found(&t.finder().var("VIRTUAL_ENV", t.path("venv"))).dir(),
        venv
    );
}

#[test]
fn ld_library_path_beats_pkg_config() {
    let t = Tree::new();
    let ld = t.install("ld", "2641");
    let pc_lib = t.install("pclib", "2641");
    t.pc("pc", &format!("libdir={}\n", pc_lib.display()));
    let finder = t
        .finder()
        .var("PKG_CONFIG_PATH", t.path("pc"))
        .var("LD_LIBRARY_PATH", &ld);
    assert_eq!(found(&finder).dir(), ld);
}

#[test]
fn every_step_beats_the_ones_after_it_in_the_documented_order() {
    let t = Tree::new();
    let steps: Vec<(&str, PathBuf)> = vec![
        ("OPENVINO_LIB_PATH", t.install("explicit", "2641")),
        (
            "OPENVINO_INSTALL_DIR",
            t.install("inst/runtime/lib/intel64", "2641"),
        ),
        (
            "OPENVINO_BUILD_DIR",
            t.install("build/bin/intel64/Release", "2641"),
        ),
        (
            "INTEL_OPENVINO_DIR",
            t.install("setupvars/runtime/lib/intel64", "2641"),
        ),
        ("LD_LIBRARY_PATH", t.install("ld", "2641")),
        ("DYLD_LIBRARY_PATH", t.install("dyld", "2641")),
        ("PATH", t.install("path", "2641")),
        ("PKG_CONFIG_PATH", t.install("pclib", "2641")),
        (
            "VIRTUAL_ENV",
            t.install("venv/lib/python3.11/site-packages/openvino/libs", "2641"),
        ),
        ("CONDA_PREFIX", t.install("conda/lib", "2641")),
        (
            "HOME",
            t.install(
                "home/.local/lib/python3.11/site-packages/openvino/libs",
                "2641",
            ),
        ),
        (
            "PYENV_ROOT",
            t.install(
                "pyenv/versions/3.11.7/lib/python3.11/site-packages/openvino/libs",
                "2641",
            ),
        ),
    ];
    t.pc("pc", &format!("libdir={}\n", t.path("pclib").display()));
    let values = [
        t.path("explicit"),
        t.path("inst"),
        t.path("build"),
        t.path("setupvars"),
        t.path("ld"),
        t.path("dyld"),
        t.path("path"),
        t.path("pc"),
        t.path("venv"),
        t.path("conda"),
        t.path("home"),
        t.path("pyenv"),
    ];
    let system_site = t.install(
        "usr/local/lib/python3.11/site-packages/openvino/libs",
        "2641",
    );
    let workspace = t.install("ws/libs", "2641");
    let archive = t.install("opt/intel/openvino_2026.4.1/runtime/lib/intel64", "2641");
    let distro = t.install("usr/lib/x86_64-linux-gnu", "2641");

    let mut finder = t.finder().workspace_install(t.path("ws"));
    for ((var, _), value) in steps.iter().zip(&values) {
        finder = finder.var(var, value);
    }
    for (var, expected) in &steps {
        let expected = std::fs::canonicalize(expected).unwrap();
        let dir = std::fs::canonicalize(found(&finder).dir()).unwrap();
        assert_eq!(dir, expected, "{var} should win now");
        finder = finder.var(var, "");
    }
    assert_eq!(found(&finder).dir(), system_site);
    std::fs::remove_dir_all(&system_site).unwrap();
    assert_eq!(found(&finder).dir(), workspace);
    let finder = finder.workspace_install(t.path("nowhere"));
    assert_eq!(found(&finder).dir(), archive);
    std::fs::remove_dir_all(t.path("opt")).unwrap();
    assert_eq!(found(&finder).dir(), distro);
}

// ---- which file in a folder ----------------------------------------------------------------

#[test]
fn highest_version_wins_numerically_not_textually() {
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
    assert_eq!(lib.version(), Some(&v("2026.10.0")));
}

#[test]
fn compact_soname_2641_beats_2541() {
    let t = Tree::new();
    let dir = t.files(
        "lib",
        &[
            "libopenvino_c.so.2541",
            "libopenvino_c.so.2641",
            "libopenvino.so.2641",
        ],
    );
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &dir));
    assert_eq!(lib.file_name(), "libopenvino_c.so.2641");
}

#[test]
fn five_digit_compact_soname_reads_a_two_digit_minor() {
    let t = Tree::new();
    let dir = t.files(
        "lib",
        &[
            "libopenvino_c.so.2691",
            "libopenvino_c.so.26101",
            "libopenvino.so.26101",
        ],
    );
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &dir));
    assert_eq!(lib.file_name(), "libopenvino_c.so.26101");
    assert_eq!(lib.version(), Some(&v("2026.10.1")));
}

#[test]
fn a_versioned_name_beats_the_unversioned_one() {
    let t = Tree::new();
    let dir = t.files(
        "lib",
        &[
            "libopenvino_c.so",
            "libopenvino_c.so.2641",
            "libopenvino.so",
        ],
    );
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &dir));
    assert_eq!(lib.file_name(), "libopenvino_c.so.2641");
}

#[cfg(unix)]
#[test]
fn symlink_chain_reports_the_real_versioned_file() {
    use std::os::unix::fs::symlink;
    let t = Tree::new();
    // The archive's chain: libopenvino_c.so -> .so.2641 -> .so.2026.4.1 (the real file).
    let archive = t.files("archive", &["libopenvino_c.so.2026.4.1", "libopenvino.so"]);
    symlink(
        "libopenvino_c.so.2026.4.1",
        archive.join("libopenvino_c.so.2641"),
    )
    .unwrap();
    symlink("libopenvino_c.so.2641", archive.join("libopenvino_c.so")).unwrap();
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &archive));
    assert_eq!(lib.file_name(), "libopenvino_c.so.2026.4.1");

    // The other way round, so that the alphabetical order would pick the symlink.
    let reverse = t.files("reverse", &["libopenvino_c.so.2641", "libopenvino.so"]);
    symlink(
        "libopenvino_c.so.2641",
        reverse.join("libopenvino_c.so.2026.4.1"),
    )
    .unwrap();
    symlink("libopenvino_c.so.2641", reverse.join("libopenvino_c.so")).unwrap();
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &reverse));
    assert_eq!(
        lib.file_name(),
        "libopenvino_c.so.2641",
        "the real file, not its symlinks"
    );
    assert_eq!(lib.version(), Some(&v("2026.4.1")));
}

#[cfg(unix)]
#[test]
fn unversioned_symlink_takes_its_version_from_the_target() {
    use std::os::unix::fs::symlink;
    let t = Tree::new();
    let new = t.files("new", &["libopenvino_c.so.2641", "libopenvino.so"]);
    symlink(
        new.join("libopenvino_c.so.2641"),
        t.path("libopenvino_c.so"),
    )
    .unwrap();
    t.files("", &["libopenvino.so"]);
    let lib = found(
        &t.finder()
            .var("OPENVINO_LIB_PATH", t.path("libopenvino_c.so")),
    );
    assert_eq!(lib.path(), t.path("libopenvino_c.so"));
    assert_eq!(lib.version(), Some(&v("2026.4.1")));

    let old = t.files("old", &["libopenvino_c.so.2341", "libopenvino.so"]);
    symlink(
        old.join("libopenvino_c.so.2341"),
        old.join("libopenvino_c.so"),
    )
    .unwrap();
    let probe = t
        .finder()
        .var("OPENVINO_LIB_PATH", old.join("libopenvino_c.so"))
        .probe();
    assert_eq!(
        probe.candidates[0].verdict,
        Verdict::UnsupportedVersion(v("2023.4.1"))
    );
}

#[test]
fn unversioned_name_alone_is_taken_without_a_version() {
    let t = Tree::new();
    let dir = t.files("lib", &["libopenvino_c.so", "libopenvino.so"]);
    let lib = found(&t.finder().var("OPENVINO_LIB_PATH", &dir));
    assert_eq!((lib.file_name(), lib.version()), ("libopenvino_c.so", None));
    assert_eq!(
        lib.to_string(),
        format!("{} (OPENVINO_LIB_PATH)", lib.path().display())
    );
}

#[test]
fn old_version_is_rejected_and_the_search_falls_through_to_the_next_layout() {
    let t = Tree::new();
    let old = t.install("venv/lib/python3.11/site-packages/openvino/libs", "2341");
    let good = t.install("usr/lib/x86_64-linux-gnu", "2641");
    let finder = t.finder().var("VIRTUAL_ENV", t.path("venv"));
    let lib = found(&finder);
    assert_eq!((lib.dir(), lib.source()), (good.as_path(), &Source::Distro));
    let probe = finder.probe();
    assert_eq!(
        verdict_of(&probe, &old),
        Verdict::UnsupportedVersion(v("2023.4.1"))
    );
    assert!(
        probe
            .to_string()
            .contains("version 2023.4.1 is older than 2024.3.0"),
        "{probe}"
    );
}

#[test]
fn missing_companion_is_rejected_and_the_search_goes_on() {
    let t = Tree::new();
    let lonely = t.files(
        "lonely",
        &["libopenvino_c.so.2641", "libopenvino_intel_cpu_plugin.so"],
    );
    let good = t.install("usr/lib64", "2641");
    let finder = t.finder().var("OPENVINO_LIB_PATH", &lonely);
    assert_eq!(found(&finder).dir(), good);
    assert_eq!(
        verdict_of(&finder.probe(), &lonely),
        Verdict::MissingCompanion
    );
}

// ---- probe and error -----------------------------------------------------------------------

#[test]
fn not_found_error_lists_every_place_looked_and_the_fix() {
    let t = Tree::new();
    let err = t
        .finder()
        .var("OPENVINO_LIB_PATH", t.path("nowhere"))
        .var("VIRTUAL_ENV", t.path("venv"))
        .find()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("OpenVINO C library (libopenvino_c) not found; looked in:\n"),
        "{text}"
    );
    for line in &err.probe().candidates {
        let shown = format!("] {} ({})\n", line.path.display(), line.source);
        assert!(text.contains(&shown), "{shown:?} missing from\n{text}");
    }
    assert!(text.contains(&format!(
        "  [rejected: no libopenvino_c here] {} (OPENVINO_LIB_PATH)\n",
        t.path("nowhere").display()
    )));
    assert!(
        text.contains("venv/lib/python3.*/site-packages/openvino/libs"),
        "{text}"
    );
    assert!(text.contains("opt/intel/openvino*"), "{text}");
    assert!(
        text.contains("usr/lib/x86_64-linux-gnu (distro library folder)"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "run scripts/install-openvino, `pip install openvino`, or set OPENVINO_LIB_PATH to the \
         folder holding libopenvino_c (OpenVINO 2024.3.0 or newer)"
        ),
        "{text}"
    );
}

#[test]
fn probe_lists_rejected_candidates_with_reasons_in_search_order() {
    let t = Tree::new();
    let old = t.install("old", "2341");
    let lonely = t.files("lonely", &["libopenvino_c.so"]);
    let empty = t.files("empty", &["libz.so"]);
    let good = t.install("good", "2641");
    let paths = std::env::join_paths([&old, &lonely, &empty, &t.path("gone"), &good]).unwrap();
    let probe = t.finder().var("LD_LIBRARY_PATH", paths).probe();
    let head: Vec<_> = probe.candidates[..5]
        .iter()
        .map(|c| c.verdict.clone())
        .collect();
    assert_eq!(
        head,
        [
            Verdict::UnsupportedVersion(v("2023.4.1")),
            Verdict::MissingCompanion,
            Verdict::Missing,
            Verdict::Missing,
            Verdict::Accepted,
        ]
    );
    assert_eq!(
        probe.found().unwrap().path,
        good.join("libopenvino_c.so.2641")
    );
    let text = probe.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let ld = "(LD_LIBRARY_PATH entry)";
    assert_eq!(
        lines[0],
        format!(
            "  [rejected: version 2023.4.1 is older than 2024.3.0] {} {ld}",
            old.display()
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "  [rejected: libopenvino_c without the core library libopenvino beside it] {} {ld}",
            lonely.display()
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "  [rejected: no libopenvino_c here] {} {ld}",
            empty.display()
        )
    );
    assert_eq!(
        lines[4],
        format!(
            "  [taken] {} {ld}",
            good.join("libopenvino_c.so.2641").display()
        )
    );
}

#[test]
fn probe_goes_past_the_first_accepted_candidate_and_found_is_what_find_returns() {
    let t = Tree::new();
    let first = t.install("first", "2641");
    let distro = t.install("usr/lib/x86_64-linux-gnu", "2541");
    let finder = t.finder().var("OPENVINO_LIB_PATH", &first);
    let probe = finder.probe();
    assert_eq!(probe.found().unwrap().path, found(&finder).path());
    assert_eq!(
        verdict_of(&probe, &distro.join("libopenvino_c.so.2541")),
        Verdict::Accepted,
        "the shadowed install is shown too"
    );
}

#[test]
fn a_folder_reached_twice_is_looked_at_once() {
    let t = Tree::new();
    let distro = t.path("usr/lib");
    let probe = t.finder().var("LD_LIBRARY_PATH", &distro).probe();
    let hits: Vec<_> = probe
        .candidates
        .iter()
        .filter(|c| c.path == distro)
        .collect();
    assert_eq!(hits.len(), 1, "{probe}");
    assert_eq!(
        hits[0].source,
        Source::LibraryPath("LD_LIBRARY_PATH".into())
    );
}

#[test]
fn unset_variables_add_no_candidates_and_empty_values_count_as_unset() {
    let t = Tree::new();
    let bare = t.finder().probe();
    let with_empty = t
        .finder()
        .var("OPENVINO_LIB_PATH", "")
        .var("OPENVINO_INSTALL_DIR", "")
        .var("LD_LIBRARY_PATH", "")
        .probe();
    assert_eq!(bare, with_empty);
    assert!(
        bare.candidates.iter().all(|c| c.path.starts_with(&t.root)),
        "{bare}"
    );
}

#[test]
fn archive_candidates_follow_the_documented_layout_order() {
    let t = Tree::new();
    let probe = t.finder().var("OPENVINO_INSTALL_DIR", t.path("ov")).probe();
    let archive: Vec<PathBuf> = probe
        .candidates
        .iter()
        .filter(|c| c.source == Source::OpenvinoInstallDir)
        .map(|c| c.path.strip_prefix(t.path("ov")).unwrap().to_owned())
        .collect();
    let expected: Vec<PathBuf> = ARCHIVE_LAYOUT.iter().map(PathBuf::from).collect();
    assert_eq!(archive, expected);
    assert!(
        probe
            .candidates
            .iter()
            .all(|c| c.verdict == Verdict::Missing)
    );
}
