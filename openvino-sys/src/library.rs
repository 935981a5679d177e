//! Loading and checking the OpenVINO C library.
//!
//! Both linking modes expose [`load`]: call it once before any `ov_*` function. With
//! `dynamic-linking` the library is already mapped by the system loader and `load` only checks its
//! version; with `runtime-linking` it finds the library (through `openvino-finder`), opens it,
//! resolves every symbol up front and checks the version, so a missing symbol or an incompatible
//! release fails here, with a message, and never in the middle of a program.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use openvino_finder::Version;

use crate::BINDINGS_VERSION;

/// The oldest OpenVINO release whose C ABI matches these bindings: 2025.1 renumbered
/// `ov_element_type_e`, so a library from before it would misread every element type.
pub const MIN_SUPPORTED_VERSION: Version = Version {
    major: 2025,
    minor: 1,
    patch: 0,
};

/// The OpenVINO C library in use, as reported by the library itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedLibrary {
    path: Option<PathBuf>,
    version: Version,
    build_number: String,
}

impl LoadedLibrary {
    /// The file the library was loaded from, where known (always with `runtime-linking`; with
    /// `dynamic-linking`, the file found when the crate was built).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The release, e.g. `2026.4.1`.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// OpenVINO's full build string, e.g. `2026.4.1-22982-...`.
    pub fn build_number(&self) -> &str {
        &self.build_number
    }
}

/// Why the OpenVINO C library could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// No library was found; the finder's report lists every place it looked.
    NotFound(openvino_finder::Error),
    /// The file exists but the system loader refused it.
    Open {
        /// The file that was opened.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// The library lacks functions that the bindings declare.
    MissingSymbols {
        /// The file that was opened.
        path: PathBuf,
        /// Every missing symbol.
        names: Vec<&'static str>,
    },
    /// `ov_get_openvino_version` failed or returned something that is not a version.
    UnknownVersion {
        /// What the library returned, if anything.
        reported: String,
    },
    /// The library's C ABI differs from the one the bindings were generated for.
    UnsupportedVersion {
        /// The release found.
        found: Version,
        /// Where it was found, if known.
        path: Option<PathBuf>,
    },
    /// [`load_from`] was asked for another file after a library was already loaded.
    #[cfg(feature = "runtime-linking")]
    AlreadyLoaded {
        /// The library already in use.
        loaded: PathBuf,
        /// The file asked for.
        requested: PathBuf,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound(e) => write!(f, "{e}"),
            LoadError::Open { path, message } => write!(
                f,
                "cannot open the OpenVINO C library {}: {message}; check that its companion \
                 libraries (libopenvino, libtbb) are in the same folder",
                path.display()
            ),
            LoadError::MissingSymbols { path, names } => write!(
                f,
                "{} lacks {} function(s) of the OpenVINO {BINDINGS_VERSION} C API ({}); \
                 install OpenVINO {BINDINGS_VERSION} or newer, or point OPENVINO_LIB_PATH at it",
                path.display(),
                names.len(),
                names.join(", ")
            ),
            LoadError::UnknownVersion { reported } => write!(
                f,
                "the OpenVINO C library reported no usable version ({reported:?}); \
                 is it really libopenvino_c?"
            ),
            LoadError::UnsupportedVersion { found, path } => {
                write!(f, "OpenVINO {found}")?;
                if let Some(path) = path {
                    write!(f, " ({})", path.display())?;
                }
                write!(
                    f,
                    " is not supported: these bindings were generated from OpenVINO \
                     {BINDINGS_VERSION} and need {MIN_SUPPORTED_VERSION} or newer (the C ABI changed \
                     in 2025.1); install a newer OpenVINO (scripts/install-openvino) or set \
                     OPENVINO_LIB_PATH to one"
                )
            }
            #[cfg(feature = "runtime-linking")]
            LoadError::AlreadyLoaded { loaded, requested } => write!(
                f,
                "cannot load {}: the OpenVINO C library {} is already loaded in this process",
                requested.display(),
                loaded.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::NotFound(e) => Some(e),
            _ => None,
        }
    }
}

/// Checks a version string as returned by `ov_get_openvino_version` (`2026.4.1-22982-...`)
/// against [`MIN_SUPPORTED_VERSION`].
///
/// ```
/// use openvino_sys::library::check_version;
/// assert_eq!(check_version("2026.4.1-22982-8f8a5f5e").unwrap().to_string(), "2026.4.1");
/// assert!(check_version("2024.6.0-17404-4c0f47d2335").is_err());
/// ```
pub fn check_version(build_number: &str) -> Result<Version, LoadError> {
    let release = build_number.split(['-', ' ']).next().unwrap_or_default();
    let version: Version = release.parse().map_err(|_| LoadError::UnknownVersion {
        reported: build_number.to_owned(),
    })?;
    if version < MIN_SUPPORTED_VERSION {
        return Err(LoadError::UnsupportedVersion {
            found: version,
            path: None,
        });
    }
    Ok(version)
}

type GetVersion = unsafe extern "C" fn(*mut crate::ov_version_t) -> crate::ov_status_e;
type FreeVersion = unsafe extern "C" fn(*mut crate::ov_version_t);

/// Asks the library for its version (through the given entry points, so it works on a table that
/// is not published yet) and checks it.
fn read_version(
    get: GetVersion,
    free: FreeVersion,
    path: Option<PathBuf>,
) -> Result<LoadedLibrary, LoadError> {
    let mut raw = crate::ov_version_t::default();
    // SAFETY: `raw` is a valid out-parameter; on success the library fills it with strings it owns
    // until `ov_version_free`.
    let status = unsafe { get(&mut raw) };
    if status != crate::ov_status_e_OK || raw.buildNumber.is_null() {
        return Err(LoadError::UnknownVersion {
            reported: format!("ov_get_openvino_version returned status {status}"),
        });
    }
    // SAFETY: `buildNumber` is a NUL-terminated string owned by `raw`, read before it is freed.
    let build_number = unsafe { std::ffi::CStr::from_ptr(raw.buildNumber) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: `raw` was filled by `ov_get_openvino_version` and is freed exactly once.
    unsafe { free(&mut raw) };
    #[cfg(feature = "test-hooks")]
    let build_number = std::env::var("OPENVINO_SYS_TEST_FAKE_VERSION").unwrap_or(build_number);
    match check_version(&build_number) {
        Ok(version) => Ok(LoadedLibrary {
            path,
            version,
            build_number,
        }),
        Err(LoadError::UnsupportedVersion { found, .. }) => {
            Err(LoadError::UnsupportedVersion { found, path })
        }
        Err(e) => Err(e),
    }
}

#[cfg(not(feature = "runtime-linking"))]
mod linking {
    use super::*;

    static LOADED: OnceLock<LoadedLibrary> = OnceLock::new();

    /// Checks the OpenVINO C library linked at build time and returns what it is.
    ///
    /// With `dynamic-linking` the system loader has already mapped the library (the program would
    /// not have started otherwise), so this only asks its version and refuses releases older than
    /// [`MIN_SUPPORTED_VERSION`]. A success is remembered for the rest of the process.
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
        let info = read_version(crate::ov_get_openvino_version, crate::ov_version_free, path)?;
        Ok(LOADED.get_or_init(|| info))
    }
}

#[cfg(feature = "runtime-linking")]
mod linking {
    use super::*;
    use crate::generated::runtime::{Functions, SYMBOL_NAMES};
    use std::sync::Mutex;

    struct Loaded {
        // Kept for the life of the process: every resolved pointer points into it.
        _library: libloading::Library,
        functions: Functions,
        info: LoadedLibrary,
    }

    static LOADED: OnceLock<Loaded> = OnceLock::new();
    static LOADING: Mutex<()> = Mutex::new(());

    /// Finds the OpenVINO C library with `openvino-finder` and loads it (see [`load_from`]).
    /// Once a library is loaded, later calls return it at once.
    ///
    /// ```no_run
    /// match openvino_sys::library::load() {
    ///     Ok(library) => println!("OpenVINO {} from {:?}", library.version(), library.path()),
    ///     Err(e) => eprintln!("{e}"),
    /// }
    /// ```
    pub fn load() -> Result<&'static LoadedLibrary, LoadError> {
        if let Some(loaded) = LOADED.get() {
            return Ok(&loaded.info);
        }
        let mut finder = openvino_finder::Finder::from_env();
        if let Some(dir) = option_env!("OPENVINO_SYS_WORKSPACE_INSTALL") {
            finder = finder.workspace_install(dir);
        }
        let found = finder.find().map_err(LoadError::NotFound)?;
        load_from(found.path())
    }

    /// Loads the OpenVINO C library from `path`, resolves every `ov_*` symbol and checks the
    /// library's version. Nothing is kept when any step fails.
    ///
    /// ```no_run
    /// let library = openvino_sys::library::load_from("/opt/intel/openvino/runtime/lib/intel64/libopenvino_c.so")?;
    /// # Ok::<(), openvino_sys::library::LoadError>(())
    /// ```
    pub fn load_from(path: impl AsRef<Path>) -> Result<&'static LoadedLibrary, LoadError> {
        let path = path.as_ref();
        let _guard = LOADING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(loaded) = LOADED.get() {
            let same = loaded
                .info
                .path
                .as_deref()
                .is_some_and(|p| same_file(p, path));
            return if same {
                Ok(&loaded.info)
            } else {
                Err(LoadError::AlreadyLoaded {
                    loaded: loaded.info.path.clone().unwrap_or_default(),
                    requested: path.to_owned(),
                })
            };
        }
        // SAFETY: opening a shared library runs its initialisers; an OpenVINO C library's
        // initialisers have no preconditions.
        let library = unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::Open {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let missing: Vec<&'static str> = SYMBOL_NAMES
            .iter()
            .copied()
            .filter(|name| {
                let symbol = format!("{name}\0");
                // SAFETY: only the symbol's presence is checked; the pointer is not used.
                unsafe { library.get::<*const std::ffi::c_void>(symbol.as_bytes()) }.is_err()
            })
            .collect();
        if !missing.is_empty() {
            return Err(LoadError::MissingSymbols {
                path: path.to_owned(),
                names: missing,
            });
        }
        // SAFETY: every symbol exists; their types come from the headers this library ships.
        let functions =
            unsafe { Functions::resolve(&library) }.map_err(|name| LoadError::MissingSymbols {
                path: path.to_owned(),
                names: vec![name],
            })?;
        let version = read_version(
            functions.ov_get_openvino_version,
            functions.ov_version_free,
            Some(path.to_owned()),
        )?;
        let loaded = LOADED.get_or_init(|| Loaded {
            _library: library,
            functions,
            info: version,
        });
        Ok(&loaded.info)
    }

    fn same_file(a: &Path, b: &Path) -> bool {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    }

    /// Whether a library has been loaded in this process.
    pub fn is_loaded() -> bool {
        LOADED.get().is_some()
    }

    /// The resolved table, for the generated call-through functions.
    #[inline]
    pub(crate) fn functions() -> &'static Functions {
        match LOADED.get() {
            Some(loaded) => &loaded.functions,
            None => not_loaded(),
        }
    }

    #[cold]
    #[inline(never)]
    fn not_loaded() -> ! {
        panic!(
            "openvino-sys: an ov_* function was called before the OpenVINO C library was loaded; \
             call openvino_sys::library::load() (or load_from) first and handle its error"
        )
    }

    /// The address of a global variable of the C library.
    pub(crate) struct Address<T>(pub(crate) *const T);

    // SAFETY: the address points into the library's data, which lives (read-only for the
    // property-key strings) for the rest of the process.
    unsafe impl<T> Send for Address<T> {}
    // SAFETY: as above; the value is only read.
    unsafe impl<T> Sync for Address<T> {}

    /// A variadic C function, resolved at load time and called like the C function:
    /// `ov_core_set_property(core, device, key, value)`.
    pub struct Variadic<F: 'static> {
        get: fn(&'static Functions) -> &'static F,
    }

    impl<F> Variadic<F> {
        pub(crate) const fn new(get: fn(&'static Functions) -> &'static F) -> Self {
            Self { get }
        }
    }

    impl<F> std::ops::Deref for Variadic<F> {
        type Target = F;
        fn deref(&self) -> &F {
            (self.get)(functions())
        }
    }

    /// A global variable of the C library (the `ov_property_key_*` strings); read it with `*NAME`.
    pub struct Variable<T: 'static> {
        get: fn(&'static Functions) -> &'static Address<T>,
    }

    impl<T> Variable<T> {
        pub(crate) const fn new(get: fn(&'static Functions) -> &'static Address<T>) -> Self {
            Self { get }
        }
    }

    impl<T> std::ops::Deref for Variable<T> {
        type Target = T;
        fn deref(&self) -> &T {
            let address = (self.get)(functions());
            // SAFETY: the address was resolved from the loaded library, which is never unloaded.
            unsafe { &*address.0 }
        }
    }
}

pub use linking::*;
