//! What Wasmtime's wasi-nn `classification-example-named` does, with this workspace's fixture:
//! the engine preloads the model (`-S nn-graph=openvino::DIR` serves it under the folder's name),
//! the program asks for it by name and classifies `fixture/tensor.bgr`:
//!
//!     wasmtime run --dir=fixture -S nn,nn-graph=openvino::./fixture classification-example-named.wasm
//!     wasmtime run --dir=fixture --wasi=nn --wasi=nn-graph=openvino::mobilenet \
//!         classification-example-named.wasm mobilenet
//!
//! classification-example-named [GRAPH_NAME]   (default: fixture)

use wasi_nn_guests::classification::classify;
use wasi_nn_guests::{ExecutionTarget, GraphBuilder, GraphEncoding};

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "fixture".to_string());
    let graph = GraphBuilder::new(GraphEncoding::Openvino, ExecutionTarget::CPU)
        .build_from_cache(&name)
        .unwrap_or_else(|e| wasi_nn_guests::fail(format!("cannot load the graph named {name}: {e}")));
    println!("Loaded graph {name} from the host");
    classify(graph);
}
