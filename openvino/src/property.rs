//! Devices and property keys.

use std::borrow::Cow;
use std::ffi::CString;
use std::fmt;

use crate::ffi::cstring;
use crate::{Error, ErrorKind, Result};

/// A device OpenVINO can run on: the well-known ones, or any name OpenVINO accepts
/// (`"GPU.1"`, `"HETERO:GPU,CPU"`, `"AUTO:NPU,CPU"`).
///
/// ```
/// use openvino::DeviceType;
/// assert_eq!(DeviceType::CPU.as_str(), "CPU");
/// assert_eq!(DeviceType::from("GPU.1").to_string(), "GPU.1");
/// assert_eq!(DeviceType::from("NPU"), DeviceType::NPU);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum DeviceType<'a> {
    /// The CPU plugin.
    CPU,
    /// The Intel GPU plugin.
    GPU,
    /// The Intel NPU plugin.
    NPU,
    /// Automatic device selection.
    AUTO,
    /// Heterogeneous execution across devices.
    HETERO,
    /// Parallel execution on several devices.
    MULTI,
    /// Any other device name.
    Other(Cow<'a, str>),
}

impl DeviceType<'_> {
    /// The name OpenVINO uses.
    pub fn as_str(&self) -> &str {
        match self {
            DeviceType::CPU => "CPU",
            DeviceType::GPU => "GPU",
            DeviceType::NPU => "NPU",
            DeviceType::AUTO => "AUTO",
            DeviceType::HETERO => "HETERO",
            DeviceType::MULTI => "MULTI",
            DeviceType::Other(name) => name,
        }
    }

    pub(crate) fn to_cstring(&self) -> Result<CString> {
        cstring(self.as_str(), "DeviceType")
    }
}

impl<'a> From<&'a str> for DeviceType<'a> {
    fn from(name: &'a str) -> Self {
        match name {
            "CPU" => DeviceType::CPU,
            "GPU" => DeviceType::GPU,
            "NPU" => DeviceType::NPU,
            "AUTO" => DeviceType::AUTO,
            "HETERO" => DeviceType::HETERO,
            "MULTI" => DeviceType::MULTI,
            other => DeviceType::Other(Cow::Borrowed(other)),
        }
    }
}

impl From<String> for DeviceType<'static> {
    fn from(name: String) -> Self {
        match DeviceType::from(name.as_str()) {
            DeviceType::Other(_) => DeviceType::Other(Cow::Owned(name)),
            known => known.into_owned(),
        }
    }
}

impl DeviceType<'_> {
    /// The same device with an owned name.
    pub fn into_owned(self) -> DeviceType<'static> {
        match self {
            DeviceType::CPU => DeviceType::CPU,
            DeviceType::GPU => DeviceType::GPU,
            DeviceType::NPU => DeviceType::NPU,
            DeviceType::AUTO => DeviceType::AUTO,
            DeviceType::HETERO => DeviceType::HETERO,
            DeviceType::MULTI => DeviceType::MULTI,
            DeviceType::Other(name) => DeviceType::Other(Cow::Owned(name.into_owned())),
        }
    }
}

impl fmt::Display for DeviceType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! property_keys {
    ($($variant:ident = $key:literal, $c:ident, $doc:literal;)*) => {
        /// A property key: the common ones by name, any other as [`PropertyKey::Other`]
        /// (`ov_property_key_*`). Values are strings, as in OpenVINO's C API.
        ///
        /// ```
        /// use openvino::{Core, DeviceType, PropertyKey};
        /// let core = Core::new()?;
        /// core.set_property(&DeviceType::CPU, &PropertyKey::InferenceNumThreads, "2")?;
        /// assert_eq!(core.property(&DeviceType::CPU, &PropertyKey::InferenceNumThreads)?, "2");
        /// assert_eq!(PropertyKey::CacheDir.as_str(), "CACHE_DIR");
        /// # Ok::<(), openvino::Error>(())
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum PropertyKey {
            $(#[doc = $doc] $variant,)*
            /// Any other key, e.g. a plugin-specific one (`"CPU_DENORMALS_OPTIMIZATION"`).
            Other(String),
        }

        impl PropertyKey {
            /// The key string OpenVINO uses.
            pub fn as_str(&self) -> &str {
                match self {
                    $(PropertyKey::$variant => $key,)*
                    PropertyKey::Other(key) => key,
                }
            }

            /// The C variable holding each named key, to check them against the library.
            #[cfg(test)]
            pub(crate) fn c_variables() -> Vec<(PropertyKey, &'static str)> {
                vec![$((PropertyKey::$variant, stringify!($c)),)*]
            }
        }
    };
}

property_keys! {
    SupportedProperties = "SUPPORTED_PROPERTIES", ov_property_key_supported_properties, "Read-only: the properties a device supports.";
    AvailableDevices = "AVAILABLE_DEVICES", ov_property_key_available_devices, "Read-only: the device IDs of a plugin.";
    OptimalNumberOfInferRequests = "OPTIMAL_NUMBER_OF_INFER_REQUESTS", ov_property_key_optimal_number_of_infer_requests, "Read-only: how many infer requests keep a compiled model busy.";
    RangeForAsyncInferRequests = "RANGE_FOR_ASYNC_INFER_REQUESTS", ov_property_key_range_for_async_infer_requests, "Read-only: the range of async infer requests.";
    RangeForStreams = "RANGE_FOR_STREAMS", ov_property_key_range_for_streams, "Read-only: the range of streams.";
    DeviceFullName = "FULL_DEVICE_NAME", ov_property_key_device_full_name, "Read-only: the device's full name.";
    DeviceCapabilities = "OPTIMIZATION_CAPABILITIES", ov_property_key_device_capabilities, "Read-only: the device's optimisation capabilities.";
    ModelName = "NETWORK_NAME", ov_property_key_model_name, "Read-only: the compiled model's name.";
    OptimalBatchSize = "OPTIMAL_BATCH_SIZE", ov_property_key_optimal_batch_size, "Read-only: the optimal batch size.";
    MaxBatchSize = "MAX_BATCH_SIZE", ov_property_key_max_batch_size, "Read-only: the maximal batch size.";
    CacheDir = "CACHE_DIR", ov_property_key_cache_dir, "Folder for the model cache (compiled blobs reused across runs).";
    CacheMode = "CACHE_MODE", ov_property_key_cache_mode, "`OPTIMIZE_SIZE` or `OPTIMIZE_SPEED`.";
    CacheEncryptionCallbacks = "CACHE_ENCRYPTION_CALLBACKS", ov_property_key_cache_encryption_callbacks, "Encryption callbacks for the model cache. Its value is an `ov_encryption_callbacks` pointer, not a string: pass it as a [`RawPropertyValue::Pointer`] to [`Core::compile_model_with_raw_properties`](crate::Core::compile_model_with_raw_properties); string-valued calls refuse this key ([`ErrorKind::PointerProperty`]).";
    NumStreams = "NUM_STREAMS", ov_property_key_num_streams, "Number of execution streams (`AUTO` or a number).";
    InferenceNumThreads = "INFERENCE_NUM_THREADS", ov_property_key_inference_num_threads, "Number of threads for inference.";
    EnableCpuPinning = "ENABLE_CPU_PINNING", ov_property_key_hint_enable_cpu_pinning, "Pin inference threads to cores (`YES`/`NO`).";
    EnableHyperThreading = "ENABLE_HYPER_THREADING", ov_property_key_hint_enable_hyper_threading, "Use hyper-threads (`YES`/`NO`).";
    PerformanceHint = "PERFORMANCE_HINT", ov_property_key_hint_performance_mode, "`LATENCY`, `THROUGHPUT` or `CUMULATIVE_THROUGHPUT` (see [`PerformanceMode`]).";
    SchedulingCoreType = "SCHEDULING_CORE_TYPE", ov_property_key_hint_scheduling_core_type, "`ANY_CORE`, `PCORE_ONLY` or `ECORE_ONLY`.";
    InferencePrecisionHint = "INFERENCE_PRECISION_HINT", ov_property_key_hint_inference_precision, "Precision of inference (`f32`, `bf16`, `f16`).";
    NumRequests = "PERFORMANCE_HINT_NUM_REQUESTS", ov_property_key_hint_num_requests, "Expected number of requests, for the performance hint.";
    LogLevel = "LOG_LEVEL", ov_property_key_log_level, "`LOG_NONE` ... `LOG_TRACE`.";
    ModelPriority = "MODEL_PRIORITY", ov_property_key_hint_model_priority, "`LOW`, `MEDIUM` or `HIGH`.";
    EnableProfiling = "PERF_COUNT", ov_property_key_enable_profiling, "Collect per-node timings (`YES`/`NO`), read with `InferRequest::profiling_info`.";
    DevicePriorities = "MULTI_DEVICE_PRIORITIES", ov_property_key_device_priorities, "Device candidates for AUTO and MULTI.";
    ExecutionMode = "EXECUTION_MODE_HINT", ov_property_key_hint_execution_mode, "`PERFORMANCE` or `ACCURACY`.";
    ForceTbbTerminate = "FORCE_TBB_TERMINATE", ov_property_key_force_tbb_terminate, "Terminate TBB when OpenVINO is unloaded.";
    EnableMmap = "ENABLE_MMAP", ov_property_key_enable_mmap, "Map model files into memory instead of reading them.";
    AutoBatchTimeout = "AUTO_BATCH_TIMEOUT", ov_property_key_auto_batch_timeout, "Timeout of the automatic batching, in ms.";
}

impl From<&str> for PropertyKey {
    fn from(key: &str) -> Self {
        PropertyKey::Other(key.to_owned())
    }
}

impl fmt::Display for PropertyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Values of [`PropertyKey::PerformanceHint`].
///
/// ```
/// use openvino::PerformanceMode;
/// assert_eq!(PerformanceMode::Throughput.as_str(), "THROUGHPUT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PerformanceMode {
    /// Minimal latency for one request at a time.
    Latency,
    /// Maximal throughput with many requests in flight.
    Throughput,
    /// Throughput summed over several devices (AUTO).
    CumulativeThroughput,
}

impl PerformanceMode {
    /// The property value.
    pub fn as_str(self) -> &'static str {
        match self {
            PerformanceMode::Latency => "LATENCY",
            PerformanceMode::Throughput => "THROUGHPUT",
            PerformanceMode::CumulativeThroughput => "CUMULATIVE_THROUGHPUT",
        }
    }
}

impl fmt::Display for PerformanceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Keys whose value OpenVINO's C layer reads as a pointer, not a string, in at least one of the
/// releases this crate loads (2024.0 to 2026.4): `CACHE_ENCRYPTION_CALLBACKS` in every property
/// list (it reads an `ov_encryption_callbacks` struct through the value), and the GPU handles in
/// remote-context parameters and, since 2026.4, in every `ov_property_t` list. OpenVINO compares
/// keys byte for byte, so these exact spellings are the dangerous ones, however they reach a call
/// (a named [`PropertyKey`], [`PropertyKey::Other`], or a string turned into a key).
pub(crate) const POINTER_VALUED_KEYS: &[&str] = &[
    "CACHE_ENCRYPTION_CALLBACKS",
    "OCL_CONTEXT",
    "OCL_QUEUE",
    "VA_DEVICE",
    "MEM_HANDLE",
    "DEV_OBJECT_HANDLE",
];

/// Refuses a key whose value OpenVINO would read as a pointer when the value is a string.
fn check_string_valued(key: &str, call: &'static str) -> Result<()> {
    if POINTER_VALUED_KEYS.contains(&key) {
        return Err(Error::new(
            ErrorKind::PointerProperty,
            call,
            format!(
                "OpenVINO reads the value of {key} as a pointer, not a string; pass it with an \
                 `unsafe` `*_with_raw_properties` function and a `RawPropertyValue::Pointer`"
            ),
        ));
    }
    Ok(())
}

/// A property value as OpenVINO's C layer takes it: a string, or a pointer for the keys whose
/// value is a struct or a device handle (cache encryption callbacks, GPU contexts, queues and
/// memory handles). Only the `unsafe` `*_with_raw_properties` functions take it.
///
/// ```
/// use openvino::RawPropertyValue;
/// let value = RawPropertyValue::Str("LATENCY");
/// assert!(matches!(value, RawPropertyValue::Str(_)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawPropertyValue<'a> {
    /// A string value, copied by OpenVINO.
    Str(&'a str),
    /// A pointer OpenVINO reads as the key dictates: an `ov_encryption_callbacks*` for
    /// `CACHE_ENCRYPTION_CALLBACKS`, an OpenCL or VA handle for the GPU keys.
    Pointer(*const std::ffi::c_void),
}

/// Key/value pairs in OpenVINO's `ov_property_t` form, with the C strings they point at.
pub(crate) struct CProperties {
    _strings: Vec<CString>,
    array: Vec<openvino_sys::ov_property_t>,
}

impl CProperties {
    /// String-valued properties; keys OpenVINO reads as pointers are refused.
    pub(crate) fn new(properties: &[(PropertyKey, &str)], call: &'static str) -> Result<Self> {
        for (key, _) in properties {
            check_string_valued(key.as_str(), call)?;
        }
        let raw: Vec<_> = properties
            .iter()
            .map(|(k, v)| (k.clone(), RawPropertyValue::Str(v)))
            .collect();
        Self::raw(&raw, call)
    }

    /// Properties as given: pointer values are passed through unchecked (for the `unsafe`
    /// functions whose callers vouch for them).
    pub(crate) fn raw(
        properties: &[(PropertyKey, RawPropertyValue<'_>)],
        call: &'static str,
    ) -> Result<Self> {
        let mut strings = Vec::with_capacity(properties.len() * 2);
        let mut values = Vec::with_capacity(properties.len());
        for (key, value) in properties {
            strings.push(cstring(key.as_str(), call)?);
            values.push(match value {
                RawPropertyValue::Str(s) => {
                    strings.push(cstring(s, call)?);
                    None
                }
                RawPropertyValue::Pointer(p) => Some(*p),
            });
        }
        // A CString's buffer does not move when the Vec holding it grows, so pointers taken now
        // stay valid while `strings` lives.
        let mut next = strings.iter();
        let array = values
            .into_iter()
            .map(|value| {
                let key = next.next().expect("one key per property").as_ptr();
                let value = match value {
                    Some(pointer) => pointer,
                    None => next
                        .next()
                        .expect("one string per string value")
                        .as_ptr()
                        .cast(),
                };
                openvino_sys::ov_property_t { key, value }
            })
            .collect();
        Ok(Self {
            _strings: strings,
            array,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.array.len()
    }

    pub(crate) fn as_ptr(&self) -> *const openvino_sys::ov_property_t {
        if self.array.is_empty() {
            std::ptr::null()
        } else {
            self.array.as_ptr()
        }
    }

    /// Calls the variadic C function with no properties (`none`), or its `_props` twin with
    /// these (`some`, given the count and the array), and returns what it stored in the
    /// out-parameter. The variadic form with zero properties exists in every release; the
    /// `_props` functions only since 2026.4.
    pub(crate) fn create<T>(
        &self,
        none: impl FnOnce(&mut *mut T) -> Result<&'static str>,
        some: impl FnOnce(
            usize,
            *const openvino_sys::ov_property_t,
            &mut *mut T,
        ) -> Result<&'static str>,
    ) -> Result<(*mut T, &'static str)> {
        let mut out = std::ptr::null_mut();
        let call = if self.array.is_empty() {
            none(&mut out)?
        } else {
            some(self.len(), self.as_ptr(), &mut out)?
        };
        Ok((out, call))
    }
}

/// A key and a string value as C strings, for the variadic `*_set_property` functions; keys
/// OpenVINO reads as pointers are refused.
pub(crate) fn key_value(
    key: &PropertyKey,
    value: &str,
    call: &'static str,
) -> Result<(CString, CString)> {
    check_string_valued(key.as_str(), call)?;
    Ok((cstring(key.as_str(), call)?, cstring(value, call)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_keys_equal_the_c_library_variables() {
        crate::ffi::ensure_loaded().unwrap();
        for (key, variable) in PropertyKey::c_variables() {
            let value = crate::ffi::property_key_variable(variable)
                .unwrap_or_else(|| panic!("{variable} is known"));
            assert_eq!(key.as_str(), value, "{variable}");
        }
    }

    #[test]
    fn pointer_valued_keys_are_the_c_library_spellings() {
        crate::ffi::ensure_loaded().unwrap();
        let from_library: Vec<String> = [
            "ov_property_key_cache_encryption_callbacks",
            "ov_property_key_intel_gpu_ocl_context",
            "ov_property_key_intel_gpu_ocl_queue",
            "ov_property_key_intel_gpu_va_device",
            "ov_property_key_intel_gpu_mem_handle",
            "ov_property_key_intel_gpu_dev_object_handle",
        ]
        .iter()
        .map(|v| crate::ffi::property_key_variable(v).unwrap())
        .collect();
        assert_eq!(from_library, POINTER_VALUED_KEYS);
    }

    #[test]
    fn device_names_parse_both_ways() {
        for name in [
            "CPU",
            "GPU",
            "NPU",
            "AUTO",
            "HETERO",
            "MULTI",
            "GPU.1",
            "HETERO:GPU,CPU",
        ] {
            assert_eq!(DeviceType::from(name).as_str(), name);
            assert_eq!(DeviceType::from(name.to_string()).as_str(), name);
        }
    }
}
