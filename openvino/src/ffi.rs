//! Conversions at the C boundary shared by every module: strings in, strings out, and making
//! sure the library is loaded before the first call.

use std::ffi::{CStr, CString, c_char};
use std::path::Path;

use openvino_sys as sys;

use crate::{Error, ErrorKind, Result};

/// Loads (runtime-linking) or checks (dynamic-linking) the OpenVINO C library. Cheap after the
/// first call. Every entry point that can be reached without a `Core` calls it first.
pub(crate) fn ensure_loaded() -> Result<()> {
    sys::library::load()?;
    Ok(())
}

/// An `Unavailable` error when the loaded release lacks `call`, a C function returning no status
/// (whose absence `openvino-sys` cannot report as `NOT_IMPLEMENTED`): check before calling it.
pub(crate) fn ensure_available(call: &'static str) -> Result<()> {
    match sys::library::unavailable(call) {
        Some(why) => Err(Error::new(ErrorKind::Unavailable, call, why.to_string())),
        None => Ok(()),
    }
}

/// A handle OpenVINO just returned, or a `NotAllocated` error naming the call if it is null.
pub(crate) fn non_null<T>(
    ptr: *mut T,
    call: &'static str,
    what: &str,
) -> Result<std::ptr::NonNull<T>> {
    std::ptr::NonNull::new(ptr).ok_or_else(|| {
        Error::new(
            ErrorKind::NotAllocated,
            call,
            format!("OpenVINO returned a null {what}"),
        )
    })
}

/// A Rust string as a C string, or an `InteriorNul` error naming the operation.
pub(crate) fn cstring(s: &str, call: &'static str) -> Result<CString> {
    CString::new(s).map_err(|_| {
        Error::new(
            ErrorKind::InteriorNul,
            call,
            format!("{s:?} contains a NUL byte, which OpenVINO cannot receive"),
        )
    })
}

/// A path as a C string (its bytes on Unix, UTF-8 elsewhere).
pub(crate) fn path_cstring(path: &Path, call: &'static str) -> Result<CString> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path
        .to_str()
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidUtf8,
                call,
                format!("{} is not UTF-8", path.display()),
            )
        })?
        .as_bytes()
        .to_vec();
    CString::new(bytes).map_err(|_| {
        Error::new(
            ErrorKind::InteriorNul,
            call,
            format!("path {} contains a NUL byte", path.display()),
        )
    })
}

/// Copies a string OpenVINO allocated for the caller and frees it with `ov_free`.
///
/// # Safety
/// `ptr` is null or a NUL-terminated string allocated by OpenVINO for the caller, not yet freed.
pub(crate) unsafe fn take_string(ptr: *mut c_char, call: &'static str) -> Result<String> {
    if ptr.is_null() {
        return Ok(String::new());
    }
    // SAFETY: per the contract, a live NUL-terminated string.
    let text = unsafe { CStr::from_ptr(ptr) }.to_str().map(str::to_owned);
    // SAFETY: allocated by OpenVINO for the caller; freed exactly once, after the copy.
    unsafe { sys::ov_free(ptr) };
    text.map_err(|_| {
        Error::new(
            ErrorKind::InvalidUtf8,
            call,
            "OpenVINO returned text that is not UTF-8",
        )
    })
}

/// Copies a string OpenVINO owns (not freed here).
///
/// # Safety
/// `ptr` is null or a NUL-terminated string that stays valid for this call.
pub(crate) unsafe fn borrowed_string(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: per the contract.
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

/// Reads one of the C library's `ov_property_key_*` variables by name (tests only).
#[cfg(test)]
pub(crate) fn property_key_variable(name: &str) -> Option<String> {
    macro_rules! read {
        ($($var:ident),* $(,)?) => {
            match name {
                $(stringify!($var) => {
                    #[cfg(not(feature = "runtime-linking"))]
                    // SAFETY: an extern static of the linked library holding a C string constant.
                    let ptr = unsafe { sys::$var };
                    #[cfg(feature = "runtime-linking")]
                    let ptr = *sys::$var.get().ok()?;
                    // SAFETY: the property keys are static NUL-terminated strings.
                    Some(unsafe { borrowed_string(ptr) })
                })*
                _ => None,
            }
        };
    }
    read!(
        ov_property_key_supported_properties,
        ov_property_key_available_devices,
        ov_property_key_optimal_number_of_infer_requests,
        ov_property_key_range_for_async_infer_requests,
        ov_property_key_range_for_streams,
        ov_property_key_device_full_name,
        ov_property_key_device_capabilities,
        ov_property_key_model_name,
        ov_property_key_optimal_batch_size,
        ov_property_key_max_batch_size,
        ov_property_key_cache_dir,
        ov_property_key_cache_mode,
        ov_property_key_cache_encryption_callbacks,
        ov_property_key_num_streams,
        ov_property_key_inference_num_threads,
        ov_property_key_hint_enable_cpu_pinning,
        ov_property_key_hint_enable_hyper_threading,
        ov_property_key_hint_performance_mode,
        ov_property_key_hint_scheduling_core_type,
        ov_property_key_hint_inference_precision,
        ov_property_key_hint_num_requests,
        ov_property_key_log_level,
        ov_property_key_hint_model_priority,
        ov_property_key_enable_profiling,
        ov_property_key_device_priorities,
        ov_property_key_hint_execution_mode,
        ov_property_key_force_tbb_terminate,
        ov_property_key_enable_mmap,
        ov_property_key_auto_batch_timeout,
    )
}
