//! Loading errors of the `runtime-linking` mode: each one is a `LoadError` with a message, never
//! a crash. (Each test file is its own process, so nothing here is loaded before these run.)
#![cfg(feature = "runtime-linking")]

use openvino_sys::library::{self, LoadError};

#[test]
fn calling_before_loading_panics_with_a_clear_message() {
    assert!(!library::is_loaded());
    let panic = std::panic::catch_unwind(|| {
        let mut core = std::ptr::null_mut();
        // SAFETY: the call is expected to panic before reaching C.
        unsafe { openvino_sys::ov_core_create(&mut core) }
    })
    .unwrap_err();
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(message.contains("library::load()"), "{message}");

    // Errors leave nothing loaded, and a later good load works.
    // SAFETY: no such file: nothing is run.
    let err = unsafe { library::load_from("/no/such/libopenvino_c.so") }.unwrap_err();
    assert!(matches!(err, LoadError::Open { .. }), "{err}");
    assert!(err.to_string().contains("/no/such/libopenvino_c.so"));
    // The loader's error is kept as the cause.
    let cause = std::error::Error::source(&err)
        .expect("the loader's error")
        .to_string();
    assert!(cause.contains("No such file"), "{cause}");

    // A real shared library that is not OpenVINO: every missing symbol is named at once.
    let libm = [
        "/lib/x86_64-linux-gnu/libm.so.6",
        "/usr/lib/x86_64-linux-gnu/libm.so.6",
        "/lib64/libm.so.6",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("libm exists");
    // SAFETY: the C maths library, whose initialisers every Rust program already ran.
    match unsafe { library::load_from(libm) }.unwrap_err() {
        LoadError::MissingSymbols { names, .. } => {
            // Every symbol that every supported release has; the later ones are optional.
            let optional = openvino_sys::FUNCTION_NAMES
                .iter()
                .chain(openvino_sys::VARIABLE_NAMES)
                .filter(|n| library::added_in(n) != Some(library::MIN_SUPPORTED_VERSION))
                .count();
            assert_eq!(optional, 17);
            assert_eq!(
                names.len(),
                openvino_sys::FUNCTION_NAMES.len() + openvino_sys::VARIABLE_NAMES.len() - optional
            );
            assert!(names.contains(&"ov_core_create"));
            assert!(!names.contains(&"ov_core_set_properties"));
        }
        other => panic!("expected MissingSymbols, got {other}"),
    }
    assert!(!library::is_loaded());

    let loaded = library::load().expect("OpenVINO is installed");
    assert_eq!(loaded.version().to_string(), openvino_sys::BINDINGS_VERSION);
    assert_eq!(loaded.unavailable_functions(), &[] as &[&str]);
    assert!(library::unavailable("ov_core_set_properties").is_none());
    // Loading the same file again is fine; another file is refused.
    let path = loaded.path().unwrap().to_owned();
    // SAFETY: the library already loaded.
    let again = unsafe { library::load_from(&path) }.unwrap();
    assert_eq!(again.path(), Some(path.as_path()));
    // SAFETY: refused before anything is opened.
    let other = unsafe { library::load_from(libm) }.unwrap_err();
    assert!(matches!(other, LoadError::AlreadyLoaded { .. }), "{other}");
}
