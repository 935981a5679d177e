//! One path of scripts/bench's per-inference round trip, in its own process: a guest component on
//! this host (WIT), a guest module on this host (witx), or the same work natively through the
//! `openvino` crate. Guests time themselves and print `per_inference_ns N`; the native paths
//! print the same line. scripts/bench runs the paths in alternating rounds.
//!
//! ```text
//! round-trip component [--no-deadline] GUEST.wasm HOST_DIR GUEST_DIR [GUEST ARGS...]
//! round-trip module GUEST.wasm HOST_DIR GUEST_DIR [GUEST ARGS...]
//! round-trip native [--deadline] MODEL.xml INPUT.bin D1,D2,.. ITERATIONS
//! ```
//!
//! Every path compiles with INFERENCE_PRECISION_HINT=f32 and PERFORMANCE_HINT=LATENCY on the CPU;
//! guest models go through the sandboxed model worker (this program), as with the CLI.
//! `--no-deadline` turns off the compute deadline (plain `infer` instead of `start_async` +
//! `wait_for`); `native --deadline` does the deadline's `start_async` + `wait_for` natively: the
//! two measure what the deadline costs.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use openvino::{Core, DeviceType, PropertyKey, Shape, TensorSlot};
use wasi_nn_host::{
    Backend, BackendConfig, CommandConfig, Deadlines, GuestLoadPolicy, GuestLoads, WorkerCommand,
};

const PROPERTIES: [(&str, &str); 2] = [
    ("INFERENCE_PRECISION_HINT", "f32"),
    ("PERFORMANCE_HINT", "LATENCY"),
];

fn backend(deadline: bool) -> anyhow::Result<Arc<Backend>> {
    let worker = WorkerCommand::new(std::env::current_exe()?, ["__model-worker"]);
    let config = BackendConfig {
        properties: PROPERTIES
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        guest_loads: GuestLoadPolicy {
            mode: GuestLoads::Sandboxed(worker),
            ..GuestLoadPolicy::default()
        },
        deadlines: Deadlines {
            compute: if deadline {
                Deadlines::default().compute
            } else {
                None
            },
            ..Deadlines::default()
        },
        ..BackendConfig::default()
    };
    Ok(Arc::new(Backend::new(config).map_err(|e| anyhow!("{e}"))?))
}

fn guest(args: &[String], deadline: bool, component: bool) -> anyhow::Result<i32> {
    let [guest, host_dir, guest_dir, rest @ ..] = args else {
        bail!("usage: round-trip component|module GUEST.wasm HOST_DIR GUEST_DIR [ARGS...]");
    };
    let engine = wasmtime::Engine::new(
        wasmtime::Config::new().cranelift_opt_level(wasmtime::OptLevel::Speed),
    )?;
    let config = CommandConfig {
        args: std::iter::once(guest.clone())
            .chain(rest.iter().cloned())
            .collect(),
        dirs: vec![(PathBuf::from(host_dir), guest_dir.clone())],
        inherit_stdio: true,
        ..CommandConfig::default()
    };
    let backend = backend(deadline)?;
    if component {
        let component = wasmtime::component::Component::from_file(&engine, guest)?;
        wasi_nn_host::run_component(&engine, &component, backend, &config)
    } else {
        let module = wasmtime::Module::from_file(&engine, guest)?;
        wasi_nn_host::run_command(&engine, &module, backend, &config)
    }
}

fn native(args: &[String], deadline: bool) -> anyhow::Result<()> {
    let [xml, input, dims, iterations] = args else {
        bail!("usage: round-trip native [--deadline] MODEL.xml INPUT.bin D1,D2,.. ITERATIONS");
    };
    let dims: Vec<i64> = dims
        .split(',')
        .map(|d| d.parse().context("a dimension"))
        .collect::<anyhow::Result<_>>()?;
    let iterations: usize = iterations.parse().context("iterations")?;
    let input = std::fs::read(input)?;
    let core = Core::new()?;
    let model = core.read_model_from_file(xml, None)?;
    let properties: Vec<(PropertyKey, &str)> = PROPERTIES
        .iter()
        .map(|(k, v)| (PropertyKey::from(*k), *v))
        .collect();
    let compiled = core.compile_model(&model, &DeviceType::CPU, &properties)?;
    let mut request = compiled.create_infer_request()?;
    let tensor =
        openvino::Tensor::from_bytes(openvino::ElementType::F32, &Shape::new(&dims)?, &input)?;
    request.set_tensor(TensorSlot::Input(0), tensor)?;
    let mut out = Vec::new();
    let mut round = || -> anyhow::Result<()> {
        request
            .tensor_mut(TensorSlot::Input(0))?
            .as_bytes_mut()?
            .copy_from_slice(&input);
        if deadline {
            request.start_async()?;
            if !request.wait_for(Duration::from_secs(30))? {
                bail!("the inference passed its deadline");
            }
        } else {
            request.infer()?;
        }
        out.clear();
        out.extend_from_slice(request.tensor(TensorSlot::Output(0))?.as_bytes()?);
        black_box(&out);
        Ok(())
    };
    for _ in 0..(iterations / 10).max(10) {
        round()?;
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        round()?;
        samples.push(t.elapsed().as_nanos() as u64);
    }
    samples.sort_unstable();
    println!("per_inference_ns {}", samples[samples.len() / 2]);
    Ok(())
}

fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "__model-worker")
    {
        return wasi_nn_host::sandbox::worker_main();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.get(1).is_some_and(|a| a == name);
    let result = match args.first().map(String::as_str) {
        Some("component") if flag("--no-deadline") => guest(&args[2..], false, true),
        Some("component") => guest(&args[1..], true, true),
        Some("module") => guest(&args[1..], true, false),
        Some("native") if flag("--deadline") => native(&args[2..], true).map(|()| 0),
        Some("native") => native(&args[1..], false).map(|()| 0),
        _ => Err(anyhow!(
            "usage: round-trip component [--no-deadline] | module | native [--deadline] ... (see the source)"
        )),
    };
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(code) => ExitCode::from(code.clamp(1, 255) as u8),
        Err(e) => {
            eprintln!("round-trip: {e:#}");
            ExitCode::FAILURE
        }
    }
}
