//! Runs any model through wasi-nn, driven by arguments, and writes the outputs to files:
//!
//! nn-run (--model FILE ... | --name NAME) [--encoding E] [--target T]
//!        --input TYPE:D1,D2,..:FILE ... --output FILE ... [--repeat N]
//!
//! Exit code 0 on success; on a wasi-nn error it prints the error and exits with 10 + errno.

use wasi_nn::Error;
use wasi_nn_guests::*;

fn errno_exit(context: &str, e: Error) -> ! {
    eprintln!("error: {context}: {e}");
    let code = match &e {
        Error::BackendError(b) => 10 + backend_code(&format!("{b:?}")),
        Error::IoError(_) => 2,
    };
    std::process::exit(code)
}

fn backend_code(debug: &str) -> i32 {
    ["InvalidArgument", "InvalidEncoding", "MissingMemory", "Busy", "RuntimeError", "UnsupportedOperation", "TooLarge", "NotFound"]
        .iter()
        .position(|n| debug.starts_with(n))
        .map_or(99, |i| i as i32 + 1)
}

struct Input {
    ty: TensorType,
    dims: Vec<usize>,
    data: Vec<u8>,
}

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
            "--input" => {
                let spec = value();
                let mut parts = spec.splitn(3, ':');
                let (ty, dims, file) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let dims = dims
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(|d| d.parse().unwrap_or_else(|_| fail(format!("bad dimension {d}"))))
                    .collect();
                inputs.push(Input { ty: tensor_type(ty), dims, data: read(file) });
            }
            "--output" => outputs.push(value()),
            other => fail(format!("unknown argument {other}")),
        }
    }
    let builder = GraphBuilder::new(encoding(&encoding_name), target(&target_name));
    let graph = match &name {
        Some(name) => builder.build_from_cache(name),
        None => builder.build_from_bytes(&models),
    }
    .unwrap_or_else(|e| errno_exit("load", e));
    let mut context = graph.init_execution_context().unwrap_or_else(|e| errno_exit("init_execution_context", e));
    // Output buffers sized generously; the host reports the bytes written.
    let mut buffers: Vec<Vec<u8>> = outputs.iter().map(|_| vec![0u8; 64 << 20]).collect();
    let mut written = vec![0usize; outputs.len()];
    for _ in 0..repeat {
        for (i, input) in inputs.iter().enumerate() {
            context
                .set_input(i, input.ty, &input.dims, &input.data)
                .unwrap_or_else(|e| errno_exit("set_input", e));
        }
        context.compute().unwrap_or_else(|e| errno_exit("compute", e));
        for (i, buffer) in buffers.iter_mut().enumerate() {
            written[i] = context.get_output(i, buffer.as_mut_slice()).unwrap_or_else(|e| errno_exit("get_output", e));
        }
    }
    for ((path, buffer), n) in outputs.iter().zip(&buffers).zip(&written) {
        std::fs::write(path, &buffer[..*n]).unwrap_or_else(|e| fail(format!("cannot write {path}: {e}")));
    }
}
