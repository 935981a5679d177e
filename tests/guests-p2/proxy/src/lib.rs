//! A library component that makes the wasi:nn calls its caller asks for (see wit/world.wit):
//! the host tests and the fuzzer drive the WIT surface through it one call at a time, with any
//! arguments, slot numbers, forged handles and orders.

use std::cell::RefCell;

wit_bindgen::generate!({
    path: "wit",
    world: "proxy",
    generate_all,
});

use exports::test::proxy::calls::Guest;
use wasi::nn::errors::{Error, ErrorCode};
use wasi::nn::graph::{self, ExecutionTarget, Graph, GraphEncoding};
use wasi::nn::inference::GraphExecutionContext;
use wasi::nn::tensor::{Tensor, TensorType};

enum Slot {
    Graph(Graph),
    Context(GraphExecutionContext),
    Tensor(Tensor),
}

thread_local! {
    static SLOTS: RefCell<Vec<Option<Slot>>> = const { RefCell::new(Vec::new()) };
}

type Failure = (String, String);

fn code_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidArgument => "invalid-argument",
        ErrorCode::InvalidEncoding => "invalid-encoding",
        ErrorCode::Timeout => "timeout",
        ErrorCode::RuntimeError => "runtime-error",
        ErrorCode::UnsupportedOperation => "unsupported-operation",
        ErrorCode::TooLarge => "too-large",
        ErrorCode::NotFound => "not-found",
        ErrorCode::Security => "security",
        ErrorCode::Unknown => "unknown",
    }
}

fn failure(e: Error) -> Failure {
    (code_name(e.code()).to_string(), e.data())
}

fn no_slot(slot: u32, what: &str) -> Failure {
    ("proxy".to_string(), format!("slot {slot} holds no {what}"))
}

fn put(slot: Slot) -> u32 {
    SLOTS.with_borrow_mut(|slots| {
        if let Some(free) = slots.iter().position(Option::is_none) {
            slots[free] = Some(slot);
            free as u32
        } else {
            slots.push(Some(slot));
            slots.len() as u32 - 1
        }
    })
}

fn take(slot: u32) -> Option<Slot> {
    SLOTS.with_borrow_mut(|slots| slots.get_mut(slot as usize).and_then(Option::take))
}

fn tensor_type(ty: u8) -> TensorType {
    [TensorType::Fp16, TensorType::Fp32, TensorType::Fp64, TensorType::Bf16, TensorType::U8, TensorType::I32, TensorType::I64]
        [usize::from(ty) % 7]
}

fn type_number(ty: TensorType) -> u8 {
    match ty {
        TensorType::Fp16 => 0,
        TensorType::Fp32 => 1,
        TensorType::Fp64 => 2,
        TensorType::Bf16 => 3,
        TensorType::U8 => 4,
        TensorType::I32 => 5,
        TensorType::I64 => 6,
    }
}

fn store_outputs(outputs: Vec<(String, Tensor)>) -> Vec<(String, u32)> {
    outputs.into_iter().map(|(name, t)| (name, put(Slot::Tensor(t)))).collect()
}

struct Proxy;

impl Guest for Proxy {
    fn load(builders: Vec<Vec<u8>>, encoding: u8, target: u8) -> Result<u32, Failure> {
        let encoding = [
            GraphEncoding::Openvino,
            GraphEncoding::Onnx,
            GraphEncoding::Tensorflow,
            GraphEncoding::Pytorch,
            GraphEncoding::Tensorflowlite,
            GraphEncoding::Ggml,
            GraphEncoding::Autodetect,
        ][usize::from(encoding) % 7];
        let target = [ExecutionTarget::Cpu, ExecutionTarget::Gpu, ExecutionTarget::Tpu][usize::from(target) % 3];
        graph::load(&builders, encoding, target).map(|g| put(Slot::Graph(g))).map_err(failure)
    }

    fn load_by_name(name: String) -> Result<u32, Failure> {
        graph::load_by_name(&name).map(|g| put(Slot::Graph(g))).map_err(failure)
    }

    fn init(graph: u32) -> Result<u32, Failure> {
        SLOTS.with_borrow(|slots| match slots.get(graph as usize) {
            Some(Some(Slot::Graph(g))) => g.init_execution_context().map_err(failure),
            _ => Err(no_slot(graph, "graph")),
        })
        .map(|c| put(Slot::Context(c)))
    }

    fn tensor(dimensions: Vec<u32>, ty: u8, data: Vec<u8>) -> u32 {
        put(Slot::Tensor(Tensor::new(&dimensions, tensor_type(ty), &data)))
    }

    fn tensor_info(tensor: u32) -> Option<(Vec<u32>, u8, Vec<u8>)> {
        SLOTS.with_borrow(|slots| match slots.get(tensor as usize) {
            Some(Some(Slot::Tensor(t))) => Some((t.dimensions(), type_number(t.ty()), t.data())),
            _ => None,
        })
    }

    fn compute(context: u32, inputs: Vec<(String, u32)>) -> Result<Vec<(String, u32)>, Failure> {
        let mut named = Vec::with_capacity(inputs.len());
        for (name, slot) in inputs {
            match take(slot) {
                Some(Slot::Tensor(t)) => named.push((name, t)),
                Some(other) => {
                    SLOTS.with_borrow_mut(|slots| slots[slot as usize] = Some(other));
                    return Err(no_slot(slot, "tensor"));
                }
                None => return Err(no_slot(slot, "tensor")),
            }
        }
        let outputs = SLOTS.with_borrow(|slots| match slots.get(context as usize) {
            Some(Some(Slot::Context(c))) => Ok(c.compute(named).map_err(failure)),
            _ => Err(no_slot(context, "execution context")),
        })??;
        Ok(store_outputs(outputs))
    }

    fn drop_slot(slot: u32) -> bool {
        take(slot).is_some()
    }

    fn raw_handle(slot: u32) -> Option<u32> {
        SLOTS.with_borrow(|slots| match slots.get(slot as usize) {
            Some(Some(Slot::Graph(g))) => Some(g.handle()),
            Some(Some(Slot::Context(c))) => Some(c.handle()),
            Some(Some(Slot::Tensor(t))) => Some(t.handle()),
            _ => None,
        })
    }

    fn dimensions_of_raw(handle: u32) -> Vec<u32> {
        // SAFETY: deliberately unsound (a forged handle): the runtime must trap, not the host.
        let tensor = unsafe { Tensor::from_handle(handle) };
        let dims = tensor.dimensions();
        // The handle may belong to a slot: not ours to drop.
        std::mem::forget(tensor);
        dims
    }

    fn compute_raw(context: u32, name: String, handle: u32) -> Result<Vec<(String, u32)>, Failure> {
        // SAFETY: deliberately unsound (a forged handle), as above.
        let tensor = unsafe { Tensor::from_handle(handle) };
        let outputs = SLOTS.with_borrow(|slots| match slots.get(context as usize) {
            Some(Some(Slot::Context(c))) => Ok(c.compute(vec![(name, tensor)]).map_err(failure)),
            _ => {
                std::mem::forget(tensor);
                Err(no_slot(context, "execution context"))
            }
        })??;
        Ok(store_outputs(outputs))
    }

    fn live() -> u32 {
        SLOTS.with_borrow(|slots| slots.iter().filter(|s| s.is_some()).count() as u32)
    }
}

export!(Proxy);
