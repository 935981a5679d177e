//! PaddleOCR's text-direction classifier input from a PNG: shared by the wasip1 and wasip2
//! classify-text guests (the wasip2 project includes this file by path). Needs `crate::fail`.

use crate::fail;

/// The classifier's input height and width.
pub const HEIGHT: usize = 48;
pub const WIDTH: usize = 192;

/// Decodes a PNG into RGB bytes.
pub fn decode(path: &str) -> (usize, usize, Vec<u8>) {
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
pub fn preprocess(w: usize, h: usize, rgb: &[u8]) -> Vec<f32> {
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

