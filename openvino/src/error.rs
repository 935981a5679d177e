//! The crate's one error type: a status OpenVINO returned (with its message, when it can be
//! attributed), or a check this crate made on the Rust side, keeping whatever caused it.

use std::fmt;
use std::sync::Arc;

use openvino_sys as sys;

/// What went wrong, as a kind a program can match on.
///
/// The first group mirrors OpenVINO's `ov_status_e`; the second covers checks this crate makes
/// (before a call reaches OpenVINO, so no invalid input is passed to C) and failures around it.
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
    /// `NOT_ALLOCATED`: OpenVINO returned no object (also used when it reports success but hands
    /// back a null handle).
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

    /// The OpenVINO C library could not be found, loaded or is of an unsupported version; the
    /// loader's report is the error's [`source`](std::error::Error::source).
    Library,
    /// The loaded OpenVINO release lacks this C function (it is newer than the release); the
    /// explanation is the error's [`source`](std::error::Error::source).
    Unavailable,
    /// A string argument contains a NUL byte, which C cannot receive.
    InteriorNul,
    /// OpenVINO returned text that is not UTF-8.
    InvalidUtf8,
    /// A typed view asked for a different element type than the tensor has, or an element type
    /// that the operation cannot take (`String` or `Dynamic` over caller memory).
    ElementTypeMismatch,
    /// A buffer's length does not match the tensor's byte size.
    SizeMismatch,
    /// A shape or dimension that cannot be represented (negative, overflowing).
    InvalidShape,
    /// The tensor's data is not aligned for the requested element type.
    Misaligned,
    /// A value OpenVINO returned that this crate cannot interpret (unknown element type, ...).
    UnknownValue,
    /// An I/O error on a file this crate manages (e.g. the export file); the
    /// [`std::io::Error`] is the error's [`source`](std::error::Error::source).
    Io,
    /// A property whose value OpenVINO's C layer reads as a pointer (cache encryption callbacks,
    /// GPU handles), given as a string: refused, because OpenVINO would read the string's bytes
    /// as a struct or handle. See [`RawPropertyValue`](crate::RawPropertyValue).
    PointerProperty,
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
/// `Display` gives the failed C call (or Rust operation), OpenVINO's status when there is one,
/// and a message that usually says what to change (a shape, a device name, a property).
/// [`source`](std::error::Error::source) is the underlying error, when there is one (the library
/// loader's report, an I/O error, a NUL in a string).
///
/// OpenVINO keeps the message of its last failure in one string for the whole process, and some
/// of its failures set none. This crate reads that message only when it can only be this call's
/// (see [`message`](Self::message)); otherwise the error carries OpenVINO's fixed description of
/// the status. An `Error` never carries another call's message.
///
/// ```
/// use openvino::{Core, ErrorKind};
/// let core = Core::new()?;
/// let err = core.read_model_from_file("no/such/model.xml", None).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::General);
/// assert_eq!(err.status(), Some(-1));
/// println!("{err}");
/// # Ok::<(), openvino::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    call: &'static str,
    status: Option<i32>,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error found on the Rust side, before or after a C call (no OpenVINO status).
    pub(crate) fn new(kind: ErrorKind, call: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            call,
            status: None,
            message: message.into(),
            source: None,
        }
    }

    /// A status OpenVINO returned, with the message that goes with it.
    pub(crate) fn from_status(
        status: sys::ov_status_e,
        call: &'static str,
        message: String,
    ) -> Self {
        Self {
            kind: ErrorKind::from_status(status),
            call,
            status: Some(status),
            message,
            source: None,
        }
    }

    /// The loaded OpenVINO lacks `call`; `why` says since when it exists.
    pub(crate) fn unavailable(
        call: &'static str,
        why: Box<dyn std::error::Error + Send + Sync>,
    ) -> Self {
        Self {
            kind: ErrorKind::Unavailable,
            call,
            status: None,
            message: why.to_string(),
            source: Some(Arc::from(why)),
        }
    }

    /// The same error, keeping `source` as its cause.
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The C function (or Rust operation) that failed, e.g. `ov_core_read_model`.
    pub fn call(&self) -> &str {
        self.call
    }

    /// What happened: OpenVINO's message (from `ov_get_last_err_msg`) when it can only be this
    /// call's; OpenVINO's description of the status (`ov_get_error_info`) when OpenVINO set no
    /// message for this failure or another OpenVINO call ran at the same time; or this crate's
    /// explanation for a Rust-side error.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `ov_status_e` OpenVINO returned, or `None` for errors found on the Rust side (which
    /// never invent a status OpenVINO did not return).
    pub fn status(&self) -> Option<i32> {
        self.status
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
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

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<openvino_sys::library::LoadError> for Error {
    fn from(e: openvino_sys::library::LoadError) -> Self {
        Error::new(
            ErrorKind::Library,
            "openvino_sys::library::load",
            e.to_string(),
        )
        .with_source(e)
    }
}

/// Why the C function `call` is missing from the loaded library, if it is: with
/// `runtime-linking`, a function a later release added (`openvino-sys` then answers
/// `NOT_IMPLEMENTED` without calling anything); never with `dynamic-linking`.
pub(crate) fn unavailable(call: &'static str) -> Option<Box<dyn std::error::Error + Send + Sync>> {
    openvino_sys::library::unavailable(call).map(|why| Box::new(why) as _)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip_through_kinds() {
        for status in -17..=-1 {
            let err = Error::from_status(status, "test", String::new());
            assert_eq!(err.status(), Some(status));
            assert_ne!(err.kind(), ErrorKind::Other(status));
        }
        assert_eq!(ErrorKind::from_status(-99), ErrorKind::Other(-99));
    }

    #[test]
    fn rust_side_errors_have_no_status_even_when_their_kind_names_one() {
        let err = Error::new(ErrorKind::NotAllocated, "ov_core_create", "no core");
        assert_eq!(err.status(), None);
        assert_eq!(err.to_string(), "ov_core_create: NotAllocated: no core");
    }

    #[test]
    fn errors_keep_their_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let err =
            Error::new(ErrorKind::Io, "CompiledModel::export", "cannot write").with_source(io);
        let source = std::error::Error::source(&err).expect("a source");
        assert_eq!(source.to_string(), "denied");
    }
}
