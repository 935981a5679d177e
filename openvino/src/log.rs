//! Where OpenVINO's log messages go: standard output (OpenVINO's default) or the `log` facade.
//!
//! OpenVINO keeps its log callback in one global that its own threads read without a lock, and
//! `ov_util_set_log_callback` overwrites it in place: replacing the callback while any thread may
//! log is a data race inside OpenVINO. So this crate installs one forwarder, exactly once, before
//! it creates its first OpenVINO object ([`install`], called by the library loader), and
//! [`route_logs_to_log_crate`] / [`reset_log_callback`] only switch, atomically, where the
//! forwarder sends messages. Both are safe to call at any time from any thread.

use std::ffi::{CStr, c_char};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::Result;
use crate::ffi::{ensure_loaded, ov_plain};

/// The C function installing the forwarder (OpenVINO 2025.4 and later).
const LOG_CALLBACK: &str = "ov_util_set_log_callback";

/// Whether the forwarder sends messages to the `log` facade (else to standard output).
static TO_LOG_CRATE: AtomicBool = AtomicBool::new(false);

unsafe extern "C" fn forward(message: *const c_char) {
    if message.is_null() {
        return;
    }
    // SAFETY: OpenVINO passes a NUL-terminated message valid for this call.
    let text = unsafe { CStr::from_ptr(message) };
    // Nothing may unwind into OpenVINO (a logger or stdout writer could panic); a panic payload
    // whose own drop panics is forgotten rather than dropped.
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| deliver(text))) {
        std::mem::forget(payload);
    }
}

fn deliver(text: &CStr) {
    let text = text.to_string_lossy();
    if !TO_LOG_CRATE.load(Ordering::Relaxed) {
        // What OpenVINO's default callback does (`std::cout << message << std::endl`), written
        // straight to the file descriptor: OpenVINO may log from a worker thread while the thread
        // waiting for that worker holds Rust's stdout lock, and taking it here would deadlock.
        let line = format!("{text}\n");
        #[cfg(unix)]
        {
            use std::os::fd::FromRawFd;
            // SAFETY: descriptor 1 is standard output for the whole process; the `File` is never
            // dropped (`ManuallyDrop`), so it is not closed.
            let mut out = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) });
            let _ = out.write_all(line.as_bytes());
        }
        #[cfg(not(unix))]
        let _ = std::io::stdout().write_all(line.as_bytes());
        return;
    }
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
}

/// Installs the forwarder. Called once per process by [`ensure_loaded`], before this crate
/// creates any OpenVINO object, so no thread of this crate can be inside OpenVINO meanwhile.
pub(crate) fn install() {
    // Releases before 2025.4 have no log callback (openvino-sys panics when an absent function
    // without a status is called): their messages stay on standard output, and
    // `route_logs_to_log_crate` says why.
    if crate::error::unavailable(LOG_CALLBACK).is_some() {
        return;
    }
    // SAFETY: `forward` is a plain function that lives for the whole program and never unwinds;
    // see `ensure_loaded` for why nothing of this crate runs OpenVINO concurrently.
    unsafe { ov_plain!(ov_util_set_log_callback(Some(forward))) };
}

/// Sends OpenVINO's own log messages to the [`log`] facade under the target `openvino` (errors
/// as `error!`, warnings as `warn!`, `[ INFO ]` lines as `info!`, the rest as `debug!`).
/// Process-wide; safe to call at any time, from any thread.
///
/// ```
/// openvino::route_logs_to_log_crate()?;
/// // ... use OpenVINO; its messages now reach your logger ...
/// openvino::reset_log_callback()?;
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// # Errors
/// `ErrorKind::Unavailable` with OpenVINO releases before 2025.4, which have no log callback.
pub fn route_logs_to_log_crate() -> Result<()> {
    ensure_loaded()?;
    if let Some(why) = crate::error::unavailable(LOG_CALLBACK) {
        return Err(crate::Error::unavailable(LOG_CALLBACK, why));
    }
    TO_LOG_CRATE.store(true, Ordering::Relaxed);
    Ok(())
}

/// Sends OpenVINO's log messages to standard output again (OpenVINO's default). Process-wide;
/// safe to call at any time, from any thread.
pub fn reset_log_callback() -> Result<()> {
    ensure_loaded()?;
    TO_LOG_CRATE.store(false, Ordering::Relaxed);
    Ok(())
}
