//! Shapes: [`Shape`] (static), [`PartialShape`] of [`Dimension`]s with a [`Rank`], and
//! [`Layout`]. Shapes are plain Rust values; they are turned into OpenVINO's structs only for the
//! duration of a call.

use std::fmt;
use std::ptr;

use openvino_sys as sys;

use crate::ffi::{Handle, cstring, ensure_loaded, ov, ov_plain};
use crate::{Error, ErrorKind, Result};

/// A static shape: the size of each dimension (`ov_shape_t`).
///
/// ```
/// use openvino::Shape;
/// let shape = Shape::new(&[1, 3, 224, 224])?;
/// assert_eq!(shape.rank(), 4);
/// assert_eq!(shape.element_count(), Some(150_528));
/// assert!(Shape::new(&[1, -3]).is_err());
/// # Ok::<(), openvino::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Shape {
    dims: Vec<i64>,
}

impl Shape {
    /// A shape with these dimensions; negative sizes are refused (`InvalidShape`).
    pub fn new(dims: &[i64]) -> Result<Self> {
        if let Some(d) = dims.iter().find(|d| **d < 0) {
            return Err(Error::new(
                ErrorKind::InvalidShape,
                "Shape::new",
                format!("dimension {d} is negative in {dims:?}"),
            ));
        }
        Ok(Self {
            dims: dims.to_vec(),
        })
    }

    /// The dimensions.
    pub fn dims(&self) -> &[i64] {
        &self.dims
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.dims.len()
    }

    /// The product of the dimensions, or `None` if it overflows `usize`.
    pub fn element_count(&self) -> Option<usize> {
        self.dims
            .iter()
            .try_fold(1usize, |acc, d| acc.checked_mul(usize::try_from(*d).ok()?))
    }

    /// A borrowed `ov_shape_t` over this shape's dimensions, valid while `self` is.
    pub(crate) fn as_c(&self) -> sys::ov_shape_t {
        sys::ov_shape_t {
            rank: self.dims.len() as i64,
            // OpenVINO only reads through this pointer for the calls that take a shape by value.
            dims: self.dims.as_ptr() as *mut i64,
        }
    }

    /// Copies an `ov_shape_t` filled by OpenVINO and frees it with `ov_shape_free`.
    ///
    /// # Safety
    /// `shape` was filled by an OpenVINO call and is not used afterwards.
    pub(crate) unsafe fn take_c(mut shape: sys::ov_shape_t) -> Result<Self> {
        let dims = if shape.dims.is_null() || shape.rank <= 0 {
            Vec::new()
        } else {
            // SAFETY: OpenVINO allocated `rank` dimensions.
            unsafe { std::slice::from_raw_parts(shape.dims, shape.rank as usize) }.to_vec()
        };
        // SAFETY: allocated by OpenVINO, freed exactly once.
        unsafe { ov!(ov_shape_free(&mut shape)) }?;
        Ok(Self { dims })
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, d) in self.dims.iter().enumerate() {
            if i > 0 {
                write!(f, ",")?;
            }
            write!(f, "{d}")?;
        }
        write!(f, "]")
    }
}

impl TryFrom<&[i64]> for Shape {
    type Error = Error;
    fn try_from(dims: &[i64]) -> Result<Self> {
        Shape::new(dims)
    }
}

impl<const N: usize> TryFrom<[i64; N]> for Shape {
    type Error = Error;
    fn try_from(dims: [i64; N]) -> Result<Self> {
        Shape::new(&dims)
    }
}

/// One dimension of a [`PartialShape`]: a size, or an inclusive range of sizes (`ov_dimension_t`;
/// `max == -1` means unbounded).
///
/// ```
/// use openvino::Dimension;
/// assert!(!Dimension::new(3).is_dynamic());
/// assert!(Dimension::dynamic().is_dynamic());
/// assert_eq!(Dimension::range(1, 8).to_string(), "1..8");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dimension {
    min: i64,
    max: i64,
}

impl Dimension {
    /// A static dimension.
    pub const fn new(size: i64) -> Self {
        Self {
            min: size,
            max: size,
        }
    }

    /// A fully dynamic dimension (`?`; OpenVINO's C API writes it `{-1, -1}`).
    pub const fn dynamic() -> Self {
        Self { min: -1, max: -1 }
    }

    /// A dimension between `min` and `max` inclusive (`max = -1`: unbounded).
    pub const fn range(min: i64, max: i64) -> Self {
        Self { min, max }
    }

    /// The lower bound.
    pub fn min(&self) -> i64 {
        self.min
    }

    /// The upper bound (`-1`: unbounded).
    pub fn max(&self) -> i64 {
        self.max
    }

    /// Whether the size is not fixed (asks OpenVINO: `ov_dimension_is_dynamic`).
    pub fn is_dynamic(&self) -> bool {
        if ensure_loaded().is_err() {
            return self.get().is_none();
        }
        match self.to_c() {
            // SAFETY: a plain value struct passed by value.
            Ok(c) => unsafe { ov_plain!(ov_dimension_is_dynamic(c)) },
            Err(_) => true,
        }
    }

    /// The size, if static.
    pub fn get(&self) -> Option<i64> {
        (self.min == self.max && self.min >= 0).then_some(self.min)
    }

    /// The C value; a lower bound without an upper bound (`3..`) has none.
    pub(crate) fn to_c(self) -> Result<sys::ov_dimension_t> {
        if self.max == -1 && self.min > 0 {
            return Err(Error::new(
                ErrorKind::InvalidShape,
                "Dimension",
                format!(
                    "OpenVINO's C API cannot express the dimension {self} (a lower bound with no upper bound)"
                ),
            ));
        }
        Ok(sys::ov_dimension_t {
            min: self.min,
            max: self.max,
        })
    }

    /// OpenVINO reports a dynamic dimension as `{0, -1}` but accepts only `{-1, -1}`: both mean `?`.
    pub(crate) fn from_c(d: sys::ov_dimension_t) -> Self {
        if d.max == -1 && d.min <= 0 {
            return Self::dynamic();
        }
        Self {
            min: d.min,
            max: d.max,
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (-1, -1) | (0, -1) => write!(f, "?"),
            (min, max) if min == max => write!(f, "{min}"),
            (min, -1) => write!(f, "{min}.."),
            (min, max) => write!(f, "{min}..{max}"),
        }
    }
}

/// The rank of a [`PartialShape`]: a number of dimensions, or dynamic (`ov_rank_t`).
///
/// ```
/// use openvino::Rank;
/// assert_eq!(Rank::Static(4).get(), Some(4));
/// assert!(Rank::Dynamic.is_dynamic());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rank {
    /// A known number of dimensions.
    Static(usize),
    /// Unknown until run time.
    Dynamic,
}

impl Rank {
    /// Whether the rank is unknown (asks OpenVINO: `ov_rank_is_dynamic`). A static rank too
    /// large for OpenVINO's `int64_t` is still static.
    ///
    /// ```
    /// use openvino::Rank;
    /// assert!(!Rank::Static(usize::MAX).is_dynamic());
    /// ```
    pub fn is_dynamic(&self) -> bool {
        let Ok(c) = self.to_c() else {
            return matches!(self, Rank::Dynamic);
        };
        if ensure_loaded().is_err() {
            return matches!(self, Rank::Dynamic);
        }
        // SAFETY: a plain value struct passed by value.
        unsafe { ov_plain!(ov_rank_is_dynamic(c)) }
    }

    /// The number of dimensions, if known.
    pub fn get(&self) -> Option<usize> {
        match self {
            Rank::Static(n) => Some(*n),
            Rank::Dynamic => None,
        }
    }

    /// The C value, or `InvalidShape` for a static rank above `i64::MAX` (which a plain cast
    /// would turn negative, that is, dynamic).
    fn to_c(self) -> Result<sys::ov_rank_t> {
        let d = match self {
            Rank::Static(n) => Dimension::new(i64::try_from(n).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidShape,
                    "Rank",
                    format!("rank {n} does not fit OpenVINO's int64_t"),
                )
                .with_source(e)
            })?),
            Rank::Dynamic => Dimension::dynamic(),
        };
        Ok(sys::ov_rank_t {
            min: d.min,
            max: d.max,
        })
    }
}

/// A shape whose rank or dimensions may be dynamic (`ov_partial_shape_t`).
///
/// ```
/// use openvino::{Dimension, PartialShape};
/// let shape = PartialShape::new(&[Dimension::dynamic(), Dimension::new(4)]);
/// assert!(shape.is_dynamic());
/// assert_eq!(shape.to_string(), "[?,4]");
/// assert_eq!(PartialShape::from_static(&[1, 4]).to_shape()?.dims(), &[1, 4]);
/// # Ok::<(), openvino::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartialShape {
    rank: Rank,
    dims: Vec<Dimension>,
}

impl PartialShape {
    /// A shape of known rank with these dimensions.
    pub fn new(dims: &[Dimension]) -> Self {
        Self {
            rank: Rank::Static(dims.len()),
            dims: dims.to_vec(),
        }
    }

    /// A shape of unknown rank.
    pub fn dynamic_rank() -> Self {
        Self {
            rank: Rank::Dynamic,
            dims: Vec::new(),
        }
    }

    /// A fully static shape.
    pub fn from_static(dims: &[i64]) -> Self {
        Self::new(&dims.iter().map(|d| Dimension::new(*d)).collect::<Vec<_>>())
    }

    /// The rank.
    pub fn rank(&self) -> Rank {
        self.rank
    }

    /// The dimensions (empty when the rank is dynamic).
    pub fn dims(&self) -> &[Dimension] {
        &self.dims
    }

    /// Whether the rank or any dimension is dynamic.
    pub fn is_dynamic(&self) -> bool {
        matches!(self.rank, Rank::Dynamic) || self.dims.iter().any(|d| d.get().is_none())
    }

    /// The static shape, or `InvalidShape` if any part is dynamic.
    pub fn to_shape(&self) -> Result<Shape> {
        if self.is_dynamic() {
            return Err(Error::new(
                ErrorKind::InvalidShape,
                "PartialShape::to_shape",
                format!("{self} is dynamic"),
            ));
        }
        Shape::new(&self.dims.iter().map(|d| d.min).collect::<Vec<_>>())
    }

    /// Builds OpenVINO's struct (allocated by OpenVINO, freed when the result drops).
    pub(crate) fn to_c(&self) -> Result<OwnedPartialShape> {
        ensure_loaded()?;
        let mut out = sys::ov_partial_shape_t::default();
        match self.rank {
            Rank::Dynamic => {
                let rank = self.rank.to_c()?;
                // SAFETY: a dynamic rank with no dimensions; `out` is a valid out-parameter.
                unsafe { ov!(ov_partial_shape_create_dynamic(rank, ptr::null(), &mut out,)) }?;
            }
            Rank::Static(_) if !self.is_dynamic() => {
                let dims: Vec<i64> = self.dims.iter().map(|d| d.min).collect();
                // SAFETY: `dims` holds `rank` sizes, read during the call.
                unsafe {
                    ov!(ov_partial_shape_create_static(
                        dims.len() as i64,
                        dims.as_ptr(),
                        &mut out,
                    ))
                }?;
            }
            Rank::Static(_) => {
                let dims = self
                    .dims
                    .iter()
                    .map(|d| d.to_c())
                    .collect::<Result<Vec<_>>>()?;
                // SAFETY: `dims` holds `rank` dimensions, read during the call.
                unsafe {
                    ov!(ov_partial_shape_create(
                        dims.len() as i64,
                        dims.as_ptr(),
                        &mut out
                    ))
                }?;
            }
        }
        Ok(OwnedPartialShape(out))
    }

    /// Copies an `ov_partial_shape_t` filled by OpenVINO (the caller frees it).
    pub(crate) fn from_c(shape: &sys::ov_partial_shape_t) -> Self {
        let rank = Dimension::from_c(shape.rank);
        match rank.get() {
            Some(n) if !shape.dims.is_null() => {
                // SAFETY: OpenVINO allocated `rank` dimensions.
                let dims = unsafe { std::slice::from_raw_parts(shape.dims, n as usize) };
                Self::new(
                    &dims
                        .iter()
                        .map(|d| Dimension::from_c(*d))
                        .collect::<Vec<_>>(),
                )
            }
            Some(0) => Self::new(&[]),
            _ => Self::dynamic_rank(),
        }
    }
}

impl From<&Shape> for PartialShape {
    fn from(shape: &Shape) -> Self {
        PartialShape::from_static(shape.dims())
    }
}

impl fmt::Display for PartialShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Rank::Dynamic = self.rank {
            return write!(f, "[...]");
        }
        write!(f, "[")?;
        for (i, d) in self.dims.iter().enumerate() {
            if i > 0 {
                write!(f, ",")?;
            }
            write!(f, "{d}")?;
        }
        write!(f, "]")
    }
}

/// An `ov_partial_shape_t` allocated by OpenVINO, freed on drop.
pub(crate) struct OwnedPartialShape(pub(crate) sys::ov_partial_shape_t);

impl OwnedPartialShape {
    /// OpenVINO's own rendering (`ov_partial_shape_to_string`).
    pub(crate) fn to_ov_string(&self) -> String {
        // SAFETY: a valid partial shape; the returned string is allocated for the caller.
        let raw = unsafe { ov_plain!(ov_partial_shape_to_string(self.0)) };
        // SAFETY: freed with ov_free by take_string.
        unsafe { crate::ffi::take_string(raw as *mut _, "ov_partial_shape_to_string") }
            .unwrap_or_default()
    }

    /// Converts through OpenVINO (`ov_partial_shape_to_shape`).
    pub(crate) fn to_shape(&self) -> Result<Shape> {
        let mut shape = sys::ov_shape_t::default();
        // SAFETY: a valid partial shape and out-parameter.
        unsafe { ov!(ov_partial_shape_to_shape(self.0, &mut shape)) }?;
        // SAFETY: filled by OpenVINO just above.
        unsafe { Shape::take_c(shape) }
    }

    /// Whether OpenVINO considers it dynamic (`ov_partial_shape_is_dynamic`).
    pub(crate) fn is_dynamic(&self) -> bool {
        // SAFETY: a valid partial shape passed by value.
        unsafe { ov_plain!(ov_partial_shape_is_dynamic(self.0)) }
    }
}

impl Drop for OwnedPartialShape {
    fn drop(&mut self) {
        // SAFETY: allocated by OpenVINO; freed exactly once here.
        unsafe { ov_plain!(ov_partial_shape_free(&mut self.0)) };
    }
}

impl Shape {
    /// This shape as a [`PartialShape`], converted by OpenVINO (`ov_shape_to_partial_shape`).
    pub fn to_partial_shape(&self) -> Result<PartialShape> {
        ensure_loaded()?;
        let mut out = sys::ov_partial_shape_t::default();
        // SAFETY: `as_c` borrows our dims for the call; `out` is filled by OpenVINO.
        unsafe { ov!(ov_shape_to_partial_shape(self.as_c(), &mut out)) }?;
        let owned = OwnedPartialShape(out);
        Ok(PartialShape::from_c(&owned.0))
    }
}

impl PartialShape {
    /// OpenVINO's rendering of the shape (`ov_partial_shape_to_string`), e.g. `[?,3,224,224]`.
    pub fn to_ov_string(&self) -> Result<String> {
        Ok(self.to_c()?.to_ov_string())
    }

    /// The static shape, converted by OpenVINO (`ov_partial_shape_to_shape`); fails on dynamic
    /// shapes with OpenVINO's message.
    pub fn to_shape_by_openvino(&self) -> Result<Shape> {
        let c = self.to_c()?;
        if c.is_dynamic() {
            return Err(Error::new(
                ErrorKind::InvalidShape,
                "PartialShape::to_shape_by_openvino",
                format!("{self} is dynamic"),
            ));
        }
        c.to_shape()
    }
}

/// A tensor layout such as `NCHW` or `NHWC` (`ov_layout_t`).
///
/// ```
/// use openvino::Layout;
/// let layout = Layout::new("NHWC")?;
/// assert_eq!(layout.to_string(), "[N,H,W,C]");
/// assert!(Layout::new("N\0C").is_err());
/// # Ok::<(), openvino::Error>(())
/// ```
pub struct Layout {
    handle: Handle<sys::ov_layout_t>,
}

// SAFETY: an ov_layout_t is an immutable value object once created.
unsafe impl Send for Layout {}
// SAFETY: as above; only const functions read it.
unsafe impl Sync for Layout {}

impl Layout {
    /// Parses a layout description (`"NCHW"`, `"[N,C,H,W]"`, `"N...C"`).
    pub fn new(description: &str) -> Result<Self> {
        ensure_loaded()?;
        let desc = cstring(description, "Layout::new")?;
        let mut ptr = ptr::null_mut();
        // SAFETY: a valid C string and out-parameter.
        let call = unsafe { ov!(ov_layout_create(desc.as_ptr(), &mut ptr)) }?;
        // SAFETY: a new layout the caller owns.
        let handle = unsafe { Handle::new(ptr, call) }?;
        Ok(Self { handle })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::ov_layout_t {
        self.handle.as_ptr()
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: a live layout; the returned string is allocated for the caller.
        let raw = unsafe { ov_plain!(ov_layout_to_string(self.as_ptr())) };
        // SAFETY: freed once by take_string.
        let text = unsafe { crate::ffi::take_string(raw as *mut _, "ov_layout_to_string") }
            .map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl fmt::Debug for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Layout({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_count_detects_overflow() {
        let shape = Shape::new(&[i64::MAX, i64::MAX]).unwrap();
        assert_eq!(shape.element_count(), None);
        assert_eq!(Shape::new(&[]).unwrap().element_count(), Some(1));
    }

    #[test]
    fn partial_shapes_render_like_openvino() {
        let shape = PartialShape::new(&[
            Dimension::dynamic(),
            Dimension::range(1, 8),
            Dimension::new(3),
        ]);
        assert_eq!(shape.to_string(), "[?,1..8,3]");
        assert_eq!(shape.to_ov_string().unwrap(), "{?,1..8,3}");
        assert!(shape.is_dynamic());
        assert_eq!(
            shape.to_shape().unwrap_err().kind(),
            ErrorKind::InvalidShape
        );
        assert_eq!(PartialShape::dynamic_rank().to_ov_string().unwrap(), "?");
        let unbounded = PartialShape::new(&[Dimension::range(2, -1)]);
        assert_eq!(
            unbounded.to_ov_string().unwrap_err().kind(),
            ErrorKind::InvalidShape
        );
    }

    #[test]
    fn static_shapes_convert_both_ways_through_openvino() {
        let shape = Shape::new(&[2, 3]).unwrap();
        let partial = shape.to_partial_shape().unwrap();
        assert_eq!(partial, PartialShape::from_static(&[2, 3]));
        assert_eq!(partial.to_shape_by_openvino().unwrap(), shape);
    }
}
