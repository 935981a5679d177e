//! The neutral OpenVINO layer under both wasi-nn ABIs: reading and compiling graphs (guest models
//! through the gate and, by default, a sandboxed worker process), the registry of named graphs,
//! budgets, deadlines and execution contexts. It knows nothing of witx or WIT: each ABI maps
//! [`ErrorKind`] to its own codes in one place.

mod budget;
mod config;
mod context;
mod error;
pub mod gate;
mod graph;
mod pool;
mod read;
pub mod sandbox;
mod session;
mod stats;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use openvino::{CompiledModel, Core, DeviceType, PropertyKey};

pub use self::config::{
    BackendConfig, Deadlines, Encoding, GuestLoadPolicy, GuestLoads, Limits, Target, WorkerCommand,
};
pub use self::context::{ExecutionContext, MAX_RANK};
pub use self::error::{Error, ErrorKind};
pub use self::graph::{Graph, PortInfo};
pub use self::pool::PoolSize;
pub use self::session::{GraphHandle, MAX_NAME_BYTES, Session};
pub use self::stats::{BUCKETS, ERROR_KINDS, Histogram, HistogramSnapshot};

use self::budget::Budget;
pub(crate) use self::budget::Charge;
use self::error::log_error;
pub(crate) use self::error::quote;
use self::read::Format;
use self::stats::ErrorCounts;

/// OpenVINO for wasi-nn: one `Core`, the configuration, the named graphs and the backend-wide
/// memory budget. Shared (`Arc`) by every instance's [`Session`].
///
/// ```
/// use wasi_nn_host::{Backend, BackendConfig};
/// let backend = Backend::new(BackendConfig::default())?;
/// assert!(backend.graph_by_name("nothing-registered").is_none());
/// # Ok::<(), wasi_nn_host::backend::Error>(())
/// ```
pub struct Backend {
    core: Core,
    config: BackendConfig,
    named: RwLock<HashMap<String, Arc<Graph>>>,
    /// OpenVINO's devices, listed once (listing probes every plugin).
    devices: Vec<String>,
    budget: Arc<Budget>,
    /// Devices whose core-level properties are set, for importing sandbox-compiled graphs.
    import_ready: Mutex<HashSet<String>>,
    /// Errors answered to guests, by kind.
    errors: ErrorCounts,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("config", &self.config)
            .field("devices", &self.devices)
            .field("charged_bytes", &self.budget.used())
            .finish_non_exhaustive()
    }
}

impl Backend {
    /// Creates the OpenVINO core (loading the library with `runtime-linking`) and lists devices.
    pub fn new(config: BackendConfig) -> Result<Self, Error> {
        let core = Core::new().map_err(|e| {
            Error::host(ErrorKind::RuntimeError, "cannot start OpenVINO").with_source(e)
        })?;
        let devices = core
            .available_devices()
            .map_err(|e| {
                Error::host(ErrorKind::RuntimeError, "cannot list OpenVINO's devices")
                    .with_source(e)
            })?
            .iter()
            .map(|d| d.as_str().to_owned())
            .collect();
        let budget = Budget::new("backend", config.max_backend_memory_bytes);
        Ok(Self {
            core,
            config,
            named: RwLock::new(HashMap::new()),
            devices,
            budget,
            import_ready: Mutex::new(HashSet::new()),
            errors: ErrorCounts::default(),
        })
    }

    /// Logs an error an ABI is about to answer a guest with (see `log_error`) and counts it.
    pub(crate) fn note_error(&self, call: &str, err: &Error) {
        self.errors.add(err.kind());
        log_error(call, err);
    }

    /// How many errors of each kind the ABIs have answered guests with, since the start.
    ///
    /// ```
    /// use wasi_nn_host::{Backend, BackendConfig};
    /// let backend = Backend::new(BackendConfig::default())?;
    /// assert!(backend.error_counts().iter().all(|(_, n)| *n == 0));
    /// # Ok::<(), wasi_nn_host::backend::Error>(())
    /// ```
    pub fn error_counts(&self) -> Vec<(ErrorKind, u64)> {
        self.errors.get()
    }

    /// A fresh session for one Wasm instance.
    pub fn session(self: &Arc<Self>) -> Session {
        Session::new(Arc::clone(self))
    }

    /// The configuration.
    pub fn config(&self) -> &BackendConfig {
        &self.config
    }

    /// OpenVINO's devices, as listed when the backend started.
    pub fn devices(&self) -> &[String] {
        &self.devices
    }

    /// Host memory charged to guests, over all instances.
    pub fn charged_bytes(&self) -> u64 {
        self.budget.used()
    }

    pub(crate) fn budget(&self) -> &Arc<Budget> {
        &self.budget
    }

    /// The OpenVINO device for a wasi-nn target (or the embedder's override).
    pub fn device_for(&self, target: Target) -> String {
        if let Some(device) = &self.config.device_override {
            return device.clone();
        }
        match target {
            Target::Cpu => "CPU",
            Target::Gpu => "GPU",
            Target::Tpu => "NPU",
        }
        .to_owned()
    }

    /// The embedder's properties for guest graphs: everything but the model cache (a guest
    /// could fill the disk with cache entries).
    fn guest_properties(&self) -> Vec<(String, String)> {
        self.config
            .properties
            .iter()
            .filter(|(k, _)| k != PropertyKey::CacheDir.as_str())
            .cloned()
            .collect()
    }

    fn properties(props: &[(String, String)]) -> Vec<(PropertyKey, &str)> {
        props
            .iter()
            .map(|(k, v)| (PropertyKey::from(k.as_str()), v.as_str()))
            .collect()
    }

    /// Reads and compiles a guest's model under the policy, the gate, the budgets and the compile
    /// deadline; charged to `instance` and the backend while the graph lives.
    pub(crate) fn load_guest(
        &self,
        builders: &[&[u8]],
        encoding: Encoding,
        target: Target,
        instance: &Arc<Budget>,
    ) -> Result<Graph, Error> {
        let policy = &self.config.guest_loads;
        if policy.mode == GuestLoads::Denied {
            return Err(Error::new(
                ErrorKind::Denied,
                "this host does not accept models from guests; use load_by_name with a graph the \
                 host registered",
            ));
        }
        let total: u64 = builders.iter().map(|b| b.len() as u64).sum();
        let limit = self.config.limits.max_model_bytes;
        if total > limit {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("a model of {total} bytes exceeds the host's limit of {limit} bytes"),
            ));
        }
        let format = read::format(encoding, builders)?;
        if !policy.allows(format.encoding()) {
            return Err(Error::new(
                ErrorKind::Denied,
                format!(
                    "this host does not accept {} models from guests (allowed: {})",
                    format.encoding().as_str(),
                    policy
                        .encodings
                        .iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let device = self.device_for(target);
        self.check_device(&device)?;
        let started = Instant::now();
        let graph = match &policy.mode {
            GuestLoads::Sandboxed(worker) => {
                self.load_sandboxed(worker, format, builders, &device, instance)?
            }
            GuestLoads::InProcess | GuestLoads::Denied => {
                self.load_in_process(format, builders, &device, instance)?
            }
        };
        tracing::debug!(
            format = ?format,
            device,
            charged = graph.charged_bytes(),
            elapsed = ?started.elapsed(),
            "guest graph loaded"
        );
        Ok(graph)
    }

    fn load_in_process(
        &self,
        format: Format,
        builders: &[&[u8]],
        device: &str,
        instance: &Arc<Budget>,
    ) -> Result<Graph, Error> {
        read::gate(format, builders)?;
        let model = read::read_model(&self.core, format, builders, None)?;
        let props = self.guest_properties();
        let compiled = self
            .core
            .compile_model(&model, &DeviceType::from(device), &Self::properties(&props))
            .map_err(|e| Error::openvino(format!("cannot compile the graph for {device}"), e))?;
        drop(model);
        // Not measured in-process: charge the model's bytes as the best cheap estimate.
        let bytes = builders.iter().map(|b| b.len() as u64).sum();
        let charge = Charge::new(&[instance, &self.budget], bytes, "the graph")?;
        Graph::new(compiled, device, None, charge)
    }

    fn load_sandboxed(
        &self,
        worker: &WorkerCommand,
        format: Format,
        builders: &[&[u8]],
        device: &str,
        instance: &Arc<Budget>,
    ) -> Result<Graph, Error> {
        // The worker may use what is left of both budgets, no more.
        let allowance = instance.remaining().min(self.budget.remaining());
        let compiled = sandbox::compile(
            worker,
            &sandbox::Job {
                format,
                builders,
                device,
                properties: &self.guest_properties(),
                memory_limit: allowance,
                deadline: self.config.deadlines.compile,
                trial_deadline: self.config.deadlines.compute,
            },
        )?;
        let charge = Charge::new(&[instance, &self.budget], compiled.graph_bytes, "the graph")?;
        self.prepare_import(device)?;
        let imported = self
            .core
            .import_model(&compiled.blob, &DeviceType::from(device))
            .map_err(|e| Error::openvino("cannot import the graph the worker compiled", e))?;
        Graph::new(imported, device, compiled.context_bytes, charge)
    }

    /// `import_model` takes no properties: the embedder's go on the core, once per device.
    fn prepare_import(&self, device: &str) -> Result<(), Error> {
        let mut ready = self.import_ready.lock().unwrap_or_else(|p| p.into_inner());
        if ready.contains(device) {
            return Ok(());
        }
        let props = self.guest_properties();
        if !props.is_empty() {
            self.core
                .set_properties(&DeviceType::from(device), &Self::properties(&props))
                .map_err(|e| {
                    Error::host(
                        ErrorKind::RuntimeError,
                        format!("cannot set the host's OpenVINO properties for {device}"),
                    )
                    .with_source(e)
                })?;
        }
        ready.insert(device.to_owned());
        Ok(())
    }

    /// A device that is not present answers `UnsupportedOperation` before OpenVINO is asked to
    /// compile for it. Composite devices (AUTO, HETERO:..., MULTI:...) are left to OpenVINO.
    fn check_device(&self, device: &str) -> Result<(), Error> {
        let base = device.split(['.', ':']).next().unwrap_or(device);
        if matches!(base, "AUTO" | "HETERO" | "MULTI" | "BATCH") {
            return Ok(());
        }
        if self
            .devices
            .iter()
            .any(|d| d == device || d.split('.').next() == Some(base))
        {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::UnsupportedOperation,
                format!(
                    "device {} is not present here (available: {})",
                    quote(device),
                    self.devices.join(", ")
                ),
            ))
        }
    }

    /// Reads and compiles a model file once and registers it under `name` for `load_by_name`.
    /// The encoding follows the file (OpenVINO's frontends tell IR, ONNX, TensorFlow, TFLite and
    /// PaddlePaddle apart); `device` defaults to the override or CPU. The embedder's files are
    /// trusted: no gate, no sandbox, no budget (external data beside the file is normal).
    pub fn register(
        &self,
        name: &str,
        path: &Path,
        device: Option<&str>,
    ) -> Result<Arc<Graph>, Error> {
        self.register_graph(name, path, device, None)
    }

    /// Like [`register`](Self::register), for serving many requests at once: compiled with
    /// OpenVINO's `PERFORMANCE_HINT=THROUGHPUT` (unless the embedder's properties set a hint),
    /// and with a pool of infer requests made now and lent to execution contexts, `size` of
    /// them (by default the compiled model's `OPTIMAL_NUMBER_OF_INFER_REQUESTS`).
    /// [`Session::init_execution_context_async`] waits for a free one.
    ///
    /// ```
    /// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
    /// use wasi_nn_host::backend::PoolSize;
    /// use wasi_nn_host::{Backend, BackendConfig};
    /// # let dir = std::env::temp_dir().join(format!("pooled-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # std::fs::write(dir.join("add.xml"), model_xml)?;
    /// let backend = Backend::new(BackendConfig::default())?;
    /// let graph = backend.register_pooled("add", &dir.join("add.xml"), None, PoolSize::Optimal)?;
    /// let (size, idle, waiting) = graph.pool_state().unwrap();
    /// assert!(size >= 1);
    /// assert_eq!((idle, waiting), (size, 0));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_pooled(
        &self,
        name: &str,
        path: &Path,
        device: Option<&str>,
        size: PoolSize,
    ) -> Result<Arc<Graph>, Error> {
        self.register_graph(name, path, device, Some(size))
    }

    fn register_graph(
        &self,
        name: &str,
        path: &Path,
        device: Option<&str>,
        pool: Option<PoolSize>,
    ) -> Result<Arc<Graph>, Error> {
        if name.len() > MAX_NAME_BYTES {
            return Err(Error::host(
                ErrorKind::InvalidArgument,
                format!("graph names are at most {MAX_NAME_BYTES} bytes"),
            ));
        }
        if !path.is_file() {
            return Err(Error::host(
                ErrorKind::NotFound,
                format!("model file {} does not exist", path.display()),
            ));
        }
        let device = device
            .map(str::to_owned)
            .unwrap_or_else(|| self.device_for(Target::Cpu));
        self.check_device(&device)?;
        let started = Instant::now();
        let mut props = self.config.properties.clone();
        let hint = PropertyKey::PerformanceHint.as_str();
        if pool.is_some() && !props.iter().any(|(k, _)| k == hint) {
            props.push((
                hint.to_owned(),
                openvino::PerformanceMode::Throughput.as_str().to_owned(),
            ));
        }
        if let Some(dir) = &self.config.cache_dir {
            props.push((
                PropertyKey::CacheDir.as_str().to_owned(),
                dir.to_string_lossy().into_owned(),
            ));
        }
        // Compiling straight from the file lets OpenVINO's model cache skip reading and compiling.
        let compiled: CompiledModel = self
            .core
            .compile_model_from_file(
                path,
                &DeviceType::from(device.as_str()),
                &Self::properties(&props),
            )
            .map_err(|e| {
                Error::host(
                    ErrorKind::RuntimeError,
                    format!("cannot compile {} for {device}", path.display()),
                )
                .with_source(e)
            })?;
        let mut graph = Graph::new(compiled, &device, None, Charge::none())?;
        if let Some(size) = pool {
            graph = graph.pooled(size)?;
        }
        tracing::info!(
            name,
            path = %path.display(),
            device,
            infer_requests = graph.pool_state().map(|(size, _, _)| size),
            elapsed = ?started.elapsed(),
            "named graph compiled"
        );
        let graph = Arc::new(graph);
        self.named
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_owned(), Arc::clone(&graph));
        Ok(graph)
    }

    /// The graph registered under `name`.
    pub fn graph_by_name(&self, name: &str) -> Option<Arc<Graph>> {
        self.named
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }

    /// Every registered graph with its name, sorted by name.
    pub fn named_graphs(&self) -> Vec<(String, Arc<Graph>)> {
        let mut graphs: Vec<_> = self
            .named
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(name, graph)| (name.clone(), Arc::clone(graph)))
            .collect();
        graphs.sort_by(|a, b| a.0.cmp(&b.0));
        graphs
    }
}
