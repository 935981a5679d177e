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

/// The part Wasmtime's classification examples share: one input tensor read from
/// `fixture/tensor.bgr`, one inference, the classes sorted by probability.
pub mod classification {
    use wasi_nn::{Graph, TensorType};

    pub use crate::read;

    /// The fixture model's input shape (PaddleOCR's text-direction classifier).
    pub const INPUT: [usize; 4] = [1, 3, 48, 192];
    /// Its classes: 0 and 180 degrees.
    pub const CLASSES: usize = 2;

    /// A class and its probability, printed as the Wasmtime examples print them.
    #[derive(Debug, PartialEq)]
    pub struct InferenceResult(pub usize, pub f32);

    pub fn classify(graph: Graph) {
        let mut context = graph
            .init_execution_context()
            .unwrap_or_else(|e| crate::fail(format!("cannot create a context: {e}")));
        println!("Created wasi-nn execution context");
        let tensor = read("fixture/tensor.bgr");
        println!("Read input tensor, size in bytes: {}", tensor.len());
        context
            .set_input(0, TensorType::F32, &INPUT, &tensor)
            .unwrap_or_else(|e| crate::fail(format!("cannot set the input: {e}")));
        context.compute().unwrap_or_else(|e| crate::fail(format!("cannot compute: {e}")));
        println!("Executed graph inference");
        let mut output = [0f32; CLASSES];
        context
            .get_output(0, &mut output)
            .unwrap_or_else(|e| crate::fail(format!("cannot read the output: {e}")));
        let mut results: Vec<InferenceResult> =
            output.iter().enumerate().map(|(class, p)| InferenceResult(class, *p)).collect();
        results.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!("Found results, sorted top {CLASSES}: {results:?}");
    }
}
