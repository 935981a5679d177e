//! Serving a `wasi:http/proxy` component over HTTP with wasi:nn: what `wasi-nn-host serve` runs,
//! as a library.
//!
//! Like `wasmtime serve`: the component is compiled and pre-instantiated once (`ProxyPre`), every
//! request gets a fresh instance in its own store from the pooling allocator, and epoch ticks
//! make guest code interruptible. Unlike it, wasi:nn's named graphs are compiled once at start
//! and shared by every request, each with a pool of infer requests
//! ([`Backend::register_pooled`]); `compute` awaits OpenVINO's asynchronous inference, so no
//! worker thread blocks on a model.
//!
//! What a request goes through:
//! 1. the health paths ([`ServeConfig::liveness_path`], [`ServeConfig::readiness_path`]) are
//!    answered by the host, never by the guest;
//! 2. admission: at most [`ServeConfig::max_concurrent_requests`] requests run at once; up to
//!    [`ServeConfig::max_queued_requests`] more wait their turn; past that, `503` (with
//!    `retry-after`) without running the guest;
//! 3. the body is read whole, within [`ServeConfig::body_timeout`] (`408` past it) and
//!    [`ServeConfig::max_body_bytes`] (`413`, at once when `content-length` says so);
//! 4. the guest runs within [`ServeConfig::request_timeout`], counted from the request's
//!    arrival (`504` past it, the instance and any inference it started are dropped and
//!    cancelled), in its own store with [`ServeConfig::max_memory_size`] of linear memory and
//!    the backend's wasi:nn limits and budgets; a trap answers `500`. Neither affects any other
//!    request.
//!
//! Every answer carries an `x-request-id`: the client's (if it is 1 to 128 characters of
//! `[A-Za-z0-9._:/+=-]`) or a new one, also given to the guest in the request's headers and
//! logged with everything the request causes. On the metrics address, `GET /metrics` answers
//! Prometheus' text format. [`Server::run`] returns once its shutdown future resolves and the
//! requests in flight are answered (or [`ServeConfig::drain_timeout`] passed).
//!
//! ```no_run
//! use std::sync::Arc;
//! use wasi_nn_host::backend::PoolSize;
//! use wasi_nn_host::serve::{ServeConfig, Server};
//! use wasi_nn_host::{Backend, BackendConfig};
//!
//! # async fn run() -> anyhow::Result<()> {
//! let backend = Arc::new(Backend::new(BackendConfig::default())?);
//! backend.register_pooled("classifier", "model.xml".as_ref(), None, PoolSize::Optimal)?;
//! let component = std::fs::read("service.wasm")?;
//! let server = Server::bind(&component, backend, ServeConfig::default()).await?;
//! println!("serving on http://{}/", server.local_addr());
//! server.run(wasi_nn_host::serve::shutdown_signal()).await?;
//! # Ok(())
//! # }
//! ```

mod host;
mod metrics;
mod request;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use self::host::Host;
use self::metrics::Metrics;
use crate::Backend;

/// How the server listens, admits, bounds and stops. The wasi:nn limits and budgets are the
/// backend's ([`BackendConfig`](crate::BackendConfig)).
///
/// ```
/// use std::time::Duration;
/// use wasi_nn_host::serve::ServeConfig;
/// let config = ServeConfig {
///     addr: "127.0.0.1:0".parse().unwrap(),
///     request_timeout: Duration::from_secs(5),
///     ..ServeConfig::default()
/// };
/// assert_eq!(config.liveness_path, "/healthz");
/// assert_eq!(config.max_body_bytes, 16 << 20);
/// ```
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where requests are served. Default `0.0.0.0:8080` (as `wasmtime serve`).
    pub addr: SocketAddr,
    /// Where `GET /metrics` is served, if anywhere. Default `127.0.0.1:9090`: metrics tell about
    /// the load and the models, so they are not public unless asked for.
    pub metrics_addr: Option<SocketAddr>,
    /// Liveness: `200` while the process serves. Default `/healthz`.
    pub liveness_path: String,
    /// Readiness: `200` while it accepts requests, `503` once it drains. Default `/readyz`.
    pub readiness_path: String,
    /// Requests whose guests run at once (each holds an instance and its body). Default 64.
    pub max_concurrent_requests: usize,
    /// Requests that may wait for one of those places; past that, `503`. Default 256.
    pub max_queued_requests: usize,
    /// Open connections; more wait in the kernel's backlog. Default 1024.
    pub max_connections: usize,
    /// Largest request body (`413` past it). Default 16 MiB.
    pub max_body_bytes: u64,
    /// Time a client has to send a request's head; the connection is closed past it (a client
    /// sending slowly holds no guest). Default 10 s.
    pub header_timeout: Duration,
    /// Time a client has to send the whole body once admitted (`408` past it). Default 10 s.
    pub body_timeout: Duration,
    /// Time from a request's arrival to its guest's end: queueing, the body, the guest's code and
    /// its inferences (`504` past it). Default 60 s.
    pub request_timeout: Duration,
    /// Time the server keeps accepting requests once shutdown is asked, with the readiness path
    /// answering `503`: load balancers that probe it stop sending before connections are
    /// refused (Kubernetes removes a pod from its endpoints a few seconds after `SIGTERM`).
    /// Default 0.
    pub shutdown_delay: Duration,
    /// Time the requests in flight have to finish once the server stops accepting. Default 30 s.
    pub drain_timeout: Duration,
    /// Linear memory one instance may grow to (its growth fails past it). Default 256 MiB.
    pub max_memory_size: usize,
    /// Resources (WASI, wasi:http and wasi:nn handles) one instance may hold. Default 10,000.
    pub max_resources: usize,
    /// Environment variables the guest sees.
    pub env: Vec<(String, String)>,
    /// Host folders the guest may read, with the names it sees them under.
    pub dirs: Vec<(PathBuf, String)>,
    /// Wasmtime's cache of compiled components, if any.
    pub cache: Option<wasmtime::Cache>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([0, 0, 0, 0], 8080)),
            metrics_addr: Some(SocketAddr::from(([127, 0, 0, 1], 9090))),
            liveness_path: "/healthz".into(),
            readiness_path: "/readyz".into(),
            max_concurrent_requests: 64,
            max_queued_requests: 256,
            max_connections: 1024,
            max_body_bytes: 16 << 20,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            shutdown_delay: Duration::ZERO,
            drain_timeout: Duration::from_secs(30),
            max_memory_size: 256 << 20,
            max_resources: 10_000,
            env: Vec::new(),
            dirs: Vec::new(),
            cache: None,
        }
    }
}

/// How often the epoch moves: guest code yields to the server (and so can be stopped at its
/// deadline) at least this often.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// What every connection shares.
struct Shared {
    config: ServeConfig,
    engine: Engine,
    pre: ProxyPre<Host>,
    backend: Arc<Backend>,
    metrics: Metrics,
    /// One permit per request allowed to run.
    admission: Arc<Semaphore>,
    /// Set once shutdown is asked: readiness answers 503, connections close after their answer.
    draining: AtomicBool,
    /// Guest instances alive (their stores hold infer requests), and a wake-up when none is.
    guests: AtomicUsize,
    guests_done: Notify,
}

/// A bound server: call [`run`](Self::run). See the [module docs](self).
pub struct Server {
    shared: Arc<Shared>,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    _epoch: EpochTicker,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.listener.local_addr().ok())
            .field(
                "metrics_addr",
                &self.metrics_listener.as_ref().map(|l| l.local_addr().ok()),
            )
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Compiles `component` (a `wasi:http/proxy` component, binary or text), pre-instantiates
    /// it with WASI, wasi:http and wasi:nn over `backend`, and binds the addresses. Register
    /// the named graphs on `backend` first ([`Backend::register_pooled`]).
    pub async fn bind(
        component: &[u8],
        backend: Arc<Backend>,
        config: ServeConfig,
    ) -> anyhow::Result<Self> {
        let engine = engine(&config)?;
        let component = Component::new(&engine, component).map_err(|e| {
            let reason = e.to_string();
            anyhow!(
                "not a valid component: {}",
                reason.lines().next().unwrap_or_default()
            )
        })?;
        let linker = host::linker(&engine)?;
        let instance = linker
            .instantiate_pre(&component)
            .map_err(|e| anyhow!("the component imports what this host does not provide: {e:#}"))?;
        let pre = ProxyPre::new(instance).map_err(|e| {
            anyhow!(
                "the component is not a wasi:http/proxy component (it must export \
                 wasi:http/incoming-handler@0.2.x): {e:#}"
            )
        })?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let metrics_listener = match config.metrics_addr {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen for metrics on {addr}"))?,
            ),
            None => None,
        };
        let shared = Arc::new(Shared {
            admission: Arc::new(Semaphore::new(config.max_concurrent_requests.max(1))),
            config,
            engine: engine.clone(),
            pre,
            backend,
            metrics: Metrics::default(),
            draining: AtomicBool::new(false),
            guests: AtomicUsize::new(0),
            guests_done: Notify::new(),
        });
        Ok(Self {
            shared,
            listener,
            metrics_listener,
            _epoch: EpochTicker::start(engine),
        })
    }

    /// The address requests are served on (with the port the system chose for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The address metrics are served on, if any.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .map(|l| l.local_addr().expect("a bound listener has an address"))
    }

    /// Serves until `shutdown` resolves, then drains: the readiness path answers `503` and
    /// answers carry `connection: close`; after [`ServeConfig::shutdown_delay`] it stops
    /// accepting, lets the requests in flight finish (idle connections are closed) within
    /// [`ServeConfig::drain_timeout`], and returns once every guest instance is gone. Must run on
    /// a multi-threaded Tokio runtime with time and I/O enabled.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let Self {
            shared,
            listener,
            metrics_listener,
            _epoch,
        } = self;
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let connections = Arc::new(Semaphore::new(shared.config.max_connections.max(1)));
        let metrics_task =
            metrics_listener.map(|l| tokio::spawn(serve_metrics(l, Arc::clone(&shared))));
        tracing::info!(
            addr = %listener.local_addr()?,
            metrics = ?shared.config.metrics_addr.filter(|_| metrics_task.is_some()),
            "serving"
        );
        let stop_accepting = async {
            shutdown.await;
            shared.draining.store(true, Ordering::SeqCst);
            tracing::info!(
                "shutting down: readiness answers 503; accepting for {:?} more",
                shared.config.shutdown_delay
            );
            tokio::time::sleep(shared.config.shutdown_delay).await;
        };
        tokio::pin!(stop_accepting);
        loop {
            let permit = tokio::select! {
                () = &mut stop_accepting => break,
                permit = Arc::clone(&connections).acquire_owned() => permit?,
            };
            let (stream, peer) = tokio::select! {
                () = &mut stop_accepting => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    Err(e) => {
                        tracing::warn!("cannot accept a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            let header_timeout = shared.config.header_timeout;
            let service = hyper::service::service_fn({
                let shared = Arc::clone(&shared);
                move |req| {
                    let shared = Arc::clone(&shared);
                    async move {
                        Ok::<_, std::convert::Infallible>(request::handle(shared, req, peer).await)
                    }
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(%peer, "connection ended: {e}");
                }
                drop(permit);
            });
        }
        drop(listener);
        tracing::info!("stopped accepting: draining the requests in flight");
        let drain = async {
            graceful.shutdown().await;
            // Guests whose client left still run to their end (or deadline): wait for them, so
            // that no inference outlives the server.
            while shared.guests.load(Ordering::SeqCst) > 0 {
                let notified = shared.guests_done.notified();
                if shared.guests.load(Ordering::SeqCst) == 0 {
                    break;
                }
                notified.await;
            }
        };
        match tokio::time::timeout(shared.config.drain_timeout, drain).await {
            Ok(()) => tracing::info!("drained; stopping"),
            Err(_) => tracing::warn!(
                guests = shared.guests.load(Ordering::SeqCst),
                "requests still in flight after the drain timeout of {:?}; stopping anyway",
                shared.config.drain_timeout
            ),
        }
        if let Some(task) = metrics_task {
            task.abort();
        }
        Ok(())
    }
}

/// The engine `serve` runs components on: the pooling allocator sized for the admitted
/// requests (falling back to on-demand allocation where the address space is too small for it),
/// epoch interruption, and the component cache if configured.
fn engine(config: &ServeConfig) -> anyhow::Result<Engine> {
    let mut wasm = Config::new();
    wasm.epoch_interruption(true);
    wasm.cache(config.cache.clone());
    // Instances may outlive their answer (a body written after the head): room for as many
    // again as are admitted.
    let slots =
        u32::try_from(config.max_concurrent_requests.saturating_mul(2).max(2)).unwrap_or(u32::MAX);
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .total_component_instances(slots)
        .total_core_instances(slots.saturating_mul(host::MAX_INSTANCES as u32))
        .total_memories(slots.saturating_mul(host::MAX_MEMORIES as u32))
        .total_tables(slots.saturating_mul(host::MAX_TABLES as u32))
        .total_stacks(slots)
        .max_memory_size(config.max_memory_size)
        .table_elements(host::MAX_TABLE_ELEMENTS)
        // A returned slot's first pages are zeroed in place instead of given back to the kernel,
        // which the next request would fault in again.
        .linear_memory_keep_resident(KEEP_MEMORY_RESIDENT)
        .table_keep_resident(KEEP_TABLE_RESIDENT)
        .async_stack_keep_resident(KEEP_STACK_RESIDENT);
    let mut pooled = wasm.clone();
    pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    match Engine::new(&pooled) {
        Ok(engine) => Ok(engine),
        Err(e) => {
            tracing::warn!(
                "the pooling allocator is not available here ({e:#}); instances are allocated \
                 on demand"
            );
            Engine::new(&wasm).map_err(|e| anyhow!("cannot start Wasmtime: {e:#}"))
        }
    }
}

/// Bytes of each memory, table and async stack slot the pooling allocator keeps resident between
/// instances (zeroed in place, not unmapped). Measured on the example service (2 cores): 4 MiB
/// each gave 2,570 requests/s at c=16, 1 MiB / 64 KiB / 256 KiB 2,190, none 1,710 (the kernel's
/// page faults and TLB shootdowns then took a third of the CPU).
const KEEP_MEMORY_RESIDENT: usize = 4 << 20;
const KEEP_TABLE_RESIDENT: usize = 4 << 20;
const KEEP_STACK_RESIDENT: usize = 4 << 20;

/// Moves the engine's epoch every [`EPOCH_TICK`] until dropped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("wasi-nn-serve-epoch".into())
            .spawn({
                let stop = Arc::clone(&stop);
                move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                }
            })
            .ok();
        Self { stop, thread }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Resolves on SIGTERM (what Kubernetes and Docker send) or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("Ctrl-C received"),
                }
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM ({e}); only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `GET /metrics` on the metrics listener, until aborted.
async fn serve_metrics(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let shared = Arc::clone(&shared);
        let service = hyper::service::service_fn(move |req| {
            let shared = Arc::clone(&shared);
            async move { Ok::<_, std::convert::Infallible>(request::metrics(&shared, &req)) }
        });
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
