//! Tells whether lines of text are upright or upside down with PaddleOCR's text-direction
//! classifier (PP-OCR `ch_ppocr_mobile_v2.0_cls`), through wasi-nn.
//!
//! classify-text (--model FILE... [--encoding E] | --name NAME) IMAGE.png...
//!
//! Each image is resized to height 48 (width at most 192, keeping the aspect ratio), normalised
//! to [-1, 1] and padded with zeros to 48x192, as PaddleOCR does; the model answers the
//! probabilities of 0 and 180 degrees.

use wasi_nn_guests::*;

const HEIGHT: usize = 48;
const WIDTH: usize = 192;

/// Decodes a PNG into RGB bytes.
fn decode(path: &str) -> (usize, usize, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| fail(format!("cannot open {path}: {e}")));
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap_or_else(|e| fail(format!("{path} is not a PNG: {e}")));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| fail(format!("cannot decode {path}: {e}")));
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.color_type.samples();
    let mut rgb = Vec::with_capacity(w * h * 3);
    for px in buf[..info.buffer_size()].chunks(channels) {
        match channels {
            1 | 2 => rgb.extend_from_slice(&[px[0], px[0], px[0]]),
            _ => rgb.extend_from_slice(&px[..3]),
        }
    }
    (w, h, rgb)
}

/// PaddleOCR's `resize_norm_img` for the classifier: CHW f32 [1, 3, 48, 192].
fn preprocess(w: usize, h: usize, rgb: &[u8]) -> Vec<f32> {
    let ratio = w as f32 / h as f32;
    let resized_w = ((HEIGHT as f32 * ratio).ceil() as usize).clamp(1, WIDTH);
    let mut out = vec![0f32; 3 * HEIGHT * WIDTH];
    for y in 0..HEIGHT {
        // Bilinear sampling with pixel centres aligned, as OpenCV's INTER_LINEAR.
        let sy = ((y as f32 + 0.5) * h as f32 / HEIGHT as f32 - 0.5).max(0.0);
        let (y0, fy) = (sy.floor() as usize, sy - sy.floor());
        let y1 = (y0 + 1).min(h - 1);
        for x in 0..resized_w {
            let sx = ((x as f32 + 0.5) * w as f32 / resized_w as f32 - 0.5).max(0.0);
            let (x0, fx) = (sx.floor() as usize, sx - sx.floor());
            let x1 = (x0 + 1).min(w - 1);
            for c in 0..3 {
                let p = |xx: usize, yy: usize| rgb[(yy * w + xx) * 3 + c] as f32;
                let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
                let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
                let v = top * (1.0 - fy) + bottom * fy;
                out[c * HEIGHT * WIDTH + y * WIDTH + x] = (v / 255.0 - 0.5) / 0.5;
            }
        }
    }
    out
}

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
