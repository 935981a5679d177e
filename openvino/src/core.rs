//! [`Core`]: the entry point. Reads models, compiles them for devices, manages properties.

use std::path::Path;
use std::ptr;

use openvino_sys as sys;

use crate::ffi::{
    Handle, borrowed_string, cstring, ensure_loaded, ov, ov_plain, path_cstring, take_string,
};
use crate::property::{CProperties, RawPropertyValue, key_value};
use crate::{CompiledModel, DeviceType, Model, PropertyKey, RemoteContext, Result, Shape, Tensor};

/// OpenVINO's runtime (`ov_core_t`): reads models, compiles them for devices, and holds global
/// and per-device properties.
///
/// `Core` is `Send + Sync`: one core can serve every thread of a program (OpenVINO recommends a
/// single core per application, and its core serialises its own plugin registry and settings).
///
/// ```
/// use openvino::{Core, DeviceType};
/// let core = Core::new()?;
/// let devices = core.available_devices()?;
/// assert!(devices.contains(&DeviceType::CPU));
/// # Ok::<(), openvino::Error>(())
/// ```
#[doc(alias = "InferenceEngine")]
#[doc(alias = "ie_core_t")]
pub struct Core {
    handle: Handle<sys::ov_core_t>,
}

// SAFETY: an ov_core_t holds a shared_ptr to an ov::Core with no thread affinity.
unsafe impl Send for Core {}
// SAFETY: ov::Core's members lock its internal state (plugin registry, per-device settings), as
// OpenVINO's guidance of one core per application shared by all threads requires; the stress
// test `core_is_shared_by_threads_that_read_compile_and_set_properties` exercises it.
unsafe impl Sync for Core {}

/// The version of OpenVINO or of one of its device plugins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The build string, e.g. `2026.4.1-22982-...`.
    pub build_number: String,
    /// A description, e.g. `OpenVINO Runtime` or `Intel CPU plugin`.
    pub description: String,
}

/// The version of OpenVINO itself (`ov_get_openvino_version`).
///
/// ```
/// let version = openvino::version()?;
/// assert!(version.build_number.starts_with("20"));
/// # Ok::<(), openvino::Error>(())
/// ```
pub fn version() -> Result<Version> {
    ensure_loaded()?;
    let mut raw = sys::ov_version_t::default();
    // SAFETY: a valid out-parameter, freed below.
    unsafe { ov!(ov_get_openvino_version(&mut raw)) }?;
    // SAFETY: strings owned by `raw` until it is freed.
    let version = unsafe {
        Version {
            build_number: borrowed_string(raw.buildNumber),
            description: borrowed_string(raw.description),
        }
    };
    // SAFETY: filled above, freed once.
    unsafe { ov_plain!(ov_version_free(&mut raw)) };
    Ok(version)
}

impl Core {
    /// Creates a core with the plugins OpenVINO finds beside its library.
    pub fn new() -> Result<Self> {
        ensure_loaded()?;
        let mut ptr = ptr::null_mut();
        // SAFETY: a valid out-parameter.
        let call = unsafe { ov!(ov_core_create(&mut ptr)) }?;
        // SAFETY: a new core the caller owns.
        unsafe { Self::from_raw(ptr, call) }
    }

    /// Creates a core configured by a plugins XML file (`ov_core_create_with_config`).
    ///
    /// # Safety
    /// The XML names the plugin libraries to load, and loading a library runs its initialisers:
    /// every library the file names must be an OpenVINO plugin built for this OpenVINO release
    /// (or otherwise sound to load into this process), as with
    /// [`libloading::Library::new`](https://docs.rs/libloading).
    pub unsafe fn with_config(xml_config_file: impl AsRef<Path>) -> Result<Self> {
        ensure_loaded()?;
        let path = path_cstring(xml_config_file.as_ref(), "Core::with_config")?;
        let mut ptr = ptr::null_mut();
        // SAFETY: a C string and a valid out-parameter; the caller vouches for the libraries the
        // file names.
        let call = unsafe { ov!(ov_core_create_with_config(path.as_ptr(), &mut ptr)) }?;
        // SAFETY: a new core the caller owns.
        unsafe { Self::from_raw(ptr, call) }
    }

    /// # Safety
    /// `ptr` is null or a core the caller owns.
    unsafe fn from_raw(ptr: *mut sys::ov_core_t, call: &'static str) -> Result<Self> {
        // SAFETY: per the contract.
        let handle = unsafe { Handle::new(ptr, call) }?;
        Ok(Self { handle })
    }

    fn as_ptr(&self) -> *mut sys::ov_core_t {
        self.handle.as_ptr()
    }

    /// The devices OpenVINO can use here (`CPU`, `GPU.0`, ...).
    pub fn available_devices(&self) -> Result<Vec<DeviceType<'static>>> {
        let mut devices = sys::ov_available_devices_t::default();
        // SAFETY: a live core and a valid out-parameter.
        unsafe { ov!(ov_core_get_available_devices(self.as_ptr(), &mut devices)) }?;
        let names = (0..devices.size)
            // SAFETY: OpenVINO returned `size` NUL-terminated names, read before the free below.
            .map(|i| DeviceType::from(unsafe { borrowed_string(*devices.devices.add(i)) }))
            .collect();
        // SAFETY: filled above, freed once.
        unsafe { ov_plain!(ov_available_devices_free(&mut devices)) };
        Ok(names)
    }

    /// The versions of the plugins serving `device` (one per plugin; `HETERO:GPU,CPU` names
    /// several), as `(device name, version)`.
    pub fn versions(&self, device: &DeviceType) -> Result<Vec<(String, Version)>> {
        let name = device.to_cstring()?;
        let mut list = sys::ov_core_version_list_t::default();
        // SAFETY: a live core, a C string and a valid out-parameter.
        unsafe {
            ov!(ov_core_get_versions_by_device_name(
                self.as_ptr(),
                name.as_ptr(),
                &mut list
            ))
        }?;
        let versions = (0..list.size)
            .map(|i| {
                // SAFETY: OpenVINO returned `size` entries whose strings live until the free.
                unsafe {
                    let v = &*list.versions.add(i);
                    (
                        borrowed_string(v.device_name),
                        Version {
                            build_number: borrowed_string(v.version.buildNumber),
                            description: borrowed_string(v.version.description),
                        },
                    )
                }
            })
            .collect();
        // SAFETY: filled above, freed once.
        unsafe { ov_plain!(ov_core_versions_free(&mut list)) };
        Ok(versions)
    }

    /// Reads a property of a device (`ov_core_get_property`), as a string.
    pub fn property(&self, device: &DeviceType, key: &PropertyKey) -> Result<String> {
        let device = device.to_cstring()?;
        let key = cstring(key.as_str(), "Core::property")?;
        let mut value = ptr::null_mut();
        // SAFETY: a live core, C strings and a valid out-parameter.
        let call = unsafe {
            ov!(ov_core_get_property(
                self.as_ptr(),
                device.as_ptr(),
                key.as_ptr(),
                &mut value
            ))
        }?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(value, call) }
    }

    /// Sets one property of a device (the variadic `ov_core_set_property`, called with its real
    /// C signature). Keys whose value OpenVINO reads as a pointer are refused
    /// ([`ErrorKind::PointerProperty`](crate::ErrorKind::PointerProperty)).
    pub fn set_property(&self, device: &DeviceType, key: &PropertyKey, value: &str) -> Result<()> {
        let device = device.to_cstring()?;
        let (key, value) = key_value(key, value, "Core::set_property")?;
        // SAFETY: a live core; the variadic part is one (key, value) pair of C strings, for a key
        // that OpenVINO reads as a string.
        unsafe {
            ov!(ov_core_set_property(
                self.as_ptr(),
                device.as_ptr(),
                key.as_ptr(),
                value.as_ptr(),
            ))
        }?;
        Ok(())
    }

    /// Sets one property for every device (`ov_core_set_property` with no device name), e.g.
    /// [`PropertyKey::CacheDir`] or [`PropertyKey::EnableMmap`]. Keys whose value OpenVINO
    /// reads as a pointer are refused.
    ///
    /// ```
    /// use openvino::{Core, PropertyKey};
    /// let cache = std::env::temp_dir().join("openvino-doc-cache");
    /// Core::new()?.set_global_property(&PropertyKey::CacheDir, cache.to_str().unwrap())?;
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn set_global_property(&self, key: &PropertyKey, value: &str) -> Result<()> {
        let (key, value) = key_value(key, value, "Core::set_global_property")?;
        // SAFETY: a live core; a null device name means every device; the variadic part is one
        // (key, value) pair of C strings, for a key that OpenVINO reads as a string.
        unsafe {
            ov!(ov_core_set_property(
                self.as_ptr(),
                ptr::null::<std::ffi::c_char>(),
                key.as_ptr(),
                value.as_ptr()
            ))
        }?;
        Ok(())
    }

    /// Sets several properties of a device at once (`ov_core_set_properties`). Keys whose value
    /// OpenVINO reads as a pointer are refused.
    pub fn set_properties(
        &self,
        device: &DeviceType,
        properties: &[(PropertyKey, &str)],
    ) -> Result<()> {
        let device = device.to_cstring()?;
        let props = CProperties::new(properties, "Core::set_properties")?;
        // SAFETY: a live core and `len` live string-valued properties.
        unsafe {
            ov!(ov_core_set_properties(
                self.as_ptr(),
                device.as_ptr(),
                props.len(),
                props.as_ptr(),
            ))
        }?;
        Ok(())
    }

    /// Reads a model file in any format OpenVINO's frontends know (IR `.xml` with its `.bin`,
    /// ONNX, TensorFlow, TensorFlow Lite, PaddlePaddle). `weights` is the IR weights file when it
    /// is not beside the `.xml`.
    ///
    /// With [`PropertyKey::EnableMmap`] on (OpenVINO's default), the weights file is mapped into
    /// memory: truncating it while the model lives makes the process fault, as with any mapped
    /// file.
    pub fn read_model_from_file(
        &self,
        model: impl AsRef<Path>,
        weights: Option<&Path>,
    ) -> Result<Model> {
        let model_path = path_cstring(model.as_ref(), "Core::read_model_from_file")?;
        let weights_path = weights
            .map(|w| path_cstring(w, "Core::read_model_from_file"))
            .transpose()?;
        let mut ptr = ptr::null_mut();
        // SAFETY: a live core, C strings (or null) and a valid out-parameter.
        let call = unsafe {
            ov!(ov_core_read_model(
                self.as_ptr(),
                model_path.as_ptr(),
                weights_path.as_ref().map_or(ptr::null(), |w| w.as_ptr()),
                &mut ptr,
            ))
        }?;
        // SAFETY: a new model the caller owns.
        unsafe { Model::from_raw(ptr, call) }
    }

    /// Reads a model from memory: IR XML with its weights, or a single-buffer format (ONNX).
    /// The weights are copied into memory OpenVINO owns (the model keeps referring to them).
    ///
    /// ```
    /// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
    /// let core = openvino::Core::new()?;
    /// let model = core.read_model_from_buffer(model_xml.as_bytes(), None)?;
    /// assert_eq!(model.outputs_len()?, 1);
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn read_model_from_buffer(&self, model: &[u8], weights: Option<&[u8]>) -> Result<Model> {
        let weights = match weights {
            Some(bytes) => {
                let len = i64::try_from(bytes.len()).map_err(|e| {
                    crate::Error::new(
                        crate::ErrorKind::InvalidShape,
                        "Core::read_model_from_buffer",
                        "the weights are larger than OpenVINO can address",
                    )
                    .with_source(e)
                })?;
                Some(Tensor::from_bytes(
                    crate::ElementType::U8,
                    &Shape::new(&[len])?,
                    bytes,
                )?)
            }
            None => None,
        };
        self.read_model_from_buffer_with_tensor(model, weights)
    }

    /// Like [`read_model_from_buffer`](Self::read_model_from_buffer) with the weights already in
    /// a tensor, without copying them. The model keeps pointing at the tensor's memory, so the
    /// tensor is taken by value: nothing can change the weights under the model afterwards.
    ///
    /// ```compile_fail,E0382
    /// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
    /// use openvino::{Core, ElementType, Shape, Tensor};
    /// let core = Core::new()?;
    /// let mut weights = Tensor::new(ElementType::U8, &Shape::new(&[4])?)?;
    /// let model = core.read_model_from_buffer_with_tensor(model_xml.as_bytes(), Some(weights))?;
    /// weights.data_mut::<u8>()?[0] = 1; // would change the model's constants
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn read_model_from_buffer_with_tensor(
        &self,
        model: &[u8],
        weights: Option<Tensor<'static>>,
    ) -> Result<Model> {
        let mut ptr = ptr::null_mut();
        // SAFETY: `model` is read (copied) during the call; `weights` is null or a live tensor
        // whose memory OpenVINO keeps alive by reference counting, and which no Rust handle can
        // reach after this call (the wrapper is dropped below).
        let call = unsafe {
            ov!(ov_core_read_model_from_memory_buffer(
                self.as_ptr(),
                model.as_ptr().cast(),
                model.len(),
                weights.as_ref().map_or(ptr::null(), |w| w.as_ptr()),
                &mut ptr,
            ))
        }?;
        drop(weights);
        // SAFETY: a new model the caller owns.
        unsafe { Model::from_raw(ptr, call) }
    }

    /// Compiles a model for a device, with optional properties
    /// (`ov_core_compile_model`, or `ov_core_compile_model_props` when properties are given).
    /// Keys whose value OpenVINO reads as a pointer are refused; see
    /// [`compile_model_with_raw_properties`](Self::compile_model_with_raw_properties).
    ///
    /// ```
    /// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
    /// use openvino::{Core, DeviceType, PropertyKey};
    /// let core = Core::new()?;
    /// let model = core.read_model_from_buffer(model_xml.as_bytes(), None)?;
    /// let compiled = core.compile_model(&model, &DeviceType::CPU, &[(PropertyKey::InferencePrecisionHint, "f32")])?;
    /// assert_eq!(compiled.property(&PropertyKey::InferencePrecisionHint)?, "f32");
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn compile_model(
        &self,
        model: &Model,
        device: &DeviceType,
        properties: &[(PropertyKey, &str)],
    ) -> Result<CompiledModel> {
        let props = CProperties::new(properties, "Core::compile_model")?;
        self.compile(model, device, &props)
    }

    /// [`compile_model`](Self::compile_model) with properties whose values may be pointers, such
    /// as [`PropertyKey::CacheEncryptionCallbacks`] with a pointer to an
    /// `openvino_sys::ov_encryption_callbacks`.
    ///
    /// # Safety
    /// Each [`RawPropertyValue::Pointer`] must be what OpenVINO reads for its key, valid for the
    /// whole call: for `CACHE_ENCRYPTION_CALLBACKS`, an `ov_encryption_callbacks` whose two
    /// functions stay callable for as long as the core may use its cache, never unwind, and
    /// follow OpenVINO's two-call protocol (report the output size when the output pointer is
    /// null; write at most that many bytes otherwise); for the GPU handle keys, live handles of
    /// the kind the key names, which outlive the compiled model.
    pub unsafe fn compile_model_with_raw_properties(
        &self,
        model: &Model,
        device: &DeviceType,
        properties: &[(PropertyKey, RawPropertyValue<'_>)],
    ) -> Result<CompiledModel> {
        let props = CProperties::raw(properties, "Core::compile_model_with_raw_properties")?;
        self.compile(model, device, &props)
    }

    fn compile(
        &self,
        model: &Model,
        device: &DeviceType,
        props: &CProperties,
    ) -> Result<CompiledModel> {
        let device = device.to_cstring()?;
        let (core, model, device) = (self.as_ptr(), model.as_ptr(), device.as_ptr());
        let (ptr, call) = props.create(
            // SAFETY: a live core and model, a C string, zero variadic properties.
            |out| unsafe { ov!(ov_core_compile_model(core, model, device, 0, out)) },
            // SAFETY: as above, with `n` properties that are strings unless the caller of an
            // unsafe `*_with_raw_properties` function vouched for them.
            |n, p, out| unsafe { ov!(ov_core_compile_model_props(core, model, device, n, p, out)) },
        )?;
        // SAFETY: a new compiled model the caller owns.
        unsafe { CompiledModel::from_raw(ptr, call) }
    }

    /// Reads and compiles a model file in one step, which lets OpenVINO use its model cache
    /// ([`PropertyKey::CacheDir`]) without reading the model (`ov_core_compile_model_from_file`,
    /// or `..._props` when properties are given). Keys whose value OpenVINO reads as a pointer
    /// are refused.
    pub fn compile_model_from_file(
        &self,
        model: impl AsRef<Path>,
        device: &DeviceType,
        properties: &[(PropertyKey, &str)],
    ) -> Result<CompiledModel> {
        let props = CProperties::new(properties, "Core::compile_model_from_file")?;
        self.compile_file(model.as_ref(), device, &props)
    }

    /// [`compile_model_from_file`](Self::compile_model_from_file) with properties whose values
    /// may be pointers (see [`compile_model_with_raw_properties`](Self::compile_model_with_raw_properties)).
    ///
    /// # Safety
    /// As for [`compile_model_with_raw_properties`](Self::compile_model_with_raw_properties).
    pub unsafe fn compile_model_from_file_with_raw_properties(
        &self,
        model: impl AsRef<Path>,
        device: &DeviceType,
        properties: &[(PropertyKey, RawPropertyValue<'_>)],
    ) -> Result<CompiledModel> {
        let props = CProperties::raw(
            properties,
            "Core::compile_model_from_file_with_raw_properties",
        )?;
        self.compile_file(model.as_ref(), device, &props)
    }

    fn compile_file(
        &self,
        model: &Path,
        device: &DeviceType,
        props: &CProperties,
    ) -> Result<CompiledModel> {
        let path = path_cstring(model, "Core::compile_model_from_file")?;
        let device = device.to_cstring()?;
        let (core, path, device) = (self.as_ptr(), path.as_ptr(), device.as_ptr());
        let (ptr, call) = props.create(
            // SAFETY: a live core, C strings, zero variadic properties.
            |out| unsafe { ov!(ov_core_compile_model_from_file(core, path, device, 0, out)) },
            // SAFETY: as above, with `n` properties that are strings unless the caller of an
            // unsafe `*_with_raw_properties` function vouched for them.
            |n, p, out| unsafe {
                ov!(ov_core_compile_model_from_file_props(
                    core, path, device, n, p, out
                ))
            },
        )?;
        // SAFETY: a new compiled model the caller owns.
        unsafe { CompiledModel::from_raw(ptr, call) }
    }

    /// Imports a model exported by [`CompiledModel::export`] (`ov_core_import_model`).
    ///
    /// OpenVINO reads the blob through a stream over the caller's buffer and its CPU plugin keeps
    /// pointers into it (the weights are not copied), so the blob is copied once into memory the
    /// compiled model, its infer requests and runtime models share and keep alive.
    pub fn import_model(&self, blob: &[u8], device: &DeviceType) -> Result<CompiledModel> {
        let device = device.to_cstring()?;
        let blob: std::sync::Arc<[u8]> = std::sync::Arc::from(blob);
        let mut ptr = ptr::null_mut();
        // SAFETY: a live core, a C string and out-parameter; `blob` stays alive as long as the
        // compiled model and everything made from it (`keeping` below).
        let call = unsafe {
            ov!(ov_core_import_model(
                self.as_ptr(),
                blob.as_ptr().cast(),
                blob.len(),
                device.as_ptr(),
                &mut ptr,
            ))
        }?;
        // SAFETY: a new compiled model the caller owns.
        let compiled = unsafe { CompiledModel::from_raw(ptr, call) }?;
        Ok(compiled.keeping(blob))
    }

    /// Loads an extension library (custom operations or frontends) (`ov_core_add_extension`).
    ///
    /// # Safety
    /// Loading a library runs its initialisers, and its operations then run inside OpenVINO:
    /// `library` must be an OpenVINO extension built for this OpenVINO release (or otherwise
    /// sound to load into this process), as with
    /// [`libloading::Library::new`](https://docs.rs/libloading).
    ///
    /// ```compile_fail,E0133
    /// let core = openvino::Core::new()?;
    /// core.add_extension("libuser_ops.so")?; // runs the library's code: needs `unsafe`
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub unsafe fn add_extension(&self, library: impl AsRef<Path>) -> Result<()> {
        let path = path_cstring(library.as_ref(), "Core::add_extension")?;
        // SAFETY: a live core and a C string; the caller vouches for the library.
        unsafe { ov!(ov_core_add_extension(self.as_ptr(), path.as_ptr())) }?;
        Ok(())
    }

    /// The device's default remote context (`ov_core_get_default_context`); devices without one
    /// (the CPU) answer with an error.
    pub fn default_context(&self, device: &DeviceType) -> Result<RemoteContext> {
        let device = device.to_cstring()?;
        let mut ptr = ptr::null_mut();
        // SAFETY: a live core, a C string and a valid out-parameter.
        let call = unsafe {
            ov!(ov_core_get_default_context(
                self.as_ptr(),
                device.as_ptr(),
                &mut ptr
            ))
        }?;
        // SAFETY: a new context handle the caller owns.
        unsafe { RemoteContext::from_raw(ptr, call) }
    }

    /// Creates a remote context on a device from string parameters (`ov_core_create_context`,
    /// or `ov_core_create_context_props` when parameters are given). Parameters that are handles
    /// (`OCL_CONTEXT`, `VA_DEVICE`, ...) are refused; see
    /// [`create_context_with_raw_properties`](Self::create_context_with_raw_properties).
    pub fn create_context(
        &self,
        device: &DeviceType,
        params: &[(PropertyKey, &str)],
    ) -> Result<RemoteContext> {
        let props = CProperties::new(params, "Core::create_context")?;
        self.context(device, &props)
    }

    /// [`create_context`](Self::create_context) with parameters whose values may be device
    /// handles, e.g. an existing OpenCL context (`OCL_CONTEXT`) to share with OpenVINO's GPU
    /// plugin.
    ///
    /// # Safety
    /// Each [`RawPropertyValue::Pointer`] must be a live handle of the kind its key names
    /// (`OCL_CONTEXT`: a `cl_context`, `OCL_QUEUE`: a `cl_command_queue`, `VA_DEVICE`: a
    /// `VADisplay`), valid until the context and everything created from it are gone.
    pub unsafe fn create_context_with_raw_properties(
        &self,
        device: &DeviceType,
        params: &[(PropertyKey, RawPropertyValue<'_>)],
    ) -> Result<RemoteContext> {
        let props = CProperties::raw(params, "Core::create_context_with_raw_properties")?;
        self.context(device, &props)
    }

    fn context(&self, device: &DeviceType, props: &CProperties) -> Result<RemoteContext> {
        let device = device.to_cstring()?;
        let (core, device) = (self.as_ptr(), device.as_ptr());
        let (ptr, call) = props.create(
            // SAFETY: a live core, a C string, zero variadic parameters.
            |out| unsafe { ov!(ov_core_create_context(core, device, 0, out)) },
            // SAFETY: as above, with `n` parameters that are strings unless the caller of an
            // unsafe `*_with_raw_properties` function vouched for them.
            |n, p, out| unsafe { ov!(ov_core_create_context_props(core, device, n, p, out)) },
        )?;
        // SAFETY: a new context handle the caller owns.
        unsafe { RemoteContext::from_raw(ptr, call) }
    }

    /// Compiles a model on a remote context (`ov_core_compile_model_with_context`, or
    /// `..._with_context_props` when properties are given). Keys whose value OpenVINO reads as a
    /// pointer are refused.
    pub fn compile_model_with_context(
        &self,
        model: &Model,
        context: &RemoteContext,
        properties: &[(PropertyKey, &str)],
    ) -> Result<CompiledModel> {
        let props = CProperties::new(properties, "Core::compile_model_with_context")?;
        let (core, model, context) = (self.as_ptr(), model.as_ptr(), context.as_ptr());
        let (ptr, call) = props.create(
            // SAFETY: live core, model and context; zero variadic properties.
            |out| unsafe {
                ov!(ov_core_compile_model_with_context(
                    core, model, context, 0, out
                ))
            },
            // SAFETY: as above, with `n` string-valued properties.
            |n, p, out| unsafe {
                ov!(ov_core_compile_model_with_context_props(
                    core, model, context, n, p, out
                ))
            },
        )?;
        // SAFETY: a new compiled model the caller owns.
        unsafe { CompiledModel::from_raw(ptr, call) }
    }
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core").finish_non_exhaustive()
    }
}
