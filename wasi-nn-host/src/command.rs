//! Running a wasm32-wasip1 command with WASI preview1 and wasi-nn in one linker: what the CLI
//! does, as a library function (also used by the tests and benchmarks).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::anyhow;
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::{Backend, WasiNnCtx};

/// What a command sees: arguments, environment, preopened folders, standard streams.
///
/// ```
/// let config = wasi_nn_host::CommandConfig {
///     args: vec!["classify".into(), "image.png".into()],
///     dirs: vec![("/data".into(), "/data".into())],
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
}

struct State {
    wasi: WasiP1Ctx,
    nn: WasiNnCtx,
}

/// Links WASI preview1 and wasi-nn, instantiates `module` and runs its `_start`; returns the exit
/// code (0 when `_start` returns). A trap is an error.
pub fn run_command(
    engine: &Engine,
    module: &Module,
    backend: Arc<Backend>,
    config: &CommandConfig,
) -> anyhow::Result<i32> {
    let mut linker: Linker<State> = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut State| &mut s.wasi)?;
    crate::add_to_linker(&mut linker, |s: &mut State| &mut s.nn)?;

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
    let state = State {
        wasi: wasi.build_p1(),
        nn: WasiNnCtx::new(backend),
    };
    let mut store = Store::new(engine, state);
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
