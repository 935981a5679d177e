//! [`Core`]: the entry point. Reads models, compiles them for devices, manages properties.

use std::path::Path;
use std::ptr::{self, NonNull};

use openvino_sys as sys;

use crate::error::check;
use crate::ffi::{borrowed_string, cstring, ensure_loaded, path_cstring, take_string};
use crate::property::{CProperties, key_value};
use crate::{CompiledModel, DeviceType, Model, PropertyKey, RemoteContext, Result, Shape, Tensor};

/// OpenVINO's runtime (`ov_core_t`): reads models, compiles them for devices, and holds global
/// and per-device properties.
///
/// `Core` is `Send + Sync`: OpenVINO documents `ov::Core` as thread-safe, so one core can serve
/// every thread of a program.
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
    ptr: NonNull<sys::ov_core_t>,
}

// SAFETY: ov::Core is documented as thread-safe (its methods lock internally).
unsafe impl Send for Core {}
// SAFETY: as above.
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
    check(
        unsafe { sys::ov_get_openvino_version(&mut raw) },
        "ov_get_openvino_version",
    )?;
    // SAFETY: strings owned by `raw` until it is freed.
    let version = unsafe {
        Version {
            build_number: borrowed_string(raw.buildNumber),
            description: borrowed_string(raw.description),
        }
    };
    // SAFETY: filled above, freed once.
    unsafe { sys::ov_version_free(&mut raw) };
    Ok(version)
}

impl Core {
    /// Creates a core with the plugins OpenVINO finds beside its library.
    pub fn new() -> Result<Self> {
        ensure_loaded()?;
        let mut ptr = ptr::null_mut();
        // SAFETY: a valid out-parameter.
        check(unsafe { sys::ov_core_create(&mut ptr) }, "ov_core_create")?;
        Self::from_raw(ptr, "ov_core_create")
    }

    /// Creates a core configured by a plugins XML file (`ov_core_create_with_config`).
    pub fn with_config(xml_config_file: impl AsRef<Path>) -> Result<Self> {
        ensure_loaded()?;
        let path = path_cstring(xml_config_file.as_ref(), "Core::with_config")?;
        let mut ptr = ptr::null_mut();
        // SAFETY: a C string and a valid out-parameter.
        check(
            unsafe { sys::ov_core_create_with_config(path.as_ptr(), &mut ptr) },
            "ov_core_create_with_config",
        )?;
        Self::from_raw(ptr, "ov_core_create_with_config")
    }

    fn from_raw(ptr: *mut sys::ov_core_t, call: &'static str) -> Result<Self> {
        crate::ffi::non_null(ptr, call, "core").map(|ptr| Self { ptr })
    }

    fn as_ptr(&self) -> *mut sys::ov_core_t {
        self.ptr.as_ptr()
    }

    /// The devices OpenVINO can use here (`CPU`, `GPU.0`, ...).
    pub fn available_devices(&self) -> Result<Vec<DeviceType<'static>>> {
        let mut devices = sys::ov_available_devices_t::default();
        // SAFETY: a live core and a valid out-parameter.
        check(
            unsafe { sys::ov_core_get_available_devices(self.as_ptr(), &mut devices) },
            "ov_core_get_available_devices",
        )?;
        let names = (0..devices.size)
            // SAFETY: OpenVINO returned `size` NUL-terminated names, read before the free below.
            .map(|i| DeviceType::from(unsafe { borrowed_string(*devices.devices.add(i)) }))
            .collect();
        // SAFETY: filled above, freed once.
        unsafe { sys::ov_available_devices_free(&mut devices) };
        Ok(names)
    }

    /// The versions of the plugins serving `device` (one per plugin; `HETERO:GPU,CPU` names
    /// several), as `(device name, version)`.
    pub fn versions(&self, device: &DeviceType) -> Result<Vec<(String, Version)>> {
        let name = device.to_cstring()?;
        let mut list = sys::ov_core_version_list_t::default();
        // SAFETY: a live core, a C string and a valid out-parameter.
        check(
            unsafe {
                sys::ov_core_get_versions_by_device_name(self.as_ptr(), name.as_ptr(), &mut list)
            },
            "ov_core_get_versions_by_device_name",
        )?;
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
        unsafe { sys::ov_core_versions_free(&mut list) };
        Ok(versions)
    }

    /// Reads a property of a device (`ov_core_get_property`), as a string.
    pub fn property(&self, device: &DeviceType, key: &PropertyKey) -> Result<String> {
        let device = device.to_cstring()?;
        let key = cstring(key.as_str(), "Core::property")?;
        let mut value = ptr::null_mut();
        // SAFETY: a live core, C strings and a valid out-parameter.
        check(
            unsafe {
                sys::ov_core_get_property(self.as_ptr(), device.as_ptr(), key.as_ptr(), &mut value)
            },
            "ov_core_get_property",
        )?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(value, "ov_core_get_property") }
    }

    /// Sets one property of a device (the variadic `ov_core_set_property`, called with its real
    /// C signature).
    pub fn set_property(&self, device: &DeviceType, key: &PropertyKey, value: &str) -> Result<()> {
        let device = device.to_cstring()?;
        let (key, value) = key_value(key, value, "Core::set_property")?;
        // SAFETY: a live core; the variadic part is one (key, value) pair of C strings.
        check(
            unsafe {
                sys::ov_core_set_property(
                    self.as_ptr(),
                    device.as_ptr(),
                    key.as_ptr(),
                    value.as_ptr(),
                )
            },
            "ov_core_set_property",
        )
    }

    /// Sets one property for every device (`ov_core_set_property` with no device name), e.g.
    /// [`PropertyKey::CacheDir`] or [`PropertyKey::EnableMmap`].
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
        // (key, value) pair of C strings.
        check(
            unsafe {
                sys::ov_core_set_property(self.as_ptr(), ptr::null(), key.as_ptr(), value.as_ptr())
            },
            "ov_core_set_property",
        )
    }

    /// Sets several properties of a device at once (`ov_core_set_properties`).
    pub fn set_properties(
        &self,
        device: &DeviceType,
        properties: &[(PropertyKey, &str)],
    ) -> Result<()> {
        let device = device.to_cstring()?;
        let props = CProperties::new(properties, "Core::set_properties")?;
        // SAFETY: a live core and `len` live properties.
        check(
            unsafe {
                sys::ov_core_set_properties(
                    self.as_ptr(),
                    device.as_ptr(),
                    props.len(),
                    props.as_ptr(),
                )
            },
            "ov_core_set_properties",
        )
    }

    /// Reads a model file in any format OpenVINO's frontends know (IR `.xml` with its `.bin`,
    /// ONNX, TensorFlow, TensorFlow Lite, PaddlePaddle). `weights` is the IR weights file when it
    /// is not beside the `.xml`.
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
        check(
            unsafe {
                sys::ov_core_read_model(
                    self.as_ptr(),
                    model_path.as_ptr(),
                    weights_path.as_ref().map_or(ptr::null(), |w| w.as_ptr()),
                    &mut ptr,
                )
            },
            "ov_core_read_model",
        )?;
        // SAFETY: a new model owned by the wrapper.
        unsafe { Model::from_raw(ptr, "ov_core_read_model") }
    }

    /// Reads a model from memory: IR XML with its weights, or a single-buffer format (ONNX).
    /// The weights are copied into memory OpenVINO owns (the model may keep referring to them).
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
            Some(bytes) => Some(Tensor::from_bytes(
                crate::ElementType::U8,
                &Shape::new(&[bytes.len() as i64])?,
                bytes,
            )?),
            None => None,
        };
        self.read_model_from_buffer_with_tensor(model, weights.as_ref())
    }

    /// Like [`read_model_from_buffer`](Self::read_model_from_buffer) with the weights already in
    /// a tensor OpenVINO owns (no copy; OpenVINO keeps the tensor's memory alive as needed).
    pub fn read_model_from_buffer_with_tensor(
        &self,
        model: &[u8],
        weights: Option<&Tensor<'static>>,
    ) -> Result<Model> {
        let mut ptr = ptr::null_mut();
        // SAFETY: `model` is read during the call; `weights` is null or a live tensor whose memory
        // OpenVINO owns and reference-counts.
        check(
            unsafe {
                sys::ov_core_read_model_from_memory_buffer(
                    self.as_ptr(),
                    model.as_ptr().cast(),
                    model.len(),
                    weights.map_or(ptr::null(), |w| w.as_ptr()),
                    &mut ptr,
                )
            },
            "ov_core_read_model_from_memory_buffer",
        )?;
        // SAFETY: a new model owned by the wrapper.
        unsafe { Model::from_raw(ptr, "ov_core_read_model_from_memory_buffer") }
    }

    /// Compiles a model for a device, with optional properties
    /// (`ov_core_compile_model`, or `ov_core_compile_model_props` when properties are given).
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
        let device = device.to_cstring()?;
        let mut ptr = ptr::null_mut();
        if properties.is_empty() {
            // SAFETY: a live core and model, a C string, zero variadic properties.
            check(
                unsafe {
                    sys::ov_core_compile_model(
                        self.as_ptr(),
                        model.as_ptr(),
                        device.as_ptr(),
                        0,
                        &mut ptr,
                    )
                },
                "ov_core_compile_model",
            )?;
        } else {
            let props = CProperties::new(properties, "Core::compile_model")?;
            // SAFETY: a live core and model, a C string and `len` live properties.
            check(
                unsafe {
                    sys::ov_core_compile_model_props(
                        self.as_ptr(),
                        model.as_ptr(),
                        device.as_ptr(),
                        props.len(),
                        props.as_ptr(),
                        &mut ptr,
                    )
                },
                "ov_core_compile_model_props",
            )?;
        }
        // SAFETY: a new compiled model owned by the wrapper.
        unsafe { CompiledModel::from_raw(ptr, "ov_core_compile_model") }
    }

    /// Reads and compiles a model file in one step, which lets OpenVINO use its model cache
    /// ([`PropertyKey::CacheDir`]) without reading the model (`ov_core_compile_model_from_file`).
    pub fn compile_model_from_file(
        &self,
        model: impl AsRef<Path>,
        device: &DeviceType,
        properties: &[(PropertyKey, &str)],
    ) -> Result<CompiledModel> {
        let path = path_cstring(model.as_ref(), "Core::compile_model_from_file")?;
        let device = device.to_cstring()?;
        let mut ptr = ptr::null_mut();
        if properties.is_empty() {
            // SAFETY: a live core, C strings, zero variadic properties.
            check(
                unsafe {
                    sys::ov_core_compile_model_from_file(
                        self.as_ptr(),
                        path.as_ptr(),
                        device.as_ptr(),
                        0,
                        &mut ptr,
                    )
                },
                "ov_core_compile_model_from_file",
            )?;
        } else {
            let props = CProperties::new(properties, "Core::compile_model_from_file")?;
            // SAFETY: a live core, C strings and `len` live properties.
            check(
                unsafe {
                    sys::ov_core_compile_model_from_file_props(
                        self.as_ptr(),
                        path.as_ptr(),
                        device.as_ptr(),
                        props.len(),
                        props.as_ptr(),
                        &mut ptr,
                    )
                },
                "ov_core_compile_model_from_file_props",
            )?;
        }
        // SAFETY: a new compiled model owned by the wrapper.
        unsafe { CompiledModel::from_raw(ptr, "ov_core_compile_model_from_file") }
    }

    /// Imports a model exported by [`CompiledModel::export`] (`ov_core_import_model`).
    pub fn import_model(&self, blob: &[u8], device: &DeviceType) -> Result<CompiledModel> {
        let device = device.to_cstring()?;
        let mut ptr = ptr::null_mut();
        // SAFETY: `blob` is read during the call; a live core, a C string and out-parameter.
        check(
            unsafe {
                sys::ov_core_import_model(
                    self.as_ptr(),
                    blob.as_ptr().cast(),
                    blob.len(),
                    device.as_ptr(),
                    &mut ptr,
                )
            },
            "ov_core_import_model",
        )?;
        // SAFETY: a new compiled model owned by the wrapper.
        unsafe { CompiledModel::from_raw(ptr, "ov_core_import_model") }
    }

    /// Loads an extension library (custom operations or frontends) (`ov_core_add_extension`).
    pub fn add_extension(&self, library: impl AsRef<Path>) -> Result<()> {
        let path = path_cstring(library.as_ref(), "Core::add_extension")?;
        // SAFETY: a live core and a C string.
        check(
            unsafe { sys::ov_core_add_extension(self.as_ptr(), path.as_ptr()) },
            "ov_core_add_extension",
        )
    }

    /// The device's default remote context (`ov_core_get_default_context`); devices without one
    /// (the CPU) answer with an error.
    pub fn default_context(&self, device: &DeviceType) -> Result<RemoteContext> {
        let device = device.to_cstring()?;
        let mut ptr = ptr::null_mut();
        // SAFETY: a live core, a C string and a valid out-parameter.
        check(
            unsafe { sys::ov_core_get_default_context(self.as_ptr(), device.as_ptr(), &mut ptr) },
            "ov_core_get_default_context",
        )?;
        // SAFETY: a new context owned by the wrapper.
        unsafe { RemoteContext::from_raw(ptr, "ov_core_get_default_context") }
    }

    /// Creates a remote context on a device from context parameters (`ov_core_create_context`,
    /// or `ov_core_create_context_props` when parameters are given).
    pub fn create_context(
        &self,
        device: &DeviceType,
        params: &[(PropertyKey, &str)],
    ) -> Result<RemoteContext> {
        let device = device.to_cstring()?;
        let mut ptr = ptr::null_mut();
        if params.is_empty() {
            // SAFETY: a live core, a C string, zero variadic parameters.
            check(
                unsafe { sys::ov_core_create_context(self.as_ptr(), device.as_ptr(), 0, &mut ptr) },
                "ov_core_create_context",
            )?;
        } else {
            let props = CProperties::new(params, "Core::create_context")?;
            // SAFETY: a live core, a C string and `len` live properties.
            check(
                unsafe {
                    sys::ov_core_create_context_props(
                        self.as_ptr(),
                        device.as_ptr(),
                        props.len(),
                        props.as_ptr(),
                        &mut ptr,
                    )
                },
                "ov_core_create_context_props",
            )?;
        }
        // SAFETY: a new context owned by the wrapper.
        unsafe { RemoteContext::from_raw(ptr, "ov_core_create_context") }
    }

    /// Compiles a model on a remote context (`ov_core_compile_model_with_context`, or
    /// `..._with_context_props` when properties are given).
    pub fn compile_model_with_context(
        &self,
        model: &Model,
        context: &RemoteContext,
        properties: &[(PropertyKey, &str)],
    ) -> Result<CompiledModel> {
        let mut ptr = ptr::null_mut();
        if properties.is_empty() {
            // SAFETY: live core, model and context; zero variadic properties.
            check(
                unsafe {
                    sys::ov_core_compile_model_with_context(
                        self.as_ptr(),
                        model.as_ptr(),
                        context.as_ptr(),
                        0,
                        &mut ptr,
                    )
                },
                "ov_core_compile_model_with_context",
            )?;
        } else {
            let props = CProperties::new(properties, "Core::compile_model_with_context")?;
            // SAFETY: live core, model and context, and `len` live properties.
            check(
                unsafe {
                    sys::ov_core_compile_model_with_context_props(
                        self.as_ptr(),
                        model.as_ptr(),
                        context.as_ptr(),
                        props.len(),
                        props.as_ptr(),
                        &mut ptr,
                    )
                },
                "ov_core_compile_model_with_context_props",
            )?;
        }
        // SAFETY: a new compiled model owned by the wrapper.
        unsafe { CompiledModel::from_raw(ptr, "ov_core_compile_model_with_context") }
    }
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core").finish_non_exhaustive()
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // SAFETY: owned handle, freed exactly once. Models and compiled models hold their own
        // references to the plugins, so they stay valid after the core is gone.
        unsafe { sys::ov_core_free(self.as_ptr()) };
    }
}
