//! [`InferRequest`]: runs a compiled model, synchronously or asynchronously.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::{self, NonNull};
use std::time::Duration;

use openvino_sys as sys;

use crate::error::check;
use crate::ffi::{borrowed_string, cstring};
use crate::{Error, ErrorKind, MutablePort, Port, Result, Tensor};

/// Which tensor of a request: by tensor name, by input/output index, by port, or the only
/// input/output.
///
/// ```
/// use openvino::TensorSlot;
/// let by_name: TensorSlot = "logits".into();
/// assert_eq!(by_name, TensorSlot::Name("logits"));
/// ```
#[derive(Debug, Clone, Copy)]
pub enum TensorSlot<'a> {
    /// The tensor with this name (input or output).
    Name(&'a str),
    /// The input at this index.
    Input(usize),
    /// The output at this index.
    Output(usize),
    /// The only input.
    OnlyInput,
    /// The only output.
    OnlyOutput,
    /// The tensor of this port.
    Port(&'a Port),
    /// The tensor of this mutable port.
    MutablePort(&'a MutablePort),
}

impl PartialEq for TensorSlot<'_> {
    fn eq(&self, other: &Self) -> bool {
        use TensorSlot::*;
        match (self, other) {
            (Name(a), Name(b)) => a == b,
            (Input(a), Input(b)) | (Output(a), Output(b)) => a == b,
            (OnlyInput, OnlyInput) | (OnlyOutput, OnlyOutput) => true,
            (Port(a), Port(b)) => a.as_ptr() == b.as_ptr(),
            (MutablePort(a), MutablePort(b)) => a.as_ptr() == b.as_ptr(),
            _ => false,
        }
    }
}

impl<'a> From<&'a str> for TensorSlot<'a> {
    fn from(name: &'a str) -> Self {
        TensorSlot::Name(name)
    }
}

impl<'a> From<&'a Port> for TensorSlot<'a> {
    fn from(port: &'a Port) -> Self {
        TensorSlot::Port(port)
    }
}

/// A running or runnable inference of a [`CompiledModel`](crate::CompiledModel)
/// (`ov_infer_request_t`).
///
/// The lifetime `'data` covers the caller memory of every zero-copy [`Tensor`] set on the request:
/// the borrow checker keeps that memory alive and untouched while the request may use it.
/// Tensors read from the request ([`tensor`](Self::tensor), [`tensor_mut`](Self::tensor_mut))
/// borrow the request, so none can be read while an asynchronous inference writes it, and no
/// two mutable views of one tensor can exist.
///
/// `InferRequest` is `Send` but not `Sync`: OpenVINO allows using a request from one thread at a
/// time.
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType, Shape, Tensor, TensorSlot};
/// let core = Core::new()?;
/// let model = core.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let compiled = core.compile_model(&model, &DeviceType::CPU, &[])?;
/// let mut b = [10.0f32, 20.0, 30.0, 40.0]; // must outlive the request it is lent to
/// let mut request = compiled.create_infer_request()?;
///
/// // Write into the request's own input tensor...
/// request.tensor_mut("a")?.data_mut::<f32>()?.copy_from_slice(&[1.0, 2.0, 3.0, 4.0]);
/// // ...or lend it caller memory, without copying.
/// request.set_tensor("b", Tensor::from_slice(&Shape::new(&[1, 4])?, &mut b)?)?;
///
/// request.infer()?;
/// assert_eq!(request.tensor("sum")?.data::<f32>()?, &[11.0, 22.0, 33.0, 44.0]);
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// Lent memory cannot be freed, or touched, while a request may still use it:
///
/// ```compile_fail,E0597
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType, Shape, Tensor};
/// let core = Core::new()?;
/// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
/// let mut request = compiled.create_infer_request()?;
/// {
///     let mut short_lived = [0.0f32; 4];
///     request.set_tensor("a", Tensor::from_slice(&Shape::new(&[1, 4])?, &mut short_lived)?)?;
/// } // `short_lived` is gone here, but the request could still read it
/// request.infer()?;
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// ```compile_fail,E0502
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType};
/// let core = Core::new()?;
/// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
/// let mut request = compiled.create_infer_request()?;
/// let output = request.tensor("sum")?;
/// request.start_async()?; // would write `output` while it is readable
/// let _ = output.data::<f32>()?;
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct InferRequest<'data> {
    ptr: NonNull<sys::ov_infer_request_t>,
    // Every callback ever set, freed only after the request (so OpenVINO can never call one that
    // is gone, even if it is still running when a new one is set).
    // Boxed on purpose: OpenVINO holds their addresses, which must not move when the Vec grows.
    #[allow(clippy::vec_box)]
    callbacks: Vec<Box<CallbackSlot<'data>>>,
    _data: PhantomData<&'data mut [u8]>,
}

type Callback<'data> = Box<dyn FnMut() + Send + 'data>;

/// A completion callback as OpenVINO sees it (`c`, whose `args` points at `closure`).
struct CallbackSlot<'data> {
    c: sys::ov_callback_t,
    closure: Callback<'data>,
}

// SAFETY: OpenVINO allows an infer request to be used from any one thread at a time; `&mut self`
// on every mutating call and the missing `Sync` enforce that. Callbacks are `Send`.
unsafe impl Send for InferRequest<'_> {}

/// A tensor read from an [`InferRequest`], borrowing it (see there).
pub struct TensorRef<'a> {
    tensor: Tensor<'a>,
}

impl<'a> Deref for TensorRef<'a> {
    type Target = Tensor<'a>;
    fn deref(&self) -> &Tensor<'a> {
        &self.tensor
    }
}

impl std::fmt::Debug for TensorRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.tensor.fmt(f)
    }
}

/// A tensor of an [`InferRequest`] open for writing, borrowing it mutably.
pub struct TensorMut<'a> {
    tensor: Tensor<'a>,
}

impl<'a> Deref for TensorMut<'a> {
    type Target = Tensor<'a>;
    fn deref(&self) -> &Tensor<'a> {
        &self.tensor
    }
}

impl DerefMut for TensorMut<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tensor
    }
}

impl std::fmt::Debug for TensorMut<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.tensor.fmt(f)
    }
}

/// Per-node timing of the last inference, with [`PropertyKey::EnableProfiling`](crate::PropertyKey::EnableProfiling) on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfilingInfo {
    /// Whether the node ran.
    pub status: NodeStatus,
    /// Wall time in microseconds.
    pub real_time: Duration,
    /// CPU time in microseconds.
    pub cpu_time: Duration,
    /// The node's name.
    pub node_name: String,
    /// The kernel that ran it.
    pub exec_type: String,
    /// The node's operation type.
    pub node_type: String,
}

/// Whether a node ran, in [`ProfilingInfo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStatus {
    /// Not executed.
    NotRun,
    /// Removed by graph optimisation.
    OptimizedOut,
    /// Executed.
    Executed,
}

impl<'data> InferRequest<'data> {
    /// # Safety
    /// `ptr` is null or a request the caller owns.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::ov_infer_request_t) -> Result<Self> {
        crate::ffi::non_null(ptr, "ov_compiled_model_create_infer_request", "request").map(|ptr| {
            Self {
                ptr,
                callbacks: Vec::new(),
                _data: PhantomData,
            }
        })
    }

    fn as_ptr(&self) -> *mut sys::ov_infer_request_t {
        self.ptr.as_ptr()
    }

    /// Sets the tensor of a slot. The tensor is moved in: the request shares its memory from now
    /// on (for a zero-copy tensor, the caller's memory stays borrowed for `'data`).
    pub fn set_tensor<'s>(
        &mut self,
        slot: impl Into<TensorSlot<'s>>,
        tensor: Tensor<'data>,
    ) -> Result<()> {
        let t = tensor.as_ptr();
        let r = self.as_ptr();
        // SAFETY (all arms): a live request and tensor; OpenVINO takes its own reference to the
        // tensor's memory, whose validity for 'data the lifetime guarantees.
        match slot.into() {
            TensorSlot::Name(name) => {
                let name = cstring(name, "InferRequest::set_tensor")?;
                // SAFETY: see above; `name` is a C string.
                check(
                    unsafe { sys::ov_infer_request_set_tensor(r, name.as_ptr(), t) },
                    "ov_infer_request_set_tensor",
                )
            }
            TensorSlot::Input(i) => check(
                // SAFETY: see above; OpenVINO checks the index.
                unsafe { sys::ov_infer_request_set_input_tensor_by_index(r, i, t) },
                "ov_infer_request_set_input_tensor_by_index",
            ),
            TensorSlot::Output(i) => check(
                // SAFETY: see above; OpenVINO checks the index.
                unsafe { sys::ov_infer_request_set_output_tensor_by_index(r, i, t) },
                "ov_infer_request_set_output_tensor_by_index",
            ),
            TensorSlot::OnlyInput => check(
                // SAFETY: see above.
                unsafe { sys::ov_infer_request_set_input_tensor(r, t) },
                "ov_infer_request_set_input_tensor",
            ),
            TensorSlot::OnlyOutput => check(
                // SAFETY: see above.
                unsafe { sys::ov_infer_request_set_output_tensor(r, t) },
                "ov_infer_request_set_output_tensor",
            ),
            TensorSlot::Port(port) => check(
                // SAFETY: see above; a live port.
                unsafe { sys::ov_infer_request_set_tensor_by_const_port(r, port.as_ptr(), t) },
                "ov_infer_request_set_tensor_by_const_port",
            ),
            TensorSlot::MutablePort(port) => check(
                // SAFETY: see above; a live port.
                unsafe { sys::ov_infer_request_set_tensor_by_port(r, port.as_ptr(), t) },
                "ov_infer_request_set_tensor_by_port",
            ),
        }
        // `tensor` is dropped here: its handle is freed, the memory lives on in the request.
    }

    fn get(&self, slot: TensorSlot<'_>) -> Result<*mut sys::ov_tensor_t> {
        let r = self.as_ptr();
        let mut t = ptr::null_mut();
        // SAFETY (all arms): a live request and a valid out-parameter; OpenVINO returns a new
        // handle the caller owns.
        let (status, call) = match slot {
            TensorSlot::Name(name) => {
                let name = cstring(name, "InferRequest::tensor")?;
                // SAFETY: see above; `name` is a C string.
                (
                    unsafe { sys::ov_infer_request_get_tensor(r, name.as_ptr(), &mut t) },
                    "ov_infer_request_get_tensor",
                )
            }
            TensorSlot::Input(i) => (
                // SAFETY: see above.
                unsafe { sys::ov_infer_request_get_input_tensor_by_index(r, i, &mut t) },
                "ov_infer_request_get_input_tensor_by_index",
            ),
            TensorSlot::Output(i) => (
                // SAFETY: see above.
                unsafe { sys::ov_infer_request_get_output_tensor_by_index(r, i, &mut t) },
                "ov_infer_request_get_output_tensor_by_index",
            ),
            // SAFETY: see above.
            TensorSlot::OnlyInput => (
                unsafe { sys::ov_infer_request_get_input_tensor(r, &mut t) },
                "ov_infer_request_get_input_tensor",
            ),
            TensorSlot::OnlyOutput => (
                // SAFETY: see above.
                unsafe { sys::ov_infer_request_get_output_tensor(r, &mut t) },
                "ov_infer_request_get_output_tensor",
            ),
            TensorSlot::Port(port) => (
                // SAFETY: see above; a live port.
                unsafe { sys::ov_infer_request_get_tensor_by_const_port(r, port.as_ptr(), &mut t) },
                "ov_infer_request_get_tensor_by_const_port",
            ),
            TensorSlot::MutablePort(port) => (
                // SAFETY: see above; a live port.
                unsafe { sys::ov_infer_request_get_tensor_by_port(r, port.as_ptr(), &mut t) },
                "ov_infer_request_get_tensor_by_port",
            ),
        };
        check(status, call)?;
        if t.is_null() {
            return Err(Error::new(
                ErrorKind::NotAllocated,
                call,
                "OpenVINO returned a null tensor",
            ));
        }
        Ok(t)
    }

    /// Reads a tensor of the request (inputs or outputs). The handle is a new reference to the
    /// request's tensor, owned (and freed once) by the returned value; it borrows the request.
    pub fn tensor<'s>(&self, slot: impl Into<TensorSlot<'s>>) -> Result<TensorRef<'_>> {
        let ptr = self.get(slot.into())?;
        // SAFETY: a new handle we own; its memory is the request's, valid while it is borrowed.
        let tensor = unsafe { Tensor::from_raw(ptr, "InferRequest::tensor") }?;
        Ok(TensorRef { tensor })
    }

    /// Opens a tensor of the request for writing (typically an input before [`infer`](Self::infer)).
    pub fn tensor_mut<'s>(&mut self, slot: impl Into<TensorSlot<'s>>) -> Result<TensorMut<'_>> {
        let ptr = self.get(slot.into())?;
        // SAFETY: as in `tensor`; `&mut self` makes this the only view.
        let tensor = unsafe { Tensor::from_raw(ptr, "InferRequest::tensor_mut") }?;
        Ok(TensorMut { tensor })
    }

    /// Runs inference and waits for it.
    pub fn infer(&mut self) -> Result<()> {
        // SAFETY: a live request.
        check(
            unsafe { sys::ov_infer_request_infer(self.as_ptr()) },
            "ov_infer_request_infer",
        )
    }

    /// Starts inference and returns at once; finish with [`wait`](Self::wait) or
    /// [`wait_for`](Self::wait_for) before reading outputs.
    pub fn start_async(&mut self) -> Result<()> {
        // SAFETY: a live request.
        check(
            unsafe { sys::ov_infer_request_start_async(self.as_ptr()) },
            "ov_infer_request_start_async",
        )
    }

    /// Waits until the inference started by [`start_async`](Self::start_async) ends.
    pub fn wait(&mut self) -> Result<()> {
        // SAFETY: a live request.
        check(
            unsafe { sys::ov_infer_request_wait(self.as_ptr()) },
            "ov_infer_request_wait",
        )
    }

    /// Waits at most `timeout`; `Ok(true)` when the result is ready, `Ok(false)` on time-out.
    pub fn wait_for(&mut self, timeout: Duration) -> Result<bool> {
        let ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
        // SAFETY: a live request.
        match check(
            unsafe { sys::ov_infer_request_wait_for(self.as_ptr(), ms) },
            "ov_infer_request_wait_for",
        ) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::ResultNotReady => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Cancels a running inference.
    pub fn cancel(&mut self) -> Result<()> {
        // SAFETY: a live request.
        check(
            unsafe { sys::ov_infer_request_cancel(self.as_ptr()) },
            "ov_infer_request_cancel",
        )
    }

    /// Calls `callback` (on an OpenVINO thread) each time an asynchronous inference completes.
    /// A panic in the callback is caught and logged; it never unwinds into OpenVINO. The closure
    /// is freed with the request, never before.
    ///
    /// ```
    /// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
    /// use std::sync::mpsc;
    /// use openvino::{Core, DeviceType};
    /// let core = Core::new()?;
    /// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
    /// let mut request = compiled.create_infer_request()?;
    /// let (tx, rx) = mpsc::channel();
    /// request.set_callback(move || { let _ = tx.send(()); })?;
    /// request.start_async()?;
    /// rx.recv().unwrap();
    /// request.wait()?;
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn set_callback(&mut self, callback: impl FnMut() + Send + 'data) -> Result<()> {
        unsafe extern "C" fn trampoline(args: *mut c_void) {
            // SAFETY: `args` is the address of a `Callback` in a `CallbackSlot` kept in `callbacks`
            // until the request is freed, and OpenVINO runs one completion of a request at a time.
            let callback = unsafe { &mut *(args as *mut Callback<'static>) };
            if catch_unwind(AssertUnwindSafe(callback)).is_err() {
                log::error!(
                    "an OpenVINO infer request callback panicked; the panic was stopped at the FFI boundary"
                );
            }
        }
        // OpenVINO keeps the address of the `ov_callback_t` (not a copy), so it lives on the heap
        // beside the closure, and both stay until the request is freed.
        let mut slot = Box::new(CallbackSlot {
            c: sys::ov_callback_t {
                callback_func: Some(trampoline),
                args: std::ptr::null_mut(),
            },
            closure: Box::new(callback),
        });
        slot.c.args = (&mut slot.closure) as *mut Callback<'data> as *mut c_void;
        // SAFETY: a live request; `slot.c` and the closure it points to stay at the same heap
        // address until after the request is freed (they are kept in `callbacks`).
        let status = unsafe { sys::ov_infer_request_set_callback(self.as_ptr(), &slot.c) };
        check(status, "ov_infer_request_set_callback")?;
        self.callbacks.push(slot);
        Ok(())
    }

    /// Per-node timings of the last inference (needs [`PropertyKey::EnableProfiling`](crate::PropertyKey::EnableProfiling)
    /// set to `YES` when compiling).
    pub fn profiling_info(&self) -> Result<Vec<ProfilingInfo>> {
        let mut list = sys::ov_profiling_info_list_t::default();
        // SAFETY: a live request and a valid out-parameter.
        check(
            unsafe { sys::ov_infer_request_get_profiling_info(self.as_ptr(), &mut list) },
            "ov_infer_request_get_profiling_info",
        )?;
        let infos = (0..list.size)
            .map(|i| {
                // SAFETY: OpenVINO returned `size` entries whose strings live until the free.
                let info = unsafe { &*list.profiling_infos.add(i) };
                ProfilingInfo {
                    status: match info.status {
                        sys::ov_profiling_info_t_Status_EXECUTED => NodeStatus::Executed,
                        sys::ov_profiling_info_t_Status_OPTIMIZED_OUT => NodeStatus::OptimizedOut,
                        _ => NodeStatus::NotRun,
                    },
                    real_time: Duration::from_micros(info.real_time.max(0) as u64),
                    cpu_time: Duration::from_micros(info.cpu_time.max(0) as u64),
                    // SAFETY: strings owned by the list until it is freed below.
                    node_name: unsafe { borrowed_string(info.node_name) },
                    // SAFETY: as above.
                    exec_type: unsafe { borrowed_string(info.exec_type) },
                    // SAFETY: as above.
                    node_type: unsafe { borrowed_string(info.node_type) },
                }
            })
            .collect();
        // SAFETY: filled above, freed once.
        unsafe { sys::ov_profiling_info_list_free(&mut list) };
        Ok(infos)
    }
}

impl std::fmt::Debug for InferRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InferRequest").finish_non_exhaustive()
    }
}

impl Drop for InferRequest<'_> {
    fn drop(&mut self) {
        // SAFETY: owned handle, freed exactly once. OpenVINO stops and waits for a running
        // inference before the request is destroyed; the callbacks are dropped after this.
        unsafe { sys::ov_infer_request_free(self.as_ptr()) };
    }
}
