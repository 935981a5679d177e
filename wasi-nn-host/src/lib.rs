//! A [wasi-nn](https://github.com/WebAssembly/wasi-nn) host for [Wasmtime](https://wasmtime.dev)
//! over OpenVINO: WebAssembly programs call `wasi_ephemeral_nn` and get OpenVINO's native speed.
//!
//! The crate is layered: [`backend`] is the neutral OpenVINO layer (reading and compiling graphs,
//! the gate and the sandbox for guest models, the registry of named graphs, budgets, deadlines,
//! execution contexts) with its own [`backend::Error`]; [`witx`] is the `wasi_ephemeral_nn` ABI
//! on top of it, mapping errors to `nn_errno` in one place; [`wit`] is the
//! `wasi:nn@0.2.0-rc-2024-10-28` interface for components, mapping errors to `error-code` in one
//! place. [`run_command`] and [`run_component`] run a wasip1 module or a wasip2 component
//! ([`is_component`] tells them apart).
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
//! The [`Backend`] is shared by every instance: it owns OpenVINO's core, the graphs registered
//! by name (compiled once) and the backend-wide memory budget. Each instance has its own
//! [`WasiNnCtx`] holding its handles, within the [`Limits`] the embedder sets.

pub mod backend;
mod command;
mod component;
pub mod wit;
pub mod witx;

pub use crate::backend::sandbox;
pub use crate::backend::{
    Backend, BackendConfig, Deadlines, Encoding, GuestLoadPolicy, GuestLoads, Limits, WorkerCommand,
};
pub use crate::command::{CommandConfig, run_command};
pub use crate::component::{is_component, run_component};
pub use crate::witx::{WasiNnCtx, add_to_linker};
