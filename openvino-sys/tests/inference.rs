//! openvino-sys against the real runtime, in whichever linking mode the crate is built with:
//! version, devices, core lifetime, a model read from memory, compiled for CPU and run once.

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use openvino_sys::*;

/// y = relu(x * k), x: f32[1,4], k: f32[1,4] read from the weights buffer.
const MODEL_XML: &str = r#"<?xml version="1.0"?>
<net name="scaled_relu" version="11">
  <layers>
    <layer id="0" name="x" type="Parameter" version="opset1">
      <data shape="1,4" element_type="f32"/>
      <output><port id="0" precision="FP32" names="x"><dim>1</dim><dim>4</dim></port></output>
    </layer>
    <layer id="1" name="k" type="Const" version="opset1">
      <data element_type="f32" shape="1,4" offset="0" size="16"/>
      <output><port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port></output>
    </layer>
    <layer id="2" name="mul" type="Multiply" version="opset1">
      <input>
        <port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port>
        <port id="1" precision="FP32"><dim>1</dim><dim>4</dim></port>
      </input>
      <output><port id="2" precision="FP32"><dim>1</dim><dim>4</dim></port></output>
    </layer>
    <layer id="3" name="relu" type="ReLU" version="opset1">
      <input><port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port></input>
      <output><port id="1" precision="FP32" names="y"><dim>1</dim><dim>4</dim></port></output>
    </layer>
    <layer id="4" name="y/sink" type="Result" version="opset1">
      <input><port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port></input>
    </layer>
  </layers>
  <edges>
    <edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
    <edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
    <edge from-layer="2" from-port="2" to-layer="3" to-port="0"/>
    <edge from-layer="3" from-port="1" to-layer="4" to-port="0"/>
  </edges>
</net>
"#;

fn ok(status: ov_status_e, what: &str) {
    if status != ov_status_e_OK {
        // SAFETY: ov_get_last_err_msg returns a string owned by the library (thread-local).
        let msg = unsafe { CStr::from_ptr(ov_get_last_err_msg()) };
        panic!(
            "{what} failed with status {status}: {}",
            msg.to_string_lossy()
        );
    }
}

fn core() -> *mut ov_core_t {
    openvino_sys::library::load().expect("OpenVINO is installed (scripts/install-openvino)");
    let mut core = ptr::null_mut();
    // SAFETY: valid out-parameter.
    ok(unsafe { ov_core_create(&mut core) }, "ov_core_create");
    assert!(!core.is_null());
    core
}

#[test]
fn library_reports_the_pinned_version() {
    let library = openvino_sys::library::load().expect("OpenVINO is installed");
    assert_eq!(library.version().to_string(), BINDINGS_VERSION);
    assert!(library.build_number().starts_with(BINDINGS_VERSION));
}

#[test]
fn core_lists_the_cpu_device() {
    let core = core();
    let mut devices = ov_available_devices_t::default();
    // SAFETY: live core, valid out-parameter.
    ok(
        unsafe { ov_core_get_available_devices(core, &mut devices) },
        "get_available_devices",
    );
    let names: Vec<String> = (0..devices.size)
        .map(|i| {
            // SAFETY: OpenVINO returned `size` NUL-terminated names.
            unsafe { CStr::from_ptr(*devices.devices.add(i)) }
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    // SAFETY: both were created above; each freed once.
    unsafe {
        ov_available_devices_free(&mut devices);
        ov_core_free(core);
    }
    assert!(names.iter().any(|n| n == "CPU"), "devices: {names:?}");
}

#[test]
fn variadic_set_property_keeps_its_c_signature() {
    let core = core();
    let device = CString::new("CPU").unwrap();
    let key = CString::new("INFERENCE_NUM_THREADS").unwrap();
    let value = CString::new("1").unwrap();
    // SAFETY: the variadic list is (key, value) pairs of NUL-terminated strings.
    ok(
        unsafe { ov_core_set_property(core, device.as_ptr(), key.as_ptr(), value.as_ptr()) },
        "ov_core_set_property",
    );
    let mut read: *mut c_char = ptr::null_mut();
    // SAFETY: live core, valid key and out-parameter.
    ok(
        unsafe { ov_core_get_property(core, device.as_ptr(), key.as_ptr(), &mut read) },
        "ov_core_get_property",
    );
    // SAFETY: OpenVINO returned an owned string, freed with ov_free.
    let text = unsafe { CStr::from_ptr(read) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: as above; both freed once.
    unsafe {
        ov_free(read);
        ov_core_free(core);
    }
    assert_eq!(text, "1");
}

#[test]
fn model_from_memory_runs_on_cpu() {
    let core = core();
    let weights: [f32; 4] = [1.0, 2.0, 3.0, 4.0];
    let mut dims = [16i64];
    let mut shape = ov_shape_t::default();
    let mut weights_tensor = ptr::null_mut();
    let mut model = ptr::null_mut();
    let mut compiled = ptr::null_mut();
    let mut request = ptr::null_mut();
    let mut input = ptr::null_mut();
    let mut output = ptr::null_mut();
    let device = CString::new("CPU").unwrap();
    let input_name = CString::new("x").unwrap();
    let output_name = CString::new("y").unwrap();
    let precision_key = CString::new("INFERENCE_PRECISION_HINT").unwrap();
    let precision = CString::new("f32").unwrap();
    let result: Vec<f32>;
    // SAFETY: every pointer passed is live for the call; every object created is freed once below.
    unsafe {
        ok(
            ov_shape_create(1, dims.as_mut_ptr(), &mut shape),
            "ov_shape_create",
        );
        ok(
            ov_tensor_create_from_host_ptr(
                ov_element_type_e_U8,
                shape,
                weights.as_ptr() as *mut _,
                &mut weights_tensor,
            ),
            "ov_tensor_create_from_host_ptr",
        );
        ok(
            ov_core_read_model_from_memory_buffer(
                core,
                MODEL_XML.as_ptr() as *const c_char,
                MODEL_XML.len(),
                weights_tensor,
                &mut model,
            ),
            "ov_core_read_model_from_memory_buffer",
        );
        ok(
            ov_core_compile_model(
                core,
                model,
                device.as_ptr(),
                2,
                &mut compiled,
                precision_key.as_ptr(),
                precision.as_ptr(),
            ),
            "ov_core_compile_model",
        );
        ok(
            ov_compiled_model_create_infer_request(compiled, &mut request),
            "create_infer_request",
        );
        ok(
            ov_infer_request_get_tensor(request, input_name.as_ptr(), &mut input),
            "get input tensor",
        );
        let mut data = ptr::null_mut();
        ok(ov_tensor_data(input, &mut data), "ov_tensor_data");
        std::slice::from_raw_parts_mut(data as *mut f32, 4)
            .copy_from_slice(&[-1.0, 2.0, -3.0, 4.0]);
        ok(ov_infer_request_infer(request), "ov_infer_request_infer");
        ok(
            ov_infer_request_get_tensor(request, output_name.as_ptr(), &mut output),
            "get output tensor",
        );
        let mut size = 0usize;
        ok(ov_tensor_get_size(output, &mut size), "ov_tensor_get_size");
        let mut out = ptr::null_mut();
        ok(ov_tensor_data(output, &mut out), "ov_tensor_data");
        result = std::slice::from_raw_parts(out as *const f32, size).to_vec();

        ov_tensor_free(output);
        ov_tensor_free(input);
        ov_infer_request_free(request);
        ov_compiled_model_free(compiled);
        ov_model_free(model);
        ov_tensor_free(weights_tensor);
        ok(ov_shape_free(&mut shape), "ov_shape_free");
        ov_core_free(core);
    }
    let _ = &mut dims;
    assert_eq!(result, vec![0.0, 4.0, 0.0, 16.0]);
}

#[test]
fn property_key_variables_are_readable() {
    openvino_sys::library::load().expect("OpenVINO is installed");
    #[cfg(not(feature = "runtime-linking"))]
    // SAFETY: an extern static of the linked library, a NUL-terminated string constant.
    let key = unsafe { CStr::from_ptr(ov_property_key_cache_dir) };
    #[cfg(feature = "runtime-linking")]
    // SAFETY: the variable was resolved by library::load and holds a NUL-terminated string.
    let key = unsafe { CStr::from_ptr(*ov_property_key_cache_dir.get().expect("every release")) };
    assert_eq!(key.to_str(), Ok("CACHE_DIR"));
}

#[test]
fn every_declared_function_is_listed() {
    assert_eq!(FUNCTION_NAMES.len(), 177);
    assert!(FUNCTION_NAMES.contains(&"ov_core_compile_model_props"));
    assert!(
        FUNCTION_NAMES.windows(2).all(|w| w[0] < w[1]),
        "sorted, no duplicates"
    );
}
