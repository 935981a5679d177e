//! [`WasiNnCtx`]: one Wasm instance's `wasi_ephemeral_nn` handles over a backend [`Session`].

use std::collections::HashMap;
use std::sync::Arc;

use crate::backend::{Backend, Error, ExecutionContext, GraphHandle, Session};

/// The `wasi_ephemeral_nn` state of one Wasm instance: its graphs and execution contexts, over a
/// shared [`Backend`]. Reach it from the store's data with a closure given to
/// [`witx::add_to_linker`](crate::witx::add_to_linker).
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
/// # Ok::<(), wasi_nn_host::backend::Error>(())
/// ```
pub struct WasiNnCtx {
    pub(crate) session: Session,
    pub(crate) graphs: HashMap<u32, GraphHandle>,
    pub(crate) contexts: HashMap<u32, ExecutionContext>,
    next_graph: u32,
    next_context: u32,
    /// Bytes the current call may copy from the guest (the store's hostcall fuel, set by wiggle
    /// before each call).
    pub(crate) call_fuel: usize,
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
            session: backend.session(),
            graphs: HashMap::new(),
            contexts: HashMap::new(),
            next_graph: 1,
            next_context: 1,
            call_fuel: usize::MAX,
        }
    }

    /// The shared backend.
    pub fn backend(&self) -> &Arc<Backend> {
        self.session.backend()
    }

    /// Graphs this instance holds.
    pub fn graph_count(&self) -> usize {
        self.graphs.len()
    }

    /// Execution contexts this instance holds.
    pub fn context_count(&self) -> usize {
        self.contexts.len()
    }

    /// Host memory charged to this instance (guest graphs, contexts, inputs).
    pub fn charged_bytes(&self) -> u64 {
        self.session.charged_bytes()
    }

    /// Publishes a fully built graph under a new handle.
    pub(crate) fn insert_graph(&mut self, graph: GraphHandle) -> Result<u32, Error> {
        let handle = self.next_graph;
        self.next_graph = handle.checked_add(1).ok_or_else(|| {
            Error::new(crate::backend::ErrorKind::Busy, "graph handles exhausted")
        })?;
        self.graphs.insert(handle, graph);
        Ok(handle)
    }

    pub(crate) fn graph(&self, handle: u32) -> Result<&GraphHandle, Error> {
        self.graphs.get(&handle).ok_or_else(|| {
            Error::invalid(format!(
                "graph handle {handle} does not exist in this instance"
            ))
        })
    }

    /// Publishes a fully built execution context under a new handle.
    pub(crate) fn insert_context(&mut self, context: ExecutionContext) -> Result<u32, Error> {
        let handle = self.next_context;
        self.next_context = handle.checked_add(1).ok_or_else(|| {
            Error::new(crate::backend::ErrorKind::Busy, "context handles exhausted")
        })?;
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
