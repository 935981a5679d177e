//! A [wasi-nn](https://github.com/WebAssembly/wasi-nn) host for [Wasmtime](https://wasmtime.dev)
//! over OpenVINO: WebAssembly programs call `wasi_ephemeral_nn` and get OpenVINO's native speed.
//!
//! The ABI is described by `witx/wasi_ephemeral_nn.witx` (written for this crate, matching what
//! guests built with the crates.io `wasi-nn` crate 0.6 import), bound with `wiggle::from_witx!`,
//! and implemented on [`WasiNnCtx`] over the safe `openvino` crate.
//!
//! ```
//! use std::sync::Arc;
//! use wasi_nn_host::{Backend, BackendConfig, WasiNnCtx};
//! use wasmtime::{Engine, Linker, Module, Store};
//!
//! struct State { nn: WasiNnCtx }
//!
//! let engine = Engine::default();
//! let mut linker: Linker<State> = Linker::new(&engine);
//! wasi_nn_host::add_to_linker(&mut linker, |state: &mut State| &mut state.nn)?;
//!
//! let backend = Arc::new(Backend::new(BackendConfig::default())?);
//! let mut store = Store::new(&engine, State { nn: WasiNnCtx::new(backend) });
//! // A guest asking for a graph that is not registered gets `not_found` (8).
//! let module = Module::new(&engine, r#"(module
//!     (import "wasi_ephemeral_nn" "load_by_name" (func $load_by_name (param i32 i32 i32) (result i32)))
//!     (memory (export "memory") 1)
//!     (data (i32.const 0) "missing")
//!     (func (export "run") (result i32) (call $load_by_name (i32.const 0) (i32.const 7) (i32.const 16))))"#)?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
//! assert_eq!(run.call(&mut store, ())?, 8);
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! The [`Backend`] is shared by every instance: it owns OpenVINO's core and the graphs registered
//! by name (compiled once). Each instance has its own [`WasiNnCtx`] holding its handles, within
//! the [`Limits`] the embedder sets.

mod backend;
mod command;
mod ctx;
mod error;
mod witx;

pub use crate::backend::{Backend, BackendConfig, Graph};
pub use crate::command::{CommandConfig, CommandState, run_command};
pub use crate::ctx::{Limits, WasiNnCtx};
pub use crate::error::Error;
pub use crate::witx::types::{ExecutionTarget, GraphEncoding, NnErrno, TensorType};

/// Adds the `wasi_ephemeral_nn` functions to a Wasmtime linker; `get` reaches each store's
/// [`WasiNnCtx`]. It can sit beside wasmtime-wasi's preview1 functions in the same linker.
pub fn add_to_linker<T: 'static>(
    linker: &mut wasmtime::Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiNnCtx + Send + Sync + Copy + 'static,
) -> anyhow::Result<()> {
    witx::wasi_ephemeral_nn::add_to_linker(linker, get)?;
    Ok(())
}
