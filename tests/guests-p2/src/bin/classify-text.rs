//! Tells whether lines of text are upright or upside down with PaddleOCR's text-direction
//! classifier (PP-OCR `ch_ppocr_mobile_v2.0_cls`), through wasi:nn (WIT): the wasip2 twin of
//! tests/guests' classify-text, with the same preprocessing (shared source).
//!
//! classify-text (--model FILE... [--encoding E] | --name NAME) IMAGE.png...

use wasi_nn_guests_p2::text_image::{decode, preprocess, HEIGHT, WIDTH};
use wasi_nn_guests_p2::*;

fn main() {
    let mut models = Vec::new();
    let mut name = None;
    let mut encoding_name = "onnx".to_string();
    let mut images = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(format!("{arg} needs a value")));
        match arg.as_str() {
            "--model" => models.push(read(&value())),
            "--name" => name = Some(value()),
            "--encoding" => encoding_name = value(),
            path => images.push(path.to_string()),
        }
    }
    if images.is_empty() {
        fail("usage: classify-text (--model FILE... [--encoding E] | --name NAME) IMAGE.png...");
    }
    let graph = match &name {
        Some(name) => load_by_name(name),
        None => load(&models, encoding(&encoding_name), ExecutionTarget::Cpu),
    }
    .unwrap_or_else(|e| nn_fail("cannot load the classifier", e));
    let context = graph.init_execution_context().unwrap_or_else(|e| nn_fail("init-execution-context", e));
    for path in &images {
        let (w, h, rgb) = decode(path);
        let input: Vec<u8> = preprocess(w, h, &rgb).iter().flat_map(|v| v.to_le_bytes()).collect();
        let tensor = Tensor::new(&[1, 3, HEIGHT as u32, WIDTH as u32], TensorType::Fp32, &input);
        // The classifier's input is named "x"; its one output comes first.
        let outputs = context.compute(vec![("x".to_string(), tensor)]).unwrap_or_else(|e| nn_fail("compute", e));
        let data = outputs.first().map(|(_, t)| t.data()).unwrap_or_else(|| fail("no output"));
        let p: Vec<f32> = data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        if p.len() != 2 {
            fail(format!("expected 2 probabilities, got {}", p.len()));
        }
        let (label, probability) = if p[0] >= p[1] { ("upright (0 degrees)", p[0]) } else { ("upside down (180 degrees)", p[1]) };
        let file = path.rsplit('/').next().unwrap_or(path);
        println!("{file}: {label}, probability {probability:.4}");
    }
}
