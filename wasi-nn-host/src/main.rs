//! `wasi-nn-host`: runs a wasm32-wasip1 program with wasi-nn backed by OpenVINO.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use wasi_nn_host::{
    Backend, BackendConfig, CommandConfig, GuestLoadPolicy, GuestLoads, WorkerCommand, run_command,
};
use wasmtime::{Config, Engine, Module};

const USAGE: &str = "\
Usage: wasi-nn-host [OPTIONS] <MODULE.wasm> [ARGS...]

Runs a wasm32-wasip1 program whose wasi-nn calls are served by OpenVINO.

Options:
  --env KEY=VALUE          set an environment variable for the program
  --dir HOST[::GUEST]      give the program a host folder (at GUEST, default the same path)
  --graph NAME=PATH[@DEV]  compile a model file once and serve it to load_by_name(NAME)
                           (format from the file: .xml IR, .onnx, .tflite, .pb, .pdmodel)
  --device DEVICE          compile every graph for this OpenVINO device (CPU, GPU, NPU, AUTO, ...)
  --property KEY=VALUE     pass an OpenVINO property when compiling (e.g. INFERENCE_PRECISION_HINT=f32)
  --cache-dir DIR          OpenVINO model cache: a second start skips compilation
  --max-graphs N           graphs one instance may hold (default 16)
  -v, --verbose            print load, compile and compute timings
  -h, --help               this text

The program's exit code is passed through.";

struct Options {
    module: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    dirs: Vec<(PathBuf, String)>,
    graphs: Vec<(String, PathBuf, Option<String>)>,
    verbose: bool,
    config: BackendConfig,
}

fn split_pair<'a>(value: &'a str, sep: &str, what: &str) -> anyhow::Result<(&'a str, &'a str)> {
    value.split_once(sep).ok_or_else(|| {
        anyhow!(
            "{what} must look like {}",
            what.replace("--", "").to_uppercase()
        )
    })
}

fn parse(mut argv: impl Iterator<Item = String>) -> anyhow::Result<Option<Options>> {
    let mut options = Options {
        module: PathBuf::new(),
        args: Vec::new(),
        env: Vec::new(),
        dirs: Vec::new(),
        graphs: Vec::new(),
        verbose: false,
        config: BackendConfig {
            guest_loads: GuestLoadPolicy {
                mode: GuestLoads::Sandboxed(WorkerCommand::new(
                    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("wasi-nn-host")),
                    ["__model-worker"],
                )),
                ..GuestLoadPolicy::default()
            },
            ..BackendConfig::default()
        },
    };
    let mut module = None;
    while let Some(arg) = argv.next() {
        let mut value = |name: &str| {
            argv.next()
                .ok_or_else(|| anyhow!("{name} needs a value (see --help)"))
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "-v" | "--verbose" => options.verbose = true,
            "--env" => {
                let v = value("--env")?;
                let (k, val) = split_pair(&v, "=", "--env KEY=VALUE")?;
                options.env.push((k.to_owned(), val.to_owned()));
            }
            "--dir" => {
                let v = value("--dir")?;
                let (host, guest) = v.split_once("::").unwrap_or((&v, &v));
                options.dirs.push((PathBuf::from(host), guest.to_owned()));
            }
            "--graph" => {
                let v = value("--graph")?;
                let (name, rest) = split_pair(&v, "=", "--graph NAME=PATH")?;
                let (path, device) = match rest.rsplit_once('@') {
                    Some((p, d)) if !d.contains('/') => (p, Some(d.to_owned())),
                    _ => (rest, None),
                };
                options
                    .graphs
                    .push((name.to_owned(), PathBuf::from(path), device));
            }
            "--device" => options.config.device_override = Some(value("--device")?),
            "--property" => {
                let v = value("--property")?;
                let (k, val) = split_pair(&v, "=", "--property KEY=VALUE")?;
                options
                    .config
                    .properties
                    .push((k.to_owned(), val.to_owned()));
            }
            "--cache-dir" => options.config.cache_dir = Some(PathBuf::from(value("--cache-dir")?)),
            "--max-graphs" => {
                options.config.limits.max_graphs = value("--max-graphs")?
                    .parse()
                    .context("--max-graphs takes a number")?;
            }
            flag if flag.starts_with('-') && module.is_none() => {
                bail!("unknown option {flag} (see --help)")
            }
            _ => {
                module = Some(arg);
                options.args.extend(argv.by_ref());
            }
        }
    }
    let module = module.ok_or_else(|| anyhow!("no Wasm module given (see --help)"))?;
    options.module = PathBuf::from(module);
    Ok(Some(options))
}

fn run(options: Options) -> anyhow::Result<ExitCode> {
    if !options.module.is_file() {
        bail!(
            "{} does not exist or is not a file",
            options.module.display()
        );
    }
    let started = Instant::now();
    let backend = Arc::new(Backend::new(options.config).map_err(|e| anyhow!("{}", e.message()))?);
    for (name, path, device) in &options.graphs {
        let t = Instant::now();
        backend
            .register(name, path, device.as_deref())
            .map_err(|e| anyhow!("--graph {name}: {}", e.message()))?;
        if options.verbose {
            eprintln!(
                "wasi-nn-host: graph {name} ({}) compiled in {:.1?}",
                path.display(),
                t.elapsed()
            );
        }
    }

    let mut config = Config::new();
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    let engine = Engine::new(&config).map_err(|e| anyhow!("cannot start Wasmtime: {e}"))?;
    let t = Instant::now();
    let bytes = std::fs::read(&options.module)
        .with_context(|| format!("cannot read {}", options.module.display()))?;
    let module = Module::new(&engine, &bytes).map_err(|e| {
        // Parser errors span several lines (with a source excerpt); the first says it all.
        let reason = e.to_string();
        let reason = reason.lines().next().unwrap_or_default().to_owned();
        anyhow!(
            "{} is not a valid Wasm module: {reason}",
            options.module.display()
        )
    })?;
    if options.verbose {
        eprintln!("wasi-nn-host: module compiled in {:.1?}", t.elapsed());
    }

    let program = options
        .module
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let command = CommandConfig {
        args: std::iter::once(program).chain(options.args).collect(),
        env: options.env,
        dirs: options.dirs,
        inherit_stdio: true,
    };
    let t = Instant::now();
    let code = run_command(&engine, &module, backend, &command)?;
    if options.verbose {
        eprintln!(
            "wasi-nn-host: program ran in {:.1?} (total {:.1?})",
            t.elapsed(),
            started.elapsed()
        );
    }
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}

fn main() -> ExitCode {
    // The model worker guest models are compiled in (see wasi_nn_host::sandbox).
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "__model-worker")
    {
        return wasi_nn_host::sandbox::worker_main();
    }
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("wasi-nn-host: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = if options.verbose {
        "wasi_nn_host=debug"
    } else {
        "wasi_nn_host=warn"
    };
    let env_filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal, not in logs and pipes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(options) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("wasi-nn-host: {e:#}");
            ExitCode::FAILURE
        }
    }
}
