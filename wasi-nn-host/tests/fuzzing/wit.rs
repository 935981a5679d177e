//! A generator of hostile wasi:nn WIT call sequences, made through the proxy component
//! (tests/guests-p2/proxy): random slots (graphs, contexts, tensors, stale or empty), names,
//! dimensions, types, data lengths and builders, interleaved with a valid inference that must
//! keep returning the right numbers. A trap (only the canonical ABI's own refusals, e.g. the
//! data of a tensor the host refused) ends that instance; the next call gets a fresh one on the
//! same backend.

use std::sync::Arc;

use arbitrary::{Arbitrary, Unstructured};

use super::common::component::{Failure, Proxy};
use wasi_nn_host::Backend;

/// The WIT `error-code` names the host may answer (the proxy's own "proxy" is for empty slots).
const CODES: [&str; 10] = [
    "invalid-argument",
    "invalid-encoding",
    "timeout",
    "runtime-error",
    "unsupported-operation",
    "too-large",
    "not-found",
    "security",
    "unknown",
    "proxy",
];

/// The name the harness registers the valid model under (so that checking a valid inference
/// compiles nothing).
const REGISTERED: &str = "add";

/// Slot numbers are taken modulo this: the proxy fills the lowest free slot, so small numbers
/// usually hold something (a graph, a context or a tensor) and sometimes the wrong thing.
const SLOTS: u8 = 6;

/// A model for `load`.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Model {
    /// The valid `sum = a + b` IR.
    Add,
    /// The IR cut short.
    Truncated(u16),
    /// Random bytes.
    Garbage(u8),
    /// No builders at all.
    None,
    /// Many empty builders.
    Empty(u8),
}

/// One call, with its raw arguments.
#[derive(Debug, Clone, Arbitrary)]
pub enum WitCall {
    /// `load(model, encoding, target)`.
    Load(Model, u8, u8),
    /// `load-by-name`: the registered graph, or any name.
    LoadByName(Option<String>),
    /// `init-execution-context` on a slot.
    Init(u8),
    /// The tensor constructor: dimensions, type, data length.
    Tensor(Dims, u8, Length),
    /// A tensor's dimensions, type and data.
    TensorInfo(u8),
    /// `compute` on a slot with named slots.
    Compute(u8, Vec<(Name, u8)>),
    /// Drop a slot.
    Drop(u8),
    /// A full valid inference, checked.
    Valid,
}

/// Tensor dimensions: the valid model's input shape, or anything.
#[derive(Debug, Clone, Arbitrary)]
pub enum Dims {
    /// `[1, 4]`.
    AddInput,
    /// Any dimensions (at most 40).
    Any(Vec<u32>),
}

/// Tensor data length: what the dimensions and type need (capped at 64 KiB), or any.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Length {
    /// Dimensions times element size.
    Exact,
    /// Any length up to 64 KiB.
    Any(u16),
}

/// An input name: the model's, an alias-like near miss, or anything.
#[derive(Debug, Clone, Arbitrary)]
pub enum Name {
    /// `a`.
    A,
    /// `b`.
    B,
    /// Any string.
    Any(String),
}

impl Name {
    fn as_str(&self) -> &str {
        match self {
            Name::A => "a",
            Name::B => "b",
            Name::Any(s) => s,
        }
    }
}

/// What happened to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WitOutcome {
    /// Success.
    Ok,
    /// An error with this code.
    Failed(String),
    /// The call trapped (the instance is replaced).
    Trap,
}

/// A proxy instance over a shared backend, with what the generator needs.
pub struct WitHarness {
    backend: Arc<Backend>,
    proxy: Proxy,
    xml: Vec<u8>,
    /// Calls made so far.
    pub calls: u64,
    /// Instances replaced after a trap.
    pub traps: u64,
}

impl WitHarness {
    /// A fresh instance over `backend` (share one: it owns the OpenVINO core).
    pub fn new(backend: Arc<Backend>) -> Self {
        if backend.graph_by_name(REGISTERED).is_none() {
            let dir = std::env::temp_dir().join(format!("wit-fuzz-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("a temporary folder");
            let path = dir.join("add.xml");
            std::fs::write(&path, super::ADD_MODEL_XML).expect("the model file");
            backend
                .register(REGISTERED, &path, None)
                .expect("the valid model registers");
            let _ = std::fs::remove_dir_all(&dir);
        }
        Self {
            proxy: Proxy::new(Arc::clone(&backend)),
            backend,
            xml: super::ADD_MODEL_XML.as_bytes().to_vec(),
            calls: 0,
            traps: 0,
        }
    }

    fn outcome<T>(&mut self, result: wasmtime::Result<Result<T, Failure>>) -> WitOutcome {
        match result {
            Ok(Ok(_)) => WitOutcome::Ok,
            Ok(Err((code, message))) => {
                assert!(
                    CODES.contains(&code.as_str()),
                    "{code} is not a WIT error code ({message})"
                );
                assert!(!message.is_empty(), "{code} without a message");
                WitOutcome::Failed(code)
            }
            Err(_) => {
                self.traps += 1;
                self.proxy = Proxy::new(Arc::clone(&self.backend));
                WitOutcome::Trap
            }
        }
    }

    /// Performs one call. Panics only if the host misbehaves: a code outside the WIT, an error
    /// without a message, or a wrong result from a valid inference.
    pub fn call(&mut self, call: &WitCall) -> WitOutcome {
        self.calls += 1;
        let p = &mut self.proxy;
        match call {
            WitCall::Load(model, encoding, target) => {
                let garbage;
                let empties;
                let builders: Vec<&[u8]> = match *model {
                    Model::Add => vec![&self.xml],
                    Model::Truncated(n) => vec![&self.xml[..usize::from(n) % self.xml.len()]],
                    Model::Garbage(n) => {
                        garbage = vec![n; usize::from(n) * 7];
                        vec![&garbage]
                    }
                    Model::None => vec![],
                    Model::Empty(n) => {
                        empties = vec![&[][..]; usize::from(n % 12)];
                        empties
                    }
                };
                let r = p.load(&builders, *encoding, *target);
                self.outcome(r)
            }
            WitCall::LoadByName(name) => {
                let r = p.load_by_name(name.as_deref().unwrap_or(REGISTERED));
                self.outcome(r)
            }
            WitCall::Init(slot) => {
                let r = p.init(u32::from(*slot % SLOTS));
                self.outcome(r)
            }
            WitCall::Tensor(dims, ty, len) => {
                let dims: Vec<u32> = match dims {
                    Dims::AddInput => vec![1, 4],
                    Dims::Any(d) => d.iter().take(40).copied().collect(),
                };
                let len = match len {
                    Length::Exact => {
                        // fp16, fp32, fp64, bf16, u8, i32, i64
                        let size = [2u64, 4, 8, 2, 1, 4, 8][usize::from(*ty) % 7];
                        dims.iter()
                            .try_fold(size, |n, d| n.checked_mul(u64::from(*d)))
                            .map_or(1 << 16, |n| n.min(1 << 16)) as usize
                    }
                    Length::Any(n) => usize::from(*n),
                };
                let r = p
                    .tensor(&dims, *ty, &vec![0x3f; len])
                    .map(Ok::<u32, Failure>);
                self.outcome(r)
            }
            WitCall::TensorInfo(slot) => {
                let r = p
                    .tensor_info(u32::from(*slot % SLOTS))
                    .map(Ok::<_, Failure>);
                self.outcome(r)
            }
            WitCall::Compute(context, inputs) => {
                let inputs: Vec<(&str, u32)> = inputs
                    .iter()
                    .take(8)
                    .map(|(n, s)| (n.as_str(), u32::from(*s % SLOTS)))
                    .collect();
                let r = p.compute(u32::from(*context % SLOTS), &inputs);
                self.outcome(r)
            }
            WitCall::Drop(slot) => {
                // Any slot: outputs land in higher slots, and are reclaimed here.
                let r = p.drop_slot(u32::from(*slot % 32)).map(Ok::<_, Failure>);
                self.outcome(r)
            }
            WitCall::Valid => {
                self.check_valid();
                WitOutcome::Ok
            }
        }
    }

    /// A valid inference on the registered graph in a new context, checked, then dropped again.
    pub fn check_valid(&mut self) {
        let p = &mut self.proxy;
        let graph = match p.load_by_name(REGISTERED).expect("no trap") {
            Ok(graph) => graph,
            // The instance may hold as many graphs as it may: then a context of a held one.
            Err((code, _)) if code == "runtime-error" => {
                return self.check_valid_in_fresh_instance();
            }
            Err(e) => panic!("the valid load failed: {e:?}"),
        };
        Self::infer(p, graph);
    }

    fn check_valid_in_fresh_instance(&mut self) {
        let mut fresh = Proxy::new(Arc::clone(&self.backend));
        let graph = fresh
            .load_by_name(REGISTERED)
            .expect("no trap")
            .expect("a fresh instance loads");
        Self::infer(&mut fresh, graph);
    }

    fn infer(p: &mut Proxy, graph: u32) {
        let context = match p.init(graph).expect("no trap") {
            Ok(context) => context,
            // The instance holds as many contexts as it may: a fresh one must serve.
            Err((code, _)) if code == "runtime-error" => {
                p.drop_slot(graph).expect("no trap");
                let mut fresh = Proxy::new(Arc::clone(p.backend()));
                let graph = fresh
                    .load_by_name(REGISTERED)
                    .expect("no trap")
                    .expect("a fresh instance loads");
                return Self::infer(&mut fresh, graph);
            }
            Err(e) => panic!("no context: {e:?}"),
        };
        let x: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let a = p.tensor(&[1, 4], 1, &x).expect("no trap");
        let b = p.tensor(&[1, 4], 1, &x).expect("no trap");
        let outputs = p
            .compute(context, &[("a", a), ("b", b)])
            .expect("no trap")
            .expect("a valid compute");
        let (_, _, data) = p
            .tensor_info(outputs[0].1)
            .expect("no trap")
            .expect("the output");
        let sums: Vec<f32> = data
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(
            sums,
            vec![2.0, 4.0, 6.0, 8.0],
            "a valid inference went wrong"
        );
        for slot in [outputs[0].1, context, graph] {
            p.drop_slot(slot).expect("no trap");
        }
    }

    /// Performs every call `data` decodes to (the `cargo fuzz` entry point).
    pub fn run_bytes(&mut self, data: &[u8]) {
        let mut u = Unstructured::new(data);
        while let Ok(call) = WitCall::arbitrary(&mut u) {
            self.call(&call);
            if u.is_empty() {
                break;
            }
        }
        self.check_valid();
    }
}
