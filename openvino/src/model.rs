//! [`Model`] and its ports: [`Port`] (read-only, `ov_output_const_port_t`) and [`MutablePort`]
//! (`ov_output_port_t`, for reshaping and binding tensors by port).

use std::ffi::c_char;
use std::ptr::{self, NonNull};

use openvino_sys as sys;

use crate::error::check;
use crate::ffi::{cstring, take_string};
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
#[doc(alias = "Network")]
#[doc(alias = "CNNNetwork")]
pub struct Model {
    ptr: NonNull<sys::ov_model_t>,
}

// SAFETY: ov_model_t holds a shared_ptr<ov::Model> with no thread affinity. It is not Sync:
// reshaping mutates it and OpenVINO does not document concurrent access as safe.
unsafe impl Send for Model {}

macro_rules! port_getters {
    ($count:ident, $port:ident, $wrap:path;
     $(#[$doc_default:meta])* $default:ident => $c_default:ident,
     $(#[$doc_index:meta])* $index:ident => $c_index:ident,
     $(#[$doc_name:meta])* $name:ident => $c_name:ident) => {
        $(#[$doc_default])*
        pub fn $default(&self) -> Result<$port> {
            let mut port = ptr::null_mut();
            // SAFETY: a live object and a valid out-parameter.
            check(unsafe { sys::$c_default(self.as_ptr(), &mut port) }, stringify!($c_default))?;
            // SAFETY: the new port is owned by the wrapper.
            unsafe { $wrap(port, stringify!($c_default)) }
        }

        $(#[$doc_index])*
        pub fn $index(&self, index: usize) -> Result<$port> {
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
            // SAFETY: a live object and a valid out-parameter; OpenVINO checks the index.
            check(unsafe { sys::$c_index(self.as_ptr(), index, &mut port) }, stringify!($c_index))?;
            // SAFETY: the new port is owned by the wrapper.
            unsafe { $wrap(port, stringify!($c_index)) }
        }

        $(#[$doc_name])*
        pub fn $name(&self, name: &str) -> Result<$port> {
            let c_name = cstring(name, stringify!($name))?;
            let mut port = ptr::null_mut();
            // SAFETY: a live object, a C string and a valid out-parameter.
            check(unsafe { sys::$c_name(self.as_ptr(), c_name.as_ptr(), &mut port) }, stringify!($c_name))?;
            // SAFETY: the new port is owned by the wrapper.
            unsafe { $wrap(port, stringify!($c_name)) }
        }
    };
}
pub(crate) use port_getters;

impl Model {
    /// # Safety
    /// `ptr` is null or an `ov_model_t` the caller owns.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::ov_model_t, call: &'static str) -> Result<Self> {
        crate::ffi::non_null(ptr, call, "model").map(|ptr| Self { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_model_t {
        self.ptr.as_ptr()
    }

    /// The number of inputs.
    pub fn inputs_len(&self) -> Result<usize> {
        let mut n = 0;
        // SAFETY: a live model and a valid out-parameter.
        check(
            unsafe { sys::ov_model_inputs_size(self.as_ptr(), &mut n) },
            "ov_model_inputs_size",
        )?;
        Ok(n)
    }

    /// The number of outputs.
    pub fn outputs_len(&self) -> Result<usize> {
        let mut n = 0;
        // SAFETY: a live model and a valid out-parameter.
        check(
            unsafe { sys::ov_model_outputs_size(self.as_ptr(), &mut n) },
            "ov_model_outputs_size",
        )?;
        Ok(n)
    }

    port_getters! { inputs_len, Port, Port::from_raw;
        /// The only input (fails if there are several).
        input => ov_model_const_input,
        /// The input at `index` (`OutOfBounds` past the end).
        input_by_index => ov_model_const_input_by_index,
        /// The input with this tensor name (`General` error if none).
        input_by_name => ov_model_const_input_by_name
    }

    port_getters! { outputs_len, Port, Port::from_raw;
        /// The only output (fails if there are several).
        output => ov_model_const_output,
        /// The output at `index`.
        output_by_index => ov_model_const_output_by_index,
        /// The output with this tensor name.
        output_by_name => ov_model_const_output_by_name
    }

    port_getters! { inputs_len, MutablePort, MutablePort::from_raw;
        /// The only input, as a mutable port (for [`reshape_by_ports`](Self::reshape_by_ports)).
        input_mut => ov_model_input,
        /// The input at `index`, as a mutable port.
        input_mut_by_index => ov_model_input_by_index,
        /// The input with this tensor name, as a mutable port.
        input_mut_by_name => ov_model_input_by_name
    }

    port_getters! { outputs_len, MutablePort, MutablePort::from_raw;
        /// The only output, as a mutable port.
        output_mut => ov_model_output,
        /// The output at `index`, as a mutable port.
        output_mut_by_index => ov_model_output_by_index,
        /// The output with this tensor name, as a mutable port.
        output_mut_by_name => ov_model_output_by_name
    }

    /// Every input, in order.
    pub fn inputs(&self) -> Result<Vec<Port>> {
        (0..self.inputs_len()?)
            .map(|i| self.input_by_index(i))
            .collect()
    }

    /// Every output, in order.
    pub fn outputs(&self) -> Result<Vec<Port>> {
        (0..self.outputs_len()?)
            .map(|i| self.output_by_index(i))
            .collect()
    }

    /// Whether any input or output has a dynamic shape.
    pub fn is_dynamic(&self) -> bool {
        // SAFETY: a live model.
        unsafe { sys::ov_model_is_dynamic(self.as_ptr()) }
    }

    /// The model's friendly name.
    pub fn friendly_name(&self) -> Result<String> {
        let mut name = ptr::null_mut();
        // SAFETY: a live model and a valid out-parameter.
        check(
            unsafe { sys::ov_model_get_friendly_name(self.as_ptr(), &mut name) },
            "ov_model_get_friendly_name",
        )?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(name, "ov_model_get_friendly_name") }
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
        // SAFETY: `len` names and shapes, all live for the call.
        check(
            unsafe {
                sys::ov_model_reshape(
                    self.as_ptr(),
                    name_ptrs.as_ptr() as *mut _,
                    c_shapes.as_ptr(),
                    c_shapes.len(),
                )
            },
            "ov_model_reshape",
        )
    }

    /// Reshapes one input by tensor name (`ov_model_reshape_input_by_name`).
    pub fn reshape_input(&mut self, name: &str, shape: &PartialShape) -> Result<()> {
        let name = cstring(name, "Model::reshape_input")?;
        let shape = shape.to_c()?;
        // SAFETY: a live model, C string and partial shape.
        check(
            unsafe { sys::ov_model_reshape_input_by_name(self.as_ptr(), name.as_ptr(), shape.0) },
            "ov_model_reshape_input_by_name",
        )
    }

    /// Reshapes a model with exactly one input (`ov_model_reshape_single_input`).
    pub fn reshape_single_input(&mut self, shape: &PartialShape) -> Result<()> {
        let shape = shape.to_c()?;
        // SAFETY: a live model and partial shape.
        check(
            unsafe { sys::ov_model_reshape_single_input(self.as_ptr(), shape.0) },
            "ov_model_reshape_single_input",
        )
    }

    /// Reshapes inputs by index (`ov_model_reshape_by_port_indexes`).
    pub fn reshape_by_indexes(&mut self, shapes: &[(usize, PartialShape)]) -> Result<()> {
        let indexes: Vec<usize> = shapes.iter().map(|(i, _)| *i).collect();
        let owned = shapes
            .iter()
            .map(|(_, s)| s.to_c())
            .collect::<Result<Vec<_>>>()?;
        let c_shapes: Vec<sys::ov_partial_shape_t> = owned.iter().map(|s| s.0).collect();
        // SAFETY: `len` indexes and shapes, live for the call; OpenVINO checks the indexes.
        check(
            unsafe {
                sys::ov_model_reshape_by_port_indexes(
                    self.as_ptr(),
                    indexes.as_ptr(),
                    c_shapes.as_ptr(),
                    c_shapes.len(),
                )
            },
            "ov_model_reshape_by_port_indexes",
        )
    }

    /// Reshapes inputs by port (`ov_model_reshape_by_ports`).
    pub fn reshape_by_ports(&mut self, shapes: &[(&MutablePort, PartialShape)]) -> Result<()> {
        let ports: Vec<*const sys::ov_output_port_t> =
            shapes.iter().map(|(p, _)| p.as_ptr() as *const _).collect();
        let owned = shapes
            .iter()
            .map(|(_, s)| s.to_c())
            .collect::<Result<Vec<_>>>()?;
        let c_shapes: Vec<sys::ov_partial_shape_t> = owned.iter().map(|s| s.0).collect();
        // SAFETY: `len` live ports and shapes for the call.
        check(
            unsafe {
                sys::ov_model_reshape_by_ports(
                    self.as_ptr(),
                    ports.as_ptr() as *mut _,
                    c_shapes.as_ptr(),
                    c_shapes.len(),
                )
            },
            "ov_model_reshape_by_ports",
        )
    }
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("name", &self.friendly_name().unwrap_or_default())
            .finish()
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: owned handle, freed exactly once.
        unsafe { sys::ov_model_free(self.as_ptr()) };
    }
}

/// An input or output of a [`Model`] or [`CompiledModel`](crate::CompiledModel), read-only
/// (`ov_output_const_port_t`).
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// let model = openvino::Core::new()?.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let output = model.output()?;
/// assert_eq!(output.name()?, "sum");
/// assert_eq!(output.shape()?.dims(), &[1, 4]);
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct Port {
    ptr: NonNull<sys::ov_output_const_port_t>,
}

// SAFETY: a port holds a shared_ptr to its node and is only read.
unsafe impl Send for Port {}
// SAFETY: every method calls a const C function.
unsafe impl Sync for Port {}

impl Port {
    /// # Safety
    /// `ptr` is null or a port the caller owns.
    pub(crate) unsafe fn from_raw(
        ptr: *mut sys::ov_output_const_port_t,
        call: &'static str,
    ) -> Result<Self> {
        crate::ffi::non_null(ptr, call, "port").map(|ptr| Self { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_output_const_port_t {
        self.ptr.as_ptr()
    }

    /// One of the port's tensor names (`ov_port_get_any_name`).
    pub fn name(&self) -> Result<String> {
        let mut name = ptr::null_mut();
        // SAFETY: a live port and a valid out-parameter.
        check(
            unsafe { sys::ov_port_get_any_name(self.as_ptr(), &mut name) },
            "ov_port_get_any_name",
        )?;
        // SAFETY: allocated for the caller.
        unsafe { take_string(name, "ov_port_get_any_name") }
    }

    /// The element type.
    pub fn element_type(&self) -> Result<ElementType> {
        let mut t = 0;
        // SAFETY: a live port and a valid out-parameter.
        check(
            unsafe { sys::ov_port_get_element_type(self.as_ptr(), &mut t) },
            "ov_port_get_element_type",
        )?;
        ElementType::from_c(t)
    }

    /// The shape, which may be dynamic.
    pub fn partial_shape(&self) -> Result<PartialShape> {
        let mut shape = sys::ov_partial_shape_t::default();
        // SAFETY: a live port and a valid out-parameter.
        check(
            unsafe { sys::ov_port_get_partial_shape(self.as_ptr(), &mut shape) },
            "ov_port_get_partial_shape",
        )?;
        let owned = OwnedPartialShape(shape);
        Ok(PartialShape::from_c(&owned.0))
    }

    /// The static shape (an error for dynamic shapes).
    pub fn shape(&self) -> Result<Shape> {
        let mut shape = sys::ov_shape_t::default();
        // SAFETY: a live port and a valid out-parameter.
        check(
            unsafe { sys::ov_const_port_get_shape(self.as_ptr(), &mut shape) },
            "ov_const_port_get_shape",
        )?;
        // SAFETY: filled by OpenVINO.
        unsafe { Shape::take_c(shape) }
    }
}

impl std::fmt::Debug for Port {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Port")
            .field("name", &self.name().unwrap_or_default())
            .field("element_type", &self.element_type().ok())
            .field("shape", &self.partial_shape().ok().map(|s| s.to_string()))
            .finish()
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        // SAFETY: owned handle, freed exactly once.
        unsafe { sys::ov_output_const_port_free(self.as_ptr()) };
    }
}

/// A model input or output that can be used to reshape the model (`ov_output_port_t`).
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::PartialShape;
/// let mut model = openvino::Core::new()?.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let (a, b) = (model.input_mut_by_index(0)?, model.input_mut_by_index(1)?);
/// model.reshape_by_ports(&[(&a, PartialShape::from_static(&[2, 4])), (&b, PartialShape::from_static(&[2, 4]))])?;
/// assert_eq!(a.shape()?.dims(), &[2, 4]);
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct MutablePort {
    ptr: NonNull<sys::ov_output_port_t>,
}

// SAFETY: a port holds a shared_ptr to its node; mutation happens through &mut Model.
unsafe impl Send for MutablePort {}

impl MutablePort {
    /// # Safety
    /// `ptr` is null or a port the caller owns.
    pub(crate) unsafe fn from_raw(
        ptr: *mut sys::ov_output_port_t,
        call: &'static str,
    ) -> Result<Self> {
        crate::ffi::non_null(ptr, call, "port").map(|ptr| Self { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_output_port_t {
        self.ptr.as_ptr()
    }

    /// The static shape (`ov_port_get_shape`; an error for dynamic shapes).
    pub fn shape(&self) -> Result<Shape> {
        let mut shape = sys::ov_shape_t::default();
        // SAFETY: a live port and a valid out-parameter.
        check(
            unsafe { sys::ov_port_get_shape(self.as_ptr(), &mut shape) },
            "ov_port_get_shape",
        )?;
        // SAFETY: filled by OpenVINO.
        unsafe { Shape::take_c(shape) }
    }
}

impl std::fmt::Debug for MutablePort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MutablePort")
            .field("shape", &self.shape().ok())
            .finish()
    }
}

impl Drop for MutablePort {
    fn drop(&mut self) {
        // SAFETY: owned handle, freed exactly once.
        unsafe { sys::ov_output_port_free(self.as_ptr()) };
    }
}
