//! Guest model bytes to an OpenVINO model: which frontend (decided from the declared encoding and
//! the bytes), the gate that refuses models that are not self-contained, and reading, from
//! memory where the frontend can and otherwise through a private, empty, per-load folder.

use std::path::{Path, PathBuf};

use openvino::{Core, Model};
use serde::{Deserialize, Serialize};

use super::{Encoding, Error, ErrorKind, gate};

/// An encoding OpenVINO reads, after `autodetect` is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Format {
    Ir,
    Onnx,
    TensorFlow,
    TensorFlowLite,
}

impl Format {
    pub(crate) fn encoding(self) -> Encoding {
        match self {
            Format::Ir => Encoding::Openvino,
            Format::Onnx => Encoding::Onnx,
            Format::TensorFlow => Encoding::Tensorflow,
            Format::TensorFlowLite => Encoding::TensorflowLite,
        }
    }

    /// The file name a frontend that reads only files gets.
    fn file_name(self) -> &'static str {
        match self {
            Format::Ir => "model.xml",
            Format::Onnx => "model.onnx",
            Format::TensorFlow => "model.pb",
            Format::TensorFlowLite => "model.tflite",
        }
    }

    /// Whether OpenVINO's frontend for this format reads from memory.
    fn reads_memory(self) -> bool {
        matches!(self, Format::Ir | Format::Onnx)
    }

    fn builders(self) -> usize {
        if self == Format::Ir { 2 } else { 1 }
    }
}

/// The frontend for a declared encoding; `autodetect` is decided from the bytes by the gate's
/// own sniffing (a cheap look; the full check is [`gate`]'s).
pub(crate) fn format(encoding: Encoding, builders: &[&[u8]]) -> Result<Format, Error> {
    let format = match encoding {
        Encoding::Openvino => Format::Ir,
        Encoding::Onnx => Format::Onnx,
        Encoding::Tensorflow => Format::TensorFlow,
        Encoding::TensorflowLite => Format::TensorFlowLite,
        Encoding::Pytorch => {
            return Err(Error::new(
                ErrorKind::UnsupportedOperation,
                "OpenVINO cannot read TorchScript without Python; convert the model to ONNX or IR",
            ));
        }
        Encoding::Ggml => {
            return Err(Error::new(
                ErrorKind::UnsupportedOperation,
                "OpenVINO cannot read GGML models; convert the model to ONNX or IR",
            ));
        }
        Encoding::Autodetect => Format::from(gate::detect(builders).map_err(refused)?),
    };
    // IR accepts a missing weights builder (a model without constants).
    let ok = builders.len() == format.builders() || (format == Format::Ir && builders.len() == 1);
    if !ok {
        return Err(Error::invalid(format!(
            "the {} encoding takes {} builder(s), not {}",
            format.encoding().as_str(),
            format.builders(),
            builders.len()
        )));
    }
    Ok(format)
}

impl From<gate::Format> for Format {
    fn from(format: gate::Format) -> Self {
        match format {
            gate::Format::Ir => Format::Ir,
            gate::Format::Onnx => Format::Onnx,
            gate::Format::TensorFlow => Format::TensorFlow,
            gate::Format::TensorFlowLite => Format::TensorFlowLite,
        }
    }
}

fn refused(e: gate::GateError) -> Error {
    let kind = match e.kind() {
        gate::GateErrorKind::Builders => ErrorKind::InvalidArgument,
        _ => ErrorKind::InvalidEncoding,
    };
    Error::new(kind, format!("model refused: {e}"))
}

/// The model gate: refuses models that are not self-contained or not of their declared encoding,
/// before any OpenVINO frontend sees them (see [`gate`]). Sandboxed loads run it in the worker,
/// where the memory its parsers take counts against the budget.
pub(crate) fn gate(format: Format, builders: &[&[u8]]) -> Result<(), Error> {
    let declared = match format {
        Format::Ir => gate::Encoding::Ir,
        Format::Onnx => gate::Encoding::Onnx,
        Format::TensorFlow => gate::Encoding::TensorFlow,
        Format::TensorFlowLite => gate::Encoding::TensorFlowLite,
    };
    gate::check(declared, builders).map(drop).map_err(refused)
}

/// Reads a model the gate passed: from memory where the frontend can, else through `folder` (a
/// private folder the caller made for this load) or, without one, a private folder made here
/// (mode 0700, removed whatever happens).
pub(crate) fn read_model(
    core: &Core,
    format: Format,
    builders: &[&[u8]],
    folder: Option<&Path>,
) -> Result<Model, Error> {
    let invalid = |e: openvino::Error| {
        Error::new(
            ErrorKind::InvalidEncoding,
            format!(
                "OpenVINO cannot read this {} model",
                format.encoding().as_str()
            ),
        )
        .with_source(e)
    };
    match (format, builders) {
        (Format::Ir, [xml, weights]) => core
            .read_model_from_buffer(xml, Some(weights))
            .map_err(invalid),
        (Format::Ir, [xml]) => core.read_model_from_buffer(xml, None).map_err(invalid),
        (format, [bytes]) if format.reads_memory() => {
            core.read_model_from_buffer(bytes, None).map_err(invalid)
        }
        (format, [bytes]) => {
            let own;
            let folder = match folder {
                Some(folder) => folder,
                None => {
                    own = PrivateDir::create().map_err(|e| {
                        Error::host(
                            ErrorKind::RuntimeError,
                            "cannot create a private folder for the model",
                        )
                        .with_source(e)
                    })?;
                    own.path()
                }
            };
            let path = write_new(&folder.join(format.file_name()), bytes).map_err(|e| {
                Error::host(ErrorKind::RuntimeError, "cannot write the model file").with_source(e)
            })?;
            core.read_model_from_file(&path, None).map_err(invalid)
        }
        _ => Err(Error::invalid("wrong number of builders")),
    }
}

/// A folder only this user can enter, created empty for one model and removed on drop (also on
/// errors and panics). Its name is not guessable and `mkdir` does not follow symbolic links, so
/// nothing else can be planted in it.
#[derive(Debug)]
pub(crate) struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    pub(crate) fn create() -> std::io::Result<Self> {
        use std::hash::{BuildHasher, RandomState};
        let base = std::env::temp_dir();
        for _ in 0..16 {
            // RandomState is seeded from the OS's randomness once per process, then counts.
            let n = RandomState::new().hash_one(std::time::SystemTime::now());
            let path = base.join(format!("wasi-nn-host-{}-{n:016x}", std::process::id()));
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            match builder.create(&path) {
                Ok(()) => return Ok(Self { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("no free name for a private folder"))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    #[cfg(test)]
    fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        write_new(&self.path.join(name), bytes)
    }
}

/// Writes a new file (it must not exist: no symbolic link is followed) readable only by this user.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)?;
    Ok(path.to_owned())
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autodetect_tells_formats_apart() {
        let format = |b: &[&[u8]]| format(Encoding::Autodetect, b);
        assert_eq!(format(&[b"<?xml version", b"weights"]).unwrap(), Format::Ir);
        assert_eq!(
            format(&[b"\x1c\0\0\0TFL3rest"]).unwrap(),
            Format::TensorFlowLite
        );
        assert_eq!(format(&[b"\x0a\x10node"]).unwrap(), Format::TensorFlow);
        assert_eq!(format(&[]).unwrap_err().kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn private_folders_are_private_and_removed() {
        let dir = PrivateDir::create().unwrap();
        let path = dir.path().to_owned();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
        assert_eq!(std::fs::read_dir(&path).unwrap().count(), 0);
        let file = dir.write("model.tflite", b"bytes").unwrap();
        assert!(
            dir.write("model.tflite", b"again").is_err(),
            "never overwrites"
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"bytes");
        drop(dir);
        assert!(!path.exists());
    }
}
