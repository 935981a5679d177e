//! The `wasi:nn@0.2.0-rc-2024-10-28` WIT interface, for components: `bindgen!` over
//! `wit/wasi-nn.wit` (the same interface as Wasmtime 48's `wasmtime-wasi-nn`, so one component
//! runs on either host), implemented over the backend with the resources in the store's
//! [`ResourceTable`]. Every backend error becomes an `error` resource whose `code` comes from
//! [`error_code`], in one place, and whose `data` is the whole message, OpenVINO's included.
//!
//! What a guest sees, beyond the WIT:
//! - `compute` takes inputs by any of the input's tensor names, each at most once; inputs set by
//!   an earlier `compute` of the same context stay set; outputs come back in the graph's order,
//!   each under its name (Wasmtime's host names them `"0"`, `"1"`, ...: portable guests take
//!   outputs by position).
//! - A tensor's length, type and shape are checked by `compute` (the constructor has no way to
//!   answer an error); a tensor larger than the host's limit or its memory budget is refused
//!   there too, with `too-large`, and its bytes are not kept.
//! - Graphs, contexts and the inputs they hold count against the instance's
//!   [`Limits`](crate::Limits) and memory budget exactly as in the witx ABI, and so do the bytes
//!   of every live tensor resource; the store's handle limit and hostcall fuel (see
//!   [`wasmtime::Store::set_hostcall_fuel`]) bound how many resources and bytes a guest can pass.
//!
//! Copies per inference: input: guest memory -> host `Vec` (the canonical ABI lifting the tensor
//! data) -> OpenVINO's input tensor (2 copies); output: OpenVINO's output tensor -> the output
//! tensor resource -> a `Vec` for `data` -> guest memory (3 copies: `data` may be called any
//! number of times, so it returns a copy).

use std::sync::Arc;

use openvino::ElementType;
use wasmtime::component::{HasData, Resource, ResourceTable, ResourceTableError};

use crate::backend::{
    Charge, Encoding, Error, ErrorKind, ExecutionContext, GraphHandle, MAX_RANK, Session, Target,
};
use crate::{Backend, backend};

mod generated {
    wasmtime::component::bindgen!({
        world: "ml",
        path: "wit",
        with: {
            "wasi:nn/tensor.tensor": super::Tensor,
            "wasi:nn/graph.graph": crate::backend::GraphHandle,
            "wasi:nn/inference.graph-execution-context": crate::backend::ExecutionContext,
            "wasi:nn/errors.error": crate::backend::Error,
        },
        // `compute` awaits OpenVINO's asynchronous inference and `init-execution-context` may
        // wait for a pooled infer request: async host calls, so that a server's threads never
        // block on a model. Every other call is short and synchronous.
        imports: {
            "wasi:nn/inference.[method]graph-execution-context.compute": async | trappable,
            "wasi:nn/graph.[method]graph.init-execution-context": async | trappable,
            default: trappable,
        },
    });
}

use generated::wasi::nn::{errors, graph, inference, tensor};

pub use generated::wasi::nn::errors::ErrorCode;
pub use generated::wasi::nn::graph::{ExecutionTarget, GraphEncoding};
pub use generated::wasi::nn::tensor::TensorType;

/// Guests may pass at most this many graph builders (IR needs 2; the rest 1), as in witx.
const MAX_BUILDERS: usize = 8;

/// The one place backend errors become WIT `error-code`s (see [`ErrorKind`] for the table).
///
/// ```
/// use wasi_nn_host::backend::ErrorKind;
/// use wasi_nn_host::wit::{ErrorCode, error_code};
/// assert_eq!(error_code(ErrorKind::Denied), ErrorCode::Security);
/// assert_eq!(error_code(ErrorKind::Timeout), ErrorCode::Timeout);
/// ```
pub fn error_code(kind: ErrorKind) -> ErrorCode {
    match kind {
        ErrorKind::InvalidArgument => ErrorCode::InvalidArgument,
        ErrorKind::InvalidEncoding => ErrorCode::InvalidEncoding,
        ErrorKind::UnsupportedOperation => ErrorCode::UnsupportedOperation,
        ErrorKind::Denied => ErrorCode::Security,
        ErrorKind::TooLarge => ErrorCode::TooLarge,
        ErrorKind::NotFound => ErrorCode::NotFound,
        // The WIT has no `busy`; the guest may retry, as after other runtime errors.
        ErrorKind::Busy | ErrorKind::RuntimeError => ErrorCode::RuntimeError,
        ErrorKind::Timeout => ErrorCode::Timeout,
    }
}

/// The OpenVINO element type of a WIT tensor type.
pub fn element_type(ty: TensorType) -> ElementType {
    match ty {
        TensorType::Fp16 => ElementType::F16,
        TensorType::Fp32 => ElementType::F32,
        TensorType::Fp64 => ElementType::F64,
        TensorType::Bf16 => ElementType::Bf16,
        TensorType::U8 => ElementType::U8,
        TensorType::I32 => ElementType::I32,
        TensorType::I64 => ElementType::I64,
    }
}

/// The WIT tensor type of an OpenVINO element type, if the WIT has one.
fn tensor_type(element_type: ElementType) -> Option<TensorType> {
    Some(match element_type {
        ElementType::F16 => TensorType::Fp16,
        ElementType::F32 => TensorType::Fp32,
        ElementType::F64 => TensorType::Fp64,
        ElementType::Bf16 => TensorType::Bf16,
        ElementType::U8 => TensorType::U8,
        ElementType::I32 => TensorType::I32,
        ElementType::I64 => TensorType::I64,
        _ => return None,
    })
}

fn encoding(e: GraphEncoding) -> Encoding {
    match e {
        GraphEncoding::Openvino => Encoding::Openvino,
        GraphEncoding::Onnx => Encoding::Onnx,
        GraphEncoding::Tensorflow => Encoding::Tensorflow,
        GraphEncoding::Pytorch => Encoding::Pytorch,
        GraphEncoding::Tensorflowlite => Encoding::TensorflowLite,
        GraphEncoding::Ggml => Encoding::Ggml,
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

/// A `tensor` resource: dimensions, type and data, charged to the instance's memory budget while
/// it lives. A tensor the host refused (too large) keeps only why.
///
/// ```
/// use wasi_nn_host::wit::{Tensor, TensorType};
/// let tensor = Tensor::new(vec![1, 2], TensorType::Fp32, vec![0; 8]);
/// assert_eq!(tensor.dimensions(), &[1, 2]);
/// assert_eq!(tensor.data().unwrap().len(), 8);
/// ```
#[derive(Debug)]
pub struct Tensor {
    dimensions: Vec<u32>,
    ty: TensorType,
    data: Result<Vec<u8>, Error>,
    _charge: Charge,
}

impl Tensor {
    /// A tensor charged to nobody (for embedders and tests; guests' tensors are charged).
    pub fn new(dimensions: Vec<u32>, ty: TensorType, data: Vec<u8>) -> Self {
        Self {
            dimensions,
            ty,
            data: Ok(data),
            _charge: Charge::none(),
        }
    }

    /// A guest's tensor, within the per-tensor limit and charged to the instance's budget; if
    /// refused, the bytes are freed now and `compute` answers why.
    fn charged(session: &Session, dimensions: Vec<u32>, ty: TensorType, data: Vec<u8>) -> Self {
        let limit = session.backend().config().limits.max_tensor_bytes;
        let bytes = data.len() as u64 + 4 * dimensions.len() as u64;
        let charge = if data.len() as u64 > limit {
            Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "a tensor of {} bytes exceeds the host's limit of {limit} bytes per tensor",
                    data.len()
                ),
            ))
        } else {
            session.charge(bytes, "a tensor")
        };
        match charge {
            Ok(charge) => Self {
                dimensions,
                ty,
                data: Ok(data),
                _charge: charge,
            },
            Err(e) => Self {
                dimensions,
                ty,
                data: Err(e),
                _charge: Charge::none(),
            },
        }
    }

    /// The dimensions.
    pub fn dimensions(&self) -> &[u32] {
        &self.dimensions
    }

    /// The element type.
    pub fn ty(&self) -> TensorType {
        self.ty
    }

    /// The data, or why the host refused to keep it.
    pub fn data(&self) -> Result<&[u8], Error> {
        self.data.as_deref().map_err(Clone::clone)
    }
}

/// The wasi:nn (WIT) state of one store: the backend [`Session`] (limits, budget, handle counts).
/// The resources themselves live in the store's [`ResourceTable`], which [`WasiNnView`] pairs
/// with this.
///
/// ```
/// use std::sync::Arc;
/// use wasi_nn_host::{Backend, BackendConfig};
/// let backend = Arc::new(Backend::new(BackendConfig::default())?);
/// let ctx = wasi_nn_host::wit::WasiNnCtx::new(backend);
/// assert_eq!(ctx.graph_count(), 0);
/// # Ok::<(), wasi_nn_host::backend::Error>(())
/// ```
#[derive(Debug)]
pub struct WasiNnCtx {
    session: Session,
    asynchronous: bool,
}

impl WasiNnCtx {
    /// A fresh context for one store. `compute` runs the inference on the calling thread (what
    /// a program that runs alone wants: the lowest latency); see
    /// [`asynchronous`](Self::asynchronous) for servers.
    pub fn new(backend: Arc<Backend>) -> Self {
        Self {
            session: backend.session(),
            asynchronous: false,
        }
    }

    /// The same context for a server running many stores on a few async worker threads:
    /// `compute` starts OpenVINO's asynchronous inference and awaits its completion callback,
    /// and `init-execution-context` of a pooled graph awaits a free infer request (see
    /// [`Backend::register_pooled`]), so no worker thread blocks on a model.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use wasi_nn_host::{Backend, BackendConfig};
    /// let backend = Arc::new(Backend::new(BackendConfig::default())?);
    /// let ctx = wasi_nn_host::wit::WasiNnCtx::new(backend).asynchronous();
    /// # let _ = ctx;
    /// # Ok::<(), wasi_nn_host::backend::Error>(())
    /// ```
    pub fn asynchronous(mut self) -> Self {
        self.asynchronous = true;
        self
    }

    /// The shared backend.
    pub fn backend(&self) -> &Arc<Backend> {
        self.session.backend()
    }

    /// Graphs the store's guests hold.
    pub fn graph_count(&self) -> usize {
        self.session.graph_count()
    }

    /// Execution contexts the store's guests hold.
    pub fn context_count(&self) -> usize {
        self.session.context_count()
    }

    /// Host memory charged to this store (guest graphs, contexts, inputs, tensors).
    pub fn charged_bytes(&self) -> u64 {
        self.session.charged_bytes()
    }
}

/// What the host functions work on: the store's [`WasiNnCtx`] and its [`ResourceTable`] (the one
/// wasmtime-wasi's p2 uses can be shared). Made by the closure given to [`add_to_linker`].
///
/// ```
/// use std::sync::Arc;
/// use wasi_nn_host::wit::{WasiNnCtx, WasiNnView};
/// use wasi_nn_host::{Backend, BackendConfig};
/// use wasmtime::component::ResourceTable;
///
/// struct State { nn: WasiNnCtx, table: ResourceTable }
/// let backend = Arc::new(Backend::new(BackendConfig::default())?);
/// let mut state = State { nn: WasiNnCtx::new(backend), table: ResourceTable::new() };
/// let view = WasiNnView::new(&mut state.nn, &mut state.table);
/// # let _ = view;
/// # Ok::<(), wasi_nn_host::backend::Error>(())
/// ```
pub struct WasiNnView<'a> {
    ctx: &'a mut WasiNnCtx,
    table: &'a mut ResourceTable,
}

impl std::fmt::Debug for WasiNnView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiNnView")
            .field("ctx", &self.ctx)
            .finish_non_exhaustive()
    }
}

impl<'a> WasiNnView<'a> {
    /// Pairs the store's wasi-nn state with its resource table.
    pub fn new(ctx: &'a mut WasiNnCtx, table: &'a mut ResourceTable) -> Self {
        Self { ctx, table }
    }
}

struct HasWasiNn;

impl HasData for HasWasiNn {
    type Data<'a> = WasiNnView<'a>;
}

/// Adds the `wasi:nn@0.2.0-rc-2024-10-28` interfaces (`tensor`, `graph`, `inference`, `errors`)
/// to a component linker; `get` reaches each store's [`WasiNnView`]. It sits beside
/// `wasmtime_wasi::p2::add_to_linker_async` in the same linker.
///
/// `compute` and `init-execution-context` are async host functions, so components are
/// instantiated and called with Wasmtime's `*_async` functions (see [`run_component`] for a
/// command run to completion on the calling thread).
///
/// [`run_component`]: crate::run_component
///
/// ```
/// use std::sync::Arc;
/// use wasi_nn_host::wit::{WasiNnCtx, WasiNnView};
/// use wasi_nn_host::{Backend, BackendConfig};
/// use wasmtime::component::{Linker, ResourceTable};
///
/// struct State { nn: WasiNnCtx, table: ResourceTable }
/// let engine = wasmtime::Engine::default();
/// let mut linker: Linker<State> = Linker::new(&engine);
/// wasi_nn_host::wit::add_to_linker(&mut linker, |s: &mut State| {
///     WasiNnView::new(&mut s.nn, &mut s.table)
/// })?;
/// # Ok::<(), wasmtime::Error>(())
/// ```
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut wasmtime::component::Linker<T>,
    get: fn(&mut T) -> WasiNnView<'_>,
) -> wasmtime::Result<()> {
    tensor::add_to_linker::<T, HasWasiNn>(linker, get)?;
    graph::add_to_linker::<T, HasWasiNn>(linker, get)?;
    inference::add_to_linker::<T, HasWasiNn>(linker, get)?;
    errors::add_to_linker::<T, HasWasiNn>(linker, get)?;
    Ok(())
}

/// A call's answer: the value, or an `error` resource for the guest.
type Answer<T> = wasmtime::Result<Result<T, Resource<Error>>>;

/// A resource that is not in this store's table (dropped, of another store, or of another type):
/// only an embedder calling the host functions directly can cause it (the canonical ABI checks
/// guests' handles), and it is an error, not a panic.
fn missing(what: &str, e: ResourceTableError) -> Error {
    Error::invalid(format!("this {what} is not in this store ({e})"))
}

impl WasiNnView<'_> {
    /// Turns a backend result into the guest's answer: a new resource for the value, or an
    /// `error` resource. A full resource table is the guest's doing (it holds too many
    /// resources) and traps.
    fn answer<T: Send + 'static>(
        &mut self,
        call: &str,
        result: Result<T, Error>,
    ) -> Answer<Resource<T>> {
        match result {
            Ok(value) => Ok(Ok(self.table.push(value)?)),
            Err(e) => self.fail(call, e),
        }
    }

    fn fail<T>(&mut self, call: &str, e: Error) -> Answer<T> {
        self.ctx.session.backend().note_error(call, &e);
        Ok(Err(self.table.push(e)?))
    }

    async fn compute_named(
        &mut self,
        context: &Resource<ExecutionContext>,
        inputs: Vec<(String, Tensor)>,
    ) -> Result<Vec<(String, Tensor)>, Error> {
        let asynchronous = self.ctx.asynchronous;
        let context = self
            .table
            .get_mut(context)
            .map_err(|e| missing("execution context", e))?;
        let graph = Arc::clone(context.graph());
        // Which input each given tensor is for: each input at most once (by any of its names).
        // Every name is checked before any input is set, so a bad call changes nothing.
        let mut given: Vec<Option<&str>> = vec![None; graph.inputs().len()];
        let mut indices = Vec::with_capacity(inputs.len());
        for (name, tensor) in &inputs {
            let index = graph.input_index(name)?;
            if let Some(earlier) = given[index] {
                return Err(Error::invalid(format!(
                    "input {} is given twice (as {} and {})",
                    backend::quote(&graph.inputs()[index].name),
                    backend::quote(earlier),
                    backend::quote(name)
                )));
            }
            given[index] = Some(name);
            if tensor.dimensions.len() > MAX_RANK {
                return Err(Error::invalid(format!(
                    "input {}: tensor of rank {}; at most {MAX_RANK}",
                    backend::quote(name),
                    tensor.dimensions.len()
                )));
            }
            indices.push(index);
        }
        let mut dims = [0i64; MAX_RANK];
        for ((name, tensor), index) in inputs.iter().zip(indices) {
            let rank = tensor.dimensions.len();
            for (to, from) in dims.iter_mut().zip(&tensor.dimensions) {
                *to = i64::from(*from);
            }
            let data = tensor.data()?;
            context
                .set_input(index, element_type(tensor.ty), &dims[..rank], data)
                .map_err(|e| e.within(&format!("input {}", backend::quote(name))))?;
        }
        if asynchronous {
            context.compute_async().await?;
        } else {
            context.compute()?;
        }
        let mut outputs = Vec::with_capacity(graph.outputs().len());
        for (index, port) in graph.outputs().iter().enumerate() {
            let session = &self.ctx.session;
            let tensor = context.with_output(index, |bytes, dims, element_type| {
                let ty = tensor_type(element_type).ok_or_else(|| {
                    Error::new(
                        ErrorKind::UnsupportedOperation,
                        format!(
                            "output {:?} is of type {element_type}, which wasi-nn's WIT tensor \
                             types (fp16, fp32, fp64, bf16, u8, i32, i64) cannot express",
                            port.name
                        ),
                    )
                })?;
                let dimensions = dims
                    .iter()
                    .map(|d| u32::try_from(*d))
                    .collect::<Result<Vec<u32>, _>>()
                    .map_err(|_| {
                        Error::new(
                            ErrorKind::TooLarge,
                            format!("output {:?} has dimensions {dims:?} beyond u32", port.name),
                        )
                    })?;
                let charge = session.charge(
                    bytes.len() as u64 + 4 * dimensions.len() as u64,
                    "an output tensor",
                )?;
                Ok(Tensor {
                    dimensions,
                    ty,
                    data: Ok(bytes.to_vec()),
                    _charge: charge,
                })
            })?;
            outputs.push((port.name.clone(), tensor));
        }
        Ok(outputs)
    }
}

impl graph::Host for WasiNnView<'_> {
    fn load(
        &mut self,
        builders: Vec<Vec<u8>>,
        encoding: GraphEncoding,
        target: ExecutionTarget,
    ) -> Answer<Resource<GraphHandle>> {
        let result = if builders.len() > MAX_BUILDERS {
            Err(Error::invalid(format!(
                "{} graph builders; at most {MAX_BUILDERS}",
                builders.len()
            )))
        } else {
            let slices: Vec<&[u8]> = builders.iter().map(Vec::as_slice).collect();
            self.ctx
                .session
                .load(&slices, self::encoding(encoding), self::target(target))
        };
        // The builders' bytes are not needed once the graph is compiled.
        drop(builders);
        self.answer("wasi:nn/graph.load", result)
    }

    fn load_by_name(&mut self, name: String) -> Answer<Resource<GraphHandle>> {
        let result = self.ctx.session.load_by_name(&name);
        self.answer("wasi:nn/graph.load-by-name", result)
    }
}

impl graph::HostGraph for WasiNnView<'_> {
    async fn init_execution_context(
        &mut self,
        graph: Resource<GraphHandle>,
    ) -> Answer<Resource<ExecutionContext>> {
        let result = match self.table.get(&graph) {
            Ok(graph) => {
                let graph = graph.clone();
                match self.ctx.asynchronous {
                    true => self.ctx.session.init_execution_context_async(&graph).await,
                    false => self.ctx.session.init_execution_context(&graph),
                }
            }
            Err(e) => Err(missing("graph", e)),
        };
        self.answer("wasi:nn/graph.init-execution-context", result)
    }

    fn drop(&mut self, graph: Resource<GraphHandle>) -> wasmtime::Result<()> {
        // Contexts of the graph keep it alive (`Arc`); the guest's handle count goes down.
        self.table.delete(graph)?;
        Ok(())
    }
}

impl inference::Host for WasiNnView<'_> {}

impl inference::HostGraphExecutionContext for WasiNnView<'_> {
    async fn compute(
        &mut self,
        context: Resource<ExecutionContext>,
        inputs: Vec<(String, Resource<Tensor>)>,
    ) -> Answer<Vec<(String, Resource<Tensor>)>> {
        // The input tensors are the host's now (`own` handles), whatever happens next: take all
        // of them out of the table first, so that none is left behind on an early error.
        let mut tensors = Vec::with_capacity(inputs.len());
        let mut lost = None;
        for (name, tensor) in inputs {
            match self.table.delete(tensor) {
                Ok(tensor) => tensors.push((name, tensor)),
                Err(e) => lost = lost.or(Some(missing("tensor", e))),
            }
        }
        let result = match lost {
            Some(e) => Err(e),
            None => self.compute_named(&context, tensors).await,
        };
        let outputs = match result {
            Ok(outputs) => outputs,
            Err(e) => return self.fail("wasi:nn/inference.compute", e),
        };
        let mut answer = Vec::with_capacity(outputs.len());
        for (name, tensor) in outputs {
            match self.table.push(tensor) {
                Ok(handle) => answer.push((name, handle)),
                Err(e) => {
                    // Undo: the guest gets none of the outputs, and none stays in the table.
                    for (_, handle) in answer {
                        let _ = self.table.delete(handle);
                    }
                    return Err(e.into());
                }
            }
        }
        Ok(Ok(answer))
    }

    fn drop(&mut self, context: Resource<ExecutionContext>) -> wasmtime::Result<()> {
        self.table.delete(context)?;
        Ok(())
    }
}

impl tensor::Host for WasiNnView<'_> {}

impl tensor::HostTensor for WasiNnView<'_> {
    fn new(
        &mut self,
        dimensions: Vec<u32>,
        ty: TensorType,
        data: Vec<u8>,
    ) -> wasmtime::Result<Resource<Tensor>> {
        let tensor = Tensor::charged(&self.ctx.session, dimensions, ty, data);
        Ok(self.table.push(tensor)?)
    }

    fn dimensions(&mut self, tensor: Resource<Tensor>) -> wasmtime::Result<Vec<u32>> {
        Ok(self.table.get(&tensor)?.dimensions.clone())
    }

    fn ty(&mut self, tensor: Resource<Tensor>) -> wasmtime::Result<TensorType> {
        Ok(self.table.get(&tensor)?.ty)
    }

    fn data(&mut self, tensor: Resource<Tensor>) -> wasmtime::Result<Vec<u8>> {
        // No error channel here: the data of a tensor the host refused at construction is a
        // trap, with the reason.
        match &self.table.get(&tensor)?.data {
            Ok(data) => Ok(data.clone()),
            Err(e) => Err(wasmtime::Error::msg(format!(
                "wasi:nn tensor.data: the host did not keep this tensor's data: {}",
                e.detail()
            ))),
        }
    }

    fn drop(&mut self, tensor: Resource<Tensor>) -> wasmtime::Result<()> {
        self.table.delete(tensor)?;
        Ok(())
    }
}

impl errors::Host for WasiNnView<'_> {}

impl errors::HostError for WasiNnView<'_> {
    fn code(&mut self, error: Resource<Error>) -> wasmtime::Result<ErrorCode> {
        Ok(error_code(self.table.get(&error)?.kind()))
    }

    fn data(&mut self, error: Resource<Error>) -> wasmtime::Result<String> {
        Ok(self.table.get(&error)?.detail())
    }

    fn drop(&mut self, error: Resource<Error>) -> wasmtime::Result<()> {
        self.table.delete(error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime_wasi::runtime::in_tokio as block_on;

    #[test]
    fn every_kind_has_an_error_code() {
        let kinds = [
            (ErrorKind::InvalidArgument, ErrorCode::InvalidArgument),
            (ErrorKind::InvalidEncoding, ErrorCode::InvalidEncoding),
            (
                ErrorKind::UnsupportedOperation,
                ErrorCode::UnsupportedOperation,
            ),
            (ErrorKind::Denied, ErrorCode::Security),
            (ErrorKind::TooLarge, ErrorCode::TooLarge),
            (ErrorKind::NotFound, ErrorCode::NotFound),
            (ErrorKind::Busy, ErrorCode::RuntimeError),
            (ErrorKind::Timeout, ErrorCode::Timeout),
            (ErrorKind::RuntimeError, ErrorCode::RuntimeError),
        ];
        for (kind, code) in kinds {
            assert_eq!(error_code(kind), code, "{kind:?}");
        }
    }

    /// A store with a registered `add` graph, its graph and one context.
    fn store_with_context(
        backend: &Arc<Backend>,
    ) -> (
        WasiNnCtx,
        ResourceTable,
        Resource<GraphHandle>,
        Resource<ExecutionContext>,
    ) {
        let mut ctx = WasiNnCtx::new(Arc::clone(backend));
        let mut table = ResourceTable::new();
        let mut view = WasiNnView::new(&mut ctx, &mut table);
        let graph = graph::Host::load_by_name(&mut view, "add".into())
            .unwrap()
            .unwrap();
        let borrowed = Resource::new_borrow(graph.rep());
        let context = block_on(graph::HostGraph::init_execution_context(
            &mut view, borrowed,
        ))
        .unwrap()
        .unwrap();
        (ctx, table, graph, context)
    }

    #[test]
    fn a_resource_of_another_store_or_a_dropped_one_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("wit-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("add.xml"), openvino::doc_support::ADD_MODEL_XML).unwrap();
        let backend = Arc::new(Backend::new(crate::BackendConfig::default()).unwrap());
        backend.register("add", &dir.join("add.xml"), None).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let (mut ctx1, mut table1, _, _) = store_with_context(&backend);
        let (mut ctx2, mut table2, graph2, context2) = store_with_context(&backend);
        let mut view1 = WasiNnView::new(&mut ctx1, &mut table1);
        let tensor =
            tensor::HostTensor::new(&mut view1, vec![1, 4], TensorType::Fp32, vec![0; 16]).unwrap();
        let rep = tensor.rep();
        let mut view2 = WasiNnView::new(&mut ctx2, &mut table2);
        // Store 1's tensor in store 2: its number is store 2's graph, context or nothing.
        assert!(tensor::HostTensor::dimensions(&mut view2, Resource::new_borrow(rep)).is_err());
        let answer = block_on(inference::HostGraphExecutionContext::compute(
            &mut view2,
            Resource::new_borrow(context2.rep()),
            vec![("a".into(), Resource::new_own(rep))],
        ))
        .unwrap();
        let error = answer.expect_err("not a tensor of this store");
        let code = errors::HostError::code(&mut view2, Resource::new_borrow(error.rep())).unwrap();
        assert_eq!(code, ErrorCode::InvalidArgument);
        let data = errors::HostError::data(&mut view2, Resource::new_borrow(error.rep())).unwrap();
        assert!(data.contains("this tensor is not in this store"), "{data}");
        // Whatever that number was in store 2, the graph and context there still work (or are
        // reported gone, never a panic).
        let _ = block_on(graph::HostGraph::init_execution_context(
            &mut view2,
            Resource::new_borrow(graph2.rep()),
        ));
        // Dropped: the handle is stale in its own store.
        let mut view1 = WasiNnView::new(&mut ctx1, &mut table1);
        tensor::HostTensor::drop(&mut view1, tensor).unwrap();
        assert!(tensor::HostTensor::data(&mut view1, Resource::new_borrow(rep)).is_err());
        assert!(tensor::HostTensor::drop(&mut view1, Resource::new_own(rep)).is_err());
        let answer = block_on(inference::HostGraphExecutionContext::compute(
            &mut view1,
            Resource::new_borrow(9999),
            Vec::new(),
        ))
        .unwrap();
        let error = answer.expect_err("no such context");
        let data = errors::HostError::data(&mut view1, Resource::new_borrow(error.rep())).unwrap();
        assert!(
            data.contains("this execution context is not in this store"),
            "{data}"
        );
    }

    #[test]
    fn every_wit_tensor_type_maps_to_openvino_and_back() {
        use TensorType::*;
        for ty in [Fp16, Fp32, Fp64, Bf16, U8, I32, I64] {
            assert_eq!(tensor_type(element_type(ty)), Some(ty), "{ty:?}");
        }
        assert_eq!(tensor_type(ElementType::I8), None);
        assert_eq!(tensor_type(ElementType::Boolean), None);
    }
}
