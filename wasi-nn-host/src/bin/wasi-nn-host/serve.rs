//! `wasi-nn-host serve`: serves a `wasi:http/proxy` component over HTTP with wasi:nn, as
//! `wasmtime serve -S nn` does, with named graphs compiled once and pooled, limits, health
//! endpoints, metrics and graceful shutdown (see `wasi_nn_host::serve`).

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use wasi_nn_host::backend::PoolSize;
use wasi_nn_host::serve::{ServeConfig, Server};
use wasi_nn_host::{
    Backend, BackendConfig, Deadlines, Encoding, GuestLoadPolicy, GuestLoads, Limits, WorkerCommand,
};

use crate::flags::{
    CodegenOption, GraphArg, GroupParser, Options, TimeLimit, WasiOption, WasmOption,
};
use crate::run::{GuestModels, WORKER_ARG, module_cache, preloads};

/// Serves a wasi:http/proxy component over HTTP; its wasi:nn calls run on OpenVINO.
#[derive(clap::Args, Debug, Clone)]
#[command(
    after_help = "Every request gets a fresh instance of the component; named graphs \
                        (--graph, -S nn-graph) are compiled once and shared, each with a pool \
                        of infer requests. Answers of the host itself: 503 when the queue is \
                        full or the server drains, 413 for a body over --max-body-size, 408 for \
                        a body slower than --body-timeout, 504 past --request-timeout, 500 when \
                        the component traps. SIGTERM or Ctrl-C drains the requests in flight, \
                        then exits with 0."
)]
pub struct ServeCommand {
    /// Socket address to serve requests on.
    #[arg(long, value_name = "SOCKADDR", default_value = "0.0.0.0:8080")]
    addr: SocketAddr,

    /// Socket address for Prometheus metrics (`GET /metrics`), or `none`.
    #[arg(long, value_name = "SOCKADDR|none", default_value = "127.0.0.1:9090",
          value_parser = parse_optional_addr)]
    metrics_addr: OptionalAddr,

    /// Liveness path, answered by the host (200 while the process serves).
    #[arg(long, value_name = "PATH", default_value = "/healthz", value_parser = parse_path)]
    liveness_path: String,

    /// Readiness path, answered by the host (200 while it accepts requests, 503 once draining).
    #[arg(long, value_name = "PATH", default_value = "/readyz", value_parser = parse_path)]
    readiness_path: String,

    /// Compile a model file once and serve it to `load-by-name(NAME)`.
    ///
    /// The format follows the file (.xml IR with its .bin beside it, .onnx, .tflite, .pb,
    /// .pdmodel); `@DEVICE` compiles it for that OpenVINO device.
    #[arg(long = "graph", value_name = "NAME=PATH[@DEVICE]", value_parser = crate::flags::parse_graph)]
    graphs: Vec<GraphArg>,

    /// Options for WASI, as `run`'s: `nn` (always on), `nn-graph=<format>::<dir>`,
    /// `inherit-env[=y|n]`.
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL[,..]]", value_parser = GroupParser::<WasiOption>::new())]
    wasi: Vec<Options<WasiOption>>,

    /// Options for running Wasm code: `timeout=DURATION` (the same as --request-timeout),
    /// `max-memory-size=N` (linear memory per instance).
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL[,..]]", value_parser = GroupParser::<WasmOption>::new())]
    wasm: Vec<Options<WasmOption>>,

    /// Options for compiling Wasm code: `cache[=y|n]`, `cache-config=path`.
    #[arg(short = 'C', long = "codegen", value_name = "KEY[=VAL[,..]]", value_parser = GroupParser::<CodegenOption>::new())]
    codegen: Vec<Options<CodegenOption>>,

    /// Grant read access of a host directory to the component (`HOST_DIR[::GUEST_DIR]`).
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR]", value_parser = crate::flags::parse_dir)]
    dirs: Vec<(PathBuf, String)>,

    /// Pass an environment variable to the component (`NAME=VAL`, or `NAME` for the host's).
    #[arg(long = "env", value_name = "NAME[=VAL]", value_parser = crate::flags::parse_env)]
    env: Vec<(String, Option<String>)>,

    /// Compile every graph for this OpenVINO device (CPU, GPU, NPU, AUTO, ...).
    #[arg(long, value_name = "DEVICE")]
    device: Option<String>,

    /// Pass an OpenVINO property when compiling (e.g. `INFERENCE_PRECISION_HINT=f32`). Named
    /// graphs are compiled with `PERFORMANCE_HINT=THROUGHPUT` unless this sets a hint.
    #[arg(long = "property", value_name = "KEY=VALUE", value_parser = crate::flags::parse_property)]
    properties: Vec<(String, String)>,

    /// OpenVINO's model cache folder: a second start skips compiling the models.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// Infer requests per named graph: a number, or `optimal` (OpenVINO's
    /// OPTIMAL_NUMBER_OF_INFER_REQUESTS for the compiled graph).
    #[arg(long, value_name = "N|optimal", default_value = "optimal", value_parser = parse_pool_size)]
    infer_requests: PoolSize,

    /// Requests whose component instances run at once (each holds an instance and its body):
    /// a number, or `auto`: twice the named graphs' infer requests (at least 4), so that as many
    /// guests prepare their next inputs as there are inferences running. More guests than that
    /// only share the same cores (on 2 cores, 8 instead of 4 cost the example service 15% of
    /// its throughput); the others wait in the queue.
    #[arg(long, value_name = "N|auto", default_value = "auto", value_parser = parse_count)]
    max_concurrent_requests: Count,

    /// Requests that may wait for a turn; past that the server answers 503 at once.
    #[arg(long, value_name = "N", default_value_t = ServeConfig::default().max_queued_requests)]
    max_queued_requests: usize,

    /// Open connections at once.
    #[arg(long, value_name = "N", default_value_t = ServeConfig::default().max_connections)]
    max_connections: usize,

    /// Largest request body (413 past it), e.g. 16MiB.
    #[arg(long, value_name = "BYTES", value_parser = crate::flags::parse_bytes,
          default_value_t = ServeConfig::default().max_body_bytes)]
    max_body_size: u64,

    /// Time a client has to send a request's head; the connection is closed past it.
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_duration, default_value = "10s")]
    header_timeout: Duration,

    /// Time a client has to send a request's body (408 past it).
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_duration, default_value = "10s")]
    body_timeout: Duration,

    /// Time from a request's arrival to the end of its component's run: queueing, the body, the
    /// component's code and its inferences (504 past it).
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_duration)]
    request_timeout: Option<Duration>,

    /// Time to keep accepting requests after SIGTERM or Ctrl-C, with the readiness path
    /// answering 503, so that load balancers stop sending first (e.g. 5s on Kubernetes).
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_duration, default_value = "0s")]
    shutdown_delay: Duration,

    /// Time the requests in flight have to finish once the server stops accepting.
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_duration, default_value = "30s")]
    drain_timeout: Duration,

    /// Deadline for one compute; past it the inference is cancelled (`none` for no limit).
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_time_limit,
          default_value = "30s")]
    compute_timeout: TimeLimit,

    /// Host memory one request's wasi-nn objects may hold (tensors, contexts, loaded models).
    #[arg(long, value_name = "BYTES", value_parser = crate::flags::parse_bytes, default_value = "512MiB")]
    max_nn_memory: u64,

    /// Host memory all requests' wasi-nn objects together may hold.
    #[arg(long, value_name = "BYTES", value_parser = crate::flags::parse_bytes,
          default_value_t = BackendConfig::default().max_backend_memory_bytes)]
    max_total_nn_memory: u64,

    /// Whether components may `load` models from bytes: `deny` (the default: only named
    /// graphs), `sandbox` (a worker process under the memory budget and compile deadline, with
    /// the model gate), or `in-process` (trusted components only).
    #[arg(long, value_name = "MODE", value_enum, default_value_t = GuestModels::Deny)]
    guest_models: GuestModels,

    /// The encodings components may load from bytes, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = crate::flags::parse_encoding,
          default_values = ["openvino", "onnx", "tensorflowlite"])]
    guest_encodings: Vec<Encoding>,

    /// Deadline for compiling one model a component loads (`none` for no limit).
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_time_limit,
          default_value = "60s")]
    compile_timeout: TimeLimit,

    /// Log lines as JSON objects (one per line) instead of text.
    #[arg(long)]
    pub log_json: bool,

    /// More logs: -v for a line per request, -vv for more.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// The wasi:http/proxy component to serve.
    #[arg(value_name = "WASM")]
    component: PathBuf,
}

/// `--metrics-addr`: an address or `none`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionalAddr(Option<SocketAddr>);

fn parse_optional_addr(text: &str) -> Result<OptionalAddr, String> {
    match text {
        "none" | "off" => Ok(OptionalAddr(None)),
        _ => text
            .parse()
            .map(|a| OptionalAddr(Some(a)))
            .map_err(|e| format!("`{text}` is not a socket address (e.g. 0.0.0.0:9090): {e}")),
    }
}

fn parse_path(text: &str) -> Result<String, String> {
    if text.starts_with('/') && !text.contains(['?', '#', ' ']) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a path (it starts with `/`, without `?`, `#` or spaces)"
        ))
    }
}

/// A positive number, or `auto` (`None`; a newtype: clap reads a bare `Option` as "flag absent").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(Option<usize>);

fn parse_count(text: &str) -> Result<Count, String> {
    match text {
        "auto" => Ok(Count(None)),
        _ => match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Count(Some(n))),
            _ => Err(format!("`{text}` is neither a positive number nor `auto`")),
        },
    }
}

fn parse_pool_size(text: &str) -> Result<PoolSize, String> {
    match text {
        "optimal" => Ok(PoolSize::Optimal),
        _ => text
            .parse::<NonZeroUsize>()
            .map(PoolSize::Fixed)
            .map_err(|_| format!("`{text}` is neither a positive number nor `optimal`")),
    }
}

impl ServeCommand {
    /// Starts the server and serves until SIGTERM or Ctrl-C; exits with 0 once drained. Errors
    /// before serving (a missing file, a bad model, an address in use) exit with 1.
    pub fn execute(self) -> anyhow::Result<ExitCode> {
        let started = Instant::now();
        let mut request_timeout = self.request_timeout;
        let mut max_memory_size = None;
        for option in self.wasm.iter().flat_map(|o| &o.0) {
            match option {
                WasmOption::Timeout(d) => request_timeout = Some(*d),
                WasmOption::MaxMemorySize(n) => max_memory_size = Some(*n),
                WasmOption::TrapOnGrowFailure(_) | WasmOption::Fuel(_) => bail!(
                    "-W {}: not available in serve (only timeout and max-memory-size)",
                    match option {
                        WasmOption::Fuel(_) => "fuel",
                        _ => "trap-on-grow-failure",
                    }
                ),
            }
        }
        let mut nn_graphs = Vec::new();
        let mut inherit_env = false;
        for option in self.wasi.iter().flat_map(|o| &o.0) {
            match option {
                WasiOption::Nn(false) => bail!(
                    "-S nn=n: wasi-nn cannot be turned off in wasi-nn-host (it is the point of it)"
                ),
                WasiOption::Nn(true) => {}
                WasiOption::NnGraph(g) => nn_graphs.push(g.clone()),
                WasiOption::InheritEnv(b) => inherit_env = *b,
            }
        }
        let (mut cache, mut cache_config) = (None, None);
        for option in self.codegen.iter().flat_map(|o| &o.0) {
            match option {
                CodegenOption::Cache(b) => cache = Some(*b),
                CodegenOption::CacheConfig(p) => cache_config = Some(p.clone()),
            }
        }
        let path = &self.component;
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        if !wasi_nn_host::is_component(&bytes) {
            bail!(
                "{} is not a component; serve runs wasi:http/proxy components (wasm32-wasip2)",
                path.display()
            );
        }
        let env = self.guest_env(inherit_env)?;
        crate::info::require_openvino()?;
        let backend = Arc::new(self.backend()?);
        let mut infer_requests = 0;
        for p in preloads(&self.graphs, &nn_graphs)? {
            let t = Instant::now();
            let graph = backend
                .register_pooled(&p.name, &p.path, p.device.as_deref(), self.infer_requests)
                .map_err(|e| anyhow!("{}: {}", p.flag, e.detail()))?;
            infer_requests += graph.pool_state().map_or(0, |(n, _, _)| n);
            tracing::info!(
                graph = p.name,
                path = %p.path.display(),
                device = graph.device(),
                infer_requests = graph.pool_state().map(|(n, _, _)| n),
                elapsed = ?t.elapsed(),
                "named graph ready"
            );
        }
        let defaults = ServeConfig::default();
        tracing::info!(
            max_concurrent_requests = self
                .max_concurrent_requests
                .0
                .unwrap_or((2 * infer_requests).max(4)),
            "admission"
        );
        let config = ServeConfig {
            addr: self.addr,
            metrics_addr: self.metrics_addr.0,
            liveness_path: self.liveness_path.clone(),
            readiness_path: self.readiness_path.clone(),
            max_concurrent_requests: self
                .max_concurrent_requests
                .0
                .unwrap_or((2 * infer_requests).max(4)),
            max_queued_requests: self.max_queued_requests,
            max_connections: self.max_connections.max(1),
            max_body_bytes: self.max_body_size,
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            request_timeout: request_timeout.unwrap_or(defaults.request_timeout),
            shutdown_delay: self.shutdown_delay,
            drain_timeout: self.drain_timeout,
            max_memory_size: max_memory_size.unwrap_or(defaults.max_memory_size),
            max_resources: defaults.max_resources,
            env,
            dirs: self.dirs.clone(),
            cache: module_cache(cache, cache_config.as_deref())?,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("wasi-nn-serve")
            .build()
            .context("cannot start the async runtime")?;
        runtime.block_on(async {
            let server = Server::bind(&bytes, backend, config)
                .await
                .with_context(|| format!("cannot serve {}", path.display()))?;
            // What scripts and people wait for, on stderr like `wasmtime serve`.
            eprintln!("Serving HTTP on http://{}/", server.local_addr());
            if let Some(metrics) = server.metrics_addr() {
                eprintln!("Metrics on http://{metrics}/metrics");
            }
            tracing::info!(startup = ?started.elapsed(), "ready");
            server.run(wasi_nn_host::serve::shutdown_signal()).await
        })?;
        Ok(ExitCode::SUCCESS)
    }

    fn backend(&self) -> anyhow::Result<Backend> {
        Backend::new(BackendConfig {
            device_override: self.device.clone(),
            properties: self.properties.clone(),
            cache_dir: self.cache_dir.clone(),
            limits: Limits {
                max_memory_bytes: self.max_nn_memory,
                ..Limits::default()
            },
            max_backend_memory_bytes: self.max_total_nn_memory,
            deadlines: Deadlines {
                compile: self.compile_timeout.0,
                compute: self.compute_timeout.0,
            },
            guest_loads: GuestLoadPolicy {
                mode: match self.guest_models {
                    GuestModels::Sandbox => GuestLoads::Sandboxed(WorkerCommand::new(
                        std::env::current_exe()
                            .context("cannot find this program's own path for its model worker")?,
                        [WORKER_ARG],
                    )),
                    GuestModels::InProcess => GuestLoads::InProcess,
                    GuestModels::Deny => GuestLoads::Denied,
                },
                encodings: self.guest_encodings.clone(),
            },
        })
        .map_err(|e| anyhow!("cannot start OpenVINO: {}", e.detail()))
    }

    /// `-S inherit-env` first, then each `--env` (as `run`).
    fn guest_env(&self, inherit: bool) -> anyhow::Result<Vec<(String, String)>> {
        let mut env = Vec::new();
        if inherit {
            for (name, value) in std::env::vars_os() {
                let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
                    bail!("-S inherit-env: the environment variable {name:?} is not valid UTF-8");
                };
                env.push((name.to_owned(), value.to_owned()));
            }
        }
        for (name, value) in &self.env {
            let value = match value {
                Some(value) => value.clone(),
                None => match std::env::var_os(name) {
                    Some(value) => value.into_string().map_err(|_| {
                        anyhow!("--env {name}: the host's value is not valid UTF-8")
                    })?,
                    None => continue,
                },
            };
            env.push((name.clone(), value));
        }
        Ok(env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_sizes_metrics_addresses_and_paths_parse() {
        assert_eq!(parse_pool_size("optimal"), Ok(PoolSize::Optimal));
        assert_eq!(
            parse_pool_size("3"),
            Ok(PoolSize::Fixed(NonZeroUsize::new(3).unwrap()))
        );
        assert!(parse_pool_size("0").is_err());
        assert!(parse_pool_size("-1").is_err());
        assert_eq!(parse_count("auto"), Ok(Count(None)));
        assert_eq!(parse_count("7"), Ok(Count(Some(7))));
        assert!(parse_count("0").is_err());
        assert_eq!(parse_optional_addr("none"), Ok(OptionalAddr(None)));
        assert_eq!(
            parse_optional_addr("127.0.0.1:9").unwrap().0,
            Some(SocketAddr::from(([127, 0, 0, 1], 9)))
        );
        assert!(parse_optional_addr("localhost").is_err());
        assert_eq!(parse_path("/healthz"), Ok("/healthz".into()));
        for bad in ["healthz", "/a?b", "/a b", ""] {
            assert!(parse_path(bad).is_err(), "{bad:?}");
        }
    }
}
