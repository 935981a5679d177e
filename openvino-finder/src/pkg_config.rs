//! Reads the folders an `openvino.pc` file names, without the `pkg-config` binary (a build
//! script should not depend on it being installed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folders a `.pc` file names, its variables expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PcFile {
    /// `libdir`: where the libraries are.
    pub libdir: PathBuf,
    /// `includedir`, when the file defines one.
    pub includedir: Option<PathBuf>,
}

/// Reads `pc`. The error says why it is of no use, in words for the probe.
pub(crate) fn read(pc: &Path) -> Result<PcFile, String> {
    let text = std::fs::read_to_string(pc).map_err(|e| format!("cannot read it: {e}"))?;
    parse(&text, pc.parent().unwrap_or(Path::new(".")))
}

/// Parses the text of a `.pc` file that lives in `pcfiledir`.
///
/// Variables are `name=value` lines; keyword lines (`Name: ...`) are skipped; `#` starts a
/// comment. Like pkg-config, references (`${prefix}`) are expanded when a variable is used, so a
/// variable may be defined after the line that refers to it, and `${pcfiledir}` is the folder
/// holding the file (OpenVINO's own `openvino.pc` is relative to it).
pub(crate) fn parse(text: &str, pcfiledir: &Path) -> Result<PcFile, String> {
    let mut vars = BTreeMap::new();
    vars.insert(
        "pcfiledir".to_owned(),
        pcfiledir.to_string_lossy().into_owned(),
    );
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some(eq) = line.find('=') else { continue };
        if line.find(':').is_some_and(|colon| colon < eq) {
            continue;
        }
        let name = line[..eq].trim();
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            vars.insert(name.to_owned(), line[eq + 1..].trim().to_owned());
        }
    }
    let get = |name: &str| -> Result<Option<PathBuf>, String> {
        match vars.get(name) {
            Some(value) => expand(value, &vars, 0).map(|v| Some(PathBuf::from(v))),
            None => Ok(None),
        }
    };
    let libdir = get("libdir")?
        .filter(|d| !d.as_os_str().is_empty())
        .ok_or("it defines no libdir")?;
    Ok(PcFile {
        libdir,
        includedir: get("includedir")?,
    })
}

/// Deep enough for any real file, shallow enough to stop `a=${b}`, `b=${a}` at once.
const MAX_DEPTH: usize = 16;

fn expand(value: &str, vars: &BTreeMap<String, String>, depth: usize) -> Result<String, String> {
    if depth > MAX_DEPTH {
        return Err("its variables refer to each other in a loop".to_owned());
    }
    let mut out = String::new();
    let mut rest = value;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(after) = after.strip_prefix('$') {
            out.push('$');
            rest = after;
        } else if let Some(reference) = after.strip_prefix('{') {
            let end = reference
                .find('}')
                .ok_or_else(|| format!("unclosed ${{ in {value:?}"))?;
            let name = &reference[..end];
            let value = vars
                .get(name)
                .ok_or_else(|| format!("it uses the undefined variable {name}"))?;
            out.push_str(&expand(value, vars, depth + 1)?);
            rest = &reference[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn libdir(text: &str) -> Result<PathBuf, String> {
        parse(text, Path::new("/pc")).map(|pc| pc.libdir)
    }

    #[test]
    fn prefix_and_exec_prefix_are_expanded_in_libdir() {
        let text = "prefix=/opt/ov\nexec_prefix=${prefix}/runtime\nlibdir=${exec_prefix}/lib/intel64\nincludedir=${prefix}/runtime/include\n\nName: OpenVINO\nLibs: -L${libdir} -lopenvino_c\n";
        let pc = parse(text, Path::new("/pc")).unwrap();
        assert_eq!(pc.libdir, Path::new("/opt/ov/runtime/lib/intel64"));
        assert_eq!(pc.includedir.unwrap(), Path::new("/opt/ov/runtime/include"));
    }

    #[test]
    fn pcfiledir_is_the_folder_holding_the_file() {
        let text = "pc_path=${pcfiledir}\nprefix=${pc_path}/../../../..\nexec_prefix=${prefix}/runtime/lib/intel64\nlibdir=${exec_prefix}\n";
        assert_eq!(
            libdir(text).unwrap(),
            Path::new("/pc/../../../../runtime/lib/intel64")
        );
    }

    #[test]
    fn variables_may_be_defined_after_their_use() {
        assert_eq!(
            libdir("libdir=${prefix}/lib\nprefix=/usr\n").unwrap(),
            Path::new("/usr/lib")
        );
    }

    #[test]
    fn comments_keywords_and_dollar_escapes_are_handled() {
        let text = "# a comment\nprefix=/a$$b # trailing\nDescription: x=y\nlibdir=${prefix}/lib\n";
        assert_eq!(libdir(text).unwrap(), Path::new("/a$b/lib"));
    }

    #[test]
    fn a_file_without_libdir_says_so() {
        assert_eq!(
            libdir("prefix=/usr\nLibs: -L/usr/lib\n").unwrap_err(),
            "it defines no libdir"
        );
        assert_eq!(libdir("libdir=\n").unwrap_err(), "it defines no libdir");
    }

    #[test]
    fn undefined_and_looping_variables_are_errors() {
        assert_eq!(
            libdir("libdir=${nowhere}/lib\n").unwrap_err(),
            "it uses the undefined variable nowhere"
        );
        assert!(
            libdir("a=${b}\nb=${a}\nlibdir=${a}\n")
                .unwrap_err()
                .contains("loop")
        );
        assert!(
            libdir("libdir=${prefix\n")
                .unwrap_err()
                .contains("unclosed")
        );
    }
}
