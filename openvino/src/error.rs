//! The crate's one error type: OpenVINO's status code and message, or a check made on the Rust
//! side before calling OpenVINO.

use std::ffi::CStr;
use std::fmt;

use openvino_sys as sys;

/// What went wrong, as a kind a program can match on.
///
/// The first group mirrors OpenVINO's `ov_status_e`; the second covers checks this crate makes
/// before a call reaches OpenVINO (so no invalid input is ever passed to C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `GENERAL_ERROR`: OpenVINO raised an exception (bad model, unknown device, ...).
    General,
    /// `NOT_IMPLEMENTED`: the plugin does not support this operation.
    NotImplemented,
    /// `NETWORK_NOT_LOADED`.
    NetworkNotLoaded,
    /// `PARAMETER_MISMATCH`: an argument does not fit (e.g. a tensor of the wrong shape).
    ParameterMismatch,
    /// `NOT_FOUND`: no such input, output, property or device.
    NotFound,
    /// `OUT_OF_BOUNDS`: an index past the end.
    OutOfBounds,
    /// `UNEXPECTED`: an exception not derived from `std::exception`.
    Unexpected,
    /// `REQUEST_BUSY`: the infer request is running.
    RequestBusy,
    /// `RESULT_NOT_READY`: `wait_for` timed out.
    ResultNotReady,
    /// `NOT_ALLOCATED`.
    NotAllocated,
    /// `INFER_NOT_STARTED`: waited on a request that was never started.
    InferNotStarted,
    /// `NETWORK_NOT_READ`: the model file could not be read.
    NetworkNotRead,
    /// `INFER_CANCELLED`: the request was cancelled.
    InferCancelled,
    /// `INVALID_C_PARAM`: the C API rejected an argument.
    InvalidCParam,
    /// `UNKNOWN_C_ERROR`.
    UnknownCError,
    /// `NOT_IMPLEMENT_C_METHOD`.
    NotImplementCMethod,
    /// `UNKNOW_EXCEPTION`.
    UnknownException,
    /// A status code this crate does not know (a newer OpenVINO).
    Other(i32),

    /// The OpenVINO C library could not be found, loaded or is of an unsupported version.
    Library,
    /// A string argument contains a NUL byte, which C cannot receive.
    InteriorNul,
    /// OpenVINO returned text that is not UTF-8.
    InvalidUtf8,
    /// A typed view asked for a different element type than the tensor has.
    ElementTypeMismatch,
    /// A buffer's length does not match the tensor's byte size.
    SizeMismatch,
    /// A shape or dimension that cannot be represented (negative, overflowing).
    InvalidShape,
    /// The tensor's data is not aligned for the requested element type.
    Misaligned,
    /// A value OpenVINO returned that this crate cannot interpret (unknown element type, ...).
    UnknownValue,
    /// An I/O error on a file this crate manages (e.g. a temporary export file).
    Io,
    /// The loaded OpenVINO release lacks the C function (a later release added it); the message
    /// names both releases. Only with `runtime-linking`.
    Unavailable,
}

impl ErrorKind {
    fn from_status(status: sys::ov_status_e) -> Self {
        match status {
            sys::ov_status_e_GENERAL_ERROR => Self::General,
            sys::ov_status_e_NOT_IMPLEMENTED => Self::NotImplemented,
            sys::ov_status_e_NETWORK_NOT_LOADED => Self::NetworkNotLoaded,
            sys::ov_status_e_PARAMETER_MISMATCH => Self::ParameterMismatch,
            sys::ov_status_e_NOT_FOUND => Self::NotFound,
            sys::ov_status_e_OUT_OF_BOUNDS => Self::OutOfBounds,
            sys::ov_status_e_UNEXPECTED => Self::Unexpected,
            sys::ov_status_e_REQUEST_BUSY => Self::RequestBusy,
            sys::ov_status_e_RESULT_NOT_READY => Self::ResultNotReady,
            sys::ov_status_e_NOT_ALLOCATED => Self::NotAllocated,
            sys::ov_status_e_INFER_NOT_STARTED => Self::InferNotStarted,
            sys::ov_status_e_NETWORK_NOT_READ => Self::NetworkNotRead,
            sys::ov_status_e_INFER_CANCELLED => Self::InferCancelled,
            sys::ov_status_e_INVALID_C_PARAM => Self::InvalidCParam,
            sys::ov_status_e_UNKNOWN_C_ERROR => Self::UnknownCError,
            sys::ov_status_e_NOT_IMPLEMENT_C_METHOD => Self::NotImplementCMethod,
            sys::ov_status_e_UNKNOW_EXCEPTION => Self::UnknownException,
            other => Self::Other(other),
        }
    }
}

/// An error from OpenVINO or from a check this crate makes before calling it.
///
/// `Display` gives the failed C call, the status and OpenVINO's own message, which usually says
/// what to change (a shape, a device name, a property).
///
/// ```
/// use openvino::{Core, ErrorKind};
/// let core = Core::new()?;
/// let err = core.read_model_from_file("no/such/model.xml", None).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::General);
/// println!("{err}");
/// # Ok::<(), openvino::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    call: &'static str,
    message: String,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error found on the Rust side, before or after a C call.
    pub(crate) fn new(kind: ErrorKind, call: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            call,
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The C function (or Rust operation) that failed, e.g. `ov_core_read_model`.
    pub fn call(&self) -> &str {
        self.call
    }

    /// OpenVINO's message (from `ov_get_last_err_msg`) or this crate's explanation.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The raw `ov_status_e` value, for errors that came from OpenVINO.
    pub fn status(&self) -> Option<i32> {
        use ErrorKind::*;
        let status = match self.kind {
            General => sys::ov_status_e_GENERAL_ERROR,
            NotImplemented => sys::ov_status_e_NOT_IMPLEMENTED,
            NetworkNotLoaded => sys::ov_status_e_NETWORK_NOT_LOADED,
            ParameterMismatch => sys::ov_status_e_PARAMETER_MISMATCH,
            NotFound => sys::ov_status_e_NOT_FOUND,
            OutOfBounds => sys::ov_status_e_OUT_OF_BOUNDS,
            Unexpected => sys::ov_status_e_UNEXPECTED,
            RequestBusy => sys::ov_status_e_REQUEST_BUSY,
            ResultNotReady => sys::ov_status_e_RESULT_NOT_READY,
            NotAllocated => sys::ov_status_e_NOT_ALLOCATED,
            InferNotStarted => sys::ov_status_e_INFER_NOT_STARTED,
            NetworkNotRead => sys::ov_status_e_NETWORK_NOT_READ,
            InferCancelled => sys::ov_status_e_INFER_CANCELLED,
            InvalidCParam => sys::ov_status_e_INVALID_C_PARAM,
            UnknownCError => sys::ov_status_e_UNKNOWN_C_ERROR,
            NotImplementCMethod => sys::ov_status_e_NOT_IMPLEMENT_C_METHOD,
            UnknownException => sys::ov_status_e_UNKNOW_EXCEPTION,
            Other(code) => code,
            _ => return None,
        };
        Some(status)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status() {
            Some(status) => write!(f, "{} failed ({:?}, status {status})", self.call, self.kind)?,
            None => write!(f, "{}: {:?}", self.call, self.kind)?,
        }
        let message = self.message.trim();
        if !message.is_empty() {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<openvino_sys::library::LoadError> for Error {
    fn from(e: openvino_sys::library::LoadError) -> Self {
        Error::new(
            ErrorKind::Library,
            "openvino_sys::library::load",
            e.to_string(),
        )
    }
}

/// Turns an `ov_status_e` into a `Result`, reading OpenVINO's message for failures. Every C call
/// that returns a status goes through here, right after the call, on the same thread (the
/// message is thread-local in OpenVINO).
pub(crate) fn check(status: sys::ov_status_e, call: &'static str) -> Result<()> {
    if status == sys::ov_status_e_OK {
        return Ok(());
    }
    // openvino-sys answers NOT_IMPLEMENTED, calling nothing, for a function the loaded release
    // lacks; OpenVINO's last message would then be some earlier call's.
    if status == sys::ov_status_e_NOT_IMPLEMENTED
        && let Some(why) = sys::library::unavailable(call)
    {
        return Err(Error::new(ErrorKind::Unavailable, call, why.to_string()));
    }
    // SAFETY: ov_get_last_err_msg returns a NUL-terminated copy of the thread's last message,
    // allocated for the caller (or null); it is read before any other OpenVINO call.
    let raw = unsafe { sys::ov_get_last_err_msg() };
    let mut message = if raw.is_null() {
        String::new()
    } else {
        // SAFETY: non-null and NUL-terminated; the copy is ours until freed just below.
        let text = unsafe { CStr::from_ptr(raw) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: allocated by OpenVINO for the caller (found by scripts/leak-check); freed once.
        unsafe { sys::ov_free(raw) };
        text
    };
    if message.trim().is_empty() {
        // SAFETY: ov_get_error_info maps any status to a static description.
        let info = unsafe { sys::ov_get_error_info(status) };
        if !info.is_null() {
            // SAFETY: a static NUL-terminated string.
            message = unsafe { CStr::from_ptr(info) }
                .to_string_lossy()
                .into_owned();
        }
    }
    Err(Error {
        kind: ErrorKind::from_status(status),
        call,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip_through_kinds() {
        for status in -17..=-1 {
            let kind = ErrorKind::from_status(status);
            let err = Error::new(kind, "test", "");
            assert_eq!(err.status(), Some(status), "{kind:?}");
        }
        assert_eq!(ErrorKind::from_status(-99), ErrorKind::Other(-99));
    }

    #[test]
    fn rust_side_errors_have_no_status() {
        let err = Error::new(
            ErrorKind::InteriorNul,
            "Core::read_model_from_file",
            "path has a NUL byte",
        );
        assert_eq!(err.status(), None);
        assert_eq!(
            err.to_string(),
            "Core::read_model_from_file: InteriorNul: path has a NUL byte"
        );
    }
}
