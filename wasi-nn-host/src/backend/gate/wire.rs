//! A bound on the memory prost would allocate to decode a protobuf, found before decoding.
//!
//! Decoding can take far more memory than the input: every 2-byte empty `NodeProto` becomes a
//! struct of a few hundred bytes, every 1-byte packed varint an 8-byte integer. So before prost
//! runs, one linear pass over the wire format counts the keys at every nesting level (entering
//! each length-delimited payload as if it were a message, and giving up on a payload, without
//! rescanning it, as soon as it is not valid wire format). Every message and repeated element
//! prost would allocate has a key among those counted, so `keys x largest struct + 8 x bytes`
//! bounds what decoding allocates, and the gate refuses models past its budget.

use super::GateError;

/// prost's own recursion limit: deeper messages fail to decode anyway.
const MAX_DEPTH: usize = 100;

/// The allocation bound for decoding `bytes` into messages of at most `largest` bytes each.
pub(super) fn decoded_bound(bytes: &[u8], largest: usize) -> u64 {
    let mut keys: u64 = 0;
    // End of each payload being scanned; the outermost is the whole input.
    let mut ends: Vec<usize> = vec![bytes.len()];
    let mut pos = 0usize;
    while let Some(&end) = ends.last() {
        if pos >= end {
            ends.pop();
            continue;
        }
        let Some(key) = varint(bytes, &mut pos, end) else {
            pos = end;
            continue;
        };
        keys += 1;
        let skip = match key & 7 {
            0 => varint(bytes, &mut pos, end).map(|_| 0),
            1 => Some(8),
            5 => Some(4),
            2 => varint(bytes, &mut pos, end).and_then(|len| usize::try_from(len).ok()),
            // Groups carry no payload of their own.
            3 | 4 => Some(0),
            _ => None,
        };
        let Some(skip) = skip else {
            pos = end;
            continue;
        };
        let Some(payload_end) = pos.checked_add(skip).filter(|e| *e <= end) else {
            pos = end;
            continue;
        };
        if key & 7 == 2 && skip > 0 && ends.len() < MAX_DEPTH {
            ends.push(payload_end);
        } else {
            pos = payload_end;
        }
    }
    let per_key = largest as u64 + 24;
    keys.saturating_mul(per_key)
        .saturating_add(8 * bytes.len() as u64)
}

/// A protobuf varint within `..end`, or `None` when it is malformed or cut short.
fn varint(bytes: &[u8], pos: &mut usize, end: usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        if *pos >= end {
            return None;
        }
        let b = bytes[*pos];
        *pos += 1;
        value |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Refuses a model whose decoding could take more than 16 bytes per input byte plus 64 MiB.
pub(super) fn check_budget(bytes: &[u8], largest: usize, what: &str) -> Result<(), GateError> {
    let bound = decoded_bound(bytes, largest);
    let budget = 16 * bytes.len() as u64 + (64 << 20);
    if bound > budget {
        return Err(GateError::refused(format!(
            "the {what} has too many fields for its size: decoding it could take {bound} bytes, \
             more than the gate's budget of {budget} bytes for {} bytes of model",
            bytes.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_keys_at_every_level() {
        // field 1 LEN { field 1 LEN { field 2 varint } }: three keys.
        let nested = b"\x0a\x04\x0a\x02\x10\x01";
        assert_eq!(decoded_bound(nested, 100), 3 * 124 + 8 * 6);
    }

    #[test]
    fn a_payload_that_is_not_a_message_is_skipped_once() {
        // field 1 LEN of 3 bytes that are not wire format (0xff 0xff 0xff), then field 2.
        let bytes = b"\x0a\x03\xff\xff\xff\x10\x05";
        assert_eq!(decoded_bound(bytes, 0), 2 * 24 + 8 * 7);
    }

    #[test]
    fn empty_messages_blow_up_and_are_refused() {
        // A million empty length-delimited fields: 2 MB that decode to a million structs.
        let bytes: Vec<u8> = std::iter::repeat_n([0x0au8, 0x00], 1 << 20)
            .flatten()
            .collect();
        assert!(check_budget(&bytes, 300, "ONNX model").is_err());
        assert!(check_budget(&bytes[..2000], 300, "ONNX model").is_ok());
    }
}
