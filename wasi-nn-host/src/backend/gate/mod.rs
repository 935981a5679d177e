//! The model gate: what a guest's model bytes must be before any OpenVINO frontend sees them.
//!
//! OpenVINO's frontends were written for trusted files. A guest's model could name data outside
//! the bytes it sent (ONNX `external_data`, with relative, absolute, `../` or
//! `*/_ORT_MEM_ADDR_/*` memory-address locations; TFLite buffers and custom options at file
//! offsets), carry ops that read files (TensorFlow's `RestoreV2`, `ReadFile`, table initialisers
//! from text files, datasets...), or be malformed in ways the frontends do not check
//! (the TFLite frontend reads the flatbuffer unverified). The gate refuses all of these, in
//! pure Rust, with parsers generated from the published schemas (ONNX's `onnx-ml.proto`,
//! TensorFlow's framework protos, TFLite's flatbuffer schema; see `upstream/schemas.toml`):
//!
//! - every encoding: the bytes must be exactly the declared encoding, and no OpenVINO frontend
//!   that would be tried before (or instead of) the declared one may take them for its own
//!   (an ONNX model tagged `tensorflowlite` is refused, not handed to the ONNX frontend);
//! - ONNX: a `ModelProto` with `ir_version`, `opset_import` and a graph, and no tensor anywhere
//!   the schema allows one (initializers, sparse initializers, node attributes, subgraphs of
//!   `If`/`Loop`/`Scan` at any depth, functions, training info) stored outside the bytes;
//! - OpenVINO IR: well-formed XML (no DTD, so no entities) whose root is `<net>` of IR version
//!   10 or 11, every `offset`/`size` pair inside the weights builder;
//! - TensorFlow Lite: file identifier `TFL3`, the flatbuffers verifier passes, no data outside
//!   the flatbuffer, and every index the OpenVINO frontend follows is in range;
//! - TensorFlow: a non-empty `GraphDef` with no op that reads files, resources or memory.
//!
//! The work is linear in the input, with limits on nesting and on the memory the decoded model
//! may take, and no input makes it panic (see the fuzz target in `wasi-nn-host/fuzz/` and the
//! randomized tests below).
//!
//! ```
//! use wasi_nn_host::gate::{self, Encoding, Format};
//! // A TensorFlow Lite model sent as ONNX is refused before any frontend sees it.
//! let tflite = b"\x1c\x00\x00\x00TFL3\x00\x00\x00\x00";
//! let err = gate::check(Encoding::Onnx, &[tflite]).unwrap_err();
//! assert!(err.to_string().contains("not an ONNX model"), "{err}");
//! # let _ = Format::Onnx;
//! ```

mod generated;
mod ir;
mod onnx;
mod sniff;
mod tensorflow;
mod tflite;
mod wire;

use std::fmt;

/// The encoding a guest declares for its builders (wasi-nn's `graph_encoding`, less PyTorch,
/// which OpenVINO cannot read from bytes).
///
/// ```
/// use wasi_nn_host::gate::Encoding;
/// assert_ne!(Encoding::Onnx, Encoding::Autodetect);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// OpenVINO IR: XML, then the weights.
    Ir,
    /// ONNX `ModelProto`.
    Onnx,
    /// TensorFlow frozen `GraphDef`.
    TensorFlow,
    /// TensorFlow Lite flatbuffer.
    TensorFlowLite,
    /// Whichever of the above the bytes are (decided by the same parsers).
    Autodetect,
}

/// An encoding the gate has verified the bytes to be.
///
/// ```
/// use wasi_nn_host::gate::{self, Encoding, Format};
/// let xml = br#"<?xml version="1.0"?><net name="m" version="11"><layers/></net>"#;
/// let checked = gate::check(Encoding::Autodetect, &[xml]).unwrap();
/// assert_eq!(checked.format(), Format::Ir);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OpenVINO IR.
    Ir,
    /// ONNX.
    Onnx,
    /// TensorFlow `GraphDef`.
    TensorFlow,
    /// TensorFlow Lite.
    TensorFlowLite,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Ir => "OpenVINO IR",
            Format::Onnx => "ONNX",
            Format::TensorFlow => "TensorFlow",
            Format::TensorFlowLite => "TensorFlow Lite",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The gate's verdict on bytes it lets through.
///
/// ```
/// use wasi_nn_host::gate::{self, Encoding, Format};
/// let xml = br#"<net name="m" version="11"/>"#;
/// assert_eq!(gate::check(Encoding::Ir, &[xml]).unwrap().format(), Format::Ir);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    format: Format,
}

impl Checked {
    /// The verified encoding (the declared one, or what `autodetect` found).
    pub fn format(&self) -> Format {
        self.format
    }
}

/// What kind of refusal a [`GateError`] is: the host maps [`Builders`](GateErrorKind::Builders)
/// to `invalid_argument` and everything else to `invalid_encoding`.
///
/// ```
/// use wasi_nn_host::gate::{self, Encoding, GateErrorKind};
/// let err = gate::check(Encoding::Onnx, &[b"a", b"b"]).unwrap_err();
/// assert_eq!(err.kind(), GateErrorKind::Builders);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateErrorKind {
    /// The number of builders does not fit the encoding.
    Builders,
    /// The bytes are not the declared encoding, or another frontend would claim them.
    Encoding,
    /// The model refers to data outside its builders.
    External,
    /// The model uses something the gate refuses (an op that reads files, an index out of
    /// range that OpenVINO would follow, nesting or size past the gate's limits).
    Refused,
}

/// Why the gate refused a model: a kind and a message that names the offending tensor, op or
/// field (guest-chosen names are truncated, so a message stays short).
///
/// ```
/// use wasi_nn_host::gate::{self, Encoding};
/// let err = gate::check(Encoding::Ir, &[b"<html/>"]).unwrap_err();
/// assert!(err.to_string().contains("<net>"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateError {
    kind: GateErrorKind,
    message: String,
}

impl GateError {
    fn new(kind: GateErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    fn encoding(message: impl Into<String>) -> Self {
        Self::new(GateErrorKind::Encoding, message)
    }

    fn refused(message: impl Into<String>) -> Self {
        Self::new(GateErrorKind::Refused, message)
    }

    /// The kind of refusal.
    pub fn kind(&self) -> GateErrorKind {
        self.kind
    }

    /// The explanation.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for GateError {}

/// Guest-chosen names longer than this are cut in messages (item 7 of the hardening issue: a
/// guest must not make the host format gigabytes into an error).
const NAME_LIMIT: usize = 64;

/// A guest-chosen string for a message: quoted, at most [`NAME_LIMIT`] characters, control
/// characters escaped.
fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(NAME_LIMIT) + 8);
    out.push('\'');
    for (i, c) in name.chars().enumerate() {
        if i == NAME_LIMIT {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Checks a guest's builders against the declared encoding; see the module documentation for
/// what each encoding must satisfy.
pub fn check(encoding: Encoding, builders: &[&[u8]]) -> Result<Checked, GateError> {
    let format = match encoding {
        Encoding::Ir => Format::Ir,
        Encoding::Onnx => Format::Onnx,
        Encoding::TensorFlow => Format::TensorFlow,
        Encoding::TensorFlowLite => Format::TensorFlowLite,
        Encoding::Autodetect => detect(builders)?,
    };
    match format {
        Format::Ir => match builders {
            [xml] => ir::check(xml, &[])?,
            [xml, weights] => ir::check(xml, weights)?,
            _ => {
                return Err(GateError::new(
                    GateErrorKind::Builders,
                    format!(
                        "the openvino encoding takes 1 or 2 builders (IR XML, weights), not {}",
                        builders.len()
                    ),
                ));
            }
        },
        Format::Onnx => onnx::check(single(format, builders)?)?,
        Format::TensorFlow => tensorflow::check(single(format, builders)?)?,
        Format::TensorFlowLite => tflite::check(single(format, builders)?)?,
    }
    if let [bytes] = builders {
        sniff::exclusive(format, bytes)?;
    }
    Ok(Checked { format })
}

/// The one builder of a single-file encoding.
fn single<'a>(format: Format, builders: &[&'a [u8]]) -> Result<&'a [u8], GateError> {
    match builders {
        [bytes] => Ok(bytes),
        _ => Err(GateError::new(
            GateErrorKind::Builders,
            format!(
                "the {format} encoding takes 1 builder, not {}",
                builders.len()
            ),
        )),
    }
}

/// `autodetect`: IR when the first builder is XML; otherwise the file identifier `TFL3` means
/// TensorFlow Lite, OpenVINO's ONNX header check means ONNX, and anything else is tried as a
/// TensorFlow `GraphDef`. The chosen format is then checked in full, exclusivity included, so a
/// buffer two parsers would accept is refused rather than guessed.
pub fn detect(builders: &[&[u8]]) -> Result<Format, GateError> {
    match builders {
        [xml, _] | [xml] if sniff::looks_like_xml(xml) => Ok(Format::Ir),
        [bytes] if sniff::tflite_identifier(bytes) => Ok(Format::TensorFlowLite),
        [bytes] if sniff::openvino_takes_for_onnx(bytes) => Ok(Format::Onnx),
        [_] => Ok(Format::TensorFlow),
        _ => Err(GateError::new(
            GateErrorKind::Builders,
            format!(
                "cannot autodetect the encoding of {} builders (1 for ONNX/TF/TFLite, 1 or 2 for IR)",
                builders.len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests;
