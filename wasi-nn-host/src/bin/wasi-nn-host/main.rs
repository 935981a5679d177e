//! `wasi-nn-host`: runs WebAssembly programs whose wasi-nn calls are served by OpenVINO, with
//! `wasmtime run`'s flags and exit codes.
//!
//! - `run.rs`: `wasi-nn-host [run] [OPTIONS] <WASM> [ARGS]...`, the default command;
//! - `serve.rs`: `wasi-nn-host serve [OPTIONS] <WASM>`, a wasi:http/proxy component over HTTP;
//! - `info.rs`: `wasi-nn-host info` and `--version`, the OpenVINO in use and where it was found;
//! - `flags.rs`: the parsers for `wasmtime run`'s flag syntax (`--dir`, `--env`, `-W/-S/-C`);
//! - `manual.rs`: shell completions and the man page, generated from the clap definition.
//!
//! Exit codes: the program's own (`proc_exit`, 0 when it returns), 134 after a trap or a
//! timeout (3 on Windows), 1 for a host-side failure, 2 for a bad command line.

mod flags;
mod info;
mod manual;
mod run;
mod serve;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Runs WebAssembly programs (wasm32-wasip1) whose wasi-nn calls are served by OpenVINO.
#[derive(Parser, Debug)]
#[command(
    name = "wasi-nn-host",
    version,
    after_help = "Without a subcommand, `run` is used: `wasi-nn-host app.wasm` is \
                  `wasi-nn-host run app.wasm`. A `wasmtime run` command line works with \
                  `wasi-nn-host` in its place, e.g.\n\n  \
                  wasi-nn-host --dir fixture -S nn,nn-graph=openvino::./mobilenet app.wasm\n\n\
                  Exit codes: the program's own (0 when it returns), 134 after a trap or a \
                  timeout, 1 when the host fails (a missing file, no OpenVINO, a bad model), \
                  2 for a bad command line.\n\n\
                  Logging: -v raises this host's level (debug, then trace with -vv); RUST_LOG \
                  (e.g. RUST_LOG=wasmtime=info) adds directives after it, and wins for the same \
                  target.",
    // The `run` flags are also accepted without the subcommand, as `wasmtime` does it.
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: run::RunCommand,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs a WebAssembly module (the default).
    Run(Box<run::RunCommand>),
    /// Serves a wasi:http/proxy component over HTTP, its wasi-nn calls on OpenVINO.
    Serve(Box<serve::ServeCommand>),
    /// Prints the OpenVINO in use (version, library, why that one, devices) and every place
    /// searched; exits with 1 when none is usable.
    Info(info::InfoCommand),
    /// Prints a shell completion script: `wasi-nn-host completion bash > /etc/bash_completion.d/wasi-nn-host`.
    Completion(manual::CompletionCommand),
    /// Prints the man page (roff): `wasi-nn-host man | man -l -`.
    Man,
}

fn main() -> ExitCode {
    // Not a command people type: the host starts itself this way to compile a guest's model in
    // a worker process (see wasi_nn_host::sandbox).
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == run::WORKER_ARG)
    {
        return wasi_nn_host::sandbox::worker_main();
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--version` also says which OpenVINO is found, which clap's static text cannot.
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => {
            print!("{}", info::version_text());
            return ExitCode::SUCCESS;
        }
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Some(Command::Run(run)) => {
            init_logging(run.verbose);
            (*run).execute()
        }
        None => {
            init_logging(cli.run.verbose);
            cli.run.execute()
        }
        Some(Command::Serve(serve)) => {
            init_logging_with(
                match serve.verbose {
                    0 => "info",
                    1 => "debug",
                    _ => "trace",
                },
                serve.log_json,
            );
            (*serve).execute()
        }
        Some(Command::Info(info)) => {
            init_logging(0);
            info.execute()
        }
        Some(Command::Completion(completion)) => completion.execute(Cli::command()),
        Some(Command::Man) => manual::man(Cli::command()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("wasi-nn-host: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `-v` sets this host's level; `RUST_LOG`'s directives come after, so they add targets and,
/// for the same target, win.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    init_logging_with(level, false);
}

/// This host's log level, RUST_LOG's directives after it, as text or JSON lines on stderr.
fn init_logging_with(level: &str, json: bool) {
    let mut filter = tracing_subscriber::EnvFilter::new(format!("wasi_nn_host={level}"));
    if let Ok(directives) = std::env::var("RUST_LOG") {
        for directive in directives.split(',').filter(|d| !d.trim().is_empty()) {
            match directive.trim().parse() {
                Ok(directive) => filter = filter.add_directive(directive),
                Err(e) => eprintln!("wasi-nn-host: RUST_LOG: ignoring `{directive}`: {e}"),
            }
        }
    }
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        // One JSON object per line, with the request span's fields (id, method, path, peer).
        logs.json().with_current_span(true).init();
    } else {
        // Colour codes only on a terminal, not in logs and pipes.
        logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_before_the_module_are_the_hosts_and_after_it_the_programs() {
        let cli = Cli::try_parse_from([
            "wasi-nn-host",
            "--dir=fixture",
            "-S",
            "nn,nn-graph=openvino::./fixture",
            "app.wasm",
            "--dir",
            "x",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        let debug = format!("{:?}", cli.run);
        assert!(
            debug.contains(r#"module_and_args: ["app.wasm", "--dir", "x"]"#),
            "{debug}"
        );
        let run = Cli::try_parse_from(["wasi-nn-host", "run", "--", "app.wasm", "-v"]).unwrap();
        assert!(matches!(run.command, Some(Command::Run(_))));
    }
}
