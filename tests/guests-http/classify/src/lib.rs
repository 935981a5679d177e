//! A wasi:http service: `POST /` with a PNG image of a line of text answers whether the text is
//! upright or upside down, with PaddleOCR's text-direction classifier (PP-OCR
//! `ch_ppocr_mobile_v2.0_cls`) run by the host as a named graph:
//!
//! ```text
//! $ curl --data-binary @text.png http://127.0.0.1:8080/
//! {"label":"0","probability":0.99989712}
//! ```
//!
//! `label` is PaddleOCR's: `0` (upright) or `180` (upside down). The graph's name is the `GRAPH`
//! environment variable (default `classifier`): serve it with
//! `wasi-nn-host serve --graph classifier=pp_ocr_cls.xml classify_service.wasm`.
//! Errors answer JSON too: `{"error": ..., "code": ...}` (400 for a bad image, 405 for another
//! method, the wasi:nn error's status otherwise: see `http_guest_nn::status_of`).

use http_guest_nn::{
    body, code_name, load_by_name, respond, respond_error, status_of, Error, Tensor, TensorType,
};
use wasip2::http::types::{IncomingRequest, Method, ResponseOutparam};

#[path = "../../../guests/src/text_image.rs"]
#[allow(dead_code)] // its file-based `decode` is for the command guests
mod text_image;
use text_image::{preprocess, HEIGHT, WIDTH};

/// What `text_image` calls on a bad file (never here: this service decodes from memory).
#[allow(dead_code)]
fn fail(message: impl std::fmt::Display) -> ! {
    panic!("{message}")
}

/// PaddleOCR's label for each output of the classifier.
const LABELS: [&str; 2] = ["0", "180"];

/// The largest image accepted, in pixels (a line of text is a few hundred wide).
const MAX_PIXELS: u64 = 16 << 20;

struct Service;

wasip2::http::proxy::export!(Service);

impl wasip2::exports::http::incoming_handler::Guest for Service {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        if !matches!(request.method(), Method::Post) {
            return respond_error(out, 405, "POST a PNG image", None);
        }
        let png = match body(&request) {
            Ok(png) => png,
            Err(e) => return respond_error(out, 400, &e, None),
        };
        let (w, h, rgb) = match decode(&png) {
            Ok(image) => image,
            Err(e) => return respond_error(out, 400, &e, None),
        };
        match classify(w, h, &rgb) {
            Ok((label, probability)) => {
                let json = format!("{{\"label\":\"{label}\",\"probability\":{probability:.8}}}\n");
                respond(out, 200, "application/json", json.as_bytes());
            }
            Err(e) => respond_error(out, status_of(e.code()), &e.data(), Some(code_name(e.code()))),
        }
    }
}

/// PaddleOCR's label and its probability for an RGB image.
fn classify(w: usize, h: usize, rgb: &[u8]) -> Result<(&'static str, f32), Error> {
    let name = std::env::var("GRAPH").unwrap_or_else(|_| "classifier".to_string());
    let graph = load_by_name(&name)?;
    let context = graph.init_execution_context()?;
    let input = input_bytes(w, h, rgb);
    let tensor = Tensor::new(&[1, 3, HEIGHT as u32, WIDTH as u32], TensorType::Fp32, &input);
    // The classifier's input is named "x"; its one output is the two probabilities.
    let outputs = context.compute(vec![("x".to_string(), tensor)])?;
    let data = outputs.first().map(|(_, t)| t.data()).unwrap_or_default();
    let p: Vec<f32> = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let best = (0..p.len().min(LABELS.len()))
        .max_by(|a, b| p[*a].total_cmp(&p[*b]))
        .unwrap_or(0);
    Ok((LABELS[best], p.get(best).copied().unwrap_or(0.0)))
}

/// The classifier's input tensor's bytes: PaddleOCR's preprocessing (`text_image::preprocess`),
/// done directly when the image is already 48 pixels high and at most 192 wide (the usual line
/// crop): the resize is then the identity, and the result is the same bit for bit.
fn input_bytes(w: usize, h: usize, rgb: &[u8]) -> Vec<u8> {
    let values = if h == HEIGHT && w <= WIDTH {
        let mut out = vec![0f32; 3 * HEIGHT * WIDTH];
        for y in 0..HEIGHT {
            for x in 0..w {
                let px = &rgb[(y * w + x) * 3..][..3];
                for (c, v) in px.iter().enumerate() {
                    out[c * HEIGHT * WIDTH + y * WIDTH + x] = (*v as f32 / 255.0 - 0.5) / 0.5;
                }
            }
        }
        out
    } else {
        preprocess(w, h, rgb)
    };
    let mut bytes = Vec::with_capacity(values.len() * 4);
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes
}

/// A PNG from memory, as RGB bytes (the command guests' `decode` reads a file).
fn decode(png: &[u8]) -> Result<(usize, usize, Vec<u8>), String> {
    if png.is_empty() {
        return Err("the body is empty: POST a PNG image".to_string());
    }
    let mut decoder = png::Decoder::new(png);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| format!("not a PNG image: {e}"))?;
    let (w, h) = (reader.info().width as u64, reader.info().height as u64);
    if w == 0 || h == 0 || w * h > MAX_PIXELS {
        return Err(format!("a {w}x{h} image; at most {MAX_PIXELS} pixels"));
    }
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).map_err(|e| format!("cannot decode the PNG: {e}"))?;
    let channels = info.color_type.samples();
    let rgb = buf[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|px| match channels {
            1 | 2 => [px[0], px[0], px[0]],
            _ => [px[0], px[1], px[2]],
        })
        .collect();
    Ok((info.width as usize, info.height as usize, rgb))
}
