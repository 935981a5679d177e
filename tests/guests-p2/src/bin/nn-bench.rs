//! Times the WIT round trip (tensor constructor + compute + output data) through wasi:nn.
//!
//! nn-bench (--model FILE... [--encoding E] | --name NAME) --input NAME:TYPE:D1,..:FILE
//!          --iterations N
//! Prints `per_inference_ns <median>` after a warm-up.

use std::time::Instant;
use wasi_nn_guests_p2::*;

fn main() {
    let mut models = Vec::new();
    let mut name = None;
    let mut encoding_name = "openvino".to_string();
    let mut input = None;
    let mut iterations = 1000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(format!("{arg} needs a value")));
        match arg.as_str() {
            "--model" => models.push(read(&value())),
            "--name" => name = Some(value()),
            "--encoding" => encoding_name = value(),
            "--input" => input = Some(Input::parse(&value())),
            "--iterations" => iterations = value().parse().unwrap_or_else(|_| fail("bad --iterations")),
            other => fail(format!("unknown argument {other}")),
        }
    }
    let input = input.unwrap_or_else(|| fail("--input is required"));
    let graph = match &name {
        Some(name) => load_by_name(name),
        None => load(&models, encoding(&encoding_name), ExecutionTarget::Cpu),
    }
    .unwrap_or_else(|e| nn_fail("load", e));
    let context = graph.init_execution_context().unwrap_or_else(|e| nn_fail("init-execution-context", e));
    let round = || {
        let outputs = context.compute(vec![input.tensor()]).unwrap_or_else(|e| nn_fail("compute", e));
        let data = outputs[0].1.data();
        std::hint::black_box(data);
    };
    for _ in 0..(iterations / 10).max(10) {
        round();
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        round();
        samples.push(t.elapsed().as_nanos() as u64);
    }
    samples.sort_unstable();
    println!("per_inference_ns {}", samples[samples.len() / 2]);
}
