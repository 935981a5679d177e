//! Pooled graphs and asynchronous compute (what `serve` stands on): infer requests made once per
//! registered graph and lent to contexts, first come first served; `compute_async` awaiting
//! OpenVINO's completion callback within the compute deadline; a request returned to its pool
//! only once OpenVINO has stopped using it; nothing charged once everything is dropped.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openvino::{ElementType, PropertyKey};
use wasi_nn_host::backend::{ErrorKind, ExecutionContext, PoolSize, Session};
use wasi_nn_host::{Backend, BackendConfig, Deadlines};

fn fixture(name: &str) -> std::path::PathBuf {
    openvino_fixtures::dir().join(name)
}

fn backend(compute_deadline: Duration) -> Arc<Backend> {
    Arc::new(
        Backend::new(BackendConfig {
            deadlines: Deadlines {
                compute: Some(compute_deadline),
                ..Deadlines::default()
            },
            ..BackendConfig::default()
        })
        .unwrap(),
    )
}

fn fixed(n: usize) -> PoolSize {
    PoolSize::Fixed(NonZeroUsize::new(n).unwrap())
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Sets `a` and `b` of the `add` graph.
fn set_add_inputs(context: &mut ExecutionContext, a: &[f32; 4], b: &[f32; 4]) {
    context
        .set_input(0, ElementType::F32, &[1, 4], &f32_bytes(a))
        .unwrap();
    context
        .set_input(1, ElementType::F32, &[1, 4], &f32_bytes(b))
        .unwrap();
}

fn output(context: &mut ExecutionContext) -> Vec<u8> {
    context
        .with_output(0, |bytes, _, _| Ok(bytes.to_vec()))
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn pooled_graphs_compile_for_throughput_with_openvinos_optimal_number_of_requests() {
    let backend = backend(Duration::from_secs(30));
    let graph = backend
        .register_pooled("add", &fixture("add.xml"), None, PoolSize::Optimal)
        .unwrap();
    let compiled = graph.compiled();
    assert_eq!(
        compiled.property(&PropertyKey::PerformanceHint).unwrap(),
        "THROUGHPUT"
    );
    let optimal: usize = compiled
        .property(&PropertyKey::OptimalNumberOfInferRequests)
        .unwrap()
        .parse()
        .unwrap();
    eprintln!("OPTIMAL_NUMBER_OF_INFER_REQUESTS under THROUGHPUT here: {optimal}");
    assert_eq!(graph.pool_state(), Some((optimal, optimal, 0)));
    let three = backend
        .register_pooled("add3", &fixture("add.xml"), None, fixed(3))
        .unwrap();
    assert_eq!(three.pool_state(), Some((3, 3, 0)));
    // Registered the plain way: no pool.
    let plain = backend
        .register("plain", &fixture("add.xml"), None)
        .unwrap();
    assert_eq!(plain.pool_state(), None);
}

#[test]
fn contexts_borrow_pooled_requests_and_give_them_back_when_dropped() {
    let backend = backend(Duration::from_secs(30));
    let graph = backend
        .register_pooled("add", &fixture("add.xml"), None, fixed(2))
        .unwrap();
    let mut sessions: Vec<Session> = (0..3).map(|_| backend.session()).collect();
    let handles: Vec<_> = sessions
        .iter_mut()
        .map(|s| s.load_by_name("add").unwrap())
        .collect();
    let mut first = sessions[0].init_execution_context(&handles[0]).unwrap();
    assert_eq!(graph.pool_state(), Some((2, 1, 0)));
    let second = sessions[1].init_execution_context(&handles[1]).unwrap();
    assert_eq!(graph.pool_state(), Some((2, 0, 0)));
    // None free: the synchronous call does not wait, the context gets a request of its own.
    let mut third = sessions[2].init_execution_context(&handles[2]).unwrap();
    assert_eq!(graph.pool_state(), Some((2, 0, 0)));
    for context in [&mut first, &mut third] {
        set_add_inputs(context, &[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 30.0, 40.0]);
        context.compute().unwrap();
        assert_eq!(output(context), f32_bytes(&[11.0, 22.0, 33.0, 44.0]));
    }
    drop(third);
    assert_eq!(graph.pool_state(), Some((2, 0, 0)));
    drop(first);
    assert_eq!(graph.pool_state(), Some((2, 1, 0)));
    drop(second);
    assert_eq!(graph.pool_state(), Some((2, 2, 0)));
}

#[test]
fn a_borrower_never_sees_what_the_previous_one_left_in_the_request() {
    let backend = backend(Duration::from_secs(30));
    backend
        .register_pooled("add", &fixture("add.xml"), None, fixed(1))
        .unwrap();
    let mut session = backend.session();
    let handle = session.load_by_name("add").unwrap();
    let mut context = session.init_execution_context(&handle).unwrap();
    set_add_inputs(&mut context, &[1.0; 4], &[2.0; 4]);
    context.compute().unwrap();
    drop(context);
    // The same infer request, lent again: its inputs and outputs hold the last borrower's data,
    // which the new context neither computes with nor lets anyone read.
    let mut context = session.init_execution_context(&handle).unwrap();
    let err = context.compute().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("has not been set"), "{err}");
    let err = context.with_output(0, |_, _, _| Ok(())).unwrap_err();
    assert!(err.to_string().contains("call compute"), "{err}");
}

#[test]
fn waiting_for_a_pooled_request_is_first_come_first_served() {
    runtime().block_on(async {
        let backend = backend(Duration::from_secs(30));
        let graph = backend
            .register_pooled("add", &fixture("add.xml"), None, fixed(1))
            .unwrap();
        let mut holder = backend.session();
        let handle = holder.load_by_name("add").unwrap();
        let held = holder.init_execution_context_async(&handle).await.unwrap();
        let (tx, mut order) = tokio::sync::mpsc::unbounded_channel();
        let mut waiters = Vec::new();
        for i in 0..3 {
            let mut session = backend.session();
            let tx = tx.clone();
            waiters.push(tokio::spawn(async move {
                let handle = session.load_by_name("add").unwrap();
                let mut context = session.init_execution_context_async(&handle).await.unwrap();
                tx.send(i).unwrap();
                set_add_inputs(&mut context, &[i as f32; 4], &[1.0; 4]);
                context.compute_async().await.unwrap();
                let sum = output(&mut context);
                // Hold it a moment, so the next waiter must wait for it.
                tokio::time::sleep(Duration::from_millis(20)).await;
                sum
            }));
            // Queue them in this order.
            while graph.pool_state().unwrap().2 < i + 1 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        assert_eq!(graph.pool_state(), Some((1, 0, 3)));
        drop(held);
        for (i, waiter) in waiters.into_iter().enumerate() {
            let sum = waiter.await.unwrap();
            assert_eq!(sum, f32_bytes(&[i as f32 + 1.0; 4]));
        }
        let served: Vec<usize> = std::iter::from_fn(|| order.try_recv().ok()).collect();
        assert_eq!(served, [0, 1, 2]);
        assert_eq!(graph.pool_state(), Some((1, 1, 0)));
    });
}

#[test]
fn a_session_holding_a_pooled_request_does_not_wait_for_itself() {
    runtime().block_on(async {
        let backend = backend(Duration::from_secs(30));
        let graph = backend
            .register_pooled("add", &fixture("add.xml"), None, fixed(1))
            .unwrap();
        let mut session = backend.session();
        let handle = session.load_by_name("add").unwrap();
        let _first = session.init_execution_context_async(&handle).await.unwrap();
        let second = tokio::time::timeout(
            Duration::from_secs(5),
            session.init_execution_context_async(&handle),
        )
        .await
        .expect("a second context of the same session does not wait for the first");
        let mut second = second.unwrap();
        set_add_inputs(&mut second, &[1.0; 4], &[1.0; 4]);
        second.compute_async().await.unwrap();
        assert_eq!(output(&mut second), f32_bytes(&[2.0; 4]));
        assert_eq!(graph.pool_state(), Some((1, 0, 0)));
    });
}

#[test]
fn compute_async_gives_what_compute_gives_and_counts_inference_time() {
    runtime().block_on(async {
        let backend = backend(Duration::from_secs(30));
        let graph = backend
            .register_pooled("add", &fixture("add.xml"), None, fixed(2))
            .unwrap();
        let mut session = backend.session();
        let handle = session.load_by_name("add").unwrap();
        let mut context = session.init_execution_context_async(&handle).await.unwrap();
        for i in 0..5 {
            let a = [i as f32, 1.5, -2.0, 1e6];
            set_add_inputs(&mut context, &a, &[0.25; 4]);
            context.compute_async().await.unwrap();
            let expected: Vec<f32> = a.iter().map(|x| x + 0.25).collect();
            assert_eq!(output(&mut context), f32_bytes(&expected));
        }
        // No deadline at all: the same.
        let backend = Arc::new(
            Backend::new(BackendConfig {
                deadlines: Deadlines {
                    compute: None,
                    ..Deadlines::default()
                },
                ..BackendConfig::default()
            })
            .unwrap(),
        );
        backend
            .register_pooled("add", &fixture("add.xml"), None, fixed(1))
            .unwrap();
        let mut unbounded = backend.session();
        let handle = unbounded.load_by_name("add").unwrap();
        let mut c = unbounded
            .init_execution_context_async(&handle)
            .await
            .unwrap();
        set_add_inputs(&mut c, &[1.0; 4], &[2.0; 4]);
        c.compute_async().await.unwrap();
        assert_eq!(output(&mut c), f32_bytes(&[3.0; 4]));
        assert_eq!(graph.inference_time().snapshot().count, 5);
    });
}

/// Polls until the pool has `idle` free requests, for at most 30 s.
async fn until_idle(graph: &wasi_nn_host::backend::Graph, idle: usize) -> Duration {
    let started = Instant::now();
    while graph.pool_state().unwrap().1 != idle {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the request never came back"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    started.elapsed()
}

#[test]
fn compute_async_past_its_deadline_times_out_and_the_request_comes_back_once_stopped() {
    runtime().block_on(async {
        let deadline = Duration::from_millis(300);
        let backend = backend(deadline);
        // About a second per inference on 2 cores (40 chained 4096x4096 MatMuls).
        let graph = backend
            .register_pooled(
                "slow",
                &fixture("bombs/bomb_time_dynamic.xml"),
                None,
                fixed(1),
            )
            .unwrap();
        let mut session = backend.session();
        let handle = session.load_by_name("slow").unwrap();
        let mut context = session.init_execution_context_async(&handle).await.unwrap();
        context
            .set_input(0, ElementType::F32, &[1], &f32_bytes(&[1.0]))
            .unwrap();
        let started = Instant::now();
        let err = context.compute_async().await.unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
        assert!(
            elapsed >= deadline && elapsed < deadline * 2,
            "answered after {elapsed:?}"
        );
        // OpenVINO stops between nodes: until then, busy.
        let err = context.compute_async().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Busy, "{err}");
        // Dropped while OpenVINO still runs it: the request is not lent again before it stopped.
        drop(context);
        assert_eq!(graph.pool_state(), Some((1, 0, 0)));
        let back = until_idle(&graph, 1).await;
        eprintln!("the cancelled request came back {back:.2?} after the context was dropped");
        // And it serves the next borrower, within the deadline again.
        let mut context = session.init_execution_context_async(&handle).await.unwrap();
        context
            .set_input(0, ElementType::F32, &[1], &f32_bytes(&[1.0]))
            .unwrap();
        let err = context.compute_async().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
        drop(context);
        until_idle(&graph, 1).await;
        drop(session);
        assert_eq!(backend.charged_bytes(), 0);
    });
}

#[test]
fn a_compute_future_dropped_mid_inference_leaves_the_context_busy_until_openvino_stops() {
    runtime().block_on(async {
        let backend = backend(Duration::from_secs(30));
        let graph = backend
            .register_pooled(
                "slow",
                &fixture("bombs/bomb_time_dynamic.xml"),
                None,
                fixed(1),
            )
            .unwrap();
        let mut session = backend.session();
        let handle = session.load_by_name("slow").unwrap();
        let mut context = session.init_execution_context_async(&handle).await.unwrap();
        context
            .set_input(0, ElementType::F32, &[1], &f32_bytes(&[1.0]))
            .unwrap();
        // What `serve`'s request deadline does: drop the whole call while OpenVINO runs it.
        let abandoned =
            tokio::time::timeout(Duration::from_millis(100), context.compute_async()).await;
        assert!(abandoned.is_err(), "the inference takes about a second");
        let err = context.compute_async().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Busy, "{err}");
        assert!(err.to_string().contains("abandoned"), "{err}");
        let started = Instant::now();
        drop(context);
        // Dropping did not wait for OpenVINO on this (async) thread (the inference has most of
        // its second left; the margin is for a loaded machine)...
        assert!(started.elapsed() < Duration::from_millis(250));
        // ...and the request comes back once it has stopped.
        until_idle(&graph, 1).await;
    });
}
