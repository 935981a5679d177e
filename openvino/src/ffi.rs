//! The C boundary, in one place: the one idiom for calling OpenVINO ([`ov!`]), the one owning
//! handle type ([`Handle`]), and the conversions every module shares (strings in and out, loading
//! the library before the first call).
//!
//! # Why every call is counted
//! OpenVINO keeps the message of the last failure in one string for the whole process (not per
//! thread), and several failures set no message at all. A message read after a failed call may
//! therefore belong to another call. [`ov!`] counts the calls in flight, and a failure reads the
//! message only when no other call of this crate ran between its start and the read (see
//! [`Call::finish`]); otherwise the error says so instead of borrowing a stranger's message.

use std::ffi::{CStr, CString, c_char};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use openvino_sys as sys;

use crate::{Error, ErrorKind, Result};

/// Calls an OpenVINO C function that returns `ov_status_e`, naming it once: the name is the error
/// label, and `Ok` carries it (for the handle the call created, see [`Handle::new`]).
/// `ov!(ov_core_create(&mut ptr))` must sit in an `unsafe` block whose `// SAFETY:` comment says
/// why the arguments are valid. The arguments are evaluated after the call is counted, so they
/// must not call OpenVINO themselves (they are pointers and plain values everywhere).
macro_rules! ov {
    ($f:ident ( $($arg:expr),* $(,)? )) => {{
        let call = $crate::ffi::Call::start();
        let status = ::openvino_sys::$f($($arg),*);
        call.finish(status, stringify!($f))
    }};
}

/// Calls an OpenVINO C function that returns no status (the `*_free` functions, predicates,
/// string builders), counted like [`ov!`] because some of them touch OpenVINO's last-error message
/// (`ov_core_free` clears it).
macro_rules! ov_plain {
    ($f:ident ( $($arg:expr),* $(,)? )) => {{
        let call = $crate::ffi::Call::start();
        let value = ::openvino_sys::$f($($arg),*);
        call.end();
        value
    }};
}

pub(crate) use {ov, ov_plain};

/// Calls in flight (low 24 bits) and calls started (the other 40 bits, wrapping), in one word so
/// that a call's start is one atomic operation. A foreign message could only pass the check in
/// [`Call::finish`] if exactly a multiple of 2^40 calls started during one failing call.
static CALLS: AtomicU64 = AtomicU64::new(0);
const IN_FLIGHT_MASK: u64 = (1 << 24) - 1;
const ONE_CALL: u64 = (1 << 24) | 1;

/// One C call in flight (see the module documentation).
pub(crate) struct Call {
    /// `CALLS` just before this call was counted.
    before: u64,
}

impl Call {
    #[inline]
    pub(crate) fn start() -> Self {
        Self {
            before: CALLS.fetch_add(ONE_CALL, Ordering::SeqCst),
        }
    }

    #[inline]
    pub(crate) fn end(self) {
        CALLS.fetch_sub(1, Ordering::Release);
    }

    /// Ends the call and turns its status into a `Result`, reading OpenVINO's message only when it
    /// can be this call's:
    /// - the status is one that OpenVINO's C layer sets together with a message (its exception
    ///   handlers: `GENERAL_ERROR`, `NOT_IMPLEMENTED`, `REQUEST_BUSY`, `INFER_CANCELLED`,
    ///   `UNKNOW_EXCEPTION`); its argument checks (`INVALID_C_PARAM`) and plain returns
    ///   (`RESULT_NOT_READY`, `NOT_FOUND`) leave the previous call's message in place;
    /// - no other call was in flight when this one started, and none started until the message
    ///   was read. Every OpenVINO call writes the message before it returns, so a writer other
    ///   than this call would have been counted in between.
    #[inline]
    pub(crate) fn finish(
        self,
        status: sys::ov_status_e,
        call: &'static str,
    ) -> Result<&'static str> {
        if status == sys::ov_status_e_OK {
            self.end();
            return Ok(call);
        }
        Err(self.failure(status, call))
    }

    #[cold]
    #[inline(never)]
    fn failure(self, status: sys::ov_status_e, call: &'static str) -> Error {
        if status == sys::ov_status_e_NOT_IMPLEMENTED
            && let Some(why) = crate::error::unavailable(call)
        {
            self.end();
            return Error::unavailable(call, why);
        }
        let sets_message = matches!(
            status,
            sys::ov_status_e_GENERAL_ERROR
                | sys::ov_status_e_NOT_IMPLEMENTED
                | sys::ov_status_e_REQUEST_BUSY
                | sys::ov_status_e_INFER_CANCELLED
                | sys::ov_status_e_UNKNOW_EXCEPTION
        );
        let alone = self.before & IN_FLIGHT_MASK == 0;
        let message = if sets_message && alone {
            // SAFETY: no preconditions; the result is null or a copy allocated for the caller.
            let raw = unsafe { sys::ov_get_last_err_msg() };
            let unchanged = CALLS.load(Ordering::SeqCst) == self.before + ONE_CALL;
            // SAFETY: null or a NUL-terminated copy allocated for the caller, not yet freed.
            let text = unsafe { take_string(raw.cast_mut(), call) }.unwrap_or_default();
            unchanged.then_some(text)
        } else {
            None
        };
        self.end();
        let message = match message {
            Some(text) if !text.trim().is_empty() => text,
            _ => {
                let info = status_description(status);
                if sets_message {
                    format!(
                        "{info} (OpenVINO's own message is not shown: another OpenVINO call ran at \
                         the same time, and OpenVINO keeps one message for the whole process)"
                    )
                } else {
                    info
                }
            }
        };
        Error::from_status(status, call, message)
    }
}

/// OpenVINO's fixed description of a status (`ov_get_error_info`), which needs no message.
fn status_description(status: sys::ov_status_e) -> String {
    if !(sys::ov_status_e_UNKNOW_EXCEPTION..sys::ov_status_e_OK).contains(&status) {
        return format!("status {status}, unknown to this crate");
    }
    // SAFETY: a status OpenVINO defines; the result is a static NUL-terminated string.
    let info = unsafe { sys::ov_get_error_info(status) };
    // SAFETY: null or a static string that must not be freed.
    unsafe { borrowed_string(info) }
}

/// An OpenVINO handle type and the C function that frees it.
pub(crate) trait Free {
    /// What the handle is, for the error when OpenVINO returns a null one ("core", "tensor").
    const WHAT: &'static str;

    /// Frees the handle.
    ///
    /// # Safety
    /// `ptr` is a live handle that the caller owns and never uses again.
    unsafe fn free(ptr: *mut Self);
}

/// Implements [`Free`] for each C handle type with its `*_free` function.
macro_rules! free_with {
    ($($c:ident => $free:ident, $what:literal;)*) => {$(
        impl Free for sys::$c {
            const WHAT: &'static str = $what;
            unsafe fn free(ptr: *mut Self) {
                // SAFETY: per the contract of `Free::free`.
                unsafe { ov_plain!($free(ptr)) }
            }
        }
    )*};
}

free_with! {
    ov_core_t => ov_core_free, "core";
    ov_model_t => ov_model_free, "model";
    ov_compiled_model_t => ov_compiled_model_free, "compiled model";
    ov_infer_request_t => ov_infer_request_free, "infer request";
    ov_tensor_t => ov_tensor_free, "tensor";
    ov_output_const_port_t => ov_output_const_port_free, "port";
    ov_remote_context_t => ov_remote_context_free, "remote context";
    ov_layout_t => ov_layout_free, "layout";
    ov_preprocess_prepostprocessor_t => ov_preprocess_prepostprocessor_free, "pre/post-processor";
    ov_preprocess_input_info_t => ov_preprocess_input_info_free, "input info";
    ov_preprocess_input_tensor_info_t => ov_preprocess_input_tensor_info_free, "input tensor info";
    ov_preprocess_preprocess_steps_t => ov_preprocess_preprocess_steps_free, "preprocess steps";
    ov_preprocess_input_model_info_t => ov_preprocess_input_model_info_free, "input model info";
    ov_preprocess_output_info_t => ov_preprocess_output_info_free, "output info";
    ov_preprocess_output_tensor_info_t => ov_preprocess_output_tensor_info_free, "output tensor info";
}

/// Owns one OpenVINO handle and frees it exactly once, on drop. Every wrapper of this crate holds
/// one; none frees a handle any other way.
///
/// `Handle` is neither `Send` nor `Sync`; each wrapper states (and justifies) its own.
pub(crate) struct Handle<T: Free>(NonNull<T>);

impl<T: Free> Handle<T> {
    /// Takes ownership of the handle an OpenVINO call just returned through an out-parameter;
    /// `call` is the name [`ov!`] returned for that call.
    ///
    /// # Safety
    /// `ptr` is null or a handle that the caller owns and that nothing else frees.
    pub(crate) unsafe fn new(ptr: *mut T, call: &'static str) -> Result<Self> {
        NonNull::new(ptr).map(Self).ok_or_else(|| {
            Error::new(
                ErrorKind::NotAllocated,
                call,
                format!("OpenVINO reported success but returned no {}", T::WHAT),
            )
        })
    }

    #[inline]
    pub(crate) fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }

    #[inline]
    pub(crate) fn as_non_null(&self) -> NonNull<T> {
        self.0
    }
}

impl<T: Free> Drop for Handle<T> {
    fn drop(&mut self) {
        // SAFETY: the handle is owned (by `Handle::new`'s contract) and freed only here, once.
        unsafe { T::free(self.0.as_ptr()) }
    }
}

/// Loads (runtime-linking) or checks (dynamic-linking) the OpenVINO C library, and installs the
/// log forwarder once, before the first OpenVINO object exists. Cheap after the first call. Every
/// entry point that can be reached without an existing OpenVINO object calls it first.
pub(crate) fn ensure_loaded() -> Result<()> {
    sys::library::load()?;
    static LOG_FORWARDER: Once = Once::new();
    LOG_FORWARDER.call_once(crate::log::install);
    Ok(())
}

/// A Rust string as a C string, or an `InteriorNul` error naming the operation.
pub(crate) fn cstring(s: &str, call: &'static str) -> Result<CString> {
    CString::new(s).map_err(|e| {
        Error::new(
            ErrorKind::InteriorNul,
            call,
            format!("{s:?} contains a NUL byte, which OpenVINO cannot receive"),
        )
        .with_source(e)
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
    CString::new(bytes).map_err(|e| {
        Error::new(
            ErrorKind::InteriorNul,
            call,
            format!("path {} contains a NUL byte", path.display()),
        )
        .with_source(e)
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
    unsafe { ov_plain!(ov_free(ptr)) };
    text.map_err(|e| {
        Error::new(
            ErrorKind::InvalidUtf8,
            call,
            "OpenVINO returned text that is not UTF-8",
        )
        .with_source(e)
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
        ov_property_key_intel_gpu_ocl_context,
        ov_property_key_intel_gpu_ocl_queue,
        ov_property_key_intel_gpu_va_device,
        ov_property_key_intel_gpu_mem_handle,
        ov_property_key_intel_gpu_dev_object_handle,
    )
}
