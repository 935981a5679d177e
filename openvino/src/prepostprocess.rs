//! [`PrePostProcessor`]: adds pre- and post-processing steps to a model, so the device does the
//! conversions (element type, layout, colour, resize, mean/scale) during inference.

use std::ffi::c_char;
use std::marker::PhantomData;
use std::ptr;

use openvino_sys as sys;

use crate::ffi::{Handle, cstring, ov};
use crate::{ElementType, Error, ErrorKind, Layout, Model, Result, Tensor};

/// Colour formats for image inputs (`ov_color_format_e`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum ColorFormat {
    /// Undefined.
    Undefined,
    /// NV12 in one tensor.
    NV12SinglePlane,
    /// NV12 as separate Y and UV tensors.
    NV12TwoPlanes,
    /// I420 in one tensor.
    I420SinglePlane,
    /// I420 as separate Y, U and V tensors.
    I420ThreePlanes,
    /// Interleaved RGB.
    RGB,
    /// Interleaved BGR.
    BGR,
    /// One grey channel.
    GRAY,
    /// Interleaved RGB plus an ignored channel.
    RGBX,
    /// Interleaved BGR plus an ignored channel.
    BGRX,
}

impl ColorFormat {
    fn to_c(self) -> sys::ov_color_format_e {
        match self {
            ColorFormat::Undefined => sys::ov_color_format_e_UNDEFINE,
            ColorFormat::NV12SinglePlane => sys::ov_color_format_e_NV12_SINGLE_PLANE,
            ColorFormat::NV12TwoPlanes => sys::ov_color_format_e_NV12_TWO_PLANES,
            ColorFormat::I420SinglePlane => sys::ov_color_format_e_I420_SINGLE_PLANE,
            ColorFormat::I420ThreePlanes => sys::ov_color_format_e_I420_THREE_PLANES,
            ColorFormat::RGB => sys::ov_color_format_e_RGB,
            ColorFormat::BGR => sys::ov_color_format_e_BGR,
            ColorFormat::GRAY => sys::ov_color_format_e_GRAY,
            ColorFormat::RGBX => sys::ov_color_format_e_RGBX,
            ColorFormat::BGRX => sys::ov_color_format_e_BGRX,
        }
    }
}

/// Interpolation for [`PreprocessSteps::resize`] (`ov_preprocess_resize_algorithm_e`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResizeAlgorithm {
    /// Linear.
    Linear,
    /// Cubic.
    Cubic,
    /// Nearest neighbour.
    Nearest,
}

/// How [`PreprocessSteps::pad`] fills (`ov_padding_mode_e`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaddingMode {
    /// With the given value.
    Constant,
    /// With the edge values.
    Edge,
    /// Mirrored, edges not repeated.
    Reflect,
    /// Mirrored, edges repeated.
    Symmetric,
}

/// Builds pre- and post-processing into a model (`ov_preprocess_prepostprocessor_t`).
///
/// OpenVINO edits the model in place and hands the same model back from
/// [`build`](Self::build), so the processor takes the model by value: there is never a second
/// [`Model`] over the graph being edited.
///
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, ElementType, Layout, PrePostProcessor};
/// let core = Core::new()?;
/// let model = core.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let ppp = PrePostProcessor::new(model)?;
/// {
///     // Info handles borrow the processor: scope them before `build`.
///     let input = ppp.input_by_name("a")?;
///     input.tensor()?.set_element_type(ElementType::U8)?;
///     input.preprocess()?.convert_element_type(ElementType::F32)?.scale(2.0)?;
///     ppp.output()?.tensor()?.set_element_type(ElementType::F32)?;
/// }
/// let model = ppp.build()?;
/// assert_eq!(model.input_by_name("a")?.element_type()?, ElementType::U8);
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// The model given to the processor is gone; only the built one remains:
///
/// ```compile_fail,E0382
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, PrePostProcessor};
/// let model = Core::new()?.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let built = PrePostProcessor::new(model)?.build()?;
/// let _ = model.inputs_len()?; // would be a second handle to `built`'s graph
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct PrePostProcessor {
    handle: Handle<sys::ov_preprocess_prepostprocessor_t>,
    // The model being edited (the processor holds its own reference too); `build` returns the
    // same ov::Model under a new handle and drops this one.
    model: Model,
}

/// One owning wrapper per pre/post-processing info handle. These handles point into the
/// processor's own state, so each borrows the processor (`'p`).
macro_rules! info_handles {
    ($($(#[$doc:meta])* $name:ident => $c:ident;)*) => {$(
        $(#[$doc])*
        pub struct $name<'p> {
            handle: Handle<sys::$c>,
            _processor: PhantomData<&'p PrePostProcessor>,
        }

        impl $name<'_> {
            /// # Safety
            /// `ptr` is null or a handle the caller owns, into the processor `'p` borrows.
            unsafe fn from_raw(ptr: *mut sys::$c, call: &'static str) -> Result<Self> {
                // SAFETY: per the contract.
                let handle = unsafe { Handle::new(ptr, call) }?;
                Ok(Self { handle, _processor: PhantomData })
            }

            fn as_ptr(&self) -> *mut sys::$c {
                self.handle.as_ptr()
            }
        }

        impl std::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    )*};
}

info_handles! {
    /// One input's pre-processing (`ov_preprocess_input_info_t`); see [`PrePostProcessor`].
    InputInfo => ov_preprocess_input_info_t;
    /// What the caller's input tensor looks like (`ov_preprocess_input_tensor_info_t`).
    InputTensorInfo => ov_preprocess_input_tensor_info_t;
    /// The conversion steps of one input (`ov_preprocess_preprocess_steps_t`).
    PreprocessSteps => ov_preprocess_preprocess_steps_t;
    /// What the model expects of one input (`ov_preprocess_input_model_info_t`).
    InputModelInfo => ov_preprocess_input_model_info_t;
    /// One output's post-processing (`ov_preprocess_output_info_t`).
    OutputInfo => ov_preprocess_output_info_t;
    /// What the caller's output tensor should look like (`ov_preprocess_output_tensor_info_t`).
    OutputTensorInfo => ov_preprocess_output_tensor_info_t;
}

/// A getter of an info handle: calls `$c` on `$self` (with the extra arguments) and wraps the
/// new handle as `$wrap`, naming the C function once.
macro_rules! info_getter {
    ($self:ident, $wrap:ident, $c:ident ( $($arg:expr),* )) => {{
        let mut p = ptr::null_mut();
        // SAFETY: a live handle, arguments valid for the call (C strings live until it returns;
        // OpenVINO checks indexes) and a valid out-parameter.
        let call = unsafe { ov!($c($self.as_ptr(), $($arg,)* &mut p)) }?;
        // SAFETY: a new handle the caller owns, into the same processor.
        unsafe { $wrap::from_raw(p, call) }
    }};
}

impl PrePostProcessor {
    /// Starts pre/post-processing for `model`; [`build`](Self::build) returns the result.
    pub fn new(model: Model) -> Result<Self> {
        let mut ptr = ptr::null_mut();
        // SAFETY: a live model and a valid out-parameter.
        let call = unsafe {
            ov!(ov_preprocess_prepostprocessor_create(
                model.as_ptr(),
                &mut ptr
            ))
        }?;
        // SAFETY: a new processor the caller owns.
        let handle = unsafe { Handle::new(ptr, call) }?;
        Ok(Self { handle, model })
    }

    fn as_ptr(&self) -> *mut sys::ov_preprocess_prepostprocessor_t {
        self.handle.as_ptr()
    }

    /// The only input.
    pub fn input(&self) -> Result<InputInfo<'_>> {
        info_getter!(
            self,
            InputInfo,
            ov_preprocess_prepostprocessor_get_input_info()
        )
    }

    /// The input with this tensor name.
    pub fn input_by_name(&self, name: &str) -> Result<InputInfo<'_>> {
        let name = cstring(name, "PrePostProcessor::input_by_name")?;
        info_getter!(
            self,
            InputInfo,
            ov_preprocess_prepostprocessor_get_input_info_by_name(name.as_ptr())
        )
    }

    /// The input at `index`.
    pub fn input_by_index(&self, index: usize) -> Result<InputInfo<'_>> {
        info_getter!(
            self,
            InputInfo,
            ov_preprocess_prepostprocessor_get_input_info_by_index(index)
        )
    }

    /// The only output.
    pub fn output(&self) -> Result<OutputInfo<'_>> {
        info_getter!(
            self,
            OutputInfo,
            ov_preprocess_prepostprocessor_get_output_info()
        )
    }

    /// The output with this tensor name.
    pub fn output_by_name(&self, name: &str) -> Result<OutputInfo<'_>> {
        let name = cstring(name, "PrePostProcessor::output_by_name")?;
        info_getter!(
            self,
            OutputInfo,
            ov_preprocess_prepostprocessor_get_output_info_by_name(name.as_ptr())
        )
    }

    /// The output at `index`.
    pub fn output_by_index(&self, index: usize) -> Result<OutputInfo<'_>> {
        info_getter!(
            self,
            OutputInfo,
            ov_preprocess_prepostprocessor_get_output_info_by_index(index)
        )
    }

    /// Applies the steps and returns the model, now with them built in.
    pub fn build(self) -> Result<Model> {
        let mut model = ptr::null_mut();
        // SAFETY: a live processor and a valid out-parameter.
        let call = unsafe {
            ov!(ov_preprocess_prepostprocessor_build(
                self.as_ptr(),
                &mut model
            ))
        }?;
        // The new handle reaches the same ov::Model as `self.model`, which goes with `self` here:
        // one handle remains.
        drop(self);
        // SAFETY: a new model handle the caller owns, and the only one to its ov::Model.
        unsafe { Model::from_raw(model, call) }
    }
}

impl std::fmt::Debug for PrePostProcessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrePostProcessor")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

impl<'p> InputInfo<'p> {
    /// What the caller will pass.
    pub fn tensor(&self) -> Result<InputTensorInfo<'p>> {
        info_getter!(
            self,
            InputTensorInfo,
            ov_preprocess_input_info_get_tensor_info()
        )
    }

    /// The conversion steps.
    pub fn preprocess(&self) -> Result<PreprocessSteps<'p>> {
        info_getter!(
            self,
            PreprocessSteps,
            ov_preprocess_input_info_get_preprocess_steps()
        )
    }

    /// What the model expects.
    pub fn model(&self) -> Result<InputModelInfo<'p>> {
        info_getter!(
            self,
            InputModelInfo,
            ov_preprocess_input_info_get_model_info()
        )
    }
}

impl InputTensorInfo<'_> {
    /// The element type the caller passes.
    pub fn set_element_type(&mut self, element_type: ElementType) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe {
            ov!(ov_preprocess_input_tensor_info_set_element_type(
                self.as_ptr(),
                element_type.to_c(),
            ))
        }?;
        Ok(self)
    }

    /// The layout the caller passes.
    pub fn set_layout(&mut self, layout: &Layout) -> Result<&mut Self> {
        // SAFETY: live handles.
        unsafe {
            ov!(ov_preprocess_input_tensor_info_set_layout(
                self.as_ptr(),
                layout.as_ptr()
            ))
        }?;
        Ok(self)
    }

    /// The colour format the caller passes.
    pub fn set_color_format(&mut self, format: ColorFormat) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe {
            ov!(ov_preprocess_input_tensor_info_set_color_format(
                self.as_ptr(),
                format.to_c()
            ))
        }?;
        Ok(self)
    }

    /// A multi-plane colour format with the names of its planes' tensors.
    pub fn set_color_format_with_subnames(
        &mut self,
        format: ColorFormat,
        sub_names: &[&str],
    ) -> Result<&mut Self> {
        let owned = sub_names
            .iter()
            .map(|n| cstring(n, "InputTensorInfo::set_color_format_with_subnames"))
            .collect::<Result<Vec<_>>>()?;
        let ptrs: Vec<*const c_char> = owned.iter().map(|n| n.as_ptr()).collect();
        // SAFETY: a live handle and `len` C strings live for the call.
        unsafe {
            ov!(
                ov_preprocess_input_tensor_info_set_color_format_with_subnames(
                    self.as_ptr(),
                    format.to_c(),
                    ptrs.len(),
                    ptrs.as_ptr() as *mut _,
                )
            )
        }?;
        Ok(self)
    }

    /// A fixed height and width for the caller's images (then resized by a step).
    pub fn set_spatial_static_shape(&mut self, height: usize, width: usize) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe {
            ov!(ov_preprocess_input_tensor_info_set_spatial_static_shape(
                self.as_ptr(),
                height,
                width,
            ))
        }?;
        Ok(self)
    }

    /// The memory type of the caller's tensor (e.g. `GPU_SURFACE`).
    pub fn set_memory_type(&mut self, memory_type: &str) -> Result<&mut Self> {
        let memory_type = cstring(memory_type, "InputTensorInfo::set_memory_type")?;
        // SAFETY: a live handle and a C string.
        unsafe {
            ov!(ov_preprocess_input_tensor_info_set_memory_type(
                self.as_ptr(),
                memory_type.as_ptr(),
            ))
        }?;
        Ok(self)
    }

    /// Takes element type and shape from an example tensor.
    pub fn set_from(&mut self, tensor: &Tensor<'_>) -> Result<&mut Self> {
        // SAFETY: live handles; only the tensor's type and shape are read.
        unsafe {
            ov!(ov_preprocess_input_tensor_info_set_from(
                self.as_ptr(),
                tensor.as_ptr()
            ))
        }?;
        Ok(self)
    }
}

impl PreprocessSteps<'_> {
    /// Resizes to the model's spatial shape.
    pub fn resize(&mut self, algorithm: ResizeAlgorithm) -> Result<&mut Self> {
        let algorithm = match algorithm {
            ResizeAlgorithm::Linear => sys::ov_preprocess_resize_algorithm_e_RESIZE_LINEAR,
            ResizeAlgorithm::Cubic => sys::ov_preprocess_resize_algorithm_e_RESIZE_CUBIC,
            ResizeAlgorithm::Nearest => sys::ov_preprocess_resize_algorithm_e_RESIZE_NEAREST,
        };
        // SAFETY: a live handle.
        unsafe {
            ov!(ov_preprocess_preprocess_steps_resize(
                self.as_ptr(),
                algorithm
            ))
        }?;
        Ok(self)
    }

    /// Divides every element by `value`.
    pub fn scale(&mut self, value: f32) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe { ov!(ov_preprocess_preprocess_steps_scale(self.as_ptr(), value)) }?;
        Ok(self)
    }

    /// Divides each channel by its value.
    pub fn scale_channels(&mut self, values: &[f32]) -> Result<&mut Self> {
        let n =
            i32::try_from(values.len()).map_err(|_| too_many("PreprocessSteps::scale_channels"))?;
        // SAFETY: a live handle; `values` is read during the call.
        unsafe {
            ov!(ov_preprocess_preprocess_steps_scale_multi_channels(
                self.as_ptr(),
                values.as_ptr(),
                n,
            ))
        }?;
        Ok(self)
    }

    /// Subtracts `value` from every element.
    pub fn mean(&mut self, value: f32) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe { ov!(ov_preprocess_preprocess_steps_mean(self.as_ptr(), value)) }?;
        Ok(self)
    }

    /// Subtracts each channel's value.
    pub fn mean_channels(&mut self, values: &[f32]) -> Result<&mut Self> {
        let n =
            i32::try_from(values.len()).map_err(|_| too_many("PreprocessSteps::mean_channels"))?;
        // SAFETY: a live handle; `values` is read during the call.
        unsafe {
            ov!(ov_preprocess_preprocess_steps_mean_multi_channels(
                self.as_ptr(),
                values.as_ptr(),
                n,
            ))
        }?;
        Ok(self)
    }

    /// Crops to `[begin, end)` per dimension.
    pub fn crop(&mut self, begin: &[i32], end: &[i32]) -> Result<&mut Self> {
        let nb = i32::try_from(begin.len()).map_err(|_| too_many("PreprocessSteps::crop"))?;
        let ne = i32::try_from(end.len()).map_err(|_| too_many("PreprocessSteps::crop"))?;
        let (mut begin, mut end) = (begin.to_vec(), end.to_vec());
        // SAFETY: a live handle; both arrays are read during the call (the C signature is not
        // const, so private copies are passed).
        unsafe {
            ov!(ov_preprocess_preprocess_steps_crop(
                self.as_ptr(),
                begin.as_mut_ptr(),
                nb,
                end.as_mut_ptr(),
                ne,
            ))
        }?;
        Ok(self)
    }

    /// Pads each dimension by `begin`/`end` elements.
    pub fn pad(
        &mut self,
        begin: &[i32],
        end: &[i32],
        value: f32,
        mode: PaddingMode,
    ) -> Result<&mut Self> {
        let mode = match mode {
            PaddingMode::Constant => sys::ov_padding_mode_e_CONSTANT,
            PaddingMode::Edge => sys::ov_padding_mode_e_EDGE,
            PaddingMode::Reflect => sys::ov_padding_mode_e_REFLECT,
            PaddingMode::Symmetric => sys::ov_padding_mode_e_SYMMETRIC,
        };
        // SAFETY: a live handle; both arrays are read during the call.
        unsafe {
            ov!(ov_preprocess_preprocess_steps_pad(
                self.as_ptr(),
                begin.as_ptr(),
                begin.len(),
                end.as_ptr(),
                end.len(),
                value,
                mode,
            ))
        }?;
        Ok(self)
    }

    /// Converts the layout.
    pub fn convert_layout(&mut self, layout: &Layout) -> Result<&mut Self> {
        // SAFETY: live handles.
        unsafe {
            ov!(ov_preprocess_preprocess_steps_convert_layout(
                self.as_ptr(),
                layout.as_ptr()
            ))
        }?;
        Ok(self)
    }

    /// Reverses the channel order (RGB <-> BGR).
    pub fn reverse_channels(&mut self) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe {
            ov!(ov_preprocess_preprocess_steps_reverse_channels(
                self.as_ptr()
            ))
        }?;
        Ok(self)
    }

    /// Converts the element type.
    pub fn convert_element_type(&mut self, element_type: ElementType) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe {
            ov!(ov_preprocess_preprocess_steps_convert_element_type(
                self.as_ptr(),
                element_type.to_c(),
            ))
        }?;
        Ok(self)
    }

    /// Converts the colour format.
    pub fn convert_color(&mut self, format: ColorFormat) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe {
            ov!(ov_preprocess_preprocess_steps_convert_color(
                self.as_ptr(),
                format.to_c()
            ))
        }?;
        Ok(self)
    }
}

impl InputModelInfo<'_> {
    /// The layout the model's input has.
    pub fn set_layout(&mut self, layout: &Layout) -> Result<&mut Self> {
        // SAFETY: live handles.
        unsafe {
            ov!(ov_preprocess_input_model_info_set_layout(
                self.as_ptr(),
                layout.as_ptr()
            ))
        }?;
        Ok(self)
    }
}

impl<'p> OutputInfo<'p> {
    /// What the caller will receive.
    pub fn tensor(&self) -> Result<OutputTensorInfo<'p>> {
        info_getter!(
            self,
            OutputTensorInfo,
            ov_preprocess_output_info_get_tensor_info()
        )
    }
}

impl OutputTensorInfo<'_> {
    /// The element type the caller receives.
    pub fn set_element_type(&mut self, element_type: ElementType) -> Result<&mut Self> {
        // SAFETY: a live handle.
        unsafe {
            ov!(ov_preprocess_output_set_element_type(
                self.as_ptr(),
                element_type.to_c()
            ))
        }?;
        Ok(self)
    }
}

fn too_many(call: &'static str) -> Error {
    Error::new(
        ErrorKind::SizeMismatch,
        call,
        "more values than OpenVINO accepts",
    )
}
