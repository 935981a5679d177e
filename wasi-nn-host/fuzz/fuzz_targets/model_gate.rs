//! Feeds libFuzzer's bytes to the model gate under every encoding tag: any panic, or a run that
//! does not finish, is a finding (the gate must refuse any input with an error, in linear time).
//!
//!   cargo +nightly fuzz run model_gate   (from wasi-nn-host/; needs a nightly toolchain)
//!
//! The first byte picks the encoding and, for IR, where the XML ends and the weights begin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasi_nn_host::gate::{self, Encoding};

const ENCODINGS: [Encoding; 5] = [
    Encoding::Ir,
    Encoding::Onnx,
    Encoding::TensorFlow,
    Encoding::TensorFlowLite,
    Encoding::Autodetect,
];

fuzz_target!(|data: &[u8]| {
    let Some((&tag, bytes)) = data.split_first() else {
        return;
    };
    let encoding = ENCODINGS[usize::from(tag) % ENCODINGS.len()];
    if tag >= 0x80 {
        // Two builders: split where the remaining bits of the tag say.
        let at = bytes.len() * usize::from(tag & 0x7f) / 0x7f;
        let (first, second) = bytes.split_at(at);
        let _ = gate::check(encoding, &[first, second]);
    } else {
        let _ = gate::check(encoding, &[bytes]);
    }
});
