//! Every error a caller can provoke comes back as an `Error` of a stated kind, never a panic.

use std::sync::{Mutex, MutexGuard, PoisonError};

use openvino::doc_support::ADD_MODEL_XML;
use openvino::{
    Core, DeviceType, ElementType, ErrorKind, PartialShape, PropertyKey, Shape, Tensor,
};

/// OpenVINO keeps one last-error message for the whole process, so a failure's message can be
/// attributed only when no other OpenVINO call runs meanwhile (otherwise the error carries
/// OpenVINO's generic description and says so). These tests check messages, so they run one at a
/// time; `tests/threads.rs` checks what happens when calls overlap.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

fn core() -> Core {
    Core::new().expect("OpenVINO is installed (scripts/install-openvino)")
}

#[test]
fn missing_model_file_is_a_general_error_naming_the_file() {
    let _serial = serial();
    let err = core()
        .read_model_from_file("/no/such/model.xml", None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::General);
    assert_eq!(err.call(), "ov_core_read_model");
    assert!(err.message().contains("/no/such/model.xml"), "{err}");
}

#[test]
fn malformed_xml_is_a_general_error() {
    let _serial = serial();
    let err = core()
        .read_model_from_buffer(b"<net><layers><layer", None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::General, "{err}");
    // An empty buffer is refused by the C API's own argument check.
    let err = core().read_model_from_buffer(b"", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCParam, "{err}");
}

#[test]
fn unknown_device_is_a_general_error() {
    let _serial = serial();
    let core = core();
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    let err = core
        .compile_model(&model, &DeviceType::from("NO_SUCH_DEVICE"), &[])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::General, "{err}");
    assert!(err.message().contains("NO_SUCH_DEVICE"), "{err}");
}

#[test]
fn unknown_property_is_a_general_error() {
    let _serial = serial();
    let core = core();
    let err = core
        .property(&DeviceType::CPU, &PropertyKey::from("NO_SUCH_PROPERTY"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::General, "{err}");
    let err = core
        .set_property(
            &DeviceType::CPU,
            &PropertyKey::from("NO_SUCH_PROPERTY"),
            "1",
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::General, "{err}");
}

#[test]
fn input_index_out_of_range_is_an_error() {
    let _serial = serial();
    let core = core();
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    assert_eq!(
        model.input_by_index(2).unwrap_err().kind(),
        ErrorKind::OutOfBounds
    );
    assert_eq!(
        model.input_by_name("nope").unwrap_err().kind(),
        ErrorKind::General
    );
    let compiled = core.compile_model(&model, &DeviceType::CPU, &[]).unwrap();
    assert_eq!(
        compiled.output_by_index(1).unwrap_err().kind(),
        ErrorKind::OutOfBounds
    );
    let request = compiled.create_infer_request().unwrap();
    assert_eq!(
        request
            .tensor(openvino::TensorSlot::Input(7))
            .unwrap_err()
            .kind(),
        ErrorKind::General
    );
}

#[test]
fn wrong_tensor_shape_is_rejected_by_set_tensor() {
    let _serial = serial();
    let core = core();
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    let compiled = core.compile_model(&model, &DeviceType::CPU, &[]).unwrap();
    let mut request = compiled.create_infer_request().unwrap();
    let wrong = Tensor::new(ElementType::F32, &Shape::new(&[1, 5]).unwrap()).unwrap();
    let err = request.set_tensor("a", wrong).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::General, "{err}");
}

#[test]
fn wrong_element_type_is_rejected() {
    let _serial = serial();
    let core = core();
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    let compiled = core.compile_model(&model, &DeviceType::CPU, &[]).unwrap();
    let mut request = compiled.create_infer_request().unwrap();
    let wrong = Tensor::new(ElementType::I32, &Shape::new(&[1, 4]).unwrap()).unwrap();
    assert_eq!(
        request.set_tensor("a", wrong).unwrap_err().kind(),
        ErrorKind::General
    );
    // The typed view refuses the wrong Rust type before touching memory.
    let input = request.tensor("a").unwrap();
    assert_eq!(
        input.data::<i32>().unwrap_err().kind(),
        ErrorKind::ElementTypeMismatch
    );
    assert_eq!(
        input.data::<half::f16>().unwrap_err().kind(),
        ErrorKind::ElementTypeMismatch
    );
}

#[test]
fn strings_with_nul_bytes_are_errors_not_panics() {
    let _serial = serial();
    let core = core();
    assert_eq!(
        core.read_model_from_file("a\0b.xml", None)
            .unwrap_err()
            .kind(),
        ErrorKind::InteriorNul
    );
    assert_eq!(
        core.property(&DeviceType::from("C\0PU"), &PropertyKey::CacheDir)
            .unwrap_err()
            .kind(),
        ErrorKind::InteriorNul
    );
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    assert_eq!(
        model.input_by_name("a\0").unwrap_err().kind(),
        ErrorKind::InteriorNul
    );
}

#[test]
fn reshape_to_an_impossible_shape_is_an_error() {
    let _serial = serial();
    let core = core();
    let mut model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    let err = model.reshape(&[
        ("a", PartialShape::from_static(&[2, 3])),
        ("b", PartialShape::from_static(&[7, 5])),
    ]);
    assert_eq!(err.unwrap_err().kind(), ErrorKind::General);
    assert_eq!(
        model
            .reshape_input("missing", &PartialShape::from_static(&[1]))
            .unwrap_err()
            .kind(),
        ErrorKind::General
    );
}

#[test]
fn waiting_on_a_request_never_started_returns_done_at_once() {
    let _serial = serial();
    let core = core();
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    let compiled = core.compile_model(&model, &DeviceType::CPU, &[]).unwrap();
    let mut request = compiled.create_infer_request().unwrap();
    // Nothing runs, so there is nothing to wait for: both answer "done" at once (OpenVINO's own
    // `wait_for` would answer "not ready" forever).
    request.wait().unwrap();
    let started = std::time::Instant::now();
    assert!(request.wait_for(std::time::Duration::MAX).unwrap());
    assert!(request.wait_for(std::time::Duration::ZERO).unwrap());
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn import_of_garbage_is_an_error() {
    let _serial = serial();
    let err = core()
        .import_model(b"not a blob", &DeviceType::CPU)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::General, "{err}");
}

#[test]
fn cpu_has_no_remote_context() {
    let _serial = serial();
    let err = core().default_context(&DeviceType::CPU).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::General, "{err}");
}
