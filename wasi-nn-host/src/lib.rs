//! A [wasi-nn](https://github.com/WebAssembly/wasi-nn) host for [Wasmtime](https://wasmtime.dev)
//! over OpenVINO: WebAssembly programs call `wasi_ephemeral_nn` and get OpenVINO's native speed.
//!
//! The crate is layered: [`backend`] is the neutral OpenVINO layer (reading and compiling graphs,
//! the gate and the sandbox for guest models, the registry of named graphs, budgets, deadlines,
//! execution contexts) with its own [`backend::Error`]; [`witx`] is the `wasi_ephemeral_nn` ABI
//! on top of it, mapping errors to `nn_errno` in one place; [`wit`] is the
//! `wasi:nn@0.2.0-rc-2024-10-28` interface for components, mapping errors to `error-code` in one
//! place. [`run_command`] and [`run_component`] run a wasip1 module or a wasip2 component
//! ([`is_component`] tells them apart); [`serve`] serves a `wasi:http/proxy` component over
//! HTTP with named graphs compiled once and pooled.
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
//!
//! # Hostile guests: what the host guarantees
//! A guest is hostile by assumption: its calls and its model bytes. With the defaults
//! ([`BackendConfig::default`], and the CLI's sandboxed guest loads):
//! - **No host crash from a call.** Every argument is checked before OpenVINO sees it (handles,
//!   indexes, pointers and lengths through wiggle's bounds-checked views, ranks up to
//!   [`backend::MAX_RANK`], dimensions that overflow, data lengths, element types, names); a bad
//!   call is an errno, never a trap of the host or a panic.
//! - **Guest models cannot read the host.** The model gate refuses models that are not
//!   self-contained (ONNX external data in any place a tensor can hide, memory-address locations,
//!   file-reading TensorFlow ops, TFLite buffers outside the file, IR weights outside the weights
//!   builder) and bytes that are not of their declared encoding, before any OpenVINO frontend runs.
//!   Frontends that read only files get one in a private, empty, per-load folder (mode 0700,
//!   removed always).
//! - **Guest models cannot crash, exhaust or stall the host while loading.** With
//!   [`GuestLoads::Sandboxed`] (the CLI's default) they are read and compiled in a worker process
//!   whose anonymous resident memory is held to what is left of the instance's and the backend's
//!   memory budgets ([`Limits::max_memory_bytes`], 2 GiB; [`BackendConfig::max_backend_memory_bytes`],
//!   4 GiB), within [`Deadlines::compile`] (60 s); the worker is killed past either (`too_large`,
//!   `runtime_error`), and a crash of OpenVINO on the model is an `invalid_encoding` or
//!   `runtime_error`. A model with static inputs whose one inference on zeroed inputs outlasts the
//!   compute deadline is refused at load.
//! - **Budgets add up.** Memory measured for each guest graph, estimated for each execution
//!   context, and the bytes of every input tensor held are charged to the instance and the backend
//!   and given back when dropped; past a budget the call answers `too_large`. Handles per instance
//!   are bounded ([`Limits::max_graphs`], [`Limits::max_contexts`]); so are the bytes one call may
//!   pass (the store's hostcall fuel) and one model ([`Limits::max_model_bytes`]).
//! - **Compute answers in time.** Past [`Deadlines::compute`] (30 s) the inference is cancelled
//!   and `compute` answers `runtime_error` (witx) / `timeout` (WIT); the context answers `busy`
//!   until OpenVINO has stopped, then is usable again.
//! - **No uninitialised host memory reaches a guest.** `compute` refuses until every input is set;
//!   outputs are readable only after a successful `compute`.
//! - **Logs stay bounded.** Errors guests cause are logged at `debug`, at most 20 a second; host
//!   faults at `warn`.
//!
//! What it does **not** guarantee:
//! - OpenVINO's inference kernels are trusted: a bug in a kernel reached by a guest-loaded model
//!   runs in the host process (loads are sandboxed, inference is not: that is where its speed is).
//! - OpenVINO stops a cancelled inference between nodes, not inside one: a single node that runs
//!   for a long time on a guest's input keeps one of OpenVINO's threads busy after `compute` has
//!   answered (the context says `busy`). Models with static inputs are screened at load; models
//!   with dynamic inputs are bounded only by the input bytes the budgets allow.
//! - Memory OpenVINO allocates *during* an inference of a model with dynamic inputs depends on the
//!   input and is estimated, not measured.
//! - [`GuestLoads::InProcess`] (for trusted guests and benchmarks) keeps the gate but bounds neither
//!   compile memory nor compile time.

pub mod backend;
mod command;
mod component;
pub mod serve;
pub mod wit;
pub mod witx;

pub use crate::backend::{
    Backend, BackendConfig, Deadlines, Encoding, GuestLoadPolicy, GuestLoads, Limits, WorkerCommand,
};
pub use crate::backend::{gate, sandbox};
pub use crate::command::{CommandConfig, CommandState, run_command};
pub use crate::component::{is_component, run_component};
pub use crate::witx::{WasiNnCtx, add_to_linker};
