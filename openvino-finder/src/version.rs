//! OpenVINO release numbers, as written in versions (`2026.4.1`) and in library file names
//! (`libopenvino_c.so.2641`).

use std::fmt;
use std::str::FromStr;

/// An OpenVINO release number, ordered numerically (`2026.10.0` is newer than `2026.9.0`).
///
/// ```
/// use openvino_finder::Version;
/// let v: Version = "2026.4.1".parse().unwrap();
/// assert_eq!(v, Version::new(2026, 4, 1));
/// assert!(v < "2026.10.0".parse().unwrap(), "numeric, not textual");
/// assert_eq!(v.to_string(), "2026.4.1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    /// The year, e.g. 2026.
    pub major: u32,
    /// The release within the year.
    pub minor: u32,
    /// The patch.
    pub patch: u32,
}

/// The oldest supported release: the oldest whose wheel on PyPI ships the C library
/// (`openvino/libs/libopenvino_c.so.2430`), so that every supported release is tested
/// (`scripts/test-releases`); the wheels of 2024.0 to 2024.2 ship none. `openvino-sys` reads its
/// minimum from here and translates what changed since (the element-type numbering of 2025.1).
///
/// ```
/// assert_eq!(openvino_finder::MIN_SUPPORTED.to_string(), "2024.3.0");
/// ```
pub const MIN_SUPPORTED: Version = Version::new(2024, 3, 0);

impl Version {
    /// The version `major.minor.patch`.
    ///
    /// ```
    /// let v = openvino_finder::Version::new(2026, 4, 1);
    /// assert_eq!((v.major, v.minor, v.patch), (2026, 4, 1));
    /// ```
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Reads the version a library file name carries after its stem: the full form (`2026.4.1`)
    /// or OpenVINO's compact soname form. The compact form is ambiguous, so only two lengths are
    /// read: exactly 4 digits are `YYMP` (`2641` is 2026.4.1) and exactly 5 digits are `YYMMP`
    /// (`26101` is 2026.10.1). Anything else is not a version.
    pub(crate) fn from_file_suffix(suffix: &str) -> Option<Version> {
        if suffix.contains('.') {
            return suffix.parse().ok();
        }
        if !suffix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (year, minor, patch) = match suffix.len() {
            4 => (&suffix[0..2], &suffix[2..3], &suffix[3..4]),
            5 => (&suffix[0..2], &suffix[2..4], &suffix[4..5]),
            _ => return None,
        };
        Some(Version::new(
            2000 + year.parse::<u32>().ok()?,
            minor.parse().ok()?,
            patch.parse().ok()?,
        ))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The text is not a version like `2026.4.1`.
///
/// ```
/// let err = "2026.x".parse::<openvino_finder::Version>().unwrap_err();
/// assert_eq!(err.to_string(), r#""2026.x" is not a version like 2026.4.1"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVersionError(String);

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a version like 2026.4.1", self.0)
    }
}

impl std::error::Error for ParseVersionError {}

impl FromStr for Version {
    type Err = ParseVersionError;

    /// Parses `2026.4.1`; missing parts are 0 (`2026.4` is 2026.4.0, `2026` is 2026.0.0).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseVersionError(s.to_owned());
        let mut numbers = [0u32; 3];
        let mut parts = s.split('.');
        for (i, number) in numbers.iter_mut().enumerate() {
            match parts.next() {
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    *number = p.parse().map_err(|_| err())?;
                }
                None if i > 0 => break,
                _ => return Err(err()),
            }
        }
        if parts.next().is_some() {
            return Err(err());
        }
        let [major, minor, patch] = numbers;
        Ok(Version::new(major, minor, patch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn full_versions_parse_with_missing_parts_as_zero() {
        assert_eq!(v("2026.4.1"), Version::new(2026, 4, 1));
        assert_eq!(v("2026.4"), Version::new(2026, 4, 0));
        assert_eq!(v("2026"), Version::new(2026, 0, 0));
    }

    #[test]
    fn malformed_versions_are_rejected() {
        for bad in [
            "",
            "2026.",
            ".4",
            "2026.4.1.0",
            "2026.x",
            "v2026",
            "2026.-1",
            "2026..1",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn versions_order_numerically_not_textually() {
        assert!(v("2026.10.0") > v("2026.9.0"));
        assert!(v("2026.0.0") > v("2025.4.1"));
        assert!(v("2025.1.0") > v("2025.0.9"));
        assert_eq!(v("2026.10.0").max(v("2026.9.0")).to_string(), "2026.10.0");
    }

    #[test]
    fn four_digit_suffix_reads_as_yy_m_p() {
        assert_eq!(Version::from_file_suffix("2641"), Some(v("2026.4.1")));
        assert_eq!(Version::from_file_suffix("2510"), Some(v("2025.1.0")));
    }

    #[test]
    fn five_digit_suffix_reads_as_yy_mm_p() {
        assert_eq!(Version::from_file_suffix("26101"), Some(v("2026.10.1")));
        assert_eq!(Version::from_file_suffix("26100"), Some(v("2026.10.0")));
    }

    #[test]
    fn dotted_suffix_reads_as_a_full_version() {
        assert_eq!(Version::from_file_suffix("2026.4.1"), Some(v("2026.4.1")));
    }

    #[test]
    fn other_suffixes_are_not_versions() {
        for bad in ["", "264", "264100", "26a1", "debug", "2026.4.x"] {
            assert_eq!(Version::from_file_suffix(bad), None, "{bad:?}");
        }
    }
}
