//! The ABI layout test of `openvino-sys` (like git2-rs's systest): `build.rs` compiles a C file
//! over the pinned headers and generates the matching Rust queries; `tests/layout.rs` compares.

use std::ffi::{CStr, c_char};

include!(concat!(env!("OUT_DIR"), "/layout.rs"));

/// The size of a struct field's type, named through a projection closure.
fn field_size<S, F>(_project: fn(&S) -> &F) -> usize {
    std::mem::size_of::<F>()
}

#[repr(C)]
struct Entry {
    name: *const c_char,
    value: i64,
}

unsafe extern "C" {
    static ov_layout_entries: [Entry; 0];
    static ov_layout_count: usize;
}

/// What the C compiler says, as `(key, value)` pairs in the order of [`rust_entries`].
pub fn c_entries() -> Vec<(String, i64)> {
    // SAFETY: both statics are defined by the C file compiled in build.rs; the array has
    // `ov_layout_count` entries whose names are string literals.
    unsafe {
        let entries = std::slice::from_raw_parts(ov_layout_entries.as_ptr(), ov_layout_count);
        entries
            .iter()
            .map(|e| {
                (
                    CStr::from_ptr(e.name).to_string_lossy().into_owned(),
                    e.value,
                )
            })
            .collect()
    }
}
