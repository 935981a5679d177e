//! Hostile components: the proxy component (tests/guests-p2/proxy) makes exactly the wasi:nn WIT
//! calls a test asks for, with bad lengths, dimensions, names, resources and models. Each case
//! asserts the error code and message (or a clean trap where the canonical ABI itself refuses),
//! and then that the host serves a valid inference: in the same instance after an error, in a
//! fresh instance after a trap (a trapped component instance may not be entered again).

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasi_nn_host::{Backend, BackendConfig, Deadlines, Limits};

mod common;
use common::component::{Failure, Proxy, encoding, ty};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(openvino_fixtures::dir().join(name)).unwrap()
}

fn config() -> BackendConfig {
    BackendConfig {
        properties: vec![("INFERENCE_PRECISION_HINT".into(), "f32".into())],
        guest_loads: common::sandboxed(),
        ..BackendConfig::default()
    }
}

fn backend_with(config: BackendConfig) -> Arc<Backend> {
    Arc::new(Backend::new(config).unwrap())
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

const CPU: u8 = 0;

/// Loads `sum = a + b` (f32[1,4]) and makes a context: (graph slot, context slot).
fn add_context(proxy: &mut Proxy) -> (u32, u32) {
    let graph = proxy
        .load(
            &[&fixture("add.xml"), &fixture("add.bin")],
            encoding::OPENVINO,
            CPU,
        )
        .unwrap()
        .expect("the add model loads");
    let context = proxy.init(graph).unwrap().expect("a context");
    (graph, context)
}

/// A full valid inference: the proof that the host still serves this instance.
fn assert_still_serving(proxy: &mut Proxy) {
    let (graph, context) = add_context(proxy);
    let x = f32_bytes(&[1.0, 2.0, 3.0, 4.0]);
    let a = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    let b = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    let outputs = proxy
        .compute(context, &[("a", a), ("b", b)])
        .unwrap()
        .expect("a valid compute");
    assert_eq!(outputs.len(), 1);
    assert_eq!(outputs[0].0, "sum");
    let (dims, t, data) = proxy.tensor_info(outputs[0].1).unwrap().unwrap();
    assert_eq!((dims, t), (vec![1, 4], ty::FP32));
    assert_eq!(data, f32_bytes(&[2.0, 4.0, 6.0, 8.0]));
    for slot in [outputs[0].1, context, graph] {
        assert!(proxy.drop_slot(slot).unwrap());
    }
}

/// Asserts a failure's code and that its message contains `says`.
#[track_caller]
fn assert_failure<T: std::fmt::Debug>(answer: Result<T, Failure>, code: &str, says: &str) {
    match answer {
        Err((got, message)) => {
            assert_eq!(got, code, "{message}");
            assert!(message.contains(says), "{message:?} does not say {says:?}");
        }
        Ok(v) => panic!("expected {code}, got {v:?}"),
    }
}

#[test]
fn a_valid_guest_computes_the_sum() {
    let mut proxy = Proxy::new(backend_with(config()));
    assert_still_serving(&mut proxy);
    assert_eq!(proxy.live().unwrap(), 0);
    assert_eq!(proxy.nn().charged_bytes(), 0, "everything given back");
}

#[test]
fn wrong_data_length_for_the_dimensions_is_invalid_argument() {
    let mut proxy = Proxy::new(backend_with(config()));
    let (_, context) = add_context(&mut proxy);
    let short = proxy.tensor(&[1, 4], ty::FP32, &[0; 15]).unwrap();
    let b = proxy.tensor(&[1, 4], ty::FP32, &[0; 16]).unwrap();
    assert_failure(
        proxy.compute(context, &[("a", short), ("b", b)]).unwrap(),
        "invalid-argument",
        "input \"a\": tensor data is 15 bytes but dimensions [1, 4] of f32 need 16",
    );
    // The tensors were the host's: both are gone, and their bytes given back.
    assert_eq!(proxy.tensor_info(short).unwrap(), None);
    assert_eq!(proxy.live().unwrap(), 2, "graph and context");
    assert_still_serving(&mut proxy);
}

#[test]
fn overflowing_or_too_many_dimensions_are_refused() {
    let mut proxy = Proxy::new(backend_with(config()));
    let (_, context) = add_context(&mut proxy);
    let huge = proxy.tensor(&[u32::MAX; 8], ty::FP64, &[0; 8]).unwrap();
    assert_failure(
        proxy.compute(context, &[("a", huge)]).unwrap(),
        "too-large",
        "overflow",
    );
    let deep = proxy.tensor(&[1; 33], ty::FP32, &[0; 4]).unwrap();
    assert_failure(
        proxy.compute(context, &[("a", deep)]).unwrap(),
        "invalid-argument",
        "tensor of rank 33; at most 32",
    );
    // Big, but within u64: refused by the per-tensor limit before anything is allocated.
    let big = proxy.tensor(&[1 << 20, 1 << 20], ty::FP32, &[]).unwrap();
    assert_failure(
        proxy.compute(context, &[("a", big)]).unwrap(),
        "too-large",
        "exceeds the host's limit",
    );
    assert_still_serving(&mut proxy);
}

#[test]
fn unknown_missing_and_duplicate_names_are_invalid_argument() {
    let mut proxy = Proxy::new(backend_with(config()));
    let (_, context) = add_context(&mut proxy);
    let x = f32_bytes(&[1.0; 4]);
    let t = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    assert_failure(
        proxy.compute(context, &[("nope", t)]).unwrap(),
        "invalid-argument",
        "the graph has no input named \"nope\"; its inputs are \"a\", \"b\"",
    );
    let t1 = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    let t2 = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    assert_failure(
        proxy.compute(context, &[("a", t1), ("a", t2)]).unwrap(),
        "invalid-argument",
        "input \"a\" is given twice",
    );
    let t = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    assert_failure(
        proxy.compute(context, &[("a", t)]).unwrap(),
        "invalid-argument",
        "input 1 (\"b\") has not been set",
    );
    // An empty name, and a long one (cut in the message).
    let t = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    assert_failure(
        proxy.compute(context, &[("", t)]).unwrap(),
        "invalid-argument",
        "no input named \"\"",
    );
    let long = "n".repeat(100_000);
    let t = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    let (_, message) = proxy.compute(context, &[(&long, t)]).unwrap().unwrap_err();
    assert!(
        message.contains("(100000 bytes)") && message.len() < 400,
        "{message}"
    );
    assert_still_serving(&mut proxy);
}

#[test]
fn a_context_of_another_graph_knows_only_its_own_inputs() {
    let mut proxy = Proxy::new(backend_with(config()));
    let multi = proxy
        .load(
            &[&fixture("multi_io.xml"), &fixture("multi_io.bin")],
            encoding::OPENVINO,
            CPU,
        )
        .unwrap()
        .unwrap();
    let multi_context = proxy.init(multi).unwrap().unwrap();
    let (_, add_context) = add_context(&mut proxy);
    let t = proxy.tensor(&[1, 4], ty::FP32, &[0; 16]).unwrap();
    assert_failure(
        proxy.compute(multi_context, &[("a", t)]).unwrap(),
        "invalid-argument",
        "its inputs are \"x\", \"y\"",
    );
    // The add context still works, and the multi-io one with its own names.
    let x = proxy
        .tensor(&[1, 4], ty::FP32, &f32_bytes(&[1.0; 4]))
        .unwrap();
    let y = proxy.tensor(&[1, 4], ty::I32, &[0; 16]).unwrap();
    let outputs = proxy
        .compute(multi_context, &[("x", x), ("y", y)])
        .unwrap()
        .unwrap();
    let names: Vec<&str> = outputs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["sum", "prod"]);
    let t = proxy.tensor(&[1, 4], ty::I32, &[0; 16]).unwrap();
    assert_failure(
        proxy.compute(add_context, &[("a", t)]).unwrap(),
        "invalid-argument",
        "input \"a\" takes f32, not i32",
    );
    assert_still_serving(&mut proxy);
}

#[test]
fn dropping_a_graph_keeps_what_its_contexts_need() {
    let mut proxy = Proxy::new(backend_with(config()));
    let (graph, context) = add_context(&mut proxy);
    assert!(proxy.drop_slot(graph).unwrap());
    assert_eq!(
        proxy.nn().graph_count(),
        0,
        "the guest's graph handle is gone"
    );
    let x = f32_bytes(&[1.0, 2.0, 3.0, 4.0]);
    let a = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    let b = proxy.tensor(&[1, 4], ty::FP32, &x).unwrap();
    let outputs = proxy
        .compute(context, &[("a", a), ("b", b)])
        .unwrap()
        .unwrap();
    let (_, _, data) = proxy.tensor_info(outputs[0].1).unwrap().unwrap();
    assert_eq!(data, f32_bytes(&[2.0, 4.0, 6.0, 8.0]));
    // The output outlives its context too.
    assert!(proxy.drop_slot(context).unwrap());
    let (_, _, data) = proxy.tensor_info(outputs[0].1).unwrap().unwrap();
    assert_eq!(data, f32_bytes(&[2.0, 4.0, 6.0, 8.0]));
    assert!(proxy.drop_slot(outputs[0].1).unwrap());
    assert_eq!(proxy.nn().charged_bytes(), 0);
}

#[test]
fn a_tensor_used_after_drop_traps_in_the_canonical_abi_and_the_host_serves_on() {
    let backend = backend_with(config());
    let mut proxy = Proxy::new(Arc::clone(&backend));
    let t = proxy.tensor(&[1, 4], ty::FP32, &[0; 16]).unwrap();
    let handle = proxy.raw_handle(t).unwrap().unwrap();
    assert_eq!(proxy.dimensions_of_raw(handle).unwrap(), vec![1, 4]);
    assert!(proxy.drop_slot(t).unwrap());
    let trap = proxy.dimensions_of_raw(handle).unwrap_err();
    assert!(
        format!("{trap:?}").contains("unknown handle index"),
        "{trap:?}"
    );
    // A forged handle passed as an input: also refused before the host sees it.
    let mut proxy = Proxy::new(Arc::clone(&backend));
    let (_, context) = add_context(&mut proxy);
    let trap = proxy.compute_raw(context, "a", 12345).unwrap_err();
    assert!(
        format!("{trap:?}").contains("unknown handle index"),
        "{trap:?}"
    );
    // A fresh instance on the same backend is served.
    assert_still_serving(&mut Proxy::new(backend));
}

#[test]
fn handles_from_another_instance_are_not_this_instances_resources() {
    let backend = backend_with(config());
    let mut first = Proxy::new(Arc::clone(&backend));
    let (_, first_context) = add_context(&mut first);
    for _ in 0..5 {
        first.tensor(&[1, 4], ty::FP32, &[0; 16]).unwrap();
    }
    let t = first.tensor(&[1, 4], ty::FP32, &[0; 16]).unwrap();
    let tensor_handle = first.raw_handle(t).unwrap().unwrap();
    // The second instance holds two resources (a graph and a context): the first one's seventh
    // or later handle number means nothing there, as a tensor or as an input.
    let mut second = Proxy::new(Arc::clone(&backend));
    let (_, second_context) = add_context(&mut second);
    assert!(tensor_handle > 2, "handle {tensor_handle}");
    let trap = second.dimensions_of_raw(tensor_handle).unwrap_err();
    assert!(
        format!("{trap:?}").contains("unknown handle index"),
        "{trap:?}"
    );
    let mut second = Proxy::new(Arc::clone(&backend));
    let (_, second_context_again) = add_context(&mut second);
    assert_eq!(second_context, second_context_again);
    let trap = second
        .compute_raw(second_context, "a", tensor_handle)
        .unwrap_err();
    assert!(
        format!("{trap:?}").contains("unknown handle index"),
        "{trap:?}"
    );
    // The first instance is untouched: its tensor and context still work.
    assert_eq!(first.tensor_info(t).unwrap().unwrap().0, vec![1, 4]);
    let _ = first_context;
    assert_still_serving(&mut first);
}

#[test]
fn too_many_builders_and_huge_lists_are_refused() {
    let mut proxy = Proxy::new(backend_with(config()));
    let nine: Vec<&[u8]> = vec![b"x"; 9];
    assert_failure(
        proxy.load(&nine, encoding::OPENVINO, CPU).unwrap(),
        "invalid-argument",
        "9 graph builders; at most 8",
    );
    // 2000 tensors given as one input: all consumed, all given back.
    let (_, context) = add_context(&mut proxy);
    let charged = proxy.nn().charged_bytes();
    let tensors: Vec<u32> = (0..2000)
        .map(|_| proxy.tensor(&[1, 4], ty::FP32, &[0; 16]).unwrap())
        .collect();
    assert!(proxy.nn().charged_bytes() > charged);
    let named: Vec<(&str, u32)> = tensors.iter().map(|t| ("a", *t)).collect();
    assert_failure(
        proxy.compute(context, &named).unwrap(),
        "invalid-argument",
        "given twice",
    );
    assert_eq!(
        proxy.nn().charged_bytes(),
        charged,
        "the tensors' bytes are given back"
    );
    assert_eq!(proxy.live().unwrap(), 2);
    assert_still_serving(&mut proxy);
}

#[test]
fn a_tensor_over_the_host_limit_is_refused_without_keeping_its_bytes() {
    let backend = backend_with(BackendConfig {
        limits: Limits {
            max_tensor_bytes: 1 << 20,
            max_memory_bytes: 64 << 20,
            ..Limits::default()
        },
        ..config()
    });
    let mut proxy = Proxy::new(Arc::clone(&backend));
    let (_, context) = add_context(&mut proxy);
    let charged = proxy.nn().charged_bytes();
    let big = proxy.tensor(&[1, 4], ty::FP32, &vec![0; 2 << 20]).unwrap();
    assert_eq!(
        proxy.nn().charged_bytes(),
        charged,
        "nothing kept, nothing charged"
    );
    assert_failure(
        proxy.compute(context, &[("a", big)]).unwrap(),
        "too-large",
        "a tensor of 2097152 bytes exceeds the host's limit of 1048576 bytes per tensor",
    );
    // Within the per-tensor limit but past the instance's memory budget, one tensor at a time.
    let mut held = Vec::new();
    let refused = loop {
        let t = proxy
            .tensor(&[1 << 18], ty::FP32, &vec![0; 1 << 20])
            .unwrap();
        held.push(t);
        if proxy.nn().charged_bytes() == charged + (held.len() as u64 - 1) * ((1 << 20) + 4) {
            break t;
        }
        assert!(held.len() < 100, "the budget never filled");
    };
    // Its data is not there: `data` has no error channel, so it traps with the reason.
    let trap = proxy.tensor_info(refused).unwrap_err();
    assert!(format!("{trap:?}").contains("instance budget"), "{trap:?}");
    let mut proxy = Proxy::new(Arc::clone(&backend));
    assert_still_serving(&mut proxy);
}

#[test]
fn lists_past_the_hostcall_fuel_trap_before_the_host_allocates() {
    let backend = backend_with(config());
    let mut proxy = Proxy::new(Arc::clone(&backend));
    proxy.store.set_hostcall_fuel(1 << 20);
    let trap = proxy.tensor(&[1], ty::U8, &vec![0; 2 << 20]).unwrap_err();
    assert!(format!("{trap:?}").contains("fuel"), "{trap:?}");
    assert_still_serving(&mut Proxy::new(backend));
}

/// Models of the untrusted-model issue, through `load`: each file stem with the code and message
/// it must get. Models added under bombs/ (or the gate's hostile/ folder) without an entry here
/// must still fail cleanly, with some error code, and leave the host serving.
#[test]
fn model_attacks_through_load_get_their_error_and_the_host_serves_on() {
    let backend = backend_with(BackendConfig {
        limits: Limits {
            max_memory_bytes: 512 << 20,
            ..Limits::default()
        },
        deadlines: Deadlines {
            compute: Some(Duration::from_millis(500)),
            ..Deadlines::default()
        },
        ..config()
    });
    let expected: &[(&str, &str, &str)] = &[
        (
            "bomb_memory",
            "too-large",
            "needed more host memory than its budget allows",
        ),
        (
            "bomb_time_static",
            "timeout",
            "takes longer than the host's compute deadline",
        ),
    ];
    let mut seen = Vec::new();
    for folder in ["bombs", "hostile"] {
        let dir = openvino_fixtures::dir().join(folder);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut models: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "xml" || e == "onnx" || e == "tflite")
            })
            .collect();
        models.sort();
        for model in models {
            let stem = model.file_stem().unwrap().to_string_lossy().into_owned();
            let mut builders = vec![std::fs::read(&model).unwrap()];
            let weights = model.with_extension("bin");
            if model.extension().is_some_and(|e| e == "xml") && weights.is_file() {
                builders.push(std::fs::read(weights).unwrap());
            }
            let slices: Vec<&[u8]> = builders.iter().map(Vec::as_slice).collect();
            let mut proxy = Proxy::new(Arc::clone(&backend));
            let started = Instant::now();
            let answer = proxy.load(&slices, encoding::AUTODETECT, CPU).unwrap();
            eprintln!(
                "{folder}/{stem}: {answer:?} after {:.2?}",
                started.elapsed()
            );
            match expected.iter().find(|(name, ..)| *name == stem) {
                Some((_, code, says)) => assert_failure(answer, code, says),
                None if stem == "bomb_time_dynamic" => {
                    // Dynamic shapes get no trial at load: the compute deadline holds instead.
                    let graph = answer.expect("loads");
                    let context = proxy.init(graph).unwrap().unwrap();
                    let x = proxy.tensor(&[1], ty::FP32, &f32_bytes(&[1.0])).unwrap();
                    let started = Instant::now();
                    assert_failure(
                        proxy.compute(context, &[("x", x)]).unwrap(),
                        "timeout",
                        "compute passed the host's deadline",
                    );
                    assert!(started.elapsed() < Duration::from_secs(2));
                }
                // The gate's control model beside its attacks: clean, so it loads.
                None if stem.ends_with("_clean") => {
                    answer.expect("the gate's clean control model loads");
                }
                None => {
                    let (code, message) = answer.expect_err("a hostile model must not load");
                    assert!(!message.is_empty(), "{stem}: {code} without a message");
                }
            }
            assert_still_serving(&mut proxy);
            seen.push(stem);
        }
    }
    for (name, ..) in expected {
        assert!(
            seen.iter().any(|s| s == name),
            "{name} not found among {seen:?}"
        );
    }
    assert_eq!(backend.charged_bytes(), 0);
}
