//! Helpers shared by the wasip2 guest components: the wasi:nn bindings (wit-bindgen over
//! wasi-nn-host's WIT), argument parsing and errors.

use std::process::exit;

wit_bindgen::generate!({
    path: "../../wasi-nn-host/wit",
    world: "wasi:nn/ml",
    generate_all,
});

pub use wasi::nn::errors::{Error, ErrorCode};
pub use wasi::nn::graph::{load, load_by_name, ExecutionTarget, Graph, GraphEncoding};
pub use wasi::nn::inference::GraphExecutionContext;
pub use wasi::nn::tensor::{Tensor, TensorType};

#[path = "../../guests/src/text_image.rs"]
pub mod text_image;

/// Prints an error and exits with code 1 (guests report, they do not panic).
pub fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    exit(1)
}

/// Prints a wasi:nn error as `error: CONTEXT: CODE: MESSAGE` (the WIT code name and the host's
/// message) and exits with 1 (wasm32-wasip2 programs can only exit with success or failure).
pub fn nn_fail(context: &str, e: Error) -> ! {
    eprintln!("error: {context}: {}: {}", code_name(e.code()), e.data());
    exit(1)
}

/// The WIT name of an error code.
pub fn code_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidArgument => "invalid-argument",
        ErrorCode::InvalidEncoding => "invalid-encoding",
        ErrorCode::Timeout => "timeout",
        ErrorCode::RuntimeError => "runtime-error",
        ErrorCode::UnsupportedOperation => "unsupported-operation",
        ErrorCode::TooLarge => "too-large",
        ErrorCode::NotFound => "not-found",
        ErrorCode::Security => "security",
        ErrorCode::Unknown => "unknown",
    }
}

pub fn encoding(name: &str) -> GraphEncoding {
    match name {
        "openvino" => GraphEncoding::Openvino,
        "onnx" => GraphEncoding::Onnx,
        "tensorflow" => GraphEncoding::Tensorflow,
        "pytorch" => GraphEncoding::Pytorch,
        "tensorflowlite" | "tflite" => GraphEncoding::Tensorflowlite,
        "ggml" => GraphEncoding::Ggml,
        "autodetect" => GraphEncoding::Autodetect,
        other => fail(format!("unknown encoding {other}")),
    }
}

pub fn target(name: &str) -> ExecutionTarget {
    match name {
        "cpu" => ExecutionTarget::Cpu,
        "gpu" => ExecutionTarget::Gpu,
        "tpu" => ExecutionTarget::Tpu,
        other => fail(format!("unknown target {other}")),
    }
}

/// A tensor type by the fixtures' (OpenVINO's) name.
pub fn tensor_type(name: &str) -> TensorType {
    match name {
        "f16" => TensorType::Fp16,
        "f32" => TensorType::Fp32,
        "f64" => TensorType::Fp64,
        "bf16" => TensorType::Bf16,
        "u8" => TensorType::U8,
        "i32" => TensorType::I32,
        "i64" => TensorType::I64,
        other => fail(format!("wasi-nn's WIT has no tensor type {other}")),
    }
}

/// The fixtures' (OpenVINO's) name of a tensor type.
pub fn type_name(ty: TensorType) -> &'static str {
    match ty {
        TensorType::Fp16 => "f16",
        TensorType::Fp32 => "f32",
        TensorType::Fp64 => "f64",
        TensorType::Bf16 => "bf16",
        TensorType::U8 => "u8",
        TensorType::I32 => "i32",
        TensorType::I64 => "i64",
    }
}

pub fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| fail(format!("cannot read {path}: {e}")))
}

/// A named input from `NAME:TYPE:D1,D2,..:FILE`.
pub struct Input {
    pub name: String,
    pub ty: TensorType,
    pub dims: Vec<u32>,
    pub data: Vec<u8>,
}

impl Input {
    pub fn parse(spec: &str) -> Input {
        // The file is last and may contain ':'; the name is first and may not.
        let mut parts = spec.splitn(4, ':');
        let (name, ty, dims, file) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(n), Some(t), Some(d), Some(f)) => (n, t, d, f),
            _ => fail(format!("--input takes NAME:TYPE:DIMS:FILE, not {spec}")),
        };
        let dims = dims
            .split(',')
            .filter(|d| !d.is_empty())
            .map(|d| d.parse().unwrap_or_else(|_| fail(format!("bad dimension {d}"))))
            .collect();
        Input { name: name.to_string(), ty: tensor_type(ty), dims, data: read(file) }
    }

    /// A new tensor resource with this input's data (the host copies it).
    pub fn tensor(&self) -> (String, Tensor) {
        (self.name.clone(), Tensor::new(&self.dims, self.ty, &self.data))
    }
}
