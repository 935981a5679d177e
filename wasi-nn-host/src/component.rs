//! Running a wasm32-wasip2 command component with WASI p2 and wasi:nn (WIT) in one linker: what
//! the CLI does for components, as a library function (also used by the tests and benchmarks).

use std::sync::Arc;

use anyhow::anyhow;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::Command;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::wit::{WasiNnCtx, WasiNnView};
use crate::{Backend, CommandConfig};

/// Whether `bytes` hold a component rather than a core module: the binary header's layer field
/// (bytes 6..8: 0 for core modules, 1 for components), or, for the text format, `(component`.
///
/// ```
/// assert!(wasi_nn_host::is_component(b"\0asm\x0d\0\x01\0"));
/// assert!(!wasi_nn_host::is_component(b"\0asm\x01\0\0\0"));
/// assert!(wasi_nn_host::is_component(b"  (component)"));
/// assert!(!wasi_nn_host::is_component(b"(module)"));
/// ```
pub fn is_component(bytes: &[u8]) -> bool {
    match bytes {
        [b'\0', b'a', b's', b'm', _, _, layer_lo, layer_hi, ..] => {
            u16::from_le_bytes([*layer_lo, *layer_hi]) == 1
        }
        text => {
            let start = text
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(text.len());
            text[start..].starts_with(b"(component")
        }
    }
}

struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    nn: WasiNnCtx,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// WASI as `config` describes it.
fn wasi(config: &CommandConfig) -> anyhow::Result<WasiCtx> {
    let mut wasi = WasiCtxBuilder::new();
    if config.inherit_stdio {
        wasi.inherit_stdio();
    }
    wasi.args(&config.args);
    for (k, v) in &config.env {
        wasi.env(k, v);
    }
    for (host, guest) in &config.dirs {
        wasi.preopened_dir(host, guest, FsPerms::ReadWrite)
            .map_err(|e| anyhow!("cannot open the folder {}: {e}", host.display()))?;
    }
    Ok(wasi.build())
}

/// Links WASI p2 and wasi:nn (WIT), instantiates `component` as a `wasi:cli/command` and runs it
/// to completion on the calling thread; returns the exit code (0 when `run` returns `ok`, 1 for
/// `err`, the code of `exit(n)`). A trap is an error. wasi:nn's `compute` runs the inference on
/// this thread (the component runs alone: no other task needs it).
///
/// ```no_run
/// use std::sync::Arc;
/// use wasi_nn_host::{Backend, BackendConfig, CommandConfig};
/// let engine = wasmtime::Engine::default();
/// let component = wasmtime::component::Component::from_file(&engine, "classify.wasm")?;
/// let backend = Arc::new(Backend::new(BackendConfig::default())?);
/// let config = CommandConfig { args: vec!["classify".into()], ..Default::default() };
/// let code = wasi_nn_host::run_component(&engine, &component, backend, &config)?;
/// # let _ = code;
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn run_component(
    engine: &Engine,
    component: &Component,
    backend: Arc<Backend>,
    config: &CommandConfig,
) -> anyhow::Result<i32> {
    let mut linker: Linker<State> = Linker::new(engine);
    // The async WASI bindings: wasi:nn's `compute` is an async host function, so the component
    // runs as an async call, driven here to completion (`in_tokio`).
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    crate::wit::add_to_linker(&mut linker, |s: &mut State| {
        WasiNnView::new(&mut s.nn, &mut s.table)
    })?;
    let state = State {
        wasi: wasi(config)?,
        table: ResourceTable::new(),
        nn: WasiNnCtx::new(backend),
    };
    let mut store = Store::new(engine, state);
    if let Some(timeout) = config.timeout {
        // The epoch moves once, when the time is up: the component's next function entry or
        // loop back-edge then traps with `Trap::Interrupt`.
        store.set_epoch_deadline(1);
        let engine = engine.clone();
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            engine.increment_epoch();
        });
    }
    let outcome = wasmtime_wasi::runtime::in_tokio(async {
        let command = Command::instantiate_async(&mut store, component, &linker)
            .await
            .map_err(|e| {
                anyhow!("cannot instantiate the component (is it a wasm32-wasip2 command?): {e}")
            })?;
        anyhow::Ok(command.wasi_cli_run().call_run(&mut store).await)
    })?;
    match outcome {
        Ok(Ok(())) => Ok(0),
        Ok(Err(())) => Ok(1),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            // The trap stays reachable by `downcast_ref::<wasmtime::Trap>()`.
            None => Err(anyhow::Error::from(e).context("the component trapped")),
        },
    }
}
