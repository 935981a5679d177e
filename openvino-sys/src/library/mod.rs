//! Loading and checking the OpenVINO C library, and what differs between releases.
//!
//! Both linking modes expose [`load`]: call it once before any `ov_*` function. With
//! `dynamic-linking` the library is already mapped by the system loader and `load` only checks its
//! version; with `runtime-linking` it finds the library (through `openvino-finder`), opens it,
//! resolves every symbol up front and checks the version, so an unusable library fails here, with
//! a message, and never in the middle of a program.
//!
//! # Every release from [`MIN_SUPPORTED_VERSION`] on
//! The bindings come from the newest release ([`BINDINGS_VERSION`]), but
//! with `runtime-linking` any release from [`MIN_SUPPORTED_VERSION`] to the bindings' year works:
//! - A function that the loaded release lacks (it was added later) is resolved as absent, not as
//!   an error: its wrapper returns `ov_status_e_NOT_IMPLEMENTED` without calling anything, and
//!   [`unavailable`] says which release added it. A property key variable it lacks reads as that
//!   error too (`ov_property_key_*.get()`). [`LoadedLibrary::unavailable_functions`] lists them
//!   all. Which release added what ([`added_in`]) comes from the symbols every release exports,
//!   compared by `scripts/test-releases`.
//! - Releases before 2025.1 number `ov_element_type_e` differently (`UNDEFINED` was 0 and every
//!   other type one higher); [`element_type_to_c`] and [`element_type_from_c`] translate between
//!   the bindings' numbering and the loaded release's. Every other enum and every struct the
//!   bindings declare is the same in every supported release (the headers of each were compared).
//! - Releases newer than the bindings' year are refused: a new year may renumber again, as 2025.1
//!   did.
//!
//! With `dynamic-linking` a program that starts has every function it calls (the system loader
//! checks), so nothing is unavailable; the element-type translation applies all the same.

use std::fmt;
use std::path::{Path, PathBuf};

pub use openvino_finder::Version;

pub use crate::BINDINGS_VERSION;
use crate::generated::since::ADDED_IN;
pub use crate::generated::since::KNOWN_RELEASES;

#[cfg(not(feature = "runtime-linking"))]
mod linked;
#[cfg(not(feature = "runtime-linking"))]
pub use linked::*;

#[cfg(feature = "runtime-linking")]
mod runtime;
#[cfg(feature = "runtime-linking")]
pub use runtime::*;

/// The oldest supported release: the oldest whose C library is published on PyPI, where
/// `scripts/test-releases` gets every release it tests (the wheels of 2024.0 to 2024.2 ship no C
/// library). The same constant as `openvino_finder::MIN_SUPPORTED`, which skips older installs.
pub const MIN_SUPPORTED_VERSION: Version = openvino_finder::MIN_SUPPORTED;

/// The release the bindings were generated from; releases of a later year are refused.
pub const BINDINGS_RELEASE: Version = KNOWN_RELEASES[KNOWN_RELEASES.len() - 1];

/// The first release numbering `ov_element_type_e` as the bindings do (`DYNAMIC` = 0).
pub const ELEMENT_TYPES_RENUMBERED_IN: Version = Version::new(2025, 1, 0);

/// The OpenVINO C library in use, as reported by the library itself.
///
/// ```
/// let library = openvino_sys::library::load().expect("OpenVINO is installed");
/// println!("OpenVINO {} ({})", library.version(), library.build_number());
/// for name in library.unavailable_functions() {
///     println!("unavailable: {}", openvino_sys::library::unavailable(name).unwrap());
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedLibrary {
    path: Option<PathBuf>,
    version: Version,
    build_number: String,
    unavailable: Vec<&'static str>,
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

    /// The functions and property-key variables of the bindings that this library lacks (added
    /// by later releases), in name order; [`unavailable`] explains each. Always empty with
    /// `dynamic-linking`.
    pub fn unavailable_functions(&self) -> &[&'static str] {
        &self.unavailable
    }
}

/// A function or variable of the bindings that the loaded library lacks, because a later release
/// added it. Returned by [`unavailable`] and by `ov_property_key_*.get()`.
///
/// ```
/// use openvino_sys::library::{Unavailable, Version};
/// let e = Unavailable::new("ov_core_set_properties", Version::new(2025, 1, 0)).unwrap();
/// assert_eq!(e.added_in(), Version::new(2026, 4, 0));
/// assert_eq!(
///     e.to_string(),
///     "ov_core_set_properties is not in the loaded OpenVINO 2025.1.0: it was added in OpenVINO \
///      2026.4.0; install that release or a newer one to use it"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    name: &'static str,
    added_in: Version,
    loaded: Version,
}

impl Unavailable {
    /// The error for `name` (a function or variable of the bindings) with `loaded` as the loaded
    /// release; `None` when the bindings declare no such symbol.
    pub fn new(name: &str, loaded: Version) -> Option<Self> {
        let index = ADDED_IN.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
        let (name, added_in) = ADDED_IN[index];
        Some(Self {
            name,
            added_in,
            loaded,
        })
    }

    /// The C name (`ov_core_set_properties`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The release that added it.
    pub fn added_in(&self) -> Version {
        self.added_in
    }

    /// The release loaded.
    pub fn loaded(&self) -> Version {
        self.loaded
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not in the loaded OpenVINO {}: it was added in OpenVINO {}; install that \
             release or a newer one to use it",
            self.name, self.loaded, self.added_in
        )
    }
}

impl std::error::Error for Unavailable {}

/// The release that added a function or variable of the bindings (`ov_core_set_properties` was
/// added in 2026.4.0); [`MIN_SUPPORTED_VERSION`] for those every supported release has, and
/// `None` for a name the bindings do not declare.
///
/// ```
/// use openvino_sys::library::{added_in, Version, MIN_SUPPORTED_VERSION};
/// assert_eq!(added_in("ov_core_set_properties"), Some(Version::new(2026, 4, 0)));
/// assert_eq!(added_in("ov_core_create"), Some(MIN_SUPPORTED_VERSION));
/// assert_eq!(added_in("ov_no_such_function"), None);
/// ```
pub fn added_in(name: &str) -> Option<Version> {
    ADDED_IN
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| ADDED_IN[i].1)
}

/// Why `name` cannot be called on the loaded library, or `None` when it can (or when no library is
/// loaded yet, or the bindings declare no such name). Always `None` with `dynamic-linking`.
///
/// ```
/// openvino_sys::library::load().expect("OpenVINO is installed");
/// if let Some(why) = openvino_sys::library::unavailable("ov_core_set_properties") {
///     eprintln!("{why}");
/// }
/// ```
pub fn unavailable(name: &str) -> Option<Unavailable> {
    let loaded = loaded()?;
    if !loaded.unavailable.contains(&name) {
        return None;
    }
    Unavailable::new(name, loaded.version)
}

/// Panics with the [`Unavailable`] message: what the generated wrapper of an absent function
/// that returns no status does (see the wrapper's `# Panics`).
#[cfg(feature = "runtime-linking")]
#[cold]
#[inline(never)]
pub(crate) fn absent(name: &'static str) -> ! {
    match unavailable(name) {
        Some(why) => panic!("openvino-sys: {why}; check openvino_sys::library::unavailable first"),
        None => panic!("openvino-sys: {name} is not in the loaded OpenVINO C library"),
    }
}

/// The largest `ov_element_type_e` value of the bindings.
const LAST_ELEMENT_TYPE: crate::ov_element_type_e = crate::ov_element_type_e_F8E8M0;

fn renumbered(release: Option<Version>) -> bool {
    release.is_some_and(|v| v < ELEMENT_TYPES_RENUMBERED_IN)
}

/// The loaded release's value for an element type in the bindings' numbering (`ov_element_type_e_*`),
/// or `None` for a value that is no element type. Before 2025.1 every type but `DYNAMIC` was one
/// higher (`UNDEFINED` was 0, `DYNAMIC` 1). With no library loaded yet, the bindings' numbering.
///
/// ```
/// use openvino_sys::{library, ov_element_type_e_F32};
/// library::load().expect("OpenVINO is installed");
/// let c = library::element_type_to_c(ov_element_type_e_F32).unwrap();
/// assert_eq!(library::element_type_from_c(c), Some(ov_element_type_e_F32));
/// assert_eq!(library::element_type_to_c(1000), None);
/// ```
pub fn element_type_to_c(canonical: crate::ov_element_type_e) -> Option<crate::ov_element_type_e> {
    to_c_for(loaded_version(), canonical)
}

fn to_c_for(
    release: Option<Version>,
    canonical: crate::ov_element_type_e,
) -> Option<crate::ov_element_type_e> {
    if canonical > LAST_ELEMENT_TYPE {
        return None;
    }
    Some(if renumbered(release) {
        canonical + 1
    } else {
        canonical
    })
}

/// The bindings' value (`ov_element_type_e_*`) for an element type value the loaded release
/// returned, or `None` for a value the release does not define. Before 2025.1, `UNDEFINED` (0)
/// reads as `DYNAMIC`, which 2025.1 merged it into.
///
/// ```
/// use openvino_sys::{library, ov_element_type_e_DYNAMIC};
/// library::load().expect("OpenVINO is installed");
/// let dynamic = library::element_type_to_c(ov_element_type_e_DYNAMIC).unwrap();
/// assert_eq!(library::element_type_from_c(dynamic), Some(ov_element_type_e_DYNAMIC));
/// ```
pub fn element_type_from_c(value: crate::ov_element_type_e) -> Option<crate::ov_element_type_e> {
    from_c_for(loaded_version(), value)
}

fn from_c_for(
    release: Option<Version>,
    value: crate::ov_element_type_e,
) -> Option<crate::ov_element_type_e> {
    if renumbered(release) {
        match value {
            0 => Some(crate::ov_element_type_e_DYNAMIC),
            v if v <= LAST_ELEMENT_TYPE + 1 => Some(v - 1),
            _ => None,
        }
    } else {
        (value <= LAST_ELEMENT_TYPE).then_some(value)
    }
}

/// Why the OpenVINO C library could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// No library was found; the finder's report (also the [`source`](std::error::Error::source))
    /// lists every place it looked.
    NotFound(openvino_finder::Error),
    /// The file exists but the system loader refused it.
    #[cfg(feature = "runtime-linking")]
    Open {
        /// The file that was opened.
        path: PathBuf,
        /// The loader's error (also the [`source`](std::error::Error::source)).
        source: libloading::Error,
    },
    /// The library lacks functions that every supported release has: it is no supported
    /// `libopenvino_c`.
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
    /// The release is older than [`MIN_SUPPORTED_VERSION`] or of a later year than the bindings.
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
            #[cfg(feature = "runtime-linking")]
            LoadError::Open { path, source } => write!(
                f,
                "cannot open the OpenVINO C library {}: {source}; check that its companion \
                 libraries (libopenvino, libtbb) are in the same folder",
                path.display()
            ),
            LoadError::MissingSymbols { path, names } => write!(
                f,
                "{} lacks {} function(s) that every OpenVINO C library since \
                 {MIN_SUPPORTED_VERSION} has ({}); is it really libopenvino_c? Point \
                 OPENVINO_LIB_PATH at OpenVINO {MIN_SUPPORTED_VERSION} or newer",
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
                if *found < MIN_SUPPORTED_VERSION {
                    write!(
                        f,
                        " is not supported: these bindings (generated from OpenVINO \
                         {BINDINGS_VERSION}) need {MIN_SUPPORTED_VERSION} or newer; install a \
                         newer OpenVINO (scripts/install-openvino) or set OPENVINO_LIB_PATH to one"
                    )
                } else {
                    write!(
                        f,
                        " is newer than these bindings know: they were generated from OpenVINO \
                         {BINDINGS_VERSION} and accept releases up to {}.x, because a new year \
                         may change the C ABI (2025.1 renumbered the element types); use a newer \
                         openvino-sys, or OpenVINO {} or older",
                        BINDINGS_RELEASE.major, BINDINGS_RELEASE.major
                    )
                }
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
            #[cfg(feature = "runtime-linking")]
            LoadError::Open { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Checks a version string as returned by `ov_get_openvino_version` (`2026.4.1-22982-...`):
/// at least [`MIN_SUPPORTED_VERSION`], and not of a later year than [`BINDINGS_RELEASE`].
///
/// ```
/// use openvino_sys::library::check_version;
/// assert_eq!(check_version("2026.4.1-22982-8f8a5f5e").unwrap().to_string(), "2026.4.1");
/// assert_eq!(check_version("2024.6.0-17404-4c0f47d2335").unwrap().to_string(), "2024.6.0");
/// assert!(check_version("2024.2.0-15519-5c0f38f83f6").is_err());
/// assert!(check_version("2027.0.0-1").is_err());
/// ```
pub fn check_version(build_number: &str) -> Result<Version, LoadError> {
    let release = build_number.split(['-', ' ']).next().unwrap_or_default();
    let version: Version = release.parse().map_err(|_| LoadError::UnknownVersion {
        reported: build_number.to_owned(),
    })?;
    if version < MIN_SUPPORTED_VERSION || version.major > BINDINGS_RELEASE.major {
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
    unavailable: Vec<&'static str>,
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
            unavailable,
        }),
        Err(LoadError::UnsupportedVersion { found, .. }) => {
            Err(LoadError::UnsupportedVersion { found, path })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_since_table_starts_at_the_oldest_supported_release() {
        assert_eq!(KNOWN_RELEASES[0], MIN_SUPPORTED_VERSION);
        assert_eq!(BINDINGS_RELEASE.to_string(), BINDINGS_VERSION);
        assert!(KNOWN_RELEASES.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ADDED_IN.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted for binary search"
        );
        let every_symbol = crate::FUNCTION_NAMES.len() + crate::VARIABLE_NAMES.len();
        assert_eq!(ADDED_IN.len(), every_symbol);
    }

    #[test]
    fn added_in_names_the_release_of_each_late_function() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert_eq!(added_in("ov_core_set_properties"), Some(v("2026.4.0")));
        assert_eq!(added_in("ov_util_set_log_callback"), Some(v("2025.4.0")));
        assert_eq!(added_in("ov_core_add_extension"), Some(v("2025.2.0")));
        assert_eq!(
            added_in("ov_preprocess_preprocess_steps_pad"),
            Some(v("2025.0.0"))
        );
        assert_eq!(
            added_in("ov_property_key_cache_encryption_callbacks"),
            Some(v("2024.4.0"))
        );
        assert_eq!(added_in("ov_core_create"), Some(MIN_SUPPORTED_VERSION));
        assert_eq!(added_in("ov_core_create_"), None);
    }

    #[test]
    fn versions_outside_the_supported_range_are_refused_with_the_reason() {
        let old = check_version("2024.2.0-15519-x").unwrap_err();
        assert!(old.to_string().contains("need 2024.3.0 or newer"), "{old}");
        let new = check_version("2027.0.0-1-x").unwrap_err();
        assert!(
            new.to_string().contains("newer than these bindings know"),
            "{new}"
        );
        assert!(new.to_string().contains("up to 2026.x"), "{new}");
        assert!(
            check_version("2026.99.9").is_ok(),
            "the bindings' year is accepted"
        );
        assert!(check_version("not-a-version").is_err());
    }

    #[test]
    fn element_types_translate_by_release() {
        use crate::*;
        // The numbering of the 2024.3 to 2025.0 headers: UNDEFINED 0, DYNAMIC 1, BOOLEAN 2, ...,
        // F32 5, ..., STRING 24, F4E2M1 25, F8E8M0 26.
        for old in ["2024.3.0", "2024.6.0", "2025.0.0"] {
            let old = Some(old.parse::<Version>().unwrap());
            assert_eq!(to_c_for(old, ov_element_type_e_DYNAMIC), Some(1));
            assert_eq!(to_c_for(old, ov_element_type_e_OV_BOOLEAN), Some(2));
            assert_eq!(to_c_for(old, ov_element_type_e_F32), Some(5));
            assert_eq!(to_c_for(old, ov_element_type_e_STRING), Some(24));
            assert_eq!(to_c_for(old, ov_element_type_e_F8E8M0), Some(26));
            assert_eq!(to_c_for(old, ov_element_type_e_F8E8M0 + 1), None);
            assert_eq!(
                from_c_for(old, 0),
                Some(ov_element_type_e_DYNAMIC),
                "UNDEFINED"
            );
            assert_eq!(from_c_for(old, 1), Some(ov_element_type_e_DYNAMIC));
            assert_eq!(from_c_for(old, 5), Some(ov_element_type_e_F32));
            assert_eq!(from_c_for(old, 26), Some(ov_element_type_e_F8E8M0));
            assert_eq!(from_c_for(old, 27), None);
        }
        for new in [
            Some(Version::new(2025, 1, 0)),
            Some(Version::new(2026, 4, 1)),
            None,
        ] {
            for canonical in 0..=LAST_ELEMENT_TYPE {
                assert_eq!(to_c_for(new, canonical), Some(canonical));
                assert_eq!(from_c_for(new, canonical), Some(canonical));
            }
            assert_eq!(to_c_for(new, LAST_ELEMENT_TYPE + 1), None);
            assert_eq!(from_c_for(new, LAST_ELEMENT_TYPE + 1), None);
        }
    }

    #[test]
    fn unavailable_explains_an_absent_symbol() {
        let e = Unavailable::new("ov_tensor_set_string_data", Version::new(2025, 1, 0)).unwrap();
        assert_eq!(e.added_in(), Version::new(2025, 2, 0));
        assert!(e.to_string().contains("added in OpenVINO 2025.2.0"));
        assert!(Unavailable::new("ov_nothing", Version::new(2025, 1, 0)).is_none());
    }
}
