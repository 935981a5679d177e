//! A wasi:http service for the server's tests: what it does depends on the path.
//!
//! | path | what it does |
//! |---|---|
//! | `/ok` | answers `200 ok` |
//! | `/echo` | answers the body's length and its request id: `{"bytes":N,"id":"..."}` |
//! | `/add?a=X` | computes `sum = a + b` with the named graph `add` (a = X, b = 1, 2, 3, 4) |
//! | `/slow` | computes the named graph `slow` (a second per inference): the compute deadline |
//! | `/two-contexts` | two contexts of the `add` graph at once, then `/add`'s answer for a = 1 |
//! | `/sleep?ms=N` | sleeps N ms (a host call: the instance waits), then answers `200 slept` |
//! | `/trap` | panics: a trap |
//! | `/loop` | loops forever: only the deadline stops it |
//! | `/oom` | allocates until its memory cannot grow: a trap |
//! | `/no-response` | returns without answering |
//! | `/load` | `load`s a model from the body (IR XML, no weights): the host's policy decides |

use http_guest_nn::{
    body, code_name, load_by_name, respond, respond_error, status_of, Error, Graph, Tensor,
    TensorType,
};
use wasip2::http::types::{IncomingRequest, ResponseOutparam};

struct Service;

wasip2::http::proxy::export!(Service);

impl wasip2::exports::http::incoming_handler::Guest for Service {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let target = request.path_with_query().unwrap_or_default();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let param = |name: &str| {
            query.split('&').find_map(|kv| {
                kv.split_once('=')
                    .filter(|(k, _)| *k == name)
                    .and_then(|(_, v)| v.parse::<f32>().ok())
            })
        };
        match path {
            "/ok" => respond(out, 200, "text/plain", b"ok\n"),
            "/echo" => {
                let id = http_guest_nn::header(&request, "x-request-id").unwrap_or_default();
                match body(&request) {
                    Ok(bytes) => {
                        let json = format!("{{\"bytes\":{},\"id\":\"{id}\"}}\n", bytes.len());
                        respond(out, 200, "application/json", json.as_bytes());
                    }
                    Err(e) => respond_error(out, 400, &e, None),
                }
            }
            "/add" => answer(out, add(param("a").unwrap_or(0.0))),
            "/slow" => answer(out, slow()),
            "/two-contexts" => answer(out, two_contexts()),
            "/sleep" => {
                let ms = param("ms").unwrap_or(100.0) as u64;
                std::thread::sleep(std::time::Duration::from_millis(ms));
                respond(out, 200, "text/plain", b"slept\n");
            }
            "/trap" => panic!("asked to trap"),
            "/loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "/oom" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    // Touch every page, so the memory is really used.
                    hoard.push(vec![1; 16 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "/no-response" => drop(out),
            "/load" => match body(&request) {
                Ok(xml) => match http_guest_nn::wasi::nn::graph::load(
                    &[xml, Vec::new()],
                    http_guest_nn::wasi::nn::graph::GraphEncoding::Openvino,
                    http_guest_nn::wasi::nn::graph::ExecutionTarget::Cpu,
                ) {
                    Ok(_) => respond(out, 200, "text/plain", b"loaded\n"),
                    Err(e) => nn_error(out, e),
                },
                Err(e) => respond_error(out, 400, &e, None),
            },
            _ => respond_error(out, 404, "no such fault", None),
        }
    }
}

fn answer(out: ResponseOutparam, result: Result<String, Error>) {
    match result {
        Ok(json) => respond(out, 200, "application/json", json.as_bytes()),
        Err(e) => nn_error(out, e),
    }
}

fn nn_error(out: ResponseOutparam, e: Error) {
    respond_error(out, status_of(e.code()), &e.data(), Some(code_name(e.code())))
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// `sum = a + b` with the `add` graph: `{"sum":[..]}`.
fn run_add(graph: &Graph, a: f32) -> Result<String, Error> {
    let context = graph.init_execution_context()?;
    let outputs = context.compute(vec![
        ("a".to_string(), Tensor::new(&[1, 4], TensorType::Fp32, &f32_bytes(&[a; 4]))),
        ("b".to_string(), Tensor::new(&[1, 4], TensorType::Fp32, &f32_bytes(&[1.0, 2.0, 3.0, 4.0]))),
    ])?;
    let data = outputs.first().map(|(_, t)| t.data()).unwrap_or_default();
    let sums: Vec<String> = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]).to_string())
        .collect();
    Ok(format!("{{\"sum\":[{}]}}\n", sums.join(",")))
}

fn add(a: f32) -> Result<String, Error> {
    run_add(&load_by_name("add")?, a)
}

fn slow() -> Result<String, Error> {
    let graph = load_by_name("slow")?;
    let context = graph.init_execution_context()?;
    context.compute(vec![("x".to_string(), Tensor::new(&[1], TensorType::Fp32, &f32_bytes(&[1.0])))])?;
    Ok("{\"slow\":\"done\"}\n".to_string())
}

/// A guest holding a pooled request while asking for another must not wait for itself.
fn two_contexts() -> Result<String, Error> {
    let graph = load_by_name("add")?;
    let _first = graph.init_execution_context()?;
    run_add(&graph, 1.0)
}
