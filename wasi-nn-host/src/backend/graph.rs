//! [`Graph`]: a compiled model and what the ABIs need to know about its inputs and outputs.

use std::sync::Arc;

use openvino::{CompiledModel, ElementType, PartialShape};

use super::budget::Charge;
use super::pool::InferPool;
use super::stats::Histogram;
use super::{Error, ErrorKind};

/// One input or output of a graph, as OpenVINO compiled it.
#[derive(Debug, Clone, PartialEq)]
pub struct PortInfo {
    /// One of the port's tensor names (OpenVINO's "any name").
    pub name: String,
    /// The element type.
    pub element_type: ElementType,
    /// The shape, possibly dynamic.
    pub shape: PartialShape,
}

impl PortInfo {
    /// Bytes of a tensor of this port, if its shape is static.
    pub(crate) fn static_bytes(&self) -> Option<u64> {
        let shape = self.shape.to_shape().ok()?;
        let count = u64::try_from(shape.element_count()?).ok()?;
        count
            .checked_mul(self.element_type.bit_width() as u64)?
            .checked_add(7)
            .map(|b| b / 8)
    }
}

/// A compiled graph, shared (`Arc`) by every execution context (and, for registered graphs, every
/// instance and thread) that uses it.
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use std::sync::Arc;
/// use wasi_nn_host::{Backend, BackendConfig};
/// # let dir = std::env::temp_dir().join(format!("graph-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// # std::fs::write(dir.join("add.xml"), model_xml)?;
/// let backend = Arc::new(Backend::new(BackendConfig::default())?);
/// let graph = backend.register("add", &dir.join("add.xml"), None)?;
/// assert_eq!(graph.inputs().len(), 2);
/// assert_eq!(graph.outputs()[0].name, "sum");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Graph {
    // Field order: the pooled requests, then the compiled model are freed before the charge is
    // given back.
    /// Infer requests made once and lent to contexts (registered graphs of `serve`).
    pool: Option<InferPool>,
    compiled: Arc<CompiledModel>,
    inputs: Vec<PortInfo>,
    outputs: Vec<PortInfo>,
    device: String,
    /// Host memory one execution context is expected to take (measured by the worker's trial
    /// inference where it ran; else the bytes of the static inputs and outputs).
    context_bytes: u64,
    /// What this graph is charged to (nothing for registered graphs).
    charge: Charge,
    /// How long its inferences take.
    inference_time: Histogram,
}

impl Graph {
    pub(crate) fn new(
        compiled: CompiledModel,
        device: &str,
        measured_context_bytes: Option<u64>,
        charge: Charge,
    ) -> Result<Self, Error> {
        let describe = |e| Error::openvino("cannot describe the compiled graph", e);
        let info = |port: openvino::Port<'_>| -> openvino::Result<PortInfo> {
            Ok(PortInfo {
                name: port.name()?,
                element_type: port.element_type()?,
                shape: port.partial_shape()?,
            })
        };
        let inputs = (0..compiled.inputs_len().map_err(describe)?)
            .map(|i| compiled.input_by_index(i).and_then(info))
            .collect::<openvino::Result<Vec<_>>>()
            .map_err(describe)?;
        let outputs = (0..compiled.outputs_len().map_err(describe)?)
            .map(|i| compiled.output_by_index(i).and_then(info))
            .collect::<openvino::Result<Vec<_>>>()
            .map_err(describe)?;
        let context_bytes = measured_context_bytes.unwrap_or_else(|| {
            inputs
                .iter()
                .chain(&outputs)
                .filter_map(PortInfo::static_bytes)
                .fold(0u64, u64::saturating_add)
        });
        Ok(Self {
            pool: None,
            compiled: Arc::new(compiled),
            inputs,
            outputs,
            device: device.to_owned(),
            context_bytes,
            charge,
            inference_time: Histogram::default(),
        })
    }

    /// The same graph with a pool of infer requests (see [`PoolSize`](super::PoolSize)).
    pub(crate) fn pooled(mut self, size: super::PoolSize) -> Result<Self, Error> {
        let dynamic = self.inputs.iter().any(|p| p.shape.is_dynamic());
        self.pool = Some(InferPool::new(Arc::clone(&self.compiled), size, dynamic)?);
        Ok(self)
    }

    pub(crate) fn pool(&self) -> Option<&InferPool> {
        self.pool.as_ref()
    }

    /// Infer requests made for this graph and lent to contexts, if it is pooled: `(size, idle,
    /// waiting)`, the contexts waiting for one included.
    pub fn pool_state(&self) -> Option<(usize, usize, usize)> {
        self.pool
            .as_ref()
            .map(|p| (p.size(), p.idle(), p.waiting()))
    }

    /// How long this graph's inferences took (each successful `compute`, OpenVINO's part only).
    pub fn inference_time(&self) -> &Histogram {
        &self.inference_time
    }

    /// The compiled model.
    pub fn compiled(&self) -> &CompiledModel {
        &self.compiled
    }

    /// The inputs, in order.
    pub fn inputs(&self) -> &[PortInfo] {
        &self.inputs
    }

    /// The outputs, in order.
    pub fn outputs(&self) -> &[PortInfo] {
        &self.outputs
    }

    /// The OpenVINO device it was compiled for.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Host memory charged for this graph (0 for registered graphs).
    pub fn charged_bytes(&self) -> u64 {
        self.charge.bytes()
    }

    pub(crate) fn context_bytes(&self) -> u64 {
        self.context_bytes
    }

    /// The index of the input with this name: any of the port's tensor names.
    pub fn input_index(&self, name: &str) -> Result<usize, Error> {
        self.index(name, true)
    }

    /// The index of the output with this name: any of the port's tensor names.
    pub fn output_index(&self, name: &str) -> Result<usize, Error> {
        self.index(name, false)
    }

    fn index(&self, name: &str, input: bool) -> Result<usize, Error> {
        let ports = if input { &self.inputs } else { &self.outputs };
        if let Some(i) = ports.iter().position(|p| p.name == name) {
            return Ok(i);
        }
        // Another of the port's names: OpenVINO finds the port; its any-name tells the index.
        let found = if input {
            self.compiled.input_by_name(name)
        } else {
            self.compiled.output_by_name(name)
        };
        let what = if input { "input" } else { "output" };
        let unknown = || {
            Error::invalid(format!(
                "the graph has no {what} named {}; its {what}s are {}",
                super::error::quote(name),
                ports
                    .iter()
                    .map(|p| format!("{:?}", p.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        let any_name = found.and_then(|port| port.name()).map_err(|_| unknown())?;
        ports
            .iter()
            .position(|p| p.name == any_name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::RuntimeError,
                    format!("OpenVINO found {what} {any_name:?} by name but not by index"),
                )
            })
    }
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .field("device", &self.device)
            .field("charged_bytes", &self.charge.bytes())
            .field("pool", &self.pool)
            .finish()
    }
}
