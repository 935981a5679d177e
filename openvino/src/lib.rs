//! Safe Rust bindings to [OpenVINO](https://docs.openvino.ai), over its 2.0 C API.
//!
//! ```
//! # let model_xml = openvino::doc_support::ADD_MODEL_XML;
//! use openvino::{Core, DeviceType, PropertyKey, Shape, Tensor};
//!
//! let core = Core::new()?;
//! let model = core.read_model_from_buffer(model_xml.as_bytes(), None)?; // or read_model_from_file("model.xml", None)
//! let compiled = core.compile_model(&model, &DeviceType::CPU, &[(PropertyKey::InferencePrecisionHint, "f32")])?;
//! let mut request = compiled.create_infer_request()?;
//! request.set_tensor("a", Tensor::from_data(&Shape::new(&[1, 4])?, &[1.0f32, 2.0, 3.0, 4.0])?)?;
//! request.set_tensor("b", Tensor::from_data(&Shape::new(&[1, 4])?, &[0.5f32; 4])?)?;
//! request.infer()?;
//! assert_eq!(request.tensor("sum")?.data::<f32>()?, &[1.5, 2.5, 3.5, 4.5]);
//! # Ok::<(), openvino::Error>(())
//! ```
//!
//! # The pieces
//! | OpenVINO | this crate | 1.0 API name (doc alias) |
//! |---|---|---|
//! | `ov_core_t` | [`Core`] | `InferenceEngine::Core` |
//! | `ov_model_t` | [`Model`] | `CNNNetwork` / `Network` |
//! | `ov_compiled_model_t` | [`CompiledModel`] | `ExecutableNetwork` |
//! | `ov_infer_request_t` | [`InferRequest`] | `InferRequest` |
//! | `ov_tensor_t` | [`Tensor`] | `Blob` |
//! | `ov_output_const_port_t` | [`Port`] | input/output info |
//! | `ov_preprocess_*` | [`PrePostProcessor`] | `PreProcessInfo` |
//! | `ov_remote_context_t` | [`RemoteContext`] | `RemoteContext` |
//!
//! # Linking
//! Features `dynamic-linking` (default) and `runtime-linking` choose how `openvino-sys` reaches
//! the C library; with `runtime-linking`, [`Core::new`] (or any other entry point) loads it on
//! first use and returns an [`ErrorKind::Library`] error, with the places searched, if it cannot.
//!
//! # Soundness
//! Safe code using this crate cannot make OpenVINO read or write memory it should not, free
//! anything twice, or race. This section says how, object by object; the tests that try to break
//! each claim are named in parentheses (in `tests/soundness.rs` and `tests/threads.rs`; the
//! type-level claims are `compile_fail` examples on the types).
//!
//! ## One handle, one owner, freed once
//! Every wrapper owns exactly one OpenVINO handle (a private `Handle<T>` that frees it in its
//! destructor and nowhere else), and every C call goes through one macro that names the function
//! once and turns its status into a [`Result`]. Handles OpenVINO returns are new references
//! (`shared_ptr` copies inside), so freeing one never frees what another still uses. `unsafe`
//! appears only at those calls, each with the reason it is sound.
//!
//! ## What each object shares inside OpenVINO
//! Most C handles are `shared_ptr`s, so two handles can reach one C++ object. The aliasing that
//! matters is where one of them could change what another reads:
//!
//! | Rust type | shares, inside OpenVINO | how the type encodes it | `Send` / `Sync` |
//! |---|---|---|---|
//! | [`Core`] | its plugins, with every model it compiled | independent owners | both: `ov::Core` locks its registry and settings; one core per program is OpenVINO's advice (test `core_is_shared_by_threads_that_read_compile_and_set_properties`) |
//! | [`Model`] | nothing: each `Model` is the only handle to its graph. Reading makes a new graph; [`PrePostProcessor`] edits the graph in place and returns it from `build`, so it takes the model by value; compiling copies the graph. A [`RuntimeModel`] ([`CompiledModel::runtime_model`]) may share the compiled model's graph, so it only reads | `PrePostProcessor::new(model)` by value | `Send`: no thread affinity. Not `Sync`: reshaping mutates the graph and OpenVINO does not promise concurrent reads (test `models_move_between_threads_and_are_reshaped_there`) |
//! | [`Port`]`<'owner>` | a reference to a node of its owner's graph | borrows its model or compiled model, so the model cannot be reshaped while a port reads it | neither, like a `&Model` |
//! | model weights | constants point into the weights of [`Core::read_model_from_buffer_with_tensor`] | the weights tensor is taken by value: no handle to change them remains | - |
//! | imported model blob | an imported model's weights point into the blob given to [`Core::import_model`] (OpenVINO reads it through a stream over the caller's buffer, without copying) | the blob is copied once into an `Arc` that the compiled model, its requests and runtime models hold | - (test `an_imported_model_keeps_its_blob_alive_for_its_requests`) |
//! | [`CompiledModel`] | its runtime graph, with its requests | independent owners (requests keep their own references) | both: its `&self` members are const and built for concurrent request creation; `set_property` takes `&mut self` (test `compiled_model_is_shared_by_threads_that_create_requests_and_infer`) |
//! | [`InferRequest`]`<'data>` | its tensors, with handles read from it; its input and output memory, with the caller's slices | [`TensorRef`] / [`TensorMut`] borrow the request; zero-copy memory is borrowed for `'data` | `Send`: one thread at a time; not `Sync` (test `infer_requests_move_between_threads_while_idle_and_while_running`) |
//! | [`TensorRef`] / [`TensorMut`] | the request's tensor | shared / exclusive borrow of the request | as `&InferRequest` (neither) / `&mut InferRequest` (`Send`) (test `request_tensors_open_for_writing_move_to_another_thread`) |
//! | [`Tensor`]`<'data>` | its memory, with every request it is set on | `set_tensor` moves the tensor in; caller memory is an exclusive borrow for `'data` | both: `&self` only reads, `&mut self` writes (test `tensors_are_read_by_many_threads_and_moved_between_them`) |
//! | [`RemoteContext`] | the device context, with every compiled model on the device | independent owners | both: plugins must synchronise contexts that OpenVINO itself uses from every thread (no device with remote memory exists where the tests run) |
//! | [`Layout`] | nothing (an immutable value) | - | both (test `layouts_are_shared_by_threads_building_pre_post_processing`) |
//! | [`PrePostProcessor`], [`InputInfo`], ... | the model being edited; info handles point into the processor | the processor owns the model; info handles borrow the processor | neither |
//!
//! ## Asynchronous inference
//! An inference started with `start_async` runs on OpenVINO's threads and reads and writes the
//! request's memory until it ends. Rust lets any value be leaked without running its destructor
//! (`std::mem::forget`), so a destructor that waits cannot protect borrowed memory. Hence
//! [`InferRequest::start_async`] and [`InferRequest::set_callback`] exist only for
//! `InferRequest<'static>` with `'static + Send` callbacks, and [`async_scope`] runs requests
//! over borrowed memory inside a function that waits before it returns, even when its closure
//! panics (test `async_scope_waits_for_the_inference_even_when_the_closure_panics`). While an
//! inference runs, OpenVINO answers every other use of the request with
//! [`ErrorKind::RequestBusy`] (test `a_running_request_refuses_every_access_with_request_busy`), and
//! no tensor read from the request can be alive (it borrows the request that `start_async` needs
//! mutably).
//!
//! A request keeps one callback cell at a fixed address: OpenVINO calls the closure in it on its
//! own threads, one completion at a time, and may call it after the request's state already
//! allows replacing it; the cell therefore takes the closure out while it runs and frees a
//! replaced closure only once it returned (test `a_callback_that_replaces_itself_keeps_running_safely`).
//! Panics are stopped before they reach OpenVINO. The cell is freed after the request, whose
//! destruction waits for a running inference and its callback.
//!
//! ## Memory OpenVINO reads or writes
//! - Caller memory must be exactly the tensor's size as OpenVINO counts it
//!   ([`ElementType::byte_size`], checked against OpenVINO's own answer for every tensor), and
//!   cannot hold `String` or `Dynamic` elements, which OpenVINO would treat as C++ objects
//!   (tests `a_one_byte_u3_buffer_is_refused_and_a_whole_group_is_written_in_bounds`,
//!   `string_tensors_over_an_empty_slice_are_refused`).
//! - Every byte a safe method shows was written by someone: [`Tensor::new`] zeroes, growing a
//!   tensor zeroes the new bytes, and a new request's tensors are zeroed
//!   (test `fresh_requests_show_zeroed_tensors`).
//! - Property values are strings, except for keys that OpenVINO's C layer reads as pointers
//!   (cache encryption callbacks, GPU handles): those are refused in every call and spelling
//!   ([`ErrorKind::PointerProperty`]) and accepted only by `unsafe` `*_with_raw_properties`
//!   functions (tests `pointer_valued_property_keys_are_refused_in_every_spelling_and_call`,
//!   `cache_encryption_callbacks_work_through_the_unsafe_raw_properties`).
//!
//! ## Process-wide state in OpenVINO
//! - **The last error message** is one string for the whole process, and some failures
//!   (argument checks, time-outs) set none. An [`Error`] therefore carries OpenVINO's message only
//!   when no other OpenVINO call of this crate ran between the failing call's start and the read
//!   of the message; otherwise it carries OpenVINO's fixed description of the status and says
//!   why. An error never carries another call's message (tests `errors_never_carry_another_threads_message`,
//!   `a_failure_that_sets_no_message_never_shows_an_earlier_one`); the price is that programs
//!   that call OpenVINO from several threads at once often see the generic description.
//! - **The log callback** is one global that OpenVINO's threads read without a lock. This crate
//!   installs its forwarder once, before it creates any OpenVINO object, and
//!   [`route_logs_to_log_crate`] / [`reset_log_callback`] only switch where it sends messages
//!   (test `logs_can_be_rerouted_while_other_threads_run_openvino`).
//! - **Native code**: loading a library runs its initialisers, so [`Core::add_extension`] and
//!   [`Core::with_config`] (whose XML names plugin libraries) are `unsafe`, as is
//!   [`shutdown`].
//!
//! ## Outside these promises
//! Code that calls OpenVINO's C API directly in the same process (through `openvino-sys`, or C++
//! code) is not counted by this crate's message attribution and can replace the log callback.
//! A model file mapped into memory ([`PropertyKey::EnableMmap`]) that another process truncates
//! makes the process fault, as with any mapped file. Bugs inside OpenVINO are OpenVINO's.
//!
//! # Coverage of the C API
//! See [`coverage`]: every `ov_*` function is either reached by this crate or listed with the
//! reason it is not; a test keeps that list true against `openvino-sys`.

mod compiled_model;
mod core;
mod element_type;
mod error;
mod ffi;
mod infer_request;
mod log;
mod model;
mod prepostprocess;
mod property;
mod remote_context;
mod shape;
mod tensor;

pub use crate::compiled_model::CompiledModel;
pub use crate::core::{Core, Version, version};
pub use crate::element_type::{ElementType, TensorElement};
pub use crate::error::{Error, ErrorKind, Result};
pub use crate::infer_request::{
    AsyncScope, InferRequest, NodeStatus, ProfilingInfo, Running, TensorMut, TensorRef, TensorSlot,
    async_scope,
};
pub use crate::log::{reset_log_callback, route_logs_to_log_crate};
pub use crate::model::{Model, Port, RuntimeModel};
pub use crate::prepostprocess::{
    ColorFormat, InputInfo, InputModelInfo, InputTensorInfo, OutputInfo, OutputTensorInfo,
    PaddingMode, PrePostProcessor, PreprocessSteps, ResizeAlgorithm,
};
pub use crate::property::{DeviceType, PerformanceMode, PropertyKey, RawPropertyValue};
pub use crate::remote_context::RemoteContext;
pub use crate::shape::{Dimension, Layout, PartialShape, Rank, Shape};
pub use crate::tensor::Tensor;

pub use openvino_sys::library::LoadedLibrary;

/// The OpenVINO C library this process uses: its file and release. With `runtime-linking` this
/// finds and loads it first (as [`Core::new`] would); the error lists every place searched.
///
/// ```
/// let library = openvino::library()?;
/// println!("OpenVINO {} from {:?}", library.version(), library.path());
/// # Ok::<(), openvino::Error>(())
/// ```
pub fn library() -> Result<&'static LoadedLibrary> {
    Ok(openvino_sys::library::load()?)
}

/// Releases OpenVINO's global resources (`ov_shutdown`), e.g. before unloading a plugin
/// library in a long-running process.
///
/// # Safety
/// No OpenVINO object (core, model, compiled model, request, tensor) may exist or be created
/// afterwards in this process.
pub unsafe fn shutdown() -> Result<()> {
    ffi::ensure_loaded()?;
    // SAFETY: the caller promises no OpenVINO object exists or will be used again.
    unsafe { ffi::ov_plain!(ov_shutdown()) };
    Ok(())
}

#[doc = include_str!("coverage.md")]
pub mod coverage {}

/// Small models for the documentation examples (not part of the API).
#[doc(hidden)]
pub mod doc_support {
    /// `sum = a + b` over `f32[1,4]` inputs, as IR (no weights).
    pub const ADD_MODEL_XML: &str = r#"<?xml version="1.0"?>
<net name="add" version="11">
  <layers>
    <layer id="0" name="a" type="Parameter" version="opset1">
      <data shape="1,4" element_type="f32"/>
      <output><port id="0" precision="FP32" names="a"><dim>1</dim><dim>4</dim></port></output>
    </layer>
    <layer id="1" name="b" type="Parameter" version="opset1">
      <data shape="1,4" element_type="f32"/>
      <output><port id="0" precision="FP32" names="b"><dim>1</dim><dim>4</dim></port></output>
    </layer>
    <layer id="2" name="add" type="Add" version="opset1">
      <input>
        <port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port>
        <port id="1" precision="FP32"><dim>1</dim><dim>4</dim></port>
      </input>
      <output><port id="2" precision="FP32" names="sum"><dim>1</dim><dim>4</dim></port></output>
    </layer>
    <layer id="3" name="sum/sink" type="Result" version="opset1">
      <input><port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port></input>
    </layer>
  </layers>
  <edges>
    <edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
    <edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
    <edge from-layer="2" from-port="2" to-layer="3" to-port="0"/>
  </edges>
</net>
"#;
}
