#![allow(dead_code)] // shared by tests/fuzz.rs and the cargo-fuzz target; each uses a part
//! A generator of hostile wasi-nn call sequences, shared by the randomized test
//! (`tests/fuzz.rs`) and the `cargo fuzz` target (`fuzz/`, which includes this file).
//!
//! A proxy guest re-exports the six host functions, so every argument (handles, pointers,
//! lengths, dimensions, enum tags) comes straight from the generator; random bytes are also
//! scribbled over guest memory. Between hostile calls a valid inference runs and must keep
//! returning the right numbers.

use std::sync::Arc;

use arbitrary::{Arbitrary, Unstructured};
use wasmtime::{Engine, Instance, Linker, Module, Store, TypedFunc};

use wasi_nn_host::{Backend, BackendConfig, GuestLoadPolicy, GuestLoads, Limits, WasiNnCtx};

// Also included by the cargo-fuzz target, so the shared test helpers are reached by path.
#[path = "../common/mod.rs"]
pub mod common;

pub mod wit;

/// `sum = a + b` over f32[1,4] (the same IR as `openvino::doc_support::ADD_MODEL_XML`).
const MODEL_AT: u32 = 16384;
const BUILDERS_AT: u32 = 64;
const TENSOR_AT: u32 = 128;
const OUTPUT_AT: u32 = 1024;
const PAGE: u32 = 65536;

/// One call, with its raw arguments.
#[derive(Debug, Clone, Arbitrary)]
pub enum Call {
    /// `load(builders, count, encoding, target, out)`.
    Load(Pointer, u32, u8, u8, Pointer),
    /// `load_by_name(name, len, out)`.
    LoadByName(Pointer, u32, Pointer),
    /// `init_execution_context(graph, out)`.
    Init(Handle, Pointer),
    /// `set_input(context, index, tensor)`.
    SetInput(Handle, u32, Pointer),
    /// `get_output(context, index, buffer, max, out)`.
    GetOutput(Handle, u32, Pointer, u32, Pointer),
    /// `compute(context)`.
    Compute(Handle),
    /// Writes bytes into guest memory below the model (tensor records, dims, builder lists).
    Scribble(u16, Vec<u8>),
    /// A full valid inference, checked.
    Valid,
}

/// A guest pointer: one of the meaningful addresses, near the end of memory, or anything.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Pointer {
    /// The builder array of the valid model.
    Builders,
    /// The valid tensor record.
    Tensor,
    /// The output buffer.
    Output,
    /// Just below the end of memory.
    NearEnd(u8),
    /// Any address.
    Any(u32),
}

impl Pointer {
    fn resolve(self) -> i32 {
        (match self {
            Pointer::Builders => BUILDERS_AT,
            Pointer::Tensor => TENSOR_AT,
            Pointer::Output => OUTPUT_AT,
            Pointer::NearEnd(n) => PAGE * 2 - u32::from(n),
            Pointer::Any(p) => p,
        }) as i32
    }
}

/// A handle: small numbers (likely to exist, or stale), or anything.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Handle {
    /// 0..=7.
    Small(u8),
    /// Any value.
    Any(u32),
}

impl Handle {
    fn resolve(self) -> i32 {
        match self {
            Handle::Small(n) => i32::from(n % 8),
            Handle::Any(h) => h as i32,
        }
    }
}

/// What happened to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The errno the guest received.
    Errno(i32),
    /// The call trapped (the guest's fault; the host is intact).
    Trap,
}

/// A proxy guest instance with a valid graph and context set up for [`Call::Valid`].
pub struct Harness {
    store: Store<WasiNnCtx>,
    instance: Instance,
    valid_context: i32,
    /// Calls made so far.
    pub calls: u64,
}

fn proxy_wat(xml: &str) -> String {
    let escaped = common::wat_bytes(xml.as_bytes());
    let imports = common::NN_IMPORTS;
    format!(
        r#"(module
  {imports}
  (memory (export "memory") 2)
  (data (i32.const {MODEL_AT}) "{escaped}")
  (func (export "load") (param i32 i32 i32 i32 i32) (result i32)
    (call $load (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "load_by_name") (param i32 i32 i32) (result i32)
    (call $load_by_name (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32) (result i32) (call $init (local.get 0) (local.get 1)))
  (func (export "set_input") (param i32 i32 i32) (result i32)
    (call $set_input (local.get 0) (local.get 1) (local.get 2)))
  (func (export "get_output") (param i32 i32 i32 i32 i32) (result i32)
    (call $get_output (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "compute") (param i32) (result i32) (call $compute (local.get 0))))"#
    )
}

type F1 = TypedFunc<i32, i32>;
type F2 = TypedFunc<(i32, i32), i32>;
type F3 = TypedFunc<(i32, i32, i32), i32>;
type F5 = TypedFunc<(i32, i32, i32, i32, i32), i32>;

impl Harness {
    /// A fresh instance over a backend (share one backend across harnesses: it owns the
    /// OpenVINO core). Sets up the valid graph and context.
    pub fn new(engine: &Engine, backend: Arc<Backend>) -> anyhow::Result<Self> {
        let xml = ADD_MODEL_XML;
        let module = Module::new(engine, proxy_wat(xml))?;
        let mut linker = Linker::new(engine);
        wasi_nn_host::add_to_linker(&mut linker, |ctx: &mut WasiNnCtx| ctx)?;
        let mut store = Store::new(engine, WasiNnCtx::new(backend));
        let instance = linker.instantiate(&mut store, &module)?;
        let mut harness = Self {
            store,
            instance,
            valid_context: 0,
            calls: 0,
        };
        harness.restore_valid_data();
        let load: F5 = harness
            .instance
            .get_typed_func(&mut harness.store, "load")?;
        let init: F2 = harness
            .instance
            .get_typed_func(&mut harness.store, "init")?;
        let errno = load.call(&mut harness.store, (BUILDERS_AT as i32, 2, 0, 0, 32))?;
        anyhow::ensure!(errno == 0, "the valid load failed with errno {errno}");
        let graph = harness.read_u32(32) as i32;
        let errno = init.call(&mut harness.store, (graph, 36))?;
        anyhow::ensure!(errno == 0, "the valid init failed with errno {errno}");
        harness.valid_context = harness.read_u32(36) as i32;
        Ok(harness)
    }

    /// A backend for harnesses: CPU, f32, few graphs (so random loads hit `busy` quickly).
    pub fn backend() -> anyhow::Result<Arc<Backend>> {
        let config = BackendConfig {
            properties: vec![("INFERENCE_PRECISION_HINT".into(), "f32".into())],
            limits: Limits {
                max_graphs: 4,
                max_contexts: 16,
                max_tensor_bytes: 1 << 20,
                ..Limits::default()
            },
            // The call surface is under test, not models: compile in-process (a worker per
            // random load would dominate the run).
            guest_loads: GuestLoadPolicy {
                mode: GuestLoads::InProcess,
                ..GuestLoadPolicy::default()
            },
            ..BackendConfig::default()
        };
        Ok(Arc::new(
            Backend::new(config).map_err(|e| anyhow::anyhow!("{e}"))?,
        ))
    }

    fn memory(&mut self) -> &mut [u8] {
        let memory = self
            .instance
            .get_memory(&mut self.store, "memory")
            .expect("exported");
        memory.data_mut(&mut self.store)
    }

    fn read_u32(&mut self, at: usize) -> u32 {
        let m = self.memory();
        u32::from_le_bytes([m[at], m[at + 1], m[at + 2], m[at + 3]])
    }

    fn write(&mut self, at: usize, bytes: &[u8]) {
        self.memory()[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Rewrites the builder array, the tensor record, its dims and data.
    fn restore_valid_data(&mut self) {
        let xml_len = ADD_MODEL_XML.len() as u32;
        let words = |w: &[u32]| w.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        self.write(
            BUILDERS_AT as usize,
            &words(&[MODEL_AT, xml_len, MODEL_AT, 0]),
        );
        self.write(TENSOR_AT as usize, &words(&[256, 2, 1, 512, 16]));
        self.write(256, &words(&[1, 4]));
        let data: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0]
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        self.write(512, &data);
    }

    fn outcome(result: wasmtime::Result<i32>) -> Outcome {
        match result {
            Ok(errno) => Outcome::Errno(errno),
            Err(_) => Outcome::Trap,
        }
    }

    /// Performs one call. Panics only if the host misbehaves: an errno outside the ABI, or a
    /// wrong result from a valid inference.
    pub fn call(&mut self, call: &Call) -> Outcome {
        self.calls += 1;
        let store = &mut self.store;
        let i = &self.instance;
        let outcome = match *call {
            Call::Load(b, n, enc, target, out) => {
                let f: F5 = i.get_typed_func(&mut *store, "load").expect("export");
                Self::outcome(f.call(
                    &mut *store,
                    (
                        b.resolve(),
                        n as i32,
                        i32::from(enc),
                        i32::from(target),
                        out.resolve(),
                    ),
                ))
            }
            Call::LoadByName(name, len, out) => {
                let f: F3 = i
                    .get_typed_func(&mut *store, "load_by_name")
                    .expect("export");
                Self::outcome(f.call(&mut *store, (name.resolve(), len as i32, out.resolve())))
            }
            Call::Init(g, out) => {
                let f: F2 = i.get_typed_func(&mut *store, "init").expect("export");
                Self::outcome(f.call(&mut *store, (g.resolve(), out.resolve())))
            }
            Call::SetInput(c, index, t) => {
                let f: F3 = i.get_typed_func(&mut *store, "set_input").expect("export");
                Self::outcome(f.call(&mut *store, (c.resolve(), index as i32, t.resolve())))
            }
            Call::GetOutput(c, index, buf, max, out) => {
                let f: F5 = i.get_typed_func(&mut *store, "get_output").expect("export");
                Self::outcome(f.call(
                    &mut *store,
                    (
                        c.resolve(),
                        index as i32,
                        buf.resolve(),
                        max as i32,
                        out.resolve(),
                    ),
                ))
            }
            Call::Compute(c) => {
                let f: F1 = i.get_typed_func(&mut *store, "compute").expect("export");
                Self::outcome(f.call(&mut *store, c.resolve()))
            }
            Call::Scribble(at, ref bytes) => {
                let at = usize::from(at) % (MODEL_AT as usize);
                let len = bytes.len().min(MODEL_AT as usize - at);
                self.write(at, &bytes[..len]);
                Outcome::Errno(0)
            }
            Call::Valid => {
                self.check_valid();
                Outcome::Errno(0)
            }
        };
        if let Outcome::Errno(errno) = outcome {
            assert!(
                (0..=8).contains(&errno),
                "errno {errno} is not an nn_errno ({call:?})"
            );
        }
        outcome
    }

    /// Runs the valid inference on the prepared context and checks the sums.
    pub fn check_valid(&mut self) {
        self.restore_valid_data();
        let ctx = self.valid_context;
        let store = &mut self.store;
        let set: F3 = self
            .instance
            .get_typed_func(&mut *store, "set_input")
            .expect("export");
        let compute: F1 = self
            .instance
            .get_typed_func(&mut *store, "compute")
            .expect("export");
        let get: F5 = self
            .instance
            .get_typed_func(&mut *store, "get_output")
            .expect("export");
        assert_eq!(
            set.call(&mut *store, (ctx, 0, TENSOR_AT as i32)).ok(),
            Some(0)
        );
        assert_eq!(
            set.call(&mut *store, (ctx, 1, TENSOR_AT as i32)).ok(),
            Some(0)
        );
        assert_eq!(compute.call(&mut *store, ctx).ok(), Some(0));
        assert_eq!(
            get.call(&mut *store, (ctx, 0, OUTPUT_AT as i32, 16, 40))
                .ok(),
            Some(0)
        );
        let out = &self.memory()[OUTPUT_AT as usize..OUTPUT_AT as usize + 16];
        let sums: Vec<f32> = out
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(
            sums,
            vec![2.0, 4.0, 6.0, 8.0],
            "a valid inference went wrong"
        );
    }

    /// Performs every call `data` decodes to (the `cargo fuzz` entry point).
    pub fn run_bytes(&mut self, data: &[u8]) {
        let mut u = Unstructured::new(data);
        while let Ok(call) = Call::arbitrary(&mut u) {
            self.call(&call);
            if u.is_empty() {
                break;
            }
        }
        self.check_valid();
    }
}

/// The IR of `sum = a + b` over f32[1,4].
pub const ADD_MODEL_XML: &str = openvino::doc_support::ADD_MODEL_XML;
