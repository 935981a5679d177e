//! [`RemoteContext`]: device memory contexts (GPU/NPU); the CPU has none.

use std::ptr::{self, NonNull};

use openvino_sys as sys;

use crate::error::check;
use crate::ffi::take_string;
use crate::property::CProperties;
use crate::{ElementType, PropertyKey, Result, Shape, Tensor};

/// A device's memory context (`ov_remote_context_t`), from
/// [`Core::default_context`](crate::Core::default_context) or
/// [`Core::create_context`](crate::Core::create_context). Devices without remote memory (the CPU)
/// answer those calls with an error.
///
/// ```
/// use openvino::{Core, DeviceType, ErrorKind};
/// let core = Core::new()?;
/// // The CPU plugin has no remote context:
/// assert!(core.default_context(&DeviceType::CPU).is_err());
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct RemoteContext {
    ptr: NonNull<sys::ov_remote_context_t>,
}

// SAFETY: remote contexts are documented as thread-safe shared objects in OpenVINO.
unsafe impl Send for RemoteContext {}
// SAFETY: as above.
unsafe impl Sync for RemoteContext {}

impl RemoteContext {
    /// # Safety
    /// `ptr` is null or a context the caller owns.
    pub(crate) unsafe fn from_raw(
        ptr: *mut sys::ov_remote_context_t,
        call: &'static str,
    ) -> Result<Self> {
        crate::ffi::non_null(ptr, call, "context").map(|ptr| Self { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_remote_context_t {
        self.ptr.as_ptr()
    }

    /// The device this context belongs to.
    pub fn device_name(&self) -> Result<String> {
        let mut name = ptr::null_mut();
        // SAFETY: a live context and a valid out-parameter.
        check(
            unsafe { sys::ov_remote_context_get_device_name(self.as_ptr(), &mut name) },
            "ov_remote_context_get_device_name",
        )?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(name, "ov_remote_context_get_device_name") }
    }

    /// The context's parameters, as OpenVINO prints them.
    pub fn params(&self) -> Result<String> {
        let mut size = 0;
        let mut params = ptr::null_mut();
        // SAFETY: a live context and valid out-parameters.
        check(
            unsafe { sys::ov_remote_context_get_params(self.as_ptr(), &mut size, &mut params) },
            "ov_remote_context_get_params",
        )?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(params, "ov_remote_context_get_params") }
    }

    /// A tensor in the device's memory (`ov_remote_context_create_tensor`, or `..._props` when
    /// parameters are given).
    pub fn create_tensor(
        &self,
        element_type: ElementType,
        shape: &Shape,
        params: &[(PropertyKey, &str)],
    ) -> Result<Tensor<'static>> {
        let mut t = ptr::null_mut();
        if params.is_empty() {
            // SAFETY: a live context, a borrowed shape, zero variadic parameters.
            check(
                unsafe {
                    sys::ov_remote_context_create_tensor(
                        self.as_ptr(),
                        element_type.to_c(),
                        shape.as_c(),
                        0,
                        &mut t,
                    )
                },
                "ov_remote_context_create_tensor",
            )?;
        } else {
            let props = CProperties::new(params, "RemoteContext::create_tensor")?;
            // SAFETY: a live context, a borrowed shape and `len` live properties.
            check(
                unsafe {
                    sys::ov_remote_context_create_tensor_props(
                        self.as_ptr(),
                        element_type.to_c(),
                        shape.as_c(),
                        props.len(),
                        props.as_ptr(),
                        &mut t,
                    )
                },
                "ov_remote_context_create_tensor_props",
            )?;
        }
        // SAFETY: a new tensor owned by the wrapper; device memory owned by OpenVINO.
        unsafe { Tensor::from_raw(t, "ov_remote_context_create_tensor") }
    }

    /// A host tensor optimised for transfers to this device.
    pub fn create_host_tensor(
        &self,
        element_type: ElementType,
        shape: &Shape,
    ) -> Result<Tensor<'static>> {
        let mut t = ptr::null_mut();
        // SAFETY: a live context, a borrowed shape and a valid out-parameter.
        check(
            unsafe {
                sys::ov_remote_context_create_host_tensor(
                    self.as_ptr(),
                    element_type.to_c(),
                    shape.as_c(),
                    &mut t,
                )
            },
            "ov_remote_context_create_host_tensor",
        )?;
        // SAFETY: a new tensor owned by the wrapper.
        unsafe { Tensor::from_raw(t, "ov_remote_context_create_host_tensor") }
    }
}

impl std::fmt::Debug for RemoteContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteContext")
            .field("device", &self.device_name().ok())
            .finish()
    }
}

impl Drop for RemoteContext {
    fn drop(&mut self) {
        // SAFETY: owned handle, freed exactly once.
        unsafe { sys::ov_remote_context_free(self.as_ptr()) };
    }
}
