//! Parsers for the flags whose syntax comes from `wasmtime run` (Wasmtime 48's `cli-flags` and
//! `commands/run.rs`), so that a `wasmtime run` command line works unchanged:
//! `--dir HOST[::GUEST]`, `--env NAME[=VAL]`, and the option groups `-W`, `-S`, `-C`, each
//! `KEY[=VAL][,KEY[=VAL]...]`, repeatable, later values winning, `-W help` listing the keys.

use std::ffi::OsStr;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{StringValueParser, TypedValueParser};
use clap::error::{Error, ErrorKind};

/// One key of an option group, for `-W help` and the man page.
pub struct OptionHelp {
    /// The key, as typed: `max-memory-size`.
    pub key: &'static str,
    /// What may follow it: `=N`, `[=y|n]`.
    pub value: &'static str,
    /// One line on what it does.
    pub doc: &'static str,
}

/// An option group (`-W`, `-S`, `-C`): its flag names, its keys, and how one `KEY[=VAL]` parses.
pub trait Group: Sized + Clone + Send + Sync + 'static {
    /// The short flag: `W`.
    const SHORT: char;
    /// The long flag: `wasm`.
    const LONG: &'static str;
    /// Every key the group has, for `-W help` and the unknown-key error.
    const KEYS: &'static [OptionHelp];
    /// `None` for a key the group does not have; `Some(Err)` for a bad value.
    fn parse(key: &str, value: Option<&str>) -> Option<Result<Self, String>>;
}

/// The options of one occurrence of a group flag, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Options<T>(pub Vec<T>);

/// clap's parser for a group: splits at `,`, then each `KEY[=VAL]` at the first `=`, as
/// wasmtime does; `help` prints the keys and exits 0, as wasmtime does.
#[derive(Clone)]
pub struct GroupParser<T>(PhantomData<T>);

impl<T> GroupParser<T> {
    /// The parser for group `T`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T: Group> TypedValueParser for GroupParser<T> {
    type Value = Options<T>;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, Error> {
        let value = StringValueParser::new().parse_ref(cmd, arg, value)?;
        if value == "help" {
            print!("{}", group_help::<T>());
            std::process::exit(0);
        }
        let mut options = Vec::new();
        for item in value.split(',') {
            let (key, val) = match item.split_once('=') {
                Some((key, val)) => (key, Some(val)),
                None => (item, None),
            };
            match T::parse(key, val) {
                Some(Ok(option)) => options.push(option),
                Some(Err(why)) => {
                    return Err(Error::raw(
                        ErrorKind::InvalidValue,
                        format!("failed to parse -{} option `{item}`: {why}\n", T::SHORT),
                    )
                    .with_cmd(cmd));
                }
                None => {
                    return Err(Error::raw(
                        ErrorKind::InvalidValue,
                        format!(
                            "unknown -{} / --{} option: {key} (this host has: {}; `-{} help` \
                             explains them)\n",
                            T::SHORT,
                            T::LONG,
                            T::KEYS.iter().map(|k| k.key).collect::<Vec<_>>().join(", "),
                            T::SHORT
                        ),
                    )
                    .with_cmd(cmd));
                }
            }
        }
        Ok(Options(options))
    }
}

/// `-W help`'s text: one line per key.
pub fn group_help<T: Group>() -> String {
    let width = T::KEYS
        .iter()
        .map(|k| k.key.len() + k.value.len())
        .max()
        .unwrap_or(0);
    let mut text = format!("Available --{} options:\n\n", T::LONG);
    for k in T::KEYS {
        let name = format!("{}{}", k.key, k.value);
        text.push_str(&format!("  -{} {name:<width$} -- {}\n", T::SHORT, k.doc));
    }
    text
}

/// A flag without a value, or `y`/`yes`/`true`, is on; `n`/`no`/`false` is off.
pub fn parse_bool(value: Option<&str>) -> Result<bool, String> {
    match value {
        None | Some("y" | "yes" | "true") => Ok(true),
        Some("n" | "no" | "false") => Ok(false),
        Some(other) => Err(format!(
            "unknown boolean flag `{other}`, only yes,no,<nothing> accepted"
        )),
    }
}

fn required(value: Option<&str>) -> Result<&str, String> {
    value.ok_or_else(|| "value must be specified with `key=val` syntax".to_owned())
}

/// A number: decimal or `0x` hexadecimal, `_` ignored (`-W max-memory-size=64_000_000`).
pub fn parse_number<N: TryFrom<u128>>(value: Option<&str>) -> Result<N, String> {
    let text = required(value)?.replace('_', "");
    let n = match text.strip_prefix("0x") {
        Some(hex) => u128::from_str_radix(hex, 16),
        None => text.parse::<u128>(),
    }
    .map_err(|e| format!("`{text}` is not a number: {e}"))?;
    N::try_from(n).map_err(|_| format!("{text} is too large"))
}

/// A duration: a whole number of seconds (`2`), or with a unit: `2s`, `100ms`, `10us`, `10μs`,
/// `500ns`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    if let Ok(secs) = text.parse() {
        return Ok(Duration::from_secs(secs));
    }
    type Unit = (&'static str, fn(u64) -> Duration);
    let units: [Unit; 5] = [
        ("ms", Duration::from_millis),
        ("us", Duration::from_micros),
        ("μs", Duration::from_micros),
        ("ns", Duration::from_nanos),
        ("s", Duration::from_secs),
    ];
    for (suffix, make) in units {
        if let Some(n) = text.strip_suffix(suffix).and_then(|n| n.parse().ok()) {
            return Ok(make(n));
        }
    }
    Err(format!(
        "failed to parse duration: {text} (a whole number with s, ms, us or ns; no unit means seconds)"
    ))
}

/// A time limit: a duration, or `none` (a newtype: clap reads a bare `Option` as "flag absent").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimit(pub Option<Duration>);

/// A duration, or `none` for no limit.
pub fn parse_time_limit(text: &str) -> Result<TimeLimit, String> {
    match text {
        "none" | "off" => Ok(TimeLimit(None)),
        _ => parse_duration(text).map(|d| TimeLimit(Some(d))),
    }
}

/// A byte count: a whole number, optionally with KiB, MiB, GiB (or K, M, G: also powers of 2).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let units: [(&str, u64); 7] = [
        ("KiB", 1 << 10),
        ("MiB", 1 << 20),
        ("GiB", 1 << 30),
        ("K", 1 << 10),
        ("M", 1 << 20),
        ("G", 1 << 30),
        ("B", 1),
    ];
    let (digits, scale) = units
        .iter()
        .find_map(|(suffix, scale)| text.strip_suffix(suffix).map(|d| (d, *scale)))
        .unwrap_or((text, 1));
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("failed to parse a byte count: {text} (e.g. 2GiB, 512MiB, 1048576)"))
}

/// A wasi-nn encoding name.
pub fn parse_encoding(text: &str) -> Result<wasi_nn_host::Encoding, String> {
    use wasi_nn_host::Encoding;
    match text {
        "openvino" | "ir" => Ok(Encoding::Openvino),
        "onnx" => Ok(Encoding::Onnx),
        "tensorflowlite" | "tflite" => Ok(Encoding::TensorflowLite),
        "tensorflow" => Ok(Encoding::Tensorflow),
        _ => Err(format!(
            "unknown encoding {text} (openvino, onnx, tensorflowlite, tensorflow)"
        )),
    }
}

/// `-W`: how Wasm code runs (a subset of `wasmtime run -W`, same names and value syntax).
#[derive(Debug, Clone, PartialEq)]
pub enum WasmOption {
    Timeout(Duration),
    MaxMemorySize(usize),
    TrapOnGrowFailure(bool),
    Fuel(u64),
}

impl Group for WasmOption {
    const SHORT: char = 'W';
    const LONG: &'static str = "wasm";
    const KEYS: &'static [OptionHelp] = &[
        OptionHelp {
            key: "timeout",
            value: "=N|Ns|Nms|..",
            doc: "interrupt Wasm code running longer than this (epoch interruption); the program \
                  exits as on a trap",
        },
        OptionHelp {
            key: "max-memory-size",
            value: "=N",
            doc: "largest size in bytes a linear memory may reach; memory.grow past it returns -1",
        },
        OptionHelp {
            key: "trap-on-grow-failure",
            value: "[=y|n]",
            doc: "fail (exit code 1, as in wasmtime) instead of returning -1 when memory.grow or \
                  table.grow fails",
        },
        OptionHelp {
            key: "fuel",
            value: "=N",
            doc: "stop Wasm code (as a trap) after it has used N units of fuel (about one per \
                  instruction)",
        },
    ];

    fn parse(key: &str, value: Option<&str>) -> Option<Result<Self, String>> {
        Some(match key {
            "timeout" => required(value)
                .and_then(parse_duration)
                .map(WasmOption::Timeout),
            "max-memory-size" => parse_number(value).map(WasmOption::MaxMemorySize),
            "trap-on-grow-failure" => parse_bool(value).map(WasmOption::TrapOnGrowFailure),
            "fuel" => parse_number(value).map(WasmOption::Fuel),
            _ => return None,
        })
    }
}

/// `-S`: which WASI proposals the program gets (a subset of `wasmtime run -S`).
#[derive(Debug, Clone, PartialEq)]
pub enum WasiOption {
    Nn(bool),
    NnGraph(NnGraph),
    InheritEnv(bool),
}

/// `-S nn-graph=FORMAT::DIR`: a model served to `load_by_name` under the folder's name.
#[derive(Debug, Clone, PartialEq)]
pub struct NnGraph {
    pub format: String,
    pub dir: PathBuf,
}

impl Group for WasiOption {
    const SHORT: char = 'S';
    const LONG: &'static str = "wasi";
    const KEYS: &'static [OptionHelp] = &[
        OptionHelp {
            key: "nn",
            value: "[=y|n]",
            doc: "wasi-nn (wasi_ephemeral_nn); always on in this host, accepted for wasmtime \
                  command lines",
        },
        OptionHelp {
            key: "nn-graph",
            value: "=<format>::<dir>",
            doc: "compile the model in <dir> (openvino: model.xml + model.bin, onnx: model.onnx, \
                  tensorflowlite: model.tflite, tensorflow: model.pb) and serve it to \
                  load_by_name under the folder's name",
        },
        OptionHelp {
            key: "inherit-env",
            value: "[=y|n]",
            doc: "pass every environment variable of the host to the program (--env still applies \
                  after)",
        },
    ];

    fn parse(key: &str, value: Option<&str>) -> Option<Result<Self, String>> {
        Some(match key {
            "nn" => parse_bool(value).map(WasiOption::Nn),
            "nn-graph" => required(value).and_then(|v| match v.split_once("::") {
                Some((format, dir)) => Ok(WasiOption::NnGraph(NnGraph {
                    format: format.to_owned(),
                    dir: PathBuf::from(dir),
                })),
                None => Err("graph does not contain `::` separator for directory".to_owned()),
            }),
            "inherit-env" => parse_bool(value).map(WasiOption::InheritEnv),
            _ => return None,
        })
    }
}

/// `-C`: how Wasm code is compiled (a subset of `wasmtime run -C`).
#[derive(Debug, Clone, PartialEq)]
pub enum CodegenOption {
    Cache(bool),
    CacheConfig(PathBuf),
}

impl Group for CodegenOption {
    const SHORT: char = 'C';
    const LONG: &'static str = "codegen";
    const KEYS: &'static [OptionHelp] = &[
        OptionHelp {
            key: "cache",
            value: "[=y|n]",
            doc: "keep compiled modules in Wasmtime's cache, so a second start skips compilation \
                  (default: yes)",
        },
        OptionHelp {
            key: "cache-config",
            value: "=path",
            doc: "Wasmtime's cache configuration file (default: \
                  $HOME/.config/wasmtime/config.toml, if present)",
        },
    ];

    fn parse(key: &str, value: Option<&str>) -> Option<Result<Self, String>> {
        Some(match key {
            "cache" => parse_bool(value).map(CodegenOption::Cache),
            "cache-config" => required(value).map(|v| CodegenOption::CacheConfig(v.into())),
            _ => return None,
        })
    }
}

/// `--dir HOST[::GUEST]`: the host folder, and its name in the guest (the same by default).
pub fn parse_dir(value: &str) -> Result<(PathBuf, String), String> {
    let mut parts = value.split("::");
    let host = parts.next().unwrap_or_default();
    let guest = parts.next().unwrap_or(host);
    if parts.next().is_some() {
        return Err(format!(
            "`{value}` has more than one `::`; the form is HOST_DIR[::GUEST_DIR]"
        ));
    }
    if host.is_empty() || guest.is_empty() {
        return Err(format!(
            "`{value}` names no folder; the form is HOST_DIR[::GUEST_DIR]"
        ));
    }
    Ok((PathBuf::from(host), guest.to_owned()))
}

/// `--env NAME=VAL` sets a variable, `--env NAME` passes the host's value (if it has one).
pub fn parse_env(value: &str) -> Result<(String, Option<String>), String> {
    let (name, val) = match value.split_once('=') {
        Some((name, val)) => (name, Some(val.to_owned())),
        None => (value, None),
    };
    if name.is_empty() {
        return Err(format!(
            "`{value}` has no variable name; the form is NAME[=VAL]"
        ));
    }
    Ok((name.to_owned(), val))
}

/// `--graph NAME=PATH[@DEVICE]`.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphArg {
    pub name: String,
    pub path: PathBuf,
    pub device: Option<String>,
}

/// `--graph NAME=PATH[@DEVICE]`: a device suffix is taken only when it has no `/`, so a path
/// with `@` in a folder name stays whole.
pub fn parse_graph(value: &str) -> Result<GraphArg, String> {
    let (name, rest) = value
        .split_once('=')
        .filter(|(name, rest)| !name.is_empty() && !rest.is_empty())
        .ok_or_else(|| format!("`{value}` is not NAME=PATH[@DEVICE]"))?;
    // `@` inside a folder name is part of the path; a device name has no `/`.
    let (path, device) = match rest.rsplit_once('@') {
        Some((path, device)) if !device.contains('/') && !device.is_empty() => {
            (path, Some(device.to_owned()))
        }
        _ => (rest, None),
    };
    Ok(GraphArg {
        name: name.to_owned(),
        path: PathBuf::from(path),
        device,
    })
}

/// `--property KEY=VALUE`.
pub fn parse_property(value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .filter(|(key, _)| !key.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{value}` is not KEY=VALUE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_wasmtime_parses_them() {
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("100ms"), Ok(Duration::from_millis(100)));
        assert_eq!(parse_duration("10us"), Ok(Duration::from_micros(10)));
        assert_eq!(parse_duration("10μs"), Ok(Duration::from_micros(10)));
        assert_eq!(parse_duration("500ns"), Ok(Duration::from_nanos(500)));
        for bad in ["", "1.5s", "-1", "1m", "ms", "10 s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn numbers_take_hex_and_underscores_and_refuse_overflow() {
        assert_eq!(parse_number::<usize>(Some("64_000")), Ok(64_000));
        assert_eq!(parse_number::<usize>(Some("0x10000")), Ok(65_536));
        assert!(parse_number::<u64>(Some("18446744073709551616")).is_err());
        assert!(parse_number::<usize>(Some("-1")).is_err());
        assert!(parse_number::<usize>(None).is_err());
    }

    #[test]
    fn booleans_accept_wasmtime_spellings_only() {
        for on in [None, Some("y"), Some("yes"), Some("true")] {
            assert_eq!(parse_bool(on), Ok(true));
        }
        for off in ["n", "no", "false"] {
            assert_eq!(parse_bool(Some(off)), Ok(false));
        }
        assert!(parse_bool(Some("1")).is_err());
    }

    #[test]
    fn dirs_envs_and_graphs_split_where_wasmtime_splits() {
        assert_eq!(
            parse_dir("fixture"),
            Ok(("fixture".into(), "fixture".into()))
        );
        assert_eq!(
            parse_dir("/a/b::/data"),
            Ok(("/a/b".into(), "/data".into()))
        );
        assert!(parse_dir("a::b::c").is_err());
        assert!(parse_dir("::b").is_err());
        assert_eq!(parse_env("A=b=c"), Ok(("A".into(), Some("b=c".into()))));
        assert_eq!(parse_env("HOME"), Ok(("HOME".into(), None)));
        assert!(parse_env("=x").is_err());
        let graph = parse_graph("cls=/m/a@b/model.onnx@GPU.1").unwrap();
        assert_eq!(graph.path, PathBuf::from("/m/a@b/model.onnx"));
        assert_eq!(graph.device.as_deref(), Some("GPU.1"));
        assert_eq!(parse_graph("cls=/m/a@b/x.onnx").unwrap().device, None);
        assert!(parse_graph("=x.onnx").is_err());
        assert!(parse_graph("cls=").is_err());
    }

    #[test]
    fn nn_graph_needs_the_double_colon() {
        assert_eq!(
            WasiOption::parse("nn-graph", Some("openvino::./fixture")),
            Some(Ok(WasiOption::NnGraph(NnGraph {
                format: "openvino".into(),
                dir: "./fixture".into()
            })))
        );
        assert!(matches!(
            WasiOption::parse("nn-graph", Some("openvino:./fixture")),
            Some(Err(_))
        ));
        assert_eq!(WasiOption::parse("http", None), None);
    }
}
