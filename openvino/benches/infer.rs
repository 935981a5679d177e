//! `cargo bench -p openvino`: one inference round trip (write the input, infer, read the output)
//! on the same model, input and compile properties, three ways:
//! - `bare`: the C calls through openvino-sys (the floor);
//! - `crate`: this crate (`tensor_mut` + `infer` + `tensor`);
//! - `zero_copy`: this crate with the input tensor over caller memory.
//!
//! Prints `bench <model> <variant> <median ns>`; scripts/bench adds Python OpenVINO and the
//! crates.io openvino 0.11.1 crate and prints the ratios.

use std::ffi::CString;
use std::hint::black_box;
use std::time::Instant;

use openvino::{
    Core, DeviceType, ElementType, InferRequest, PropertyKey, Shape, Tensor, TensorSlot,
};
use openvino_sys as sys;

const PROPERTIES: [(PropertyKey, &str); 2] = [
    (PropertyKey::InferencePrecisionHint, "f32"),
    (PropertyKey::PerformanceHint, "LATENCY"),
];

/// The median of `samples` timings of `f`, after a warm-up, in nanoseconds.
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

fn ok(status: sys::ov_status_e) {
    assert_eq!(status, sys::ov_status_e_OK, "OpenVINO call failed");
}

/// The bare C path: what any binding must do at least.
fn bare(xml: &str, shape: &[i64], input: &[f32], output_len: usize, samples: usize) -> f64 {
    let xml = CString::new(xml).unwrap();
    let device = CString::new("CPU").unwrap();
    let keys: Vec<CString> = PROPERTIES
        .iter()
        .map(|(k, _)| CString::new(k.as_str()).unwrap())
        .collect();
    let values: Vec<CString> = PROPERTIES
        .iter()
        .map(|(_, v)| CString::new(*v).unwrap())
        .collect();
    let mut out = vec![0f32; output_len];
    // SAFETY: straight-line use of the C API; every handle is freed once at the end.
    unsafe {
        let (mut core, mut model, mut compiled, mut request) = (
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        ok(sys::ov_core_create(&mut core));
        ok(sys::ov_core_read_model(
            core,
            xml.as_ptr(),
            std::ptr::null(),
            &mut model,
        ));
        ok(sys::ov_core_compile_model(
            core,
            model,
            device.as_ptr(),
            4,
            &mut compiled,
            keys[0].as_ptr(),
            values[0].as_ptr(),
            keys[1].as_ptr(),
            values[1].as_ptr(),
        ));
        ok(sys::ov_compiled_model_create_infer_request(
            compiled,
            &mut request,
        ));
        // Models with dynamic inputs (PP-OCR's width) need an input tensor of a concrete shape.
        let mut dims = shape.to_vec();
        let mut c_shape = sys::ov_shape_t::default();
        let mut tensor = std::ptr::null_mut();
        ok(sys::ov_shape_create(
            dims.len() as i64,
            dims.as_mut_ptr(),
            &mut c_shape,
        ));
        ok(sys::ov_tensor_create(
            sys::ov_element_type_e_F32,
            c_shape,
            &mut tensor,
        ));
        ok(sys::ov_infer_request_set_input_tensor_by_index(
            request, 0, tensor,
        ));
        sys::ov_tensor_free(tensor);
        ok(sys::ov_shape_free(&mut c_shape));
        let ns = median_ns(samples, || {
            let mut t = std::ptr::null_mut();
            let mut data = std::ptr::null_mut();
            ok(sys::ov_infer_request_get_input_tensor_by_index(
                request, 0, &mut t,
            ));
            ok(sys::ov_tensor_data(t, &mut data));
            std::ptr::copy_nonoverlapping(input.as_ptr(), data as *mut f32, input.len());
            sys::ov_tensor_free(t);
            ok(sys::ov_infer_request_infer(request));
            ok(sys::ov_infer_request_get_output_tensor_by_index(
                request, 0, &mut t,
            ));
            ok(sys::ov_tensor_data(t, &mut data));
            std::ptr::copy_nonoverlapping(data as *const f32, out.as_mut_ptr(), out.len());
            sys::ov_tensor_free(t);
            black_box(&out);
        });
        sys::ov_infer_request_free(request);
        sys::ov_compiled_model_free(compiled);
        sys::ov_model_free(model);
        sys::ov_core_free(core);
        ns
    }
}

/// Writes the input, infers, reads the output: the crate's round trip.
fn round_trip(request: &mut InferRequest<'_>, input: &[f32], out: &mut [f32]) {
    request
        .tensor_mut(TensorSlot::Input(0))
        .unwrap()
        .data_mut::<f32>()
        .unwrap()
        .copy_from_slice(input);
    request.infer().unwrap();
    out.copy_from_slice(
        request
            .tensor(TensorSlot::Output(0))
            .unwrap()
            .data::<f32>()
            .unwrap(),
    );
    black_box(&*out);
}

fn with_crate(
    xml: &str,
    shape: &[i64],
    input: &[f32],
    output_len: usize,
    samples: usize,
) -> (f64, f64) {
    let core = Core::new().unwrap();
    let model = core.read_model_from_file(xml, None).unwrap();
    let compiled = core
        .compile_model(&model, &DeviceType::CPU, &PROPERTIES)
        .unwrap();
    let mut out = vec![0f32; output_len];

    let shape = Shape::new(shape).unwrap();
    let mut request = compiled.create_infer_request().unwrap();
    // Models with dynamic inputs (PP-OCR's width) need an input tensor of a concrete shape.
    request
        .set_tensor(
            TensorSlot::Input(0),
            Tensor::new(ElementType::F32, &shape).unwrap(),
        )
        .unwrap();
    let copied = median_ns(samples, || round_trip(&mut request, input, &mut out));

    let mut buffer = input.to_vec();
    let mut request = compiled.create_infer_request().unwrap();
    request
        .set_tensor(
            TensorSlot::Input(0),
            Tensor::from_slice(&shape, &mut buffer).unwrap(),
        )
        .unwrap();
    // The request reads the caller's buffer in place; writing goes through the request.
    let zero_copy = median_ns(samples, || round_trip(&mut request, input, &mut out));
    (copied, zero_copy)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this with few samples.
    let quick =
        std::env::args().any(|a| a == "--quick") || !std::env::args().any(|a| a == "--bench");
    let manifest = openvino_fixtures::load();
    for (name, samples) in [("tiny", 20_000), ("pp_ocr_cls_ir", 300)] {
        let case = manifest.case(name);
        let xml = case.model[0].to_str().unwrap().to_owned();
        let input = case.runs[0].inputs[0].f32s();
        let shape = case.runs[0].inputs[0].dims.clone();
        let output_len = case.runs[0].outputs[0].f32s().len();
        let samples = if quick { 20 } else { samples };
        let floor = bare(&xml, &shape, &input, output_len, samples);
        let (copied, zero_copy) = with_crate(&xml, &shape, &input, output_len, samples);
        println!("bench {name} bare {floor:.0}");
        println!("bench {name} crate {copied:.0}");
        println!("bench {name} zero_copy {zero_copy:.0}");
    }
}
