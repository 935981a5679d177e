//! [`CompiledModel`]: a model compiled for a device.

use std::path::Path;
use std::ptr::{self, NonNull};

use openvino_sys as sys;

use crate::error::check;
use crate::ffi::{cstring, path_cstring, take_string};
use crate::model::port_getters;
use crate::property::{CProperties, key_value};
use crate::{Error, ErrorKind, InferRequest, Model, Port, PropertyKey, RemoteContext, Result};

/// A model compiled for a device (`ov_compiled_model_t`): creates [`InferRequest`]s.
///
/// `CompiledModel` is `Send + Sync`: OpenVINO documents `ov::CompiledModel` as thread-safe, and
/// infer requests may be created from several threads at once.
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType, PropertyKey};
/// let core = Core::new()?;
/// let model = core.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let compiled = core.compile_model(&model, &DeviceType::CPU, &[])?;
/// let n: u32 = compiled.property(&PropertyKey::OptimalNumberOfInferRequests)?.parse().unwrap();
/// assert!(n >= 1);
/// let request = compiled.create_infer_request()?;
/// # drop(request);
/// # Ok::<(), openvino::Error>(())
/// ```
#[doc(alias = "ExecutableNetwork")]
pub struct CompiledModel {
    ptr: NonNull<sys::ov_compiled_model_t>,
}

// SAFETY: ov::CompiledModel is documented as thread-safe.
unsafe impl Send for CompiledModel {}
// SAFETY: as above; every method calls a const C function.
unsafe impl Sync for CompiledModel {}

impl CompiledModel {
    /// # Safety
    /// `ptr` is null or a compiled model the caller owns.
    pub(crate) unsafe fn from_raw(
        ptr: *mut sys::ov_compiled_model_t,
        call: &'static str,
    ) -> Result<Self> {
        crate::ffi::non_null(ptr, call, "compiled model").map(|ptr| Self { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_compiled_model_t {
        self.ptr.as_ptr()
    }

    /// Creates an infer request. It keeps what it needs of the compiled model alive on its own.
    pub fn create_infer_request<'data>(&self) -> Result<InferRequest<'data>> {
        let mut ptr = ptr::null_mut();
        // SAFETY: a live compiled model and a valid out-parameter.
        check(
            unsafe { sys::ov_compiled_model_create_infer_request(self.as_ptr(), &mut ptr) },
            "ov_compiled_model_create_infer_request",
        )?;
        // SAFETY: a new request owned by the wrapper.
        unsafe { InferRequest::from_raw(ptr) }
    }

    /// The number of inputs.
    pub fn inputs_len(&self) -> Result<usize> {
        let mut n = 0;
        // SAFETY: a live compiled model and a valid out-parameter.
        check(
            unsafe { sys::ov_compiled_model_inputs_size(self.as_ptr(), &mut n) },
            "ov_compiled_model_inputs_size",
        )?;
        Ok(n)
    }

    /// The number of outputs.
    pub fn outputs_len(&self) -> Result<usize> {
        let mut n = 0;
        // SAFETY: a live compiled model and a valid out-parameter.
        check(
            unsafe { sys::ov_compiled_model_outputs_size(self.as_ptr(), &mut n) },
            "ov_compiled_model_outputs_size",
        )?;
        Ok(n)
    }

    port_getters! { inputs_len, Port, Port::from_raw;
        /// The only input.
        input => ov_compiled_model_input,
        /// The input at `index`.
        input_by_index => ov_compiled_model_input_by_index,
        /// The input with this tensor name.
        input_by_name => ov_compiled_model_input_by_name
    }

    port_getters! { outputs_len, Port, Port::from_raw;
        /// The only output.
        output => ov_compiled_model_output,
        /// The output at `index`.
        output_by_index => ov_compiled_model_output_by_index,
        /// The output with this tensor name.
        output_by_name => ov_compiled_model_output_by_name
    }

    /// Reads a property (`ov_compiled_model_get_property`).
    pub fn property(&self, key: &PropertyKey) -> Result<String> {
        let key = cstring(key.as_str(), "CompiledModel::property")?;
        let mut value = ptr::null_mut();
        // SAFETY: a live compiled model, a C string and a valid out-parameter.
        check(
            unsafe { sys::ov_compiled_model_get_property(self.as_ptr(), key.as_ptr(), &mut value) },
            "ov_compiled_model_get_property",
        )?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(value, "ov_compiled_model_get_property") }
    }

    /// Sets one property (the variadic `ov_compiled_model_set_property`).
    pub fn set_property(&self, key: &PropertyKey, value: &str) -> Result<()> {
        let (key, value) = key_value(key, value, "CompiledModel::set_property")?;
        // SAFETY: a live compiled model; the variadic part is one (key, value) pair of C strings.
        check(
            unsafe {
                sys::ov_compiled_model_set_property(self.as_ptr(), key.as_ptr(), value.as_ptr())
            },
            "ov_compiled_model_set_property",
        )
    }

    /// Sets several properties (`ov_compiled_model_set_properties`).
    pub fn set_properties(&self, properties: &[(PropertyKey, &str)]) -> Result<()> {
        let props = CProperties::new(properties, "CompiledModel::set_properties")?;
        // SAFETY: a live compiled model and `len` live properties.
        check(
            unsafe {
                sys::ov_compiled_model_set_properties(self.as_ptr(), props.len(), props.as_ptr())
            },
            "ov_compiled_model_set_properties",
        )
    }

    /// Writes the compiled model to a file that [`Core::import_model`](crate::Core::import_model)
    /// reads back (`ov_compiled_model_export_model`).
    pub fn export_to_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path_cstring(path.as_ref(), "CompiledModel::export_to_file")?;
        // SAFETY: a live compiled model and a C string.
        check(
            unsafe { sys::ov_compiled_model_export_model(self.as_ptr(), path.as_ptr()) },
            "ov_compiled_model_export_model",
        )
    }

    /// The compiled model as bytes for [`Core::import_model`](crate::Core::import_model). The C
    /// API exports only to files, so this goes through a private temporary file that is always
    /// removed.
    pub fn export(&self) -> Result<Vec<u8>> {
        let dir = std::env::temp_dir();
        let unique = format!(
            "openvino-export-{}-{:p}-{}.blob",
            std::process::id(),
            self.as_ptr(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        );
        let path = dir.join(unique);
        let result = self.export_to_file(&path).and_then(|()| {
            std::fs::read(&path)
                .map_err(|e| Error::new(ErrorKind::Io, "CompiledModel::export", e.to_string()))
        });
        let _ = std::fs::remove_file(&path);
        result
    }

    /// The model as the device runs it (`ov_compiled_model_get_runtime_model`).
    pub fn runtime_model(&self) -> Result<Model> {
        let mut ptr = ptr::null_mut();
        // SAFETY: a live compiled model and a valid out-parameter.
        check(
            unsafe { sys::ov_compiled_model_get_runtime_model(self.as_ptr(), &mut ptr) },
            "ov_compiled_model_get_runtime_model",
        )?;
        // SAFETY: a new model owned by the wrapper.
        unsafe { Model::from_raw(ptr, "ov_compiled_model_get_runtime_model") }
    }

    /// The remote context the model was compiled on (`ov_compiled_model_get_context`); CPU
    /// models answer with an error.
    pub fn context(&self) -> Result<RemoteContext> {
        let mut ptr = ptr::null_mut();
        // SAFETY: a live compiled model and a valid out-parameter.
        check(
            unsafe { sys::ov_compiled_model_get_context(self.as_ptr(), &mut ptr) },
            "ov_compiled_model_get_context",
        )?;
        // SAFETY: a new context owned by the wrapper.
        unsafe { RemoteContext::from_raw(ptr, "ov_compiled_model_get_context") }
    }
}

impl std::fmt::Debug for CompiledModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledModel").finish_non_exhaustive()
    }
}

impl Drop for CompiledModel {
    fn drop(&mut self) {
        // SAFETY: owned handle, freed exactly once; infer requests keep their own references.
        unsafe { sys::ov_compiled_model_free(self.as_ptr()) };
    }
}
