//! Runs a wasm32-wasip1 guest with Wasmtime's own wasi-nn (OpenVINO backend), the way the
//! `wasmtime` CLI's `-S nn` does, for scripts/bench.
//! Usage: peer-wasmtime-wasi-nn GUEST.wasm HOST_DIR GUEST_DIR [GUEST ARGS...]

use anyhow::{Result, anyhow};
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};
use wasmtime_wasi_nn::witx::WasiNnCtx;
use wasmtime_wasi_nn::{InMemoryRegistry, Registry, backend};

struct State {
    wasi: WasiP1Ctx,
    nn: WasiNnCtx,
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let guest = args.next().ok_or_else(|| anyhow!("GUEST.wasm"))?;
    let host_dir = args.next().ok_or_else(|| anyhow!("HOST_DIR"))?;
    let guest_dir = args.next().ok_or_else(|| anyhow!("GUEST_DIR"))?;
    let engine = Engine::default();
    let module = Module::from_file(&engine, &guest).map_err(|e| anyhow!("{e}"))?;
    let mut linker: Linker<State> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut State| &mut s.wasi).map_err(|e| anyhow!("{e}"))?;
    wasmtime_wasi_nn::witx::add_to_linker(&mut linker, |s: &mut State| &mut s.nn).map_err(|e| anyhow!("{e}"))?;
    let mut wasi = WasiCtxBuilder::new();
    wasi.inherit_stdio().arg(&guest);
    for a in args {
        wasi.arg(a);
    }
    wasi.preopened_dir(&host_dir, &guest_dir, FsPerms::ReadWrite).map_err(|e| anyhow!("{e}"))?;
    let nn = WasiNnCtx::new(backend::list(), Registry::from(InMemoryRegistry::new()));
    let mut store = Store::new(&engine, State { wasi: wasi.build_p1(), nn });
    let instance = linker.instantiate(&mut store, &module).map_err(|e| anyhow!("{e}"))?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").map_err(|e| anyhow!("{e}"))?;
    start.call(&mut store, ()).map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}
