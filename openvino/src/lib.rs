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
//! | `ov_output_const_port_t` / `ov_output_port_t` | [`Port`] / [`MutablePort`] | input/output info |
//! | `ov_preprocess_*` | [`PrePostProcessor`] | `PreProcessInfo` |
//! | `ov_remote_context_t` | [`RemoteContext`] | `RemoteContext` |
//!
//! # Linking
//! Features `dynamic-linking` (default) and `runtime-linking` choose how `openvino-sys` reaches
//! the C library; with `runtime-linking`, [`Core::new`] (or any other entry point) loads it on
//! first use and returns an [`ErrorKind::Library`] error, with the places searched, if it cannot.
//!
//! # Soundness
//! Each wrapper owns one OpenVINO handle and frees it once. Borrowed memory is tracked by
//! lifetimes ([`Tensor`]`<'data>`, [`InferRequest`]`<'data>`); tensors read from a request
//! borrow it. `Send`/`Sync` follow OpenVINO's documented thread safety: [`Core`] and
//! [`CompiledModel`] are `Send + Sync`; [`InferRequest`] and [`Model`] are `Send` only.
//! Every input is checked before it reaches C (strings with NUL bytes, wrong lengths, element
//! type mismatches, overflowing shapes); every failure is an [`Error`] carrying OpenVINO's message.
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
pub use crate::model::{Model, Port};
pub use crate::prepostprocess::{
    ColorFormat, InputInfo, InputModelInfo, InputTensorInfo, OutputInfo, OutputTensorInfo,
    PaddingMode, PrePostProcessor, PreprocessSteps, ResizeAlgorithm,
};
pub use crate::property::{DeviceType, PerformanceMode, PropertyKey, RawPropertyValue};
pub use crate::remote_context::RemoteContext;
pub use crate::shape::{Dimension, Layout, PartialShape, Rank, Shape};
pub use crate::tensor::Tensor;

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
