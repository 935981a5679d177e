//! One stress test per `Send`/`Sync` claim of the crate: the objects used from four threads at
//! once the way the claim allows, for `common::iterations` rounds each (quick by default; set
//! `OPENVINO_STRESS_ITERATIONS=5000` and `--release` for the full form). `scripts/leak-check`
//! runs the quick form under valgrind. `RemoteContext`'s claim needs a device with remote memory
//! (a GPU), which the test machines lack; see its documentation.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use common::{add_compiled, core, iterations};
use openvino::doc_support::ADD_MODEL_XML;
use openvino::{
    CompiledModel, Core, DeviceType, ErrorKind, InferRequest, Layout, Model, PartialShape,
    PrePostProcessor, PropertyKey, Shape, Tensor,
};

const THREADS: usize = 4;

/// Writes `x` and `y` into `a` and `b`, infers, and checks `sum`.
fn add(request: &mut InferRequest<'_>, x: f32, y: f32) {
    common::fill_add_inputs(request, x, y);
    request.infer().unwrap();
    assert_eq!(
        request.tensor("sum").unwrap().data::<f32>().unwrap(),
        &[x + y; 4]
    );
}

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

#[test]
fn the_claims_under_test() {
    assert_send::<Core>();
    assert_sync::<Core>();
    assert_send::<CompiledModel>();
    assert_sync::<CompiledModel>();
    assert_send::<InferRequest<'static>>();
    assert_send::<Tensor<'static>>();
    assert_sync::<Tensor<'static>>();
    assert_send::<Model>();
    assert_send::<Layout>();
    assert_sync::<Layout>();
    assert_send::<openvino::RemoteContext>();
    assert_sync::<openvino::RemoteContext>();
    assert_send::<openvino::Error>();
    assert_sync::<openvino::Error>();
}

#[test]
fn core_is_shared_by_threads_that_read_compile_and_set_properties() {
    let core = core();
    let rounds = iterations(30);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let core = &core;
            s.spawn(move || {
                for i in 0..rounds {
                    let model = core
                        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
                        .unwrap();
                    let compiled = core.compile_model(&model, &DeviceType::CPU, &[]).unwrap();
                    let mut request = compiled.create_infer_request().unwrap();
                    add(&mut request, t as f32, i as f32);
                    let threads = ((t + i) % 2 + 1).to_string();
                    core.set_property(
                        &DeviceType::CPU,
                        &PropertyKey::InferenceNumThreads,
                        &threads,
                    )
                    .unwrap();
                    let read = core
                        .property(&DeviceType::CPU, &PropertyKey::InferenceNumThreads)
                        .unwrap();
                    assert!(read == "1" || read == "2", "{read}");
                    assert!(core.available_devices().unwrap().contains(&DeviceType::CPU));
                }
            });
        }
    });
}

#[test]
fn compiled_model_is_shared_by_threads_that_create_requests_and_infer() {
    let core = core();
    let compiled = add_compiled(&core);
    let rounds = iterations(300);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let compiled = &compiled;
            s.spawn(move || {
                let mut request = compiled.create_infer_request().unwrap();
                for i in 0..rounds {
                    if i % 50 == 0 {
                        request = compiled.create_infer_request().unwrap();
                        assert_eq!(compiled.input_by_index(1).unwrap().name().unwrap(), "b");
                        assert!(
                            !compiled
                                .property(&PropertyKey::OptimalNumberOfInferRequests)
                                .unwrap()
                                .is_empty()
                        );
                    }
                    add(&mut request, t as f32, i as f32);
                }
            });
        }
    });
}

#[test]
fn infer_requests_move_between_threads_while_idle_and_while_running() {
    let core = core();
    let compiled = add_compiled(&core);
    let rounds = iterations(300);
    let completed = Arc::new(AtomicUsize::new(0));
    // A ring of threads: each receives a request, uses it, and passes it on.
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..THREADS)
        .map(|_| mpsc::channel::<(InferRequest<'static>, usize)>())
        .unzip();
    std::thread::scope(|s| {
        for (t, receiver) in receivers.into_iter().enumerate() {
            let next = senders[(t + 1) % THREADS].clone();
            let completed = Arc::clone(&completed);
            s.spawn(move || {
                // Every thread keeps a sender of the ring, so channels never close: stop once
                // every request has made all its hops.
                while completed.load(Ordering::SeqCst) < THREADS {
                    let Ok((mut request, hop)) = receiver.recv_timeout(Duration::from_millis(50))
                    else {
                        continue;
                    };
                    // An odd hop starts an inference that the next thread waits for.
                    request.wait().unwrap();
                    if hop % 2 == 0 {
                        add(&mut request, t as f32, hop as f32);
                    } else {
                        request
                            .tensor_mut("a")
                            .unwrap()
                            .data_mut::<f32>()
                            .unwrap()
                            .fill(1.0);
                        request.start_async().unwrap();
                    }
                    if hop + 1 == rounds {
                        request.wait().unwrap();
                        completed.fetch_add(1, Ordering::SeqCst);
                        continue;
                    }
                    next.send((request, hop + 1)).unwrap();
                }
            });
        }
        for sender in &senders {
            let mut request = compiled.create_infer_request().unwrap();
            let completed = Arc::clone(&completed);
            // A callback that outlives hops on several threads.
            request
                .set_callback(move || {
                    let _ = completed.load(Ordering::Relaxed);
                })
                .unwrap();
            sender.send((request, 0)).unwrap();
        }
        drop(senders);
    });
    assert_eq!(completed.load(Ordering::SeqCst), THREADS);
}

#[test]
fn tensors_are_read_by_many_threads_and_moved_between_them() {
    let core = core();
    let compiled = add_compiled(&core);
    let shape = Shape::new(&[1, 4]).unwrap();
    let shared = Tensor::from_data(&shape, &[1.0f32, 2.0, 3.0, 4.0]).unwrap();
    let rounds = iterations(500);
    let (send, receive) = mpsc::sync_channel::<Tensor<'static>>(THREADS);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            let shared = &shared;
            s.spawn(move || {
                for _ in 0..rounds {
                    assert_eq!(shared.data::<f32>().unwrap(), &[1.0, 2.0, 3.0, 4.0]);
                    assert_eq!(shared.shape().unwrap().dims(), &[1, 4]);
                    assert_eq!(shared.byte_size().unwrap(), 16);
                }
            });
        }
        let shape = &shape;
        s.spawn(move || {
            for i in 0..rounds {
                send.send(Tensor::from_data(shape, &[i as f32; 4]).unwrap())
                    .unwrap();
            }
        });
        s.spawn(move || {
            let mut request = compiled.create_infer_request().unwrap();
            for i in 0..rounds {
                let a = receive.recv().unwrap();
                request.set_tensor("a", a).unwrap();
                request
                    .tensor_mut("b")
                    .unwrap()
                    .data_mut::<f32>()
                    .unwrap()
                    .fill(0.5);
                request.infer().unwrap();
                assert_eq!(
                    request.tensor("sum").unwrap().data::<f32>().unwrap(),
                    &[i as f32 + 0.5; 4]
                );
            }
        });
    });
}

#[test]
fn request_tensors_open_for_writing_move_to_another_thread() {
    let core = core();
    let compiled = add_compiled(&core);
    let rounds = iterations(300);
    let mut requests: Vec<_> = (0..THREADS)
        .map(|_| compiled.create_infer_request().unwrap())
        .collect();
    for i in 0..rounds {
        std::thread::scope(|s| {
            for (t, request) in requests.iter_mut().enumerate() {
                let mut a = request.tensor_mut("a").unwrap();
                s.spawn(move || a.data_mut::<f32>().unwrap().fill((t + i) as f32));
            }
        });
        for (t, request) in requests.iter_mut().enumerate() {
            request
                .tensor_mut("b")
                .unwrap()
                .data_mut::<f32>()
                .unwrap()
                .fill(1.0);
            request.infer().unwrap();
            assert_eq!(
                request.tensor("sum").unwrap().data::<f32>().unwrap(),
                &[(t + i) as f32 + 1.0; 4]
            );
        }
    }
}

#[test]
fn models_move_between_threads_and_are_reshaped_there() {
    let core = Arc::new(core());
    let rounds = iterations(30);
    let (send, receive) = mpsc::channel::<(Model, usize)>();
    let worker = {
        let core = Arc::clone(&core);
        std::thread::spawn(move || {
            while let Ok((mut model, batch)) = receive.recv() {
                let shape = PartialShape::from_static(&[batch as i64, 4]);
                model
                    .reshape(&[("a", shape.clone()), ("b", shape)])
                    .unwrap();
                let compiled = core.compile_model(&model, &DeviceType::CPU, &[]).unwrap();
                assert_eq!(
                    compiled.output().unwrap().shape().unwrap().dims(),
                    &[batch as i64, 4]
                );
            }
        })
    };
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (core, send) = (&core, send.clone());
            s.spawn(move || {
                for i in 0..rounds {
                    let model = core
                        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
                        .unwrap();
                    send.send((model, 1 + (t + i) % 3)).unwrap();
                }
            });
        }
    });
    drop(send);
    worker.join().unwrap();
}

#[test]
fn layouts_are_shared_by_threads_building_pre_post_processing() {
    let core = core();
    let nc = Layout::new("NC").unwrap();
    let rounds = iterations(50);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            let (core, nc) = (&core, &nc);
            s.spawn(move || {
                for _ in 0..rounds {
                    let model = core
                        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
                        .unwrap();
                    let ppp = PrePostProcessor::new(model).unwrap();
                    let input = ppp.input_by_name("a").unwrap();
                    input.tensor().unwrap().set_layout(nc).unwrap();
                    input.model().unwrap().set_layout(nc).unwrap();
                    assert_eq!(nc.to_string(), "[N,C]");
                    let model = ppp.build().unwrap();
                    assert_eq!(model.inputs_len().unwrap(), 2);
                }
            });
        }
    });
}

#[test]
fn errors_never_carry_another_threads_message() {
    let core = core();
    let compiled = add_compiled(&core);
    let rounds = iterations(300);
    let attributed = AtomicUsize::new(0);
    let generic = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (core, compiled) = (&core, &compiled);
            let (attributed, generic) = (&attributed, &generic);
            s.spawn(move || {
                let mut request = compiled.create_infer_request().unwrap();
                for i in 0..rounds {
                    // The trigger: every thread fails with its own file name.
                    let own = format!("/no/such/thread-{t}-round-{i}.xml");
                    let err = core.read_model_from_file(&own, None).unwrap_err();
                    assert_eq!(err.kind(), ErrorKind::General);
                    let message = err.message();
                    if message.contains(&own) {
                        attributed.fetch_add(1, Ordering::Relaxed);
                    } else {
                        assert!(
                            !message.contains("/no/such/thread-"),
                            "thread {t} round {i} got another call's message: {message}"
                        );
                        assert!(message.contains("another OpenVINO call ran"), "{message}");
                        generic.fetch_add(1, Ordering::Relaxed);
                    }
                    // Successful calls in between, as a real program makes.
                    add(&mut request, t as f32, i as f32);
                }
            });
        }
    });
    let (attributed, generic) = (attributed.into_inner(), generic.into_inner());
    assert_eq!(attributed + generic, THREADS * rounds);
    println!("{attributed} messages attributed, {generic} replaced by OpenVINO's description");
}

#[test]
fn callbacks_run_for_requests_started_on_many_threads() {
    let core = core();
    let compiled = add_compiled(&core);
    let rounds = iterations(300);
    let fired = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (compiled, fired) = (&compiled, Arc::clone(&fired));
            s.spawn(move || {
                let mut request = compiled.create_infer_request().unwrap();
                let (done, finished) = mpsc::channel();
                request
                    .set_callback(move || {
                        fired.fetch_add(1, Ordering::Relaxed);
                        let _ = done.send(());
                    })
                    .unwrap();
                for i in 0..rounds {
                    common::fill_add_inputs(&mut request, t as f32, i as f32);
                    request.start_async().unwrap();
                    finished.recv_timeout(Duration::from_secs(60)).unwrap();
                    request.wait().unwrap();
                    assert_eq!(
                        request.tensor("sum").unwrap().data::<f32>().unwrap(),
                        &[(t + i) as f32; 4]
                    );
                }
            });
        }
    });
    assert_eq!(fired.load(Ordering::Relaxed), THREADS * rounds);
}
