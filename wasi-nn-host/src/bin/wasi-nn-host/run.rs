//! `wasi-nn-host run`: runs a wasm32-wasip1 module with WASI and wasi-nn, as `wasmtime run -S nn`
//! does, and exits as `wasmtime run` exits.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use wasi_nn_host::{
    Backend, BackendConfig, CommandConfig, CommandState, Deadlines, Encoding, GuestLoadPolicy,
    GuestLoads, Limits, WorkerCommand,
};
use wasmtime::{Cache, Config, Engine, Func, Instance, Linker, Module, Store, Trap, Val, ValType};
use wasmtime_wasi::I32Exit;

use crate::flags::{
    CodegenOption, GraphArg, GroupParser, NnGraph, Options, TimeLimit, WasiOption, WasmOption,
};

/// The exit code of a program stopped by a trap: what a process killed by SIGABRT reports on
/// Unix, and what `abort()` returns on Windows; `wasmtime run` uses the same.
#[cfg(unix)]
pub const TRAP_EXIT_CODE: u8 = 128 + 6;
#[cfg(not(unix))]
pub const TRAP_EXIT_CODE: u8 = 3;

/// The first argument that makes this program a model worker (wasi_nn_host::sandbox).
pub const WORKER_ARG: &str = "__model-worker";

/// Where guest models (`load` from bytes) are compiled.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestModels {
    /// In a worker process, under the memory budgets and the compile deadline (the default).
    Sandbox,
    /// In this process: for trusted programs and benchmarks (no memory or time bound while
    /// compiling).
    InProcess,
    /// Not at all: only graphs given with --graph or -S nn-graph.
    Deny,
}

/// Runs a WebAssembly module whose wasi-nn calls are served by OpenVINO.
#[derive(clap::Args, Debug, Clone)]
pub struct RunCommand {
    /// Grant access of a host directory to the program.
    ///
    /// `HOST_DIR` alone is seen under the same name in the program; `HOST_DIR::GUEST_DIR`
    /// under `GUEST_DIR`.
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR]", value_parser = crate::flags::parse_dir)]
    dirs: Vec<(PathBuf, String)>,

    /// Pass an environment variable to the program.
    ///
    /// `--env FOO=BAR` sets `FOO` to `BAR`; `--env FOO` passes the host's `FOO`, if set.
    #[arg(long = "env", value_name = "NAME[=VAL]", value_parser = crate::flags::parse_env)]
    env: Vec<(String, Option<String>)>,

    /// Call this exported function instead of `_start`.
    ///
    /// The arguments after the module are parsed as its parameters (i32/i64 in decimal or
    /// 0x hexadecimal, f32/f64); its results are printed, one per line. A reactor's
    /// `_initialize` runs first.
    #[arg(long, value_name = "FUNCTION")]
    invoke: Option<String>,

    /// Override `argv[0]` (by default the module's file name).
    #[arg(long, value_name = "NAME")]
    argv0: Option<String>,

    /// Options for running Wasm code, `-W help` to see all: `timeout=N|Ns|Nms|..`,
    /// `max-memory-size=N`, `trap-on-grow-failure[=y|n]`, `fuel=N`.
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL[,..]]", value_parser = GroupParser::<WasmOption>::new())]
    wasm: Vec<Options<WasmOption>>,

    /// Options for WASI, `-S help` to see all: `nn` (always on), `nn-graph=<format>::<dir>`,
    /// `inherit-env[=y|n]`.
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL[,..]]", value_parser = GroupParser::<WasiOption>::new())]
    wasi: Vec<Options<WasiOption>>,

    /// Options for compiling Wasm code, `-C help` to see all: `cache[=y|n]`,
    /// `cache-config=path`.
    #[arg(short = 'C', long = "codegen", value_name = "KEY[=VAL[,..]]", value_parser = GroupParser::<CodegenOption>::new())]
    codegen: Vec<Options<CodegenOption>>,

    /// Interrupt Wasm code running longer than this: the same as `-W timeout=DURATION`.
    ///
    /// A whole number of seconds, or with a unit: `2s`, `500ms`, `100us`, `10ns`. The program
    /// exits as on a trap. Time spent inside an OpenVINO call counts, but the interruption lands
    /// when the call returns to Wasm.
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_duration)]
    timeout: Option<Duration>,

    /// Compile a model file once and serve it to `load_by_name(NAME)`.
    ///
    /// The format follows the file (.xml IR with its .bin beside it, .onnx, .tflite, .pb,
    /// .pdmodel); `@DEVICE` compiles it for that OpenVINO device.
    #[arg(long = "graph", value_name = "NAME=PATH[@DEVICE]", value_parser = crate::flags::parse_graph)]
    graphs: Vec<GraphArg>,

    /// Compile every graph for this OpenVINO device (CPU, GPU, NPU, AUTO, ...), whatever the
    /// program asks.
    #[arg(long, value_name = "DEVICE")]
    device: Option<String>,

    /// Pass an OpenVINO property when compiling (e.g. `INFERENCE_PRECISION_HINT=f32`).
    #[arg(long = "property", value_name = "KEY=VALUE", value_parser = crate::flags::parse_property)]
    properties: Vec<(String, String)>,

    /// OpenVINO's model cache folder: a second start skips compiling the models.
    ///
    /// Not to be confused with `-C cache`, Wasmtime's cache of compiled Wasm modules.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// Graphs the program may hold at once (wasi-nn has no unload).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_graphs)]
    max_graphs: usize,

    /// Where models the program loads from bytes are read and compiled: `sandbox` (a worker
    /// process under the memory budget and compile deadline), `in-process` (trusted programs),
    /// or `deny` (only --graph / -S nn-graph models).
    #[arg(long, value_name = "MODE", value_enum, default_value_t = GuestModels::Sandbox)]
    guest_models: GuestModels,

    /// The encodings the program may load from bytes, comma-separated (openvino, onnx,
    /// tensorflowlite, tensorflow).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = crate::flags::parse_encoding,
          default_values = ["openvino", "onnx", "tensorflowlite"])]
    guest_encodings: Vec<Encoding>,

    /// Host memory the program's wasi-nn objects may hold: measured memory of the models it
    /// loads, its execution contexts and the input tensors they hold (e.g. 2GiB, 512MiB).
    #[arg(long, value_name = "BYTES", value_parser = crate::flags::parse_bytes,
          default_value_t = Limits::default().max_memory_bytes)]
    max_nn_memory: u64,

    /// Deadline for reading and compiling one model the program loads (`none` for no limit).
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_time_limit,
          default_value = "60s")]
    compile_timeout: TimeLimit,

    /// Deadline for one compute; past it the inference is cancelled (`none` for no limit).
    #[arg(long, value_name = "DURATION", value_parser = crate::flags::parse_time_limit,
          default_value = "30s")]
    compute_timeout: TimeLimit,

    /// Print what is loaded and how long each step takes; `-vv` for more.
    ///
    /// Raises this host's log level (to debug, then trace); `RUST_LOG` adds its own directives
    /// after, and wins for the same target.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// The WebAssembly module to run, then the arguments passed to it.
    ///
    /// With `--invoke` the arguments are also the function's parameters. Put `--` before the
    /// module when an argument could be read as one of this host's flags.
    #[arg(value_name = "WASM", trailing_var_arg = true, required = true)]
    module_and_args: Vec<OsString>,
}

/// The option groups, folded: later values win, lists accumulate.
#[derive(Debug, Default)]
struct Settings {
    timeout: Option<Duration>,
    max_memory_size: Option<usize>,
    trap_on_grow_failure: bool,
    fuel: Option<u64>,
    nn: Option<bool>,
    nn_graphs: Vec<NnGraph>,
    inherit_env: bool,
    cache: Option<bool>,
    cache_config: Option<PathBuf>,
}

impl RunCommand {
    fn settings(&self) -> Settings {
        let mut s = Settings {
            timeout: self.timeout,
            ..Settings::default()
        };
        for option in self.wasm.iter().flat_map(|o| &o.0) {
            match option {
                WasmOption::Timeout(d) => s.timeout = Some(*d),
                WasmOption::MaxMemorySize(n) => s.max_memory_size = Some(*n),
                WasmOption::TrapOnGrowFailure(b) => s.trap_on_grow_failure = *b,
                WasmOption::Fuel(n) => s.fuel = Some(*n),
            }
        }
        for option in self.wasi.iter().flat_map(|o| &o.0) {
            match option {
                WasiOption::Nn(b) => s.nn = Some(*b),
                WasiOption::NnGraph(g) => s.nn_graphs.push(g.clone()),
                WasiOption::InheritEnv(b) => s.inherit_env = *b,
            }
        }
        for option in self.codegen.iter().flat_map(|o| &o.0) {
            match option {
                CodegenOption::Cache(b) => s.cache = Some(*b),
                CodegenOption::CacheConfig(p) => s.cache_config = Some(p.clone()),
            }
        }
        s
    }

    fn module_path(&self) -> &Path {
        Path::new(&self.module_and_args[0])
    }

    /// Runs the module and returns the process's exit code: the program's own (`proc_exit`,
    /// 0 when `_start` returns), [`TRAP_EXIT_CODE`] after a trap (a timeout is one). Host-side
    /// failures (a missing file, OpenVINO not found, a bad model) are errors (exit code 1).
    pub fn execute(self) -> anyhow::Result<ExitCode> {
        let started = Instant::now();
        let settings = self.settings();
        let verbose = self.verbose > 0;
        if settings.nn == Some(false) {
            bail!(
                "-S nn=n: wasi-nn cannot be turned off in wasi-nn-host (it is the point of it); \
                 run the module with `wasmtime run` instead"
            );
        }
        let path = self.module_path();
        if !path.is_file() {
            bail!("{} does not exist or is not a file", path.display());
        }
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let component = wasi_nn_host::is_component(&bytes);
        if component {
            // What a component cannot have here yet, refused rather than ignored.
            if self.invoke.is_some() {
                bail!("--invoke runs a core module's export; components run their wasi:cli/run");
            }
            if settings.fuel.is_some() || settings.max_memory_size.is_some() {
                bail!("-W fuel and -W max-memory-size apply to core modules only (for now)");
            }
        }
        let argv = self.argv()?;
        let env = self.guest_env(&settings)?;

        let library = crate::info::require_openvino()?;
        if verbose {
            eprintln!(
                "wasi-nn-host: OpenVINO {} from {}",
                library.version(),
                library.path().map_or_else(
                    || "the library linked at build time".into(),
                    |p| p.display().to_string()
                )
            );
        }
        let backend = Arc::new(
            Backend::new(BackendConfig {
                device_override: self.device.clone(),
                properties: self.properties.clone(),
                cache_dir: self.cache_dir.clone(),
                limits: Limits {
                    max_graphs: self.max_graphs,
                    max_memory_bytes: self.max_nn_memory,
                    ..Limits::default()
                },
                // One program: its budget is the whole backend's.
                max_backend_memory_bytes: self.max_nn_memory,
                deadlines: Deadlines {
                    compile: self.compile_timeout.0,
                    compute: self.compute_timeout.0,
                },
                guest_loads: GuestLoadPolicy {
                    mode: match self.guest_models {
                        GuestModels::Sandbox => GuestLoads::Sandboxed(WorkerCommand::new(
                            std::env::current_exe().context(
                                "cannot find this program's own path for its model worker",
                            )?,
                            [WORKER_ARG],
                        )),
                        GuestModels::InProcess => GuestLoads::InProcess,
                        GuestModels::Deny => GuestLoads::Denied,
                    },
                    encodings: self.guest_encodings.clone(),
                },
            })
            .map_err(|e| anyhow!("cannot start OpenVINO: {}", e.message()))?,
        );
        self.register_graphs(&backend, &settings, verbose)?;

        let (engine, cache) = engine(&settings)?;
        if component {
            return self.run_component(&engine, &bytes, backend, argv, env, &settings, started);
        }
        tracing::debug!(
            timeout = ?settings.timeout,
            fuel = ?settings.fuel,
            max_memory_size = ?settings.max_memory_size,
            module_cache = ?cache.as_ref().map(|c| c.directory()),
            "Wasmtime engine ready"
        );
        let t = Instant::now();
        let module = Module::new(&engine, &bytes).map_err(|e| {
            // Parser errors span several lines (with a source excerpt); the first says it all.
            let reason = e.to_string();
            let reason = reason.lines().next().unwrap_or_default().to_owned();
            anyhow!("{} is not a valid Wasm module: {reason}", path.display())
        })?;
        if verbose {
            match &cache {
                Some(cache) if cache.cache_hits() > 0 => eprintln!(
                    "wasi-nn-host: module loaded from Wasmtime's cache ({}) in {:.1?}",
                    cache.directory().display(),
                    t.elapsed()
                ),
                _ => eprintln!("wasi-nn-host: module compiled in {:.1?}", t.elapsed()),
            }
        }

        let mut linker = Linker::new(&engine);
        CommandState::add_to_linker(&mut linker)?;
        let state = CommandState::new(
            backend,
            &CommandConfig {
                args: argv,
                env,
                dirs: self.dirs.clone(),
                inherit_stdio: true,
                max_memory_size: settings.max_memory_size,
                trap_on_grow_failure: settings.trap_on_grow_failure,
                // Set on the store below, with the fuel.
                timeout: None,
            },
        )?;
        let mut store = state.into_store(&engine);
        if let Some(fuel) = settings.fuel {
            store.set_fuel(fuel)?;
        }
        if let Some(timeout) = settings.timeout {
            // The epoch moves once, when the time is up: the next function entry or loop
            // back-edge of the program then traps with `Trap::Interrupt`.
            store.set_epoch_deadline(1);
            let engine = engine.clone();
            std::thread::spawn(move || {
                std::thread::sleep(timeout);
                engine.increment_epoch();
            });
        }

        let t = Instant::now();
        let outcome = self.run_module(&mut linker, &mut store, &module);
        if verbose {
            eprintln!(
                "wasi-nn-host: program ran in {:.1?} (total {:.1?})",
                t.elapsed(),
                started.elapsed()
            );
        }
        match outcome {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => self.exit_code(e, &settings),
        }
    }

    /// Runs a wasm32-wasip2 component (WASI p2 and wasi:nn's WIT interface) with the same
    /// folders, environment, graphs, limits and timeout as a module, and exits as a module does.
    #[allow(clippy::too_many_arguments)]
    fn run_component(
        &self,
        engine: &Engine,
        bytes: &[u8],
        backend: Arc<Backend>,
        args: Vec<String>,
        env: Vec<(String, String)>,
        settings: &Settings,
        started: Instant,
    ) -> anyhow::Result<ExitCode> {
        let path = self.module_path();
        let t = Instant::now();
        let component = wasmtime::component::Component::new(engine, bytes).map_err(|e| {
            let reason = e.to_string();
            let reason = reason.lines().next().unwrap_or_default().to_owned();
            anyhow!("{} is not a valid Wasm component: {reason}", path.display())
        })?;
        if self.verbose > 0 {
            eprintln!("wasi-nn-host: component compiled in {:.1?}", t.elapsed());
        }
        let config = CommandConfig {
            args,
            env,
            dirs: self.dirs.clone(),
            inherit_stdio: true,
            timeout: settings.timeout,
            ..CommandConfig::default()
        };
        let t = Instant::now();
        let outcome = wasi_nn_host::run_component(engine, &component, backend, &config);
        if self.verbose > 0 {
            eprintln!(
                "wasi-nn-host: component ran in {:.1?} (total {:.1?})",
                t.elapsed(),
                started.elapsed()
            );
        }
        match outcome {
            // wasi:cli/exit carries a code; `wasmtime run` passes it through like proc_exit's.
            Ok(code) if (0..=125).contains(&code) => Ok(ExitCode::from(code as u8)),
            Ok(code) => Err(anyhow!("the component exited with {code}")),
            Err(e) => match e.downcast_ref::<Trap>() {
                Some(trap) => {
                    match (trap, settings.timeout) {
                        (Trap::Interrupt, Some(timeout)) => eprintln!(
                            "wasi-nn-host: the component ran longer than the timeout of \
                             {timeout:?} (-W timeout) and was interrupted: {e:?}"
                        ),
                        _ => eprintln!("wasi-nn-host: the component trapped: {e:?}"),
                    }
                    Ok(ExitCode::from(TRAP_EXIT_CODE))
                }
                None => Err(e),
            },
        }
    }

    /// What `wasmtime run` does with an error from the program: `proc_exit` gives its code, a
    /// trap prints itself and exits with [`TRAP_EXIT_CODE`], anything else is a host error.
    fn exit_code(&self, e: wasmtime::Error, settings: &Settings) -> anyhow::Result<ExitCode> {
        if let Some(exit) = e.downcast_ref::<I32Exit>() {
            // As `std::process::exit` would: the low 8 bits on Unix.
            return Ok(ExitCode::from(exit.0 as u8));
        }
        if let Some(trap) = e.downcast_ref::<Trap>() {
            match (trap, settings.timeout) {
                (Trap::Interrupt, Some(timeout)) => eprintln!(
                    "wasi-nn-host: the program ran longer than the timeout of {timeout:?} \
                     (-W timeout) and was interrupted: {e:?}"
                ),
                (Trap::OutOfFuel, _) => {
                    eprintln!("wasi-nn-host: the program used all its fuel (-W fuel): {e:?}")
                }
                _ => eprintln!("wasi-nn-host: the program trapped: {e:?}"),
            }
            return Ok(ExitCode::from(TRAP_EXIT_CODE));
        }
        Err(anyhow!("{e:#}"))
    }

    /// Instantiates, runs a reactor's `_initialize`, then `--invoke`'s function or the
    /// command's `_start` (or the export named "").
    fn run_module(
        &self,
        linker: &mut Linker<CommandState>,
        store: &mut Store<CommandState>,
        module: &Module,
    ) -> wasmtime::Result<()> {
        let instance = linker.instantiate(&mut *store, module).map_err(|e| {
            e.context(format!(
                "cannot instantiate {}",
                self.module_path().display()
            ))
        })?;
        if let Some(init) = instance.get_func(&mut *store, "_initialize") {
            init.typed::<(), ()>(&*store)?.call(&mut *store, ())?;
        }
        let func = match &self.invoke {
            Some(name) => Some(
                instance
                    .get_func(&mut *store, name)
                    .ok_or_else(|| wasmtime::format_err!("no func export named `{name}` found"))?,
            ),
            None => entry_point(&instance, store),
        };
        match func {
            Some(func) => self.invoke_func(store, func),
            None => {
                tracing::info!(
                    "the module exports neither _start nor --invoke's function; nothing run"
                );
                Ok(())
            }
        }
    }

    /// Calls `func` with the program's arguments as parameters and prints its results, as
    /// `wasmtime run --invoke` does.
    fn invoke_func(&self, store: &mut Store<CommandState>, func: Func) -> wasmtime::Result<()> {
        let ty = func.ty(&*store);
        let mut args = self.module_and_args.iter().skip(1);
        let mut params = Vec::new();
        for param in ty.params() {
            let Some(arg) = args.next() else {
                match &self.invoke {
                    Some(name) => wasmtime::bail!("not enough arguments for `{name}`"),
                    None => wasmtime::bail!("not enough arguments for command default"),
                }
            };
            let arg = arg
                .to_str()
                .ok_or_else(|| wasmtime::format_err!("argument is not valid utf-8: {arg:?}"))?;
            params.push(parse_param(&param, arg)?);
        }
        let mut results = vec![Val::null_func_ref(); ty.results().len()];
        func.call(&mut *store, &params, &mut results).map_err(|e| {
            e.context(match &self.invoke {
                Some(name) => format!("failed to invoke `{name}`"),
                None => "failed to invoke command default".to_owned(),
            })
        })?;
        for result in results {
            println!("{}", show(&result));
        }
        Ok(())
    }

    /// `argv`: `--argv0` or the module's file name (not its path, which would tell the program
    /// about the host), then the arguments.
    fn argv(&self) -> anyhow::Result<Vec<String>> {
        let name = match &self.argv0 {
            Some(name) => OsString::from(name),
            None => self
                .module_path()
                .file_name()
                .map(OsString::from)
                .unwrap_or_else(|| self.module_and_args[0].clone()),
        };
        std::iter::once(&name)
            .chain(self.module_and_args.iter().skip(1))
            .map(|arg| {
                arg.to_str()
                    .map(str::to_owned)
                    .ok_or_else(|| anyhow!("argument {arg:?} is not valid UTF-8"))
            })
            .collect()
    }

    /// `-S inherit-env` first, then each `--env`: `NAME=VAL`, or `NAME` taking the host's value
    /// (left unset when the host has none).
    fn guest_env(&self, settings: &Settings) -> anyhow::Result<Vec<(String, String)>> {
        let mut env = Vec::new();
        if settings.inherit_env {
            for (name, value) in std::env::vars_os() {
                let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
                    bail!("-S inherit-env: the environment variable {name:?} is not valid UTF-8");
                };
                env.push((name.to_owned(), value.to_owned()));
            }
        }
        for (name, value) in &self.env {
            let value = match value {
                Some(value) => value.clone(),
                None => match std::env::var_os(name) {
                    Some(value) => value.into_string().map_err(|_| {
                        anyhow!("--env {name}: the host's value is not valid UTF-8")
                    })?,
                    None => continue,
                },
            };
            env.push((name.clone(), value));
        }
        Ok(env)
    }

    /// Compiles `--graph` and `-S nn-graph` models; a name given twice is refused.
    fn register_graphs(
        &self,
        backend: &Backend,
        settings: &Settings,
        verbose: bool,
    ) -> anyhow::Result<()> {
        for p in preloads(&self.graphs, &settings.nn_graphs)? {
            let t = Instant::now();
            backend
                .register(&p.name, &p.path, p.device.as_deref())
                .map_err(|e| anyhow!("{}: {}", p.flag, e.message()))?;
            if verbose {
                eprintln!(
                    "wasi-nn-host: graph {} ({}) compiled in {:.1?}",
                    p.name,
                    p.path.display(),
                    t.elapsed()
                );
            }
        }
        Ok(())
    }
}

/// A model to compile before the program starts, and the flag that asked for it.
pub struct Preload {
    pub name: String,
    pub path: PathBuf,
    pub device: Option<String>,
    pub flag: String,
}

/// The models of `--graph` and `-S nn-graph` flags, in order; a name given twice is refused.
pub fn preloads(graphs: &[GraphArg], nn_graphs: &[NnGraph]) -> anyhow::Result<Vec<Preload>> {
    let mut preloads: Vec<Preload> = graphs
        .iter()
        .map(|g| Preload {
            name: g.name.clone(),
            path: g.path.clone(),
            device: g.device.clone(),
            flag: format!("--graph {}", g.name),
        })
        .collect();
    for g in nn_graphs {
        let flag = format!("-S nn-graph={}::{}", g.format, g.dir.display());
        let (name, path) = nn_graph_model(g).map_err(|e| anyhow!("{flag}: {e}"))?;
        preloads.push(Preload {
            name,
            path,
            device: None,
            flag,
        });
    }
    let mut seen = std::collections::HashSet::new();
    for p in &preloads {
        if !seen.insert(p.name.as_str()) {
            bail!("{}: a graph named `{}` is already given", p.flag, p.name);
        }
    }
    Ok(preloads)
}

/// The export a command runs without `--invoke`: "" or `_start`, as `wasmtime run` looks.
fn entry_point(instance: &Instance, store: &mut Store<CommandState>) -> Option<Func> {
    instance
        .get_func(&mut *store, "")
        .or_else(|| instance.get_func(&mut *store, "_start"))
}

/// Wasmtime's `-S nn-graph=FORMAT::DIR`: the graph's name is the folder's last component, and
/// the model file in it follows the format (Wasmtime's OpenVINO backend reads `model.xml` and
/// `model.bin`, its ONNX backend `model.onnx`; TensorFlow Lite and TensorFlow are this host's
/// additions).
fn nn_graph_model(graph: &NnGraph) -> anyhow::Result<(String, PathBuf)> {
    // The format first, as Wasmtime checks it first.
    let files: &[&str] = match graph.format.to_lowercase().as_str() {
        "openvino" => &["model.xml", "model.bin"],
        "onnx" => &["model.onnx"],
        "tensorflowlite" => &["model.tflite"],
        "tensorflow" => &["model.pb"],
        "pytorch" => bail!(
            "OpenVINO cannot read TorchScript (model.pt) without Python; convert the model to \
             ONNX or OpenVINO IR"
        ),
        other => bail!(
            "unknown graph encoding: {other} (this host reads openvino, onnx, tensorflowlite, \
             tensorflow)"
        ),
    };
    let dir = &graph.dir;
    if !dir.is_dir() {
        bail!(
            "preload directory is not a valid directory: {}",
            dir.display()
        );
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            anyhow!(
                "{} has no folder name to serve the graph under",
                dir.display()
            )
        })?;
    for file in files {
        let path = dir.join(file);
        if !path.is_file() {
            bail!(
                "{} does not exist (the {} format reads {})",
                path.display(),
                graph.format,
                files.join(" and ")
            );
        }
    }
    Ok((name, dir.join(files[0])))
}

/// The engine for this run, and the module cache it uses (if any).
fn engine(settings: &Settings) -> anyhow::Result<(Engine, Option<Cache>)> {
    let mut config = Config::new();
    if settings.timeout.is_some() {
        config.epoch_interruption(true);
    }
    if settings.fuel.is_some() {
        config.consume_fuel(true);
    }
    let cache = module_cache(settings.cache, settings.cache_config.as_deref())?;
    config.cache(cache.clone());
    let engine = Engine::new(&config).map_err(|e| anyhow!("cannot start Wasmtime: {e:#}"))?;
    Ok((engine, cache))
}

/// Wasmtime's module cache as `-C cache` and `-C cache-config` ask: on by default, where it can
/// be (a program still runs without one unless it was asked for explicitly).
pub fn module_cache(cache: Option<bool>, config: Option<&Path>) -> anyhow::Result<Option<Cache>> {
    Ok(match cache {
        Some(false) => None,
        explicit => match Cache::from_file(config) {
            Ok(cache) => Some(cache),
            // Asked for: an error. By default the cache only saves time, so the program runs
            // without it (e.g. with no HOME to put it in).
            Err(e) if explicit == Some(true) || config.is_some() => {
                bail!("cannot use Wasmtime's module cache (-C cache): {e:#}");
            }
            Err(e) => {
                tracing::warn!("Wasm modules are compiled on every start: no module cache: {e:#}");
                None
            }
        },
    })
}

/// One `--invoke` argument, as `wasmtime run` reads it.
fn parse_param(ty: &ValType, arg: &str) -> wasmtime::Result<Val> {
    fn hex(arg: &str) -> Option<&str> {
        arg.strip_prefix("0x").or_else(|| arg.strip_prefix("0X"))
    }
    Ok(match ty {
        ValType::I32 => Val::I32(match hex(arg) {
            Some(digits) => i32::from_str_radix(digits, 16)?,
            None => arg.parse()?,
        }),
        ValType::I64 => Val::I64(match hex(arg) {
            Some(digits) => i64::from_str_radix(digits, 16)?,
            None => arg.parse()?,
        }),
        ValType::F32 => Val::F32(arg.parse::<f32>()?.to_bits()),
        ValType::F64 => Val::F64(arg.parse::<f64>()?.to_bits()),
        other => wasmtime::bail!("unsupported argument type {other:?}"),
    })
}

/// One `--invoke` result, as `wasmtime run` prints it.
fn show(value: &Val) -> String {
    match value {
        Val::I32(i) => i.to_string(),
        Val::I64(i) => i.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::V128(v) => v.as_u128().to_string(),
        Val::ExternRef(None) => "<null externref>".into(),
        Val::ExternRef(Some(_)) => "<externref>".into(),
        Val::FuncRef(None) => "<null funcref>".into(),
        Val::FuncRef(Some(_)) => "<funcref>".into(),
        Val::AnyRef(None) => "<null anyref>".into(),
        Val::AnyRef(Some(_)) => "<anyref>".into(),
        Val::ExnRef(None) => "<null exnref>".into(),
        Val::ExnRef(Some(_)) => "<exnref>".into(),
        Val::ContRef(None) => "<null contref>".into(),
        Val::ContRef(Some(_)) => "<contref>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoke_arguments_parse_as_wasmtime_parses_them() {
        let i32_of = |s| match parse_param(&ValType::I32, s).unwrap() {
            Val::I32(v) => v,
            _ => unreachable!(),
        };
        assert_eq!(i32_of("-7"), -7);
        assert_eq!(i32_of("0x10"), 16);
        assert_eq!(i32_of("0X7fffffff"), i32::MAX);
        assert!(parse_param(&ValType::I32, "0xffffffff").is_err());
        assert!(parse_param(&ValType::I32, "1.5").is_err());
        match parse_param(&ValType::F64, "2.5").unwrap() {
            Val::F64(bits) => assert_eq!(f64::from_bits(bits), 2.5),
            _ => unreachable!(),
        }
        assert!(parse_param(&ValType::V128, "1").is_err());
    }

    #[test]
    fn nn_graph_names_the_graph_after_the_folder() {
        let dir =
            std::env::temp_dir().join(format!("wasi-nn-host-nn-graph-{}", std::process::id()));
        let model = dir.join("mobilenet");
        std::fs::create_dir_all(&model).unwrap();
        let graph = |format: &str, dir: &Path| NnGraph {
            format: format.into(),
            dir: dir.to_owned(),
        };
        let err = nn_graph_model(&graph("openvino", &model)).unwrap_err();
        assert!(
            err.to_string().contains("model.xml does not exist"),
            "{err}"
        );
        std::fs::write(model.join("model.xml"), "<net/>").unwrap();
        let err = nn_graph_model(&graph("openvino", &model)).unwrap_err();
        assert!(
            err.to_string().contains("model.bin does not exist"),
            "{err}"
        );
        std::fs::write(model.join("model.bin"), "").unwrap();
        let (name, path) = nn_graph_model(&graph("OpenVINO", &model.join(""))).unwrap();
        assert_eq!(
            (name.as_str(), path),
            ("mobilenet", model.join("model.xml"))
        );
        let err = nn_graph_model(&graph("ggml", &model)).unwrap_err();
        assert!(
            err.to_string().contains("unknown graph encoding: ggml"),
            "{err}"
        );
        assert!(nn_graph_model(&graph("onnx", &dir.join("missing"))).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
