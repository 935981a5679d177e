//! The core of the crate on whatever OpenVINO release is loaded: `scripts/test-releases` builds
//! this file once with `runtime-linking` and runs it against every pinned release (2024.3.0 to the
//! bindings' release), with `OPENVINO_LIB_PATH` pointing at that release's libraries and
//! `OPENVINO_TEST_EXPECT_VERSION` naming it. It also runs in the normal test run, against the
//! workspace's release.
//!
//! The references are Python OpenVINO's outputs from the newest release (the fixtures). Older
//! CPU plugins may pick other kernels, so floating-point outputs are compared within a tolerance;
//! integer and boolean outputs exactly.

use openvino::{Core, DeviceType, ElementType, ErrorKind, PropertyKey, Shape, Tensor, TensorSlot};
use openvino_fixtures::{Case, TensorFile};
use openvino_sys::library::{self, Version};

fn core() -> Core {
    let core = Core::new().expect("OpenVINO is installed");
    // The fixtures' references were computed with f32 inference; set it on the device (the
    // variadic `ov_core_set_property`, in every release) rather than as a compile property
    // (`ov_core_compile_model_props` arrived in 2026.4).
    core.set_property(
        &DeviceType::CPU,
        &PropertyKey::InferencePrecisionHint,
        "f32",
    )
    .unwrap();
    core
}

fn loaded() -> Version {
    *library::load().expect("OpenVINO is installed").version()
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

/// The values of a floating-point output as f64 (`None` for integer and boolean types).
fn floats(element_type: &str, bytes: &[u8]) -> Option<Vec<f64>> {
    Some(match element_type {
        "f32" => bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64)
            .collect(),
        "f64" => bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
        "f16" => bytes
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f64())
            .collect(),
        "bf16" => bytes
            .chunks_exact(2)
            .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f64())
            .collect(),
        _ => return None,
    })
}

/// Runs every run of a case and compares each output with Python OpenVINO's: element type and
/// shape exactly, values exactly for integers and within `tolerance` (absolute and relative) for
/// floats.
fn check(case: &Case, compiled: &openvino::CompiledModel, tolerance: f64) {
    let mut request = compiled.create_infer_request().unwrap();
    for run in &case.runs {
        for input in &run.inputs {
            request
                .set_tensor(input.name.as_str(), tensor(input))
                .unwrap();
        }
        request.infer().unwrap();
        for (i, expected) in run.outputs.iter().enumerate() {
            let what = format!("{} run {} output {}", case.name, run.label, expected.name);
            let out = request.tensor(TensorSlot::Output(i)).unwrap();
            assert_eq!(
                out.element_type().unwrap().name(),
                expected.element_type,
                "{what}"
            );
            assert_eq!(
                out.shape().unwrap().dims(),
                expected.dims.as_slice(),
                "{what}"
            );
            let got = out.as_bytes().unwrap();
            let want = expected.bytes();
            match (
                floats(&expected.element_type, got),
                floats(&expected.element_type, &want),
            ) {
                (Some(got), Some(want)) => {
                    assert_eq!(got.len(), want.len(), "{what}");
                    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                        assert!(
                            (g - w).abs() <= tolerance * (1.0 + w.abs()),
                            "{what}[{k}]: {g} vs Python OpenVINO's {w} (OpenVINO {})",
                            loaded()
                        );
                    }
                }
                _ => assert_eq!(got, want.as_slice(), "{what}"),
            }
        }
    }
}

#[test]
fn the_release_asked_for_is_loaded_and_reports_what_it_lacks() {
    let library = library::load().expect("OpenVINO is installed");
    if let Ok(expected) = std::env::var("OPENVINO_TEST_EXPECT_VERSION") {
        assert_eq!(
            library.version().to_string(),
            expected,
            "{:?}",
            library.path()
        );
    }
    // Exactly the symbols added after the loaded release are unavailable.
    let expected: Vec<&str> = openvino_sys::FUNCTION_NAMES
        .iter()
        .chain(openvino_sys::VARIABLE_NAMES)
        .copied()
        .filter(|name| library::added_in(name).unwrap() > *library.version())
        .collect();
    let mut reported = library.unavailable_functions().to_vec();
    reported.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(reported, expected_sorted);
    for name in expected {
        let why = library::unavailable(name).unwrap();
        assert_eq!(why.loaded(), *library.version());
        assert!(why.added_in() > *library.version());
    }
}

#[test]
fn every_ir_fixture_matches_python_openvino() {
    let manifest = openvino_fixtures::load();
    let core = core();
    let mut ran = 0;
    for case in manifest.cases.iter().filter(|c| c.encoding == "openvino") {
        // The PP-OCR IR was converted by the newest release and uses opset16, which older
        // releases cannot read; the same model runs from ONNX below.
        if case.name == "pp_ocr_cls_ir" {
            continue;
        }
        let model = core
            .read_model_from_file(&case.model[0], case.model.get(1).map(|p| p.as_path()))
            .unwrap();
        check(
            case,
            &core.compile_model(&model, &DeviceType::CPU, &[]).unwrap(),
            1e-4,
        );
        ran += 1;
    }
    assert!(ran >= 19, "{ran} IR cases ran");
}

#[test]
fn onnx_and_tflite_models_match_python_openvino() {
    let manifest = openvino_fixtures::load();
    let core = core();
    for name in ["pp_ocr_cls_onnx", "face_detection"] {
        let case = manifest.case(name);
        let model = core.read_model_from_file(&case.model[0], None).unwrap();
        check(
            case,
            &core.compile_model(&model, &DeviceType::CPU, &[]).unwrap(),
            1e-3,
        );
    }
}

#[test]
fn every_element_type_means_the_same_on_this_release() {
    // The types_* models declare their input's element type in the IR; OpenVINO reports it back
    // through `ov_port_get_element_type`, in its own numbering: it reads as the same ElementType
    // only if the translation matches the release.
    let manifest = openvino_fixtures::load();
    let core = core();
    let mut seen = Vec::new();
    for case in manifest
        .cases
        .iter()
        .filter(|c| c.name.starts_with("types_"))
    {
        let model = core
            .read_model_from_file(&case.model[0], Some(&case.model[1]))
            .unwrap();
        let declared: ElementType = case.runs[0].inputs[0].element_type.parse().unwrap();
        let port = &model.inputs().unwrap()[0];
        assert_eq!(port.element_type().unwrap(), declared, "{}", case.name);
        seen.push(declared);
    }
    assert_eq!(seen.len(), 13);
    // Every element type of the enum: a tensor OpenVINO creates reports the type it was made with.
    for &element_type in ElementType::ALL {
        if element_type == ElementType::Dynamic {
            continue;
        }
        let tensor = Tensor::new(element_type, &Shape::new(&[8]).unwrap())
            .unwrap_or_else(|e| panic!("{element_type} on OpenVINO {}: {e}", loaded()));
        assert_eq!(tensor.element_type().unwrap(), element_type);
    }
}

#[test]
fn properties_read_and_write_and_the_newer_forms_say_which_release_added_them() {
    let core = core();
    core.set_property(&DeviceType::CPU, &PropertyKey::InferenceNumThreads, "2")
        .unwrap();
    assert_eq!(
        core.property(&DeviceType::CPU, &PropertyKey::InferenceNumThreads)
            .unwrap(),
        "2"
    );
    let manifest = openvino_fixtures::load();
    let case = manifest.case("add");
    let model = core
        .read_model_from_file(&case.model[0], Some(&case.model[1]))
        .unwrap();
    let compiled = core.compile_model(&model, &DeviceType::CPU, &[]).unwrap();
    let optimal: u32 = compiled
        .property(&PropertyKey::OptimalNumberOfInferRequests)
        .unwrap()
        .parse()
        .unwrap();
    assert!(optimal >= 1);

    // Several properties at once and compile-time properties use the `_props` functions of
    // 2026.4; older releases answer with an error naming both releases, never a crash.
    let newer = Version::new(2026, 4, 0);
    let props = [(PropertyKey::InferencePrecisionHint, "f32")];
    let compiled = core.compile_model(&model, &DeviceType::CPU, &props);
    let set = core.set_properties(&DeviceType::CPU, &props);
    if loaded() >= newer {
        check(case, &compiled.unwrap(), 0.0);
        set.unwrap();
    } else {
        for err in [compiled.map(|_| ()).unwrap_err(), set.unwrap_err()] {
            assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
            assert!(
                err.to_string().contains("added in OpenVINO 2026.4.0"),
                "{err}"
            );
            assert!(err.to_string().contains(&loaded().to_string()), "{err}");
            assert_eq!(err.status(), None, "no C status OpenVINO never returned");
        }
    }
}

#[test]
fn async_inference_matches_python_openvino() {
    let manifest = openvino_fixtures::load();
    let case = manifest.case("conv");
    let core = core();
    let model = core
        .read_model_from_file(&case.model[0], Some(&case.model[1]))
        .unwrap();
    let compiled = core.compile_model(&model, &DeviceType::CPU, &[]).unwrap();
    let mut request = compiled.create_infer_request().unwrap();
    let run = &case.runs[0];
    request
        .set_tensor(run.inputs[0].name.as_str(), tensor(&run.inputs[0]))
        .unwrap();
    request.start_async().unwrap();
    request.wait().unwrap();
    let out = request.tensor(TensorSlot::Output(0)).unwrap();
    let got = floats("f32", out.as_bytes().unwrap()).unwrap();
    let want = floats("f32", &run.outputs[0].bytes()).unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-4 * (1.0 + w.abs()), "{g} vs {w}");
    }
}

#[test]
fn functions_added_later_fail_with_the_release_or_work() {
    // String tensors from a list (2025.2) and log routing (2025.4, a function without a status).
    let strings = Tensor::from_strings(&Shape::new(&[2]).unwrap(), &["a", "b"]);
    let logs = openvino::route_logs_to_log_crate();
    let cases = [
        (strings.map(|_| ()), Version::new(2025, 2, 0)),
        (logs, Version::new(2025, 4, 0)),
    ];
    for (result, added) in cases {
        if loaded() >= added {
            result.unwrap();
        } else {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
            assert!(
                err.to_string()
                    .contains(&format!("added in OpenVINO {added}")),
                "{err}"
            );
        }
    }
    if loaded() >= Version::new(2025, 4, 0) {
        openvino::reset_log_callback().unwrap();
    }
}

#[cfg(feature = "runtime-linking")]
#[test]
fn property_keys_added_later_are_errors_not_reads() {
    library::load().expect("OpenVINO is installed");
    let key = openvino_sys::ov_property_key_intel_gpu_config_file.get();
    if loaded() >= Version::new(2025, 2, 0) {
        // SAFETY: the variable holds a NUL-terminated string constant of the loaded library.
        let text = unsafe { std::ffi::CStr::from_ptr(*key.unwrap()) };
        assert!(!text.to_bytes().is_empty());
    } else {
        let why = key.unwrap_err();
        assert_eq!(why.added_in(), Version::new(2025, 2, 0));
        assert_eq!(why.loaded(), loaded());
    }
    // A key every release has reads everywhere.
    // SAFETY: as above.
    let cache_dir = unsafe {
        std::ffi::CStr::from_ptr(*openvino_sys::ov_property_key_cache_dir.get().unwrap())
    };
    assert_eq!(cache_dir.to_str(), Ok("CACHE_DIR"));
}
