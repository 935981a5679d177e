//! [`InferRequest`]: runs a compiled model, synchronously or asynchronously, and
//! [`async_scope`], which runs requests that borrow caller memory asynchronously.

use std::cell::RefCell;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::{self, NonNull};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use openvino_sys as sys;

use crate::ffi::{Handle, borrowed_string, cstring, ov};
use crate::{ErrorKind, Port, Result, Tensor};

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
    /// The tensor of this port (of the compiled model, or of the model it was compiled from).
    Port(&'a Port<'a>),
}

impl PartialEq for TensorSlot<'_> {
    fn eq(&self, other: &Self) -> bool {
        use TensorSlot::*;
        match (self, other) {
            (Name(a), Name(b)) => a == b,
            (Input(a), Input(b)) | (Output(a), Output(b)) => a == b,
            (OnlyInput, OnlyInput) | (OnlyOutput, OnlyOutput) => true,
            (Port(a), Port(b)) => a.as_ptr() == b.as_ptr(),
            _ => false,
        }
    }
}

impl<'a> From<&'a str> for TensorSlot<'a> {
    fn from(name: &'a str) -> Self {
        TensorSlot::Name(name)
    }
}

impl<'a> From<&'a Port<'a>> for TensorSlot<'a> {
    fn from(port: &'a Port<'a>) -> Self {
        TensorSlot::Port(port)
    }
}

/// A running or runnable inference of a [`CompiledModel`](crate::CompiledModel)
/// (`ov_infer_request_t`).
///
/// The lifetime `'data` covers the caller memory of every zero-copy [`Tensor`] set on the
/// request: the borrow checker keeps that memory alive and untouched while the request may use
/// it. Tensors read from the request ([`tensor`](Self::tensor), [`tensor_mut`](Self::tensor_mut))
/// borrow the request, so none can be read while an inference writes it, and no two mutable views
/// of one tensor can exist.
///
/// Inference runs synchronously ([`infer`](Self::infer)) for any `'data`. Asynchronous inference
/// must never outlive what it uses, and a request can be leaked (`std::mem::forget`) without
/// running its destructor, so it is offered only where nothing can dangle:
/// [`start_async`](InferRequest::start_async) and [`set_callback`](InferRequest::set_callback)
/// on `InferRequest<'static>` with `'static` callbacks, and [`async_scope`], which waits before
/// it returns, for requests that borrow caller memory.
///
/// `InferRequest` is `Send` but not `Sync`: OpenVINO allows using a request from one thread at a
/// time.
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType, Shape, Tensor};
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
/// An asynchronous inference cannot write caller memory that a leaked request no longer guards
/// (`start_async` needs `InferRequest<'static>`; see [`async_scope`] for borrowed memory):
///
/// ```compile_fail,E0597
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType, Shape, Tensor};
/// let core = Core::new()?;
/// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
/// let mut out = vec![0.0f32; 4];
/// let mut request = compiled.create_infer_request()?;
/// request.set_tensor("sum", Tensor::from_slice(&Shape::new(&[1, 4])?, &mut out)?)?;
/// request.start_async()?;
/// std::mem::forget(request); // no destructor waits any more
/// drop(out); // OpenVINO would write into freed memory
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// A tensor read from the request cannot be read while an inference writes it:
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
    handle: Handle<sys::ov_infer_request_t>,
    // Declared after `handle`, so dropped after it: freeing the request waits for a running
    // inference and its callback, and only then is the callback cell freed.
    callback: CallbackSlot,
    // Whether an inference was ever started (see `wait_for`).
    ran: bool,
    // Dropped after `handle`: the blob of an imported compiled model (see `CompiledModel`).
    blob: Option<std::sync::Arc<[u8]>>,
    _data: PhantomData<&'data mut [u8]>,
}

// SAFETY: OpenVINO allows an infer request to be used from any one thread at a time; `&mut self`
// on every mutating call and the missing `Sync` enforce that. The callback cell holds a `Send`
// closure behind a mutex, reached by OpenVINO's threads only through the cell's address.
unsafe impl Send for InferRequest<'_> {}

/// A tensor read from an [`InferRequest`], borrowing it (see there). Like a shared borrow of the
/// request, it stays on the request's thread.
///
/// ```compile_fail,E0277
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType};
/// let core = Core::new()?;
/// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
/// let request = compiled.create_infer_request()?;
/// let output = request.tensor("sum")?;
/// std::thread::scope(|s| {
///     s.spawn(|| output.data::<f32>().map(|d| d.len())); // `&InferRequest` is not `Send`
/// });
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct TensorRef<'a> {
    tensor: Tensor<'a>,
    _request: PhantomData<&'a InferRequest<'a>>,
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

/// A tensor of an [`InferRequest`] open for writing, borrowing the request mutably.
pub struct TensorMut<'a> {
    tensor: Tensor<'a>,
    _request: PhantomData<&'a mut InferRequest<'a>>,
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
    /// The wall time the node took.
    pub real_time: Duration,
    /// The CPU time the node took.
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

/// The longest wait handed to OpenVINO: `ov_infer_request_wait_for` turns milliseconds into
/// nanoseconds and adds the clock's current time inside libstdc++, which overflows (and returns
/// "not ready" at once) for anything near `i64::MAX` milliseconds. Half of `i64::MAX`
/// nanoseconds (146 years) leaves room for the clock; longer waits use `wait`.
const MAX_WAIT_MILLIS: u128 = (i64::MAX / 2 / 1_000_000) as u128;

impl<'data> InferRequest<'data> {
    /// # Safety
    /// `ptr` is null or a request the caller owns, with `inputs` inputs and `outputs` outputs.
    pub(crate) unsafe fn from_raw(
        ptr: *mut sys::ov_infer_request_t,
        call: &'static str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Self> {
        // SAFETY: per the contract.
        let handle = unsafe { Handle::new(ptr, call) }?;
        let mut request = Self {
            handle,
            callback: CallbackSlot(None),
            ran: false,
            blob: None,
            _data: PhantomData,
        };
        // OpenVINO hands out a new request's tensors uninitialised (a plugin's allocation);
        // zeroing them once keeps every byte this crate shows written by someone.
        let slots = (0..inputs)
            .map(TensorSlot::Input)
            .chain((0..outputs).map(TensorSlot::Output));
        for slot in slots {
            let mut tensor = request.tensor_mut(slot)?;
            if tensor.element_type()? != crate::ElementType::String {
                tensor.as_bytes_mut()?.fill(0);
            }
        }
        Ok(request)
    }

    /// Keeps the blob of an imported compiled model alive as long as this request.
    pub(crate) fn keeping(mut self, blob: Option<std::sync::Arc<[u8]>>) -> Self {
        self.blob = blob;
        self
    }

    fn as_ptr(&self) -> *mut sys::ov_infer_request_t {
        self.handle.as_ptr()
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
                unsafe { ov!(ov_infer_request_set_tensor(r, name.as_ptr(), t)) }
            }
            // SAFETY: see above; OpenVINO checks the index.
            TensorSlot::Input(i) => unsafe {
                ov!(ov_infer_request_set_input_tensor_by_index(r, i, t))
            },
            // SAFETY: see above; OpenVINO checks the index.
            TensorSlot::Output(i) => unsafe {
                ov!(ov_infer_request_set_output_tensor_by_index(r, i, t))
            },
            // SAFETY: see above.
            TensorSlot::OnlyInput => unsafe { ov!(ov_infer_request_set_input_tensor(r, t)) },
            // SAFETY: see above.
            TensorSlot::OnlyOutput => unsafe { ov!(ov_infer_request_set_output_tensor(r, t)) },
            TensorSlot::Port(port) => {
                // SAFETY: see above; a live port.
                unsafe {
                    ov!(ov_infer_request_set_tensor_by_const_port(
                        r,
                        port.as_ptr(),
                        t
                    ))
                }
            }
        }?;
        // `tensor` is dropped here: its handle is freed, the memory lives on in the request.
        Ok(())
    }

    fn get(&self, slot: TensorSlot<'_>) -> Result<*mut sys::ov_tensor_t> {
        let r = self.as_ptr();
        let mut t = ptr::null_mut();
        // SAFETY (all arms): a live request and a valid out-parameter; OpenVINO returns a new
        // handle the caller owns.
        let call = match slot {
            TensorSlot::Name(name) => {
                let name = cstring(name, "InferRequest::tensor")?;
                // SAFETY: see above; `name` is a C string.
                unsafe { ov!(ov_infer_request_get_tensor(r, name.as_ptr(), &mut t)) }
            }
            // SAFETY: see above; OpenVINO checks the index.
            TensorSlot::Input(i) => unsafe {
                ov!(ov_infer_request_get_input_tensor_by_index(r, i, &mut t))
            },
            // SAFETY: see above; OpenVINO checks the index.
            TensorSlot::Output(i) => unsafe {
                ov!(ov_infer_request_get_output_tensor_by_index(r, i, &mut t))
            },
            // SAFETY: see above.
            TensorSlot::OnlyInput => unsafe { ov!(ov_infer_request_get_input_tensor(r, &mut t)) },
            // SAFETY: see above.
            TensorSlot::OnlyOutput => unsafe { ov!(ov_infer_request_get_output_tensor(r, &mut t)) },
            TensorSlot::Port(port) => {
                // SAFETY: see above; a live port.
                unsafe {
                    ov!(ov_infer_request_get_tensor_by_const_port(
                        r,
                        port.as_ptr(),
                        &mut t
                    ))
                }
            }
        }?;
        if t.is_null() {
            // Checked here so that the callers' `Tensor::from_raw` never sees null.
            return Err(crate::Error::new(
                ErrorKind::NotAllocated,
                call,
                "OpenVINO reported success but returned no tensor",
            ));
        }
        Ok(t)
    }

    /// Reads a tensor of the request (inputs or outputs). The handle is a new reference to the
    /// request's tensor, owned (and freed once) by the returned value; it borrows the request.
    pub fn tensor<'s>(&self, slot: impl Into<TensorSlot<'s>>) -> Result<TensorRef<'_>> {
        let ptr = self.get(slot.into())?;
        // SAFETY: a new handle we own; its memory is the request's (zeroed at creation or written
        // by an inference or by the caller), valid while the request is borrowed.
        let tensor = unsafe { Tensor::from_raw(ptr, "InferRequest::tensor") }?;
        Ok(TensorRef {
            tensor,
            _request: PhantomData,
        })
    }

    /// Opens a tensor of the request for writing (typically an input before [`infer`](Self::infer)).
    pub fn tensor_mut<'s>(&mut self, slot: impl Into<TensorSlot<'s>>) -> Result<TensorMut<'_>> {
        let ptr = self.get(slot.into())?;
        // SAFETY: as in `tensor`; `&mut self` makes this the only view.
        let tensor = unsafe { Tensor::from_raw(ptr, "InferRequest::tensor_mut") }?;
        Ok(TensorMut {
            tensor,
            _request: PhantomData,
        })
    }

    /// Runs inference and waits for it.
    pub fn infer(&mut self) -> Result<()> {
        // SAFETY: a live request.
        unsafe { ov!(ov_infer_request_infer(self.as_ptr())) }?;
        self.ran = true;
        Ok(())
    }

    /// Waits until the inference started by [`start_async`](InferRequest::start_async) ends and
    /// returns its outcome. A request never started has nothing to wait for.
    pub fn wait(&mut self) -> Result<()> {
        // SAFETY: a live request.
        unsafe { ov!(ov_infer_request_wait(self.as_ptr())) }?;
        Ok(())
    }

    /// Waits at most `timeout` (OpenVINO counts whole milliseconds; shorter timeouts only look):
    /// `Ok(true)` when the inference has ended (or none was ever started), `Ok(false)` when it
    /// still runs. Timeouts too long for OpenVINO's clock arithmetic wait without a limit.
    pub fn wait_for(&mut self, timeout: Duration) -> Result<bool> {
        if !self.ran {
            return Ok(true);
        }
        let millis = timeout.as_millis();
        if millis > MAX_WAIT_MILLIS {
            return self.wait().map(|()| true);
        }
        // SAFETY: a live request; `millis` fits in i64 and cannot overflow OpenVINO's clock.
        match unsafe { ov!(ov_infer_request_wait_for(self.as_ptr(), millis as i64)) } {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::ResultNotReady => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Cancels a running inference.
    pub fn cancel(&mut self) -> Result<()> {
        // SAFETY: a live request.
        unsafe { ov!(ov_infer_request_cancel(self.as_ptr())) }?;
        Ok(())
    }

    /// Per-node timings of the last inference (needs [`PropertyKey::EnableProfiling`](crate::PropertyKey::EnableProfiling)
    /// set to `YES` when compiling).
    pub fn profiling_info(&self) -> Result<Vec<ProfilingInfo>> {
        let mut list = sys::ov_profiling_info_list_t::default();
        // SAFETY: a live request and a valid out-parameter.
        unsafe {
            ov!(ov_infer_request_get_profiling_info(
                self.as_ptr(),
                &mut list
            ))
        }?;
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
        unsafe { crate::ffi::ov_plain!(ov_profiling_info_list_free(&mut list)) };
        Ok(infos)
    }

    /// Starts the inference on OpenVINO's threads; the caller guarantees that everything it uses
    /// stays valid until it ends.
    fn start(&mut self) -> Result<()> {
        // SAFETY: a live request; the callers keep its memory valid until the inference ends.
        unsafe { ov!(ov_infer_request_start_async(self.as_ptr())) }?;
        self.ran = true;
        Ok(())
    }
}

impl InferRequest<'static> {
    /// Starts inference and returns at once; finish with [`wait`](Self::wait) or
    /// [`wait_for`](Self::wait_for) before reading outputs (until then the request answers
    /// [`ErrorKind::RequestBusy`]).
    ///
    /// Only for requests whose tensors borrow nothing (`'static`): the inference may outlive any
    /// borrow, because a request can be leaked without waiting. For tensors over borrowed memory
    /// use [`async_scope`].
    pub fn start_async(&mut self) -> Result<()> {
        self.start()
    }

    /// Calls `callback` (on an OpenVINO thread) each time an asynchronous inference completes,
    /// replacing the previous callback. A panic in the callback is caught and logged; it never
    /// unwinds into OpenVINO. A replaced callback is freed as soon as it is no longer running;
    /// the last one when the request is dropped.
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
    ///
    /// The callback may run after the caller's frame is gone, so it cannot borrow from it:
    ///
    /// ```compile_fail,E0597
    /// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
    /// use openvino::{Core, DeviceType};
    /// let core = Core::new()?;
    /// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
    /// let mut request = compiled.create_infer_request()?;
    /// let done = std::sync::atomic::AtomicBool::new(false);
    /// let flag = &done;
    /// request.set_callback(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))?;
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn set_callback(&mut self, callback: impl FnMut() + Send + 'static) -> Result<()> {
        let request = self.as_ptr();
        let cell = self.callback.get_or_create();
        // SAFETY: a live request; `cell` (and the `ov_callback_t` in it that OpenVINO keeps a
        // pointer to) lives at a fixed address until after the request is freed.
        unsafe { ov!(ov_infer_request_set_callback(request, &cell.c)) }?;
        let replaced = cell
            .closure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(Box::new(callback));
        // Dropped outside the lock: a closure's destructor may do anything.
        drop(replaced);
        Ok(())
    }
}

impl std::fmt::Debug for InferRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InferRequest").finish_non_exhaustive()
    }
}

type Closure = Box<dyn FnMut() + Send + 'static>;

/// The completion callback as OpenVINO sees it: `c.args` points at the cell itself. One per
/// request, at a fixed heap address; the closure inside can be replaced.
struct CallbackCell {
    c: sys::ov_callback_t,
    // Taken out while it runs (so that `set_callback` from inside the callback cannot free it
    // under its own feet), put back after unless it was replaced meanwhile.
    closure: Mutex<Option<Closure>>,
}

/// Owns the request's callback cell, freed when dropped (after the request; see the field order
/// of [`InferRequest`]). A raw pointer rather than a `Box`, because OpenVINO's threads reach the
/// cell through its address while the request, and this slot with it, may move.
struct CallbackSlot(Option<NonNull<CallbackCell>>);

impl CallbackSlot {
    fn get_or_create(&mut self) -> &CallbackCell {
        let cell = *self.0.get_or_insert_with(|| {
            let cell = Box::into_raw(Box::new(CallbackCell {
                c: sys::ov_callback_t {
                    callback_func: Some(trampoline),
                    args: ptr::null_mut(),
                },
                closure: Mutex::new(None),
            }));
            // SAFETY: just allocated, not yet shared with OpenVINO.
            unsafe { (*cell).c.args = cell.cast() };
            // SAFETY: `Box::into_raw` never returns null.
            unsafe { NonNull::new_unchecked(cell) }
        });
        // SAFETY: the cell lives until this slot is dropped, and is only ever shared (`&`).
        unsafe { cell.as_ref() }
    }
}

impl Drop for CallbackSlot {
    fn drop(&mut self) {
        if let Some(cell) = self.0 {
            // SAFETY: allocated by `Box::into_raw` in `get_or_create` and freed only here, after
            // the request was freed (so OpenVINO can no longer call into it).
            drop(unsafe { Box::from_raw(cell.as_ptr()) });
        }
    }
}

unsafe extern "C" fn trampoline(args: *mut c_void) {
    // Nothing may unwind into OpenVINO: not the closure, not the logger, not a destructor.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `args` is the cell registered by `set_callback`, alive until after the request
        // is freed, which waits for a running callback first.
        let cell = unsafe { &*(args as *const CallbackCell) };
        let lock = || cell.closure.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(mut closure) = lock().take() else {
            return;
        };
        let result = catch_unwind(AssertUnwindSafe(&mut closure));
        let replaced_meanwhile = {
            let mut slot = lock();
            if slot.is_none() {
                *slot = Some(closure);
                None
            } else {
                Some(closure)
            }
        };
        drop(replaced_meanwhile);
        if result.is_err() {
            log::error!(
                "an OpenVINO infer request callback panicked; the panic was stopped at the FFI boundary"
            );
        }
    }));
    if let Err(payload) = outcome {
        // A payload whose destructor panics must not unwind either.
        std::mem::forget(payload);
    }
}

/// Runs `f` with a scope in which infer requests may run asynchronously while their tensors
/// borrow caller memory: every request started with [`AsyncScope::start`] is waited for before
/// `async_scope` returns, also when `f` panics. The scope, and the wait, live in this function's
/// frame, which no caller can skip (unlike a guard value, which could be leaked).
///
/// Returns `f`'s result, or the first error of an inference that `f` started but did not wait
/// for.
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType, Shape, Tensor, async_scope};
/// let core = Core::new()?;
/// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
/// let shape = Shape::new(&[1, 4])?;
/// let (mut a, mut b, mut sum) = ([1.0f32; 4], [2.0f32; 4], [0.0f32; 4]);
/// let mut request = compiled.create_infer_request()?;
/// request.set_tensor("a", Tensor::from_slice(&shape, &mut a)?)?;
/// request.set_tensor("b", Tensor::from_slice(&shape, &mut b)?)?;
/// request.set_tensor("sum", Tensor::from_slice(&shape, &mut sum)?)?;
/// async_scope(|scope| -> openvino::Result<()> {
///     let running = scope.start(&mut request)?;
///     // ... other work while OpenVINO computes ...
///     let request = running.wait()?;
///     assert_eq!(request.tensor("sum")?.data::<f32>()?, &[3.0; 4]);
///     Ok(())
/// })??;
/// drop(request);
/// assert_eq!(sum, [3.0; 4]);
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// A running request cannot be used, or escape the scope:
///
/// ```compile_fail,E0499
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType, async_scope};
/// let core = Core::new()?;
/// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
/// let mut request = compiled.create_infer_request()?;
/// async_scope(|scope| {
///     let running = scope.start(&mut request);
///     let _ = request.tensor_mut("a"); // the inference may be reading it
///     drop(running);
/// })?;
/// # Ok::<(), openvino::Error>(())
/// ```
pub fn async_scope<'env, T>(
    f: impl for<'scope> FnOnce(&'scope AsyncScope<'scope, 'env>) -> T,
) -> Result<T> {
    // Lives in this frame and waits in its destructor, so even a panic in `f` cannot end the
    // frame, and with it the borrows of the requests' memory, before the inferences end.
    let pending = Pending(RefCell::new(Vec::new()));
    let scope = AsyncScope {
        pending: &pending,
        _scope: PhantomData,
        _env: PhantomData,
    };
    let result = f(&scope);
    pending.wait_all().map(|()| result)
}

/// Requests started in a scope and not yet waited for by the caller (`None` once waited).
struct Pending(RefCell<Vec<Option<NonNull<sys::ov_infer_request_t>>>>);

impl Pending {
    fn wait_all(&self) -> Result<()> {
        let mut first_error = Ok(());
        for request in self.0.borrow_mut().iter_mut() {
            if let Some(ptr) = request.take() {
                // SAFETY: the request is alive: it is borrowed for the scope's lifetime, which
                // ends only after `async_scope`'s frame (holding this list) is gone.
                let outcome = unsafe { ov!(ov_infer_request_wait(ptr.as_ptr())) };
                if first_error.is_ok() {
                    first_error = outcome.map(drop);
                }
            }
        }
        first_error
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        // Finds requests still pending only when `f` panicked: wait anyway, so that no inference
        // outlives the memory it borrows; the panic is the error being reported.
        let _ = self.wait_all();
    }
}

/// The scope of [`async_scope`]: starts requests, which are waited for when it ends.
pub struct AsyncScope<'scope, 'env: 'scope> {
    pending: &'scope Pending,
    // Invariant in both lifetimes, as `std::thread::Scope` is.
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

impl<'scope> AsyncScope<'scope, '_> {
    /// Starts an inference of `request`, which stays borrowed until the end of the scope (so it,
    /// and the caller memory it borrows, outlive the inference). [`Running::wait`] gives it back
    /// inside the scope once the inference ended.
    pub fn start<'data>(
        &'scope self,
        request: &'scope mut InferRequest<'data>,
    ) -> Result<Running<'scope, 'data>> {
        request.start()?;
        let mut pending = self.pending.0.borrow_mut();
        pending.push(Some(request.handle.as_non_null()));
        Ok(Running {
            request,
            index: pending.len() - 1,
            pending: self.pending,
        })
    }
}

impl std::fmt::Debug for AsyncScope<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncScope").finish_non_exhaustive()
    }
}

/// An inference started in an [`AsyncScope`].
pub struct Running<'scope, 'data> {
    request: &'scope mut InferRequest<'data>,
    index: usize,
    pending: &'scope Pending,
}

impl<'scope, 'data> Running<'scope, 'data> {
    /// Waits for the inference and gives the request back (to read its outputs), or returns the
    /// inference's error.
    pub fn wait(self) -> Result<&'scope mut InferRequest<'data>> {
        self.pending.0.borrow_mut()[self.index] = None;
        self.request.wait()?;
        Ok(self.request)
    }

    /// Waits at most `timeout` (see [`InferRequest::wait_for`]); `Ok(true)` once it ended.
    pub fn wait_for(&mut self, timeout: Duration) -> Result<bool> {
        self.request.wait_for(timeout)
    }

    /// Asks OpenVINO to cancel the inference; [`wait`](Self::wait) then reports
    /// [`ErrorKind::InferCancelled`] unless it had already ended.
    pub fn cancel(&mut self) -> Result<()> {
        self.request.cancel()
    }
}

impl std::fmt::Debug for Running<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").finish_non_exhaustive()
    }
}
