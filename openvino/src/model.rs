//! [`Model`] and its inputs and outputs, [`Port`] (`ov_output_const_port_t`).

use std::ffi::c_char;
use std::marker::PhantomData;
use std::ptr;

use openvino_sys as sys;

use crate::ffi::{Handle, cstring, ov, ov_plain, take_string};
use crate::shape::OwnedPartialShape;
use crate::{ElementType, Error, ErrorKind, PartialShape, Result, Shape};

/// A model read by a [`Core`](crate::Core) or built by a
/// [`PrePostProcessor`](crate::PrePostProcessor) (`ov_model_t`).
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, ElementType};
/// let core = Core::new()?;
/// let model = core.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// assert_eq!(model.inputs_len()?, 2);
/// let a = model.input_by_name("a")?;
/// assert_eq!(a.element_type()?, ElementType::F32);
/// assert_eq!(a.partial_shape()?.to_string(), "[1,4]");
/// assert!(!model.is_dynamic());
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// Ports borrow their model, so a model cannot change while a port reads it:
///
/// ```compile_fail,E0502
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, PartialShape};
/// let mut model = Core::new()?.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let a = model.input_by_name("a")?;
/// model.reshape_input("a", &PartialShape::from_static(&[2, 4]))?; // `a` is reading the model
/// let _ = a.partial_shape()?;
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// and a port stays on its model's thread (a `Model` is `Send`, not `Sync`):
///
/// ```compile_fail,E0277
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// let model = openvino::Core::new()?.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let a = model.input_by_name("a")?;
/// std::thread::scope(|s| {
///     s.spawn(|| a.partial_shape().map(|p| p.to_string()));
/// });
/// # Ok::<(), openvino::Error>(())
/// ```
#[doc(alias = "Network")]
#[doc(alias = "CNNNetwork")]
pub struct Model {
    handle: Handle<sys::ov_model_t>,
}

// SAFETY: ov_model_t holds the only handle this crate gives out to its ov::Model (reading,
// pre/post-processing and compiling never hand out a second one; see the soundness section),
// and OpenVINO's models have no thread affinity. It is not Sync: reshaping mutates the graph, and
// OpenVINO does not document concurrent reads of one model as safe.
unsafe impl Send for Model {}

/// The three getters of each port family (the only one, by index, by name), each naming its C
/// function once.
macro_rules! port_getters {
    ($count:ident;
     $(#[$doc_default:meta])* $default:ident => $c_default:ident,
     $(#[$doc_index:meta])* $index:ident => $c_index:ident,
     $(#[$doc_name:meta])* $name:ident => $c_name:ident) => {
        $(#[$doc_default])*
        pub fn $default(&self) -> Result<Port<'_>> {
            let mut port = ptr::null_mut();
            // SAFETY: a live object and a valid out-parameter.
            let call = unsafe { ov!($c_default(self.as_ptr(), &mut port)) }?;
            // SAFETY: a new port the caller owns, of this object.
            unsafe { Port::from_raw(port, call) }
        }

        $(#[$doc_index])*
        pub fn $index(&self, index: usize) -> Result<Port<'_>> {
            // OpenVINO reports a bad index as an unknown C++ exception; say it plainly.
            let len = self.$count()?;
            if index >= len {
                return Err(Error::new(
                    ErrorKind::OutOfBounds,
                    stringify!($c_index),
                    format!("index {index} is out of range: there are {len}"),
                ));
            }
            let mut port = ptr::null_mut();
            // SAFETY: a live object, an index in range and a valid out-parameter.
            let call = unsafe { ov!($c_index(self.as_ptr(), index, &mut port)) }?;
            // SAFETY: a new port the caller owns, of this object.
            unsafe { Port::from_raw(port, call) }
        }

        $(#[$doc_name])*
        pub fn $name(&self, name: &str) -> Result<Port<'_>> {
            let c_name = cstring(name, stringify!($name))?;
            let mut port = ptr::null_mut();
            // SAFETY: a live object, a C string and a valid out-parameter.
            let call = unsafe { ov!($c_name(self.as_ptr(), c_name.as_ptr(), &mut port)) }?;
            // SAFETY: a new port the caller owns, of this object.
            unsafe { Port::from_raw(port, call) }
        }
    };
}
pub(crate) use port_getters;

impl Model {
    /// # Safety
    /// `ptr` is null or an `ov_model_t` the caller owns, and no other `Model` reaches its
    /// `ov::Model`.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::ov_model_t, call: &'static str) -> Result<Self> {
        // SAFETY: per the contract.
        let handle = unsafe { Handle::new(ptr, call) }?;
        Ok(Self { handle })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_model_t {
        self.handle.as_ptr()
    }

    /// The number of inputs.
    pub fn inputs_len(&self) -> Result<usize> {
        let mut n = 0;
        // SAFETY: a live model and a valid out-parameter.
        unsafe { ov!(ov_model_inputs_size(self.as_ptr(), &mut n)) }?;
        Ok(n)
    }

    /// The number of outputs.
    pub fn outputs_len(&self) -> Result<usize> {
        let mut n = 0;
        // SAFETY: a live model and a valid out-parameter.
        unsafe { ov!(ov_model_outputs_size(self.as_ptr(), &mut n)) }?;
        Ok(n)
    }

    port_getters! { inputs_len;
        /// The only input (fails if there are several).
        input => ov_model_const_input,
        /// The input at `index` (`OutOfBounds` past the end).
        input_by_index => ov_model_const_input_by_index,
        /// The input with this tensor name (`General` error if none).
        input_by_name => ov_model_const_input_by_name
    }

    port_getters! { outputs_len;
        /// The only output (fails if there are several).
        output => ov_model_const_output,
        /// The output at `index`.
        output_by_index => ov_model_const_output_by_index,
        /// The output with this tensor name.
        output_by_name => ov_model_const_output_by_name
    }

    /// Every input, in order.
    pub fn inputs(&self) -> Result<Vec<Port<'_>>> {
        (0..self.inputs_len()?)
            .map(|i| self.input_by_index(i))
            .collect()
    }

    /// Every output, in order.
    pub fn outputs(&self) -> Result<Vec<Port<'_>>> {
        (0..self.outputs_len()?)
            .map(|i| self.output_by_index(i))
            .collect()
    }

    /// Whether any input or output has a dynamic shape.
    pub fn is_dynamic(&self) -> bool {
        // SAFETY: a live model.
        unsafe { ov_plain!(ov_model_is_dynamic(self.as_ptr())) }
    }

    /// The model's friendly name.
    pub fn friendly_name(&self) -> Result<String> {
        let mut name = ptr::null_mut();
        // SAFETY: a live model and a valid out-parameter.
        let call = unsafe { ov!(ov_model_get_friendly_name(self.as_ptr(), &mut name)) }?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(name, call) }
    }

    /// Reshapes the inputs named in `shapes` (`ov_model_reshape`).
    ///
    /// ```
    /// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
    /// use openvino::{Core, PartialShape, Dimension};
    /// let mut model = Core::new()?.read_model_from_buffer(model_xml.as_bytes(), None)?;
    /// let batch = PartialShape::new(&[Dimension::dynamic(), Dimension::new(4)]);
    /// model.reshape(&[("a", batch.clone()), ("b", batch)])?;
    /// assert!(model.is_dynamic());
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn reshape(&mut self, shapes: &[(&str, PartialShape)]) -> Result<()> {
        let names = shapes
            .iter()
            .map(|(n, _)| cstring(n, "Model::reshape"))
            .collect::<Result<Vec<_>>>()?;
        let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        let owned = shapes
            .iter()
            .map(|(_, s)| s.to_c())
            .collect::<Result<Vec<_>>>()?;
        let c_shapes: Vec<sys::ov_partial_shape_t> = owned.iter().map(|s| s.0).collect();
        // SAFETY: `len` names and shapes, all live for the call and only read.
        unsafe {
            ov!(ov_model_reshape(
                self.as_ptr(),
                name_ptrs.as_ptr().cast_mut(),
                c_shapes.as_ptr(),
                c_shapes.len(),
            ))
        }?;
        Ok(())
    }

    /// Reshapes one input by tensor name (`ov_model_reshape_input_by_name`).
    pub fn reshape_input(&mut self, name: &str, shape: &PartialShape) -> Result<()> {
        let name = cstring(name, "Model::reshape_input")?;
        let shape = shape.to_c()?;
        // SAFETY: a live model, C string and partial shape.
        unsafe {
            ov!(ov_model_reshape_input_by_name(
                self.as_ptr(),
                name.as_ptr(),
                shape.0
            ))
        }?;
        Ok(())
    }

    /// Reshapes a model with exactly one input (`ov_model_reshape_single_input`).
    pub fn reshape_single_input(&mut self, shape: &PartialShape) -> Result<()> {
        let shape = shape.to_c()?;
        // SAFETY: a live model and partial shape.
        unsafe { ov!(ov_model_reshape_single_input(self.as_ptr(), shape.0)) }?;
        Ok(())
    }

    /// Reshapes inputs by index (`ov_model_reshape_by_port_indexes`).
    pub fn reshape_by_indexes(&mut self, shapes: &[(usize, PartialShape)]) -> Result<()> {
        let len = self.inputs_len()?;
        if let Some((index, _)) = shapes.iter().find(|(i, _)| *i >= len) {
            return Err(Error::new(
                ErrorKind::OutOfBounds,
                "ov_model_reshape_by_port_indexes",
                format!("input index {index} is out of range: there are {len}"),
            ));
        }
        let indexes: Vec<usize> = shapes.iter().map(|(i, _)| *i).collect();
        let owned = shapes
            .iter()
            .map(|(_, s)| s.to_c())
            .collect::<Result<Vec<_>>>()?;
        let c_shapes: Vec<sys::ov_partial_shape_t> = owned.iter().map(|s| s.0).collect();
        // SAFETY: `len` indexes (in range) and shapes, live for the call.
        unsafe {
            ov!(ov_model_reshape_by_port_indexes(
                self.as_ptr(),
                indexes.as_ptr(),
                c_shapes.as_ptr(),
                c_shapes.len(),
            ))
        }?;
        Ok(())
    }
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("name", &self.friendly_name().unwrap_or_default())
            .finish()
    }
}

/// The graph a [`CompiledModel`](crate::CompiledModel) runs
/// ([`CompiledModel::runtime_model`](crate::CompiledModel::runtime_model)), read-only: OpenVINO
/// hands it out as a `const` model (the C API casts the `const` away), so this type offers only
/// [`Model`]'s reading methods, through `Deref`.
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType};
/// let core = Core::new()?;
/// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
/// let runtime = compiled.runtime_model()?;
/// assert_eq!(runtime.inputs_len()?, 2);
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// ```compile_fail,E0596
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, DeviceType, PartialShape};
/// let core = Core::new()?;
/// let compiled = core.compile_model(&core.read_model_from_buffer(model_xml.as_bytes(), None)?, &DeviceType::CPU, &[])?;
/// let mut runtime = compiled.runtime_model()?;
/// runtime.reshape_input("a", &PartialShape::from_static(&[2, 4]))?; // a const graph
/// # Ok::<(), openvino::Error>(())
/// ```
#[derive(Debug)]
pub struct RuntimeModel {
    model: Model,
    // Dropped after `model`: the imported blob the graph may point into (see `CompiledModel`).
    _blob: Option<std::sync::Arc<[u8]>>,
}

impl RuntimeModel {
    pub(crate) fn new(model: Model, blob: Option<std::sync::Arc<[u8]>>) -> Self {
        Self { model, _blob: blob }
    }
}

impl std::ops::Deref for RuntimeModel {
    type Target = Model;
    fn deref(&self) -> &Model {
        &self.model
    }
}

/// An input or output of a [`Model`] or [`CompiledModel`](crate::CompiledModel), read-only
/// (`ov_output_const_port_t`). It borrows its owner: a model cannot be reshaped while one of its
/// ports reads it.
///
/// A port holds a reference to its node inside the owner's graph, so it is neither `Send` nor
/// `Sync` (as a borrow of a `Model`, which is not `Sync`, would not be). Ports are cheap: take
/// them on the thread that uses them.
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// let model = openvino::Core::new()?.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let output = model.output()?;
/// assert_eq!(output.name()?, "sum");
/// assert_eq!(output.shape()?.dims(), &[1, 4]);
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct Port<'owner> {
    handle: Handle<sys::ov_output_const_port_t>,
    _owner: PhantomData<&'owner Model>,
}

impl Port<'_> {
    /// # Safety
    /// `ptr` is null or a port the caller owns, of the object the lifetime borrows.
    pub(crate) unsafe fn from_raw(
        ptr: *mut sys::ov_output_const_port_t,
        call: &'static str,
    ) -> Result<Self> {
        // SAFETY: per the contract.
        let handle = unsafe { Handle::new(ptr, call) }?;
        Ok(Self {
            handle,
            _owner: PhantomData,
        })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_output_const_port_t {
        self.handle.as_ptr()
    }

    /// One of the port's tensor names (`ov_port_get_any_name`).
    pub fn name(&self) -> Result<String> {
        let mut name = ptr::null_mut();
        // SAFETY: a live port and a valid out-parameter.
        let call = unsafe { ov!(ov_port_get_any_name(self.as_ptr(), &mut name)) }?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(name, call) }
    }

    /// The element type.
    pub fn element_type(&self) -> Result<ElementType> {
        let mut t = 0;
        // SAFETY: a live port and a valid out-parameter.
        unsafe { ov!(ov_port_get_element_type(self.as_ptr(), &mut t)) }?;
        ElementType::from_c(t)
    }

    /// The shape, which may be dynamic.
    pub fn partial_shape(&self) -> Result<PartialShape> {
        let mut shape = sys::ov_partial_shape_t::default();
        // SAFETY: a live port and a valid out-parameter.
        unsafe { ov!(ov_port_get_partial_shape(self.as_ptr(), &mut shape)) }?;
        let owned = OwnedPartialShape(shape);
        Ok(PartialShape::from_c(&owned.0))
    }

    /// The static shape (an error for dynamic shapes).
    pub fn shape(&self) -> Result<Shape> {
        let mut shape = sys::ov_shape_t::default();
        // SAFETY: a live port and a valid out-parameter.
        unsafe { ov!(ov_const_port_get_shape(self.as_ptr(), &mut shape)) }?;
        // SAFETY: filled by OpenVINO.
        unsafe { Shape::take_c(shape) }
    }
}

impl std::fmt::Debug for Port<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Port")
            .field("name", &self.name().unwrap_or_default())
            .field("element_type", &self.element_type().ok())
            .field("shape", &self.partial_shape().ok().map(|s| s.to_string()))
            .finish()
    }
}
