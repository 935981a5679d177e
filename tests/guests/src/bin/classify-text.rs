//! Tells whether lines of text are upright or upside down with PaddleOCR's text-direction
//! classifier (PP-OCR `ch_ppocr_mobile_v2.0_cls`), through wasi-nn.
//!
//! classify-text (--model FILE... [--encoding E] | --name NAME) IMAGE.png...
//!
//! Each image is resized to height 48 (width at most 192, keeping the aspect ratio), normalised
//! to [-1, 1] and padded with zeros to 48x192, as PaddleOCR does; the model answers the
//! probabilities of 0 and 180 degrees.

use wasi_nn_guests::*;

use wasi_nn_guests::text_image::{decode, preprocess, HEIGHT, WIDTH};

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
    let builder = GraphBuilder::new(encoding(&encoding_name), ExecutionTarget::CPU);
    let graph = match &name {
        Some(name) => builder.build_from_cache(name),
        None => builder.build_from_bytes(&models),
    }
    .unwrap_or_else(|e| fail(format!("cannot load the classifier: {e}")));
    let mut context = graph.init_execution_context().unwrap_or_else(|e| fail(e));
    for path in &images {
        let (w, h, rgb) = decode(path);
        let input = preprocess(w, h, &rgb);
        context.set_input(0, TensorType::F32, &[1, 3, HEIGHT, WIDTH], &input).unwrap_or_else(|e| fail(e));
        context.compute().unwrap_or_else(|e| fail(e));
        let mut probabilities = [0f32; 2];
        context.get_output(0, &mut probabilities).unwrap_or_else(|e| fail(e));
        let (label, p) = if probabilities[0] >= probabilities[1] {
            ("upright (0 degrees)", probabilities[0])
        } else {
            ("upside down (180 degrees)", probabilities[1])
        };
        let file = path.rsplit('/').next().unwrap_or(path);
        println!("{file}: {label}, probability {p:.4}");
    }
}
