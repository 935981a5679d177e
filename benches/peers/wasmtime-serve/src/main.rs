//! `wasmtime serve`, exactly as Wasmtime 48's CLI runs it (its `ServeCommand`), and nothing else:
//! `peer-wasmtime-serve -S nn,nn-graph=openvino::DIR --addr ADDR COMPONENT.wasm`.

use clap::Parser;

fn main() -> wasmtime::Result<()> {
    wasmtime_cli::commands::ServeCommand::parse().execute()
}
