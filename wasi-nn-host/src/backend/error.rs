//! The backend's own error: what went wrong in ABI-neutral terms, the message, and the cause.
//! Each ABI (witx, WIT) maps [`ErrorKind`] to its own codes in exactly one place.

use std::fmt;
use std::sync::Arc;

/// What kind of failure, in terms both wasi-nn ABIs can express.
///
/// | kind | witx `nn_errno` | WIT `error-code` |
/// |---|---|---|
/// | `InvalidArgument` | `invalid_argument` | `invalid-argument` |
/// | `InvalidEncoding` | `invalid_encoding` | `invalid-encoding` |
/// | `UnsupportedOperation` | `unsupported_operation` | `unsupported-operation` |
/// | `Denied` | `unsupported_operation` | `security` |
/// | `TooLarge` | `too_large` | `too-large` |
/// | `NotFound` | `not_found` | `not-found` |
/// | `Busy` | `busy` | `runtime-error` |
/// | `Timeout` | `runtime_error` | `timeout` |
/// | `RuntimeError` | `runtime_error` | `runtime-error` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A bad handle, index, name, shape, type or data length.
    InvalidArgument,
    /// The model bytes are not a valid, self-contained model of the declared encoding.
    InvalidEncoding,
    /// The host cannot do this (an encoding OpenVINO cannot read, a device that is not present).
    UnsupportedOperation,
    /// The embedder's policy does not allow this (e.g. guest models from bytes).
    Denied,
    /// A limit or memory budget would be exceeded.
    TooLarge,
    /// No graph is registered under that name.
    NotFound,
    /// The instance holds as many handles as it may, or the context is still busy with an
    /// inference that ran past its deadline.
    Busy,
    /// A deadline passed (compile or compute).
    Timeout,
    /// OpenVINO failed, or the host could not do its part.
    RuntimeError,
}

/// Why a wasi-nn operation failed: an [`ErrorKind`], a message for people (OpenVINO's own
/// message where it has one; guest-supplied strings are truncated), and the cause.
///
/// ```
/// use wasi_nn_host::backend::{Error, ErrorKind};
/// let err = Error::new(ErrorKind::NotFound, "no graph named \"mobilenet\" is registered");
/// assert_eq!(err.kind(), ErrorKind::NotFound);
/// assert!(err.to_string().contains("mobilenet"));
/// assert!(!err.is_host_fault());
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    host_fault: bool,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error a guest caused (bad arguments, a bad model, a limit).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            host_fault: false,
            source: None,
        }
    }

    /// An error of the host itself (OpenVINO cannot start, a worker cannot be spawned): logged at
    /// `warn`, unlike guest-caused errors.
    pub fn host(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            host_fault: true,
            ..Self::new(kind, message)
        }
    }

    /// Attaches the cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message (without the cause).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the host, not the guest, is at fault.
    pub fn is_host_fault(&self) -> bool {
        self.host_fault
    }

    /// The message followed by the chain of causes, `message: cause: cause`: what a guest gets
    /// in the WIT `error.data` and the host logs.
    pub fn detail(&self) -> String {
        let mut text = self.message.clone();
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            next = cause.source();
        }
        text
    }

    /// The same error with `context: ` before its message (e.g. which input it concerns).
    pub(crate) fn within(mut self, context: &str) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// OpenVINO failed while doing `context` for a guest.
    pub(crate) fn openvino(context: impl Into<String>, e: openvino::Error) -> Self {
        Self::new(ErrorKind::RuntimeError, context).with_source(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// At most this many bytes of a guest-supplied string go into a message.
pub(crate) const MAX_QUOTED_BYTES: usize = 64;

/// A guest string for a message: debug-quoted, cut at [`MAX_QUOTED_BYTES`] (on a character
/// boundary) with the full length noted, so a 4 GiB name costs the host 64 bytes.
pub(crate) fn quote(guest: &str) -> String {
    if guest.len() <= MAX_QUOTED_BYTES {
        return format!("{guest:?}");
    }
    let mut end = MAX_QUOTED_BYTES;
    while !guest.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}... ({} bytes)", &guest[..end], guest.len())
}

/// Logs an error once, where an ABI turns it into a code: host faults at `warn`; errors guests
/// cause at `debug`, at most [`GUEST_LOGS_PER_SECOND`] a second (a guest must not be able to
/// flood the host's logs), with a count of those left out.
pub(crate) fn log_error(call: &str, err: &Error) {
    if err.is_host_fault() {
        tracing::warn!(call, kind = ?err.kind(), "wasi-nn host fault: {}", err.detail());
        return;
    }
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    if let Some(skipped) = guest_log_permit() {
        tracing::debug!(
            call,
            kind = ?err.kind(),
            skipped,
            "wasi-nn call failed: {}",
            err.detail()
        );
    }
}

/// Guest-caused errors logged per second, at most.
pub(crate) const GUEST_LOGS_PER_SECOND: u64 = 20;

/// A permit to log a guest error now, with how many were skipped since the last one; `None` past
/// the rate.
fn guest_log_permit() -> Option<u64> {
    use std::sync::Mutex;
    use std::time::Instant;
    struct Window {
        start: Option<Instant>,
        logged: u64,
        skipped: u64,
    }
    static WINDOW: Mutex<Window> = Mutex::new(Window {
        start: None,
        logged: 0,
        skipped: 0,
    });
    let mut w = WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    if w.start.is_none_or(|s| now.duration_since(s).as_secs() >= 1) {
        w.start = Some(now);
        w.logged = 0;
    }
    if w.logged < GUEST_LOGS_PER_SECOND {
        w.logged += 1;
        Some(std::mem::take(&mut w.skipped))
    } else {
        w.skipped += 1;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_guest_strings_are_cut_in_messages() {
        let long = "é".repeat(10_000);
        let quoted = quote(&long);
        assert!(quoted.len() < MAX_QUOTED_BYTES + 32, "{quoted}");
        assert!(quoted.ends_with("(20000 bytes)"));
        assert_eq!(quote("mobilenet"), "\"mobilenet\"");
    }

    #[test]
    fn detail_lists_the_causes() {
        let io = std::io::Error::other("disk on fire");
        let err = Error::host(ErrorKind::RuntimeError, "cannot write").with_source(io);
        assert_eq!(err.detail(), "cannot write: disk on fire");
        assert!(err.is_host_fault());
    }
}
