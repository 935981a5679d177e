//! [`PrePostProcessor`]: adds pre- and post-processing steps to a model, so the device does the
//! conversions (element type, layout, colour, resize, mean/scale) during inference.

use std::ffi::c_char;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use openvino_sys as sys;

use crate::error::check;
use crate::ffi::cstring;
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
/// ```
/// # let model_xml = openvino::doc_support::ADD_MODEL_XML;
/// use openvino::{Core, ElementType, Layout, PrePostProcessor};
/// let core = Core::new()?;
/// let mut model = core.read_model_from_buffer(model_xml.as_bytes(), None)?;
/// let ppp = PrePostProcessor::new(&mut model)?;
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
pub struct PrePostProcessor<'model> {
    ptr: NonNull<sys::ov_preprocess_prepostprocessor_t>,
    _model: PhantomData<&'model mut Model>,
}

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident, $c:ty, $free:ident) => {
        $(#[$doc])*
        pub struct $name<'p> {
            ptr: NonNull<$c>,
            _parent: PhantomData<&'p ()>,
        }

        impl $name<'_> {
            fn wrap(ptr: *mut $c, call: &'static str) -> Result<Self> {
                crate::ffi::non_null(ptr, call, "handle").map(|ptr| Self { ptr, _parent: PhantomData })
            }

            fn as_ptr(&self) -> *mut $c {
                self.ptr.as_ptr()
            }
        }

        impl Drop for $name<'_> {
            fn drop(&mut self) {
                // SAFETY: owned handle, freed exactly once.
                unsafe { sys::$free(self.as_ptr()) };
            }
        }

        impl std::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

handle!(
    /// One input's pre-processing (`ov_preprocess_input_info_t`); see [`PrePostProcessor`].
    InputInfo, sys::ov_preprocess_input_info_t, ov_preprocess_input_info_free
);
handle!(
    /// What the caller's input tensor looks like (`ov_preprocess_input_tensor_info_t`).
    InputTensorInfo, sys::ov_preprocess_input_tensor_info_t, ov_preprocess_input_tensor_info_free
);
handle!(
    /// The conversion steps of one input (`ov_preprocess_preprocess_steps_t`).
    PreprocessSteps, sys::ov_preprocess_preprocess_steps_t, ov_preprocess_preprocess_steps_free
);
handle!(
    /// What the model expects of one input (`ov_preprocess_input_model_info_t`).
    InputModelInfo, sys::ov_preprocess_input_model_info_t, ov_preprocess_input_model_info_free
);
handle!(
    /// One output's post-processing (`ov_preprocess_output_info_t`).
    OutputInfo, sys::ov_preprocess_output_info_t, ov_preprocess_output_info_free
);
handle!(
    /// What the caller's output tensor should look like (`ov_preprocess_output_tensor_info_t`).
    OutputTensorInfo, sys::ov_preprocess_output_tensor_info_t, ov_preprocess_output_tensor_info_free
);

impl<'model> PrePostProcessor<'model> {
    /// Starts pre/post-processing for `model`; [`build`](Self::build) returns the result.
    pub fn new(model: &'model mut Model) -> Result<Self> {
        let mut ptr = ptr::null_mut();
        // SAFETY: a live model and a valid out-parameter.
        check(
            unsafe { sys::ov_preprocess_prepostprocessor_create(model.as_ptr(), &mut ptr) },
            "ov_preprocess_prepostprocessor_create",
        )?;
        crate::ffi::non_null(
            ptr,
            "ov_preprocess_prepostprocessor_create",
            "pre/post-processor",
        )
        .map(|ptr| Self {
            ptr,
            _model: PhantomData,
        })
    }

    fn as_ptr(&self) -> *mut sys::ov_preprocess_prepostprocessor_t {
        self.ptr.as_ptr()
    }

    /// The only input.
    pub fn input(&self) -> Result<InputInfo<'_>> {
        let mut p = ptr::null_mut();
        // SAFETY: a live processor and a valid out-parameter.
        check(
            unsafe { sys::ov_preprocess_prepostprocessor_get_input_info(self.as_ptr(), &mut p) },
            "ov_preprocess_prepostprocessor_get_input_info",
        )?;
        InputInfo::wrap(p, "ov_preprocess_prepostprocessor_get_input_info")
    }

    /// The input with this tensor name.
    pub fn input_by_name(&self, name: &str) -> Result<InputInfo<'_>> {
        let name = cstring(name, "PrePostProcessor::input_by_name")?;
        let mut p = ptr::null_mut();
        // SAFETY: a live processor, a C string and a valid out-parameter.
        check(
            unsafe {
                sys::ov_preprocess_prepostprocessor_get_input_info_by_name(
                    self.as_ptr(),
                    name.as_ptr(),
                    &mut p,
                )
            },
            "ov_preprocess_prepostprocessor_get_input_info_by_name",
        )?;
        InputInfo::wrap(p, "ov_preprocess_prepostprocessor_get_input_info_by_name")
    }

    /// The input at `index`.
    pub fn input_by_index(&self, index: usize) -> Result<InputInfo<'_>> {
        let mut p = ptr::null_mut();
        // SAFETY: a live processor and a valid out-parameter; OpenVINO checks the index.
        check(
            unsafe {
                sys::ov_preprocess_prepostprocessor_get_input_info_by_index(
                    self.as_ptr(),
                    index,
                    &mut p,
                )
            },
            "ov_preprocess_prepostprocessor_get_input_info_by_index",
        )?;
        InputInfo::wrap(p, "ov_preprocess_prepostprocessor_get_input_info_by_index")
    }

    /// The only output.
    pub fn output(&self) -> Result<OutputInfo<'_>> {
        let mut p = ptr::null_mut();
        // SAFETY: a live processor and a valid out-parameter.
        check(
            unsafe { sys::ov_preprocess_prepostprocessor_get_output_info(self.as_ptr(), &mut p) },
            "ov_preprocess_prepostprocessor_get_output_info",
        )?;
        OutputInfo::wrap(p, "ov_preprocess_prepostprocessor_get_output_info")
    }

    /// The output with this tensor name.
    pub fn output_by_name(&self, name: &str) -> Result<OutputInfo<'_>> {
        let name = cstring(name, "PrePostProcessor::output_by_name")?;
        let mut p = ptr::null_mut();
        // SAFETY: a live processor, a C string and a valid out-parameter.
        check(
            unsafe {
                sys::ov_preprocess_prepostprocessor_get_output_info_by_name(
                    self.as_ptr(),
                    name.as_ptr(),
                    &mut p,
                )
            },
            "ov_preprocess_prepostprocessor_get_output_info_by_name",
        )?;
        OutputInfo::wrap(p, "ov_preprocess_prepostprocessor_get_output_info_by_name")
    }

    /// The output at `index`.
    pub fn output_by_index(&self, index: usize) -> Result<OutputInfo<'_>> {
        let mut p = ptr::null_mut();
        // SAFETY: a live processor and a valid out-parameter; OpenVINO checks the index.
        check(
            unsafe {
                sys::ov_preprocess_prepostprocessor_get_output_info_by_index(
                    self.as_ptr(),
                    index,
                    &mut p,
                )
            },
            "ov_preprocess_prepostprocessor_get_output_info_by_index",
        )?;
        OutputInfo::wrap(p, "ov_preprocess_prepostprocessor_get_output_info_by_index")
    }

    /// Applies the steps and returns the resulting model.
    pub fn build(self) -> Result<Model> {
        let mut model = ptr::null_mut();
        // SAFETY: a live processor and a valid out-parameter.
        check(
            unsafe { sys::ov_preprocess_prepostprocessor_build(self.as_ptr(), &mut model) },
            "ov_preprocess_prepostprocessor_build",
        )?;
        // SAFETY: a new model handle owned by the wrapper.
        unsafe { Model::from_raw(model, "ov_preprocess_prepostprocessor_build") }
    }
}

impl std::fmt::Debug for PrePostProcessor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrePostProcessor").finish_non_exhaustive()
    }
}

impl Drop for PrePostProcessor<'_> {
    fn drop(&mut self) {
        // SAFETY: owned handle, freed exactly once (info handles borrow it, so they are gone).
        unsafe { sys::ov_preprocess_prepostprocessor_free(self.as_ptr()) };
    }
}

impl<'p> InputInfo<'p> {
    /// What the caller will pass.
    pub fn tensor(&self) -> Result<InputTensorInfo<'p>> {
        let mut p = ptr::null_mut();
        // SAFETY: a live handle and a valid out-parameter.
        check(
            unsafe { sys::ov_preprocess_input_info_get_tensor_info(self.as_ptr(), &mut p) },
            "ov_preprocess_input_info_get_tensor_info",
        )?;
        InputTensorInfo::wrap(p, "ov_preprocess_input_info_get_tensor_info")
    }

    /// The conversion steps.
    pub fn preprocess(&self) -> Result<PreprocessSteps<'p>> {
        let mut p = ptr::null_mut();
        // SAFETY: a live handle and a valid out-parameter.
        check(
            unsafe { sys::ov_preprocess_input_info_get_preprocess_steps(self.as_ptr(), &mut p) },
            "ov_preprocess_input_info_get_preprocess_steps",
        )?;
        PreprocessSteps::wrap(p, "ov_preprocess_input_info_get_preprocess_steps")
    }

    /// What the model expects.
    pub fn model(&self) -> Result<InputModelInfo<'p>> {
        let mut p = ptr::null_mut();
        // SAFETY: a live handle and a valid out-parameter.
        check(
            unsafe { sys::ov_preprocess_input_info_get_model_info(self.as_ptr(), &mut p) },
            "ov_preprocess_input_info_get_model_info",
        )?;
        InputModelInfo::wrap(p, "ov_preprocess_input_info_get_model_info")
    }
}

impl InputTensorInfo<'_> {
    /// The element type the caller passes.
    pub fn set_element_type(&mut self, element_type: ElementType) -> Result<&mut Self> {
        // SAFETY: a live handle.
        check(
            unsafe {
                sys::ov_preprocess_input_tensor_info_set_element_type(
                    self.as_ptr(),
                    element_type.to_c(),
                )
            },
            "ov_preprocess_input_tensor_info_set_element_type",
        )?;
        Ok(self)
    }

    /// The layout the caller passes.
    pub fn set_layout(&mut self, layout: &Layout) -> Result<&mut Self> {
        // SAFETY: live handles.
        check(
            unsafe {
                sys::ov_preprocess_input_tensor_info_set_layout(self.as_ptr(), layout.as_ptr())
            },
            "ov_preprocess_input_tensor_info_set_layout",
        )?;
        Ok(self)
    }

    /// The colour format the caller passes.
    pub fn set_color_format(&mut self, format: ColorFormat) -> Result<&mut Self> {
        // SAFETY: a live handle.
        check(
            unsafe {
                sys::ov_preprocess_input_tensor_info_set_color_format(self.as_ptr(), format.to_c())
            },
            "ov_preprocess_input_tensor_info_set_color_format",
        )?;
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
        check(
            unsafe {
                sys::ov_preprocess_input_tensor_info_set_color_format_with_subnames(
                    self.as_ptr(),
                    format.to_c(),
                    ptrs.len(),
                    ptrs.as_ptr() as *mut _,
                )
            },
            "ov_preprocess_input_tensor_info_set_color_format_with_subnames",
        )?;
        Ok(self)
    }

    /// A fixed height and width for the caller's images (then resized by a step).
    pub fn set_spatial_static_shape(&mut self, height: usize, width: usize) -> Result<&mut Self> {
        // SAFETY: a live handle.
        check(
            unsafe {
                sys::ov_preprocess_input_tensor_info_set_spatial_static_shape(
                    self.as_ptr(),
                    height,
                    width,
                )
            },
            "ov_preprocess_input_tensor_info_set_spatial_static_shape",
        )?;
        Ok(self)
    }

    /// The memory type of the caller's tensor (e.g. `GPU_SURFACE`).
    pub fn set_memory_type(&mut self, memory_type: &str) -> Result<&mut Self> {
        let memory_type = cstring(memory_type, "InputTensorInfo::set_memory_type")?;
        // SAFETY: a live handle and a C string.
        check(
            unsafe {
                sys::ov_preprocess_input_tensor_info_set_memory_type(
                    self.as_ptr(),
                    memory_type.as_ptr(),
                )
            },
            "ov_preprocess_input_tensor_info_set_memory_type",
        )?;
        Ok(self)
    }

    /// Takes element type and shape from an example tensor.
    pub fn set_from(&mut self, tensor: &Tensor<'_>) -> Result<&mut Self> {
        // SAFETY: live handles; only the tensor's type and shape are read.
        check(
            unsafe {
                sys::ov_preprocess_input_tensor_info_set_from(self.as_ptr(), tensor.as_ptr())
            },
            "ov_preprocess_input_tensor_info_set_from",
        )?;
        Ok(self)
    }
}

impl PreprocessSteps<'_> {
    fn done(&mut self, status: sys::ov_status_e, call: &'static str) -> Result<&mut Self> {
        check(status, call)?;
        Ok(self)
    }

    /// Resizes to the model's spatial shape.
    pub fn resize(&mut self, algorithm: ResizeAlgorithm) -> Result<&mut Self> {
        let algorithm = match algorithm {
            ResizeAlgorithm::Linear => sys::ov_preprocess_resize_algorithm_e_RESIZE_LINEAR,
            ResizeAlgorithm::Cubic => sys::ov_preprocess_resize_algorithm_e_RESIZE_CUBIC,
            ResizeAlgorithm::Nearest => sys::ov_preprocess_resize_algorithm_e_RESIZE_NEAREST,
        };
        // SAFETY: a live handle.
        let status =
            unsafe { sys::ov_preprocess_preprocess_steps_resize(self.as_ptr(), algorithm) };
        self.done(status, "ov_preprocess_preprocess_steps_resize")
    }

    /// Divides every element by `value`.
    pub fn scale(&mut self, value: f32) -> Result<&mut Self> {
        // SAFETY: a live handle.
        let status = unsafe { sys::ov_preprocess_preprocess_steps_scale(self.as_ptr(), value) };
        self.done(status, "ov_preprocess_preprocess_steps_scale")
    }

    /// Divides each channel by its value.
    pub fn scale_channels(&mut self, values: &[f32]) -> Result<&mut Self> {
        let n =
            i32::try_from(values.len()).map_err(|_| too_many("PreprocessSteps::scale_channels"))?;
        // SAFETY: a live handle; `values` is read during the call.
        let status = unsafe {
            sys::ov_preprocess_preprocess_steps_scale_multi_channels(
                self.as_ptr(),
                values.as_ptr(),
                n,
            )
        };
        self.done(
            status,
            "ov_preprocess_preprocess_steps_scale_multi_channels",
        )
    }

    /// Subtracts `value` from every element.
    pub fn mean(&mut self, value: f32) -> Result<&mut Self> {
        // SAFETY: a live handle.
        let status = unsafe { sys::ov_preprocess_preprocess_steps_mean(self.as_ptr(), value) };
        self.done(status, "ov_preprocess_preprocess_steps_mean")
    }

    /// Subtracts each channel's value.
    pub fn mean_channels(&mut self, values: &[f32]) -> Result<&mut Self> {
        let n =
            i32::try_from(values.len()).map_err(|_| too_many("PreprocessSteps::mean_channels"))?;
        // SAFETY: a live handle; `values` is read during the call.
        let status = unsafe {
            sys::ov_preprocess_preprocess_steps_mean_multi_channels(
                self.as_ptr(),
                values.as_ptr(),
                n,
            )
        };
        self.done(status, "ov_preprocess_preprocess_steps_mean_multi_channels")
    }

    /// Crops to `[begin, end)` per dimension.
    pub fn crop(&mut self, begin: &[i32], end: &[i32]) -> Result<&mut Self> {
        let nb = i32::try_from(begin.len()).map_err(|_| too_many("PreprocessSteps::crop"))?;
        let ne = i32::try_from(end.len()).map_err(|_| too_many("PreprocessSteps::crop"))?;
        let (mut begin, mut end) = (begin.to_vec(), end.to_vec());
        // SAFETY: a live handle; both arrays are read during the call (the C signature is not
        // const, so private copies are passed).
        let status = unsafe {
            sys::ov_preprocess_preprocess_steps_crop(
                self.as_ptr(),
                begin.as_mut_ptr(),
                nb,
                end.as_mut_ptr(),
                ne,
            )
        };
        self.done(status, "ov_preprocess_preprocess_steps_crop")
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
        let status = unsafe {
            sys::ov_preprocess_preprocess_steps_pad(
                self.as_ptr(),
                begin.as_ptr(),
                begin.len(),
                end.as_ptr(),
                end.len(),
                value,
                mode,
            )
        };
        self.done(status, "ov_preprocess_preprocess_steps_pad")
    }

    /// Converts the layout.
    pub fn convert_layout(&mut self, layout: &Layout) -> Result<&mut Self> {
        // SAFETY: live handles.
        let status = unsafe {
            sys::ov_preprocess_preprocess_steps_convert_layout(self.as_ptr(), layout.as_ptr())
        };
        self.done(status, "ov_preprocess_preprocess_steps_convert_layout")
    }

    /// Reverses the channel order (RGB <-> BGR).
    pub fn reverse_channels(&mut self) -> Result<&mut Self> {
        // SAFETY: a live handle.
        let status = unsafe { sys::ov_preprocess_preprocess_steps_reverse_channels(self.as_ptr()) };
        self.done(status, "ov_preprocess_preprocess_steps_reverse_channels")
    }

    /// Converts the element type.
    pub fn convert_element_type(&mut self, element_type: ElementType) -> Result<&mut Self> {
        // SAFETY: a live handle.
        let status = unsafe {
            sys::ov_preprocess_preprocess_steps_convert_element_type(
                self.as_ptr(),
                element_type.to_c(),
            )
        };
        self.done(
            status,
            "ov_preprocess_preprocess_steps_convert_element_type",
        )
    }

    /// Converts the colour format.
    pub fn convert_color(&mut self, format: ColorFormat) -> Result<&mut Self> {
        // SAFETY: a live handle.
        let status = unsafe {
            sys::ov_preprocess_preprocess_steps_convert_color(self.as_ptr(), format.to_c())
        };
        self.done(status, "ov_preprocess_preprocess_steps_convert_color")
    }
}

impl InputModelInfo<'_> {
    /// The layout the model's input has.
    pub fn set_layout(&mut self, layout: &Layout) -> Result<&mut Self> {
        // SAFETY: live handles.
        check(
            unsafe {
                sys::ov_preprocess_input_model_info_set_layout(self.as_ptr(), layout.as_ptr())
            },
            "ov_preprocess_input_model_info_set_layout",
        )?;
        Ok(self)
    }
}

impl<'p> OutputInfo<'p> {
    /// What the caller will receive.
    pub fn tensor(&self) -> Result<OutputTensorInfo<'p>> {
        let mut p = ptr::null_mut();
        // SAFETY: a live handle and a valid out-parameter.
        check(
            unsafe { sys::ov_preprocess_output_info_get_tensor_info(self.as_ptr(), &mut p) },
            "ov_preprocess_output_info_get_tensor_info",
        )?;
        OutputTensorInfo::wrap(p, "ov_preprocess_output_info_get_tensor_info")
    }
}

impl OutputTensorInfo<'_> {
    /// The element type the caller receives.
    pub fn set_element_type(&mut self, element_type: ElementType) -> Result<&mut Self> {
        // SAFETY: a live handle.
        check(
            unsafe {
                sys::ov_preprocess_output_set_element_type(self.as_ptr(), element_type.to_c())
            },
            "ov_preprocess_output_set_element_type",
        )?;
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
