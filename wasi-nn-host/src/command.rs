//! Running a wasm32-wasip1 command with WASI preview1 and wasi-nn in one linker: what the CLI
//! does, as library pieces (also used by the tests and benchmarks).
//!
//! [`run_command`] does it all; [`CommandState`] gives the parts to an embedder that needs its
//! own store settings (epoch deadlines, fuel) or entry point (`--invoke`), as the CLI does.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::anyhow;
use wasmtime::{Engine, Linker, Module, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::{Backend, WasiNnCtx};

/// What a command sees: arguments, environment, preopened folders, standard streams, and how
/// far its memory may grow.
///
/// ```
/// let config = wasi_nn_host::CommandConfig {
///     args: vec!["classify".into(), "image.png".into()],
///     dirs: vec![("/data".into(), "/data".into())],
///     max_memory_size: Some(256 << 20),
///     ..Default::default()
/// };
/// assert_eq!(config.args.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CommandConfig {
    /// `argv`, program name first.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Host folders and where the guest sees them.
    pub dirs: Vec<(PathBuf, String)>,
    /// Connect the guest's stdin/stdout/stderr to the host's.
    pub inherit_stdio: bool,
    /// The largest size in bytes any linear memory may reach: `memory.grow` past it returns -1
    /// and a module whose initial memory is larger fails to instantiate (`wasmtime run -W
    /// max-memory-size=`). `None`: only Wasm's own limit (4 GiB for wasm32).
    pub max_memory_size: Option<usize>,
    /// Stop the program with an error instead of returning -1 when `memory.grow` or
    /// `table.grow` fails (`wasmtime run -W trap-on-grow-failure`).
    pub trap_on_grow_failure: bool,
    /// Interrupt the program's Wasm code after this long (`wasmtime run -W timeout=`); the
    /// engine must be built with `Config::epoch_interruption(true)`. Applied by
    /// [`run_component`](crate::run_component); callers of [`CommandState`] set their store's
    /// epoch deadline themselves.
    pub timeout: Option<std::time::Duration>,
}

/// The data of a command's store: its WASI preview1 context, its wasi-nn context and its
/// resource limits.
///
/// ```
/// use std::sync::Arc;
/// use wasi_nn_host::{Backend, BackendConfig, CommandConfig, CommandState};
/// use wasmtime::{Engine, Linker, Module};
///
/// let engine = Engine::default();
/// let mut linker = Linker::new(&engine);
/// CommandState::add_to_linker(&mut linker)?;
/// let backend = Arc::new(Backend::new(BackendConfig::default())?);
/// let mut store = CommandState::new(backend, &CommandConfig::default())?.into_store(&engine);
/// let module = Module::new(&engine, r#"(module (func (export "answer") (result i32) i32.const 42))"#)?;
/// let instance = linker.instantiate(&mut store, &module)?;
/// let answer = instance.get_typed_func::<(), i32>(&mut store, "answer")?;
/// assert_eq!(answer.call(&mut store, ())?, 42);
/// assert_eq!(store.data().nn().graph_count(), 0);
/// # Ok::<(), anyhow::Error>(())
/// ```
pub struct CommandState {
    wasi: WasiP1Ctx,
    nn: WasiNnCtx,
    limits: StoreLimits,
}

impl std::fmt::Debug for CommandState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandState")
            .field("nn", &self.nn)
            .finish_non_exhaustive()
    }
}

impl CommandState {
    /// The WASI context (arguments, environment, preopened folders, stdio) and a fresh wasi-nn
    /// context over `backend`. Fails if a folder cannot be opened.
    pub fn new(backend: Arc<Backend>, config: &CommandConfig) -> anyhow::Result<Self> {
        let mut wasi = WasiCtxBuilder::new();
        if config.inherit_stdio {
            wasi.inherit_stdio();
        }
        for arg in &config.args {
            wasi.arg(arg);
        }
        for (k, v) in &config.env {
            wasi.env(k, v);
        }
        for (host, guest) in &config.dirs {
            wasi.preopened_dir(host, guest, FsPerms::ReadWrite)
                .map_err(|e| anyhow!("cannot open the folder {}: {e}", host.display()))?;
        }
        let mut limits =
            StoreLimitsBuilder::new().trap_on_grow_failure(config.trap_on_grow_failure);
        if let Some(max) = config.max_memory_size {
            limits = limits.memory_size(max);
        }
        Ok(Self {
            wasi: wasi.build_p1(),
            nn: WasiNnCtx::new(backend),
            limits: limits.build(),
        })
    }

    /// Adds the WASI preview1 and `wasi_ephemeral_nn` functions to `linker`.
    pub fn add_to_linker(linker: &mut Linker<Self>) -> anyhow::Result<()> {
        wasmtime_wasi::p1::add_to_linker_sync(linker, |s: &mut Self| &mut s.wasi)?;
        crate::add_to_linker(linker, |s: &mut Self| &mut s.nn)?;
        Ok(())
    }

    /// A store holding this state, its memory limits in force.
    pub fn into_store(self, engine: &Engine) -> Store<Self> {
        let mut store = Store::new(engine, self);
        store.limiter(|s| &mut s.limits);
        store
    }

    /// The instance's wasi-nn state.
    pub fn nn(&self) -> &WasiNnCtx {
        &self.nn
    }
}

/// Links WASI preview1 and wasi-nn, instantiates `module` and runs its `_start`; returns the exit
/// code (0 when `_start` returns, the code given to `proc_exit` otherwise). A trap, or a
/// `proc_exit` code outside WASI's 0..126, is an error.
pub fn run_command(
    engine: &Engine,
    module: &Module,
    backend: Arc<Backend>,
    config: &CommandConfig,
) -> anyhow::Result<i32> {
    let mut linker: Linker<CommandState> = Linker::new(engine);
    CommandState::add_to_linker(&mut linker)?;
    let mut store = CommandState::new(backend, config)?.into_store(engine);
    let instance = linker
        .instantiate(&mut store, module)
        .map_err(|e| anyhow!("cannot instantiate the module: {e}"))?;
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(|_| {
            anyhow!("the module exports no _start function (is it a wasm32-wasip1 command?)")
        })?;
    match start.call(&mut store, ()) {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => Err(anyhow!("the program trapped: {e:?}")),
        },
    }
}
