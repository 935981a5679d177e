//! Runs any model through wasi:nn (WIT), driven by arguments, and writes the outputs to files:
//!
//! nn-run (--model FILE ... | --name NAME) [--encoding E] [--target T]
//!        --input NAME:TYPE:D1,D2,..:FILE ... --output FILE ... [--repeat N]
//!
//! Outputs are taken by position (Wasmtime's host names them "0", "1", ...; wasi-nn-host by the
//! model's names); each is printed as `output NAME TYPE D1,D2,..`. Exit code 0 on success; on a
//! wasi:nn error it prints `error: CALL: CODE: MESSAGE` and exits with 1.

use wasi_nn_guests_p2::*;

fn main() {
    let mut models = Vec::new();
    let mut name = None;
    let mut encoding_name = "openvino".to_string();
    let mut target_name = "cpu".to_string();
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    let mut repeat = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(format!("{arg} needs a value")));
        match arg.as_str() {
            "--model" => models.push(read(&value())),
            "--name" => name = Some(value()),
            "--encoding" => encoding_name = value(),
            "--target" => target_name = value(),
            "--repeat" => repeat = value().parse().unwrap_or_else(|_| fail("--repeat takes a number")),
            "--input" => inputs.push(Input::parse(&value())),
            "--output" => outputs.push(value()),
            other => fail(format!("unknown argument {other}")),
        }
    }
    let graph = match &name {
        Some(name) => load_by_name(name),
        None => load(&models, encoding(&encoding_name), target(&target_name)),
    }
    .unwrap_or_else(|e| nn_fail("load", e));
    let context = graph.init_execution_context().unwrap_or_else(|e| nn_fail("init-execution-context", e));
    let mut results = Vec::new();
    for _ in 0..repeat.max(1) {
        let named = inputs.iter().map(Input::tensor).collect();
        results = context.compute(named).unwrap_or_else(|e| nn_fail("compute", e));
    }
    if results.len() < outputs.len() {
        fail(format!("the graph gave {} outputs; {} asked for", results.len(), outputs.len()));
    }
    for (name, tensor) in &results {
        let dims: Vec<String> = tensor.dimensions().iter().map(|d| d.to_string()).collect();
        println!("output {name} {} {}", type_name(tensor.ty()), dims.join(","));
    }
    for (path, (_, tensor)) in outputs.iter().zip(&results) {
        std::fs::write(path, tensor.data()).unwrap_or_else(|e| fail(format!("cannot write {path}: {e}")));
    }
}
