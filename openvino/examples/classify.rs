//! Tells upright text lines from upside-down ones with PaddleOCR's text-direction classifier
//! (PP-OCR, from the `rapidocr-openvino` wheel), reading the model as ONNX and as IR.
//!
//! `scripts/generate-fixtures && cargo run -p openvino --example classify -- [MODEL] [IMAGE.bin...]`
//! Without arguments it uses the fixtures: the model as ONNX and as IR, and the two rendered
//! lines of text (already preprocessed to [1,3,48,192] f32 by the fixture generator).

use std::path::PathBuf;

use openvino::{Core, DeviceType, PropertyKey, Shape, Tensor, TensorSlot};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/generated"
    ));
    let mut args = std::env::args().skip(1);
    let models: Vec<PathBuf> = match args.next() {
        Some(model) => vec![model.into()],
        None => vec![
            fixtures.join("pp_ocr_cls.onnx"),
            fixtures.join("pp_ocr_cls.xml"),
        ],
    };
    let mut images: Vec<PathBuf> = args.map(PathBuf::from).collect();
    if images.is_empty() {
        images = ["upright", "upside_down"]
            .iter()
            .map(|l| fixtures.join(format!("pp_ocr_cls_onnx/{l}_in_x.bin")))
            .collect();
    }
    let core = Core::new()?;
    for model_path in &models {
        let model = core.read_model_from_file(model_path, None)?;
        let input = model.input()?;
        println!(
            "{}: input {} {} {}",
            model_path.display(),
            input.name()?,
            input.element_type()?,
            input.partial_shape()?
        );
        let compiled = core.compile_model(
            &model,
            &DeviceType::CPU,
            &[(PropertyKey::InferencePrecisionHint, "f32")],
        )?;
        for image in &images {
            let bytes = std::fs::read(image)
                .map_err(|e| format!("{}: {e} (run scripts/generate-fixtures)", image.display()))?;
            let mut request = compiled.create_infer_request()?;
            let tensor = Tensor::from_bytes(
                openvino::ElementType::F32,
                &Shape::new(&[1, 3, 48, 192])?,
                &bytes,
            )?;
            request.set_tensor(TensorSlot::OnlyInput, tensor)?;
            request.infer()?;
            let output = request.tensor(TensorSlot::OnlyOutput)?;
            let p = output.data::<f32>()?;
            let (label, prob) = if p[0] >= p[1] {
                ("upright (0°)", p[0])
            } else {
                ("upside down (180°)", p[1])
            };
            println!(
                "  {}: {label}, probability {prob:.4}",
                image.file_name().unwrap_or_default().to_string_lossy()
            );
        }
    }
    Ok(())
}
