//! Times set_input + compute + get_output round trips through wasi-nn.
//!
//! nn-bench --model FILE... [--encoding E] --input TYPE:D1,..:FILE --output-bytes N --iterations N
//! Prints `per_inference_ns <median>` after a warm-up.

use std::time::Instant;
use wasi_nn_guests::*;

fn main() {
    let mut models = Vec::new();
    let mut encoding_name = "openvino".to_string();
    let mut input = None;
    let mut output_bytes = 0usize;
    let mut iterations = 1000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(format!("{arg} needs a value")));
        match arg.as_str() {
            "--model" => models.push(read(&value())),
            "--encoding" => encoding_name = value(),
            "--input" => {
                let spec = value();
                let parts: Vec<&str> = spec.splitn(3, ':').collect();
                let dims: Vec<usize> = parts[1].split(',').map(|d| d.parse().unwrap_or_else(|_| fail("bad dims"))).collect();
                input = Some((tensor_type(parts[0]), dims, read(parts[2])));
            }
            "--output-bytes" => output_bytes = value().parse().unwrap_or_else(|_| fail("bad --output-bytes")),
            "--iterations" => iterations = value().parse().unwrap_or_else(|_| fail("bad --iterations")),
            other => fail(format!("unknown argument {other}")),
        }
    }
    let (ty, dims, data) = input.unwrap_or_else(|| fail("--input is required"));
    let graph = GraphBuilder::new(encoding(&encoding_name), ExecutionTarget::CPU)
        .build_from_bytes(&models)
        .unwrap_or_else(|e| fail(e));
    let mut context = graph.init_execution_context().unwrap_or_else(|e| fail(e));
    let mut out = vec![0u8; output_bytes];
    let mut round = |context: &mut wasi_nn::GraphExecutionContext| {
        context.set_input(0, ty, &dims, &data).unwrap_or_else(|e| fail(e));
        context.compute().unwrap_or_else(|e| fail(e));
        context.get_output(0, &mut out).unwrap_or_else(|e| fail(e));
    };
    for _ in 0..(iterations / 10).max(10) {
        round(&mut context);
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        round(&mut context);
        samples.push(t.elapsed().as_nanos() as u64);
    }
    samples.sort_unstable();
    println!("per_inference_ns {}", samples[samples.len() / 2]);
}
