//! The crates.io `openvino` 0.11.1 crate's round trip (write the input, infer, read the output),
//! timed like `cargo bench -p openvino`. Prints `bench <model> openvino-0.11.1 <median ns>`.
//! Usage: peer-openvino-0-11 FIXTURES_DIR [--quick]
//! (0.11.1 compiles without properties: its property setters use a fixed-arity rewrite of the
//! variadic C API. On CPUs without AVX-512 bf16 its defaults equal INFERENCE_PRECISION_HINT=f32
//! and PERFORMANCE_HINT=LATENCY; scripts/bench checks and says so.)

use std::hint::black_box;
use std::time::Instant;

use openvino::{Core, DeviceType, ElementType, Shape, Tensor};

fn median_ns(samples: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..samples / 10 + 10 {
        f();
    }
    let mut times: Vec<u128> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_nanos()
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2] as f64
}

fn read_f32(path: &str) -> Vec<f32> {
    std::fs::read(path)
        .expect("fixture")
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn main() {
    let fixtures = std::env::args().nth(1).expect("FIXTURES_DIR");
    let quick = std::env::args().any(|a| a == "--quick");
    let mut core = Core::new().expect("OpenVINO loads");
    for (name, file, input, dims, samples) in [
        ("tiny", "tiny", "tiny/0_in_x.bin", vec![1i64, 16], 20_000),
        ("pp_ocr_cls_ir", "pp_ocr_cls", "pp_ocr_cls_ir/upright_in_x.bin", vec![1, 3, 48, 192], 300),
    ] {
        let samples = if quick { 20 } else { samples };
        let model = core
            .read_model_from_file(&format!("{fixtures}/{file}.xml"), &format!("{fixtures}/{file}.bin"))
            .expect("model");
        let mut compiled = core.compile_model(&model, DeviceType::CPU).expect("compile");
        let mut request = compiled.create_infer_request().expect("request");
        // Models with dynamic inputs (PP-OCR's width) need an input tensor of a concrete shape.
        let tensor = Tensor::new(ElementType::F32, &Shape::new(&dims).expect("shape")).expect("tensor");
        request.set_input_tensor(&tensor).expect("set input");
        let input = read_f32(&format!("{fixtures}/{input}"));
        let mut out = Vec::new();
        let ns = median_ns(samples, || {
            let mut tensor = request.get_input_tensor().expect("input tensor");
            tensor.get_data_mut::<f32>().expect("f32 input").copy_from_slice(&input);
            request.infer().expect("infer");
            let output = request.get_output_tensor().expect("output tensor");
            out.clear();
            out.extend_from_slice(output.get_data::<f32>().expect("f32 output"));
            black_box(&out);
        });
        println!("bench {name} openvino-0.11.1 {ns:.0}");
    }
}
