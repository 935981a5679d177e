//! Parsers generated from the published schemas by `scripts/regenerate-model-schemas` (see
//! `upstream/schemas.toml`); never edited by hand. Lints are relaxed here only: the code is
//! prost's and flatc's, not ours.

/// ONNX's `onnx-ml.proto` (package `onnx`), through prost.
#[allow(clippy::all, clippy::pedantic, missing_docs, dead_code, rustdoc::all)]
pub(crate) mod onnx {
    include!("generated/onnx.rs");
}

/// TensorFlow's framework protos as TensorBoard republishes them (package `tensorboard`).
#[allow(clippy::all, clippy::pedantic, missing_docs, dead_code, rustdoc::all)]
pub(crate) mod tensorflow {
    include!("generated/tensorboard.rs");
}

/// TensorFlow Lite's flatbuffer schema, through flatc.
#[allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    dead_code,
    unused_imports,
    unsafe_op_in_unsafe_fn,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    mismatched_lifetime_syntaxes,
    rustdoc::all
)]
pub(crate) mod tflite {
    include!("generated/tflite.rs");
}
