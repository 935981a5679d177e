//! Infer requests made once per registered graph and lent to execution contexts ([`InferPool`]),
//! and the completion signal that lets `compute` await OpenVINO's asynchronous inference
//! ([`Completion`]) instead of blocking a thread on it.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use openvino::{CompiledModel, InferRequest, PropertyKey};
use tokio::sync::{Semaphore, oneshot};

use super::{Error, ErrorKind};

/// Inputs up to this size (per input) stay in a returned request of a graph with dynamic inputs;
/// a larger one makes the pool replace the request (see [`InferPool`]).
pub(crate) const KEEP_INPUTS_UP_TO: u64 = 16 << 20;

/// How many infer requests a pooled graph gets.
///
/// ```
/// use std::num::NonZeroUsize;
/// use wasi_nn_host::backend::PoolSize;
/// assert_eq!(PoolSize::default(), PoolSize::Optimal);
/// let four = PoolSize::Fixed(NonZeroUsize::new(4).unwrap());
/// assert_ne!(four, PoolSize::Optimal);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PoolSize {
    /// What the compiled model says keeps the device busy: OpenVINO's
    /// `OPTIMAL_NUMBER_OF_INFER_REQUESTS` (one per stream under the `THROUGHPUT` hint).
    #[default]
    Optimal,
    /// Exactly this many.
    Fixed(NonZeroUsize),
}

/// Wakes the task awaiting an asynchronous inference. OpenVINO calls the request's callback on
/// one of its own threads once the inference has ended (done, failed or cancelled); the callback
/// is set once per request and sends on whatever receiver `compute` armed.
#[derive(Debug, Default)]
pub(crate) struct Completion(Mutex<Option<oneshot::Sender<()>>>);

impl Completion {
    /// A completion signal wired to `request`'s callback (set once: the callback lives as long
    /// as the request, and later inferences reuse it).
    pub(crate) fn attach(request: &mut InferRequest<'static>) -> Result<Arc<Self>, Error> {
        let completion = Arc::new(Self::default());
        let signal = Arc::clone(&completion);
        request.set_callback(move || signal.fire()).map_err(|e| {
            Error::openvino("cannot set the infer request's completion callback", e)
        })?;
        Ok(completion)
    }

    /// The receiver the next completion is sent on (replacing any earlier one).
    pub(crate) fn arm(&self) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        rx
    }

    /// Forgets the armed receiver (the inference did not start).
    pub(crate) fn disarm(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    fn fire(&self) {
        if let Some(tx) = self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            // The receiver is gone when `compute` was dropped (its request timed out): nobody to
            // tell.
            let _ = tx.send(());
        }
    }
}

/// An infer request with its completion signal (if one was attached).
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) infer: InferRequest<'static>,
    pub(crate) completion: Option<Arc<Completion>>,
}

impl Request {
    /// A new request of `compiled`; with `completion`, its callback is wired up now.
    pub(crate) fn new(compiled: &CompiledModel, completion: bool) -> Result<Self, Error> {
        let mut infer = compiled
            .create_infer_request()
            .map_err(|e| Error::openvino("cannot create an infer request", e))?;
        let completion = match completion {
            true => Some(Completion::attach(&mut infer)?),
            false => None,
        };
        Ok(Self { infer, completion })
    }

    /// The completion signal, attached on first use.
    pub(crate) fn completion(&mut self) -> Result<Arc<Completion>, Error> {
        if let Some(c) = &self.completion {
            return Ok(Arc::clone(c));
        }
        let c = Completion::attach(&mut self.infer)?;
        self.completion = Some(Arc::clone(&c));
        Ok(c)
    }
}

/// The infer requests of one graph, made when it is registered and lent to execution contexts
/// (a context returns its request when dropped). Waiting for a free one is first come, first
/// served.
///
/// A request is only lent idle and only taken back once OpenVINO has stopped using it; a context
/// never reads outputs it did not compute nor uses inputs it did not set (its own state machine),
/// so what one borrower left in a request cannot reach the next. A request of a graph with
/// dynamic inputs whose borrower set an input larger than [`KEEP_INPUTS_UP_TO`] is replaced by a
/// new one when returned, so that such an input is freed rather than kept (uncharged) until the
/// next borrower replaces it; the pool thus keeps at most that many bytes per input and request.
pub(crate) struct InferPool {
    compiled: Arc<CompiledModel>,
    free: Mutex<Vec<Request>>,
    /// One permit per request in `free`.
    available: Semaphore,
    size: usize,
    waiting: AtomicUsize,
    /// Whether an input's size depends on what the borrower set (dynamic shapes).
    dynamic_inputs: bool,
    /// Requests lent to each session (by its id), so that a session holding one never waits for
    /// a second (it would wait on itself: see `Session::init_execution_context_async`).
    lent: Mutex<HashMap<u64, usize>>,
}

impl std::fmt::Debug for InferPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InferPool")
            .field("size", &self.size)
            .field("idle", &self.idle())
            .field("waiting", &self.waiting())
            .finish_non_exhaustive()
    }
}

impl InferPool {
    /// Makes the requests: `size` of them, or the compiled model's optimal number.
    pub(crate) fn new(
        compiled: Arc<CompiledModel>,
        size: PoolSize,
        dynamic_inputs: bool,
    ) -> Result<Self, Error> {
        let size =
            match size {
                PoolSize::Fixed(n) => n.get(),
                PoolSize::Optimal => {
                    let text = compiled
                        .property(&PropertyKey::OptimalNumberOfInferRequests)
                        .map_err(|e| {
                            Error::host(
                            ErrorKind::RuntimeError,
                            "cannot read the graph's OPTIMAL_NUMBER_OF_INFER_REQUESTS; give the \
                             pool size instead",
                        )
                        .with_source(e)
                        })?;
                    text.trim().parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    Error::host(
                        ErrorKind::RuntimeError,
                        format!(
                            "OpenVINO's OPTIMAL_NUMBER_OF_INFER_REQUESTS is {text:?}, not a \
                             positive number; give the pool size instead"
                        ),
                    )
                })?
                }
            };
        let free = (0..size)
            .map(|_| Request::new(&compiled, true))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            compiled,
            free: Mutex::new(free),
            available: Semaphore::new(size),
            size,
            waiting: AtomicUsize::new(0),
            dynamic_inputs,
            lent: Mutex::new(HashMap::new()),
        })
    }

    /// How many requests the pool has.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Requests not lent now.
    pub(crate) fn idle(&self) -> usize {
        self.available.available_permits()
    }

    /// Contexts waiting for a request now.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Whether session `session` holds a request of this pool.
    pub(crate) fn lends_to(&self, session: u64) -> bool {
        self.lent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&session)
    }

    /// A free request now, if there is one.
    pub(crate) fn try_take(&self, session: u64) -> Option<Request> {
        let permit = self.available.try_acquire().ok()?;
        permit.forget();
        Some(self.pop(session))
    }

    /// A free request, waiting (first come, first served) for one to be returned.
    pub(crate) async fn take(&self, session: u64) -> Request {
        if let Some(request) = self.try_take(session) {
            return request;
        }
        self.waiting.fetch_add(1, Ordering::Relaxed);
        // Decrements `waiting` even if this future is dropped while it waits.
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::Relaxed);
            }
        }
        let _waiting = Waiting(&self.waiting);
        // The semaphore is never closed, so `acquire` only ends with a permit.
        if let Ok(permit) = self.available.acquire().await {
            permit.forget();
        }
        self.pop(session)
    }

    fn pop(&self, session: u64) -> Request {
        *self
            .lent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(session)
            .or_default() += 1;
        self.free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            // A permit is only ever added with a request pushed before it.
            .expect("a permit stands for a free request")
    }

    /// Takes back an idle request lent to `session`, whose borrower set inputs of at most
    /// `largest_input` bytes each.
    pub(crate) fn give_back(&self, request: Request, session: u64, largest_input: u64) {
        {
            let mut lent = self.lent.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(n) = lent.get_mut(&session) {
                *n -= 1;
                if *n == 0 {
                    lent.remove(&session);
                }
            }
        }
        let request = if self.dynamic_inputs && largest_input > KEEP_INPUTS_UP_TO {
            // A new request frees whatever tensors the borrower set; if OpenVINO cannot make one,
            // the old one serves on (its inputs are replaced before any next use).
            match Request::new(&self.compiled, true) {
                Ok(fresh) => fresh,
                Err(e) => {
                    tracing::warn!("keeping a used infer request: {}", e.detail());
                    request
                }
            }
        } else {
            request
        };
        self.free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(request);
        self.available.add_permits(1);
    }
}
