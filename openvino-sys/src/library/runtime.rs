//! `runtime-linking`: the library is found and opened with libloading, every symbol resolved once.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use super::{LoadError, LoadedLibrary, Unavailable, Version, read_version};
use crate::generated::runtime::{Functions, REQUIRED_SYMBOLS};

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
    // SAFETY: the finder only accepts a `libopenvino_c` from an OpenVINO install (its version in
    // range and `libopenvino` beside it), whose initialisers have no preconditions.
    unsafe { load_from(found.path()) }
}

/// Loads the OpenVINO C library from `path`, resolves every `ov_*` symbol and checks the
/// library's version. Nothing is kept when any step fails. Functions of the bindings that the
/// release lacks are resolved as absent (see [`LoadedLibrary::unavailable_functions`]); a library
/// lacking one that every supported release has is refused.
///
/// # Safety
/// Opening a shared library runs its initialisers, arbitrary native code (as with
/// [`libloading::Library::new`]): `path` must be an OpenVINO C library (or at least a library
/// whose initialisers are sound to run in this process). The symbols are then called with the
/// signatures of the bindings, so it must really be `libopenvino_c`: the version check refuses
/// releases whose C ABI differs, but cannot tell another library exporting the same names.
///
/// ```no_run
/// // SAFETY: the official archive's OpenVINO C library.
/// let library = unsafe {
///     openvino_sys::library::load_from("/opt/intel/openvino/runtime/lib/intel64/libopenvino_c.so")
/// }?;
/// # Ok::<(), openvino_sys::library::LoadError>(())
/// ```
pub unsafe fn load_from(path: impl AsRef<Path>) -> Result<&'static LoadedLibrary, LoadError> {
    let path = path.as_ref();
    let _guard = LOADING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(loaded) = LOADED.get() {
        let same = loaded.info.path().is_some_and(|p| same_file(p, path));
        return if same {
            Ok(&loaded.info)
        } else {
            Err(LoadError::AlreadyLoaded {
                loaded: loaded.info.path().map(Path::to_owned).unwrap_or_default(),
                requested: path.to_owned(),
            })
        };
    }
    // SAFETY: the caller vouches that the library's initialisers are sound to run.
    let library = unsafe { libloading::Library::new(path) }.map_err(|source| LoadError::Open {
        path: path.to_owned(),
        source,
    })?;
    let missing: Vec<&'static str> = REQUIRED_SYMBOLS
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
    // SAFETY: every required symbol exists; the caller vouches that this is libopenvino_c, whose
    // symbols have the types of the headers (the version is checked just below, before any call
    // but `ov_get_openvino_version`, whose signature every release shares).
    let resolved = unsafe { Functions::resolve(&library) };
    let functions = resolved.map_err(|name| LoadError::MissingSymbols {
        path: path.to_owned(),
        names: vec![name],
    })?;
    let mut absent = functions.absent();
    absent.sort_unstable();
    let info = read_version(
        functions.ov_get_openvino_version,
        functions.ov_version_free,
        Some(path.to_owned()),
        absent,
    )?;
    if !info.unavailable_functions().is_empty() {
        log::info!(
            "openvino-sys: OpenVINO {} lacks {} function(s) of the bindings, which return \
             NOT_IMPLEMENTED: {}",
            info.version(),
            info.unavailable_functions().len(),
            info.unavailable_functions().join(", ")
        );
    }
    let loaded = LOADED.get_or_init(|| Loaded {
        _library: library,
        functions,
        info,
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

pub(super) fn loaded() -> Option<&'static LoadedLibrary> {
    LOADED.get().map(|l| &l.info)
}

pub(super) fn loaded_version() -> Option<Version> {
    loaded().map(|l| *l.version())
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
/// `ov_core_set_property(core, device, key, value)`. Every variadic function exists in every
/// supported release (the generator checks), so there is always a function to call.
///
/// ```no_run
/// use openvino_sys::*;
/// library::load()?;
/// let mut core = std::ptr::null_mut();
/// // SAFETY: a valid out-parameter; the core is freed below.
/// assert_eq!(unsafe { ov_core_create(&mut core) }, ov_status_e_OK);
/// let key = ov_property_key_inference_num_threads.get().expect("every release has it");
/// // SAFETY: a live core, NUL-terminated device name, key and value.
/// let status = unsafe { ov_core_set_property(core, c"CPU".as_ptr(), *key, c"2".as_ptr()) };
/// assert_eq!(status, ov_status_e_OK);
/// // SAFETY: created above, freed once.
/// unsafe { ov_core_free(core) };
/// # Ok::<(), library::LoadError>(())
/// ```
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

/// A global variable of the C library (the `ov_property_key_*` strings), read with
/// [`Variable::get`]: it fails for a variable the loaded release lacks.
///
/// ```no_run
/// use openvino_sys::*;
/// library::load()?;
/// match ov_property_key_cache_encryption_callbacks.get() {
///     Ok(key) => println!("the key is at {:p}", *key),
///     Err(why) => println!("{why}"), // OpenVINO 2024.3 has no such key
/// }
/// # Ok::<(), library::LoadError>(())
/// ```
pub struct Variable<T: 'static> {
    name: &'static str,
    get: fn(&'static Functions) -> Option<&'static Address<T>>,
}

impl<T> Variable<T> {
    pub(crate) const fn new(
        name: &'static str,
        get: fn(&'static Functions) -> Option<&'static Address<T>>,
    ) -> Self {
        Self { name, get }
    }

    /// The variable's value, or why the loaded release has no such variable.
    ///
    /// # Panics
    /// When no library is loaded yet (as calling an `ov_*` function does).
    pub fn get(&self) -> Result<&'static T, Unavailable> {
        match (self.get)(functions()) {
            // SAFETY: the address was resolved from the loaded library, which is never unloaded,
            // and points at a variable of type `T` (the headers' declaration).
            Some(address) => Ok(unsafe { &*address.0 }),
            // Only a library is loaded here (`functions()` checked), and generated code names
            // only variables of the bindings, so both lookups succeed.
            None => Err(Unavailable {
                name: self.name,
                added_in: super::added_in(self.name).unwrap_or(super::BINDINGS_RELEASE),
                loaded: super::loaded_version().unwrap_or(super::BINDINGS_RELEASE),
            }),
        }
    }
}
