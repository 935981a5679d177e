//! Helpers shared by the guest programs: argument parsing and tensor files.

use std::process::exit;

pub mod text_image;

pub use wasi_nn::{ExecutionTarget, GraphBuilder, GraphEncoding, TensorType};

/// Prints an error and exits with code 1 (guests report, they do not panic).
pub fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    exit(1)
}

pub fn encoding(name: &str) -> GraphEncoding {
    match name {
        "openvino" => GraphEncoding::Openvino,
        "onnx" => GraphEncoding::Onnx,
        "tensorflow" => GraphEncoding::Tensorflow,
        "pytorch" => GraphEncoding::Pytorch,
        "tensorflowlite" | "tflite" => GraphEncoding::TensorflowLite,
        "autodetect" => GraphEncoding::Autodetec,
        other => fail(format!("unknown encoding {other}")),
    }
}

pub fn target(name: &str) -> ExecutionTarget {
    match name {
        "cpu" => ExecutionTarget::CPU,
        "gpu" => ExecutionTarget::GPU,
        "tpu" => ExecutionTarget::TPU,
        other => fail(format!("unknown target {other}")),
    }
}

pub fn tensor_type(name: &str) -> TensorType {
    match name {
        "f16" => TensorType::F16,
        "f32" => TensorType::F32,
        "f64" => TensorType::F64,
        "u8" => TensorType::U8,
        "i32" => TensorType::I32,
        "i64" => TensorType::I64,
        other => fail(format!("wasi-nn has no tensor type {other}")),
    }
}

pub fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| fail(format!("cannot read {path}: {e}")))
}
