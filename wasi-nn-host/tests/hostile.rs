//! Hostile guests written in WAT: one module per bad input. Each asserts the exact errno (or a
//! clean trap) and then proves the host still serves a valid inference in the same instance.

use std::sync::Arc;

use wasi_nn_host::{Backend, BackendConfig, Limits, WasiNnCtx};
use wasmtime::{Engine, Instance, Linker, Module, Store};

mod common;
use common::wat_bytes;

const SUCCESS: i32 = 0;
const INVALID_ARGUMENT: i32 = 1;
const INVALID_ENCODING: i32 = 2;
const BUSY: i32 = 4;
const UNSUPPORTED_OPERATION: i32 = 6;
const TOO_LARGE: i32 = 7;
const NOT_FOUND: i32 = 8;

/// Memory layout shared by every hostile guest:
///   64: builder array [xml_ptr=4096, xml_len, weights_ptr=8192, 0]
///  128: tensor { dims=256, 2, type f32, data=512, 16 }
///  256: dims [1, 4]; 512: data [1, 2, 3, 4] f32; 1024: output buffer
///   32/36/40: graph / context / written out-params; 4096: IR XML of `sum = a + b`.
fn prelude(xml: &str) -> String {
    format!(
        r#"
  {imports}
  (memory (export "memory") 1)
  (data (i32.const 64) "\00\10\00\00{xml_len}\00\20\00\00\00\00\00\00")
  (data (i32.const 128) "\00\01\00\00\02\00\00\00\01\00\00\00\00\02\00\00\10\00\00\00")
  (data (i32.const 256) "\01\00\00\00\04\00\00\00")
  (data (i32.const 512) "\00\00\80\3f\00\00\00\40\00\00\40\40\00\00\80\40")
  (data (i32.const 4096) "{xml}")
  ;; A valid inference: sum = x + x, with x = [1, 2, 3, 4]; returns the first errno or 0.
  (func (export "valid") (result i32)
    (local $e i32)
    ;; Restore the tensor a hostile call may have overwritten.
    (i32.store (i32.const 128) (i32.const 256)) (i32.store (i32.const 132) (i32.const 2))
    (i32.store (i32.const 136) (i32.const 1)) (i32.store (i32.const 140) (i32.const 512))
    (i32.store (i32.const 144) (i32.const 16))
    (i32.store (i32.const 256) (i32.const 1)) (i32.store (i32.const 260) (i32.const 4))
    (f32.store (i32.const 512) (f32.const 1)) (f32.store (i32.const 516) (f32.const 2))
    (f32.store (i32.const 520) (f32.const 3)) (f32.store (i32.const 524) (f32.const 4))
    (local.set $e (call $load (i32.const 64) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 32)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $e (call $init (i32.load (i32.const 32)) (i32.const 36)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $e (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $e (call $set_input (i32.load (i32.const 36)) (i32.const 1) (i32.const 128)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $e (call $compute (i32.load (i32.const 36))))
    (if (local.get $e) (then (return (local.get $e))))
    (call $get_output (i32.load (i32.const 36)) (i32.const 0) (i32.const 1024) (i32.const 16) (i32.const 40)))
"#,
        xml_len = wat_bytes(&(xml.len() as u32).to_le_bytes()),
        xml = wat_bytes(xml.as_bytes()),
        imports = common::NN_IMPORTS,
    )
}

struct Guest {
    store: Store<WasiNnCtx>,
    instance: Instance,
}

impl Guest {
    fn new(body: &str) -> Self {
        Self::with_limits(body, Limits::default())
    }

    fn with_limits(body: &str, limits: Limits) -> Self {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        wasi_nn_host::add_to_linker(&mut linker, |ctx: &mut WasiNnCtx| ctx).unwrap();
        let backend = Arc::new(
            Backend::new(BackendConfig {
                limits,
                guest_loads: common::sandboxed(),
                properties: vec![("INFERENCE_PRECISION_HINT".into(), "f32".into())],
                ..BackendConfig::default()
            })
            .unwrap(),
        );
        let wat = format!(
            "(module {} {body})",
            prelude(openvino::doc_support::ADD_MODEL_XML)
        );
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, WasiNnCtx::new(backend));
        let instance = linker.instantiate(&mut store, &module).unwrap();
        Self { store, instance }
    }

    fn call(&mut self, name: &str) -> wasmtime::Result<i32> {
        let f = self
            .instance
            .get_typed_func::<(), i32>(&mut self.store, name)
            .unwrap();
        f.call(&mut self.store, ())
    }

    fn memory(&mut self, at: usize, len: usize) -> Vec<u8> {
        let memory = self.instance.get_memory(&mut self.store, "memory").unwrap();
        memory.data(&self.store)[at..at + len].to_vec()
    }

    /// The host still answers a full valid inference, with the right numbers.
    fn assert_still_serving(&mut self) {
        assert_eq!(self.call("valid").unwrap(), SUCCESS);
        let out = self.memory(1024, 16);
        let sums: Vec<f32> = out
            .chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(sums, vec![2.0, 4.0, 6.0, 8.0]);
        assert_eq!(
            u32::from_le_bytes(self.memory(40, 4).try_into().unwrap()),
            16
        );
    }
}

fn errno_case(body: &str, expected: i32) {
    let mut guest = Guest::new(body);
    assert_eq!(guest.call("run").unwrap(), expected, "{body}");
    guest.assert_still_serving();
}

fn trap_case(body: &str) {
    let mut guest = Guest::new(body);
    let err = guest.call("run").unwrap_err();
    assert!(!format!("{err:?}").is_empty());
    // A trap poisons only that call; the instance's host state keeps working.
    guest.assert_still_serving();
}

#[test]
fn valid_guest_computes_the_sum() {
    Guest::new("").assert_still_serving();
}

#[test]
fn load_with_out_of_bounds_builder_array() {
    errno_case(
        r#"(func (export "run") (result i32) (call $load (i32.const 0xfffffff0) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 32)))"#,
        INVALID_ARGUMENT,
    );
}

#[test]
fn load_with_builder_pointing_out_of_bounds() {
    errno_case(
        r#"(func (export "run") (result i32)
             (i32.store (i32.const 2048) (i32.const 65000))
             (i32.store (i32.const 2052) (i32.const 100000))
             (call $load (i32.const 2048) (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 32)))"#,
        INVALID_ARGUMENT,
    );
}

#[test]
fn load_with_wrong_builder_count() {
    errno_case(
        r#"(func (export "run") (result i32) (call $load (i32.const 64) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 32)))"#,
        INVALID_ARGUMENT,
    );
}

#[test]
fn load_with_garbage_model_bytes() {
    errno_case(
        r#"(func (export "run") (result i32) (call $load (i32.const 128) (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 32)))"#,
        INVALID_ENCODING,
    );
}

#[test]
fn load_pytorch_is_unsupported() {
    errno_case(
        r#"(func (export "run") (result i32) (call $load (i32.const 64) (i32.const 1) (i32.const 3) (i32.const 0) (i32.const 32)))"#,
        UNSUPPORTED_OPERATION,
    );
}

#[test]
fn load_with_invalid_encoding_tag_traps() {
    trap_case(
        r#"(func (export "run") (result i32) (call $load (i32.const 64) (i32.const 2) (i32.const 99) (i32.const 0) (i32.const 32)))"#,
    );
}

#[test]
fn load_with_invalid_target_tag_traps() {
    trap_case(
        r#"(func (export "run") (result i32) (call $load (i32.const 64) (i32.const 2) (i32.const 0) (i32.const 9) (i32.const 32)))"#,
    );
}

#[test]
fn load_with_out_of_bounds_result_pointer_traps() {
    trap_case(
        r#"(func (export "run") (result i32) (call $load (i32.const 64) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 0xfffffffc)))"#,
    );
}

#[test]
fn load_for_an_absent_device_is_unsupported() {
    // The GPU and NPU are absent on CI machines; where one exists the load succeeds.
    let mut guest = Guest::new(
        r#"(func (export "run") (result i32) (call $load (i32.const 64) (i32.const 2) (i32.const 0) (i32.const 2) (i32.const 32)))"#,
    );
    let npu_present = openvino::Core::new()
        .unwrap()
        .available_devices()
        .unwrap()
        .iter()
        .any(|d| d.as_str().starts_with("NPU"));
    let expected = if npu_present {
        SUCCESS
    } else {
        UNSUPPORTED_OPERATION
    };
    assert_eq!(guest.call("run").unwrap(), expected);
    guest.assert_still_serving();
}

#[test]
fn bogus_and_stale_graph_handles() {
    errno_case(
        r#"(func (export "run") (result i32) (call $init (i32.const 77) (i32.const 36)))"#,
        INVALID_ARGUMENT,
    );
    errno_case(
        r#"(func (export "run") (result i32) (call $init (i32.const 0) (i32.const 36)))"#,
        INVALID_ARGUMENT,
    );
}

#[test]
fn bogus_context_handles_everywhere() {
    errno_case(
        r#"(func (export "run") (result i32) (call $set_input (i32.const 5) (i32.const 0) (i32.const 128)))"#,
        INVALID_ARGUMENT,
    );
    errno_case(
        r#"(func (export "run") (result i32) (call $compute (i32.const 5)))"#,
        INVALID_ARGUMENT,
    );
    errno_case(
        r#"(func (export "run") (result i32) (call $get_output (i32.const 5) (i32.const 0) (i32.const 1024) (i32.const 16) (i32.const 40)))"#,
        INVALID_ARGUMENT,
    );
}

/// Loads the graph and creates a context into 32/36, then runs `$body`.
fn with_context(body: &str) -> String {
    format!(
        r#"(func (export "run") (result i32)
             (drop (call $load (i32.const 64) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 32)))
             (drop (call $init (i32.load (i32.const 32)) (i32.const 36)))
             {body})"#
    )
}

#[test]
fn a_graph_handle_is_not_a_context_handle() {
    // Graph 1 exists; context 2 does not (handles of different kinds do not mix).
    errno_case(
        &with_context("(call $compute (i32.const 2))"),
        INVALID_ARGUMENT,
    );
}

#[test]
fn set_input_index_out_of_range() {
    errno_case(
        &with_context("(call $set_input (i32.load (i32.const 36)) (i32.const 2) (i32.const 128))"),
        INVALID_ARGUMENT,
    );
}

#[test]
fn set_input_with_huge_dimensions() {
    errno_case(
        &with_context(
            r#"(i32.store (i32.const 256) (i32.const 65536))
               (i32.store (i32.const 260) (i32.const 65536))
               (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128))"#,
        ),
        TOO_LARGE,
    );
}

#[test]
fn set_input_with_overflowing_dimensions() {
    errno_case(
        &with_context(
            r#"(i32.store (i32.const 256) (i32.const 0xffffffff))
               (i32.store (i32.const 260) (i32.const 0xffffffff))
               (i32.store (i32.const 264) (i32.const 0xffffffff))
               (i32.store (i32.const 132) (i32.const 3))
               (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128))"#,
        ),
        TOO_LARGE,
    );
}

#[test]
fn set_input_with_length_mismatch() {
    errno_case(
        &with_context(
            r#"(i32.store (i32.const 144) (i32.const 12))
               (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128))"#,
        ),
        INVALID_ARGUMENT,
    );
}

#[test]
fn set_input_with_wrong_element_type_for_the_model() {
    // i32 data of the right size for [1,4], but the model takes f32.
    errno_case(
        &with_context(
            r#"(i32.store8 (i32.const 136) (i32.const 4))
               (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128))"#,
        ),
        INVALID_ARGUMENT,
    );
}

#[test]
fn set_input_with_unaligned_dimension_list() {
    errno_case(
        &with_context(
            r#"(i32.store (i32.const 128) (i32.const 257))
               (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128))"#,
        ),
        INVALID_ARGUMENT,
    );
}

#[test]
fn set_input_with_out_of_bounds_data() {
    errno_case(
        &with_context(
            r#"(i32.store (i32.const 140) (i32.const 65530))
               (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128))"#,
        ),
        INVALID_ARGUMENT,
    );
}

#[test]
fn set_input_with_invalid_tensor_type_tag_traps() {
    trap_case(&with_context(
        r#"(i32.store8 (i32.const 136) (i32.const 200))
           (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128))"#,
    ));
}

#[test]
fn set_input_with_out_of_bounds_tensor_record_traps() {
    trap_case(&with_context(
        "(call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 65534))",
    ));
}

#[test]
fn get_output_into_too_small_buffer_writes_nothing() {
    let body = with_context(
        r#"(drop (call $set_input (i32.load (i32.const 36)) (i32.const 0) (i32.const 128)))
           (drop (call $set_input (i32.load (i32.const 36)) (i32.const 1) (i32.const 128)))
           (drop (call $compute (i32.load (i32.const 36))))
           (i64.store (i32.const 3000) (i64.const 0x5a5a5a5a5a5a5a5a))
           (i64.store (i32.const 3008) (i64.const 0x5a5a5a5a5a5a5a5a))
           (call $get_output (i32.load (i32.const 36)) (i32.const 0) (i32.const 3000) (i32.const 15) (i32.const 40))"#,
    );
    let mut guest = Guest::new(&body);
    assert_eq!(guest.call("run").unwrap(), TOO_LARGE);
    assert_eq!(
        guest.memory(3000, 16),
        vec![0x5a; 16],
        "nothing was written"
    );
    guest.assert_still_serving();
}

#[test]
fn get_output_into_out_of_bounds_buffer() {
    errno_case(
        &with_context(
            r#"(drop (call $compute (i32.load (i32.const 36))))
               (call $get_output (i32.load (i32.const 36)) (i32.const 0) (i32.const 65530) (i32.const 16) (i32.const 40))"#,
        ),
        INVALID_ARGUMENT,
    );
}

#[test]
fn get_output_index_out_of_range() {
    errno_case(
        &with_context(
            "(call $get_output (i32.load (i32.const 36)) (i32.const 1) (i32.const 1024) (i32.const 16) (i32.const 40))",
        ),
        INVALID_ARGUMENT,
    );
}

#[test]
fn load_by_name_unknown_and_out_of_bounds_names() {
    errno_case(
        r#"(func (export "run") (result i32) (call $load_by_name (i32.const 4096) (i32.const 5) (i32.const 32)))"#,
        NOT_FOUND,
    );
    errno_case(
        r#"(func (export "run") (result i32) (call $load_by_name (i32.const 65530) (i32.const 100) (i32.const 32)))"#,
        INVALID_ARGUMENT,
    );
    // Invalid UTF-8 in the name.
    errno_case(
        r#"(func (export "run") (result i32)
             (i32.store (i32.const 2000) (i32.const 0xfffefdfc))
             (call $load_by_name (i32.const 2000) (i32.const 4) (i32.const 32)))"#,
        INVALID_ARGUMENT,
    );
}

#[test]
fn load_in_a_loop_hits_the_graph_limit() {
    let body = r#"(func (export "run") (result i32)
         (local $i i32) (local $e i32)
         (loop $again
           (local.set $e (call $load (i32.const 64) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 32)))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br_if $again (i32.and (i32.eqz (local.get $e)) (i32.lt_u (local.get $i) (i32.const 100)))))
         (i32.store (i32.const 44) (local.get $i))
         (local.get $e))"#;
    let mut guest = Guest::with_limits(
        body,
        Limits {
            max_graphs: 5,
            ..Limits::default()
        },
    );
    assert_eq!(guest.call("run").unwrap(), BUSY);
    assert_eq!(
        u32::from_le_bytes(guest.memory(44, 4).try_into().unwrap()),
        6,
        "5 loads succeed, the 6th is refused"
    );
    assert_eq!(guest.store.data().graph_count(), 5);
    // The instance is full, so even a valid load is refused, with the same errno.
    assert_eq!(guest.call("valid").unwrap(), BUSY);
}

#[test]
fn model_bytes_limit_answers_too_large() {
    let mut guest = Guest::with_limits(
        r#"(func (export "run") (result i32) (call $load (i32.const 64) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 32)))"#,
        Limits {
            max_model_bytes: 100,
            ..Limits::default()
        },
    );
    assert_eq!(guest.call("run").unwrap(), TOO_LARGE);
}

#[test]
fn module_without_memory_traps_cleanly() {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    wasi_nn_host::add_to_linker(&mut linker, |ctx: &mut WasiNnCtx| ctx).unwrap();
    let backend = Arc::new(Backend::new(BackendConfig::default()).unwrap());
    let module = Module::new(
        &engine,
        r#"(module
             (import "wasi_ephemeral_nn" "compute" (func $compute (param i32) (result i32)))
             (func (export "run") (result i32) (call $compute (i32.const 1))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, WasiNnCtx::new(backend));
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<(), i32>(&mut store, "run")
        .unwrap();
    let err = run.call(&mut store, ()).unwrap_err();
    assert!(format!("{err:?}").contains("memory"), "{err:?}");
}
