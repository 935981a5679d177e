//! The model worker: guest model bytes are read and compiled by OpenVINO in a short-lived child
//! process, under a memory limit (its resident set, polled) and a deadline; the compiled model
//! comes back as an exported blob that the host imports. A frontend crash, a model that
//! constant-folds into gigabytes, or a compile that never ends costs the worker, not the host.
//!
//! The worker is any program whose `main` calls [`worker_main`] when it gets the arguments of its
//! [`WorkerCommand`]; the `wasi-nn-host` CLI does so for
//! `wasi-nn-host __model-worker`:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     if std::env::args().nth(1).as_deref() == Some("__model-worker") {
//!         return wasi_nn_host::sandbox::worker_main();
//!     }
//!     // ... the embedder's program, with
//!     // GuestLoads::Sandboxed(WorkerCommand::new(std::env::current_exe().unwrap(), ["__model-worker"]))
//!     std::process::ExitCode::SUCCESS
//! }
//! ```
//!
//! Protocol (private to this module, both ends are this crate): the host writes one JSON line
//! (`Request`) and the builders' bytes to the worker's stdin; the worker answers with JSON lines
//! (`Report`) on stdout and writes files only into the per-load private folder the host made.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::budget::mib;
use super::read::{Format, PrivateDir, gate, read_model};
use super::{Error, ErrorKind, WorkerCommand};

/// How often the host looks at the worker's resident memory.
const POLL: Duration = Duration::from_millis(5);
/// At most this much of the worker's stderr is kept for error messages.
const STDERR_TAIL: usize = 2048;
/// Messages from the worker are cut to this length.
const MAX_MESSAGE: usize = 4096;

#[derive(Debug, Serialize, Deserialize)]
struct Request {
    format: Format,
    builder_lens: Vec<u64>,
    device: String,
    properties: Vec<(String, String)>,
    folder: PathBuf,
    /// Run one inference on zeroed inputs (static shapes only) within this many milliseconds.
    trial_ms: Option<u64>,
    /// Largest file the worker may write (RLIMIT_FSIZE).
    max_file_bytes: u64,
}

#[derive(Debug, Serialize, Deserialize)]
enum Stage {
    Reading,
    Compiling,
    Trial,
    Exporting,
}

#[derive(Debug, Serialize, Deserialize)]
enum Report {
    /// OpenVINO is loaded; `rss` is the worker's resident memory before the model.
    Ready {
        rss: u64,
    },
    Stage(Stage),
    Compiled {
        rss_compiled: u64,
        rss_trial: Option<u64>,
    },
    Failed {
        kind: FailKind,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum FailKind {
    InvalidEncoding,
    Runtime,
    Timeout,
}

/// One guest model to compile.
pub(crate) struct Job<'a> {
    pub(crate) format: Format,
    pub(crate) builders: &'a [&'a [u8]],
    pub(crate) device: &'a str,
    pub(crate) properties: &'a [(String, String)],
    /// Memory the model may make the worker take beyond its baseline.
    pub(crate) memory_limit: u64,
    pub(crate) deadline: Option<Duration>,
    pub(crate) trial_deadline: Option<Duration>,
}

/// What the worker produced.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) blob: Vec<u8>,
    /// Host memory the compiled graph takes (the worker's growth after compiling, or the blob's
    /// size if larger).
    pub(crate) graph_bytes: u64,
    /// Host memory one execution context takes, if the trial inference ran.
    pub(crate) context_bytes: Option<u64>,
}

/// Kills and reaps the worker when dropped, whatever happened.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Compiles `job` in a worker started with `command`.
pub(crate) fn compile(command: &WorkerCommand, job: &Job<'_>) -> Result<Compiled, Error> {
    let folder = PrivateDir::create().map_err(|e| {
        Error::host(
            ErrorKind::RuntimeError,
            "cannot create a private folder for the model worker",
        )
        .with_source(e)
    })?;
    let child = Command::new(&command.program)
        .args(&command.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::host(
                ErrorKind::RuntimeError,
                format!(
                    "cannot start the model worker {}",
                    command.program.display()
                ),
            )
            .with_source(e)
        })?;
    let mut worker = Worker(child);
    let request = Request {
        format: job.format,
        builder_lens: job.builders.iter().map(|b| b.len() as u64).collect(),
        device: job.device.to_owned(),
        properties: job.properties.to_vec(),
        folder: folder.path().to_owned(),
        trial_ms: job
            .trial_deadline
            .map(|d| d.as_millis().min(u64::MAX as u128) as u64),
        max_file_bytes: job
            .memory_limit
            .max(job.builders.iter().map(|b| b.len() as u64).sum()),
    };
    let (stdin, stdout, stderr) = match (
        worker.0.stdin.take(),
        worker.0.stdout.take(),
        worker.0.stderr.take(),
    ) {
        (Some(i), Some(o), Some(e)) => (i, o, e),
        _ => {
            return Err(Error::host(
                ErrorKind::RuntimeError,
                "the model worker has no pipes",
            ));
        }
    };
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        let (reports, inbox) = mpsc::channel();
        scope.spawn(move || feed(stdin, &request, job.builders));
        scope.spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(report) = serde_json::from_str::<Report>(&line) else {
                    break;
                };
                if reports.send(report).is_err() {
                    break;
                }
            }
        });
        let tail = scope.spawn(move || stderr_tail(stderr));
        let outcome = watch(&mut worker, &inbox, job, started);
        // Whatever happened, the worker is done: killing it ends the pipe threads.
        let _ = worker.0.kill();
        let status = worker.0.wait().ok();
        let tail = tail.join().unwrap_or_default();
        outcome.map_err(|e| e.explain(status, &tail))
    })?;
    let (rss_ready, rss_compiled, rss_trial) = outcome;
    let blob_path = folder.path().join("model.blob");
    let blob = std::fs::read(&blob_path).map_err(|e| {
        Error::host(
            ErrorKind::RuntimeError,
            "cannot read the graph the model worker exported",
        )
        .with_source(e)
    })?;
    let graph_bytes = rss_compiled
        .saturating_sub(rss_ready)
        .max(blob.len() as u64);
    tracing::debug!(
        elapsed = ?started.elapsed(),
        graph = %mib(graph_bytes),
        blob = blob.len(),
        "model worker compiled a guest graph"
    );
    Ok(Compiled {
        blob,
        graph_bytes,
        context_bytes: rss_trial.map(|t| t.saturating_sub(rss_compiled)),
    })
}

/// Writes the request and the builders to the worker. Errors mean the worker is gone; `watch`
/// reports why.
fn feed(mut stdin: std::process::ChildStdin, request: &Request, builders: &[&[u8]]) {
    let Ok(mut header) = serde_json::to_vec(request) else {
        return;
    };
    header.push(b'\n');
    if stdin.write_all(&header).is_err() {
        return;
    }
    for builder in builders {
        if stdin.write_all(builder).is_err() {
            return;
        }
    }
}

fn stderr_tail(mut stderr: std::process::ChildStderr) -> String {
    let mut tail = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stderr.read(&mut buf) {
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&buf[..n]);
        if tail.len() > STDERR_TAIL {
            tail.drain(..tail.len() - STDERR_TAIL);
        }
    }
    String::from_utf8_lossy(&tail).trim().to_owned()
}

/// Why the worker did not deliver, before the exit status and stderr are known.
enum Failure {
    Reported(FailKind, String),
    Memory { rss: u64, limit: u64 },
    Deadline(Duration),
    Died(Option<Stage>),
}

impl Failure {
    fn explain(self, status: Option<std::process::ExitStatus>, stderr: &str) -> Error {
        match self {
            Failure::Reported(kind, message) => {
                let kind = match kind {
                    FailKind::InvalidEncoding => ErrorKind::InvalidEncoding,
                    FailKind::Runtime => ErrorKind::RuntimeError,
                    FailKind::Timeout => ErrorKind::Timeout,
                };
                Error::new(kind, message)
            }
            Failure::Memory { rss, limit } => Error::new(
                ErrorKind::TooLarge,
                format!(
                    "compiling the model needed more host memory than its budget allows ({} \
                     reached, {} allowed); the model worker was stopped",
                    mib(rss),
                    mib(limit)
                ),
            ),
            Failure::Deadline(limit) => Error::new(
                ErrorKind::Timeout,
                format!(
                    "reading and compiling the model took longer than the host's limit of \
                     {limit:.1?}; the model worker was stopped"
                ),
            ),
            Failure::Died(stage) => {
                let how = match status {
                    #[cfg(unix)]
                    Some(s) if std::os::unix::process::ExitStatusExt::signal(&s).is_some() => {
                        format!(
                            "was killed by signal {}",
                            std::os::unix::process::ExitStatusExt::signal(&s).unwrap_or_default()
                        )
                    }
                    Some(s) => format!("exited with {s}"),
                    None => "vanished".to_owned(),
                };
                let last_words = if stderr.is_empty() {
                    String::new()
                } else {
                    format!(" (its last output: {})", cut(stderr))
                };
                match stage {
                    // No guest bytes had been read: the host's setup failed.
                    None => Error::host(
                        ErrorKind::RuntimeError,
                        format!("the model worker {how} while starting{last_words}"),
                    ),
                    Some(Stage::Reading) => Error::new(
                        ErrorKind::InvalidEncoding,
                        format!("OpenVINO crashed reading this model: the model worker {how}"),
                    ),
                    Some(stage) => Error::new(
                        ErrorKind::RuntimeError,
                        format!("OpenVINO crashed ({stage:?}): the model worker {how}"),
                    ),
                }
            }
        }
    }
}

/// Waits for the worker's verdict while enforcing the memory limit and the deadline. Returns the
/// worker's resident memory when ready, after compiling, and after the trial.
fn watch(
    worker: &mut Worker,
    inbox: &mpsc::Receiver<Report>,
    job: &Job<'_>,
    started: Instant,
) -> Result<(u64, u64, Option<u64>), Failure> {
    let pid = worker.0.id();
    let mut baseline = None;
    let mut stage = None;
    loop {
        match inbox.recv_timeout(POLL) {
            Ok(Report::Ready { rss }) => baseline = Some(rss),
            Ok(Report::Stage(s)) => stage = Some(s),
            Ok(Report::Compiled {
                rss_compiled,
                rss_trial,
            }) => return Ok((baseline.unwrap_or(0), rss_compiled, rss_trial)),
            Ok(Report::Failed { kind, message }) => {
                return Err(Failure::Reported(kind, cut(&message)));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Failure::Died(stage)),
        }
        // Memory counts once guest bytes are in play (after the worker's own start-up).
        if let (Some(base), Some(rss)) = (baseline, resident_bytes(pid)) {
            let limit = base.saturating_add(job.memory_limit);
            if rss > limit {
                return Err(Failure::Memory {
                    rss: rss - base,
                    limit: job.memory_limit,
                });
            }
        }
        if let Some(deadline) = job.deadline
            && started.elapsed() > deadline
        {
            return Err(Failure::Deadline(deadline));
        }
    }
}

fn cut(text: &str) -> String {
    if text.len() <= MAX_MESSAGE {
        return text.to_owned();
    }
    let mut end = MAX_MESSAGE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// A process's resident anonymous memory (heap, JIT buffers, tensors: what a model makes OpenVINO
/// allocate) in bytes, from `RssAnon` in `/proc/PID/status` (Linux). Code pages of OpenVINO's
/// libraries, which the host shares, are not counted.
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The worker's side: reads one request and the model from stdin, compiles it, exports the
/// compiled graph into the request's folder and reports on stdout. Call it from `main` when the
/// program is started as a worker (see the module docs); it returns the exit code.
pub fn worker_main() -> ExitCode {
    // Die with the host; be the first the kernel's OOM killer picks; never dump core.
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let _ = std::fs::write("/proc/self/oom_score_adj", "1000");
    let _ = rustix::process::setrlimit(
        rustix::process::Resource::Core,
        rustix::process::Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    );
    let mut out = std::io::stdout().lock();
    let mut say = |report: &Report| -> bool {
        serde_json::to_writer(&mut out, report).is_ok()
            && out.write_all(b"\n").is_ok()
            && out.flush().is_ok()
    };
    let failed = |kind, message: String| Report::Failed { kind, message };
    let core = match openvino::Core::new() {
        Ok(core) => core,
        Err(e) => {
            say(&failed(
                FailKind::Runtime,
                format!("cannot start OpenVINO: {e}"),
            ));
            return ExitCode::FAILURE;
        }
    };
    let (request, builders) = match read_request() {
        Ok(r) => r,
        Err(e) => {
            say(&failed(
                FailKind::Runtime,
                format!("bad request from the host: {e}"),
            ));
            return ExitCode::FAILURE;
        }
    };
    let _ = rustix::process::setrlimit(
        rustix::process::Resource::Fsize,
        rustix::process::Rlimit {
            current: Some(request.max_file_bytes),
            maximum: Some(request.max_file_bytes),
        },
    );
    // Load the device's plugin before the baseline: the host has it loaded already, so its code
    // is not memory the model costs.
    let _ = core.property(
        &openvino::DeviceType::from(request.device.as_str()),
        &openvino::PropertyKey::SupportedProperties,
    );
    if !say(&Report::Ready {
        rss: own_resident_bytes(),
    }) {
        return ExitCode::FAILURE;
    }
    let report = compile_here(&core, &request, &builders, &mut say);
    say(&report);
    ExitCode::SUCCESS
}

fn read_request() -> std::io::Result<(Request, Vec<Vec<u8>>)> {
    let mut stdin = BufReader::new(std::io::stdin().lock());
    let mut header = String::new();
    (&mut stdin).take(1 << 20).read_line(&mut header)?;
    let request: Request = serde_json::from_str(&header).map_err(std::io::Error::other)?;
    let builders = request
        .builder_lens
        .iter()
        .map(|len| {
            let mut bytes = vec![0; usize::try_from(*len).map_err(std::io::Error::other)?];
            stdin.read_exact(&mut bytes)?;
            Ok(bytes)
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    Ok((request, builders))
}

fn compile_here(
    core: &openvino::Core,
    request: &Request,
    builders: &[Vec<u8>],
    say: &mut dyn FnMut(&Report) -> bool,
) -> Report {
    let failed = |kind, message: String| Report::Failed { kind, message };
    let slices: Vec<&[u8]> = builders.iter().map(Vec::as_slice).collect();
    say(&Report::Stage(Stage::Reading));
    // The gate runs here, not in the host: what its parsers allocate counts against the budget.
    if let Err(e) = gate(request.format, &slices) {
        return failed(FailKind::InvalidEncoding, e.detail());
    }
    let model = match read_model(core, request.format, &slices, Some(&request.folder)) {
        Ok(model) => model,
        Err(e) => return failed(FailKind::InvalidEncoding, e.detail()),
    };
    say(&Report::Stage(Stage::Compiling));
    let properties: Vec<_> = request
        .properties
        .iter()
        .map(|(k, v)| (openvino::PropertyKey::from(k.as_str()), v.as_str()))
        .collect();
    let compiled = match core.compile_model(
        &model,
        &openvino::DeviceType::from(request.device.as_str()),
        &properties,
    ) {
        Ok(compiled) => compiled,
        Err(e) => {
            return failed(
                FailKind::Runtime,
                format!("cannot compile the graph for {}: {e}", request.device),
            );
        }
    };
    drop(model);
    let rss_compiled = own_resident_bytes();
    let mut rss_trial = None;
    if let Some(ms) = request.trial_ms {
        say(&Report::Stage(Stage::Trial));
        match trial(&compiled, Duration::from_millis(ms), say) {
            Ok(true) => rss_trial = Some(own_resident_bytes()),
            Ok(false) => {}
            Err(report) => return report,
        }
    }
    say(&Report::Stage(Stage::Exporting));
    if let Err(e) = compiled.export_to_file(request.folder.join("model.blob")) {
        return failed(
            FailKind::Runtime,
            format!("cannot export the compiled graph: {e}"),
        );
    }
    Report::Compiled {
        rss_compiled,
        rss_trial,
    }
}

/// One inference on zeroed inputs, if every input is static: it allocates what an execution
/// context will, and a model whose every inference outlasts the compute deadline is refused
/// now rather than on every `compute`. `Ok(false)`: not run (dynamic or string inputs).
fn trial(
    compiled: &openvino::CompiledModel,
    deadline: Duration,
    say: &mut dyn FnMut(&Report) -> bool,
) -> Result<bool, Report> {
    let runtime = |e: openvino::Error| Report::Failed {
        kind: FailKind::Runtime,
        message: format!("the trial inference failed: {e}"),
    };
    let inputs = compiled.inputs_len().map_err(runtime)?;
    for i in 0..inputs {
        let port = compiled.input_by_index(i).map_err(runtime)?;
        if port.partial_shape().map_err(runtime)?.is_dynamic()
            || port.element_type().map_err(runtime)? == openvino::ElementType::String
        {
            return Ok(false);
        }
    }
    let mut request = compiled.create_infer_request().map_err(runtime)?;
    for i in 0..inputs {
        let mut tensor = request
            .tensor_mut(openvino::TensorSlot::Input(i))
            .map_err(runtime)?;
        tensor.as_bytes_mut().map_err(runtime)?.fill(0);
    }
    request.start_async().map_err(runtime)?;
    match request.wait_for(deadline) {
        Ok(true) => Ok(true),
        Ok(false) => {
            say(&Report::Failed {
                kind: FailKind::Timeout,
                message: format!(
                    "one inference of this model on zeroed inputs takes longer than the host's \
                     compute deadline of {deadline:.1?}"
                ),
            });
            // Freeing the request would wait for the inference; the worker's work is over and
            // the OS reclaims everything.
            std::process::exit(0)
        }
        Err(e) => Err(runtime(e)),
    }
}

fn own_resident_bytes() -> u64 {
    resident_bytes(std::process::id()).unwrap_or(0)
}
