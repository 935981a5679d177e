//! The `wasi_ephemeral_nn` ABI: `wiggle::from_witx!` over `witx/wasi_ephemeral_nn.witx`, and its
//! implementation on [`WasiNnCtx`]. Guest memory is reached only through wiggle's bounds-checked
//! views; every error becomes an `nn_errno` here, in one place.

use std::sync::Arc;

use openvino::{ElementType, Shape, TensorSlot};
use wiggle::{GuestMemory, GuestPtr};

use crate::Error;
use crate::ctx::{ExecutionContext, WasiNnCtx};

wiggle::from_witx!({
    witx: ["witx/wasi_ephemeral_nn.witx"],
    errors: { nn_errno => Error },
    // Per-call spans cost about a tenth of a microsecond on every call; failures are logged
    // once, with OpenVINO's message, in `nn_errno_from_error`.
    tracing: false,
});

use types::{
    ExecutionTarget, Graph, GraphBuilderArray, GraphEncoding, GraphExecutionContext, NnErrno,
    Tensor, TensorType,
};

/// Guests may pass at most this many builders (IR needs 2; the rest 1).
const MAX_BUILDERS: u32 = 8;
/// Tensors of higher rank than this are refused before anything is allocated.
const MAX_RANK: u32 = 32;

impl wiggle::GuestErrorType for NnErrno {
    fn success() -> Self {
        NnErrno::Success
    }
}

impl types::UserErrorConversion for WasiNnCtx {
    fn nn_errno_from_error(&mut self, e: Error) -> wiggle::error::Result<NnErrno> {
        tracing::warn!(errno = ?e.errno(), "wasi-nn call failed: {}", e.message());
        Ok(e.errno())
    }
}

fn element_type(t: TensorType) -> ElementType {
    match t {
        TensorType::F16 => ElementType::F16,
        TensorType::F32 => ElementType::F32,
        TensorType::F64 => ElementType::F64,
        TensorType::U8 => ElementType::U8,
        TensorType::I32 => ElementType::I32,
        TensorType::I64 => ElementType::I64,
    }
}

fn element_size(t: TensorType) -> u64 {
    match t {
        TensorType::U8 => 1,
        TensorType::F16 => 2,
        TensorType::F32 | TensorType::I32 => 4,
        TensorType::F64 | TensorType::I64 => 8,
    }
}

impl wasi_ephemeral_nn::WasiEphemeralNn for WasiNnCtx {
    fn load(
        &mut self,
        memory: &mut GuestMemory<'_>,
        builder: GraphBuilderArray,
        encoding: GraphEncoding,
        target: ExecutionTarget,
    ) -> Result<Graph, Error> {
        // Refuse before reading or compiling anything when the instance is full.
        self.reserve_graph()?;
        if builder.len() > MAX_BUILDERS {
            return Err(Error::invalid(format!(
                "{} graph builders; at most {MAX_BUILDERS}",
                builder.len()
            )));
        }
        let mut parts = Vec::with_capacity(builder.len() as usize);
        let mut total: u64 = 0;
        for element in builder.iter() {
            let part: GuestPtr<[u8]> = memory.read(element?)?;
            total += u64::from(part.len());
            parts.push(part);
        }
        let limit = self.backend.config().limits.max_model_bytes;
        if total > limit {
            return Err(Error::new(
                NnErrno::TooLarge,
                format!("graph of {total} bytes exceeds the host's limit of {limit} bytes"),
            ));
        }
        // Borrowed in place from unshared memory (no copy); copied from shared memory.
        let bytes = parts
            .iter()
            .map(|p| memory.as_cow(*p))
            .collect::<Result<Vec<_>, _>>()?;
        let slices: Vec<&[u8]> = bytes.iter().map(|b| &**b).collect();
        let device = self.backend.device_for(target);
        let graph = self.backend.load(&slices, encoding, &device)?;
        let handle = self.insert_graph(Arc::new(graph))?;
        Ok(Graph::from(handle))
    }

    fn load_by_name(
        &mut self,
        memory: &mut GuestMemory<'_>,
        name: GuestPtr<str>,
    ) -> Result<Graph, Error> {
        self.reserve_graph()?;
        let name = memory.as_cow_str(name)?;
        let graph = self.backend.graph_by_name(&name).ok_or_else(|| {
            Error::new(
                NnErrno::NotFound,
                format!("no graph named {name:?} is registered"),
            )
        })?;
        let handle = self.insert_graph(graph)?;
        Ok(Graph::from(handle))
    }

    fn init_execution_context(
        &mut self,
        _memory: &mut GuestMemory<'_>,
        graph: Graph,
    ) -> Result<GraphExecutionContext, Error> {
        let graph = Arc::clone(self.graph(graph.into())?);
        let request = graph
            .compiled()
            .create_infer_request()
            .map_err(|e| Error::runtime("cannot create an infer request", e))?;
        let inputs = vec![None; graph.inputs()];
        let handle = self.insert_context(ExecutionContext {
            request,
            graph,
            inputs,
        })?;
        Ok(GraphExecutionContext::from(handle))
    }

    fn set_input(
        &mut self,
        memory: &mut GuestMemory<'_>,
        context: GraphExecutionContext,
        index: u32,
        tensor: &Tensor,
    ) -> Result<(), Error> {
        let max_tensor_bytes = self.backend.config().limits.max_tensor_bytes;
        let exec = self.context(context.into())?;
        if index as usize >= exec.graph.inputs() {
            return Err(Error::invalid(format!(
                "input index {index} is out of range: the graph has {} inputs",
                exec.graph.inputs()
            )));
        }
        if tensor.dimensions.len() > MAX_RANK {
            return Err(Error::invalid(format!(
                "tensor of rank {}; at most {MAX_RANK}",
                tensor.dimensions.len()
            )));
        }
        let dims: Vec<i64> = tensor
            .dimensions
            .iter()
            .map(|d| memory.read(d?).map(i64::from))
            .collect::<Result<_, _>>()?;
        let bytes = dims
            .iter()
            .try_fold(element_size(tensor.type_), |acc, d| {
                acc.checked_mul(*d as u64)
            })
            .ok_or_else(|| {
                Error::new(
                    NnErrno::TooLarge,
                    format!("tensor dimensions {dims:?} overflow"),
                )
            })?;
        if bytes > max_tensor_bytes {
            return Err(Error::new(
                NnErrno::TooLarge,
                format!(
                    "tensor of {bytes} bytes exceeds the host's limit of {max_tensor_bytes} bytes"
                ),
            ));
        }
        if bytes != u64::from(tensor.data.len()) {
            return Err(Error::invalid(format!(
                "tensor data is {} bytes but dimensions {dims:?} of {:?} need {bytes}",
                tensor.data.len(),
                tensor.type_
            )));
        }
        let element_type = element_type(tensor.type_);
        let shape = Shape::new(&dims).map_err(|e| Error::invalid(e.to_string()))?;
        let data = memory.as_cow(tensor.data)?;
        let slot = TensorSlot::Input(index as usize);
        // The same type and shape as the tensor this host last set at this index: copy straight
        // into it (no allocation, no shape query). Otherwise (first call, a new shape on a
        // dynamic model) set a new tensor and remember what it is.
        let known = (element_type, dims);
        if exec.inputs.get(index as usize).and_then(Option::as_ref) == Some(&known) {
            let mut current = exec
                .request
                .tensor_mut(slot)
                .map_err(|e| Error::runtime("cannot reach the input", e))?;
            let dst = current
                .as_bytes_mut()
                .map_err(|e| Error::runtime("cannot write the input", e))?;
            dst.copy_from_slice(&data);
            return Ok(());
        }
        let input = openvino::Tensor::from_bytes(element_type, &shape, &data)
            .map_err(|e| Error::runtime("cannot allocate the input tensor", e))?;
        exec.request
            .set_tensor(slot, input)
            .map_err(|e| Error::invalid(format!("the graph does not accept this input: {e}")))?;
        if let Some(entry) = exec.inputs.get_mut(index as usize) {
            *entry = Some(known);
        }
        Ok(())
    }

    fn get_output(
        &mut self,
        memory: &mut GuestMemory<'_>,
        context: GraphExecutionContext,
        index: u32,
        out_buffer: GuestPtr<u8>,
        out_buffer_max_size: u32,
    ) -> Result<u32, Error> {
        let exec = self.context(context.into())?;
        if index as usize >= exec.graph.outputs() {
            return Err(Error::invalid(format!(
                "output index {index} is out of range: the graph has {} outputs",
                exec.graph.outputs()
            )));
        }
        let output = exec
            .request
            .tensor(TensorSlot::Output(index as usize))
            .map_err(|e| Error::runtime("cannot read the output", e))?;
        let bytes = output
            .as_bytes()
            .map_err(|e| Error::runtime("cannot read the output", e))?;
        let len = u32::try_from(bytes.len())
            .ok()
            .filter(|len| *len <= out_buffer_max_size)
            .ok_or_else(|| {
                Error::new(
                    NnErrno::TooLarge,
                    format!(
                        "output {index} is {} bytes; the guest buffer holds {out_buffer_max_size}",
                        bytes.len()
                    ),
                )
            })?;
        // One copy, from OpenVINO's tensor into guest memory, bounds-checked by wiggle.
        memory.copy_from_slice(bytes, out_buffer.as_array(len))?;
        Ok(len)
    }

    fn compute(
        &mut self,
        _memory: &mut GuestMemory<'_>,
        context: GraphExecutionContext,
    ) -> Result<(), Error> {
        let exec = self.context(context.into())?;
        // Timed only when someone listens (`wasi-nn-host -v`).
        let started = tracing::enabled!(tracing::Level::DEBUG).then(std::time::Instant::now);
        exec.request
            .infer()
            .map_err(|e| Error::runtime("inference failed", e))?;
        if let Some(started) = started {
            tracing::debug!(elapsed = ?started.elapsed(), "compute");
        }
        Ok(())
    }
}
