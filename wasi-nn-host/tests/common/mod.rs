//! Helpers shared by the wasi-nn-host integration tests.
#![allow(dead_code)]

/// Bytes as the body of a WAT string literal (every byte escaped).
pub fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}
