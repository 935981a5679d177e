//! What the embedder decides: devices and OpenVINO properties, limits and budgets, deadlines, and
//! whether guests may hand the host model bytes at all.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// A model encoding, in both ABIs' vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// OpenVINO IR: XML plus weights.
    Openvino,
    /// ONNX.
    Onnx,
    /// A TensorFlow GraphDef (frozen graph).
    Tensorflow,
    /// TorchScript: OpenVINO cannot read it without Python.
    Pytorch,
    /// TensorFlow Lite.
    TensorflowLite,
    /// GGML (WIT only): OpenVINO cannot read it.
    Ggml,
    /// Decide from the bytes.
    Autodetect,
}

impl Encoding {
    /// The name wasi-nn uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Openvino => "openvino",
            Encoding::Onnx => "onnx",
            Encoding::Tensorflow => "tensorflow",
            Encoding::Pytorch => "pytorch",
            Encoding::TensorflowLite => "tensorflowlite",
            Encoding::Ggml => "ggml",
            Encoding::Autodetect => "autodetect",
        }
    }
}

/// Where a guest asks a graph to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// OpenVINO's `CPU`.
    Cpu,
    /// OpenVINO's `GPU`.
    Gpu,
    /// wasi-nn's `tpu`: OpenVINO's `NPU`.
    Tpu,
}

/// Limits per Wasm instance, so that no guest can make the host hold unbounded memory or handles.
/// Every limit is checked before the work it guards is done.
///
/// ```
/// let limits = wasi_nn_host::Limits::default();
/// assert_eq!(limits.max_graphs, 16);
/// assert_eq!(limits.max_memory_bytes, 2 << 30);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the builders of one `load` (`too_large` past it). Default 256 MiB.
    pub max_model_bytes: u64,
    /// Graphs one instance may hold (`busy` past it; wasi-nn has no unload). Default 16.
    pub max_graphs: usize,
    /// Execution contexts one instance may hold (`busy` past it). Default 64.
    pub max_contexts: usize,
    /// Bytes of one input tensor (`too_large` past it). Default 512 MiB.
    pub max_tensor_bytes: u64,
    /// Host memory one instance may make the host hold: memory OpenVINO allocates for the
    /// instance's guest-loaded graphs (measured while compiling them), estimated memory of its
    /// execution contexts, and the input tensors they hold (`too_large` past it). Default 2 GiB.
    pub max_memory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_model_bytes: 256 * MIB,
            max_graphs: 16,
            max_contexts: 64,
            max_tensor_bytes: 512 * MIB,
            max_memory_bytes: 2 * GIB,
        }
    }
}

/// Where guest model bytes are read and compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuestLoads {
    /// Guests may only use graphs the embedder registered (`load_by_name`); `load` answers
    /// `Denied`. The default for library embedders: a model is a program for OpenVINO's
    /// frontends and compiler, which were written for trusted input.
    Denied,
    /// Guest models are read and compiled in a short-lived worker process (this program, run with
    /// [`WorkerCommand`]'s arguments) under the memory budget and the compile deadline; the
    /// compiled model comes back as a blob the host imports. A crash, a memory bomb or a
    /// compile that never ends costs the worker, not the host.
    Sandboxed(WorkerCommand),
    /// Guest models are read and compiled in the host process. Only for trusted guests and
    /// benchmarks: the gate still refuses external data, but compile memory and time are not
    /// bounded and a frontend crash takes the host down.
    InProcess,
}

/// How to start a model worker: a program whose `main` calls
/// [`sandbox::worker_main`](crate::sandbox::worker_main) when it receives these arguments. The
/// `wasi-nn-host` CLI is one: `wasi-nn-host __model-worker`.
///
/// ```
/// use wasi_nn_host::WorkerCommand;
/// let worker = WorkerCommand::new("/usr/bin/wasi-nn-host", ["__model-worker"]);
/// assert_eq!(worker.program.to_str(), Some("/usr/bin/wasi-nn-host"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerCommand {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
}

impl WorkerCommand {
    /// A worker started as `program args...`.
    pub fn new(
        program: impl Into<PathBuf>,
        args: impl IntoIterator<Item = impl Into<OsString>>,
    ) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
        }
    }
}

/// Whether and how guests may `load` models from bytes (`load_by_name` of registered graphs is
/// always available).
///
/// ```
/// use wasi_nn_host::{Encoding, GuestLoadPolicy, GuestLoads};
/// let policy = GuestLoadPolicy::default();
/// assert_eq!(policy.mode, GuestLoads::Denied);
/// assert!(policy.allows(Encoding::Onnx));
/// assert!(!policy.allows(Encoding::Tensorflow));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestLoadPolicy {
    /// Where guest models are compiled, if at all. Default [`GuestLoads::Denied`].
    pub mode: GuestLoads,
    /// The encodings guests may send. Default IR, ONNX and TensorFlow Lite: the frontends that
    /// read from memory or a single file; TensorFlow GraphDefs are off unless listed.
    pub encodings: Vec<Encoding>,
}

impl Default for GuestLoadPolicy {
    fn default() -> Self {
        Self {
            mode: GuestLoads::Denied,
            encodings: vec![Encoding::Openvino, Encoding::Onnx, Encoding::TensorflowLite],
        }
    }
}

impl GuestLoadPolicy {
    /// Whether guests may send this encoding (`autodetect` is judged after detection).
    pub fn allows(&self, encoding: Encoding) -> bool {
        self.encodings.contains(&encoding)
    }
}

/// Time limits. `None` means no limit.
///
/// ```
/// use std::time::Duration;
/// let deadlines = wasi_nn_host::Deadlines::default();
/// assert_eq!(deadlines.compute, Some(Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Reading and compiling one guest model (enforced by killing the worker: sandboxed loads
    /// only). Default 60 s.
    pub compile: Option<Duration>,
    /// One `compute`: past it the host cancels the inference and answers `Timeout`; the context
    /// answers `Busy` until OpenVINO has stopped (it stops between nodes, not inside one).
    /// Default 30 s.
    pub compute: Option<Duration>,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            compile: Some(Duration::from_secs(60)),
            compute: Some(Duration::from_secs(30)),
        }
    }
}

/// How the embedder configures the host: device override, OpenVINO properties, model cache,
/// limits per instance and for the whole backend, deadlines, and the guest-load policy.
///
/// ```
/// use wasi_nn_host::{BackendConfig, Limits};
/// let config = BackendConfig {
///     device_override: Some("AUTO".into()),
///     properties: vec![("INFERENCE_PRECISION_HINT".into(), "f32".into())],
///     limits: Limits { max_graphs: 4, ..Limits::default() },
///     ..BackendConfig::default()
/// };
/// assert_eq!(config.limits.max_graphs, 4);
/// assert_eq!(config.max_backend_memory_bytes, 4 << 30);
/// ```
#[derive(Debug, Clone)]
pub struct BackendConfig {
    /// Compile every graph for this OpenVINO device instead of the guest's target.
    pub device_override: Option<String>,
    /// OpenVINO properties passed when compiling (e.g. `INFERENCE_PRECISION_HINT=f32`).
    pub properties: Vec<(String, String)>,
    /// OpenVINO's model cache folder for registered graphs: a second start skips compilation.
    /// Guest models never use it (a guest could fill the disk).
    pub cache_dir: Option<PathBuf>,
    /// Per-instance limits.
    pub limits: Limits,
    /// Host memory all instances together may make the host hold (same accounting as
    /// [`Limits::max_memory_bytes`]). Default 4 GiB, which fits a 2-core / 8 GB machine.
    pub max_backend_memory_bytes: u64,
    /// Time limits.
    pub deadlines: Deadlines,
    /// Whether guests may load models from bytes.
    pub guest_loads: GuestLoadPolicy,
}

impl Default for BackendConfig {
    fn default() -> Self {
        Self {
            device_override: None,
            properties: Vec::new(),
            cache_dir: None,
            limits: Limits::default(),
            max_backend_memory_bytes: 4 * GIB,
            deadlines: Deadlines::default(),
            guest_loads: GuestLoadPolicy::default(),
        }
    }
}
