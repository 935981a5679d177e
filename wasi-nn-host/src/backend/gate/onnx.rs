//! ONNX: the bytes must decode as a `ModelProto` (onnx-ml.proto, prost) that names an IR
//! version, opsets and a graph, and no tensor anywhere may keep its data outside the bytes.
//!
//! Where `onnx-ml.proto` lets a `TensorProto` appear: graph `initializer`s; `sparse_initializer`
//! values and indices; node attributes `t`, `tensors`, `sparse_tensor`, `sparse_tensors`; the
//! graphs of attributes `g` and `graphs` (the bodies of `If`, `Loop`, `Scan`), recursively;
//! model `functions` (their nodes' attributes and their `attribute_proto` defaults); and
//! `training_info` (initialization and algorithm graphs). A tensor with
//! `data_location = EXTERNAL` or any `external_data` entry is refused: OpenVINO resolves its
//! `location` against the model's folder (relative, absolute and `../` paths alike), and the
//! location `*/_ORT_MEM_ADDR_/*` makes it read the host address given as `offset`.

use std::collections::HashSet;

use prost::Message;

use super::generated::onnx::{
    AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto, SparseTensorProto,
    TensorProto, TrainingInfoProto, ValueInfoProto, tensor_proto::DataLocation,
};
use super::{GateError, GateErrorKind, quote, wire};

/// Subgraphs nested deeper than this are refused (real models nest a few levels; prost's
/// recursion limit alone would allow about 33).
const MAX_GRAPH_DEPTH: usize = 16;

/// The largest struct prost allocates per decoded message (for the memory budget).
const LARGEST_MESSAGE: usize = {
    let sizes = [
        size_of::<GraphProto>(),
        size_of::<NodeProto>(),
        size_of::<AttributeProto>(),
        size_of::<TensorProto>(),
        size_of::<SparseTensorProto>(),
        size_of::<FunctionProto>(),
        size_of::<TrainingInfoProto>(),
        size_of::<ValueInfoProto>(),
        size_of::<ModelProto>(),
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
    wire::check_budget(bytes, LARGEST_MESSAGE, "ONNX model")?;
    let model = ModelProto::decode(bytes).map_err(|e| {
        GateError::encoding(format!(
            "not an ONNX model: the bytes are not a ModelProto ({e})"
        ))
    })?;
    if model.ir_version.unwrap_or(0) <= 0 {
        return Err(GateError::encoding(
            "not an ONNX model: the ModelProto has no ir_version",
        ));
    }
    if model.opset_import.is_empty() {
        return Err(GateError::encoding(
            "not an ONNX model: the ModelProto imports no opset",
        ));
    }
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| GateError::encoding("not an ONNX model: the ModelProto has no graph"))?;
    let walk = Walk;
    walk.graph(graph, "the model", 0)?;
    defined(graph, &[], &format!("graph {}", quote(graph.name())))?;
    for function in &model.functions {
        let mut names: HashSet<&str> = function.input.iter().map(String::as_str).collect();
        names.extend(
            function
                .node
                .iter()
                .flat_map(|n| n.output.iter().map(String::as_str)),
        );
        let within = format!("function {}", quote(function.name()));
        for node in &function.node {
            node_inputs(node, &[&names], &within)?;
        }
    }
    for function in &model.functions {
        walk.function(function)?;
    }
    for (i, info) in model.training_info.iter().enumerate() {
        let place = format!("training_info[{i}]");
        if let Some(g) = &info.initialization {
            walk.graph(g, &format!("the initialization of {place}"), 0)?;
        }
        if let Some(g) = &info.algorithm {
            walk.graph(g, &format!("the algorithm of {place}"), 0)?;
        }
    }
    Ok(())
}

/// The walk over every place a tensor can be; `within` describes the container for messages.
struct Walk;

impl Walk {
    fn graph(&self, graph: &GraphProto, within: &str, depth: usize) -> Result<(), GateError> {
        if depth > MAX_GRAPH_DEPTH {
            return Err(GateError::refused(format!(
                "subgraphs nest deeper than {MAX_GRAPH_DEPTH} levels in {within}"
            )));
        }
        let here = format!("graph {} ({within})", quote(graph.name()));
        let here = if depth == 0 && within == "the model" {
            format!("graph {}", quote(graph.name()))
        } else {
            here
        };
        for tensor in &graph.initializer {
            self.tensor(
                tensor,
                &format!("initializer {} of {here}", quote(tensor.name())),
            )?;
        }
        for sparse in &graph.sparse_initializer {
            let name = sparse.values.as_ref().map_or("", |v| v.name());
            self.sparse(
                sparse,
                &format!("sparse initializer {} of {here}", quote(name)),
            )?;
        }
        for node in &graph.node {
            self.node(node, &here, depth)?;
        }
        Ok(())
    }

    fn node(&self, node: &NodeProto, within: &str, depth: usize) -> Result<(), GateError> {
        let here = format!(
            "node {} ({}) of {within}",
            quote(node.name()),
            quote(node.op_type())
        );
        for attribute in &node.attribute {
            self.attribute(attribute, &here, depth)?;
        }
        Ok(())
    }

    fn attribute(
        &self,
        attribute: &AttributeProto,
        within: &str,
        depth: usize,
    ) -> Result<(), GateError> {
        let here = format!("attribute {} of {within}", quote(attribute.name()));
        if let Some(t) = &attribute.t {
            self.tensor(t, &format!("tensor {} in {here}", quote(t.name())))?;
        }
        for t in &attribute.tensors {
            self.tensor(t, &format!("tensor {} in {here}", quote(t.name())))?;
        }
        if let Some(s) = &attribute.sparse_tensor {
            self.sparse(s, &format!("sparse tensor in {here}"))?;
        }
        for s in &attribute.sparse_tensors {
            self.sparse(s, &format!("sparse tensor in {here}"))?;
        }
        if let Some(g) = &attribute.g {
            self.graph(g, &here, depth + 1)?;
        }
        for g in &attribute.graphs {
            self.graph(g, &here, depth + 1)?;
        }
        Ok(())
    }

    fn function(&self, function: &FunctionProto) -> Result<(), GateError> {
        let here = format!(
            "function {} of domain {}",
            quote(function.name()),
            quote(function.domain())
        );
        for attribute in &function.attribute_proto {
            self.attribute(attribute, &format!("the defaults of {here}"), 0)?;
        }
        for node in &function.node {
            self.node(node, &here, 0)?;
        }
        Ok(())
    }

    fn sparse(&self, sparse: &SparseTensorProto, what: &str) -> Result<(), GateError> {
        if let Some(values) = &sparse.values {
            self.tensor(values, &format!("the values of {what}"))?;
        }
        if let Some(indices) = &sparse.indices {
            self.tensor(indices, &format!("the indices of {what}"))?;
        }
        Ok(())
    }

    fn tensor(&self, tensor: &TensorProto, what: &str) -> Result<(), GateError> {
        let external = tensor
            .data_location
            .is_some_and(|l| l != DataLocation::Default as i32);
        if !external && tensor.external_data.is_empty() {
            return Ok(());
        }
        let location = tensor
            .external_data
            .iter()
            .find(|entry| entry.key() == "location")
            .map(|entry| format!("location {}", quote(entry.value())))
            .unwrap_or_else(|| "no location".to_owned());
        Err(GateError::new(
            GateErrorKind::External,
            format!(
                "{what} refers to external data ({location}): guest models must be \
                 self-contained; embed the data in the model (onnx.save_model(..., \
                 save_as_external_data=False))"
            ),
        ))
    }
}

/// Every node input must name a graph input, an initializer, the output of an *earlier* node,
/// or (in a subgraph) a name the enclosing graphs define before the node that holds it: ONNX
/// requires nodes in topological order. OpenVINO's from-memory ONNX reader does not finish on
/// a model whose node reads a later node's output (a cycle): the mutation test found two (one
/// digit changed in a tensor name of the PP-OCR classifier); the same bytes read from a file
/// fail at once. So the gate refuses such models.
fn defined<'a>(
    graph: &'a GraphProto,
    outer: &[&HashSet<&'a str>],
    within: &str,
) -> Result<(), GateError> {
    let mut names: HashSet<&str> = graph.input.iter().map(|v| v.name()).collect();
    names.extend(graph.initializer.iter().map(|t| t.name()));
    names.extend(
        graph
            .sparse_initializer
            .iter()
            .filter_map(|s| s.values.as_ref().map(|v| v.name())),
    );
    for node in &graph.node {
        {
            let mut scopes: Vec<&HashSet<&str>> = outer.to_vec();
            scopes.push(&names);
            node_inputs(node, &scopes, within)?;
            for attribute in &node.attribute {
                let here = format!(
                    "attribute {} of node {} of {within}",
                    quote(attribute.name()),
                    quote(node.name())
                );
                for g in attribute.g.iter().chain(&attribute.graphs) {
                    defined(g, &scopes, &format!("graph {} ({here})", quote(g.name())))?;
                }
            }
        }
        names.extend(node.output.iter().map(String::as_str));
    }
    Ok(())
}

fn node_inputs(node: &NodeProto, scopes: &[&HashSet<&str>], within: &str) -> Result<(), GateError> {
    for input in node.input.iter().filter(|i| !i.is_empty()) {
        if !scopes.iter().any(|names| names.contains(input.as_str())) {
            return Err(GateError::refused(format!(
                "node {} ({}) of {within} reads {}, which no input, initializer or earlier node \
                 defines (ONNX wants nodes in topological order; OpenVINO's from-memory ONNX \
                 reader does not finish on a node that reads a later node's output)",
                quote(node.name()),
                quote(node.op_type()),
                quote(input)
            )));
        }
    }
    Ok(())
}
