//! [`Session`]: one Wasm instance's view of the backend, with its budget and handle counts.
//! Both ABIs keep one per instance and call it for every operation that creates something.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::budget::{Budget, Charge};
use super::error::quote;
use super::{Backend, Encoding, Error, ErrorKind, ExecutionContext, Graph, Target};

/// Longest graph name `load_by_name` looks up (longer names cannot be registered).
pub const MAX_NAME_BYTES: usize = 4096;

/// Keeps one unit of an instance's handle count while alive.
#[derive(Debug)]
pub(crate) struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A graph as an instance holds it: the shared graph and the instance's count of graphs.
#[derive(Debug, Clone)]
pub struct GraphHandle {
    graph: Arc<Graph>,
    _counted: Arc<Counted>,
}

impl GraphHandle {
    /// The graph.
    pub fn graph(&self) -> &Arc<Graph> {
        &self.graph
    }
}

/// One Wasm instance's wasi-nn state that both ABIs share: the backend, the instance's memory
/// budget and its counts of graphs and contexts. Handle tables live in each ABI.
///
/// ```
/// use std::sync::Arc;
/// use wasi_nn_host::{Backend, BackendConfig};
/// let backend = Arc::new(Backend::new(BackendConfig::default())?);
/// let mut session = backend.session();
/// let err = session.load_by_name("mobilenet").unwrap_err();
/// assert_eq!(err.kind(), wasi_nn_host::backend::ErrorKind::NotFound);
/// # Ok::<(), wasi_nn_host::backend::Error>(())
/// ```
#[derive(Debug)]
pub struct Session {
    backend: Arc<Backend>,
    budget: Arc<Budget>,
    graphs: Arc<AtomicUsize>,
    contexts: Arc<AtomicUsize>,
}

impl Session {
    pub(crate) fn new(backend: Arc<Backend>) -> Self {
        let budget = Budget::new("instance", backend.config().limits.max_memory_bytes);
        Self {
            backend,
            budget,
            graphs: Arc::default(),
            contexts: Arc::default(),
        }
    }

    /// The shared backend.
    pub fn backend(&self) -> &Arc<Backend> {
        &self.backend
    }

    /// Graphs this instance holds.
    pub fn graph_count(&self) -> usize {
        self.graphs.load(Ordering::Acquire)
    }

    /// Execution contexts this instance holds.
    pub fn context_count(&self) -> usize {
        self.contexts.load(Ordering::Acquire)
    }

    /// Host memory charged to this instance.
    pub fn charged_bytes(&self) -> u64 {
        self.budget.used()
    }

    /// Charges `bytes` the host holds for this instance outside the backend (e.g. the WIT
    /// frontend's tensors) to the instance's and the backend's budgets, until the charge drops.
    pub(crate) fn charge(&self, bytes: u64, purpose: &str) -> Result<Charge, Error> {
        Charge::new(&[&self.budget, self.backend.budget()], bytes, purpose)
    }

    /// Takes one unit of `count` if below `limit`; checked before any work is done.
    fn count(count: &Arc<AtomicUsize>, limit: usize, what: &str) -> Result<Counted, Error> {
        count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .map_err(|n| {
                Error::new(
                    ErrorKind::Busy,
                    format!("this instance already holds {n} {what}, the host's limit"),
                )
            })?;
        Ok(Counted(Arc::clone(count)))
    }

    fn reserve_graph(&self) -> Result<Counted, Error> {
        Self::count(
            &self.graphs,
            self.backend.config().limits.max_graphs,
            "graphs",
        )
    }

    /// Reads and compiles a guest's model from its builders, under the guest-load policy, the
    /// budgets and the compile deadline.
    pub fn load(
        &mut self,
        builders: &[&[u8]],
        encoding: Encoding,
        target: Target,
    ) -> Result<GraphHandle, Error> {
        let counted = self.reserve_graph()?;
        let graph = self
            .backend
            .load_guest(builders, encoding, target, &self.budget)?;
        Ok(GraphHandle {
            graph: Arc::new(graph),
            _counted: Arc::new(counted),
        })
    }

    /// A graph the embedder registered under `name`.
    pub fn load_by_name(&mut self, name: &str) -> Result<GraphHandle, Error> {
        let counted = self.reserve_graph()?;
        let graph = (name.len() <= MAX_NAME_BYTES)
            .then(|| self.backend.graph_by_name(name))
            .flatten()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("no graph named {} is registered", quote(name)),
                )
            })?;
        Ok(GraphHandle {
            graph,
            _counted: Arc::new(counted),
        })
    }

    /// A new execution context of `graph`; limits are checked before the infer request is built.
    pub fn init_execution_context(
        &mut self,
        graph: &GraphHandle,
    ) -> Result<ExecutionContext, Error> {
        let config = self.backend.config();
        let counted = Self::count(
            &self.contexts,
            config.limits.max_contexts,
            "execution contexts",
        )?;
        let graph = Arc::clone(&graph.graph);
        let charge = Charge::new(
            &[&self.budget, self.backend.budget()],
            graph.context_bytes(),
            "an execution context",
        )?;
        let request = graph
            .compiled()
            .create_infer_request()
            .map_err(|e| Error::openvino("cannot create an infer request", e))?;
        Ok(ExecutionContext::new(
            request,
            graph,
            config.deadlines.compute,
            config.limits.max_tensor_bytes,
            [Arc::clone(&self.budget), Arc::clone(self.backend.budget())],
            charge,
            counted,
        ))
    }
}
