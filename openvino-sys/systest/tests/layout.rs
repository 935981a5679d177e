//! Every struct size, alignment and field offset and every enum constant of openvino-sys must
//! equal what the C compiler computes from the pinned OpenVINO headers.

use openvino_sys_systest::{c_entries, rust_entries};

#[test]
fn bindings_match_the_c_headers() {
    let c = c_entries();
    let rust = rust_entries();
    assert_eq!(
        c.len(),
        rust.len(),
        "both sides are generated from the same list"
    );
    let mismatches: Vec<String> = c
        .iter()
        .zip(&rust)
        .filter(|((_, cv), (_, rv))| cv != rv)
        .map(|((key, cv), (_, rv))| format!("{key}: C says {cv}, the bindings say {rv}"))
        .collect();
    assert!(
        mismatches.is_empty(),
        "openvino-sys's bindings disagree with the C headers (run scripts/regenerate-bindings):\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn the_layout_list_covers_the_abi_that_changed_in_2025_1() {
    let keys: Vec<String> = c_entries().into_iter().map(|(k, _)| k).collect();
    for key in [
        "const ov_element_type_e_F32",
        "const ov_element_type_e_STRING",
        "const ov_status_e_GENERAL_ERROR",
        "size ov_shape_t",
        "offset ov_partial_shape.dims",
        "offset ov_profiling_info_t.node_name",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} is checked");
    }
    let c = c_entries();
    let f32 = c
        .iter()
        .find(|(k, _)| k == "const ov_element_type_e_F32")
        .map(|(_, v)| *v);
    assert_eq!(
        f32,
        Some(4),
        "2025.1 numbering: DYNAMIC 0, BOOLEAN 1, BF16 2, F16 3, F32 4"
    );
}
