//! Loads many models through wasi-nn, one per line of a list file, and prints one line per
//! model: `INDEX ok` or `INDEX errno N`. A host that dies mid-list shows where by the last line;
//! the caller restarts from the next index.
//!
//! nn-load LIST [START]
//!
//! Each line of LIST: `ENCODING FILE[,FILE]` (IR: xml,bin). Blank lines are skipped.

use std::io::Write;

use wasi_nn::Error;
use wasi_nn_guests::*;

fn backend_code(debug: &str) -> i32 {
    ["InvalidArgument", "InvalidEncoding", "MissingMemory", "Busy", "RuntimeError", "UnsupportedOperation", "TooLarge", "NotFound"]
        .iter()
        .position(|n| debug.starts_with(n))
        .map_or(99, |i| i as i32 + 1)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let list = args.next().unwrap_or_else(|| fail("usage: nn-load LIST [START]"));
    let start: usize = args.next().map_or(0, |s| s.parse().unwrap_or_else(|_| fail("START takes a number")));
    let text = String::from_utf8(read(&list)).unwrap_or_else(|_| fail("the list is not UTF-8"));
    let stdout = std::io::stdout();
    for (index, line) in text.lines().enumerate().skip(start) {
        let Some((encoding_name, files)) = line.split_once(' ') else { continue };
        let builders: Vec<Vec<u8>> = files.split(',').map(read).collect();
        let result = GraphBuilder::new(encoding(encoding_name), ExecutionTarget::CPU).build_from_bytes(&builders);
        let mut out = stdout.lock();
        let _ = match result {
            Ok(_) => writeln!(out, "{index} ok"),
            Err(Error::BackendError(e)) => writeln!(out, "{index} errno {}", backend_code(&format!("{e:?}"))),
            Err(e) => writeln!(out, "{index} error {e}"),
        };
        let _ = out.flush();
    }
}
