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
    let err = library::load_from("/no/such/libopenvino_c.so").unwrap_err();
    assert!(matches!(err, LoadError::Open { .. }), "{err}");
    assert!(err.to_string().contains("/no/such/libopenvino_c.so"));

    // A real shared library that is not OpenVINO: every missing symbol is named at once.
    let libm = [
        "/lib/x86_64-linux-gnu/libm.so.6",
        "/usr/lib/x86_64-linux-gnu/libm.so.6",
        "/lib64/libm.so.6",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("libm exists");
    match library::load_from(libm).unwrap_err() {
        LoadError::MissingSymbols { names, .. } => {
            assert_eq!(
                names.len(),
                openvino_sys::FUNCTION_NAMES.len() + openvino_sys::VARIABLE_NAMES.len()
            );
            assert!(names.contains(&"ov_core_create"));
        }
        other => panic!("expected MissingSymbols, got {other}"),
    }
    assert!(!library::is_loaded());

    let loaded = library::load().expect("OpenVINO is installed");
    assert_eq!(loaded.version().to_string(), openvino_sys::BINDINGS_VERSION);
    // Loading the same file again is fine; another file is refused.
    let path = loaded.path().unwrap().to_owned();
    assert_eq!(
        library::load_from(&path).unwrap().path(),
        Some(path.as_path())
    );
    assert!(matches!(
        library::load_from(libm).unwrap_err(),
        LoadError::AlreadyLoaded { .. }
    ));
}
