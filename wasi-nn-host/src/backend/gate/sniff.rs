//! Which OpenVINO frontend would take a buffer for its own.
//!
//! OpenVINO picks a frontend by asking each, in a fixed order, whether it supports the input
//! (`FrontEndManager::load_by_model`: IR, ONNX, TensorFlow, TensorFlow Lite, PaddlePaddle, ...;
//! for a file, the frontend its extension names goes first). From memory, the IR frontend
//! claims a buffer whose first 512 bytes parse as an XML fragment with a `<net>` root, and the
//! ONNX frontend claims one whose first three protobuf keys are distinct `ModelProto` fields
//! (`is_valid_model` in `onnx_common`); from a file, the ONNX frontend does the same whatever
//! the extension. So a buffer that is a valid TFLite flatbuffer *and* passes the ONNX header
//! check (both are possible at once) could reach the ONNX frontend with external data, from a
//! file, if the TFLite frontend ever declined it. The gate refuses every such overlap: bytes
//! must be the declared encoding and nothing an earlier or fallback frontend would claim.

use super::{Format, GateError};

/// How far OpenVINO's IR frontend looks for the `<net>` root.
const IR_HEADER: usize = 512;

/// Bytes that start (after optional whitespace or a UTF-8 byte order mark) with `<`.
pub(super) fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

/// TensorFlow Lite's file identifier at offset 4.
pub(super) fn tflite_identifier(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"TFL3")
}

/// Whether OpenVINO's IR frontend could take these bytes for IR: a `<net` (any case) in the
/// first 512 bytes. A superset of what it accepts (it also wants the element to be the root of
/// a well-formed fragment, version 10 or 11), which is the safe direction for a refusal.
pub(super) fn openvino_may_take_for_ir(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(IR_HEADER)];
    head.windows(4)
        .any(|w| w[0] == b'<' && w[1..].eq_ignore_ascii_case(b"net"))
}

/// Whether OpenVINO's ONNX frontend would claim these bytes: its header check reads one-byte
/// protobuf keys and wants three distinct `ModelProto` fields with the right wire types, each
/// payload skipped by a varint of at most five bytes. This follows that check's behaviour,
/// including at the end of the input (a third field whose payload is cut short still counts).
pub(super) fn openvino_takes_for_onnx(bytes: &[u8]) -> bool {
    const VARINT: u8 = 0;
    const LEN: u8 = 2;
    // ModelProto fields whose key fits in one byte below 0x80 (training_info = 20 and
    // functions = 25 do not, and a signed key byte >= 0x80 never matches).
    let wire_type = |field: u8| match field {
        1 | 5 => Some(VARINT),
        2 | 3 | 4 | 6 | 7 | 8 | 14 => Some(LEN),
        _ => None,
    };
    let mut found: Vec<u8> = Vec::with_capacity(3);
    let mut pos = 0usize;
    while found.len() < 3 {
        let Some(&key) = bytes.get(pos) else {
            return false;
        };
        pos += 1;
        if key >= 0x80 {
            return false;
        }
        let (field, wire) = (key >> 3, key & 7);
        if wire_type(field) != Some(wire) {
            return false;
        }
        let (value, hit_end) = varint(bytes, &mut pos);
        if found.contains(&field) {
            return false;
        }
        found.push(field);
        if hit_end {
            // The stream's end-of-file flag stops the loop: only a third field counts.
            return found.len() == 3;
        }
        if wire == LEN {
            pos = pos.saturating_add(value as usize);
        }
    }
    true
}

/// OpenVINO's header-check varint: up to four 7-bit groups, then one more byte taken whole;
/// reading past the end repeats the last byte read (as `istream::get` leaves it). Returns the
/// value and whether the end was reached.
fn varint(bytes: &[u8], pos: &mut usize) -> (u32, bool) {
    let mut hit_end = false;
    let mut next = |last: u8| match bytes.get(*pos) {
        Some(&b) => {
            *pos += 1;
            b
        }
        None => {
            hit_end = true;
            last
        }
    };
    let mut groups: Vec<u8> = Vec::with_capacity(5);
    let mut c = next(0);
    while c & 0x80 != 0 && groups.len() < 4 {
        groups.push(c & 0x7f);
        c = next(c);
    }
    groups.push(c);
    let value = groups.iter().enumerate().fold(0u32, |acc, (i, b)| {
        acc | u32::from(*b).wrapping_shl(7 * i as u32)
    });
    (value, hit_end)
}

/// Refuses bytes of the declared `format` that another frontend could claim (see the module
/// documentation).
pub(super) fn exclusive(format: Format, bytes: &[u8]) -> Result<(), GateError> {
    let onnx = openvino_takes_for_onnx(bytes);
    let ir = openvino_may_take_for_ir(bytes);
    let claims = |other: Format| {
        GateError::encoding(format!(
            "the bytes are a {format} model but OpenVINO could also read them as {other}; \
             refusing an ambiguous model"
        ))
    };
    match format {
        Format::Onnx if !onnx => Err(GateError::encoding(
            "the bytes parse as an ONNX ModelProto but do not start like one (OpenVINO's ONNX \
             frontend wants three distinct ModelProto fields first, e.g. ir_version, \
             producer_name, graph); re-save the model with the onnx package",
        )),
        Format::Onnx | Format::TensorFlow | Format::TensorFlowLite if ir => Err(claims(Format::Ir)),
        Format::TensorFlow | Format::TensorFlowLite if onnx => Err(claims(Format::Onnx)),
        Format::TensorFlow if tflite_identifier(bytes) => Err(claims(Format::TensorFlowLite)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn onnx_header_check_wants_three_distinct_model_fields() {
        // ir_version 7, producer_name "x", graph (empty).
        assert!(openvino_takes_for_onnx(b"\x08\x07\x12\x01x\x3a\x00"));
        // The same field twice.
        assert!(!openvino_takes_for_onnx(b"\x08\x07\x08\x07\x3a\x00"));
        // Only two fields.
        assert!(!openvino_takes_for_onnx(b"\x08\x07\x12\x01x"));
        // A GraphDef (field 1 length-delimited) is not ONNX.
        assert!(!openvino_takes_for_onnx(b"\x0a\x02\x0a\x00"));
        // A third field cut short still counts, as in OpenVINO.
        assert!(openvino_takes_for_onnx(b"\x08\x07\x12\x01x\x3a\x80"));
        // A length that skips past the end stops before the third field.
        assert!(!openvino_takes_for_onnx(b"\x08\x07\x12\x7fx"));
    }

    #[test]
    fn a_tflite_flatbuffer_can_pass_the_onnx_header_check() {
        // The root offset reads as ir_version 1 and an empty producer_name; then the
        // identifier's 'T' is key field 10, wire type 4: not ONNX.
        let plain = b"\x08\x01\x12\x00TFL3";
        assert!(!openvino_takes_for_onnx(plain));
        // A producer_name length that jumps over the identifier: three ONNX fields.
        let polyglot = b"\x08\x01\x12\x04TFL3\x28\x01\x3a\x00";
        assert!(tflite_identifier(polyglot));
        assert!(openvino_takes_for_onnx(polyglot));
        assert!(exclusive(Format::TensorFlowLite, polyglot).is_err());
    }

    #[test]
    fn ir_sniff_looks_for_net_in_the_first_512_bytes() {
        assert!(openvino_may_take_for_ir(b"\x08\x07<NET version='11'>"));
        let mut late = vec![b' '; 600];
        late.extend_from_slice(b"<net>");
        assert!(!openvino_may_take_for_ir(&late));
        assert!(looks_like_xml(b"\xef\xbb\xbf  <net/>"));
        assert!(!looks_like_xml(b"\x08<net/>"));
    }
}
