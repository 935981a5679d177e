//! Finds an installed OpenVINO C library (`libopenvino_c`), for `openvino-sys`'s build script
//! and its run-time loader. Pure Rust: it only looks at environment variables and files.
//!
//! # Search order
//! The first folder holding an acceptable library wins:
//!
//! 1. `OPENVINO_LIB_PATH`: the folder holding the library, or the library file itself.
//! 2. `OPENVINO_INSTALL_DIR`: an official archive (`runtime/lib/intel64`, `runtime/lib/aarch64`,
//!    `runtime/lib/arm64/Release`, ...), or a prefix with `lib`/`lib64`.
//! 3. `OPENVINO_BUILD_DIR`: a build tree (`bin/intel64/Release`, `bin/aarch64/Release`, ...).
//! 4. `INTEL_OPENVINO_DIR`, as set by the official `setupvars.sh` (archive layout).
//! 5. `LD_LIBRARY_PATH`, then `DYLD_LIBRARY_PATH`, then `PATH` entries.
//! 6. pkg-config: `openvino.pc` in `PKG_CONFIG_PATH` and the default pkg-config folders; its
//!    `libdir` (with `${prefix}`-style variables expanded). No `pkg-config` binary is needed.
//! 7. Python installs of the `openvino` wheel (`openvino/libs` in a site-packages): the active
//!    `VIRTUAL_ENV`, `CONDA_PREFIX` (conda's own package in `$CONDA_PREFIX/lib` first), the user
//!    site (`~/.local/lib/python3.*`), pyenv (`$PYENV_ROOT` or `~/.pyenv`), then the system
//!    site-packages. Several Python versions: the newest first.
//! 8. The workspace's own install (see [`Finder::workspace_install`]), made by
//!    `scripts/install-openvino`.
//! 9. Official archive defaults: `/opt/intel/openvino*`, the newest version first.
//! 10. Distro folders: `/usr/lib/x86_64-linux-gnu`, `/usr/lib/aarch64-linux-gnu`, `/usr/lib64`,
//!     `/usr/lib`, `/usr/local/lib`, `/usr/local/lib64`.
//!
//! # Which file
//! In a folder, the library may be `libopenvino_c.so` or carry only versioned names
//! (`libopenvino_c.so.2641`, `libopenvino_c.so.2026.4.1`; macOS `libopenvino_c.2641.dylib`;
//! Windows `openvino_c.dll`). The highest version wins, compared numerically. A compact suffix of
//! 4 digits reads `YYMP` (`2641` is 2026.4.1), of 5 digits `YYMMP` (`26101` is 2026.10.1).
//! A folder is accepted only if the core library (`libopenvino`) is beside it and the version is
//! at least [`MIN_SUPPORTED`].
//!
//! With `RUST_LOG=debug` (through the `log` facade) every place looked at is logged; when nothing
//! is found the [`Error`] lists them and says how to fix it.
//!
//! ```
//! // Never panics, whatever is installed:
//! let probe = openvino_finder::probe();
//! println!("{probe}");
//! match openvino_finder::find() {
//!     Ok(library) => println!("found {} ({})", library.path().display(), library.source()),
//!     Err(e) => println!("{e}"),
//! }
//! ```

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// An OpenVINO release number.
///
/// ```
/// use openvino_finder::Version;
/// let v: Version = "2026.4.1".parse().unwrap();
/// assert!(v < "2026.10.0".parse::<Version>().unwrap(), "numeric, not textual");
/// assert_eq!(v.to_string(), "2026.4.1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    /// The year, e.g. 2026.
    pub major: u32,
    /// The release of the year.
    pub minor: u32,
    /// The patch.
    pub patch: u32,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The text is not a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVersionError(String);

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a version like 2026.4.1", self.0)
    }
}

impl std::error::Error for ParseVersionError {}

impl FromStr for Version {
    type Err = ParseVersionError;

    /// Parses `2026.4.1`, `2026.4` or `2026`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseVersionError(s.to_owned());
        let mut parts = s.split('.');
        let mut next = |required: bool| -> Result<u32, ParseVersionError> {
            match parts.next() {
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().map_err(|_| err())
                }
                None if !required => Ok(0),
                _ => Err(err()),
            }
        };
        let version = Version {
            major: next(true)?,
            minor: next(false)?,
            patch: next(false)?,
        };
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(version)
    }
}

impl Version {
    /// Reads the compact soname suffix OpenVINO uses (`2641` → 2026.4.1, `26101` → 2026.10.1).
    fn from_compact(digits: &str) -> Option<Version> {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (yy, minor, patch) = match digits.len() {
            4 => (&digits[0..2], &digits[2..3], &digits[3..4]),
            5 => (&digits[0..2], &digits[2..4], &digits[4..5]),
            _ => return None,
        };
        Some(Version {
            major: 2000 + yy.parse::<u32>().ok()?,
            minor: minor.parse().ok()?,
            patch: patch.parse().ok()?,
        })
    }
}

/// The oldest release whose C ABI the bindings accept: 2025.1 renumbered `ov_element_type_e`.
pub const MIN_SUPPORTED: Version = Version {
    major: 2025,
    minor: 1,
    patch: 0,
};

/// Which search step found (or looked at) a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// `OPENVINO_LIB_PATH`.
    OpenvinoLibPath,
    /// `OPENVINO_INSTALL_DIR`.
    OpenvinoInstallDir,
    /// `OPENVINO_BUILD_DIR`.
    OpenvinoBuildDir,
    /// `INTEL_OPENVINO_DIR` (from `setupvars.sh`).
    IntelOpenvinoDir,
    /// A library search path variable (`LD_LIBRARY_PATH`, `DYLD_LIBRARY_PATH`, `PATH`).
    LibraryPath(String),
    /// An `openvino.pc` file.
    PkgConfig(PathBuf),
    /// The active virtualenv.
    VirtualEnv,
    /// The active conda environment.
    Conda,
    /// The user's site-packages.
    PythonUserSite,
    /// A pyenv Python.
    Pyenv,
    /// A system site-packages.
    PythonSystemSite,
    /// This workspace's `upstream/` install.
    Workspace,
    /// `/opt/intel/openvino*`.
    OfficialArchive,
    /// A distro library folder.
    Distro,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::OpenvinoLibPath => write!(f, "OPENVINO_LIB_PATH"),
            Source::OpenvinoInstallDir => write!(f, "OPENVINO_INSTALL_DIR"),
            Source::OpenvinoBuildDir => write!(f, "OPENVINO_BUILD_DIR"),
            Source::IntelOpenvinoDir => write!(f, "INTEL_OPENVINO_DIR (setupvars.sh)"),
            Source::LibraryPath(var) => write!(f, "{var}"),
            Source::PkgConfig(pc) => write!(f, "pkg-config {}", pc.display()),
            Source::VirtualEnv => write!(f, "VIRTUAL_ENV (pip wheel)"),
            Source::Conda => write!(f, "CONDA_PREFIX"),
            Source::PythonUserSite => write!(f, "Python user site-packages (pip wheel)"),
            Source::Pyenv => write!(f, "pyenv site-packages (pip wheel)"),
            Source::PythonSystemSite => write!(f, "Python system site-packages (pip wheel)"),
            Source::Workspace => write!(f, "workspace install (scripts/install-openvino)"),
            Source::OfficialArchive => write!(f, "official archive"),
            Source::Distro => write!(f, "distro library folder"),
        }
    }
}

/// Why a candidate was taken or passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Taken.
    Accepted,
    /// The folder does not exist.
    NotADirectory,
    /// No `libopenvino_c` in the folder.
    Missing,
    /// `libopenvino_c` is there but the core library `libopenvino` is not.
    MissingCompanion,
    /// The library is older than [`MIN_SUPPORTED`].
    UnsupportedVersion(Version),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Accepted => write!(f, "taken"),
            Verdict::NotADirectory => write!(f, "rejected: no such folder"),
            Verdict::Missing => write!(f, "rejected: no libopenvino_c"),
            Verdict::MissingCompanion => {
                write!(f, "rejected: libopenvino_c without libopenvino beside it")
            }
            Verdict::UnsupportedVersion(v) => {
                write!(f, "rejected: version {v} is older than {MIN_SUPPORTED}")
            }
        }
    }
}

/// One place looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The folder (or, when a library was found in it, the library file).
    pub path: PathBuf,
    /// The search step.
    pub source: Source,
    /// Taken, or why not.
    pub verdict: Verdict,
}

/// Every candidate looked at, in order (the search stops at the first accepted one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Probe {
    /// The candidates.
    pub candidates: Vec<Candidate>,
}

impl Probe {
    /// The accepted candidate, if any.
    pub fn found(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.verdict == Verdict::Accepted)
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.candidates.is_empty() {
            return writeln!(f, "  (no candidate folders)");
        }
        for c in &self.candidates {
            writeln!(f, "  [{}] {} ({})", c.verdict, c.path.display(), c.source)?;
        }
        Ok(())
    }
}

/// The library found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    path: PathBuf,
    version: Option<Version>,
    source: Source,
    root: PathBuf,
}

impl Library {
    /// The library file, e.g. `.../openvino/libs/libopenvino_c.so.2641`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder holding it, and so OpenVINO's plugins.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The library's file name.
    pub fn file_name(&self) -> &str {
        self.path.file_name().and_then(|n| n.to_str()).unwrap_or("")
    }

    /// The version its file name carries, if any.
    pub fn version(&self) -> Option<&Version> {
        self.version.as_ref()
    }

    /// The search step that found it.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The folder holding `openvino/c/openvino.h` for this install, where there is one:
    /// `include` beside a wheel's `libs`, `runtime/include` of an archive, `include` of a prefix,
    /// `/usr/include` for distro folders.
    pub fn include_dir(&self) -> Option<PathBuf> {
        let dir = self.dir();
        let mut guesses: Vec<PathBuf> = dir
            .ancestors()
            .skip(1)
            .take(4)
            .map(|a| a.join("include"))
            .collect();
        guesses.extend(
            dir.ancestors()
                .skip(1)
                .take(4)
                .map(|a| a.join("runtime/include")),
        );
        guesses.push(self.root.join("usr/include"));
        guesses.push(self.root.join("usr/local/include"));
        guesses
            .into_iter()
            .find(|g| g.join("openvino/c/openvino.h").is_file())
    }
}

/// The one error: nothing acceptable was found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// No folder held an acceptable library; the probe says where it looked.
    NotFound {
        /// Every place looked at.
        probe: Probe,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { probe } => write!(
                f,
                "OpenVINO C library (libopenvino_c, {MIN_SUPPORTED} or newer) not found; looked in:\n{probe}\
                 To fix: run scripts/install-openvino (in this workspace), `pip install openvino`, \
                 or set OPENVINO_LIB_PATH to the folder holding libopenvino_c"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Finds the library from the real environment (see the crate docs for the order).
pub fn find() -> Result<Library, Error> {
    Finder::from_env().find()
}

/// Reports every candidate from the real environment.
pub fn probe() -> Probe {
    Finder::from_env().probe()
}

/// The search, with an environment that tests can replace.
///
/// ```
/// use openvino_finder::Finder;
/// // Nothing installed under an empty root: every candidate is rejected.
/// let probe = Finder::empty().system_root("/nonexistent-root").probe();
/// assert!(probe.found().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Finder {
    vars: BTreeMap<String, OsString>,
    root: PathBuf,
    workspace: Option<PathBuf>,
}

const VARS: &[&str] = &[
    "OPENVINO_LIB_PATH",
    "OPENVINO_INSTALL_DIR",
    "OPENVINO_BUILD_DIR",
    "INTEL_OPENVINO_DIR",
    "LD_LIBRARY_PATH",
    "DYLD_LIBRARY_PATH",
    "PATH",
    "PKG_CONFIG_PATH",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "HOME",
    "PYENV_ROOT",
];

impl Finder {
    /// The real environment variables, system root `/`.
    pub fn from_env() -> Self {
        let vars = VARS
            .iter()
            .filter_map(|k| std::env::var_os(k).map(|v| ((*k).to_owned(), v)))
            .collect();
        Self {
            vars,
            root: PathBuf::from("/"),
            workspace: None,
        }
    }

    /// No environment variables at all, system root `/`.
    pub fn empty() -> Self {
        Self {
            vars: BTreeMap::new(),
            root: PathBuf::from("/"),
            workspace: None,
        }
    }

    /// Sets (or overrides) one environment variable.
    pub fn var(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.vars.insert(key.to_owned(), value.into());
        self
    }

    /// A prefix for every absolute system folder (`/opt/intel`, `/usr/lib/...`), for tests.
    pub fn system_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = root.into();
        self
    }

    /// The workspace's own install: a folder laid out like the wheel's `openvino/` folder
    /// (`libs/`, `include/`).
    pub fn workspace_install(mut self, dir: impl Into<PathBuf>) -> Self {
        self.workspace = Some(dir.into());
        self
    }

    /// The first acceptable library, in the documented order.
    pub fn find(&self) -> Result<Library, Error> {
        let mut probe = Probe::default();
        match self.search(&mut probe, true) {
            Some(library) => {
                log::info!(
                    "found OpenVINO at {} ({})",
                    library.path.display(),
                    library.source
                );
                Ok(library)
            }
            None => Err(Error::NotFound { probe }),
        }
    }

    /// Every candidate, in order, with its verdict (looks past the first accepted one).
    pub fn probe(&self) -> Probe {
        let mut probe = Probe::default();
        self.search(&mut probe, false);
        probe
    }

    fn var_path(&self, key: &str) -> Option<PathBuf> {
        self.vars
            .get(key)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    fn sys(&self, absolute: &str) -> PathBuf {
        self.root.join(absolute.trim_start_matches('/'))
    }

    fn search(&self, probe: &mut Probe, stop_at_first: bool) -> Option<Library> {
        let mut first = None;
        for (dir, source) in self.candidate_dirs() {
            let (verdict, library) = self.examine(&dir, &source);
            log::debug!("openvino-finder: {} ({source}): {verdict}", dir.display());
            probe.candidates.push(Candidate {
                path: library.as_ref().map_or(dir, |l| l.path.clone()),
                source,
                verdict,
            });
            if let Some(library) = library {
                if stop_at_first {
                    return Some(library);
                }
                first.get_or_insert(library);
            }
        }
        first
    }

    /// Every folder to look at, in order.
    fn candidate_dirs(&self) -> Vec<(PathBuf, Source)> {
        let mut dirs = Vec::new();
        if let Some(p) = self.var_path("OPENVINO_LIB_PATH") {
            dirs.push((p, Source::OpenvinoLibPath));
        }
        if let Some(p) = self.var_path("OPENVINO_INSTALL_DIR") {
            dirs.extend(
                archive_dirs(&p)
                    .into_iter()
                    .map(|d| (d, Source::OpenvinoInstallDir)),
            );
        }
        if let Some(p) = self.var_path("OPENVINO_BUILD_DIR") {
            dirs.extend(
                build_dirs(&p)
                    .into_iter()
                    .map(|d| (d, Source::OpenvinoBuildDir)),
            );
        }
        if let Some(p) = self.var_path("INTEL_OPENVINO_DIR") {
            dirs.extend(
                archive_dirs(&p)
                    .into_iter()
                    .map(|d| (d, Source::IntelOpenvinoDir)),
            );
        }
        for var in ["LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "PATH"] {
            if let Some(value) = self.vars.get(var) {
                dirs.extend(
                    std::env::split_paths(value)
                        .filter(|p| !p.as_os_str().is_empty())
                        .map(|p| (p, Source::LibraryPath(var.to_owned()))),
                );
            }
        }
        for pc in self.pkg_config_files() {
            if let Some(libdir) = pkg_config_libdir(&pc) {
                dirs.push((libdir, Source::PkgConfig(pc)));
            }
        }
        if let Some(venv) = self.var_path("VIRTUAL_ENV") {
            dirs.extend(
                wheel_dirs(&venv.join("lib"))
                    .into_iter()
                    .map(|d| (d, Source::VirtualEnv)),
            );
        }
        if let Some(conda) = self.var_path("CONDA_PREFIX") {
            dirs.push((conda.join("lib"), Source::Conda));
            dirs.extend(
                wheel_dirs(&conda.join("lib"))
                    .into_iter()
                    .map(|d| (d, Source::Conda)),
            );
        }
        if let Some(home) = self.var_path("HOME") {
            dirs.extend(
                wheel_dirs(&home.join(".local/lib"))
                    .into_iter()
                    .map(|d| (d, Source::PythonUserSite)),
            );
        }
        let pyenv = self
            .var_path("PYENV_ROOT")
            .or_else(|| self.var_path("HOME").map(|h| h.join(".pyenv")));
        if let Some(pyenv) = pyenv {
            for version in sorted_versions(&pyenv.join("versions"), "") {
                dirs.extend(
                    wheel_dirs(&version.join("lib"))
                        .into_iter()
                        .map(|d| (d, Source::Pyenv)),
                );
            }
        }
        for lib in ["/usr/local/lib", "/usr/lib"] {
            dirs.extend(
                wheel_dirs(&self.sys(lib))
                    .into_iter()
                    .map(|d| (d, Source::PythonSystemSite)),
            );
        }
        dirs.push((
            self.sys("/usr/lib/python3/dist-packages/openvino/libs"),
            Source::PythonSystemSite,
        ));
        if let Some(ws) = &self.workspace {
            dirs.push((ws.join("libs"), Source::Workspace));
        }
        for archive in sorted_versions(&self.sys("/opt/intel"), "openvino") {
            dirs.extend(
                archive_dirs(&archive)
                    .into_iter()
                    .map(|d| (d, Source::OfficialArchive)),
            );
        }
        for distro in [
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/usr/lib64",
            "/usr/lib",
            "/usr/local/lib",
            "/usr/local/lib64",
        ] {
            dirs.push((self.sys(distro), Source::Distro));
        }
        dirs
    }

    fn pkg_config_files(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self
            .vars
            .get("PKG_CONFIG_PATH")
            .map(|v| {
                std::env::split_paths(v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for d in [
            "/usr/lib/x86_64-linux-gnu/pkgconfig",
            "/usr/lib/aarch64-linux-gnu/pkgconfig",
            "/usr/lib64/pkgconfig",
            "/usr/lib/pkgconfig",
            "/usr/local/lib/pkgconfig",
            "/usr/share/pkgconfig",
        ] {
            dirs.push(self.sys(d));
        }
        dirs.into_iter()
            .map(|d| d.join("openvino.pc"))
            .filter(|p| p.is_file())
            .collect()
    }

    /// Looks in one candidate (a folder, or a library file for `OPENVINO_LIB_PATH`).
    fn examine(&self, dir: &Path, source: &Source) -> (Verdict, Option<Library>) {
        let (dir, only) = if dir.is_file() {
            let name = dir.file_name().and_then(|n| n.to_str()).map(str::to_owned);
            (dir.parent().unwrap_or(Path::new(".")).to_owned(), name)
        } else {
            (dir.to_owned(), None)
        };
        if !dir.is_dir() {
            return (Verdict::NotADirectory, None);
        }
        let names: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect(),
            Err(_) => return (Verdict::NotADirectory, None),
        };
        let mut libraries: Vec<(Option<Version>, &String)> = names
            .iter()
            .filter(|n| only.as_ref().is_none_or(|o| o == *n))
            .filter_map(|n| library_version("openvino_c", n).map(|v| (v, n)))
            .collect();
        if libraries.is_empty() {
            return (Verdict::Missing, None);
        }
        // Highest version first; an unversioned name only when nothing carries a version.
        libraries.sort_by(|a, b| match (&a.0, &b.0) {
            (Some(x), Some(y)) => y.cmp(x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.1.cmp(b.1),
        });
        let (version, name) = libraries[0];
        if let Some(v) = version
            && v < MIN_SUPPORTED
        {
            return (Verdict::UnsupportedVersion(v), None);
        }
        if !names
            .iter()
            .any(|n| library_version("openvino", n).is_some())
        {
            return (Verdict::MissingCompanion, None);
        }
        let library = Library {
            path: dir.join(name),
            version,
            source: source.clone(),
            root: self.root.clone(),
        };
        (Verdict::Accepted, Some(library))
    }
}

/// If `file` is the library `stem` (`openvino_c` or `openvino`), its version from the name
/// (`Some(None)` for an unversioned name).
fn library_version(stem: &str, file: &str) -> Option<Option<Version>> {
    let parse = |suffix: &str| -> Option<Option<Version>> {
        if suffix.is_empty() {
            return Some(None);
        }
        if suffix.contains('.') {
            return suffix.parse().ok().map(Some);
        }
        Version::from_compact(suffix).map(Some)
    };
    if let Some(rest) = file.strip_prefix(&format!("lib{stem}.so")) {
        return match rest.strip_prefix('.') {
            Some(suffix) => parse(suffix),
            None if rest.is_empty() => Some(None),
            None => None,
        };
    }
    if let Some(rest) = file
        .strip_prefix(&format!("lib{stem}"))
        .and_then(|r| r.strip_suffix(".dylib"))
    {
        return match rest.strip_prefix('.') {
            Some(suffix) => parse(suffix),
            None if rest.is_empty() => Some(None),
            None => None,
        };
    }
    (file == format!("{stem}.dll")).then_some(None)
}

/// The library folders of an official archive (or a plain prefix).
fn archive_dirs(root: &Path) -> Vec<PathBuf> {
    [
        "runtime/lib/intel64",
        "runtime/lib/intel64/Release",
        "runtime/lib/aarch64",
        "runtime/lib/aarch64/Release",
        "runtime/lib/arm64/Release",
        "lib",
        "lib64",
    ]
    .iter()
    .map(|d| root.join(d))
    .collect()
}

/// The library folders of a build tree.
fn build_dirs(root: &Path) -> Vec<PathBuf> {
    [
        "bin/intel64/Release",
        "bin/intel64/RelWithDebInfo",
        "bin/intel64/Debug",
        "bin/aarch64/Release",
        "bin/arm64/Release",
    ]
    .iter()
    .map(|d| root.join(d))
    .collect()
}

/// `openvino/libs` in every `python3*/site-packages|dist-packages` under `lib`, newest first.
fn wheel_dirs(lib: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for python in sorted_versions(lib, "python3") {
        for site in ["site-packages", "dist-packages"] {
            dirs.push(python.join(site).join("openvino/libs"));
        }
    }
    dirs
}

/// The subfolders of `dir` whose names start with `prefix`, ordered by the numbers in their
/// names, highest first (`python3.12` before `python3.9`, `openvino_2026.4.1` before
/// `openvino_2025`).
fn sorted_versions(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(Vec<u64>, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.starts_with(prefix).then(|| (numbers(&name), e.path()))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().map(|(_, p)| p).collect()
}

fn numbers(name: &str) -> Vec<u64> {
    name.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// The `libdir` of a `.pc` file, with `${var}` references expanded.
fn pkg_config_libdir(pc: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(pc).ok()?;
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some((key, value)) = line.split_once('=')
            && !key.contains(':')
            && !key.is_empty()
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            let expanded = expand(value.trim(), &vars);
            vars.insert(key.to_owned(), expanded);
        }
    }
    vars.get("libdir").map(PathBuf::from)
}

fn expand(value: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find('}') {
            Some(end) => {
                let name = &rest[start + 2..start + 2 + end];
                out.push_str(vars.get(name).map(String::as_str).unwrap_or(""));
                rest = &rest[start + 3 + end..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
