//! OpenVINO's element types, translated to each release's C numbering at the boundary.

use std::fmt;
use std::str::FromStr;

use openvino_sys as sys;

use crate::{Error, ErrorKind, Result};

macro_rules! element_types {
    ($($variant:ident = $c:ident, $name:literal, $bits:literal, $doc:literal;)*) => {
        /// The type of a tensor's elements (`ov_element_type_e`).
        ///
        /// It means the same on every supported release: the C values differ before 2025.1, and
        /// [`to_c`](Self::to_c)/[`from_c`](Self::from_c) translate by the loaded release.
        ///
        /// ```
        /// use openvino::ElementType;
        /// let t: ElementType = "f32".parse()?;
        /// assert_eq!(t, ElementType::F32);
        /// assert_eq!(t.bit_width(), 32);
        /// assert_eq!(ElementType::Bf16.to_string(), "bf16");
        /// # Ok::<(), openvino::Error>(())
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ElementType {
            $(#[doc = $doc] $variant,)*
        }

        impl ElementType {
            /// Every element type, in OpenVINO's order.
            pub const ALL: &'static [ElementType] = &[$(ElementType::$variant,)*];

            /// The C value for the loaded OpenVINO release (releases before 2025.1 number
            /// element types differently; `openvino-sys` translates).
            pub fn to_c(self) -> sys::ov_element_type_e {
                let canonical = match self {
                    $(ElementType::$variant => sys::$c,)*
                };
                // Every variant is a value of the bindings' enum, so the translation has one.
                sys::library::element_type_to_c(canonical).unwrap_or(canonical)
            }

            /// The element type of a C value, or `UnknownValue` for a value this crate does not know.
            pub fn from_c(value: sys::ov_element_type_e) -> Result<Self> {
                match sys::library::element_type_from_c(value) {
                    $(Some(sys::$c) => Ok(ElementType::$variant),)*
                    _ => Err(Error::new(
                        ErrorKind::UnknownValue,
                        "ElementType::from_c",
                        format!("OpenVINO returned element type {value}, unknown to this crate"),
                    )),
                }
            }

            /// OpenVINO's name for it (`f32`, `u8`, `boolean`, ...).
            pub fn name(self) -> &'static str {
                match self {
                    $(ElementType::$variant => $name,)*
                }
            }

            /// Bits per element (0 for `Dynamic` and `String`, whose size is not fixed).
            pub fn bit_width(self) -> usize {
                match self {
                    $(ElementType::$variant => $bits,)*
                }
            }
        }

        impl FromStr for ElementType {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s {
                    $($name => Ok(ElementType::$variant),)*
                    other => Err(Error::new(
                        ErrorKind::UnknownValue,
                        "ElementType::from_str",
                        format!("{other:?} is not an OpenVINO element type"),
                    )),
                }
            }
        }
    };
}

element_types! {
    Dynamic = ov_element_type_e_DYNAMIC, "dynamic", 0, "Not known until run time.";
    Boolean = ov_element_type_e_OV_BOOLEAN, "boolean", 8, "Boolean, one byte per element (0 or 1).";
    Bf16 = ov_element_type_e_BF16, "bf16", 16, "bfloat16 (`half::bf16`).";
    F16 = ov_element_type_e_F16, "f16", 16, "IEEE half precision (`half::f16`).";
    F32 = ov_element_type_e_F32, "f32", 32, "IEEE single precision.";
    F64 = ov_element_type_e_F64, "f64", 64, "IEEE double precision.";
    I4 = ov_element_type_e_I4, "i4", 4, "Signed 4-bit integer, packed.";
    I8 = ov_element_type_e_I8, "i8", 8, "Signed 8-bit integer.";
    I16 = ov_element_type_e_I16, "i16", 16, "Signed 16-bit integer.";
    I32 = ov_element_type_e_I32, "i32", 32, "Signed 32-bit integer.";
    I64 = ov_element_type_e_I64, "i64", 64, "Signed 64-bit integer.";
    U1 = ov_element_type_e_U1, "u1", 1, "Binary, packed.";
    U2 = ov_element_type_e_U2, "u2", 2, "Unsigned 2-bit integer, packed.";
    U3 = ov_element_type_e_U3, "u3", 3, "Unsigned 3-bit integer, packed.";
    U4 = ov_element_type_e_U4, "u4", 4, "Unsigned 4-bit integer, packed.";
    U6 = ov_element_type_e_U6, "u6", 6, "Unsigned 6-bit integer, packed.";
    U8 = ov_element_type_e_U8, "u8", 8, "Unsigned 8-bit integer.";
    U16 = ov_element_type_e_U16, "u16", 16, "Unsigned 16-bit integer.";
    U32 = ov_element_type_e_U32, "u32", 32, "Unsigned 32-bit integer.";
    U64 = ov_element_type_e_U64, "u64", 64, "Unsigned 64-bit integer.";
    Nf4 = ov_element_type_e_NF4, "nf4", 4, "4-bit normal float, packed.";
    F8E4M3 = ov_element_type_e_F8E4M3, "f8e4m3", 8, "8-bit float, 4-bit exponent.";
    F8E5M2 = ov_element_type_e_F8E5M3, "f8e5m2", 8, "8-bit float, 5-bit exponent.";
    String = ov_element_type_e_STRING, "string", 0, "Strings (`std::string` inside OpenVINO).";
    F4E2M1 = ov_element_type_e_F4E2M1, "f4e2m1", 4, "4-bit float, packed.";
    F8E8M0 = ov_element_type_e_F8E8M0, "f8e8m0", 8, "8-bit exponent-only float.";
}

impl ElementType {
    /// The bytes OpenVINO uses for `count` elements of this type (what `ov_tensor_get_byte_size`
    /// answers), or `None` for `Dynamic` and `String` (no fixed size) and when it overflows.
    ///
    /// Packed types round up, and two of them pack in groups: `u3` stores 8 elements in 3 bytes
    /// and `u6` 4 elements in 3 bytes, so neither is `ceil(count * bits / 8)`.
    ///
    /// ```
    /// use openvino::ElementType;
    /// assert_eq!(ElementType::F32.byte_size(3), Some(12));
    /// assert_eq!(ElementType::U4.byte_size(3), Some(2));
    /// assert_eq!(ElementType::U3.byte_size(1), Some(3));
    /// assert_eq!(ElementType::U6.byte_size(5), Some(6));
    /// assert_eq!(ElementType::String.byte_size(1), None);
    /// ```
    pub fn byte_size(self, count: usize) -> Option<usize> {
        match self {
            ElementType::Dynamic | ElementType::String => None,
            ElementType::U3 => count.div_ceil(8).checked_mul(3),
            ElementType::U6 => count.div_ceil(4).checked_mul(3),
            other => count
                .checked_mul(other.bit_width())
                .map(|bits| bits.div_ceil(8)),
        }
    }
}

impl fmt::Display for ElementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Rust type that a tensor's data can be viewed as. Implemented for the primitive numeric
/// types and for `half::f16`/`half::bf16`; sealed, because a wrong pairing would be unsound.
pub trait TensorElement: Copy + sealed::Sealed + 'static {
    /// The element types whose data has this Rust type's size, alignment and bit validity.
    const ELEMENT_TYPES: &'static [ElementType];
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! tensor_elements {
    ($($ty:ty => [$($et:ident),+];)*) => {
        $(
            impl sealed::Sealed for $ty {}
            impl TensorElement for $ty {
                const ELEMENT_TYPES: &'static [ElementType] = &[$(ElementType::$et),+];
            }
        )*
    };
}

tensor_elements! {
    f32 => [F32];
    f64 => [F64];
    half::f16 => [F16];
    half::bf16 => [Bf16];
    i8 => [I8];
    i16 => [I16];
    i32 => [I32];
    i64 => [I64];
    // Boolean tensors hold one byte per element; viewing them as `u8` is always valid, as `bool`
    // would not be (OpenVINO does not promise 0 or 1).
    u8 => [U8, Boolean];
    u16 => [U16];
    u32 => [U32];
    u64 => [U64];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_values_follow_the_2025_1_numbering() {
        assert_eq!(ElementType::Dynamic.to_c(), 0);
        assert_eq!(ElementType::Boolean.to_c(), 1);
        assert_eq!(ElementType::F32.to_c(), 4);
        assert_eq!(ElementType::U8.to_c(), 16);
        assert_eq!(ElementType::String.to_c(), 23);
        for t in ElementType::ALL {
            assert_eq!(ElementType::from_c(t.to_c()).unwrap(), *t);
            assert_eq!(t.name().parse::<ElementType>().unwrap(), *t);
        }
    }

    #[test]
    fn unknown_values_are_errors_not_panics() {
        assert_eq!(
            ElementType::from_c(999).unwrap_err().kind(),
            ErrorKind::UnknownValue
        );
        assert_eq!(
            "float".parse::<ElementType>().unwrap_err().kind(),
            ErrorKind::UnknownValue
        );
    }
}
