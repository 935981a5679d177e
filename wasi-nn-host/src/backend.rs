//! OpenVINO behind wasi-nn: reading graphs in every encoding OpenVINO knows, compiling them for
//! the requested device, and the registry of named graphs shared by every instance.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use openvino::{CompiledModel, Core, DeviceType, Model, PropertyKey};

use crate::gate;
use crate::witx::types::{ExecutionTarget, GraphEncoding, NnErrno};
use crate::{Error, Limits};

/// A compiled graph, shared by every execution context (and, for named graphs, every instance
/// and thread) that uses it.
pub struct Graph {
    compiled: CompiledModel,
    inputs: usize,
    outputs: usize,
    device: String,
}

impl Graph {
    /// The compiled model.
    pub fn compiled(&self) -> &CompiledModel {
        &self.compiled
    }

    /// The number of inputs.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// The number of outputs.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The OpenVINO device it was compiled for.
    pub fn device(&self) -> &str {
        &self.device
    }
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .field("device", &self.device)
            .finish()
    }
}

/// How the embedder configures the host: device override, OpenVINO properties, model cache and
/// resource limits.
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
/// ```
#[derive(Debug, Clone, Default)]
pub struct BackendConfig {
    /// Compile every graph for this OpenVINO device instead of the guest's target.
    pub device_override: Option<String>,
    /// OpenVINO properties passed when compiling (e.g. `INFERENCE_PRECISION_HINT=f32`).
    pub properties: Vec<(String, String)>,
    /// OpenVINO's model cache folder: a second start skips compilation.
    pub cache_dir: Option<PathBuf>,
    /// Per-instance limits.
    pub limits: Limits,
}

/// OpenVINO for wasi-nn: one `Core`, the configuration, and the named graphs. Shared (`Arc`)
/// by every [`WasiNnCtx`](crate::WasiNnCtx).
///
/// ```
/// use wasi_nn_host::{Backend, BackendConfig};
/// let backend = Backend::new(BackendConfig::default())?;
/// assert!(backend.graph_by_name("nothing-registered").is_none());
/// # Ok::<(), wasi_nn_host::Error>(())
/// ```
pub struct Backend {
    core: Core,
    config: BackendConfig,
    named: RwLock<HashMap<String, Arc<Graph>>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// An encoding OpenVINO reads, after `autodetect` is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Ir,
    Onnx,
    TensorFlow,
    TensorFlowLite,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Ir => "xml",
            Format::Onnx => "onnx",
            Format::TensorFlow => "pb",
            Format::TensorFlowLite => "tflite",
        }
    }
}

impl Backend {
    /// Creates the OpenVINO core (loading the library with `runtime-linking`).
    pub fn new(mut config: BackendConfig) -> Result<Self, Error> {
        let core = Core::new().map_err(|e| Error::runtime("cannot start OpenVINO", e))?;
        if let Some(dir) = &config.cache_dir {
            // Passed with every compilation, so it applies whatever the device.
            let dir = dir.to_string_lossy().into_owned();
            config
                .properties
                .push((PropertyKey::CacheDir.as_str().to_owned(), dir));
        }
        Ok(Self {
            core,
            config,
            named: RwLock::new(HashMap::new()),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &BackendConfig {
        &self.config
    }

    /// The OpenVINO device for a wasi-nn target (or the embedder's override).
    pub fn device_for(&self, target: ExecutionTarget) -> String {
        if let Some(device) = &self.config.device_override {
            return device.clone();
        }
        match target {
            ExecutionTarget::Cpu => "CPU",
            ExecutionTarget::Gpu => "GPU",
            ExecutionTarget::Tpu => "NPU",
        }
        .to_owned()
    }

    /// Reads and compiles a graph from the guest's builders.
    pub fn load(
        &self,
        builders: &[&[u8]],
        encoding: GraphEncoding,
        device: &str,
    ) -> Result<Graph, Error> {
        let total: usize = builders.iter().map(|b| b.len()).sum();
        if total as u64 > self.config.limits.max_model_bytes {
            return Err(Error::new(
                NnErrno::TooLarge,
                format!(
                    "graph of {total} bytes exceeds the host's limit of {} bytes",
                    self.config.limits.max_model_bytes
                ),
            ));
        }
        let encoding = match encoding {
            GraphEncoding::Openvino => gate::Encoding::Ir,
            GraphEncoding::Onnx => gate::Encoding::Onnx,
            GraphEncoding::Tensorflow => gate::Encoding::TensorFlow,
            GraphEncoding::Tensorflowlite => gate::Encoding::TensorFlowLite,
            GraphEncoding::Pytorch => {
                return Err(Error::new(
                    NnErrno::UnsupportedOperation,
                    "OpenVINO cannot read TorchScript without Python; convert the model to ONNX or IR",
                ));
            }
            GraphEncoding::Autodetect => gate::Encoding::Autodetect,
        };
        // No OpenVINO frontend sees guest bytes the gate has not checked.
        let checked = gate::check(encoding, builders).map_err(|e| {
            let errno = match e.kind() {
                gate::GateErrorKind::Builders => NnErrno::InvalidArgument,
                _ => NnErrno::InvalidEncoding,
            };
            Error::new(errno, format!("model refused: {e}"))
        })?;
        let format = match checked.format() {
            gate::Format::Ir => Format::Ir,
            gate::Format::Onnx => Format::Onnx,
            gate::Format::TensorFlow => Format::TensorFlow,
            gate::Format::TensorFlowLite => Format::TensorFlowLite,
        };
        let model = self.read(format, builders)?;
        self.compile(&model, device)
    }

    fn read(&self, format: Format, builders: &[&[u8]]) -> Result<Model, Error> {
        let started = Instant::now();
        let model = match (format, builders) {
            (Format::Ir, [xml, weights]) => self
                .core
                .read_model_from_buffer(xml, Some(weights))
                .map_err(|e| Error::new(NnErrno::InvalidEncoding, format!("not an OpenVINO IR model: {e}")))?,
            (Format::Ir, [xml]) => self
                .core
                .read_model_from_buffer(xml, None)
                .map_err(|e| Error::new(NnErrno::InvalidEncoding, format!("not an OpenVINO IR model: {e}")))?,
            (Format::Ir, _) => {
                return Err(Error::invalid(format!(
                    "the openvino encoding takes 2 builders (IR XML, weights), not {}",
                    builders.len()
                )));
            }
            (_, [bytes]) => match self.core.read_model_from_buffer(bytes, None) {
                Ok(model) => model,
                // Some frontends (TensorFlow Lite, TensorFlow) read only files.
                Err(memory_error) => self.read_through_file(format, bytes).map_err(|file_error| {
                    Error::new(
                        NnErrno::InvalidEncoding,
                        format!(
                            "not a {format:?} model: from memory: {memory_error}; from a file: {}",
                            file_error.message()
                        ),
                    )
                })?,
            },
            (_, _) => {
                return Err(Error::invalid(format!(
                    "the {format:?} encoding takes 1 builder, not {}",
                    builders.len()
                )));
            }
        };
        tracing::debug!(format = ?format, elapsed = ?started.elapsed(), "graph read");
        Ok(model)
    }

    /// Reads a model through a private temporary file, removed whatever happens.
    fn read_through_file(&self, format: Format, bytes: &[u8]) -> Result<Model, Error> {
        let file = TempFile::create(format.extension(), bytes).map_err(|e| {
            Error::new(
                NnErrno::RuntimeError,
                format!("cannot write a temporary model file: {e}"),
            )
        })?;
        self.core
            .read_model_from_file(file.path(), None)
            .map_err(|e| Error::new(NnErrno::InvalidEncoding, e.to_string()))
    }

    fn properties(&self) -> Vec<(PropertyKey, &str)> {
        self.config
            .properties
            .iter()
            .map(|(k, v)| (PropertyKey::from(k.as_str()), v.as_str()))
            .collect()
    }

    fn compile(&self, model: &Model, device: &str) -> Result<Graph, Error> {
        self.check_device(device)?;
        let started = Instant::now();
        let compiled = self
            .core
            .compile_model(model, &DeviceType::from(device), &self.properties())
            .map_err(|e| Error::runtime(&format!("cannot compile the graph for {device}"), e))?;
        tracing::debug!(device, elapsed = ?started.elapsed(), "graph compiled");
        Self::graph(compiled, device)
    }

    fn graph(compiled: CompiledModel, device: &str) -> Result<Graph, Error> {
        let inputs = compiled
            .inputs_len()
            .map_err(|e| Error::runtime("cannot count inputs", e))?;
        let outputs = compiled
            .outputs_len()
            .map_err(|e| Error::runtime("cannot count outputs", e))?;
        Ok(Graph {
            compiled,
            inputs,
            outputs,
            device: device.to_owned(),
        })
    }

    /// A device that is not present answers `unsupported_operation` before OpenVINO is asked to
    /// compile for it. Composite devices (AUTO, HETERO:..., MULTI:...) are left to OpenVINO.
    fn check_device(&self, device: &str) -> Result<(), Error> {
        let base = device.split(['.', ':']).next().unwrap_or(device);
        if matches!(base, "AUTO" | "HETERO" | "MULTI" | "BATCH") {
            return Ok(());
        }
        let available = self
            .core
            .available_devices()
            .map_err(|e| Error::runtime("cannot list devices", e))?;
        if available
            .iter()
            .any(|d| d.as_str() == device || d.as_str().split('.').next() == Some(base))
        {
            Ok(())
        } else {
            Err(Error::new(
                NnErrno::UnsupportedOperation,
                format!(
                    "device {device} is not present here (available: {})",
                    available
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    }

    /// Reads and compiles a model file once and registers it under `name` for `load_by_name`.
    /// The encoding follows the file (OpenVINO's frontends tell IR, ONNX, TensorFlow, TFLite and
    /// PaddlePaddle apart); `device` defaults to the override or CPU.
    pub fn register(
        &self,
        name: &str,
        path: &Path,
        device: Option<&str>,
    ) -> Result<Arc<Graph>, Error> {
        if !path.is_file() {
            return Err(Error::new(
                NnErrno::NotFound,
                format!("model file {} does not exist", path.display()),
            ));
        }
        let device = device
            .map(str::to_owned)
            .unwrap_or_else(|| self.device_for(ExecutionTarget::Cpu));
        self.check_device(&device)?;
        let started = Instant::now();
        // Compiling straight from the file lets OpenVINO's model cache skip reading and compiling.
        let compiled = self
            .core
            .compile_model_from_file(path, &DeviceType::from(device.as_str()), &self.properties())
            .map_err(|e| {
                Error::runtime(
                    &format!("cannot compile {} for {device}", path.display()),
                    e,
                )
            })?;
        tracing::info!(name, path = %path.display(), device, elapsed = ?started.elapsed(), "named graph compiled");
        let graph = Arc::new(Self::graph(compiled, &device)?);
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
}

/// A private file in the temp folder, removed on drop (also on errors and panics).
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    fn create(extension: &str, bytes: &[u8]) -> std::io::Result<Self> {
        use std::io::Write;
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "wasi-nn-host-{}-{n}.{extension}",
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path)?;
        let file_guard = Self { path };
        file.write_all(bytes)?;
        Ok(file_guard)
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_are_removed_on_drop() {
        let file = TempFile::create("onnx", b"bytes").unwrap();
        let path = file.path().to_owned();
        assert!(path.exists());
        drop(file);
        assert!(!path.exists());
    }
}
