//! TensorFlow: the bytes must decode as a non-empty `GraphDef` (TensorFlow's framework protos,
//! prost), and no node, in the graph or in its function library, may be an op that reads or
//! writes files, resources or host memory.
//!
//! OpenVINO's TensorFlow frontend translates some such ops (`RestoreV2`, `VarHandleOp`,
//! `ReadVariableOp`, `HashTableV2`, iterators, queues) against variables and tables it loads next
//! to a SavedModel or MetaGraph, and TensorFlow defines more that name files in attributes
//! (`ReadFile`, `InitializeTableFromTextFileV2`, `ImmutableConst`, readers and datasets,
//! `DecodeProtoV2`'s descriptor source, `PrintV2` and `Debug*` output URLs). A guest's frozen
//! graph needs none of them: they are refused by name.

use prost::Message;

use super::generated::tensorflow::{
    AttrValue, FunctionDef, GraphDef, NodeDef, TensorProto, TensorShapeProto,
};
use super::{GateError, quote, wire};

/// Parts of op names that mark file, resource, variable, table, queue or I/O ops.
const REFUSED_PARTS: &[&str] = &[
    "File",
    "Reader",
    "Dataset",
    "Iterator",
    "Queue",
    "Table",
    "Variable",
    "VarHandle",
    "VarIsInitialized",
    "Resource",
    "Restore",
    "Save",
    "Checkpoint",
    "Summary",
    "Debug",
    "PyFunc",
    "Immutable",
    "Proto",
    "Print",
    "Recv",
    "Send",
    "Remap",
    "Vocab",
    "Barrier",
    "Stack",
    "TensorArray",
    "Accumulator",
];

/// Whole op names refused besides the parts above.
const REFUSED_OPS: &[&str] = &["Assign", "AssignAdd", "AssignSub", "ScatterUpdate"];

const LARGEST_MESSAGE: usize = {
    let sizes = [
        size_of::<NodeDef>(),
        size_of::<AttrValue>(),
        size_of::<FunctionDef>(),
        size_of::<TensorProto>(),
        size_of::<TensorShapeProto>(),
        size_of::<GraphDef>(),
    ];
    let mut largest = 0;
    let mut i = 0;
    while i < sizes.len() {
        if sizes[i] > largest {
            largest = sizes[i];
        }
        i += 1;
    }
    largest
};

pub(super) fn check(bytes: &[u8]) -> Result<(), GateError> {
    wire::check_budget(bytes, LARGEST_MESSAGE, "TensorFlow model")?;
    let graph = GraphDef::decode(bytes).map_err(|e| {
        GateError::encoding(format!(
            "not a TensorFlow model: the bytes are not a GraphDef ({e})"
        ))
    })?;
    if graph.node.is_empty() {
        return Err(GateError::encoding(
            "not a TensorFlow model: the GraphDef has no nodes",
        ));
    }
    for node in &graph.node {
        check_node(node, "the graph")?;
    }
    for function in graph.library.iter().flat_map(|l| &l.function) {
        let name = function.signature.as_ref().map_or("", |s| s.name.as_str());
        let within = format!("function {}", quote(name));
        for node in &function.node_def {
            check_node(node, &within)?;
        }
    }
    Ok(())
}

fn check_node(node: &NodeDef, within: &str) -> Result<(), GateError> {
    let op = node.op.as_str();
    if REFUSED_OPS.contains(&op) || REFUSED_PARTS.iter().any(|part| op.contains(part)) {
        return Err(GateError::refused(format!(
            "node {} of {within} is a {} op, which reads or writes files, resources or memory \
             outside the model: guest models must be self-contained frozen graphs",
            quote(&node.name),
            quote(op)
        )));
    }
    Ok(())
}
