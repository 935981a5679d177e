//! Which file names are OpenVINO's libraries, on Linux, macOS and Windows, and the version each
//! name carries.

use crate::Version;

/// The two libraries a usable folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lib {
    /// `libopenvino_c`, the C API the bindings call.
    C,
    /// `libopenvino`, the core library `libopenvino_c` needs (its plugins sit beside it too).
    Core,
}

impl Lib {
    fn stem(self) -> &'static str {
        match self {
            Lib::C => "openvino_c",
            Lib::Core => "openvino",
        }
    }
}

/// What a file name says about `lib`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    /// Not that library (another library, a debug file, an unreadable version, ...).
    Other,
    /// The library under a name without a version: `libopenvino_c.so`, `libopenvino_c.dylib`,
    /// `openvino_c.dll`.
    Unversioned,
    /// The library under a versioned name: `libopenvino_c.so.2641`,
    /// `libopenvino_c.so.2026.4.1`, `libopenvino_c.2641.dylib`, `libopenvino_c.2026.4.1.dylib`.
    Versioned(Version),
}

/// Reads `file` as a name of `lib`. Every platform's names are recognised everywhere, so that a
/// folder copied from another system is still understood.
pub(crate) fn parse(lib: Lib, file: &str) -> Name {
    let stem = lib.stem();
    let from_suffix = |rest: &str| match rest {
        "" => Name::Unversioned,
        _ => rest
            .strip_prefix('.')
            .and_then(Version::from_file_suffix)
            .map_or(Name::Other, Name::Versioned),
    };
    let Some(rest) = file.strip_prefix("lib").and_then(|f| f.strip_prefix(stem)) else {
        return match file.strip_prefix(stem) {
            Some(".dll") => Name::Unversioned,
            _ => Name::Other,
        };
    };
    if let Some(after_so) = rest.strip_prefix(".so") {
        return from_suffix(after_so);
    }
    match rest.strip_suffix(".dylib") {
        Some(version) => from_suffix(version),
        None => Name::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versioned(s: &str) -> Name {
        Name::Versioned(s.parse().unwrap())
    }

    #[test]
    fn linux_names_are_recognised_with_and_without_versions() {
        assert_eq!(parse(Lib::C, "libopenvino_c.so"), Name::Unversioned);
        assert_eq!(
            parse(Lib::C, "libopenvino_c.so.2641"),
            versioned("2026.4.1")
        );
        assert_eq!(
            parse(Lib::C, "libopenvino_c.so.26101"),
            versioned("2026.10.1")
        );
        assert_eq!(
            parse(Lib::C, "libopenvino_c.so.2026.4.1"),
            versioned("2026.4.1")
        );
        assert_eq!(
            parse(Lib::Core, "libopenvino.so.2641"),
            versioned("2026.4.1")
        );
        assert_eq!(parse(Lib::Core, "libopenvino.so"), Name::Unversioned);
    }

    #[test]
    fn macos_names_are_recognised_with_and_without_versions() {
        assert_eq!(parse(Lib::C, "libopenvino_c.dylib"), Name::Unversioned);
        assert_eq!(
            parse(Lib::C, "libopenvino_c.2641.dylib"),
            versioned("2026.4.1")
        );
        assert_eq!(
            parse(Lib::C, "libopenvino_c.2026.4.1.dylib"),
            versioned("2026.4.1")
        );
        assert_eq!(
            parse(Lib::Core, "libopenvino.2641.dylib"),
            versioned("2026.4.1")
        );
    }

    #[test]
    fn windows_names_are_recognised() {
        assert_eq!(parse(Lib::C, "openvino_c.dll"), Name::Unversioned);
        assert_eq!(parse(Lib::Core, "openvino.dll"), Name::Unversioned);
    }

    #[test]
    fn the_c_library_is_not_taken_for_the_core_library_nor_the_other_way() {
        assert_eq!(parse(Lib::Core, "libopenvino_c.so"), Name::Other);
        assert_eq!(parse(Lib::Core, "libopenvino_c.so.2641"), Name::Other);
        assert_eq!(parse(Lib::Core, "libopenvino_c.2641.dylib"), Name::Other);
        assert_eq!(parse(Lib::Core, "openvino_c.dll"), Name::Other);
        assert_eq!(parse(Lib::C, "libopenvino.so"), Name::Other);
    }

    #[test]
    fn plugins_debug_files_and_odd_suffixes_are_other_files() {
        for other in [
            "libopenvino_intel_cpu_plugin.so",
            "libopenvino_c_extra.so",
            "libopenvino_c.so.abc",
            "libopenvino_c.so.2641.debug",
            "libopenvino_c.sox",
            "libopenvino_c.a",
            "openvino_c.lib",
            "openvino_c.dll.manifest",
            "libopenvino_c.so.264",
        ] {
            assert_eq!(parse(Lib::C, other), Name::Other, "{other}");
        }
        assert_eq!(
            parse(Lib::Core, "libopenvino_intel_cpu_plugin.so"),
            Name::Other
        );
    }
}
