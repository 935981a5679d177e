//! Ownership traps that crash other bindings: second owners of request tensors, variadic property
//! setters, zero-copy inputs, callbacks that panic or leak, objects outliving their parents.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use openvino::doc_support::ADD_MODEL_XML;
use openvino::{
    CompiledModel, Core, DeviceType, ElementType, PropertyKey, Shape, Tensor, TensorSlot,
};

mod common;

fn compiled() -> CompiledModel {
    let core = common::core();
    common::add_compiled(&core)
    // `core` (and the model, inside `add_compiled`) are freed: the compiled model stands alone.
}

#[test]
fn request_tensors_survive_many_inferences_without_double_free() {
    let compiled = compiled();
    let mut request = compiled.create_infer_request().unwrap();
    for i in 0..20 {
        let x = i as f32;
        request
            .tensor_mut("a")
            .unwrap()
            .data_mut::<f32>()
            .unwrap()
            .copy_from_slice(&[x, x, x, x]);
        request
            .tensor_mut(TensorSlot::Input(1))
            .unwrap()
            .data_mut::<f32>()
            .unwrap()
            .fill(1.0);
        request.infer().unwrap();
        let out = request.tensor(TensorSlot::OnlyOutput).unwrap();
        assert_eq!(out.data::<f32>().unwrap(), &[x + 1.0; 4]);
        let again = request.tensor("sum").unwrap();
        assert_eq!(again.shape().unwrap().dims(), &[1, 4]);
    }
}

#[test]
fn variadic_property_setters_work_on_core_and_compiled_model() {
    let core = Core::new().unwrap();
    core.set_property(&DeviceType::CPU, &PropertyKey::NumStreams, "1")
        .unwrap();
    assert_eq!(
        core.property(&DeviceType::CPU, &PropertyKey::NumStreams)
            .unwrap(),
        "1"
    );
    core.set_properties(
        &DeviceType::CPU,
        &[
            (PropertyKey::InferenceNumThreads, "1"),
            (PropertyKey::EnableProfiling, "YES"),
        ],
    )
    .unwrap();
    assert_eq!(
        core.property(&DeviceType::CPU, &PropertyKey::EnableProfiling)
            .unwrap(),
        "YES"
    );
    let mut compiled = compiled();
    // CPU compiled models accept no property changes after compilation; the call must return an
    // error, not crash, through the variadic ABI.
    let err = compiled
        .set_property(&PropertyKey::NumStreams, "2")
        .unwrap_err();
    assert_eq!(err.call(), "ov_compiled_model_set_property");
    let err = compiled
        .set_properties(&[(PropertyKey::NumStreams, "2")])
        .unwrap_err();
    assert_eq!(err.call(), "ov_compiled_model_set_properties");
}

#[test]
fn zero_copy_input_is_read_in_place() {
    let compiled = compiled();
    let shape = Shape::new(&[1, 4]).unwrap();
    let mut a = vec![1.0f32, 2.0, 3.0, 4.0];
    let mut b = vec![10.0f32, 20.0, 30.0, 40.0];
    let mut out = vec![0.0f32; 4];
    {
        let mut request = compiled.create_infer_request().unwrap();
        request
            .set_tensor("a", Tensor::from_slice(&shape, &mut a).unwrap())
            .unwrap();
        request
            .set_tensor(
                TensorSlot::Input(1),
                Tensor::from_slice(&shape, &mut b).unwrap(),
            )
            .unwrap();
        request
            .set_tensor(
                TensorSlot::OnlyOutput,
                Tensor::from_slice(&shape, &mut out).unwrap(),
            )
            .unwrap();
        request.infer().unwrap();
        // Writing through the request writes the caller's buffer.
        request.tensor_mut("a").unwrap().data_mut::<f32>().unwrap()[0] = 100.0;
        request.infer().unwrap();
    }
    assert_eq!(a[0], 100.0);
    assert_eq!(out, vec![110.0, 22.0, 33.0, 44.0]);
}

#[test]
fn async_requests_in_flight_and_callbacks() {
    let compiled = compiled();
    let calls = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let mut requests: Vec<_> = (0..4)
        .map(|_| compiled.create_infer_request().unwrap())
        .collect();
    for (i, request) in requests.iter_mut().enumerate() {
        common::fill_add_inputs(request, i as f32, 0.5);
        let calls = Arc::clone(&calls);
        let tx = tx.clone();
        request
            .set_callback(move || {
                calls.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(i);
            })
            .unwrap();
        request.start_async().unwrap();
    }
    let mut done: Vec<usize> = (0..4)
        .map(|_| rx.recv_timeout(Duration::from_secs(30)).unwrap())
        .collect();
    done.sort();
    assert_eq!(done, vec![0, 1, 2, 3]);
    for (i, request) in requests.iter_mut().enumerate() {
        assert!(request.wait_for(Duration::from_secs(30)).unwrap());
        assert_eq!(
            request.tensor("sum").unwrap().data::<f32>().unwrap(),
            &[i as f32 + 0.5; 4]
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[test]
fn replaced_callbacks_are_freed_at_once_the_last_with_the_request_and_panics_stay_inside() {
    let compiled = compiled();
    let witness = Arc::new(());
    {
        let mut request = compiled.create_infer_request().unwrap();
        let held = Arc::clone(&witness);
        request
            .set_callback(move || {
                let _keep = &held;
                panic!("a panicking callback must not unwind into OpenVINO");
            })
            .unwrap();
        assert_eq!(Arc::strong_count(&witness), 2);
        request.start_async().unwrap();
        request.wait().unwrap();
        // Setting a callback per inference used to keep every closure until the request went.
        for _ in 0..100 {
            let held = Arc::clone(&witness);
            request
                .set_callback(move || drop(Arc::clone(&held)))
                .unwrap();
            request.start_async().unwrap();
            request.wait().unwrap();
            assert_eq!(
                Arc::strong_count(&witness),
                2,
                "only the current closure is kept"
            );
        }
    }
    assert_eq!(
        Arc::strong_count(&witness),
        1,
        "the last closure was dropped with the request"
    );
}

#[test]
fn compiled_models_and_requests_outlive_the_core_and_move_across_threads() {
    let compiled = Arc::new(compiled());
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let compiled = Arc::clone(&compiled);
            std::thread::spawn(move || {
                let mut request = compiled.create_infer_request().unwrap();
                for _ in 0..10 {
                    common::fill_add_inputs(&mut request, t as f32, t as f32);
                    request.infer().unwrap();
                    assert_eq!(
                        request.tensor("sum").unwrap().data::<f32>().unwrap(),
                        &[2.0 * t as f32; 4]
                    );
                }
                request
            })
        })
        .collect();
    for h in handles {
        let request = h.join().unwrap();
        drop(request);
    }
}

#[test]
fn tensor_set_shape_and_owned_tensor_reuse() {
    let mut tensor = Tensor::new(ElementType::F32, &Shape::new(&[1]).unwrap()).unwrap();
    for n in 1..=8 {
        tensor.set_shape(&Shape::new(&[n]).unwrap()).unwrap();
        tensor.data_mut::<f32>().unwrap().fill(n as f32);
        assert_eq!(tensor.byte_size().unwrap(), 4 * n as usize);
    }
}

#[test]
fn export_and_import_round_trip() {
    let core = Core::new().unwrap();
    let compiled = compiled();
    let blob = compiled.export().unwrap();
    assert!(!blob.is_empty());
    let imported = core.import_model(&blob, &DeviceType::CPU).unwrap();
    let mut request = imported.create_infer_request().unwrap();
    common::fill_add_inputs(&mut request, 2.0, 3.0);
    request.infer().unwrap();
    assert_eq!(
        request.tensor("sum").unwrap().data::<f32>().unwrap(),
        &[5.0; 4]
    );
}

#[test]
fn profiling_info_lists_executed_nodes() {
    let core = Core::new().unwrap();
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    let compiled = core
        .compile_model(
            &model,
            &DeviceType::CPU,
            &[(PropertyKey::EnableProfiling, "YES")],
        )
        .unwrap();
    let mut request = compiled.create_infer_request().unwrap();
    request.infer().unwrap();
    let info = request.profiling_info().unwrap();
    assert!(
        info.iter()
            .any(|i| i.status == openvino::NodeStatus::Executed),
        "{info:?}"
    );
}
