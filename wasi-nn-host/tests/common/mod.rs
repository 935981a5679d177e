//! Helpers shared by the wasi-nn-host integration tests.
#![allow(dead_code)]

pub mod component;

/// Bytes as the body of a WAT string literal (every byte escaped).
pub fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// The six `wasi_ephemeral_nn` imports, as WAT, with the C-like signatures guests use.
pub const NN_IMPORTS: &str = r#"
  (import "wasi_ephemeral_nn" "load" (func $load (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "load_by_name" (func $load_by_name (param i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "init_execution_context" (func $init (param i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "set_input" (func $set_input (param i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "get_output" (func $get_output (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "compute" (func $compute (param i32) (result i32)))
"#;

/// Guest loads compiled in the model worker (this package's CLI binary), as the CLI does.
pub fn sandboxed() -> wasi_nn_host::GuestLoadPolicy {
    wasi_nn_host::GuestLoadPolicy {
        mode: wasi_nn_host::GuestLoads::Sandboxed(wasi_nn_host::WorkerCommand::new(
            // `option_env!`: the cargo-fuzz crate includes this file but has no such binary
            // (and never calls this).
            match option_env!("CARGO_BIN_EXE_wasi-nn-host") {
                Some(cli) => cli,
                None => panic!("only wasi-nn-host's integration tests know its CLI binary"),
            },
            ["__model-worker"],
        )),
        ..Default::default()
    }
}

/// Guest loads compiled in the test process (for tests of the call surface, not of models).
pub fn in_process() -> wasi_nn_host::GuestLoadPolicy {
    wasi_nn_host::GuestLoadPolicy {
        mode: wasi_nn_host::GuestLoads::InProcess,
        ..Default::default()
    }
}

/// A guest that forwards each `wasi_ephemeral_nn` call to exports the test calls, with the test
/// writing arguments (models, tensors, names) straight into its memory: every call is the exact
/// one the test asks for, and each answers the guest's errno.
pub struct NnGuest {
    pub store: wasmtime::Store<wasi_nn_host::WasiNnCtx>,
    instance: wasmtime::Instance,
    /// Next free byte of the guest's memory (a bump allocator, reset by `reset`).
    top: usize,
}

/// A call's outcome as the guest sees it: a handle/length, or the errno.
pub type Answer<T> = Result<T, i32>;

impl NnGuest {
    /// Pages of guest memory (64 KiB each): 1 GiB, enough for any model the tests pass.
    const PAGES: u32 = 16384;
    const SCRATCH: usize = 1024;

    pub fn new(backend: std::sync::Arc<wasi_nn_host::Backend>) -> Self {
        let engine = wasmtime::Engine::default();
        Self::with_engine(&engine, backend)
    }

    pub fn with_engine(
        engine: &wasmtime::Engine,
        backend: std::sync::Arc<wasi_nn_host::Backend>,
    ) -> Self {
        let wat = format!(
            r#"(module
  {NN_IMPORTS}
  (memory (export "memory") {pages})
  (func (export "load") (param i32 i32 i32 i32 i32) (result i32)
    (call $load (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "load_by_name") (param i32 i32 i32) (result i32)
    (call $load_by_name (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32) (result i32) (call $init (local.get 0) (local.get 1)))
  (func (export "set_input") (param i32 i32 i32) (result i32)
    (call $set_input (local.get 0) (local.get 1) (local.get 2)))
  (func (export "get_output") (param i32 i32 i32 i32 i32) (result i32)
    (call $get_output (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "compute") (param i32) (result i32) (call $compute (local.get 0))))"#,
            pages = Self::PAGES
        );
        let module = wasmtime::Module::new(engine, wat).expect("valid WAT");
        let mut linker = wasmtime::Linker::new(engine);
        wasi_nn_host::add_to_linker(&mut linker, |ctx: &mut wasi_nn_host::WasiNnCtx| ctx)
            .expect("links");
        let mut store = wasmtime::Store::new(engine, wasi_nn_host::WasiNnCtx::new(backend));
        let instance = linker
            .instantiate(&mut store, &module)
            .expect("instantiates");
        Self {
            store,
            instance,
            top: Self::SCRATCH,
        }
    }

    /// Forgets everything written (handles stay valid).
    pub fn reset(&mut self) {
        self.top = Self::SCRATCH;
    }

    fn memory(&mut self) -> &mut [u8] {
        let memory = self
            .instance
            .get_memory(&mut self.store, "memory")
            .expect("exported");
        memory.data_mut(&mut self.store)
    }

    /// Copies `bytes` into guest memory and returns their address.
    pub fn put(&mut self, bytes: &[u8]) -> u32 {
        let at = self.top.next_multiple_of(8);
        self.memory()[at..at + bytes.len()].copy_from_slice(bytes);
        self.top = at + bytes.len();
        at as u32
    }

    fn read_u32(&mut self, at: u32) -> u32 {
        let at = at as usize;
        u32::from_le_bytes(self.memory()[at..at + 4].try_into().unwrap())
    }

    fn call<P: wasmtime::WasmParams>(&mut self, name: &str, params: P) -> i32 {
        let func = self
            .instance
            .get_typed_func::<P, i32>(&mut self.store, name)
            .expect("exported");
        func.call(&mut self.store, params).expect("no trap")
    }

    fn answer(&mut self, errno: i32, out: u32) -> Answer<u32> {
        if errno == 0 {
            Ok(self.read_u32(out))
        } else {
            Err(errno)
        }
    }

    /// `load(builders, encoding, target)`; encodings and targets by their witx numbers.
    pub fn load(&mut self, builders: &[&[u8]], encoding: i32, target: i32) -> Answer<u32> {
        let mut array = Vec::new();
        for b in builders {
            let at = self.put(b);
            array.extend_from_slice(&at.to_le_bytes());
            array.extend_from_slice(&(b.len() as u32).to_le_bytes());
        }
        let array_at = self.put(&array);
        let out = self.put(&[0; 4]);
        let errno = self.call(
            "load",
            (
                array_at as i32,
                builders.len() as i32,
                encoding,
                target,
                out as i32,
            ),
        );
        self.answer(errno, out)
    }

    pub fn load_by_name(&mut self, name: &[u8]) -> Answer<u32> {
        let at = self.put(name);
        let out = self.put(&[0; 4]);
        let errno = self.call("load_by_name", (at as i32, name.len() as i32, out as i32));
        self.answer(errno, out)
    }

    pub fn init(&mut self, graph: u32) -> Answer<u32> {
        let out = self.put(&[0; 4]);
        let errno = self.call("init", (graph as i32, out as i32));
        self.answer(errno, out)
    }

    /// `set_input` with a witx tensor type (0 f16, 1 f32, 2 f64, 3 u8, 4 i32, 5 i64).
    pub fn set_input(
        &mut self,
        context: u32,
        index: u32,
        ty: u8,
        dims: &[u32],
        data: &[u8],
    ) -> Answer<()> {
        let dims_bytes: Vec<u8> = dims.iter().flat_map(|d| d.to_le_bytes()).collect();
        let dims_at = self.put(&dims_bytes);
        let data_at = self.put(data);
        let mut tensor = Vec::new();
        tensor.extend_from_slice(&dims_at.to_le_bytes());
        tensor.extend_from_slice(&(dims.len() as u32).to_le_bytes());
        tensor.extend_from_slice(&u32::from(ty).to_le_bytes());
        tensor.extend_from_slice(&data_at.to_le_bytes());
        tensor.extend_from_slice(&(data.len() as u32).to_le_bytes());
        let tensor_at = self.put(&tensor);
        match self.call(
            "set_input",
            (context as i32, index as i32, tensor_at as i32),
        ) {
            0 => Ok(()),
            e => Err(e),
        }
    }

    pub fn compute(&mut self, context: u32) -> Answer<()> {
        match self.call("compute", context as i32) {
            0 => Ok(()),
            e => Err(e),
        }
    }

    pub fn get_output(&mut self, context: u32, index: u32, max: u32) -> Answer<Vec<u8>> {
        let buf = self.put(&vec![0; max as usize]);
        let out = self.put(&[0; 4]);
        let errno = self.call(
            "get_output",
            (
                context as i32,
                index as i32,
                buf as i32,
                max as i32,
                out as i32,
            ),
        );
        let len = self.answer(errno, out)? as usize;
        Ok(self.memory()[buf as usize..buf as usize + len].to_vec())
    }
}

/// xorshift64*: deterministic pseudo-random bytes for the randomized tests.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}
