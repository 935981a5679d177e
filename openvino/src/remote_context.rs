//! [`RemoteContext`]: device memory contexts (GPU/NPU); the CPU has none.

use std::ptr;

use openvino_sys as sys;

use crate::ffi::{Handle, ov, take_string};
use crate::property::{CProperties, RawPropertyValue};
use crate::{ElementType, PropertyKey, Result, Shape, Tensor};

/// A device's memory context (`ov_remote_context_t`), from
/// [`Core::default_context`](crate::Core::default_context),
/// [`Core::create_context`](crate::Core::create_context) or
/// [`CompiledModel::context`](crate::CompiledModel::context). Devices without remote memory (the
/// CPU) answer those calls with an error.
///
/// Several handles may reach the same context (every compiled model of a device shares its
/// default context), so `RemoteContext` is `Sync` only because the plugins synchronise their
/// contexts themselves, which they must: OpenVINO uses a device's default context from every
/// thread that compiles or runs a model on it.
///
/// ```
/// use openvino::{Core, DeviceType, ErrorKind};
/// let core = Core::new()?;
/// // The CPU plugin has no remote context:
/// assert!(core.default_context(&DeviceType::CPU).is_err());
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct RemoteContext {
    handle: Handle<sys::ov_remote_context_t>,
}

// SAFETY: an ov_remote_context_t holds a shared_ptr to an ov::RemoteContext with no thread
// affinity.
unsafe impl Send for RemoteContext {}
// SAFETY: see the type's documentation: the plugins' contexts are shared by all compiled models
// of a device and used concurrently by OpenVINO itself. (No device with remote memory is present
// where this crate's tests run, so this claim is not exercised by them.)
unsafe impl Sync for RemoteContext {}

impl RemoteContext {
    /// # Safety
    /// `ptr` is null or a context the caller owns.
    pub(crate) unsafe fn from_raw(
        ptr: *mut sys::ov_remote_context_t,
        call: &'static str,
    ) -> Result<Self> {
        // SAFETY: per the contract.
        let handle = unsafe { Handle::new(ptr, call) }?;
        Ok(Self { handle })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_remote_context_t {
        self.handle.as_ptr()
    }

    /// The device this context belongs to.
    pub fn device_name(&self) -> Result<String> {
        let mut name = ptr::null_mut();
        // SAFETY: a live context and a valid out-parameter.
        let call = unsafe { ov!(ov_remote_context_get_device_name(self.as_ptr(), &mut name)) }?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(name, call) }
    }

    /// The context's parameters, as OpenVINO prints them.
    pub fn params(&self) -> Result<String> {
        let mut size = 0;
        let mut params = ptr::null_mut();
        // SAFETY: a live context and valid out-parameters.
        let call = unsafe {
            ov!(ov_remote_context_get_params(
                self.as_ptr(),
                &mut size,
                &mut params
            ))
        }?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(params, call) }
    }

    /// A tensor in the device's memory (`ov_remote_context_create_tensor`, or `..._props` when
    /// parameters are given). Parameters that are handles (`MEM_HANDLE`, ...) are refused; see
    /// [`create_tensor_with_raw_properties`](Self::create_tensor_with_raw_properties).
    pub fn create_tensor(
        &self,
        element_type: ElementType,
        shape: &Shape,
        params: &[(PropertyKey, &str)],
    ) -> Result<Tensor<'static>> {
        let props = CProperties::new(params, "RemoteContext::create_tensor")?;
        let mut tensor = self.tensor(element_type, shape, &props)?;
        // Device memory the host can map is zeroed like every allocation this crate hands out;
        // memory it cannot map (`ov_tensor_data` fails) is never shown.
        if element_type != ElementType::String
            && let Ok(bytes) = tensor.as_bytes_mut()
        {
            bytes.fill(0);
        }
        Ok(tensor)
    }

    /// [`create_tensor`](Self::create_tensor) with parameters whose values may be device handles,
    /// e.g. an existing OpenCL buffer (`MEM_HANDLE`) to wrap without copying.
    ///
    /// # Safety
    /// Each [`RawPropertyValue::Pointer`] must be a live handle of the kind its key names (for
    /// `MEM_HANDLE`, a `cl_mem` of at least the tensor's byte size), valid, and used by nothing
    /// else, for as long as the returned tensor or any request it is set on lives.
    pub unsafe fn create_tensor_with_raw_properties(
        &self,
        element_type: ElementType,
        shape: &Shape,
        params: &[(PropertyKey, RawPropertyValue<'_>)],
    ) -> Result<Tensor<'static>> {
        let props = CProperties::raw(params, "RemoteContext::create_tensor_with_raw_properties")?;
        self.tensor(element_type, shape, &props)
    }

    fn tensor(
        &self,
        element_type: ElementType,
        shape: &Shape,
        props: &CProperties,
    ) -> Result<Tensor<'static>> {
        let (context, c_type, c_shape) = (self.as_ptr(), element_type.to_c(), shape.as_c());
        let (ptr, call) = props.create(
            // SAFETY: a live context, a shape borrowed for the call, zero variadic parameters.
            |out| unsafe {
                ov!(ov_remote_context_create_tensor(
                    context, c_type, c_shape, 0, out
                ))
            },
            // SAFETY: as above, with `n` parameters that are strings unless the caller of the
            // unsafe `*_with_raw_properties` function vouched for them.
            |n, p, out| unsafe {
                ov!(ov_remote_context_create_tensor_props(
                    context, c_type, c_shape, n, p, out
                ))
            },
        )?;
        // SAFETY: a new tensor the caller owns; `create_tensor` zeroes what the host can see,
        // and the raw variant's caller vouches for the memory its handles name.
        unsafe { Tensor::from_raw(ptr, call) }
    }

    /// A zero-filled host tensor optimised for transfers to this device.
    pub fn create_host_tensor(
        &self,
        element_type: ElementType,
        shape: &Shape,
    ) -> Result<Tensor<'static>> {
        let mut ptr = ptr::null_mut();
        // SAFETY: a live context, a borrowed shape and a valid out-parameter.
        let call = unsafe {
            ov!(ov_remote_context_create_host_tensor(
                self.as_ptr(),
                element_type.to_c(),
                shape.as_c(),
                &mut ptr,
            ))
        }?;
        // SAFETY: a new tensor the caller owns; zeroed below before anyone reads it.
        let mut tensor = unsafe { Tensor::from_raw(ptr, call) }?;
        if element_type != ElementType::String {
            tensor.as_bytes_mut()?.fill(0);
        }
        Ok(tensor)
    }
}

impl std::fmt::Debug for RemoteContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteContext")
            .field("device", &self.device_name().ok())
            .finish()
    }
}
