//! [`Session`]: one Wasm instance's view of the backend, with its budget and handle counts.
//! Both ABIs keep one per instance and call it for every operation that creates something.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::budget::{Budget, Charge};
use super::error::quote;
use super::pool::Request;
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
    /// Unique in the process: pools know which session holds which of their requests.
    id: u64,
    backend: Arc<Backend>,
    budget: Arc<Budget>,
    graphs: Arc<AtomicUsize>,
    contexts: Arc<AtomicUsize>,
}

impl Session {
    pub(crate) fn new(backend: Arc<Backend>) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let budget = Budget::new("instance", backend.config().limits.max_memory_bytes);
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
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
    /// A pooled graph lends one of its requests if one is free, else the context gets a request
    /// of its own (this call never waits; [`init_execution_context_async`] does).
    ///
    /// [`init_execution_context_async`]: Self::init_execution_context_async
    pub fn init_execution_context(
        &mut self,
        graph: &GraphHandle,
    ) -> Result<ExecutionContext, Error> {
        let (counted, charge) = self.reserve_context(&graph.graph)?;
        let graph = Arc::clone(&graph.graph);
        let lent = graph.pool().and_then(|pool| pool.try_take(self.id));
        self.context(graph, lent, counted, charge)
    }

    /// Like [`init_execution_context`](Self::init_execution_context), but for a pooled graph
    /// whose requests are all lent, waits (first come, first served) until one is returned:
    /// a request of a service waits its turn instead of making OpenVINO juggle more requests
    /// than it has streams. A session that already holds a request of the pool does not wait
    /// (it could wait for itself): it gets a request of its own.
    pub async fn init_execution_context_async(
        &mut self,
        graph: &GraphHandle,
    ) -> Result<ExecutionContext, Error> {
        let (counted, charge) = self.reserve_context(&graph.graph)?;
        let graph = Arc::clone(&graph.graph);
        let lent = match graph.pool() {
            Some(pool) if !pool.lends_to(self.id) => Some(pool.take(self.id).await),
            Some(pool) => pool.try_take(self.id),
            None => None,
        };
        self.context(graph, lent, counted, charge)
    }

    /// The context limit and the memory charge, checked before any request is made or waited
    /// for.
    fn reserve_context(&self, graph: &Graph) -> Result<(Counted, Charge), Error> {
        let config = self.backend.config();
        let counted = Self::count(
            &self.contexts,
            config.limits.max_contexts,
            "execution contexts",
        )?;
        let charge = Charge::new(
            &[&self.budget, self.backend.budget()],
            graph.context_bytes(),
            "an execution context",
        )?;
        Ok((counted, charge))
    }

    fn context(
        &self,
        graph: Arc<Graph>,
        lent: Option<Request>,
        counted: Counted,
        charge: Charge,
    ) -> Result<ExecutionContext, Error> {
        let config = self.backend.config();
        let (request, lent_to) = match lent {
            Some(request) => (request, Some(self.id)),
            None => (Request::new(graph.compiled(), false)?, None),
        };
        Ok(ExecutionContext::new(
            request,
            lent_to,
            graph,
            config.deadlines.compute,
            config.limits.max_tensor_bytes,
            [Arc::clone(&self.budget), Arc::clone(self.backend.budget())],
            charge,
            counted,
        ))
    }
}
