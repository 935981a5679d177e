//! What Wasmtime's wasi-nn `classification-example` does, with this workspace's fixture instead
//! of MobileNet: reads `fixture/model.xml`, `fixture/model.bin` and `fixture/tensor.bgr` through
//! the preopened `fixture` folder, loads the graph from those bytes, classifies the tensor and
//! prints the sorted results. Run it exactly as that example's README says:
//!
//!     wasmtime run --wasi=nn --dir=fixture classification-example.wasm
//!
//! The fixture here is PaddleOCR's text-direction classifier (input f32 [1, 3, 48, 192], output
//! the probabilities of 0 and 180 degrees), so the shapes differ from MobileNet's.

use wasi_nn_guests::classification::{classify, read};
use wasi_nn_guests::{ExecutionTarget, GraphBuilder, GraphEncoding};

fn main() {
    let xml = read("fixture/model.xml");
    println!("Read graph XML, size in bytes: {}", xml.len());
    let weights = read("fixture/model.bin");
    println!("Read graph weights, size in bytes: {}", weights.len());
    let graph = GraphBuilder::new(GraphEncoding::Openvino, ExecutionTarget::CPU)
        .build_from_bytes([&xml, &weights])
        .unwrap_or_else(|e| wasi_nn_guests::fail(format!("cannot load the graph: {e}")));
    println!("Loaded graph into wasi-nn");
    classify(graph);
}
