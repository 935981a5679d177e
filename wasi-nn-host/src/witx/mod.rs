//! The `wasi_ephemeral_nn` ABI (witx): `wiggle::from_witx!` over `witx/wasi_ephemeral_nn.witx`,
//! implemented on [`WasiNnCtx`] over the backend. Guest memory is reached only through wiggle's
//! bounds-checked views; every backend error becomes an `nn_errno` in [`errno`], in one place.

mod ctx;

use openvino::ElementType;
use wiggle::{GuestMemory, GuestPtr};

pub use self::ctx::WasiNnCtx;
pub use self::types::{ExecutionTarget, GraphEncoding, NnErrno, TensorType};
use crate::backend::{Encoding, Error, ErrorKind, MAX_NAME_BYTES, MAX_RANK, Target};

wiggle::from_witx!({
    witx: ["witx/wasi_ephemeral_nn.witx"],
    errors: { nn_errno => Error },
    // Per-call spans cost about a tenth of a microsecond on every call; failures are logged
    // once, in `nn_errno_from_error`.
    tracing: false,
});

use types::{Graph, GraphBuilderArray, GraphExecutionContext, Tensor};

/// Guests may pass at most this many builders (IR needs 2; the rest 1).
const MAX_BUILDERS: u32 = 8;

/// Adds the `wasi_ephemeral_nn` functions to a Wasmtime linker; `get` reaches each store's
/// [`WasiNnCtx`]. It can sit beside wasmtime-wasi's preview1 functions in the same linker.
pub fn add_to_linker<T: 'static>(
    linker: &mut wasmtime::Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiNnCtx + Send + Sync + Copy + 'static,
) -> anyhow::Result<()> {
    wasi_ephemeral_nn::add_to_linker(linker, get)?;
    Ok(())
}

/// The one place backend errors become `nn_errno`s (see [`ErrorKind`] for the table).
pub fn errno(kind: ErrorKind) -> NnErrno {
    match kind {
        ErrorKind::InvalidArgument => NnErrno::InvalidArgument,
        ErrorKind::InvalidEncoding => NnErrno::InvalidEncoding,
        ErrorKind::UnsupportedOperation | ErrorKind::Denied => NnErrno::UnsupportedOperation,
        ErrorKind::TooLarge => NnErrno::TooLarge,
        ErrorKind::NotFound => NnErrno::NotFound,
        ErrorKind::Busy => NnErrno::Busy,
        ErrorKind::Timeout | ErrorKind::RuntimeError => NnErrno::RuntimeError,
    }
}

impl wiggle::GuestErrorType for NnErrno {
    fn success() -> Self {
        NnErrno::Success
    }
}

impl types::UserErrorConversion for WasiNnCtx {
    fn nn_errno_from_error(&mut self, e: Error) -> wiggle::error::Result<NnErrno> {
        self.session.backend().note_error("wasi_ephemeral_nn", &e);
        Ok(errno(e.kind()))
    }
}

impl From<wiggle::GuestError> for Error {
    fn from(e: wiggle::GuestError) -> Self {
        Error::invalid(format!("bad guest memory access: {e}"))
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

fn encoding(e: GraphEncoding) -> Encoding {
    match e {
        GraphEncoding::Openvino => Encoding::Openvino,
        GraphEncoding::Onnx => Encoding::Onnx,
        GraphEncoding::Tensorflow => Encoding::Tensorflow,
        GraphEncoding::Pytorch => Encoding::Pytorch,
        GraphEncoding::Tensorflowlite => Encoding::TensorflowLite,
        GraphEncoding::Autodetect => Encoding::Autodetect,
    }
}

fn target(t: ExecutionTarget) -> Target {
    match t {
        ExecutionTarget::Cpu => Target::Cpu,
        ExecutionTarget::Gpu => Target::Gpu,
        ExecutionTarget::Tpu => Target::Tpu,
    }
}

impl WasiNnCtx {
    /// Refuses a call that would copy more guest bytes than the store's hostcall fuel allows.
    fn spend_fuel(&self, bytes: u64, what: &str) -> Result<(), Error> {
        if bytes > self.call_fuel as u64 {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "{what} of {bytes} bytes exceeds the {} bytes one host call may pass \
                     (the store's hostcall fuel)",
                    self.call_fuel
                ),
            ));
        }
        Ok(())
    }
}

impl wasi_ephemeral_nn::WasiEphemeralNn for WasiNnCtx {
    fn set_hostcall_fuel(&mut self, fuel: usize) {
        self.call_fuel = fuel;
    }

    fn load(
        &mut self,
        memory: &mut GuestMemory<'_>,
        builder: GraphBuilderArray,
        encoding: GraphEncoding,
        target: ExecutionTarget,
    ) -> Result<Graph, Error> {
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
        self.spend_fuel(total, "a model")?;
        // Borrowed in place from unshared memory (no copy); copied from shared memory.
        let bytes = parts
            .iter()
            .map(|p| memory.as_cow(*p))
            .collect::<Result<Vec<_>, _>>()?;
        let slices: Vec<&[u8]> = bytes.iter().map(|b| &**b).collect();
        let graph = self
            .session
            .load(&slices, self::encoding(encoding), self::target(target))?;
        Ok(Graph::from(self.insert_graph(graph)?))
    }

    fn load_by_name(
        &mut self,
        memory: &mut GuestMemory<'_>,
        name: GuestPtr<str>,
    ) -> Result<Graph, Error> {
        // Names longer than any registered one are refused before being read.
        if name.len() as usize > MAX_NAME_BYTES {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "no graph is registered under a {}-byte name (names are at most \
                     {MAX_NAME_BYTES} bytes)",
                    name.len()
                ),
            ));
        }
        self.spend_fuel(u64::from(name.len()), "a graph name")?;
        let name = memory.as_cow_str(name)?;
        let graph = self.session.load_by_name(&name)?;
        Ok(Graph::from(self.insert_graph(graph)?))
    }

    fn init_execution_context(
        &mut self,
        _memory: &mut GuestMemory<'_>,
        graph: Graph,
    ) -> Result<GraphExecutionContext, Error> {
        let graph = self.graph(graph.into())?.clone();
        let context = self.session.init_execution_context(&graph)?;
        Ok(GraphExecutionContext::from(self.insert_context(context)?))
    }

    fn set_input(
        &mut self,
        memory: &mut GuestMemory<'_>,
        context: GraphExecutionContext,
        index: u32,
        tensor: &Tensor,
    ) -> Result<(), Error> {
        if tensor.dimensions.len() as usize > MAX_RANK {
            return Err(Error::invalid(format!(
                "tensor of rank {}; at most {MAX_RANK}",
                tensor.dimensions.len()
            )));
        }
        self.spend_fuel(u64::from(tensor.data.len()), "tensor data")?;
        let dims: Vec<i64> = tensor
            .dimensions
            .iter()
            .map(|d| memory.read(d?).map(i64::from))
            .collect::<Result<_, _>>()?;
        let data = memory.as_cow(tensor.data)?;
        self.context(context.into())?.set_input(
            index as usize,
            element_type(tensor.type_),
            &dims,
            &data,
        )
    }

    fn get_output(
        &mut self,
        memory: &mut GuestMemory<'_>,
        context: GraphExecutionContext,
        index: u32,
        out_buffer: GuestPtr<u8>,
        out_buffer_max_size: u32,
    ) -> Result<u32, Error> {
        self.context(context.into())?
            .with_output(index as usize, |bytes, _dims, _type| {
                let len = u32::try_from(bytes.len())
                    .ok()
                    .filter(|len| *len <= out_buffer_max_size)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::TooLarge,
                            format!(
                                "output {index} is {} bytes; the guest buffer holds {out_buffer_max_size}",
                                bytes.len()
                            ),
                        )
                    })?;
                // One copy, from OpenVINO's tensor into guest memory, bounds-checked by wiggle.
                memory.copy_from_slice(bytes, out_buffer.as_array(len))?;
                Ok(len)
            })
    }

    fn compute(
        &mut self,
        _memory: &mut GuestMemory<'_>,
        context: GraphExecutionContext,
    ) -> Result<(), Error> {
        self.context(context.into())?.compute()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_an_errno() {
        let kinds = [
            (ErrorKind::InvalidArgument, NnErrno::InvalidArgument),
            (ErrorKind::InvalidEncoding, NnErrno::InvalidEncoding),
            (
                ErrorKind::UnsupportedOperation,
                NnErrno::UnsupportedOperation,
            ),
            (ErrorKind::Denied, NnErrno::UnsupportedOperation),
            (ErrorKind::TooLarge, NnErrno::TooLarge),
            (ErrorKind::NotFound, NnErrno::NotFound),
            (ErrorKind::Busy, NnErrno::Busy),
            (ErrorKind::Timeout, NnErrno::RuntimeError),
            (ErrorKind::RuntimeError, NnErrno::RuntimeError),
        ];
        for (kind, errno) in kinds {
            assert_eq!(super::errno(kind), errno, "{kind:?}");
        }
    }
}
