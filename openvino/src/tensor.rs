//! [`Tensor`]: OpenVINO's n-dimensional buffer, owned by OpenVINO or borrowing caller memory.

use std::ffi::c_char;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use openvino_sys as sys;

use crate::ffi::{Handle, cstring, ensure_loaded, ov};
use crate::{ElementType, Error, ErrorKind, Result, Shape, TensorElement};

/// An n-dimensional buffer of one element type (`ov_tensor_t`).
///
/// The lifetime `'data` is how long the memory behind the tensor must stay valid:
/// - `Tensor<'static>`: OpenVINO owns the memory ([`Tensor::new`]), or the caller lent memory
///   that lives forever.
/// - `Tensor<'a>`: the tensor is a zero-copy view of the caller's `&'a mut [T]`
///   ([`Tensor::from_slice`]); the borrow checker keeps that memory alive, and untouched by
///   anything else, for as long as OpenVINO may use it (including through an infer request the
///   tensor was set on).
///
/// Each `Tensor` owns one `ov_tensor_t` handle and frees it once; OpenVINO reference-counts the
/// memory itself, so freeing a handle never frees memory another handle still uses. Every byte a
/// tensor shows was written by someone: OpenVINO's allocations are zeroed before this crate hands
/// them out.
///
/// ```
/// use openvino::{ElementType, Shape, Tensor};
/// let mut tensor = Tensor::new(ElementType::F32, &Shape::new(&[1, 4])?)?;
/// assert_eq!(tensor.data::<f32>()?, &[0.0; 4]);
/// tensor.data_mut::<f32>()?.copy_from_slice(&[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(tensor.data::<f32>()?, &[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(tensor.byte_size()?, 16);
/// // Typed views check the element type:
/// assert!(tensor.data::<i32>().is_err());
///
/// // Zero-copy over caller memory:
/// let mut pixels = vec![0u8; 12];
/// let view = Tensor::from_slice(&Shape::new(&[1, 2, 2, 3])?, &mut pixels)?;
/// assert_eq!(view.element_type()?, ElementType::U8);
/// # Ok::<(), openvino::Error>(())
/// ```
///
/// Caller memory stays borrowed while the tensor lives:
///
/// ```compile_fail,E0499
/// use openvino::{Shape, Tensor};
/// let mut pixels = vec![0u8; 4];
/// let view = Tensor::from_slice(&Shape::new(&[4])?, &mut pixels)?;
/// pixels[0] = 1; // the tensor may be reading it
/// drop(view);
/// # Ok::<(), openvino::Error>(())
/// ```
#[doc(alias = "Blob")]
pub struct Tensor<'data> {
    handle: Handle<sys::ov_tensor_t>,
    _data: PhantomData<&'data mut [u8]>,
}

// SAFETY: an ov_tensor_t is a shared_ptr to a reference-counted ov::Tensor with no thread
// affinity. The memory behind it is either OpenVINO's or the caller's `&'data mut [T]` of a
// `Send + Sync` element type. `&Tensor` only reads (`data`, `as_bytes`, metadata) and `&mut
// Tensor` writes, so Rust's aliasing rules order every access; no other Rust handle reaches the
// same memory (see the crate's soundness section).
unsafe impl Send for Tensor<'_> {}
// SAFETY: as above: every `&self` method only reads, and OpenVINO's metadata getters are const.
unsafe impl Sync for Tensor<'_> {}

impl Tensor<'static> {
    /// A zero-filled tensor whose memory OpenVINO allocates (`ov_tensor_create`); `String`
    /// tensors hold empty strings.
    pub fn new(element_type: ElementType, shape: &Shape) -> Result<Self> {
        let mut tensor = Self::uninit(element_type, shape, "Tensor::new")?;
        tensor.zero_from(0)?;
        Ok(tensor)
    }

    /// A tensor whose contents the caller overwrites before anyone sees them.
    fn uninit(element_type: ElementType, shape: &Shape, call: &'static str) -> Result<Self> {
        ensure_loaded()?;
        check_allocatable(element_type, shape, call)?;
        let mut ptr = ptr::null_mut();
        // SAFETY: `as_c` borrows `shape` for the call; `ptr` is a valid out-parameter.
        let call = unsafe {
            ov!(ov_tensor_create(
                element_type.to_c(),
                shape.as_c(),
                &mut ptr
            ))
        }?;
        // SAFETY: a new tensor the caller owns.
        unsafe { Self::from_raw(ptr, call) }
    }

    /// A tensor holding `data`, copied into memory OpenVINO owns.
    ///
    /// ```
    /// use openvino::{Shape, Tensor};
    /// let tensor = Tensor::from_data(&Shape::new(&[2])?, &[1i64, 2])?;
    /// assert_eq!(tensor.data::<i64>()?, &[1, 2]);
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn from_data<T: TensorElement>(shape: &Shape, data: &[T]) -> Result<Self> {
        check_len(shape, data.len(), "Tensor::from_data")?;
        let mut tensor = Tensor::uninit(T::ELEMENT_TYPES[0], shape, "Tensor::from_data")?;
        tensor.data_mut::<T>()?.copy_from_slice(data);
        Ok(tensor)
    }

    /// A tensor of element type `element_type` holding a copy of `bytes` (which must be exactly
    /// the tensor's byte size).
    pub fn from_bytes(element_type: ElementType, shape: &Shape, bytes: &[u8]) -> Result<Self> {
        let mut tensor = Tensor::uninit(element_type, shape, "Tensor::from_bytes")?;
        let dst = tensor.as_bytes_mut()?;
        if dst.len() != bytes.len() {
            return Err(Error::new(
                ErrorKind::SizeMismatch,
                "Tensor::from_bytes",
                format!(
                    "{} bytes given for a {element_type} tensor of shape {shape}, which holds {}",
                    bytes.len(),
                    dst.len()
                ),
            ));
        }
        dst.copy_from_slice(bytes);
        Ok(tensor)
    }

    /// A string tensor (`ov_tensor_create_from_string_array`).
    ///
    /// ```
    /// use openvino::{ElementType, Shape, Tensor};
    /// let tensor = Tensor::from_strings(&Shape::new(&[2])?, &["hello", "world"])?;
    /// assert_eq!(tensor.element_type()?, ElementType::String);
    /// assert_eq!(tensor.len()?, 2);
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn from_strings(shape: &Shape, strings: &[&str]) -> Result<Self> {
        ensure_loaded()?;
        check_len(shape, strings.len(), "Tensor::from_strings")?;
        let owned = strings
            .iter()
            .map(|s| cstring(s, "Tensor::from_strings"))
            .collect::<Result<Vec<_>>>()?;
        let ptrs: Vec<*const c_char> = owned.iter().map(|s| s.as_ptr()).collect();
        let mut ptr = ptr::null_mut();
        // SAFETY: `ptrs` holds `len` NUL-terminated strings that OpenVINO copies during the call
        // (the C signature is not const but the strings are only read).
        let call = unsafe {
            ov!(ov_tensor_create_from_string_array(
                ptrs.as_ptr().cast_mut(),
                ptrs.len(),
                shape.as_c(),
                &mut ptr,
            ))
        }?;
        // SAFETY: a new tensor the caller owns.
        unsafe { Self::from_raw(ptr, call) }
    }
}

impl<'data> Tensor<'data> {
    /// A zero-copy tensor over the caller's memory (`ov_tensor_create_from_host_ptr`). The element
    /// type follows `T` (`u8` gives `U8`); the slice length must equal the shape's element count.
    pub fn from_slice<T: TensorElement>(shape: &Shape, data: &'data mut [T]) -> Result<Self> {
        check_len(shape, data.len(), "Tensor::from_slice")?;
        // SAFETY: `T` is a valid view of its first element type, and the pointer and length come
        // from a live mutable slice borrowed for 'data.
        unsafe {
            Self::from_raw_parts(
                T::ELEMENT_TYPES[0],
                shape,
                data.as_mut_ptr().cast(),
                size_of_val(data),
                "Tensor::from_slice",
            )
        }
    }

    /// A zero-copy tensor of any element type over caller bytes, whose length must be exactly the
    /// tensor's byte size (see [`ElementType::byte_size`]). `String` and `Dynamic` are refused:
    /// OpenVINO would treat the bytes as C++ `std::string` objects, or cannot size them.
    ///
    /// ```
    /// use openvino::{ElementType, ErrorKind, Shape, Tensor};
    /// let mut packed = [0u8; 3]; // one u3 element takes a group of 3 bytes
    /// let tensor = Tensor::from_bytes_mut(ElementType::U3, &Shape::new(&[1])?, &mut packed)?;
    /// assert_eq!(tensor.byte_size()?, 3);
    /// let err = Tensor::from_bytes_mut(ElementType::String, &Shape::new(&[1])?, &mut []).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::ElementTypeMismatch);
    /// # Ok::<(), openvino::Error>(())
    /// ```
    pub fn from_bytes_mut(
        element_type: ElementType,
        shape: &Shape,
        bytes: &'data mut [u8],
    ) -> Result<Self> {
        // SAFETY: the pointer and length come from a live mutable slice borrowed for 'data.
        unsafe {
            Self::from_raw_parts(
                element_type,
                shape,
                bytes.as_mut_ptr(),
                bytes.len(),
                "Tensor::from_bytes_mut",
            )
        }
    }

    /// # Safety
    /// `data` is valid for reads and writes of `len` bytes for `'data` and used by nothing else.
    unsafe fn from_raw_parts(
        element_type: ElementType,
        shape: &Shape,
        data: *mut u8,
        len: usize,
        call: &'static str,
    ) -> Result<Self> {
        ensure_loaded()?;
        if matches!(element_type, ElementType::String | ElementType::Dynamic) {
            return Err(Error::new(
                ErrorKind::ElementTypeMismatch,
                call,
                format!(
                    "a {element_type} tensor cannot live in caller memory: OpenVINO would treat \
                     the bytes as C++ objects or cannot size them; use Tensor::from_strings or \
                     Tensor::new"
                ),
            ));
        }
        let expected = byte_size_of(element_type, shape, call)?;
        if expected != len {
            return Err(size_mismatch(element_type, shape, len, expected, call));
        }
        // OpenVINO refuses null host pointers even for empty tensors; a dangling, aligned pointer
        // is never read for 0 bytes.
        let data = if data.is_null() {
            NonNull::<u64>::dangling().as_ptr().cast()
        } else {
            data
        };
        let mut ptr = ptr::null_mut();
        // SAFETY: per the contract `data` covers `len` bytes for 'data, which the returned
        // wrapper's lifetime carries; OpenVINO only records the pointer here.
        let created = unsafe {
            ov!(ov_tensor_create_from_host_ptr(
                element_type.to_c(),
                shape.as_c(),
                data.cast(),
                &mut ptr,
            ))
        }?;
        // SAFETY: a new tensor the caller owns.
        let tensor = unsafe { Self::from_raw(ptr, created) }?;
        // The size table above is tested against OpenVINO, but only OpenVINO's own answer decides
        // how many bytes it will touch: a disagreement is an error, never an access past `len`.
        let actual = tensor.byte_size()?;
        if actual != len {
            return Err(size_mismatch(element_type, shape, len, actual, call));
        }
        Ok(tensor)
    }

    /// Wraps a handle the caller owns.
    ///
    /// # Safety
    /// `ptr` is null or an `ov_tensor_t` that nothing else frees; its memory stays valid for
    /// `'data`, and every byte of it has been written (or it is handed out only after zeroing).
    pub(crate) unsafe fn from_raw(ptr: *mut sys::ov_tensor_t, call: &'static str) -> Result<Self> {
        // SAFETY: per the contract.
        let handle = unsafe { Handle::new(ptr, call) }?;
        Ok(Self {
            handle,
            _data: PhantomData,
        })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_tensor_t {
        self.handle.as_ptr()
    }

    /// The element type.
    pub fn element_type(&self) -> Result<ElementType> {
        let mut value = 0;
        // SAFETY: a live tensor and a valid out-parameter.
        unsafe { ov!(ov_tensor_get_element_type(self.as_ptr(), &mut value)) }?;
        ElementType::from_c(value)
    }

    /// The shape.
    pub fn shape(&self) -> Result<Shape> {
        let mut shape = sys::ov_shape_t::default();
        // SAFETY: a live tensor and a valid out-parameter.
        unsafe { ov!(ov_tensor_get_shape(self.as_ptr(), &mut shape)) }?;
        // SAFETY: filled by OpenVINO just above.
        unsafe { Shape::take_c(shape) }
    }

    /// Changes the shape (`ov_tensor_set_shape`). A tensor OpenVINO owns reallocates when it
    /// grows; a tensor over caller memory cannot grow past that memory, and OpenVINO reports an
    /// error if asked to. Bytes the new shape adds are zero; the leading bytes are kept.
    ///
    /// The tensor stays the same object: unlike a crate that wraps the handle returned here as a
    /// second owner, nothing is freed twice.
    pub fn set_shape(&mut self, shape: &Shape) -> Result<()> {
        check_allocatable(self.element_type()?, shape, "Tensor::set_shape")?;
        let (before, before_len) = self.raw_data()?;
        // SAFETY: a live tensor; `as_c` borrows `shape` for the call.
        unsafe { ov!(ov_tensor_set_shape(self.as_ptr(), shape.as_c())) }?;
        let (after, _) = self.raw_data()?;
        // A moved buffer is a fresh allocation (uninitialised); an unmoved one may still expose
        // capacity nobody wrote past the old length.
        self.zero_from(if after == before { before_len } else { 0 })
    }

    /// Zeroes the bytes from `offset` to the end (nothing for `String`, whose elements OpenVINO
    /// constructs itself).
    fn zero_from(&mut self, offset: usize) -> Result<()> {
        if self.element_type()? == ElementType::String {
            return Ok(());
        }
        if let Some(tail) = self.as_bytes_mut()?.get_mut(offset..) {
            tail.fill(0);
        }
        Ok(())
    }

    /// The number of elements.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> Result<usize> {
        let mut size = 0;
        // SAFETY: a live tensor and a valid out-parameter.
        unsafe { ov!(ov_tensor_get_size(self.as_ptr(), &mut size)) }?;
        Ok(size)
    }

    /// The size of the data in bytes, as OpenVINO computes it.
    pub fn byte_size(&self) -> Result<usize> {
        let mut size = 0;
        // SAFETY: a live tensor and a valid out-parameter.
        unsafe { ov!(ov_tensor_get_byte_size(self.as_ptr(), &mut size)) }?;
        Ok(size)
    }

    fn raw_data(&self) -> Result<(*mut u8, usize)> {
        let len = self.byte_size()?;
        let mut data = ptr::null_mut();
        // SAFETY: a live tensor and a valid out-parameter.
        unsafe { ov!(ov_tensor_data(self.as_ptr(), &mut data)) }?;
        Ok((data.cast(), len))
    }

    /// The data as bytes.
    pub fn as_bytes(&self) -> Result<&[u8]> {
        self.check_not_string("Tensor::as_bytes")?;
        let (data, len) = self.raw_data()?;
        if data.is_null() || len == 0 {
            return Ok(&[]);
        }
        // SAFETY: OpenVINO's buffer holds `len` initialised bytes (see `from_raw`) and lives as
        // long as this handle; `&self` prevents writes through this wrapper meanwhile, and no
        // other Rust handle reaches this memory.
        Ok(unsafe { std::slice::from_raw_parts(data, len) })
    }

    /// The data as mutable bytes.
    pub fn as_bytes_mut(&mut self) -> Result<&mut [u8]> {
        self.check_not_string("Tensor::as_bytes_mut")?;
        let (data, len) = self.raw_data()?;
        if data.is_null() || len == 0 {
            return Ok(&mut []);
        }
        // SAFETY: as in `as_bytes`, with `&mut self` making the access exclusive.
        Ok(unsafe { std::slice::from_raw_parts_mut(data, len) })
    }

    /// The data as a slice of `T`, after checking that `T` matches the element type and that the
    /// buffer is aligned for it.
    pub fn data<T: TensorElement>(&self) -> Result<&[T]> {
        let (data, count) = self.typed::<T>("Tensor::data")?;
        if count == 0 {
            return Ok(&[]);
        }
        // SAFETY: `typed` checked type, alignment and non-null; OpenVINO's buffer holds `count`
        // initialised elements for the life of the handle, and `T` accepts every bit pattern.
        Ok(unsafe { std::slice::from_raw_parts(data.cast::<T>(), count) })
    }

    /// The data as a mutable slice of `T` (checked like [`data`](Self::data)).
    pub fn data_mut<T: TensorElement>(&mut self) -> Result<&mut [T]> {
        let (data, count) = self.typed::<T>("Tensor::data_mut")?;
        if count == 0 {
            return Ok(&mut []);
        }
        // SAFETY: as in `data`, with `&mut self` making the access exclusive.
        Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<T>(), count) })
    }

    fn typed<T: TensorElement>(&self, call: &'static str) -> Result<(*mut u8, usize)> {
        let element_type = self.element_type()?;
        if !T::ELEMENT_TYPES.contains(&element_type) {
            return Err(Error::new(
                ErrorKind::ElementTypeMismatch,
                call,
                format!(
                    "the tensor holds {element_type}, not {} ({})",
                    T::ELEMENT_TYPES[0],
                    std::any::type_name::<T>()
                ),
            ));
        }
        let (data, bytes) = self.raw_data()?;
        if bytes == 0 {
            return Ok((data, 0));
        }
        if data.is_null() {
            return Err(Error::new(
                ErrorKind::NotAllocated,
                call,
                "the tensor has no data",
            ));
        }
        if !(data as usize).is_multiple_of(align_of::<T>()) {
            return Err(Error::new(
                ErrorKind::Misaligned,
                call,
                format!(
                    "the data at {data:p} is not aligned for {}",
                    std::any::type_name::<T>()
                ),
            ));
        }
        Ok((data, bytes / size_of::<T>()))
    }

    fn check_not_string(&self, call: &'static str) -> Result<()> {
        if self.element_type()? == ElementType::String {
            return Err(Error::new(
                ErrorKind::ElementTypeMismatch,
                call,
                "a string tensor's memory holds C++ std::string objects, not bytes",
            ));
        }
        Ok(())
    }

    /// Replaces the contents of a string tensor (`ov_tensor_set_string_data`); one string per
    /// element.
    pub fn set_strings(&mut self, strings: &[&str]) -> Result<()> {
        let len = self.len()?;
        if strings.len() != len {
            return Err(Error::new(
                ErrorKind::SizeMismatch,
                "Tensor::set_strings",
                format!(
                    "{} strings given for a tensor of {len} elements",
                    strings.len()
                ),
            ));
        }
        let owned = strings
            .iter()
            .map(|s| cstring(s, "Tensor::set_strings"))
            .collect::<Result<Vec<_>>>()?;
        let ptrs: Vec<*const c_char> = owned.iter().map(|s| s.as_ptr()).collect();
        // SAFETY: a live tensor; the strings are only read (copied) during the call. OpenVINO
        // checks that the tensor holds strings.
        unsafe {
            ov!(ov_tensor_set_string_data(
                self.as_ptr(),
                ptrs.as_ptr().cast_mut(),
                ptrs.len()
            ))
        }?;
        Ok(())
    }

    /// The device a remote tensor lives on (`ov_remote_tensor_get_device_name`); host tensors
    /// answer with an error.
    pub fn remote_device_name(&self) -> Result<String> {
        let mut name = ptr::null_mut();
        // SAFETY: a live tensor and a valid out-parameter.
        let call = unsafe { ov!(ov_remote_tensor_get_device_name(self.as_ptr(), &mut name)) }?;
        // SAFETY: allocated for the caller by OpenVINO.
        unsafe { crate::ffi::take_string(name, call) }
    }

    /// The parameters of a remote tensor (`ov_remote_tensor_get_params`), as OpenVINO prints them.
    pub fn remote_params(&self) -> Result<String> {
        let mut size = 0;
        let mut params = ptr::null_mut();
        // SAFETY: a live tensor and valid out-parameters.
        let call = unsafe {
            ov!(ov_remote_tensor_get_params(
                self.as_ptr(),
                &mut size,
                &mut params
            ))
        }?;
        // SAFETY: allocated for the caller by OpenVINO.
        unsafe { crate::ffi::take_string(params, call) }
    }
}

impl std::fmt::Debug for Tensor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("Tensor");
        if let Ok(t) = self.element_type() {
            s.field("element_type", &t);
        }
        if let Ok(shape) = self.shape() {
            s.field("shape", &shape.dims().to_vec());
        }
        s.finish()
    }
}

fn size_mismatch(
    element_type: ElementType,
    shape: &Shape,
    given: usize,
    needed: usize,
    call: &'static str,
) -> Error {
    Error::new(
        ErrorKind::SizeMismatch,
        call,
        format!(
            "{given} bytes given for a {element_type} tensor of shape {shape}, which needs {needed}"
        ),
    )
}

/// The byte size of a tensor, computed with overflow checks ([`ElementType::byte_size`]).
fn byte_size_of(element_type: ElementType, shape: &Shape, call: &'static str) -> Result<usize> {
    let count = shape.element_count().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidShape,
            call,
            format!("shape {shape} has more elements than fit in memory"),
        )
    })?;
    element_type.byte_size(count).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidShape,
            call,
            format!("shape {shape} of {element_type} has no byte size that fits in memory"),
        )
    })
}

/// Refuses shapes that cannot be allocated before OpenVINO tries (it would throw `bad_alloc` or
/// worse on an overflowing product).
fn check_allocatable(element_type: ElementType, shape: &Shape, call: &'static str) -> Result<()> {
    if element_type == ElementType::Dynamic {
        return Err(Error::new(
            ErrorKind::ElementTypeMismatch,
            call,
            "a tensor needs a concrete element type",
        ));
    }
    let bytes = if element_type == ElementType::String {
        // A C++ std::string is 32 bytes in libstdc++; the strings' contents come on top.
        shape.element_count().and_then(|n| n.checked_mul(32))
    } else {
        byte_size_of(element_type, shape, call).ok()
    };
    match bytes {
        Some(b) if b <= isize::MAX as usize => Ok(()),
        _ => Err(Error::new(
            ErrorKind::InvalidShape,
            call,
            format!("a {element_type} tensor of shape {shape} is too large to allocate"),
        )),
    }
}

fn check_len(shape: &Shape, len: usize, call: &'static str) -> Result<()> {
    match shape.element_count() {
        Some(n) if n == len => Ok(()),
        n => Err(Error::new(
            ErrorKind::SizeMismatch,
            call,
            format!(
                "{len} elements given for shape {shape}, which holds {}",
                n.map_or("too many".into(), |n| n.to_string())
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_slice_rejects_wrong_length_without_creating_a_tensor() {
        let mut data = [0f32; 3];
        let err = Tensor::from_slice(&Shape::new(&[1, 4]).unwrap(), &mut data).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SizeMismatch);
    }

    #[test]
    fn huge_shapes_are_refused_before_allocation() {
        let shape = Shape::new(&[i64::MAX / 2, 4]).unwrap();
        assert_eq!(
            Tensor::new(ElementType::F32, &shape).unwrap_err().kind(),
            ErrorKind::InvalidShape
        );
    }

    #[test]
    fn zero_copy_tensor_sees_caller_writes() {
        let mut data = [1.0f32, 2.0, 3.0, 4.0];
        {
            let mut tensor = Tensor::from_slice(&Shape::new(&[4]).unwrap(), &mut data).unwrap();
            tensor.data_mut::<f32>().unwrap()[0] = 9.0;
            assert_eq!(tensor.data::<f32>().unwrap(), &[9.0, 2.0, 3.0, 4.0]);
        }
        assert_eq!(data[0], 9.0);
    }

    #[test]
    fn empty_tensors_give_empty_slices() {
        let tensor = Tensor::new(ElementType::F32, &Shape::new(&[0, 4]).unwrap()).unwrap();
        assert_eq!(tensor.data::<f32>().unwrap(), &[] as &[f32]);
        let mut empty: [f32; 0] = [];
        let view = Tensor::from_slice(&Shape::new(&[0]).unwrap(), &mut empty).unwrap();
        assert_eq!(view.len().unwrap(), 0);
    }

    #[test]
    fn set_shape_keeps_one_owner() {
        let mut tensor = Tensor::new(ElementType::F32, &Shape::new(&[1, 2]).unwrap()).unwrap();
        for n in 1..5 {
            tensor.set_shape(&Shape::new(&[n, 2]).unwrap()).unwrap();
            assert_eq!(tensor.len().unwrap(), (n * 2) as usize);
        }
    }

    #[test]
    fn f16_and_bf16_views_use_half() {
        let t = Tensor::from_data(
            &Shape::new(&[2]).unwrap(),
            &[half::f16::from_f32(1.5), half::f16::ONE],
        )
        .unwrap();
        assert_eq!(t.element_type().unwrap(), ElementType::F16);
        assert_eq!(t.data::<half::f16>().unwrap()[0].to_f32(), 1.5);
        assert_eq!(
            t.data::<half::bf16>().unwrap_err().kind(),
            ErrorKind::ElementTypeMismatch
        );
    }

    #[test]
    fn byte_size_table_agrees_with_openvino_for_every_type_and_count() {
        for &element_type in ElementType::ALL {
            for count in 0..=33usize {
                let shape = Shape::new(&[count as i64]).unwrap();
                match element_type.byte_size(count) {
                    None => assert!(matches!(
                        element_type,
                        ElementType::Dynamic | ElementType::String
                    )),
                    Some(bytes) => {
                        let tensor = Tensor::new(element_type, &shape).unwrap();
                        assert_eq!(
                            tensor.byte_size().unwrap(),
                            bytes,
                            "{element_type} x {count}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn packed_u3_and_u6_over_caller_memory_take_whole_groups() {
        // The issue's trigger: a u3 x 1 tensor over 1 byte, then writing all its bytes.
        let mut one = [0u8; 1];
        let err = Tensor::from_bytes_mut(ElementType::U3, &Shape::new(&[1]).unwrap(), &mut one)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SizeMismatch);
        let mut group = [7u8; 3];
        let mut tensor =
            Tensor::from_bytes_mut(ElementType::U3, &Shape::new(&[1]).unwrap(), &mut group)
                .unwrap();
        assert_eq!(tensor.as_bytes_mut().unwrap().len(), 3);
        let mut four = [0u8; 4];
        assert_eq!(
            Tensor::from_bytes_mut(ElementType::U6, &Shape::new(&[5]).unwrap(), &mut four)
                .unwrap_err()
                .kind(),
            ErrorKind::SizeMismatch
        );
        let mut six = [0u8; 6];
        Tensor::from_bytes_mut(ElementType::U6, &Shape::new(&[5]).unwrap(), &mut six).unwrap();
    }

    #[test]
    fn string_and_dynamic_tensors_are_refused_over_caller_memory() {
        // The issue's trigger: OpenVINO would construct C++ strings at the slice's address.
        for element_type in [ElementType::String, ElementType::Dynamic] {
            let err = Tensor::from_bytes_mut(element_type, &Shape::new(&[4]).unwrap(), &mut [])
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ElementTypeMismatch, "{element_type}");
        }
    }

    #[test]
    fn new_tensors_are_zeroed_and_grown_tensors_show_zeros() {
        let mut tensor = Tensor::new(ElementType::U8, &Shape::new(&[1 << 16]).unwrap()).unwrap();
        assert!(tensor.data::<u8>().unwrap().iter().all(|b| *b == 0));
        tensor.data_mut::<u8>().unwrap().fill(0xAB);
        tensor.set_shape(&Shape::new(&[2]).unwrap()).unwrap();
        assert_eq!(tensor.data::<u8>().unwrap(), &[0xAB, 0xAB]);
        tensor.set_shape(&Shape::new(&[1 << 20]).unwrap()).unwrap();
        let data = tensor.data::<u8>().unwrap();
        assert!(
            data.iter().all(|b| *b == 0),
            "a reallocated buffer is zeroed"
        );
    }

    #[test]
    fn set_strings_checks_the_count() {
        let mut tensor = Tensor::from_strings(&Shape::new(&[2]).unwrap(), &["a", "b"]).unwrap();
        assert_eq!(
            tensor.set_strings(&["x", "y", "z"]).unwrap_err().kind(),
            ErrorKind::SizeMismatch
        );
        tensor.set_strings(&["x", "y"]).unwrap();
    }

    #[test]
    fn strings_with_nul_are_errors() {
        let err = Tensor::from_strings(&Shape::new(&[1]).unwrap(), &["a\0b"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InteriorNul);
    }
}
