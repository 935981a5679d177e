//! [`WasiNnCtx`]: one Wasm instance's graphs and execution contexts.

use std::collections::HashMap;
use std::sync::Arc;

use openvino::{ElementType, InferRequest};

use crate::backend::{Backend, Graph};
use crate::{Error, NnErrno};

/// Limits an embedder sets per instance, so that no guest can make the host use unbounded
/// memory or handles.
///
/// ```
/// let limits = wasi_nn_host::Limits::default();
/// assert_eq!(limits.max_graphs, 16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Total bytes of the builders of one `load` (`too_large` past it). Default 1 GiB.
    pub max_model_bytes: u64,
    /// Graphs one instance may hold (`busy` past it; wasi-nn has no unload). Default 16.
    pub max_graphs: usize,
    /// Execution contexts one instance may hold (`busy` past it). Default 64.
    pub max_contexts: usize,
    /// Bytes of one input tensor (`too_large` past it). Default 512 MiB.
    pub max_tensor_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_model_bytes: 1 << 30,
            max_graphs: 16,
            max_contexts: 64,
            max_tensor_bytes: 512 << 20,
        }
    }
}

/// An execution context: an infer request of a graph, which it keeps alive.
pub(crate) struct ExecutionContext {
    // Field order: the request goes before the graph it was created from.
    pub(crate) request: InferRequest<'static>,
    pub(crate) graph: Arc<Graph>,
    /// Per input index: the element type and dimensions of the tensor this host set there.
    pub(crate) inputs: Vec<Option<(ElementType, Vec<i64>)>>,
}

/// The wasi-nn state of one Wasm instance: its graphs and execution contexts, over a shared
/// [`Backend`]. Reach it from the store's data with a closure given to
/// [`add_to_linker`](crate::add_to_linker).
///
/// Handles are numbered from 1 and never reused within an instance; a handle is published only
/// after its object is fully built; a bogus, stale or foreign handle answers `invalid_argument`.
///
/// ```
/// use std::sync::Arc;
/// use wasi_nn_host::{Backend, BackendConfig, WasiNnCtx};
/// let backend = Arc::new(Backend::new(BackendConfig::default())?);
/// let ctx = WasiNnCtx::new(Arc::clone(&backend));
/// assert_eq!(ctx.graph_count(), 0);
/// # Ok::<(), wasi_nn_host::Error>(())
/// ```
pub struct WasiNnCtx {
    pub(crate) backend: Arc<Backend>,
    pub(crate) graphs: HashMap<u32, Arc<Graph>>,
    pub(crate) contexts: HashMap<u32, ExecutionContext>,
    next_graph: u32,
    next_context: u32,
}

impl std::fmt::Debug for WasiNnCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiNnCtx")
            .field("graphs", &self.graphs.len())
            .field("contexts", &self.contexts.len())
            .finish()
    }
}

impl WasiNnCtx {
    /// A fresh context for one instance.
    pub fn new(backend: Arc<Backend>) -> Self {
        Self {
            backend,
            graphs: HashMap::new(),
            contexts: HashMap::new(),
            next_graph: 1,
            next_context: 1,
        }
    }

    /// The shared backend.
    pub fn backend(&self) -> &Arc<Backend> {
        &self.backend
    }

    /// Graphs this instance holds.
    pub fn graph_count(&self) -> usize {
        self.graphs.len()
    }

    /// Execution contexts this instance holds.
    pub fn context_count(&self) -> usize {
        self.contexts.len()
    }

    /// Checks the graph limit before any work is done for a new graph.
    pub(crate) fn reserve_graph(&self) -> Result<(), Error> {
        if self.graphs.len() >= self.backend.config().limits.max_graphs
            || self.next_graph == u32::MAX
        {
            return Err(Error::new(
                NnErrno::Busy,
                format!(
                    "this instance already holds {} graphs, the host's limit",
                    self.graphs.len()
                ),
            ));
        }
        Ok(())
    }

    /// Publishes a fully built graph under a new handle.
    pub(crate) fn insert_graph(&mut self, graph: Arc<Graph>) -> Result<u32, Error> {
        self.reserve_graph()?;
        let handle = self.next_graph;
        self.next_graph += 1;
        self.graphs.insert(handle, graph);
        Ok(handle)
    }

    pub(crate) fn graph(&self, handle: u32) -> Result<&Arc<Graph>, Error> {
        self.graphs.get(&handle).ok_or_else(|| {
            Error::invalid(format!(
                "graph handle {handle} does not exist in this instance"
            ))
        })
    }

    /// Publishes a fully built execution context under a new handle.
    pub(crate) fn insert_context(&mut self, context: ExecutionContext) -> Result<u32, Error> {
        if self.contexts.len() >= self.backend.config().limits.max_contexts
            || self.next_context == u32::MAX
        {
            return Err(Error::new(
                NnErrno::Busy,
                format!(
                    "this instance already holds {} execution contexts, the host's limit",
                    self.contexts.len()
                ),
            ));
        }
        let handle = self.next_context;
        self.next_context += 1;
        self.contexts.insert(handle, context);
        Ok(handle)
    }

    pub(crate) fn context(&mut self, handle: u32) -> Result<&mut ExecutionContext, Error> {
        self.contexts.get_mut(&handle).ok_or_else(|| {
            Error::invalid(format!(
                "execution context handle {handle} does not exist in this instance"
            ))
        })
    }
}
