//! [`CompiledModel`]: a model compiled for a device.

use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::Arc;

use openvino_sys as sys;

use crate::ffi::{Handle, cstring, ov, path_cstring, take_string};
use crate::model::port_getters;
use crate::property::{CProperties, key_value};
use crate::{
    Error, ErrorKind, InferRequest, Model, Port, PropertyKey, RemoteContext, Result, RuntimeModel,
};

/// A model compiled for a device (`ov_compiled_model_t`): creates [`InferRequest`]s.
///
/// `CompiledModel` is `Send + Sync`: its `&self` methods (creating requests, reading ports and
/// properties, exporting) call const members of OpenVINO's compiled model, which serves all its
/// requests at once; changing properties takes `&mut self`.
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
    handle: Handle<sys::ov_compiled_model_t>,
    // Declared after `handle`, so dropped after it: the blob an imported model was read from.
    // OpenVINO's import reads the caller's buffer through a stream over it and the CPU plugin keeps
    // pointers into it (weights are not copied), so the bytes live as long as anything that can
    // reach the compiled graph: this model, its infer requests and runtime models.
    blob: Option<Arc<[u8]>>,
}

// SAFETY: an ov_compiled_model_t holds a shared_ptr to an ov::CompiledModel with no thread
// affinity; infer requests keep their own references to what they need of it.
unsafe impl Send for CompiledModel {}
// SAFETY: every `&self` method calls a const member of ov::CompiledModel (create_infer_request,
// inputs/outputs, get_property, export_model, get_runtime_model, get_context). OpenVINO's plugin
// guide builds these for concurrent callers (its template plugin counts requests in a `mutable
// std::atomic`, and the compiled model holds the executors all its requests share), and the
// stress test `compiled_model_is_shared_by_threads_that_create_requests_and_infer` exercises
// them; `set_property`, which plugins do not synchronise, needs `&mut self`.
unsafe impl Sync for CompiledModel {}

impl CompiledModel {
    /// # Safety
    /// `ptr` is null or a compiled model the caller owns.
    pub(crate) unsafe fn from_raw(
        ptr: *mut sys::ov_compiled_model_t,
        call: &'static str,
    ) -> Result<Self> {
        // SAFETY: per the contract.
        let handle = unsafe { Handle::new(ptr, call) }?;
        Ok(Self { handle, blob: None })
    }

    /// Keeps `blob` alive for as long as this model and everything made from it.
    pub(crate) fn keeping(mut self, blob: Arc<[u8]>) -> Self {
        self.blob = Some(blob);
        self
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_compiled_model_t {
        self.handle.as_ptr()
    }

    /// Creates an infer request, its tensors zeroed. It keeps what it needs of the compiled model
    /// alive on its own.
    pub fn create_infer_request<'data>(&self) -> Result<InferRequest<'data>> {
        let (inputs, outputs) = (self.inputs_len()?, self.outputs_len()?);
        let mut ptr = ptr::null_mut();
        // SAFETY: a live compiled model and a valid out-parameter.
        let call = unsafe {
            ov!(ov_compiled_model_create_infer_request(
                self.as_ptr(),
                &mut ptr
            ))
        }?;
        // SAFETY: a new request the caller owns, of this compiled model.
        let request = unsafe { InferRequest::from_raw(ptr, call, inputs, outputs) }?;
        Ok(request.keeping(self.blob.clone()))
    }

    /// The number of inputs.
    pub fn inputs_len(&self) -> Result<usize> {
        let mut n = 0;
        // SAFETY: a live compiled model and a valid out-parameter.
        unsafe { ov!(ov_compiled_model_inputs_size(self.as_ptr(), &mut n)) }?;
        Ok(n)
    }

    /// The number of outputs.
    pub fn outputs_len(&self) -> Result<usize> {
        let mut n = 0;
        // SAFETY: a live compiled model and a valid out-parameter.
        unsafe { ov!(ov_compiled_model_outputs_size(self.as_ptr(), &mut n)) }?;
        Ok(n)
    }

    port_getters! { inputs_len;
        /// The only input.
        input => ov_compiled_model_input,
        /// The input at `index`.
        input_by_index => ov_compiled_model_input_by_index,
        /// The input with this tensor name.
        input_by_name => ov_compiled_model_input_by_name
    }

    port_getters! { outputs_len;
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
        let call = unsafe {
            ov!(ov_compiled_model_get_property(
                self.as_ptr(),
                key.as_ptr(),
                &mut value
            ))
        }?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(value, call) }
    }

    /// Sets one property (the variadic `ov_compiled_model_set_property`). Keys whose value
    /// OpenVINO reads as a pointer are refused ([`ErrorKind::PointerProperty`]).
    pub fn set_property(&mut self, key: &PropertyKey, value: &str) -> Result<()> {
        let (key, value) = key_value(key, value, "CompiledModel::set_property")?;
        // SAFETY: a live compiled model; the variadic part is one C string value, for a key that
        // OpenVINO reads as a string.
        unsafe {
            ov!(ov_compiled_model_set_property(
                self.as_ptr(),
                key.as_ptr(),
                value.as_ptr()
            ))
        }?;
        Ok(())
    }

    /// Sets several properties (`ov_compiled_model_set_properties`). Keys whose value OpenVINO
    /// reads as a pointer are refused ([`ErrorKind::PointerProperty`]).
    pub fn set_properties(&mut self, properties: &[(PropertyKey, &str)]) -> Result<()> {
        let props = CProperties::new(properties, "CompiledModel::set_properties")?;
        // SAFETY: a live compiled model and `len` live string-valued properties.
        unsafe {
            ov!(ov_compiled_model_set_properties(
                self.as_ptr(),
                props.len(),
                props.as_ptr()
            ))
        }?;
        Ok(())
    }

    /// Writes the compiled model to a file that [`Core::import_model`](crate::Core::import_model)
    /// reads back (`ov_compiled_model_export_model`). The file is created (or truncated) here
    /// first, so that a path that cannot be written is reported as an [`ErrorKind::Io`] error
    /// with its cause (OpenVINO reports it without a message).
    pub fn export_to_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::File::create(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                "CompiledModel::export_to_file",
                format!("cannot create {}", path.display()),
            )
            .with_source(e)
        })?;
        let c_path = path_cstring(path, "CompiledModel::export_to_file")?;
        // SAFETY: a live compiled model and a C string.
        unsafe {
            ov!(ov_compiled_model_export_model(
                self.as_ptr(),
                c_path.as_ptr()
            ))
        }?;
        Ok(())
    }

    /// The compiled model as bytes for [`Core::import_model`](crate::Core::import_model). The C
    /// API exports only to files, so this goes through a file in a new directory that only the
    /// current user can enter (mode 0700 on Unix), removed with its contents afterwards.
    pub fn export(&self) -> Result<Vec<u8>> {
        let dir = PrivateDir::create()?;
        let path = dir.0.join("model.blob");
        self.export_to_file(&path)?;
        std::fs::read(&path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                "CompiledModel::export",
                format!("cannot read back {}", path.display()),
            )
            .with_source(e)
        })
    }

    /// The graph as the device runs it (`ov_compiled_model_get_runtime_model`), read-only
    /// ([`RuntimeModel`]): OpenVINO returns it as a `const` model. The CPU and GPU plugins build
    /// a new graph per call (AUTO, HETERO and BATCH ask the device plugins), but a plugin may
    /// return a graph it keeps, so nothing may change it.
    pub fn runtime_model(&self) -> Result<RuntimeModel> {
        let mut ptr = ptr::null_mut();
        // SAFETY: a live compiled model and a valid out-parameter.
        let call = unsafe { ov!(ov_compiled_model_get_runtime_model(self.as_ptr(), &mut ptr)) }?;
        // SAFETY: a new handle the caller owns; `RuntimeModel` only reads through it, so sharing
        // the graph with the plugin (or another call's handle) is the reading OpenVINO's `const`
        // return type allows.
        let model = unsafe { Model::from_raw(ptr, call) }?;
        Ok(RuntimeModel::new(model, self.blob.clone()))
    }

    /// The remote context the model was compiled on (`ov_compiled_model_get_context`); CPU
    /// models answer with an error.
    pub fn context(&self) -> Result<RemoteContext> {
        let mut ptr = ptr::null_mut();
        // SAFETY: a live compiled model and a valid out-parameter.
        let call = unsafe { ov!(ov_compiled_model_get_context(self.as_ptr(), &mut ptr)) }?;
        // SAFETY: a new context handle the caller owns.
        unsafe { RemoteContext::from_raw(ptr, call) }
    }
}

impl std::fmt::Debug for CompiledModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledModel").finish_non_exhaustive()
    }
}

/// A new directory under the system's temporary directory that only the current user can enter,
/// removed with its contents on drop.
struct PrivateDir(PathBuf);

impl PrivateDir {
    fn create() -> Result<Self> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        let base = std::env::temp_dir();
        // `create` fails on an existing name (never reuses another user's directory or link), so
        // retry with the next name.
        let mut attempt = 0;
        loop {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default();
            let name = format!(
                "openvino-export-{}-{}-{nanos}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let path = base.join(name);
            match builder.create(&path) {
                Ok(()) => return Ok(Self(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                    attempt += 1;
                }
                Err(e) => return Err(Self::error(&base, e)),
            }
        }
    }

    fn error(base: &Path, e: std::io::Error) -> Error {
        Error::new(
            ErrorKind::Io,
            "CompiledModel::export",
            format!(
                "cannot create a private directory in {}; set TMPDIR to a writable folder",
                base.display()
            ),
        )
        .with_source(e)
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
