//! `serve` over real HTTP: the example service's answers match Python OpenVINO's under 64
//! concurrent requests; bodies over the limit, slow clients and malformed requests get the
//! host's answer; guests that trap, loop, exhaust their memory or set no response fail alone
//! while others succeed; the queue's bound answers 503 without running the guest; health,
//! request ids and metrics; graceful shutdown with requests in flight (in the library and by
//! SIGTERM to the CLI); a soak of 20,000 requests with flat resident memory and no error.
//!
//! Clients: `ureq` (an HTTP client crate) and, for what no well-behaved client does, raw TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasi_nn_host::backend::PoolSize;
use wasi_nn_host::serve::{ServeConfig, Server};
use wasi_nn_host::{Backend, BackendConfig, Deadlines, GuestLoadPolicy, GuestLoads};

fn fixture(name: &str) -> PathBuf {
    openvino_fixtures::dir().join(name)
}

/// One server at a time: each test measures times and memory on a 2-core machine, which
/// servers running side by side would skew.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// A server running on its own runtime thread, stopped (and drained) when dropped.
struct Running {
    addr: SocketAddr,
    metrics: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn metrics_text(&self) -> String {
        agent()
            .get(format!("http://{}/metrics", self.metrics))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap()
    }

    /// Asks for shutdown; returns how long `run` took to return.
    fn shutdown(&mut self) -> Duration {
        let started = Instant::now();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap().unwrap();
        }
        started.elapsed()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// What a test server runs.
struct Setup {
    component: &'static str,
    graphs: Vec<(&'static str, &'static str)>,
    infer_requests: usize,
    config: ServeConfig,
    backend: BackendConfig,
}

impl Setup {
    fn new(component: &'static str) -> Self {
        Self {
            component,
            graphs: Vec::new(),
            infer_requests: 2,
            config: ServeConfig {
                addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                metrics_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
                request_timeout: Duration::from_secs(20),
                ..ServeConfig::default()
            },
            backend: BackendConfig {
                // The fixtures' references are f32 (generated with this hint).
                properties: vec![("INFERENCE_PRECISION_HINT".into(), "f32".into())],
                ..BackendConfig::default()
            },
        }
    }

    fn classifier() -> Self {
        let mut setup = Self::new("classify_service");
        setup.graphs.push(("classifier", "pp_ocr_cls.xml"));
        setup
    }

    fn faults() -> Self {
        let mut setup = Self::new("faults_service");
        setup.graphs.push(("add", "add.xml"));
        setup.graphs.push(("slow", "bombs/bomb_time_dynamic.xml"));
        setup
    }

    fn start(self) -> Running {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let backend = Arc::new(Backend::new(self.backend)?);
                for (name, file) in &self.graphs {
                    let size = PoolSize::Fixed(NonZeroUsize::new(self.infer_requests).unwrap());
                    backend.register_pooled(name, &fixture(file), None, size)?;
                }
                let bytes =
                    std::fs::read(openvino_fixtures::http_component(self.component)).unwrap();
                let server = Server::bind(&bytes, backend, self.config).await?;
                ready_tx
                    .send((server.local_addr(), server.metrics_addr().unwrap()))
                    .unwrap();
                server
                    .run(async {
                        let _ = stop_rx.await;
                    })
                    .await
            })
        });
        let (addr, metrics) = ready_rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the server starts");
        Running {
            addr,
            metrics,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

/// A client that reads every status as an answer (not an error).
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Status and body of a request.
fn call(method: &str, url: &str, body: Option<&[u8]>) -> (u16, String) {
    let agent = agent();
    let mut response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        (_, Some(body)) => agent.post(url).send(body),
        (_, None) => agent.post(url).send_empty(),
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}

/// A sample's value in Prometheus text (`name{labels}` exactly as written), or 0.
fn metric(text: &str, sample: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

/// Python OpenVINO's probabilities for the two text images (the fixtures' manifest records them).
fn python_probabilities() -> [(f32, f32); 2] {
    let manifest = std::fs::read_to_string(fixture("manifest.txt")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.starts_with("# pp_ocr_cls probabilities:"))
        .expect("the manifest records the classifier's probabilities");
    let numbers: Vec<f32> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
        .filter_map(|t| t.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 4, "{line}");
    [(numbers[0], numbers[1]), (numbers[2], numbers[3])]
}

/// The service's answer for an image: label and probability.
fn classify(server: &Running, image: &str) -> (String, f32) {
    let png = std::fs::read(fixture(image)).unwrap();
    let (status, body) = call("POST", &server.url("/"), Some(&png));
    assert_eq!(status, 200, "{body}");
    parse_answer(&body)
}

fn parse_answer(body: &str) -> (String, f32) {
    // {"label":"0","probability":0.99989712}
    let label = body
        .split("\"label\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no label in {body}"));
    let probability = body
        .split("\"probability\":")
        .nth(1)
        .and_then(|r| r.trim().trim_end_matches('}').parse().ok())
        .unwrap_or_else(|| panic!("no probability in {body}"));
    (label.to_owned(), probability)
}

/// Expected answers: upright is PaddleOCR's label "0", upside down "180", each with Python
/// OpenVINO's probability. Tolerance 1e-3: the guest resizes the image itself (bilinear in
/// Rust; the Python reference uses OpenCV's), and the THROUGHPUT compile may split work
/// differently.
fn assert_expected(image: &str, (label, probability): (String, f32)) {
    let [upright, upside_down] = python_probabilities();
    let (want_label, want) = match image {
        "text_upright.png" => ("0", upright.0),
        "text_upside_down.png" => ("180", upside_down.1),
        _ => unreachable!(),
    };
    assert_eq!(label, want_label, "{image}");
    assert!(
        (probability - want).abs() < 1e-3,
        "{image}: probability {probability}, Python OpenVINO {want}"
    );
}

const IMAGES: [&str; 2] = ["text_upright.png", "text_upside_down.png"];

#[test]
fn the_example_service_classifies_as_python_openvino_does() {
    let _serial = serial();
    let server = Setup::classifier().start();
    for image in IMAGES {
        assert_expected(image, classify(&server, image));
    }
    // What is not a PNG, or not a POST, gets a JSON error from the service.
    let (status, body) = call("POST", &server.url("/"), Some(b"not a png"));
    assert_eq!(status, 400);
    assert!(body.contains("\"error\":\"not a PNG image"), "{body}");
    let (status, body) = call("POST", &server.url("/"), None);
    assert_eq!(status, 400);
    assert!(body.contains("the body is empty"), "{body}");
    let (status, _) = call("GET", &server.url("/"), None);
    assert_eq!(status, 405);
    let metrics = server.metrics_text();
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"200\"}"),
        2.0
    );
    assert_eq!(
        metric(
            &metrics,
            "wasi_nn_inference_duration_seconds_count{graph=\"classifier\"}"
        ),
        2.0
    );
}

#[test]
fn sixty_four_concurrent_requests_all_get_the_right_answer() {
    let _serial = serial();
    let server = Setup::classifier().start();
    let url = server.url("/");
    let pngs: Vec<Vec<u8>> = IMAGES
        .iter()
        .map(|i| std::fs::read(fixture(i)).unwrap())
        .collect();
    let barrier = Arc::new(std::sync::Barrier::new(64));
    let clients: Vec<_> = (0..64)
        .map(|i| {
            let (url, png, barrier) = (url.clone(), pngs[i % 2].clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let agent = agent();
                barrier.wait();
                let mut response = agent.post(&url).send(&png[..]).unwrap();
                let status = response.status().as_u16();
                let id = response.headers()["x-request-id"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                (i, status, response.body_mut().read_to_string().unwrap(), id)
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for client in clients {
        let (i, status, body, id) = client.join().unwrap();
        assert_eq!(status, 200, "request {i}: {body}");
        assert_expected(IMAGES[i % 2], parse_answer(&body));
        assert!(ids.insert(id), "request ids are unique");
    }
    let metrics = server.metrics_text();
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"200\"}"),
        64.0
    );
    // Every pooled request is back.
    assert_eq!(
        metric(
            &metrics,
            "wasi_nn_infer_requests{graph=\"classifier\",state=\"idle\"}"
        ),
        2.0
    );
}

/// Sends raw bytes and reads what comes back until the server closes or `wait` passes.
fn raw(addr: SocketAddr, bytes: &[u8], wait: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or("")
}

#[test]
fn bodies_over_the_limit_get_413_without_reaching_the_guest() {
    let _serial = serial();
    let mut setup = Setup::faults();
    setup.config.max_body_bytes = 1 << 20;
    let server = setup.start();
    // Announced: refused before any of it is read.
    let (answer, elapsed) = raw(
        server.addr,
        b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 2097152\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(status_line(&answer).contains("413"), "{answer}");
    assert!(answer.contains("limit of 1048576 bytes"), "{answer}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    // Chunked, so only the bytes tell: refused once past the limit.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n")
        .unwrap();
    let chunk = [b"10000\r\n".as_slice(), &[7u8; 0x10000], b"\r\n"].concat();
    // 17 chunks of 64 KiB: past 1 MiB. The server may answer and close before the last ones.
    for _ in 0..17 {
        if stream.write_all(&chunk).is_err() {
            break;
        }
    }
    let mut answer = String::new();
    let _ = BufReader::new(&stream).read_line(&mut answer);
    assert!(answer.contains("413"), "{answer}");
    let big = vec![7u8; 1 << 20];
    // At the limit: served.
    let (status, body) = call("POST", &server.url("/echo"), Some(&big));
    assert_eq!(status, 200);
    assert!(body.starts_with("{\"bytes\":1048576,"), "{body}");
    let metrics = server.metrics_text();
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"413\"}"),
        2.0
    );
}

#[test]
fn slow_clients_time_out_and_hold_no_guest() {
    let _serial = serial();
    let mut setup = Setup::faults();
    setup.config.header_timeout = Duration::from_secs(2);
    setup.config.body_timeout = Duration::from_secs(2);
    setup.config.max_concurrent_requests = 2;
    let server = setup.start();
    // A head that never ends: the connection is closed after the header timeout.
    let slow_heads: Vec<_> = (0..4)
        .map(|_| {
            let addr = server.addr;
            std::thread::spawn(move || {
                raw(
                    addr,
                    b"GET /ok HTTP/1.1\r\nhost: x\r\nx-slow: ",
                    Duration::from_secs(10),
                )
            })
        })
        .collect();
    // A body that never comes: 408 after the body timeout.
    let slow_body = {
        let addr = server.addr;
        std::thread::spawn(move || {
            raw(
                addr,
                b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nonly ten b",
                Duration::from_secs(10),
            )
        })
    };
    // Meanwhile, others are served at once.
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..5 {
        let started = Instant::now();
        let (status, body) = call("GET", &server.url("/add?a=1"), None);
        assert_eq!((status, body.as_str()), (200, "{\"sum\":[2,3,4,5]}\n"));
        // Well before the slow clients' 2 s are up: they hold nothing the others need.
        assert!(started.elapsed() < Duration::from_millis(1500));
    }
    for slow in slow_heads {
        let (answer, elapsed) = slow.join().unwrap();
        assert!(
            elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(6),
            "closed after {elapsed:?}: {answer:?}"
        );
        assert!(!answer.contains("200 OK"), "{answer}");
    }
    let (answer, elapsed) = slow_body.join().unwrap();
    assert!(status_line(&answer).contains("408"), "{answer}");
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(6),
        "{elapsed:?}"
    );
}

#[test]
fn malformed_requests_get_400_and_the_server_serves_on() {
    let _serial = serial();
    let server = Setup::faults().start();
    let wait = Duration::from_secs(5);
    for bad in [
        &b"THIS IS NOT HTTP\r\n\r\n"[..],
        b"GET /ok HTTP/1.1\r\nhost: x\r\nbad header line\r\n\r\n",
        b"GET /ok HTTP/1.1\r\nhost: x\r\ncontent-length: ten\r\n\r\n",
        b"GET /ok HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
        b"GET /\x01\x02 HTTP/1.1\r\nhost: x\r\n\r\n",
        b"GET /ok HTTP/9.9\r\nhost: x\r\n\r\n",
    ] {
        let (answer, _) = raw(server.addr, bad, wait);
        let line = status_line(&answer);
        assert!(
            line.contains(" 400 ") || line.contains(" 505 "),
            "{:?} got {answer:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // HTTP/1.0 without Host: the host's 400, not the guest's.
    let (answer, _) = raw(server.addr, b"GET /ok HTTP/1.0\r\n\r\n", wait);
    assert!(status_line(&answer).contains("400"), "{answer}");
    assert!(answer.contains("no Host header"), "{answer}");
    // A header section larger than hyper's buffer: refused, not buffered without end.
    let mut huge = b"GET /ok HTTP/1.1\r\nhost: x\r\n".to_vec();
    huge.extend(
        std::iter::repeat_n(b"x-pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 20_000).flatten(),
    );
    huge.extend(b"\r\n");
    let (answer, _) = raw(server.addr, &huge, wait);
    assert!(!answer.contains("200 OK"), "{}", status_line(&answer));
    let (status, body) = call("GET", &server.url("/ok"), None);
    assert_eq!((status, body.as_str()), (200, "ok\n"));
}

#[test]
fn a_guest_that_traps_loops_runs_out_of_memory_or_sets_no_response_fails_alone() {
    let _serial = serial();
    let mut setup = Setup::faults();
    setup.config.request_timeout = Duration::from_secs(3);
    setup.config.max_memory_size = 64 << 20;
    let server = setup.start();
    let faults: Vec<_> = [
        ("/trap", 500, "the service failed on this request"),
        (
            "/loop",
            504,
            "did not answer within the request deadline of 3s",
        ),
        ("/oom", 500, "the service failed on this request"),
        ("/no-response", 500, "returned without an answer"),
    ]
    .into_iter()
    .map(|(path, want, says)| {
        let url = server.url(path);
        std::thread::spawn(move || {
            let started = Instant::now();
            let (status, body) = call("GET", &url, None);
            (path, want, says, status, body, started.elapsed())
        })
    })
    .collect();
    // Valid requests while the faults run: all served, all right.
    let good: Vec<_> = (0..4)
        .map(|t| {
            let url = server.url(&format!("/add?a={t}"));
            std::thread::spawn(move || {
                for _ in 0..25 {
                    let (status, body) = call("GET", &url, None);
                    let a = t as f32;
                    let want = format!(
                        "{{\"sum\":[{},{},{},{}]}}\n",
                        a + 1.0,
                        a + 2.0,
                        a + 3.0,
                        a + 4.0
                    );
                    assert_eq!((status, body), (200, want));
                }
            })
        })
        .collect();
    for g in good {
        g.join().unwrap();
    }
    for fault in faults {
        let (path, want, says, status, body, elapsed) = fault.join().unwrap();
        assert_eq!(status, want, "{path}: {body}");
        assert!(body.contains(says), "{path}: {body}");
        if path == "/loop" {
            assert!(
                elapsed >= Duration::from_secs(3) && elapsed < Duration::from_secs(5),
                "{elapsed:?}"
            );
        }
    }
    let metrics = server.metrics_text();
    for (reason, n) in [("trap", 2.0), ("timeout", 1.0), ("no_response", 1.0)] {
        assert_eq!(
            metric(
                &metrics,
                &format!("wasi_nn_serve_guest_failures_total{{reason=\"{reason}\"}}")
            ),
            n,
            "{reason}"
        );
    }
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"200\"}"),
        100.0
    );
    assert_eq!(metric(&metrics, "wasi_nn_serve_instances"), 0.0);
    // And after: still serving.
    let (status, _) = call("GET", &server.url("/ok"), None);
    assert_eq!(status, 200);
}

#[test]
fn the_compute_deadline_answers_504_and_the_pooled_request_comes_back() {
    let _serial = serial();
    let mut setup = Setup::faults();
    setup.infer_requests = 1;
    setup.backend.deadlines = Deadlines {
        compute: Some(Duration::from_millis(300)),
        ..Deadlines::default()
    };
    let server = setup.start();
    let started = Instant::now();
    let (status, body) = call("GET", &server.url("/slow"), None);
    // The guest maps wasi:nn's `timeout` to 504.
    assert_eq!(status, 504, "{body}");
    assert!(body.contains("\"code\":\"timeout\""), "{body}");
    assert!(
        body.contains("compute passed the host's deadline"),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    let metrics = server.metrics_text();
    assert_eq!(
        metric(&metrics, "wasi_nn_errors_total{code=\"timeout\"}"),
        1.0
    );
    // The cancelled request goes back to the pool once OpenVINO has stopped; `add` has its own.
    let (status, _) = call("GET", &server.url("/add?a=1"), None);
    assert_eq!(status, 200);
    let waited = Instant::now();
    while metric(
        &server.metrics_text(),
        "wasi_nn_infer_requests{graph=\"slow\",state=\"idle\"}",
    ) != 1.0
    {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "never came back"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn past_the_queue_the_server_answers_503_at_once_without_running_the_guest() {
    let _serial = serial();
    let mut setup = Setup::faults();
    setup.config.max_concurrent_requests = 1;
    setup.config.max_queued_requests = 1;
    let server = setup.start();
    let sleeper = |ms: u64| {
        let url = server.url(&format!("/sleep?ms={ms}"));
        std::thread::spawn(move || call("GET", &url, None))
    };
    let running = sleeper(1500);
    std::thread::sleep(Duration::from_millis(300));
    let queued = sleeper(10);
    std::thread::sleep(Duration::from_millis(300));
    let metrics = server.metrics_text();
    assert_eq!(metric(&metrics, "wasi_nn_serve_queue_depth"), 1.0);
    assert_eq!(metric(&metrics, "wasi_nn_serve_instances"), 1.0);
    // Health is the host's: answered at once even now.
    let (status, _) = call("GET", &server.url("/readyz"), None);
    assert_eq!(status, 200);
    let started = Instant::now();
    let mut response = agent().get(server.url("/sleep?ms=10")).call().unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(
        response
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("too many requests are waiting")
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    // The guest never ran for it: one instance at a time, the rejected one none.
    assert_eq!(
        metric(&server.metrics_text(), "wasi_nn_serve_instances"),
        1.0
    );
    assert_eq!(running.join().unwrap().0, 200);
    assert_eq!(queued.join().unwrap().0, 200);
    let metrics = server.metrics_text();
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"503\"}"),
        1.0
    );
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"200\"}"),
        2.0
    );
}

#[test]
fn request_ids_are_kept_or_made_given_to_the_guest_and_returned() {
    let _serial = serial();
    let server = Setup::faults().start();
    let agent = agent();
    let mut response = agent
        .post(server.url("/echo"))
        .header("x-request-id", "client-42.a:b")
        .send(&b"hello"[..])
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "client-42.a:b");
    assert_eq!(
        response.body_mut().read_to_string().unwrap(),
        "{\"bytes\":5,\"id\":\"client-42.a:b\"}\n"
    );
    // Not a sane id (a space, a quote): replaced by the host's, which the guest sees too.
    let mut response = agent
        .post(server.url("/echo"))
        .header("x-request-id", "bad \"id\"")
        .send(&b""[..])
        .unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(
        response
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains(&format!("\"id\":\"{id}\""))
    );
    // Host answers carry one too.
    let response = agent.get(server.url("/healthz")).call().unwrap();
    assert!(response.headers().contains_key("x-request-id"));
}

#[test]
fn health_paths_are_the_hosts_own_and_configurable() {
    let _serial = serial();
    let mut setup = Setup::faults();
    setup.config.liveness_path = "/live".into();
    setup.config.readiness_path = "/ready".into();
    let server = setup.start();
    assert_eq!(
        call("GET", &server.url("/live"), None),
        (200, "ok\n".into())
    );
    assert_eq!(
        call("GET", &server.url("/ready"), None),
        (200, "ready\n".into())
    );
    // The defaults are now the guest's paths.
    let (status, body) = call("GET", &server.url("/healthz"), None);
    assert_eq!(
        (status, body.as_str()),
        (404, "{\"error\":\"no such fault\"}\n")
    );
    // Health requests are not counted as requests.
    let metrics = server.metrics_text();
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"200\"}"),
        0.0
    );
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"404\"}"),
        1.0
    );
    let (status, _) = call("GET", &format!("http://{}/other", server.metrics), None);
    assert_eq!(status, 404);
}

#[test]
fn metrics_are_prometheus_text_with_every_family_typed() {
    let _serial = serial();
    let server = Setup::faults().start();
    for a in 0..3 {
        call("GET", &server.url(&format!("/add?a={a}")), None);
    }
    let (status, _) = call("GET", &server.url("/two-contexts"), None);
    assert_eq!(status, 200);
    let mut response = agent()
        .get(format!("http://{}/metrics", server.metrics))
        .call()
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.body_mut().read_to_string().unwrap();
    for (family, kind) in [
        ("wasi_nn_serve_requests_total", "counter"),
        ("wasi_nn_serve_request_duration_seconds", "histogram"),
        ("wasi_nn_serve_queue_depth", "gauge"),
        ("wasi_nn_serve_requests_in_flight", "gauge"),
        ("wasi_nn_serve_instances", "gauge"),
        ("wasi_nn_serve_guest_failures_total", "counter"),
        ("wasi_nn_inference_duration_seconds", "histogram"),
        ("wasi_nn_infer_requests", "gauge"),
        ("wasi_nn_infer_requests_waiting", "gauge"),
        ("wasi_nn_errors_total", "counter"),
    ] {
        assert!(
            text.contains(&format!("# TYPE {family} {kind}\n")),
            "{family} {kind} missing"
        );
    }
    // Every sample line is `name{labels} value` or `name value`, with a number.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
    // Four inferences of `add` (the two-context request computes once).
    assert_eq!(
        metric(
            &text,
            "wasi_nn_inference_duration_seconds_count{graph=\"add\"}"
        ),
        4.0
    );
    assert_eq!(
        metric(
            &text,
            "wasi_nn_inference_duration_seconds_bucket{graph=\"add\",le=\"+Inf\"}"
        ),
        4.0
    );
    assert_eq!(
        metric(&text, "wasi_nn_serve_request_duration_seconds_count"),
        4.0
    );
    assert_eq!(
        metric(
            &text,
            "wasi_nn_infer_requests{graph=\"add\",state=\"idle\"}"
        ),
        2.0
    );
}

#[test]
fn guest_loads_are_denied_unless_turned_on_and_then_go_through_the_gate() {
    let _serial = serial();
    let server = Setup::faults().start();
    let xml = std::fs::read(fixture("add.xml")).unwrap();
    let (status, body) = call("POST", &server.url("/load"), Some(&xml));
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("\"code\":\"security\""), "{body}");
    assert!(
        body.contains("does not accept models from guests"),
        "{body}"
    );
    drop(server);
    let mut setup = Setup::faults();
    setup.backend.guest_loads = GuestLoadPolicy {
        mode: GuestLoads::InProcess,
        ..GuestLoadPolicy::default()
    };
    let server = setup.start();
    // The add model's weights are not given: the gate's answer, not a crash.
    let (status, body) = call("POST", &server.url("/load"), Some(b"<net/>"));
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("\"code\":\"invalid-encoding\""), "{body}");
    let (status, _) = call("GET", &server.url("/ok"), None);
    assert_eq!(status, 200);
}

#[test]
fn shutdown_lets_the_requests_in_flight_finish_and_refuses_new_ones() {
    let _serial = serial();
    let mut setup = Setup::faults();
    setup.config.shutdown_delay = Duration::from_millis(1500);
    let mut server = setup.start();
    let in_flight: Vec<_> = (0..4)
        .map(|_| {
            let url = server.url("/sleep?ms=2500");
            std::thread::spawn(move || call("GET", &url, None))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let addr = server.addr;
    let asked = Instant::now();
    let stop = std::thread::spawn(move || server.shutdown());
    std::thread::sleep(Duration::from_millis(200));
    // During the shutdown delay: not ready, but still serving (with `connection: close`).
    let (answer, _) = raw(
        addr,
        b"GET /readyz HTTP/1.1\r\nhost: x\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(status_line(&answer).contains("503"), "{answer}");
    assert!(answer.contains("draining"), "{answer}");
    let (answer, _) = raw(
        addr,
        b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(status_line(&answer).contains("200"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    // After it: refused, while the requests in flight finish.
    std::thread::sleep(
        (asked + Duration::from_millis(1700)).saturating_duration_since(Instant::now()),
    );
    assert!(TcpStream::connect(addr).is_err(), "still accepting");
    for answer in in_flight {
        assert_eq!(answer.join().unwrap(), (200, "slept\n".into()));
    }
    stop.join().unwrap();
    // It returned once the sleeps (2.5 s from their start) were answered, not before.
    let took = asked.elapsed();
    assert!(
        took >= Duration::from_millis(2100) && took < Duration::from_secs(6),
        "{took:?}"
    );
}

/// The CLI, as a child process: `serve` with `args`, waiting for its "Serving HTTP on" line.
struct Cli {
    child: std::process::Child,
    addr: SocketAddr,
    metrics: SocketAddr,
}

impl Cli {
    fn start(component: &str, args: &[String]) -> Self {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wasi-nn-host"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"])
            .args(args)
            .arg(openvino_fixtures::http_component(component))
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut found = |prefix: &str| loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("serve exited before printing {prefix}"))
                .unwrap();
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest
                    .trim_end_matches('/')
                    .trim_end_matches("/metrics")
                    .parse()
                    .unwrap();
            }
        };
        let addr = found("Serving HTTP on http://");
        let metrics = found("Metrics on http://");
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            addr,
            metrics,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Resident memory of the server process, in bytes.
    fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kib << 10
    }

    fn terminate(&self) {
        rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::TERM,
        )
        .unwrap();
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn graph_args(graphs: &[(&str, &str)]) -> Vec<String> {
    graphs
        .iter()
        .flat_map(|(name, file)| {
            [
                "--graph".to_owned(),
                format!("{name}={}", fixture(file).display()),
            ]
        })
        .collect()
}

#[test]
fn sigterm_drains_the_requests_in_flight_then_exits_with_zero() {
    let _serial = serial();
    let mut cli = Cli::start("faults_service", &graph_args(&[("add", "add.xml")]));
    let in_flight: Vec<_> = (0..3)
        .map(|_| {
            let url = cli.url("/sleep?ms=1500");
            std::thread::spawn(move || call("GET", &url, None))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    cli.terminate();
    for answer in in_flight {
        assert_eq!(answer.join().unwrap(), (200, "slept\n".into()));
    }
    let started = Instant::now();
    let status = loop {
        if let Some(status) = cli.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

/// 20,000 requests of the example service (4 clients, keep-alive), every answer checked;
/// resident memory measured after 1,000 (allocator arenas, the pooling allocator's slots,
/// OpenVINO's per-request buffers all warmed up) and after 20,000 must not differ by more than
/// 16 MiB: a leak of a single input tensor per request (110 KiB) would add 2 GiB, one of a
/// response or an instance's table (a few KiB) hundreds of MiB; what is left is the allocators'
/// noise (a few MiB across runs here).
#[test]
fn a_soak_of_20000_requests_keeps_memory_flat_with_no_error() {
    let _serial = serial();
    const TOTAL: usize = 20_000;
    const CLIENTS: usize = 4;
    let cli = Cli::start("classify_service", &{
        let mut args = graph_args(&[("classifier", "pp_ocr_cls.xml")]);
        args.extend(["--property".into(), "INFERENCE_PRECISION_HINT=f32".into()]);
        args
    });
    let pngs: Arc<Vec<Vec<u8>>> = Arc::new(
        IMAGES
            .iter()
            .map(|i| std::fs::read(fixture(i)).unwrap())
            .collect(),
    );
    let run = |count: usize| {
        let started = Instant::now();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (url, pngs) = (cli.url("/"), Arc::clone(&pngs));
                std::thread::spawn(move || {
                    let agent = agent();
                    for i in 0..count / CLIENTS {
                        let image = (c + i) % 2;
                        let mut response = agent.post(&url).send(&pngs[image][..]).unwrap();
                        assert_eq!(response.status().as_u16(), 200);
                        let body = response.body_mut().read_to_string().unwrap();
                        assert_expected(IMAGES[image], parse_answer(&body));
                    }
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
        started.elapsed()
    };
    let warm = run(1_000);
    let rss_1k = cli.rss();
    let rest = run(TOTAL - 1_000);
    let rss_20k = cli.rss();
    let metrics = agent()
        .get(format!("http://{}/metrics", cli.metrics))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    eprintln!(
        "soak: 1,000 requests in {warm:.1?}, 19,000 in {rest:.1?} ({:.0} requests/s); resident \
         memory {:.1} MiB at 1k, {:.1} MiB at 20k",
        (TOTAL - 1_000) as f64 / rest.as_secs_f64(),
        rss_1k as f64 / 1048576.0,
        rss_20k as f64 / 1048576.0
    );
    assert_eq!(
        metric(&metrics, "wasi_nn_serve_requests_total{status=\"200\"}"),
        TOTAL as f64
    );
    assert_eq!(
        metrics
            .lines()
            .filter(|l| l.starts_with("wasi_nn_serve_requests_total{") && !l.contains("\"200\""))
            .count(),
        0,
        "only 200s: {metrics}"
    );
    let growth = rss_20k.saturating_sub(rss_1k);
    assert!(
        growth < 16 << 20,
        "resident memory grew by {:.1} MiB from 1k to 20k requests",
        growth as f64 / 1048576.0
    );
}
