//! Routing OpenVINO's log messages to the `log` facade (`ov_util_set_log_callback`).

use std::ffi::{CStr, c_char};
use std::panic::catch_unwind;

use openvino_sys as sys;

use crate::Result;
use crate::ffi::{ensure_available, ensure_loaded};

unsafe extern "C" fn forward(message: *const c_char) {
    if message.is_null() {
        return;
    }
    // SAFETY: OpenVINO passes a NUL-terminated message valid for this call.
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
    // Logging must never unwind into OpenVINO.
    let _ = catch_unwind(|| {
        let text = text.trim_end();
        if text.contains("[ ERROR ]") || text.contains("[ERROR]") {
            log::error!(target: "openvino", "{text}");
        } else if text.contains("WARNING") {
            log::warn!(target: "openvino", "{text}");
        } else if text.contains("[ INFO ]") || text.contains("[INFO]") {
            log::info!(target: "openvino", "{text}");
        } else {
            log::debug!(target: "openvino", "{text}");
        }
    });
}

/// Sends OpenVINO's own log messages to the [`log`] facade under the target `openvino` (errors
/// as `error!`, warnings as `warn!`, the rest as `info!`/`debug!`). Process-wide.
///
/// ```
/// openvino::route_logs_to_log_crate()?;
/// // ... use OpenVINO; its messages now reach your logger ...
/// openvino::reset_log_callback()?;
/// # Ok::<(), openvino::Error>(())
/// ```
pub fn route_logs_to_log_crate() -> Result<()> {
    ensure_loaded()?;
    ensure_available("ov_util_set_log_callback")?;
    // SAFETY: `forward` is a plain function that lives for the whole program and never unwinds.
    unsafe { sys::ov_util_set_log_callback(Some(forward)) };
    Ok(())
}

/// Restores OpenVINO's default logging (to standard output).
pub fn reset_log_callback() -> Result<()> {
    ensure_loaded()?;
    ensure_available("ov_util_reset_log_callback")?;
    // SAFETY: no preconditions.
    unsafe { sys::ov_util_reset_log_callback() };
    Ok(())
}
