//! [`ExecutionContext`]: an infer request of a graph, with a state machine that keeps
//! uninitialised memory from ever reaching a guest, and the compute deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openvino::{ElementType, InferRequest, Shape, TensorSlot};

use super::budget::{Budget, Charge, mib};
use super::pool::Request;
use super::session::Counted;
use super::{Error, ErrorKind, Graph};

/// Tensors of higher rank than this are refused before anything is allocated.
pub const MAX_RANK: usize = 32;

/// What a context may do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Inputs may be set; `compute` needs every input set; no output is readable.
    Idle,
    /// The last `compute` succeeded: outputs are readable until the next failed `compute`.
    Computed,
    /// An asynchronous `compute` started the inference and has not seen it end (its future may
    /// have been dropped: the request deadline of `serve` drops the whole call).
    Running,
    /// A `compute` passed its deadline and was cancelled; OpenVINO may still be running it.
    Abandoned { since: Instant },
}

/// One input slot: what the host last set there, and the memory it holds for it.
#[derive(Debug)]
struct Input {
    set: Option<(ElementType, Vec<i64>)>,
    charge: Charge,
}

/// An execution context (`graph-execution-context`): an infer request of a [`Graph`], which it
/// keeps alive.
///
/// Rules, the same in both ABIs:
/// - `compute` refuses (`InvalidArgument`) until every input has been set;
/// - outputs are readable only after a successful `compute` (never OpenVINO's fresh,
///   uninitialised buffers);
/// - past the compute deadline the inference is cancelled and `compute` answers `Timeout`; until
///   OpenVINO has stopped it, every call on the context answers `Busy`;
/// - input bytes held are charged to the instance and backend budgets.
pub struct ExecutionContext {
    // Field order: the request is freed (or returned to its pool, see `Drop`) before the graph it
    // was created from.
    /// Always `Some` until dropped.
    request: Option<Request>,
    /// The session the request was lent to, if it came from the graph's pool.
    lent_to: Option<u64>,
    /// The largest input tensor set (bytes): what the request may still hold when returned.
    largest_input: u64,
    inputs: Vec<Input>,
    state: State,
    deadline: Option<Duration>,
    max_tensor_bytes: u64,
    budgets: [Arc<Budget>; 2],
    graph: Arc<Graph>,
    _charge: Charge,
    _counted: Counted,
}

impl std::fmt::Debug for ExecutionContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutionContext")
            .field("graph", &self.graph)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl ExecutionContext {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        request: Request,
        lent_to: Option<u64>,
        graph: Arc<Graph>,
        deadline: Option<Duration>,
        max_tensor_bytes: u64,
        budgets: [Arc<Budget>; 2],
        charge: Charge,
        counted: Counted,
    ) -> Self {
        let inputs = graph
            .inputs()
            .iter()
            .map(|_| Input {
                set: None,
                charge: Charge::none(),
            })
            .collect();
        Self {
            request: Some(request),
            lent_to,
            largest_input: 0,
            inputs,
            state: State::Idle,
            deadline,
            max_tensor_bytes,
            budgets,
            graph,
            _charge: charge,
            _counted: counted,
        }
    }

    /// The graph.
    pub fn graph(&self) -> &Arc<Graph> {
        &self.graph
    }

    fn request(&mut self) -> &mut InferRequest<'static> {
        request_mut(&mut self.request)
    }

    /// Answers `Busy` while an abandoned inference may still run; forgets it once it stopped.
    fn ensure_not_running(&mut self) -> Result<(), Error> {
        let since = match self.state {
            State::Abandoned { since } => Some(since),
            State::Running => None,
            State::Idle | State::Computed => return Ok(()),
        };
        match self.request().wait_for(Duration::ZERO) {
            // Stopped (done, or ended by the cancel): the context is usable again.
            Ok(true) => self.state = State::Idle,
            Err(e) if e.kind() == openvino::ErrorKind::InferCancelled => self.state = State::Idle,
            Ok(false) => {
                return Err(Error::new(
                    ErrorKind::Busy,
                    match since {
                        Some(since) => format!(
                            "this context's last compute passed its deadline {:.1?} ago and \
                                 OpenVINO is still stopping it; try again later",
                            since.elapsed()
                        ),
                        None => "this context's last compute was abandoned while OpenVINO \
                                     ran it and has not ended yet; try again later"
                            .to_owned(),
                    },
                ));
            }
            Err(_) => self.state = State::Idle,
        }
        Ok(())
    }

    fn check_index(&self, index: usize, input: bool) -> Result<(), Error> {
        let (count, what) = if input {
            (self.graph.inputs().len(), "input")
        } else {
            (self.graph.outputs().len(), "output")
        };
        if index >= count {
            return Err(Error::invalid(format!(
                "{what} index {index} is out of range: the graph has {count} {what}s"
            )));
        }
        Ok(())
    }

    /// Sets input `index` to a tensor of `element_type` and `dims` holding `data` (copied).
    pub fn set_input(
        &mut self,
        index: usize,
        element_type: ElementType,
        dims: &[i64],
        data: &[u8],
    ) -> Result<(), Error> {
        self.ensure_not_running()?;
        self.check_index(index, true)?;
        if dims.len() > MAX_RANK {
            return Err(Error::invalid(format!(
                "tensor of rank {}; at most {MAX_RANK}",
                dims.len()
            )));
        }
        let bytes = tensor_bytes(element_type, dims)?;
        if bytes > self.max_tensor_bytes {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "an input tensor of {} exceeds the host's limit of {} per tensor",
                    mib(bytes),
                    mib(self.max_tensor_bytes)
                ),
            ));
        }
        if bytes != data.len() as u64 {
            return Err(Error::invalid(format!(
                "tensor data is {} bytes but dimensions {dims:?} of {element_type} need {bytes}",
                data.len()
            )));
        }
        let expected = &self.graph.inputs()[index];
        if expected.element_type != element_type && expected.element_type != ElementType::Dynamic {
            return Err(Error::invalid(format!(
                "input {:?} takes {}, not {element_type}",
                expected.name, expected.element_type
            )));
        }
        let slot = TensorSlot::Input(index);
        let input = &mut self.inputs[index];
        // The same type and shape as the tensor this host last set here: copy straight into it
        // (no allocation, no new charge), if OpenVINO's tensor is the size we expect.
        if input
            .set
            .as_ref()
            .is_some_and(|(t, d)| *t == element_type && d == dims)
        {
            let mut current = request_mut(&mut self.request)
                .tensor_mut(slot)
                .map_err(|e| Error::openvino("cannot reach the input", e))?;
            let dst = current
                .as_bytes_mut()
                .map_err(|e| Error::openvino("cannot write the input", e))?;
            if dst.len() == data.len() {
                dst.copy_from_slice(data);
                self.state = State::Idle;
                return Ok(());
            }
        }
        // Charge before allocating: the old tensor's bytes stay charged until it is replaced.
        let mut charge = Charge::new(
            &[&self.budgets[0], &self.budgets[1]],
            bytes,
            "an input tensor",
        )?;
        let shape = Shape::new(dims).map_err(|e| Error::invalid(e.to_string()))?;
        let tensor = openvino::Tensor::from_bytes(element_type, &shape, data)
            .map_err(|e| Error::openvino("cannot allocate the input tensor", e))?;
        request_mut(&mut self.request)
            .set_tensor(slot, tensor)
            .map_err(|e| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("input {:?} does not accept this tensor", expected.name),
                )
                .with_source(e)
            })?;
        self.largest_input = self.largest_input.max(bytes);
        // The old tensor is gone from the request: its charge goes, the new one stays.
        std::mem::swap(&mut input.charge, &mut charge);
        drop(charge);
        input.set = Some((element_type, dims.to_vec()));
        self.state = State::Idle;
        Ok(())
    }

    /// Runs the inference, within the compute deadline.
    pub fn compute(&mut self) -> Result<(), Error> {
        self.ensure_not_running()?;
        self.check_inputs_set()?;
        self.state = State::Idle;
        let started = Instant::now();
        let result = match self.deadline {
            None => self.request().infer(),
            Some(deadline) => self.run_with_deadline(deadline, started)?,
        };
        result.map_err(|e| Error::openvino("inference failed", e))?;
        self.computed(started);
        Ok(())
    }

    fn check_inputs_set(&self) -> Result<(), Error> {
        match self.inputs.iter().position(|i| i.set.is_none()) {
            Some(missing) => Err(Error::invalid(format!(
                "input {missing} ({:?}) has not been set; set every input before compute",
                self.graph.inputs()[missing].name
            ))),
            None => Ok(()),
        }
    }

    fn computed(&mut self, started: Instant) {
        self.state = State::Computed;
        let elapsed = started.elapsed();
        self.graph.inference_time().observe(elapsed);
        tracing::trace!(?elapsed, "compute");
    }

    /// Runs the inference with OpenVINO's asynchronous API and awaits its end, within the compute
    /// deadline: no thread waits for the model (OpenVINO's callback wakes this future). The
    /// rules are those of [`compute`](Self::compute). Dropping the future while the inference
    /// runs leaves the context answering `Busy` until OpenVINO has ended it; dropping the context
    /// then cancels it (see `Drop`).
    pub async fn compute_async(&mut self) -> Result<(), Error> {
        self.ensure_not_running()?;
        self.check_inputs_set()?;
        self.state = State::Idle;
        let request = self
            .request
            .as_mut()
            .expect("`request` is `Some` until the context is dropped");
        let completion = request.completion()?;
        let done = completion.arm();
        let started = Instant::now();
        if let Err(e) = request.infer.start_async() {
            completion.disarm();
            return Err(Error::openvino("inference failed", e));
        }
        self.state = State::Running;
        let ended = match self.deadline {
            Some(deadline) => tokio::time::timeout(deadline, done).await.is_ok(),
            None => {
                let _ = done.await;
                true
            }
        };
        if !ended {
            // Cooperative: OpenVINO stops between nodes. Until it has, the context is busy.
            let _ = self.request().cancel();
            self.state = State::Abandoned {
                since: Instant::now(),
            };
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "compute passed the host's deadline of {:.1?} (ran {:.1?}); the inference \
                     was cancelled",
                    self.deadline.unwrap_or_default(),
                    started.elapsed()
                ),
            ));
        }
        // OpenVINO calls the callback just before it marks the inference done, so this wait
        // lasts microseconds; it also gives the inference's own error, if any.
        let result = self.request().wait();
        self.state = State::Idle;
        result.map_err(|e| Error::openvino("inference failed", e))?;
        self.computed(started);
        Ok(())
    }

    fn run_with_deadline(
        &mut self,
        deadline: Duration,
        started: Instant,
    ) -> Result<openvino::Result<()>, Error> {
        if let Err(e) = self.request().start_async() {
            return Ok(Err(e));
        }
        match self.request().wait_for(deadline) {
            Ok(true) => Ok(Ok(())),
            Ok(false) => {
                // Cooperative: OpenVINO stops between nodes. Until it has, the context is busy.
                let _ = self.request().cancel();
                self.state = State::Abandoned {
                    since: Instant::now(),
                };
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "compute passed the host's deadline of {deadline:.1?} (ran {:.1?}); the \
                         inference was cancelled",
                        started.elapsed()
                    ),
                ))
            }
            Err(e) => Ok(Err(e)),
        }
    }

    /// Reads output `index` after a successful `compute`: `f` gets the bytes, the dimensions and
    /// the element type.
    pub fn with_output<R>(
        &mut self,
        index: usize,
        f: impl FnOnce(&[u8], &[i64], ElementType) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.ensure_not_running()?;
        self.check_index(index, false)?;
        if self.state != State::Computed {
            return Err(Error::invalid(
                "no output to read: call compute (successfully) first",
            ));
        }
        let output = self
            .request()
            .tensor(TensorSlot::Output(index))
            .map_err(|e| Error::openvino("cannot read the output", e))?;
        let element_type = output
            .element_type()
            .map_err(|e| Error::openvino("cannot read the output", e))?;
        let shape = output
            .shape()
            .map_err(|e| Error::openvino("cannot read the output", e))?;
        let bytes = output
            .as_bytes()
            .map_err(|e| Error::openvino("cannot read the output", e))?;
        f(bytes, shape.dims(), element_type)
    }
}

/// The request of a live context (a free function so that it borrows only that field).
fn request_mut(request: &mut Option<Request>) -> &mut InferRequest<'static> {
    &mut request
        .as_mut()
        .expect("`request` is `Some` until the context is dropped")
        .infer
}

impl Drop for ExecutionContext {
    /// An idle request goes back to its pool (or is freed). One OpenVINO may still be running (a
    /// compute past its deadline, or one whose future was dropped) is cancelled, and waited for
    /// off the async runtime's worker threads: freeing or lending it before it has stopped would
    /// let OpenVINO write into a request someone else uses.
    fn drop(&mut self) {
        let Some(mut request) = self.request.take() else {
            return;
        };
        let running = matches!(self.state, State::Running | State::Abandoned { .. });
        let graph = Arc::clone(&self.graph);
        let (lent_to, largest_input) = (self.lent_to, self.largest_input);
        if running {
            let _ = request.infer.cancel();
        }
        let finish = move || {
            if running {
                // Ends at once if the inference has stopped; its result is nobody's now.
                let _ = request.infer.wait();
            }
            match (graph.pool(), lent_to) {
                (Some(pool), Some(session)) => pool.give_back(request, session, largest_input),
                _ => drop(request),
            }
            // The graph (and its compiled model) outlives the request.
            drop(graph);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) if running => {
                runtime.spawn_blocking(finish);
            }
            _ => finish(),
        }
    }
}

/// Bytes of a tensor, with overflow and sign checks.
pub(crate) fn tensor_bytes(element_type: ElementType, dims: &[i64]) -> Result<u64, Error> {
    let bits = dims
        .iter()
        .try_fold(element_type.bit_width() as u64, |acc, d| {
            u64::try_from(*d).ok().and_then(|d| acc.checked_mul(d))
        })
        .ok_or_else(|| {
            Error::new(
                ErrorKind::TooLarge,
                format!("tensor dimensions {dims:?} overflow or are negative"),
            )
        })?;
    Ok(bits.div_ceil(8))
}
