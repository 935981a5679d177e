//! Components (tests/guests-p2) under test: running a command component with its output
//! captured, and the proxy library component (`test:proxy/calls`) that lets a test make each
//! wasi:nn WIT call itself.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use wasi_nn_host::Backend;
use wasi_nn_host::wit::{WasiNnCtx, WasiNnView};
use wasmtime::component::{Component, Instance, Linker, ResourceTable, TypedFunc};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::Command;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::runtime::in_tokio as block_on;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// One engine for every component of a test binary (compiling a component takes a while).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// A guest component by name, compiled once per test binary.
pub fn component(name: &str) -> Component {
    static COMPILED: OnceLock<Mutex<HashMap<String, Component>>> = OnceLock::new();
    let mut compiled = COMPILED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    compiled
        .entry(name.to_owned())
        .or_insert_with(|| {
            Component::from_file(engine(), openvino_fixtures::component(name))
                .expect("the component compiles")
        })
        .clone()
}

/// A store's state: WASI p2 and wasi:nn sharing one resource table.
pub struct State {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub nn: WasiNnCtx,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A linker with WASI p2 and wasi:nn (WIT), as an embedder sets it up (wasi:nn's `compute` is
/// an async host function: components run with Wasmtime's `*_async` calls, driven to completion
/// on the test's thread).
pub fn linker() -> Linker<State> {
    let mut linker = Linker::new(engine());
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI links");
    wasi_nn_host::wit::add_to_linker(&mut linker, |s: &mut State| {
        WasiNnView::new(&mut s.nn, &mut s.table)
    })
    .expect("wasi:nn links");
    linker
}

/// What a command component did.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs command component `name` with `args` (program name first) and folders, capturing its
/// output. A trap fails the test.
pub fn run(backend: &Arc<Backend>, name: &str, args: &[String], dirs: &[(PathBuf, &str)]) -> Ran {
    let stdout = MemoryOutputPipe::new(1 << 20);
    let stderr = MemoryOutputPipe::new(1 << 20);
    let mut wasi = WasiCtxBuilder::new();
    wasi.args(args)
        .stdout(stdout.clone())
        .stderr(stderr.clone());
    for (host, guest) in dirs {
        wasi.preopened_dir(host, guest, FsPerms::ReadWrite)
            .expect("the folder opens");
    }
    let state = State {
        wasi: wasi.build(),
        table: ResourceTable::new(),
        nn: WasiNnCtx::new(Arc::clone(backend)),
    };
    let mut store = Store::new(engine(), state);
    let outcome = block_on(async {
        let command = Command::instantiate_async(&mut store, &component(name), &linker())
            .await
            .expect("instantiates");
        command.wasi_cli_run().call_run(&mut store).await
    });
    let code = match outcome {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => exit.0,
            None => panic!(
                "{name} trapped: {e:?}\nstderr: {}",
                String::from_utf8_lossy(&stderr.contents())
            ),
        },
    };
    Ran {
        code,
        stdout: String::from_utf8_lossy(&stdout.contents()).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.contents()).into_owned(),
    }
}

/// A failure as the proxy reports it: the error code's WIT name and the error's data.
pub type Failure = (String, String);
/// A call's outcome: the guest's answer, or a trap.
pub type Called<T> = wasmtime::Result<T>;
type Outputs = Vec<(String, u32)>;
/// A tensor's dimensions, type number and data, if the slot holds a tensor.
pub type Info = Option<(Vec<u32>, u8, Vec<u8>)>;
/// An export's result: a value or a failure.
type Answer<T> = (Result<T, Failure>,);
type Builders = Vec<Vec<u8>>;
type NamedSlots = Vec<(String, u32)>;

/// The proxy library component, instantiated in its own store: each method is one export, which
/// makes the matching wasi:nn call with exactly these arguments.
pub struct Proxy {
    pub store: Store<State>,
    instance: Instance,
    load: TypedFunc<(Builders, u8, u8), Answer<u32>>,
    load_by_name: TypedFunc<(String,), Answer<u32>>,
    init: TypedFunc<(u32,), Answer<u32>>,
    tensor: TypedFunc<(Vec<u32>, u8, Vec<u8>), (u32,)>,
    tensor_info: TypedFunc<(u32,), (Info,)>,
    compute: TypedFunc<(u32, NamedSlots), Answer<Outputs>>,
    drop_slot: TypedFunc<(u32,), (bool,)>,
    raw_handle: TypedFunc<(u32,), (Option<u32>,)>,
    dimensions_of_raw: TypedFunc<(u32,), (Vec<u32>,)>,
    compute_raw: TypedFunc<(u32, String, u32), Answer<Outputs>>,
    live: TypedFunc<(), (u32,)>,
}

impl Proxy {
    pub fn new(backend: Arc<Backend>) -> Self {
        Self::in_store(Store::new(
            engine(),
            State {
                wasi: WasiCtxBuilder::new().inherit_stderr().build(),
                table: ResourceTable::new(),
                nn: WasiNnCtx::new(backend),
            },
        ))
    }

    /// Another proxy instance in this one's store (sharing its table and session).
    pub fn in_store(mut store: Store<State>) -> Self {
        let instance = block_on(linker().instantiate_async(&mut store, &component("nn_proxy")))
            .expect("the proxy instantiates");
        let calls = instance
            .get_export_index(&mut store, None, "test:proxy/calls")
            .expect("exports calls");
        macro_rules! func {
            ($name:literal) => {{
                let index = instance
                    .get_export_index(&mut store, Some(&calls), $name)
                    .expect($name);
                instance
                    .get_typed_func(&mut store, &index)
                    .expect(concat!($name, " has the expected type"))
            }};
        }
        Self {
            load: func!("load"),
            load_by_name: func!("load-by-name"),
            init: func!("init"),
            tensor: func!("tensor"),
            tensor_info: func!("tensor-info"),
            compute: func!("compute"),
            drop_slot: func!("drop-slot"),
            raw_handle: func!("raw-handle"),
            dimensions_of_raw: func!("dimensions-of-raw"),
            compute_raw: func!("compute-raw"),
            live: func!("live"),
            store,
            instance,
        }
    }

    /// The instance (e.g. to make a second one with the same component in another store).
    pub fn instance(&self) -> Instance {
        self.instance
    }

    pub fn load(
        &mut self,
        builders: &[&[u8]],
        encoding: u8,
        target: u8,
    ) -> Called<Result<u32, Failure>> {
        let builders = builders.iter().map(|b| b.to_vec()).collect();
        Ok(block_on(
            self.load
                .call_async(&mut self.store, (builders, encoding, target)),
        )?
        .0)
    }

    pub fn load_by_name(&mut self, name: &str) -> Called<Result<u32, Failure>> {
        Ok(block_on(
            self.load_by_name
                .call_async(&mut self.store, (name.to_owned(),)),
        )?
        .0)
    }

    pub fn init(&mut self, graph: u32) -> Called<Result<u32, Failure>> {
        Ok(block_on(self.init.call_async(&mut self.store, (graph,)))?.0)
    }

    pub fn tensor(&mut self, dims: &[u32], ty: u8, data: &[u8]) -> Called<u32> {
        Ok(block_on(
            self.tensor
                .call_async(&mut self.store, (dims.to_vec(), ty, data.to_vec())),
        )?
        .0)
    }

    pub fn tensor_info(&mut self, tensor: u32) -> Called<Info> {
        Ok(block_on(self.tensor_info.call_async(&mut self.store, (tensor,)))?.0)
    }

    pub fn compute(
        &mut self,
        context: u32,
        inputs: &[(&str, u32)],
    ) -> Called<Result<Outputs, Failure>> {
        let inputs = inputs.iter().map(|(n, t)| (n.to_string(), *t)).collect();
        Ok(block_on(self.compute.call_async(&mut self.store, (context, inputs)))?.0)
    }

    pub fn drop_slot(&mut self, slot: u32) -> Called<bool> {
        Ok(block_on(self.drop_slot.call_async(&mut self.store, (slot,)))?.0)
    }

    pub fn raw_handle(&mut self, slot: u32) -> Called<Option<u32>> {
        Ok(block_on(self.raw_handle.call_async(&mut self.store, (slot,)))?.0)
    }

    pub fn dimensions_of_raw(&mut self, handle: u32) -> Called<Vec<u32>> {
        Ok(block_on(
            self.dimensions_of_raw
                .call_async(&mut self.store, (handle,)),
        )?
        .0)
    }

    pub fn compute_raw(
        &mut self,
        context: u32,
        name: &str,
        handle: u32,
    ) -> Called<Result<Outputs, Failure>> {
        Ok(block_on(
            self.compute_raw
                .call_async(&mut self.store, (context, name.to_owned(), handle)),
        )?
        .0)
    }

    pub fn live(&mut self) -> Called<u32> {
        Ok(block_on(self.live.call_async(&mut self.store, ()))?.0)
    }

    /// The backend this proxy's store uses.
    pub fn backend(&self) -> &Arc<Backend> {
        self.store.data().nn.backend()
    }

    pub fn nn(&self) -> &WasiNnCtx {
        &self.store.data().nn
    }
}

/// The tensor-type case numbers of the WIT (`tensor-type`), as the proxy takes them.
pub mod ty {
    pub const FP16: u8 = 0;
    pub const FP32: u8 = 1;
    pub const FP64: u8 = 2;
    pub const BF16: u8 = 3;
    pub const U8: u8 = 4;
    pub const I32: u8 = 5;
    pub const I64: u8 = 6;
}

/// The graph-encoding case numbers of the WIT.
pub mod encoding {
    pub const OPENVINO: u8 = 0;
    pub const ONNX: u8 = 1;
    pub const TENSORFLOW: u8 = 2;
    pub const PYTORCH: u8 = 3;
    pub const TENSORFLOWLITE: u8 = 4;
    pub const GGML: u8 = 5;
    pub const AUTODETECT: u8 = 6;
}
