//! Outputs of this crate equal Python OpenVINO's on the same models, inputs and properties
//! (fixtures from scripts/generate-fixtures; both sides pin INFERENCE_PRECISION_HINT=f32 on the
//! same CPU plugin, so the comparison is byte for byte).

use openvino::{Core, DeviceType, ElementType, PropertyKey, Shape, Tensor, TensorSlot};
use openvino_fixtures::{Case, TensorFile};

fn core() -> Core {
    Core::new().expect("OpenVINO is installed")
}

fn tensor(file: &TensorFile) -> Tensor<'static> {
    let element_type: ElementType = file.element_type.parse().unwrap();
    Tensor::from_bytes(
        element_type,
        &Shape::new(&file.dims).unwrap(),
        &file.bytes(),
    )
    .unwrap()
}

/// `OPENVINO_FIXTURES_TOLERANCE`: a relative tolerance for f32 outputs, for runs where OpenVINO
/// sees another CPU than the one the references were made on (scripts/leak-check: valgrind hides
/// AVX-512, so other kernels round differently). Unset: byte for byte.
fn tolerance() -> Option<f32> {
    std::env::var("OPENVINO_FIXTURES_TOLERANCE")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// Runs every run of a case on a compiled model and compares each output byte for byte (see
/// `tolerance`).
fn check(case: &Case, compiled: &openvino::CompiledModel) {
    let mut request = compiled.create_infer_request().unwrap();
    for run in &case.runs {
        for input in &run.inputs {
            request
                .set_tensor(input.name.as_str(), tensor(input))
                .unwrap();
        }
        request.infer().unwrap();
        for (i, expected) in run.outputs.iter().enumerate() {
            let out = request.tensor(TensorSlot::Output(i)).unwrap();
            assert_eq!(
                out.element_type().unwrap().name(),
                expected.element_type,
                "{} {}",
                case.name,
                run.label
            );
            assert_eq!(
                out.shape().unwrap().dims(),
                expected.dims.as_slice(),
                "{} {}",
                case.name,
                run.label
            );
            let what = format!(
                "{} run {} output {} differs from Python OpenVINO",
                case.name, run.label, expected.name
            );
            match (tolerance(), out.element_type().unwrap()) {
                (Some(tolerance), ElementType::F32) => {
                    let (got, want) = (out.data::<f32>().unwrap(), expected.f32s());
                    assert_eq!(got.len(), want.len(), "{what}");
                    for (g, w) in got.iter().zip(&want) {
                        assert!(
                            (g - w).abs() <= tolerance * w.abs().max(1.0),
                            "{what}: {g} vs {w}"
                        );
                    }
                }
                _ => assert_eq!(
                    out.as_bytes().unwrap(),
                    expected.bytes().as_slice(),
                    "{what}"
                ),
            }
        }
    }
}

const F32: [(PropertyKey, &str); 1] = [(PropertyKey::InferencePrecisionHint, "f32")];

#[test]
fn every_fixture_model_matches_python_openvino() {
    let manifest = openvino_fixtures::load();
    assert!(
        manifest.cases.len() >= 20,
        "the generator wrote {} cases",
        manifest.cases.len()
    );
    let core = core();
    for case in &manifest.cases {
        let model = core
            .read_model_from_file(&case.model[0], case.model.get(1).map(|p| p.as_path()))
            .unwrap();
        let compiled = core.compile_model(&model, &DeviceType::CPU, &F32).unwrap();
        check(case, &compiled);
    }
}

#[test]
fn every_element_type_runs() {
    let manifest = openvino_fixtures::load();
    let mut covered: Vec<&str> = manifest
        .cases
        .iter()
        .filter_map(|c| c.name.strip_prefix("types_"))
        .collect();
    covered.extend(manifest.skipped.iter().map(|(t, _)| t.as_str()));
    covered.sort();
    assert_eq!(
        covered,
        vec![
            "bf16", "boolean", "f16", "f32", "f64", "i16", "i32", "i64", "i8", "u16", "u32", "u64",
            "u8"
        ]
    );
}

#[test]
fn models_read_from_memory_match_too() {
    let manifest = openvino_fixtures::load();
    let core = core();
    for name in ["add", "conv", "multi_io", "pp_ocr_cls_ir"] {
        let case = manifest.case(name);
        let xml = std::fs::read(&case.model[0]).unwrap();
        let bin = std::fs::read(&case.model[1]).unwrap();
        let model = core.read_model_from_buffer(&xml, Some(&bin)).unwrap();
        check(
            case,
            &core.compile_model(&model, &DeviceType::CPU, &F32).unwrap(),
        );
    }
    // ONNX from memory (one buffer, no weights).
    let case = manifest.case("pp_ocr_cls_onnx");
    let onnx = std::fs::read(&case.model[0]).unwrap();
    let model = core.read_model_from_buffer(&onnx, None).unwrap();
    check(
        case,
        &core.compile_model(&model, &DeviceType::CPU, &F32).unwrap(),
    );
}

#[test]
fn compile_from_file_matches_and_uses_the_cache() {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("pp_ocr_cls_onnx");
    let cache = std::env::temp_dir().join(format!("openvino-cache-test-{}", std::process::id()));
    let props = [
        (PropertyKey::InferencePrecisionHint, "f32"),
        (PropertyKey::CacheDir, cache.to_str().unwrap()),
    ];
    let core = core();
    check(
        case,
        &core
            .compile_model_from_file(&case.model[0], &DeviceType::CPU, &props)
            .unwrap(),
    );
    let cached = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&cache);
    assert!(cached > 0, "the compiled blob was cached");
}

#[test]
fn dynamic_model_takes_two_batch_sizes_in_one_request() {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("dynamic");
    let core = core();
    let model = core.read_model_from_file(&case.model[0], None).unwrap();
    assert!(model.is_dynamic());
    assert_eq!(
        model.input().unwrap().partial_shape().unwrap().to_string(),
        "[?,4]"
    );
    check(
        case,
        &core.compile_model(&model, &DeviceType::CPU, &F32).unwrap(),
    );
}

#[test]
fn pp_ocr_classifier_tells_upright_from_upside_down() {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("pp_ocr_cls_onnx");
    let core = core();
    let compiled = core
        .compile_model_from_file(&case.model[0], &DeviceType::CPU, &F32)
        .unwrap();
    for run in &case.runs {
        // Zero-copy input: the request borrows `input`, so it lives inside the loop.
        let mut input = run.inputs[0].f32s();
        let mut request = compiled.create_infer_request().unwrap();
        request
            .set_tensor(
                TensorSlot::OnlyInput,
                Tensor::from_slice(&Shape::new(&run.inputs[0].dims).unwrap(), &mut input).unwrap(),
            )
            .unwrap();
        request.infer().unwrap();
        let probs = request
            .tensor(TensorSlot::OnlyOutput)
            .unwrap()
            .data::<f32>()
            .unwrap()
            .to_vec();
        let expected = if run.label == "upright" { 0 } else { 1 };
        assert!(probs[expected] > 0.9, "{}: {probs:?}", run.label);
        let want = run.outputs[0].f32s();
        match tolerance() {
            Some(tolerance) => assert!(
                probs
                    .iter()
                    .zip(&want)
                    .all(|(g, w)| (g - w).abs() <= tolerance * w.abs().max(1.0)),
                "{probs:?} vs {want:?}"
            ),
            None => assert_eq!(probs, want),
        }
    }
}
