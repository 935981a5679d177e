//! Seeded byte mutations and truncations of the real ONNX (PP-OCR classifier), IR (add, tiny,
//! PP-OCR) and TFLite (MediaPipe face detector) fixtures, loaded by a Wasm guest (nn-load)
//! through the `wasi-nn-host` CLI, run as a child process so that a crash is observed (a signal
//! or an abnormal exit) rather than fatal to the test. Each host run loads a batch of models and
//! prints one line per model; after a crash the next run starts after the model that crashed it.
//!
//! `MODEL_MUTATIONS` sets the models per format (default 300, CI's quick form); the figures
//! (outcomes by errno, crashes) are printed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::Rng;

/// Models per host run: every loaded graph stays in the instance (wasi-nn has no unload).
const BATCH: usize = 40;
/// A host run that takes longer than this is killed: a model that stalls OpenVINO (a time bomb
/// the host's compile deadline, not the gate, must stop) is reported as a hang, not a crash.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// One seeded mutation: flipped bits, an overwritten run, a truncation, an insertion, or a
/// 4-byte integer (offsets and lengths in protobuf, flatbuffers and XML alike).
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    let len = bytes.len();
    match rng.below(6) {
        0 => {
            for _ in 0..=rng.below(8) {
                let i = rng.below(len);
                bytes[i] ^= 1 << rng.below(8);
            }
        }
        1 => {
            let i = rng.below(len);
            let n = rng.below(32).min(len - i);
            let fill = [0x00, 0xff, 0x7f, 0x80, b'9', b'<'][rng.below(6)];
            bytes[i..i + n].fill(fill);
        }
        2 => bytes.truncate(rng.below(len)),
        3 => {
            let i = rng.below(len + 1);
            let mut extra = vec![0u8; rng.below(16) + 1];
            rng.fill(&mut extra);
            bytes.splice(i..i, extra);
        }
        4 => {
            // Mutations near the start hit headers, root offsets and vtables.
            let i = rng.below(len.min(512).saturating_sub(4));
            let v = [0u32, 1, 4, 0x7fff_ffff, 0xffff_ffff, rng.next_u64() as u32][rng.below(6)];
            bytes[i..i + 4].copy_from_slice(&v.to_le_bytes());
        }
        _ => {
            // Digits in XML attributes (shapes, offsets, sizes, ports) become other numbers.
            let digits: Vec<usize> = (0..len).filter(|i| bytes[*i].is_ascii_digit()).collect();
            for _ in 0..=rng.below(4) {
                if let Some(&i) = digits.get(rng.below(digits.len())) {
                    bytes[i] = b"0123456789"[rng.below(10)];
                    if rng.below(4) == 0 {
                        bytes.splice(i..i, *b"99999");
                    }
                }
            }
        }
    }
    bytes
}

struct Format {
    name: &'static str,
    encoding: &'static str,
    /// Model files: one file, or IR xml and bin.
    seeds: Vec<Vec<PathBuf>>,
}

/// How a host run ended when it did not finish its list.
enum Ending {
    Crash(String),
    Hang,
}

#[derive(Default)]
struct Figures {
    hangs: Vec<String>,
    outcomes: BTreeMap<String, usize>,
    crashes: Vec<String>,
    elapsed: Duration,
}

/// Runs the host over `list` from `start`; returns the lines printed and how the host ended.
fn host_run(dir: &Path, list: &str, start: usize) -> (Vec<String>, Option<Ending>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasi-nn-host"))
        .args(["--max-graphs", "1000", "--dir"])
        .arg(format!("{}::/m", dir.display()))
        .arg(openvino_fixtures::guest("nn-load"))
        .arg(format!("/m/{list}"))
        .arg(start.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the CLI starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let lines = reader.join().unwrap().lines().map(str::to_owned).collect();
    let ending = match status {
        Some(s) if s.success() => None,
        Some(s) => Some(Ending::Crash(format!("host ended with {s}"))),
        None => Some(Ending::Hang),
    };
    (lines, ending)
}

#[test]
fn mutated_real_models_never_crash_the_host() {
    let per_format: usize = std::env::var("MODEL_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let fixtures = openvino_fixtures::dir();
    let ir = |name: &str| {
        vec![
            fixtures.join(format!("{name}.xml")),
            fixtures.join(format!("{name}.bin")),
        ]
    };
    let formats = [
        Format {
            name: "onnx",
            encoding: "onnx",
            seeds: vec![vec![fixtures.join("pp_ocr_cls.onnx")]],
        },
        Format {
            name: "ir",
            encoding: "openvino",
            seeds: vec![ir("add"), ir("tiny"), ir("pp_ocr_cls")],
        },
        Format {
            name: "tflite",
            encoding: "tensorflowlite",
            seeds: vec![vec![fixtures.join("face_detection_short_range.tflite")]],
        },
    ];
    let dir = std::env::temp_dir().join(format!("wasi-nn-host-mutations-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(0x0dd_b10b_2026_0a7e);
    let mut figures: BTreeMap<&str, Figures> = BTreeMap::new();
    let started = Instant::now();
    for format in &formats {
        // The list: one mutated model per line, written to files the guest reads from /m.
        let mut lines = Vec::with_capacity(per_format);
        for i in 0..per_format {
            let seed = &format.seeds[i % format.seeds.len()];
            let bytes: Vec<Vec<u8>> = seed.iter().map(|p| std::fs::read(p).unwrap()).collect();
            // IR: the XML mutated three times in four, the weights otherwise.
            let target = if bytes.len() == 2 && !bytes[1].is_empty() && rng.below(4) == 3 {
                1
            } else {
                0
            };
            let mut names = Vec::new();
            for (part, content) in bytes.iter().enumerate() {
                let name = format!("{}-{i}-{part}", format.name);
                let content = if part == target {
                    mutate(&mut rng, content)
                } else {
                    content.clone()
                };
                std::fs::write(dir.join(&name), content).unwrap();
                names.push(format!("/m/{name}"));
            }
            lines.push(format!("{} {}", format.encoding, names.join(",")));
        }
        let format_started = Instant::now();
        let figures = figures.entry(format.name).or_default();
        let mut start = 0;
        while start < per_format {
            let end = (start + BATCH).min(per_format);
            let list = format!("{}-list-{start}.txt", format.name);
            std::fs::write(dir.join(&list), lines[start..end].join("\n")).unwrap();
            let (printed, ending) = host_run(&dir, &list, 0);
            for line in &printed {
                let outcome = line.split_once(' ').map_or(line.as_str(), |(_, o)| o);
                *figures.outcomes.entry(outcome.to_owned()).or_default() += 1;
            }
            let done = printed.len();
            match ending {
                None if done == end - start => start = end,
                None => panic!(
                    "the host exited cleanly after {done} of {} models",
                    end - start
                ),
                Some(ending) => {
                    // The model after the last line printed stopped the host; go on after it.
                    let culprit = start + done;
                    let what = format!("{} #{culprit} ({})", format.name, lines[culprit]);
                    match ending {
                        Ending::Crash(how) => figures.crashes.push(format!("{what}: {how}")),
                        Ending::Hang => figures.hangs.push(what),
                    }
                    start = culprit + 1;
                }
            }
        }
        figures.elapsed = format_started.elapsed();
    }
    eprintln!(
        "model mutations through the CLI in {:.1?}:",
        started.elapsed()
    );
    for (name, f) in &figures {
        eprintln!(
            "  {name}: {per_format} models in {:.1?}, outcomes {:?}, crashes {}, hangs {}",
            f.elapsed,
            f.outcomes,
            f.crashes.len(),
            f.hangs.len()
        );
        for hang in &f.hangs {
            eprintln!("    HANG (killed after {RUN_LIMIT:?}) {hang}");
        }
        for crash in &f.crashes {
            eprintln!("    CRASH {crash}");
        }
    }
    let crashes: Vec<&String> = figures.values().flat_map(|f| &f.crashes).collect();
    if crashes.is_empty() && figures.values().all(|f| f.hangs.is_empty()) {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("  the mutated models are kept in {}", dir.display());
    }
    assert!(
        crashes.is_empty(),
        "host crashes (mutated models kept in {}): {crashes:?}",
        dir.display()
    );
    for (name, f) in &figures {
        assert_eq!(
            f.outcomes.values().sum::<usize>() + f.hangs.len(),
            per_format,
            "{name}"
        );
        // The mutations reach both answers: loaded, and refused by the gate.
        assert!(
            f.outcomes.contains_key("ok") && f.outcomes.contains_key("errno 2"),
            "{name}: {:?}",
            f.outcomes
        );
    }
}
