//! The crate's one error type: an `nn_errno` for the guest plus a message for the host's log.

use std::fmt;

use crate::witx::types::NnErrno;

/// Why a wasi-nn call failed: the errno the guest receives and the host-side explanation
/// (OpenVINO's own message where it has one). Every error is logged with `tracing` when it is
/// turned into an errno, in exactly one place (`witx.rs`).
///
/// ```
/// use wasi_nn_host::{Error, NnErrno};
/// let err = Error::new(NnErrno::NotFound, "no graph named \"mobilenet\" is registered");
/// assert_eq!(err.errno(), NnErrno::NotFound);
/// assert!(err.to_string().contains("mobilenet"));
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    errno: NnErrno,
    message: String,
}

impl Error {
    /// An error with this errno and message.
    pub fn new(errno: NnErrno, message: impl Into<String>) -> Self {
        Self {
            errno,
            message: message.into(),
        }
    }

    /// The errno the guest receives.
    pub fn errno(&self) -> NnErrno {
        self.errno
    }

    /// The explanation for the host's log.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(NnErrno::InvalidArgument, message)
    }

    pub(crate) fn runtime(context: &str, e: openvino::Error) -> Self {
        Self::new(NnErrno::RuntimeError, format!("{context}: {e}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.errno, self.message)
    }
}

impl std::error::Error for Error {}

impl From<wiggle::GuestError> for Error {
    fn from(e: wiggle::GuestError) -> Self {
        Self::invalid(format!("bad guest memory access: {e}"))
    }
}
