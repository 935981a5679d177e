//! Runs a guest with Wasmtime's own wasi-nn (OpenVINO backend), the way the `wasmtime` CLI's
//! `-S nn` does: a wasm32-wasip1 module through the witx ABI, or a wasm32-wasip2 component
//! through the WIT interface (`wasi:nn@0.2.0-rc-2024-10-28`), told apart by the binary header.
//! For scripts/bench and wasi-nn-host's parity test.
//! Usage: peer-wasmtime-wasi-nn GUEST.wasm HOST_DIR GUEST_DIR [GUEST ARGS...]
//! The guest's failure is this program's exit code 1.

use anyhow::{Result, anyhow};
use wasmtime::component::{Component, Linker as ComponentLinker, ResourceTable};
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_nn::wit::WasiNnView;
use wasmtime_wasi_nn::{InMemoryRegistry, Registry, backend};

struct State {
    wasi: WasiP1Ctx,
    nn: wasmtime_wasi_nn::witx::WasiNnCtx,
}

struct ComponentState {
    wasi: WasiCtx,
    table: ResourceTable,
    nn: wasmtime_wasi_nn::wit::WasiNnCtx,
}

impl WasiView for ComponentState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let guest = args.next().ok_or_else(|| anyhow!("GUEST.wasm"))?;
    let host_dir = args.next().ok_or_else(|| anyhow!("HOST_DIR"))?;
    let guest_dir = args.next().ok_or_else(|| anyhow!("GUEST_DIR"))?;
    let mut wasi = WasiCtxBuilder::new();
    wasi.inherit_stdio().arg(&guest);
    for a in args {
        wasi.arg(a);
    }
    wasi.preopened_dir(&host_dir, &guest_dir, FsPerms::ReadWrite).map_err(|e| anyhow!("{e}"))?;
    let engine = Engine::default();
    let bytes = std::fs::read(&guest)?;
    // The layer field of the header: 1 for components, 0 for core modules.
    if bytes.get(6..8) == Some(&[1, 0]) {
        return run_component(&engine, &bytes, wasi);
    }
    let module = Module::new(&engine, &bytes).map_err(|e| anyhow!("{e}"))?;
    let mut linker: Linker<State> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut State| &mut s.wasi).map_err(|e| anyhow!("{e}"))?;
    wasmtime_wasi_nn::witx::add_to_linker(&mut linker, |s: &mut State| &mut s.nn).map_err(|e| anyhow!("{e}"))?;
    let nn = wasmtime_wasi_nn::witx::WasiNnCtx::new(backend::list(), Registry::from(InMemoryRegistry::new()));
    let mut store = Store::new(&engine, State { wasi: wasi.build_p1(), nn });
    let instance = linker.instantiate(&mut store, &module).map_err(|e| anyhow!("{e}"))?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").map_err(|e| anyhow!("{e}"))?;
    start.call(&mut store, ()).map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}

fn run_component(engine: &Engine, bytes: &[u8], mut wasi: WasiCtxBuilder) -> Result<()> {
    let component = Component::new(engine, bytes).map_err(|e| anyhow!("{e}"))?;
    let mut linker: ComponentLinker<ComponentState> = ComponentLinker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| anyhow!("{e}"))?;
    wasmtime_wasi_nn::wit::add_to_linker(&mut linker, |s: &mut ComponentState| WasiNnView::new(&mut s.table, &mut s.nn))
        .map_err(|e| anyhow!("{e}"))?;
    let nn = wasmtime_wasi_nn::wit::WasiNnCtx::new(backend::list(), Registry::from(InMemoryRegistry::new()));
    let state = ComponentState { wasi: wasi.build(), table: ResourceTable::new(), nn };
    let mut store = Store::new(engine, state);
    let command = Command::instantiate(&mut store, &component, &linker).map_err(|e| anyhow!("{e}"))?;
    match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(())) => std::process::exit(1),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => std::process::exit(exit.0),
            None => Err(anyhow!("{e:?}")),
        },
    }
}
