//! TensorFlow Lite: file identifier `TFL3`, the flatbuffers verifier over the whole model (the
//! schema's tables, vectors, strings and unions, builtin options included), no data outside the
//! flatbuffer, and every reference OpenVINO's frontend follows in range.
//!
//! OpenVINO's TFLite frontend reads the file with `tflite::GetModel`, without the verifier, and
//! follows indices unchecked (`(*tensors)[input]`, `(*buffers)[tensor->buffer()]`,
//! `(*op_codes)[opcode_index]`, `EnumNamesBuiltinOperator()[code]`, `custom_code()->str()`,
//! `subgraphs()->begin()`): a malformed model makes it read outside the buffer. The gate verifies
//! the flatbuffer and checks each of those references, so only models it can walk safely reach
//! it. Buffers, custom options and tensors may point at data outside the flatbuffer (the `offset`
//! and `size` of models over 2 GB, external buffers); guest models must be self-contained, so
//! those are refused.

use flatbuffers::{Vector, VerifierOptions};

use super::generated::tflite::tflite::{Model, Operator, SubGraph, root_as_model_with_opts};
use super::{GateError, GateErrorKind, quote};

/// `BuiltinOperator::CUSTOM`.
const CUSTOM: i32 = 32;
/// `deprecated_builtin_code` values from here on mean "see `builtin_code`".
const PLACEHOLDER_FOR_GREATER_OP_CODES: i8 = 127;
/// The last builtin operator before the StableHLO ones (`RIGHT_SHIFT`); OpenVINO's frontend
/// translates none past it, and indexes its table of names with the code unchecked, so a code
/// past the table OpenVINO was built with would read outside it.
const LAST_BUILTIN: i32 = 161;

pub(super) fn check(bytes: &[u8]) -> Result<(), GateError> {
    if bytes.get(4..8) != Some(b"TFL3") {
        return Err(GateError::encoding(
            "not a TensorFlow Lite model: no TFL3 file identifier at offset 4",
        ));
    }
    let options = VerifierOptions::default();
    let model = root_as_model_with_opts(&options, bytes).map_err(|e| {
        GateError::encoding(format!(
            "not a TensorFlow Lite model: the flatbuffer does not verify ({e})"
        ))
    })?;
    self_contained(&model)?;
    references(&model)
}

fn external(message: String) -> GateError {
    GateError::new(GateErrorKind::External, message)
}

fn self_contained(model: &Model<'_>) -> Result<(), GateError> {
    for (i, buffer) in model.buffers().iter().flatten().enumerate() {
        if buffer.offset() != 0 || buffer.size() != 0 {
            return Err(external(format!(
                "buffer {i} refers to data outside the flatbuffer (offset {}, size {}): guest \
                 models must be self-contained",
                buffer.offset(),
                buffer.size()
            )));
        }
    }
    if model.external_buffers().is_some_and(|v| !v.is_empty())
        || model
            .external_buffer_groups()
            .is_some_and(|v| !v.is_empty())
    {
        return Err(external(
            "the model lists external buffers: guest models must be self-contained".into(),
        ));
    }
    for (s, subgraph) in model.subgraphs().iter().flatten().enumerate() {
        for (t, tensor) in subgraph.tensors().iter().flatten().enumerate() {
            if tensor.external_buffer() != 0 {
                return Err(external(format!(
                    "tensor {t} {} of subgraph {s} refers to external buffer {}: guest models \
                     must be self-contained",
                    quote(tensor.name().unwrap_or("")),
                    tensor.external_buffer()
                )));
            }
        }
        for (o, op) in subgraph.operators().iter().flatten().enumerate() {
            if op.large_custom_options_offset() != 0 || op.large_custom_options_size() != 0 {
                return Err(external(format!(
                    "operator {o} of subgraph {s} keeps its custom options outside the \
                     flatbuffer (offset {}): guest models must be self-contained",
                    op.large_custom_options_offset()
                )));
            }
        }
    }
    Ok(())
}

fn missing(what: String) -> GateError {
    GateError::refused(format!(
        "{what}: OpenVINO's TensorFlow Lite frontend would read it unchecked"
    ))
}

fn references(model: &Model<'_>) -> Result<(), GateError> {
    let subgraphs = model
        .subgraphs()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("the model has no subgraph".into()))?;
    let buffers = model.buffers().map_or(0, |b| b.len());
    let codes = model
        .operator_codes()
        .ok_or_else(|| missing("the model has no operator_codes".into()))?;
    for (i, code) in codes.iter().enumerate() {
        let deprecated = code.deprecated_builtin_code();
        let builtin = if deprecated < PLACEHOLDER_FOR_GREATER_OP_CODES {
            i32::from(deprecated)
        } else {
            code.builtin_code()
        };
        if !(0..=LAST_BUILTIN).contains(&builtin) {
            return Err(missing(format!(
                "operator code {i} is builtin operator {builtin}, outside 0..={LAST_BUILTIN}"
            )));
        }
        if builtin == CUSTOM && code.custom_code().is_none() {
            return Err(missing(format!(
                "custom operator code {i} has no custom_code"
            )));
        }
    }
    for (s, subgraph) in subgraphs.iter().enumerate() {
        self::subgraph(&subgraph, s, buffers, codes.len())?;
    }
    Ok(())
}

fn subgraph(
    subgraph: &SubGraph<'_>,
    s: usize,
    buffers: usize,
    codes: usize,
) -> Result<(), GateError> {
    let (Some(tensors), Some(inputs), Some(outputs), Some(operators)) = (
        subgraph.tensors(),
        subgraph.inputs(),
        subgraph.outputs(),
        subgraph.operators(),
    ) else {
        return Err(missing(format!(
            "subgraph {s} lacks tensors, inputs, outputs or operators"
        )));
    };
    for (t, tensor) in tensors.iter().enumerate() {
        if tensor.buffer() as usize >= buffers {
            return Err(missing(format!(
                "tensor {t} of subgraph {s} uses buffer {} of {buffers}",
                tensor.buffer()
            )));
        }
        if tensor.name().is_none() || tensor.shape().is_none() {
            return Err(missing(format!(
                "tensor {t} of subgraph {s} has no name or no shape"
            )));
        }
    }
    let indices = TensorIndices {
        count: tensors.len(),
        subgraph: s,
    };
    indices.check(inputs, false, "an input")?;
    indices.check(outputs, false, "an output")?;
    for (o, op) in operators.iter().enumerate() {
        operator(&op, o, codes, &indices)?;
    }
    Ok(())
}

/// Tensor indices of one subgraph: `0..count`, and -1 where an input is optional.
struct TensorIndices {
    count: usize,
    subgraph: usize,
}

impl TensorIndices {
    fn check(&self, list: Vector<'_, i32>, optional: bool, what: &str) -> Result<(), GateError> {
        for index in list.iter() {
            let ok =
                usize::try_from(index).is_ok_and(|i| i < self.count) || (optional && index == -1);
            if !ok {
                return Err(missing(format!(
                    "{what} of subgraph {} names tensor {index} of {}",
                    self.subgraph, self.count
                )));
            }
        }
        Ok(())
    }
}

fn operator(
    op: &Operator<'_>,
    o: usize,
    codes: usize,
    indices: &TensorIndices,
) -> Result<(), GateError> {
    if op.opcode_index() as usize >= codes {
        return Err(missing(format!(
            "operator {o} uses operator code {} of {codes}",
            op.opcode_index()
        )));
    }
    let (Some(inputs), Some(outputs)) = (op.inputs(), op.outputs()) else {
        return Err(missing(format!(
            "operator {o} has no inputs or outputs list"
        )));
    };
    indices.check(inputs, true, &format!("an input of operator {o}"))?;
    indices.check(outputs, false, &format!("an output of operator {o}"))?;
    if let Some(intermediates) = op.intermediates() {
        indices.check(
            intermediates,
            false,
            &format!("an intermediate of operator {o}"),
        )?;
    }
    Ok(())
}
