//! Finds an installed OpenVINO C library (`libopenvino_c`), for `openvino-sys`'s build script
//! and its run-time loader. Pure Rust, no FFI: it only reads environment variables, folders and
//! `openvino.pc` files.
//!
//! ```
//! // Never panics and assumes nothing about what is installed:
//! let probe = openvino_finder::probe();
//! println!("{probe}");
//! match openvino_finder::find() {
//!     Ok(library) => println!("found {library}"),
//!     Err(e) => println!("{e}"), // every place looked at, and what to do
//! }
//! ```
//!
//! # Search order
//! Candidates are looked at in this order; the first one accepted wins. "Under the system root"
//! means under `/`, or under [`Finder::system_root`] in tests.
//!
//! 1. `OPENVINO_LIB_PATH`: the folder holding the library, or the library file itself.
//! 2. `OPENVINO_INSTALL_DIR`, an official archive: `runtime/lib/intel64`,
//!    `runtime/lib/intel64/Release`, `runtime/lib/aarch64`, `runtime/lib/aarch64/Release`,
//!    `runtime/lib/arm64/Release`; or a plain prefix: `lib`, `lib64`.
//! 3. `OPENVINO_BUILD_DIR`, a build tree: `bin/intel64/Release`, `bin/intel64/Debug`,
//!    `bin/intel64/RelWithDebInfo`, `bin/aarch64/Release`, `bin/arm64/Release`.
//! 4. `INTEL_OPENVINO_DIR`, as set by the official `setupvars.sh` (the layout of 2).
//! 5. The entries of `LD_LIBRARY_PATH`, then `DYLD_LIBRARY_PATH`, then `PATH` (empty entries
//!    skipped).
//! 6. pkg-config: the `libdir` of `openvino.pc`, read without the `pkg-config` binary, from each
//!    `PKG_CONFIG_PATH` entry, then from the default folders under the system root:
//!    `/usr/lib/x86_64-linux-gnu/pkgconfig`, `/usr/lib/aarch64-linux-gnu/pkgconfig`,
//!    `/usr/lib64/pkgconfig`, `/usr/lib/pkgconfig`, `/usr/local/lib/pkgconfig`,
//!    `/usr/share/pkgconfig`. Variables (`${prefix}`, `${exec_prefix}`, `${pcfiledir}`) are
//!    expanded. Folders without an `openvino.pc` are not listed in the probe.
//! 7. Python installs of the `openvino` wheel, whose library is in `openvino/libs` inside a
//!    site-packages:
//!    - `VIRTUAL_ENV`: `lib/python3.*/site-packages`;
//!    - `CONDA_PREFIX`: first `lib` itself (where conda's own `openvino` package puts the
//!      library), then `lib/python3.*/site-packages`;
//!    - the user site: `$HOME/.local/lib/python3.*/site-packages`;
//!    - pyenv: `versions/*/lib/python3.*/site-packages` under `$PYENV_ROOT` or `$HOME/.pyenv`;
//!    - the system site-packages under the system root: `/usr/local/lib/python3.*/site-packages`
//!      and `dist-packages`, `/usr/lib/python3/dist-packages`, `/usr/lib/python3.*/site-packages`.
//!
//!    Where there are several Python versions (or pyenv versions) the highest comes first,
//!    compared numerically (`python3.12` before `python3.9`).
//! 8. The workspace's own install, when given with [`Finder::workspace_install`]: its `libs`.
//! 9. Official archives under the system root, `/opt/intel/openvino*` (`openvino_2026.4.1`,
//!    `openvino_2025`, `openvino`): the highest version first, numerically, each with the layout
//!    of 2.
//! 10. Distro folders under the system root: `/usr/lib/x86_64-linux-gnu`,
//!     `/usr/lib/aarch64-linux-gnu`, `/usr/lib64`, `/usr/lib`, `/usr/local/lib`,
//!     `/usr/local/lib64`.
//!
//! A folder reached twice is looked at once, under the first step that reached it. An
//! environment variable set to the empty string counts as unset. Where a pattern (`python3.*`,
//! `openvino*`) matches nothing, the probe lists the pattern itself as missing.
//!
//! # Which file in a folder
//! The library may be named `libopenvino_c.so`, `libopenvino_c.so.2641` or
//! `libopenvino_c.so.2026.4.1` (Linux), `libopenvino_c.dylib`, `libopenvino_c.2641.dylib` or
//! `libopenvino_c.2026.4.1.dylib` (macOS), or `openvino_c.dll` (Windows); all are recognised on
//! every platform. The compact form is ambiguous, so exactly 4 digits read `YYMP` (`2641` is
//! 2026.4.1) and exactly 5 digits read `YYMMP` (`26101` is 2026.10.1); other lengths are not
//! versions.
//!
//! Where several names are present, the highest version wins, compared numerically; an
//! unversioned name is taken only when no name carries a version (it is usually a symlink to a
//! versioned one), and its version is then read from the name it links to. A folder is
//! accepted only if
//! - the version, where known, is at least [`MIN_SUPPORTED`] (the oldest release tested), and
//! - the core library (`libopenvino.so*`, `libopenvino*.dylib`, `openvino.dll`) is beside it.
//!
//! Otherwise the candidate is rejected (see [`Verdict`]) and the search goes on.
//!
//! # Diagnostics
//! Every place looked at is logged with `log::debug!`, and what was found with `log::info!`.
//! [`probe`] returns the same list as a value; when nothing is found, [`Error`] lists it and says
//! how to fix it.

#![warn(missing_docs)]

mod file_name;
mod pkg_config;
mod version;

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use file_name::{Lib, Name};
pub use version::{MIN_SUPPORTED, ParseVersionError, Version};

/// Finds the library from the real environment: `Finder::from_env().find()`.
///
/// ```
/// if let Ok(library) = openvino_finder::find() {
///     println!("{}", library.path().display());
/// }
/// ```
pub fn find() -> Result<Library, Error> {
    Finder::from_env().find()
}

/// Every candidate the real environment offers, with its verdict: `Finder::from_env().probe()`.
///
/// ```
/// let probe = openvino_finder::probe();
/// println!("{probe}");
/// ```
pub fn probe() -> Probe {
    Finder::from_env().probe()
}

/// Which search step proposed a candidate (see the crate docs for the order).
///
/// ```
/// use openvino_finder::Source;
/// assert_eq!(
///     Source::LibraryPath("LD_LIBRARY_PATH".into()).to_string(),
///     "LD_LIBRARY_PATH entry"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// `OPENVINO_LIB_PATH`.
    OpenvinoLibPath,
    /// `OPENVINO_INSTALL_DIR` (official archive layout).
    OpenvinoInstallDir,
    /// `OPENVINO_BUILD_DIR` (build tree).
    OpenvinoBuildDir,
    /// `INTEL_OPENVINO_DIR`, from the official `setupvars.sh`.
    IntelOpenvinoDir,
    /// An entry of the named search path variable: `LD_LIBRARY_PATH`, `DYLD_LIBRARY_PATH` or
    /// `PATH`.
    LibraryPath(String),
    /// The `libdir` of an `openvino.pc` file.
    PkgConfig,
    /// The wheel in the active virtualenv (`VIRTUAL_ENV`).
    VirtualEnv,
    /// The active conda environment (`CONDA_PREFIX`): conda's package or the wheel.
    Conda,
    /// The wheel in the user's site-packages (under `HOME`).
    PythonUserSite,
    /// The wheel in a pyenv Python (`PYENV_ROOT`, or `~/.pyenv`).
    Pyenv,
    /// The wheel in a system site-packages.
    PythonSystemSite,
    /// The workspace's own install ([`Finder::workspace_install`]).
    Workspace,
    /// An official archive in `/opt/intel`.
    OfficialArchive,
    /// A distro library folder (`/usr/lib/x86_64-linux-gnu`, ...).
    Distro,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::OpenvinoLibPath => f.write_str("OPENVINO_LIB_PATH"),
            Source::OpenvinoInstallDir => f.write_str("OPENVINO_INSTALL_DIR, official archive"),
            Source::OpenvinoBuildDir => f.write_str("OPENVINO_BUILD_DIR, build tree"),
            Source::IntelOpenvinoDir => f.write_str("INTEL_OPENVINO_DIR, from setupvars.sh"),
            Source::LibraryPath(var) => write!(f, "{var} entry"),
            Source::PkgConfig => f.write_str("pkg-config openvino.pc"),
            Source::VirtualEnv => f.write_str("pip wheel in VIRTUAL_ENV"),
            Source::Conda => f.write_str("conda environment CONDA_PREFIX"),
            Source::PythonUserSite => f.write_str("pip wheel in the user site-packages (HOME)"),
            Source::Pyenv => f.write_str("pip wheel in pyenv (PYENV_ROOT or ~/.pyenv)"),
            Source::PythonSystemSite => f.write_str("pip wheel in the system site-packages"),
            Source::Workspace => f.write_str("workspace install (scripts/install-openvino)"),
            Source::OfficialArchive => f.write_str("official archive in /opt/intel"),
            Source::Distro => f.write_str("distro library folder"),
        }
    }
}

/// Whether a candidate was taken, and if not, why.
///
/// ```
/// use openvino_finder::{Verdict, Version};
/// let old = Verdict::UnsupportedVersion(Version::new(2024, 2, 0));
/// assert_eq!(old.to_string(), "rejected: version 2024.2.0 is older than 2024.3.0");
/// assert!(Verdict::Accepted.is_accepted());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Taken: `libopenvino_c` and `libopenvino` are here, and the version is supported.
    Accepted,
    /// No `libopenvino_c` here, or no such folder at all.
    Missing,
    /// `libopenvino_c` is here but the core library `libopenvino` is not beside it.
    MissingCompanion,
    /// The library is older than [`MIN_SUPPORTED`].
    UnsupportedVersion(Version),
    /// The path exists but is neither a folder nor a `libopenvino_c` file.
    NotADirectory,
    /// The folder, or the `openvino.pc` naming it, could not be used; the text says why.
    Unreadable(String),
}

impl Verdict {
    /// Whether the candidate was taken.
    ///
    /// ```
    /// assert!(!openvino_finder::Verdict::Missing.is_accepted());
    /// ```
    pub fn is_accepted(&self) -> bool {
        *self == Verdict::Accepted
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Accepted => f.write_str("taken"),
            Verdict::Missing => f.write_str("rejected: no libopenvino_c here"),
            Verdict::MissingCompanion => f.write_str(
                "rejected: libopenvino_c without the core library libopenvino beside it",
            ),
            Verdict::UnsupportedVersion(v) => {
                write!(f, "rejected: version {v} is older than {MIN_SUPPORTED}")
            }
            Verdict::NotADirectory => {
                f.write_str("rejected: neither a folder nor a libopenvino_c file")
            }
            Verdict::Unreadable(why) => write!(f, "rejected: {why}"),
        }
    }
}

/// One place looked at.
///
/// ```
/// for candidate in &openvino_finder::probe().candidates {
///     println!("{} ({}): {}", candidate.path.display(), candidate.source, candidate.verdict);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The folder looked in; for an accepted candidate, the library file picked in it.
    pub path: PathBuf,
    /// The search step that proposed it.
    pub source: Source,
    /// Taken, or why not.
    pub verdict: Verdict,
}

/// Every candidate looked at, in search order, each with its verdict.
///
/// [`Finder::probe`] looks at every candidate, even past the first accepted one, so a probe also
/// shows the installs that the found one shadows; [`Probe::found`] is the one [`Finder::find`]
/// returns.
///
/// ```
/// let probe = openvino_finder::probe();
/// match probe.found() {
///     Some(taken) => println!("would use {}", taken.path.display()),
///     None => println!("nothing usable; looked in:\n{probe}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Probe {
    /// The candidates, in search order.
    pub candidates: Vec<Candidate>,
}

impl Probe {
    /// The first accepted candidate, the one [`Finder::find`] returns.
    ///
    /// ```
    /// assert!(openvino_finder::Probe::default().found().is_none());
    /// ```
    pub fn found(&self) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.verdict.is_accepted())
    }
}

impl fmt::Display for Probe {
    /// One line per candidate: `  [taken] <path> (<source>)` or
    /// `  [rejected: <reason>] <path> (<source>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.candidates.is_empty() {
            return writeln!(f, "  (no candidates)");
        }
        for c in &self.candidates {
            writeln!(f, "  [{}] {} ({})", c.verdict, c.path.display(), c.source)?;
        }
        Ok(())
    }
}

/// The OpenVINO C library found.
///
/// ```
/// if let Ok(library) = openvino_finder::find() {
///     println!("{} in {} from {}", library.file_name(), library.dir().display(), library.source());
///     if let Some(version) = library.version() {
///         assert!(*version >= openvino_finder::MIN_SUPPORTED);
///     }
///     println!("headers: {:?}", library.include_dir());
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    path: PathBuf,
    version: Option<Version>,
    source: Source,
    /// The `includedir` of the `openvino.pc` that led here.
    pc_includedir: Option<PathBuf>,
}

impl Library {
    /// The library file itself, e.g. `.../openvino/libs/libopenvino_c.so.2641`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder holding the library, and so the core library and OpenVINO's plugins.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The library's file name, e.g. `libopenvino_c.so.2641`.
    pub fn file_name(&self) -> &str {
        self.path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
    }

    /// The version its file name carries (or, for an unversioned symlink, the name it links to).
    pub fn version(&self) -> Option<&Version> {
        self.version.as_ref()
    }

    /// The search step that found it.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The folder holding `openvino/c/openvino.h` for this install, where one exists: the
    /// `includedir` of the `openvino.pc` that led here, else the first `include` folder one to
    /// three levels above [`Library::dir`]. That is `<libs>/../include` for a wheel or the
    /// workspace install, `runtime/include` for an archive, `<prefix>/include` for a prefix,
    /// conda environment or distro folder (`/usr/include`). A build tree usually has none.
    pub fn include_dir(&self) -> Option<PathBuf> {
        let above = self
            .dir()
            .ancestors()
            .skip(1)
            .take(3)
            .map(|a| a.join("include"));
        self.pc_includedir
            .iter()
            .cloned()
            .chain(above)
            .find(|d| d.join("openvino/c/openvino.h").is_file())
    }
}

impl fmt::Display for Library {
    /// `<path> (OpenVINO <version>, <source>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.version {
            Some(v) => write!(f, "{} (OpenVINO {v}, {})", self.path.display(), self.source),
            None => write!(f, "{} ({})", self.path.display(), self.source),
        }
    }
}

/// Why no library was returned.
///
/// ```
/// use openvino_finder::{Error, Finder};
/// let err = Finder::empty().system_root("/nonexistent-root").find().unwrap_err();
/// let Error::NotFound { probe } = &err;
/// assert!(probe.found().is_none());
/// assert!(err.to_string().contains("set OPENVINO_LIB_PATH"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No candidate was accepted.
    NotFound {
        /// Every place looked at, with the reason each was rejected.
        probe: Probe,
    },
}

impl Error {
    /// The places looked at.
    ///
    /// ```
    /// let err = openvino_finder::Finder::empty().system_root("/nonexistent-root").find().unwrap_err();
    /// assert!(!err.probe().candidates.is_empty());
    /// ```
    pub fn probe(&self) -> &Probe {
        match self {
            Error::NotFound { probe } => probe,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { probe } => write!(
                f,
                "OpenVINO C library (libopenvino_c) not found; looked in:\n{probe}\
                 run scripts/install-openvino, `pip install openvino`, or set OPENVINO_LIB_PATH \
                 to the folder holding libopenvino_c (OpenVINO {MIN_SUPPORTED} or newer)"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// The search, over an environment that can be replaced: real variables and `/`, or (for tests)
/// chosen variables and a fake system root.
///
/// ```
/// use openvino_finder::Finder;
/// // Nothing is installed under an empty root, so every candidate is rejected.
/// let finder = Finder::empty()
///     .system_root("/nonexistent-root")
///     .var("OPENVINO_LIB_PATH", "/nonexistent-root/ov");
/// let probe = finder.probe();
/// assert!(probe.found().is_none());
/// assert_eq!(probe.candidates[0].path.to_str(), Some("/nonexistent-root/ov"));
/// assert!(finder.find().is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Finder {
    vars: BTreeMap<String, OsString>,
    root: PathBuf,
    workspace: Option<PathBuf>,
}

/// Every environment variable the search reads ([`Finder::from_env`] takes exactly these), for
/// build scripts to emit `cargo:rerun-if-env-changed` from one list.
///
/// ```
/// assert!(openvino_finder::ENV_VARS.contains(&"OPENVINO_LIB_PATH"));
/// ```
pub const ENV_VARS: &[&str] = &[
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

const ARCHIVE_LAYOUT: &[&str] = &[
    "runtime/lib/intel64",
    "runtime/lib/intel64/Release",
    "runtime/lib/aarch64",
    "runtime/lib/aarch64/Release",
    "runtime/lib/arm64/Release",
    "lib",
    "lib64",
];

const BUILD_LAYOUT: &[&str] = &[
    "bin/intel64/Release",
    "bin/intel64/Debug",
    "bin/intel64/RelWithDebInfo",
    "bin/aarch64/Release",
    "bin/arm64/Release",
];

const PKG_CONFIG_DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/pkgconfig",
    "/usr/lib/aarch64-linux-gnu/pkgconfig",
    "/usr/lib64/pkgconfig",
    "/usr/lib/pkgconfig",
    "/usr/local/lib/pkgconfig",
    "/usr/share/pkgconfig",
];

const DISTRO_DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
    "/usr/local/lib64",
];

impl Finder {
    /// The real environment variables (those the search reads, `HOME` included) and system
    /// root `/`.
    ///
    /// ```
    /// let probe = openvino_finder::Finder::from_env().probe();
    /// println!("{probe}");
    /// ```
    pub fn from_env() -> Self {
        let vars = ENV_VARS
            .iter()
            .filter_map(|k| std::env::var_os(k).map(|v| ((*k).to_owned(), v)))
            .collect();
        Self {
            vars,
            ..Self::empty()
        }
    }

    /// No environment variables at all and system root `/`; tests add variables with
    /// [`Finder::var`] and a fake root with [`Finder::system_root`].
    ///
    /// ```
    /// let finder = openvino_finder::Finder::empty().system_root("/nonexistent-root");
    /// assert!(finder.find().is_err());
    /// ```
    pub fn empty() -> Self {
        Self {
            vars: BTreeMap::new(),
            root: PathBuf::from("/"),
            workspace: None,
        }
    }

    /// Sets or overrides the environment variable `key`; an empty value counts as unset.
    ///
    /// ```
    /// let finder = openvino_finder::Finder::from_env().var("OPENVINO_LIB_PATH", "/nonexistent/ov");
    /// assert_eq!(finder.probe().candidates[0].path.to_str(), Some("/nonexistent/ov"));
    /// ```
    pub fn var(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.vars.insert(key.to_owned(), value.into());
        self
    }

    /// Puts every absolute system folder (`/opt/intel`, `/usr/lib/...`, `/usr/local/...`, the
    /// default pkg-config folders) under `root`, so tests can build fake trees. Paths taken from
    /// environment variables are used as they are.
    ///
    /// ```
    /// let probe = openvino_finder::Finder::empty().system_root("/fake").probe();
    /// assert!(probe.candidates.iter().any(|c| c.path.starts_with("/fake/usr/lib")));
    /// ```
    pub fn system_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = root.into();
        self
    }

    /// Adds the workspace's own install (step 8): `dir` laid out like the wheel's `openvino/`
    /// folder, with the library in `dir/libs` and the headers in `dir/include/openvino/c`.
    ///
    /// ```
    /// use openvino_finder::{Finder, Source};
    /// let probe = Finder::empty().workspace_install("/nonexistent/openvino").probe();
    /// let ws = probe.candidates.iter().find(|c| c.source == Source::Workspace).unwrap();
    /// assert_eq!(ws.path.to_str(), Some("/nonexistent/openvino/libs"));
    /// ```
    pub fn workspace_install(mut self, dir: impl Into<PathBuf>) -> Self {
        self.workspace = Some(dir.into());
        self
    }

    /// Looks at the candidates in order and returns the first acceptable library.
    ///
    /// ```
    /// match openvino_finder::Finder::from_env().find() {
    ///     Ok(library) => println!("{library}"),
    ///     Err(e) => println!("{e}"),
    /// }
    /// ```
    pub fn find(&self) -> Result<Library, Error> {
        let (probe, library) = self.search(true);
        match library {
            Some(library) => {
                log::info!("openvino-finder: found {library}");
                Ok(library)
            }
            None => Err(Error::NotFound { probe }),
        }
    }

    /// Every candidate, in order, with its verdict. Unlike [`Finder::find`] it goes on past the
    /// first accepted candidate, so it also shows what that one shadows.
    ///
    /// ```
    /// let probe = openvino_finder::Finder::from_env().probe();
    /// let accepted = probe.candidates.iter().filter(|c| c.verdict.is_accepted()).count();
    /// assert_eq!(probe.found().is_some(), accepted > 0);
    /// ```
    pub fn probe(&self) -> Probe {
        self.search(false).0
    }

    fn search(&self, stop_at_first: bool) -> (Probe, Option<Library>) {
        let mut probe = Probe::default();
        let mut first = None;
        for place in self.places() {
            let examined = match place.rejected {
                Some(verdict) => Err(verdict),
                None => examine(&place.path),
            };
            let (path, verdict) = match examined {
                Ok((file, version)) => {
                    let library = Library {
                        path: file.clone(),
                        version,
                        source: place.source.clone(),
                        pc_includedir: place.pc_includedir,
                    };
                    first.get_or_insert(library);
                    (file, Verdict::Accepted)
                }
                Err(verdict) => (place.path, verdict),
            };
            log::debug!(
                "openvino-finder: [{verdict}] {} ({})",
                path.display(),
                place.source
            );
            probe.candidates.push(Candidate {
                path,
                source: place.source,
                verdict,
            });
            if stop_at_first && first.is_some() {
                break;
            }
        }
        (probe, first)
    }

    /// A variable's value as a path; unset and empty are the same.
    fn var_path(&self, key: &str) -> Option<PathBuf> {
        self.vars
            .get(key)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    /// A variable's value as a list of paths, empty entries skipped.
    fn var_paths(&self, key: &str) -> Vec<PathBuf> {
        self.vars
            .get(key)
            .map(|v| {
                std::env::split_paths(v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An absolute system folder, under the system root.
    fn sys(&self, absolute: &str) -> PathBuf {
        self.root.join(absolute.trim_start_matches('/'))
    }

    /// Every candidate, in search order, without duplicates.
    fn places(&self) -> Vec<Place> {
        let mut places = Places::default();
        if let Some(p) = self.var_path("OPENVINO_LIB_PATH") {
            places.push(p, Source::OpenvinoLibPath);
        }
        if let Some(p) = self.var_path("OPENVINO_INSTALL_DIR") {
            places.layout(&p, ARCHIVE_LAYOUT, Source::OpenvinoInstallDir);
        }
        if let Some(p) = self.var_path("OPENVINO_BUILD_DIR") {
            places.layout(&p, BUILD_LAYOUT, Source::OpenvinoBuildDir);
        }
        if let Some(p) = self.var_path("INTEL_OPENVINO_DIR") {
            places.layout(&p, ARCHIVE_LAYOUT, Source::IntelOpenvinoDir);
        }
        for var in ["LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "PATH"] {
            for p in self.var_paths(var) {
                places.push(p, Source::LibraryPath(var.to_owned()));
            }
        }
        self.pkg_config_places(&mut places);
        self.python_places(&mut places);
        if let Some(ws) = &self.workspace {
            places.push(ws.join("libs"), Source::Workspace);
        }
        let opt_intel = self.sys("/opt/intel");
        let archives = subfolders_newest_first(&opt_intel, "openvino");
        if archives.is_empty() {
            places.push(opt_intel.join("openvino*"), Source::OfficialArchive);
        }
        for archive in archives {
            places.layout(&archive, ARCHIVE_LAYOUT, Source::OfficialArchive);
        }
        for dir in DISTRO_DIRS {
            places.push(self.sys(dir), Source::Distro);
        }
        places.list
    }

    fn pkg_config_places(&self, places: &mut Places) {
        let mut pc_dirs = self.var_paths("PKG_CONFIG_PATH");
        pc_dirs.extend(PKG_CONFIG_DIRS.iter().map(|d| self.sys(d)));
        for pc in pc_dirs.iter().map(|d| d.join("openvino.pc")) {
            if !pc.is_file() {
                continue;
            }
            match pkg_config::read(&pc) {
                Ok(pc) => {
                    // OpenVINO's own file climbs out of its folder with `..`; show the real path.
                    let libdir = std::fs::canonicalize(&pc.libdir).unwrap_or(pc.libdir);
                    places.add(Place {
                        pc_includedir: pc.includedir,
                        ..Place::new(libdir, Source::PkgConfig)
                    });
                }
                Err(why) => places.add(Place {
                    rejected: Some(Verdict::Unreadable(format!("openvino.pc: {why}"))),
                    ..Place::new(pc, Source::PkgConfig)
                }),
            }
        }
    }

    fn python_places(&self, places: &mut Places) {
        if let Some(venv) = self.var_path("VIRTUAL_ENV") {
            places.wheels(&venv.join("lib"), &["site-packages"], Source::VirtualEnv);
        }
        if let Some(conda) = self.var_path("CONDA_PREFIX") {
            places.push(conda.join("lib"), Source::Conda);
            places.wheels(&conda.join("lib"), &["site-packages"], Source::Conda);
        }
        let home = self.var_path("HOME");
        if let Some(home) = &home {
            let user_lib = home.join(".local/lib");
            places.wheels(&user_lib, &["site-packages"], Source::PythonUserSite);
        }
        let pyenv = self
            .var_path("PYENV_ROOT")
            .or_else(|| home.map(|h| h.join(".pyenv")));
        if let Some(pyenv) = pyenv {
            let versions = subfolders_newest_first(&pyenv.join("versions"), "");
            if versions.is_empty() {
                let pattern = pyenv.join("versions/*/lib/python3.*/site-packages");
                places.push(pattern.join("openvino/libs"), Source::Pyenv);
            }
            for version in versions {
                places.wheels(&version.join("lib"), &["site-packages"], Source::Pyenv);
            }
        }
        let system = Source::PythonSystemSite;
        let kinds = ["site-packages", "dist-packages"];
        places.wheels(&self.sys("/usr/local/lib"), &kinds, system.clone());
        let debian = self.sys("/usr/lib/python3/dist-packages/openvino/libs");
        places.push(debian, system.clone());
        places.wheels(&self.sys("/usr/lib"), &["site-packages"], system);
    }
}

/// A candidate to look at.
struct Place {
    path: PathBuf,
    source: Source,
    /// The `includedir` of the `openvino.pc` naming this place.
    pc_includedir: Option<PathBuf>,
    /// Set when the place is known to be of no use without looking (a broken `openvino.pc`).
    rejected: Option<Verdict>,
}

impl Place {
    fn new(path: PathBuf, source: Source) -> Self {
        Self {
            path,
            source,
            pc_includedir: None,
            rejected: None,
        }
    }
}

/// The candidate list being built; a path already listed is not listed again.
#[derive(Default)]
struct Places {
    list: Vec<Place>,
    seen: HashSet<PathBuf>,
}

impl Places {
    fn add(&mut self, place: Place) {
        if self.seen.insert(place.path.clone()) {
            self.list.push(place);
        }
    }

    fn push(&mut self, path: PathBuf, source: Source) {
        self.add(Place::new(path, source));
    }

    /// The folders of an install layout under `root`.
    fn layout(&mut self, root: &Path, layout: &[&str], source: Source) {
        for dir in layout {
            self.push(root.join(dir), source.clone());
        }
    }

    /// `openvino/libs` in each `python3.*/<kind>` under `lib`, the newest Python first; the
    /// pattern itself when there is no `python3.*` folder.
    fn wheels(&mut self, lib: &Path, kinds: &[&str], source: Source) {
        let pythons = subfolders_newest_first(lib, "python3.");
        if pythons.is_empty() {
            for kind in kinds {
                let pattern = lib.join("python3.*").join(kind).join("openvino/libs");
                self.push(pattern, source.clone());
            }
        }
        for python in pythons {
            for kind in kinds {
                self.push(python.join(kind).join("openvino/libs"), source.clone());
            }
        }
    }
}

/// The subfolders of `dir` whose names start with `prefix`, the highest numbers in their names
/// first, compared numerically (`python3.12` before `python3.9`; `openvino_2026.4.1` before
/// `openvino_2025` before `openvino`).
fn subfolders_newest_first(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(Vec<u64>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.starts_with(prefix)
                .then(|| (numbers_in(&name), e.path()))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().map(|(_, path)| path).collect()
}

fn numbers_in(name: &str) -> Vec<u64> {
    name.split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Looks at one candidate: a folder, or (for `OPENVINO_LIB_PATH`) the library file itself.
/// Returns the library file picked and its version, or why there is none.
fn examine(path: &Path) -> Result<(PathBuf, Option<Version>), Verdict> {
    let (dir, only) = if path.is_dir() {
        (path, None)
    } else if path.is_file() {
        let name = path.file_name().and_then(|n| n.to_str());
        match name.map(|n| file_name::parse(Lib::C, n)) {
            Some(Name::Other) | None => return Err(Verdict::NotADirectory),
            Some(_) => (path.parent().unwrap_or(Path::new(".")), name),
        }
    } else if path.exists() {
        return Err(Verdict::NotADirectory);
    } else {
        return Err(Verdict::Missing);
    };
    let names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Verdict::Unreadable(format!("cannot read the folder: {e}")))?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();

    // The best name: a version beats none, a higher version a lower one, the real file its
    // symlinks, then the first name alphabetically so the choice never depends on read_dir.
    let best = names
        .iter()
        .filter(|n| only.is_none_or(|only| only == n.as_str()))
        .filter_map(|n| match file_name::parse(Lib::C, n) {
            Name::Other => None,
            Name::Unversioned => Some((None, n)),
            Name::Versioned(v) => Some((Some(v), n)),
        })
        .max_by(|(va, a), (vb, b)| {
            va.cmp(vb)
                .then_with(|| is_symlink(&dir.join(b)).cmp(&is_symlink(&dir.join(a))))
                .then_with(|| b.cmp(a))
        });
    let Some((version, name)) = best else {
        return Err(Verdict::Missing);
    };
    let file = dir.join(name);
    let version = version.or_else(|| version_of_link_target(&file));
    if let Some(v) = version
        && v < MIN_SUPPORTED
    {
        return Err(Verdict::UnsupportedVersion(v));
    }
    if !names
        .iter()
        .any(|n| file_name::parse(Lib::Core, n) != Name::Other)
    {
        return Err(Verdict::MissingCompanion);
    }
    Ok((file, version))
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The version in the name an unversioned `libopenvino_c.so` symlink finally points to.
fn version_of_link_target(file: &Path) -> Option<Version> {
    let target = std::fs::canonicalize(file).ok()?;
    match file_name::parse(Lib::C, target.file_name()?.to_str()?) {
        Name::Versioned(v) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
