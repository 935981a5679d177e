//! The gate against the real fixtures, hand-built hostile models of every encoding, and a
//! seeded mutation run (`GATE_MUTATIONS` sets its size; default 120,000 inputs).

use prost::Message;

use super::generated::onnx::{
    AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
    SparseTensorProto, StringStringEntryProto, TensorProto, TrainingInfoProto, ValueInfoProto,
};
use super::generated::tensorflow::{FunctionDef, FunctionDefLibrary, GraphDef, NodeDef};
use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = openvino_fixtures::dir().join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/generate-fixtures)", path.display()))
}

fn refused(encoding: Encoding, builders: &[&[u8]]) -> GateError {
    match check(encoding, builders) {
        Ok(c) => panic!("accepted as {:?}", c.format()),
        Err(e) => e,
    }
}

#[test]
fn real_models_pass_as_declared_and_autodetected() {
    let onnx = fixture("pp_ocr_cls.onnx");
    let (xml, bin) = (fixture("pp_ocr_cls.xml"), fixture("pp_ocr_cls.bin"));
    let tflite = fixture("face_detection_short_range.tflite");
    let add = fixture("add.xml");
    assert_eq!(
        check(Encoding::Onnx, &[&onnx]).unwrap().format(),
        Format::Onnx
    );
    assert_eq!(
        check(Encoding::Autodetect, &[&onnx]).unwrap().format(),
        Format::Onnx
    );
    assert_eq!(
        check(Encoding::Ir, &[&xml, &bin]).unwrap().format(),
        Format::Ir
    );
    assert_eq!(
        check(Encoding::Autodetect, &[&xml, &bin]).unwrap().format(),
        Format::Ir
    );
    assert_eq!(check(Encoding::Ir, &[&add]).unwrap().format(), Format::Ir);
    assert_eq!(
        check(Encoding::TensorFlowLite, &[&tflite])
            .unwrap()
            .format(),
        Format::TensorFlowLite
    );
    assert_eq!(
        check(Encoding::Autodetect, &[&tflite]).unwrap().format(),
        Format::TensorFlowLite
    );
}

#[test]
fn one_encoding_tag_never_reaches_another_parser() {
    let onnx = fixture("pp_ocr_cls.onnx");
    let (xml, bin) = (fixture("pp_ocr_cls.xml"), fixture("pp_ocr_cls.bin"));
    let tflite = fixture("face_detection_short_range.tflite");
    for encoding in [Encoding::TensorFlowLite, Encoding::TensorFlow, Encoding::Ir] {
        assert_eq!(
            refused(encoding, &[&onnx]).kind(),
            GateErrorKind::Encoding,
            "{encoding:?}"
        );
    }
    for encoding in [Encoding::Onnx, Encoding::TensorFlow, Encoding::Ir] {
        assert_eq!(
            refused(encoding, &[&tflite]).kind(),
            GateErrorKind::Encoding,
            "{encoding:?}"
        );
    }
    for encoding in [
        Encoding::Onnx,
        Encoding::TensorFlow,
        Encoding::TensorFlowLite,
    ] {
        assert_eq!(
            refused(encoding, &[&xml]).kind(),
            GateErrorKind::Encoding,
            "{encoding:?}"
        );
    }
    assert_eq!(
        refused(Encoding::Onnx, &[&onnx, &bin]).kind(),
        GateErrorKind::Builders
    );
    assert_eq!(
        refused(Encoding::Ir, &[&xml, &bin, &bin]).kind(),
        GateErrorKind::Builders
    );
    assert_eq!(
        refused(Encoding::Autodetect, &[]).kind(),
        GateErrorKind::Builders
    );
    assert_eq!(
        refused(Encoding::Onnx, &[b""]).kind(),
        GateErrorKind::Encoding
    );
    assert_eq!(
        refused(Encoding::TensorFlow, &[b""]).kind(),
        GateErrorKind::Encoding
    );
}

// ---- ONNX ----

fn tensor(name: &str) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        data_type: Some(1),
        dims: vec![1],
        raw_data: Some(vec![0, 0, 0x80, 0x3f]),
        ..TensorProto::default()
    }
}

fn external(name: &str, location: &str) -> TensorProto {
    TensorProto {
        data_location: Some(1),
        raw_data: None,
        external_data: vec![
            StringStringEntryProto {
                key: Some("location".into()),
                value: Some(location.into()),
            },
            StringStringEntryProto {
                key: Some("offset".into()),
                value: Some("4096".into()),
            },
            StringStringEntryProto {
                key: Some("length".into()),
                value: Some("4".into()),
            },
        ],
        ..tensor(name)
    }
}

fn graph(name: &str) -> GraphProto {
    GraphProto {
        name: Some(name.into()),
        node: vec![NodeProto {
            name: Some("id".into()),
            op_type: Some("Identity".into()),
            input: vec!["x".into()],
            output: vec!["y".into()],
            ..NodeProto::default()
        }],
        input: vec![ValueInfoProto {
            name: Some("x".into()),
            ..ValueInfoProto::default()
        }],
        ..GraphProto::default()
    }
}

fn model(graph: GraphProto) -> ModelProto {
    ModelProto {
        ir_version: Some(8),
        producer_name: Some("gate-test".into()),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        graph: Some(graph),
        ..ModelProto::default()
    }
}

fn constant_node(name: &str, attribute: AttributeProto) -> NodeProto {
    NodeProto {
        name: Some(name.into()),
        op_type: Some("Constant".into()),
        output: vec![format!("{name}_out")],
        attribute: vec![attribute],
        ..NodeProto::default()
    }
}

fn onnx_refusal(model: &ModelProto) -> GateError {
    refused(Encoding::Onnx, &[&model.encode_to_vec()])
}

#[test]
fn a_clean_onnx_model_passes() {
    let mut g = graph("main");
    g.initializer.push(tensor("w"));
    check(Encoding::Onnx, &[&model(g).encode_to_vec()]).unwrap();
}

#[test]
fn external_initializers_are_refused_with_the_tensor_named() {
    for location in [
        "weights.bin",
        "/etc/passwd",
        "../../etc/passwd",
        "*/_ORT_MEM_ADDR_/*",
        "",
        "file:///etc/passwd",
    ] {
        let mut g = graph("main");
        g.initializer.push(external("w", location));
        let err = onnx_refusal(&model(g));
        assert_eq!(err.kind(), GateErrorKind::External);
        let shown = super::quote(location);
        assert!(
            err.message().starts_with(&format!(
                "initializer 'w' of graph 'main' refers to external data (location {shown})"
            )),
            "{err}"
        );
        assert!(
            err.message()
                .contains("guest models must be self-contained"),
            "{err}"
        );
    }
}

#[test]
fn external_data_is_refused_wherever_onnx_can_hold_a_tensor() {
    let ext = || external("hidden", "/etc/passwd");
    let attribute = |name: &str| AttributeProto {
        name: Some(name.into()),
        ..AttributeProto::default()
    };
    let sparse = |values: TensorProto, indices: TensorProto| SparseTensorProto {
        values: Some(values),
        indices: Some(indices),
        dims: vec![1],
    };
    let with_node = |node: NodeProto| {
        let mut g = graph("main");
        g.node.push(node);
        model(g)
    };
    let mut cases: Vec<(&str, ModelProto)> = Vec::new();
    let mut g = graph("main");
    g.sparse_initializer.push(sparse(ext(), tensor("i")));
    cases.push(("sparse initializer values", model(g)));
    let mut g = graph("main");
    g.sparse_initializer.push(sparse(tensor("v"), ext()));
    cases.push(("sparse initializer indices", model(g)));
    cases.push((
        "Constant value",
        with_node(constant_node(
            "c",
            AttributeProto {
                t: Some(ext()),
                ..attribute("value")
            },
        )),
    ));
    cases.push((
        "attribute tensors",
        with_node(constant_node(
            "c",
            AttributeProto {
                tensors: vec![tensor("ok"), ext()],
                ..attribute("ts")
            },
        )),
    ));
    cases.push((
        "attribute sparse_tensor",
        with_node(constant_node(
            "c",
            AttributeProto {
                sparse_tensor: Some(sparse(ext(), tensor("i"))),
                ..attribute("sparse_value")
            },
        )),
    ));
    cases.push((
        "attribute sparse_tensors",
        with_node(constant_node(
            "c",
            AttributeProto {
                sparse_tensors: vec![sparse(tensor("v"), ext())],
                ..attribute("sts")
            },
        )),
    ));
    // If/Loop/Scan bodies: an initializer, and a Constant, three levels down.
    let mut inner = graph("inner");
    inner.node.push(constant_node(
        "deep",
        AttributeProto {
            t: Some(ext()),
            ..attribute("value")
        },
    ));
    let mut middle = graph("middle");
    middle.node.push(NodeProto {
        op_type: Some("Loop".into()),
        attribute: vec![AttributeProto {
            g: Some(inner),
            ..attribute("body")
        }],
        ..NodeProto::default()
    });
    cases.push((
        "nested Loop body",
        with_node(NodeProto {
            name: Some("if".into()),
            op_type: Some("If".into()),
            attribute: vec![AttributeProto {
                g: Some(middle),
                ..attribute("then_branch")
            }],
            ..NodeProto::default()
        }),
    ));
    let mut body = graph("scan_body");
    body.initializer.push(ext());
    cases.push((
        "Scan body in graphs",
        with_node(NodeProto {
            op_type: Some("Scan".into()),
            attribute: vec![AttributeProto {
                graphs: vec![graph("fine"), body],
                ..attribute("bodies")
            }],
            ..NodeProto::default()
        }),
    ));
    let mut m = model(graph("main"));
    m.functions.push(FunctionProto {
        name: Some("f".into()),
        domain: Some("custom".into()),
        node: vec![constant_node(
            "fc",
            AttributeProto {
                t: Some(ext()),
                ..attribute("value")
            },
        )],
        ..FunctionProto::default()
    });
    cases.push(("function node", m));
    let mut m = model(graph("main"));
    m.functions.push(FunctionProto {
        name: Some("f".into()),
        attribute_proto: vec![AttributeProto {
            t: Some(ext()),
            ..attribute("default")
        }],
        ..FunctionProto::default()
    });
    cases.push(("function attribute default", m));
    for (init, algo) in [(true, false), (false, true)] {
        let mut g = graph("training");
        g.initializer.push(ext());
        let mut m = model(graph("main"));
        m.training_info.push(TrainingInfoProto {
            initialization: init.then(|| g.clone()),
            algorithm: algo.then_some(g),
            ..TrainingInfoProto::default()
        });
        cases.push((
            if init {
                "training initialization"
            } else {
                "training algorithm"
            },
            m,
        ));
    }
    // data_location EXTERNAL alone, and external_data alone, are each enough.
    let mut g = graph("main");
    g.initializer.push(TensorProto {
        data_location: Some(1),
        ..tensor("flag_only")
    });
    cases.push(("data_location only", model(g)));
    let mut g = graph("main");
    g.initializer.push(TensorProto {
        data_location: None,
        ..ext()
    });
    cases.push(("external_data only", model(g)));
    for (place, m) in &cases {
        let err = onnx_refusal(m);
        assert_eq!(err.kind(), GateErrorKind::External, "{place}: {err}");
        assert!(
            err.message().contains("refers to external data"),
            "{place}: {err}"
        );
    }
    assert_eq!(cases.len(), 14);
}

#[test]
fn onnx_messages_name_the_nested_place_and_truncate_guest_names() {
    let mut inner = graph(&"g".repeat(10_000));
    inner
        .initializer
        .push(external("w", &"/very/long".repeat(1000)));
    let mut g = graph("main");
    g.node.push(NodeProto {
        name: Some("loop".into()),
        op_type: Some("Loop".into()),
        attribute: vec![AttributeProto {
            name: Some("body".into()),
            g: Some(inner),
            ..AttributeProto::default()
        }],
        ..NodeProto::default()
    });
    let err = onnx_refusal(&model(g));
    assert!(
        err.message()
            .contains("(attribute 'body' of node 'loop' ('Loop') of graph 'main')"),
        "{err}"
    );
    assert!(err.message().len() < 700, "{} bytes", err.message().len());
}

#[test]
fn onnx_node_inputs_must_be_defined_in_scope() {
    // The hang the mutation test found: a node reads a name nothing defines.
    let mut g = graph("main");
    g.node[0].input = vec!["conv2d_86.tmp_0".into()];
    let err = onnx_refusal(&model(g));
    assert_eq!(err.kind(), GateErrorKind::Refused);
    assert!(
        err.message()
            .contains("node 'id' ('Identity') of graph 'main' reads 'conv2d_86.tmp_0'"),
        "{err}"
    );
    // Optional inputs are empty names; subgraphs may read names of the graphs around them.
    let mut body = graph("body");
    body.input.clear();
    let mut g = graph("main");
    g.node[0].input.push(String::new());
    g.node.push(NodeProto {
        op_type: Some("If".into()),
        attribute: vec![AttributeProto {
            name: Some("then_branch".into()),
            g: Some(body),
            ..AttributeProto::default()
        }],
        ..NodeProto::default()
    });
    check(Encoding::Onnx, &[&model(g).encode_to_vec()]).unwrap();
}

#[test]
fn onnx_without_the_model_fields_or_too_deep_is_refused() {
    let mut m = model(graph("main"));
    m.ir_version = None;
    assert_eq!(onnx_refusal(&m).kind(), GateErrorKind::Encoding);
    let mut m = model(graph("main"));
    m.opset_import.clear();
    assert_eq!(onnx_refusal(&m).kind(), GateErrorKind::Encoding);
    let mut m = model(graph("main"));
    m.graph = None;
    assert_eq!(onnx_refusal(&m).kind(), GateErrorKind::Encoding);
    // 20 nested If bodies: past the gate's limit of 16, within prost's recursion limit.
    let nested = |levels: usize| {
        let mut g = graph("leaf");
        for i in 0..levels {
            let mut parent = graph(&format!("level{i}"));
            parent.node.push(NodeProto {
                op_type: Some("If".into()),
                attribute: vec![AttributeProto {
                    name: Some("then_branch".into()),
                    g: Some(g),
                    ..AttributeProto::default()
                }],
                ..NodeProto::default()
            });
            g = parent;
        }
        model(g)
    };
    assert!(check(Encoding::Onnx, &[&nested(15).encode_to_vec()]).is_ok());
    let err = onnx_refusal(&nested(20));
    assert_eq!(err.kind(), GateErrorKind::Refused, "{err}");
    // Past prost's own recursion limit the bytes do not even decode.
    assert_eq!(onnx_refusal(&nested(40)).kind(), GateErrorKind::Encoding);
}

// ---- OpenVINO IR ----

#[test]
fn ir_refuses_doctype_entities_and_weights_out_of_range() {
    let doctype = br#"<?xml version="1.0"?><!DOCTYPE net [<!ENTITY x SYSTEM "file:///etc/passwd">]><net version="11">&x;</net>"#;
    assert_eq!(
        refused(Encoding::Ir, &[doctype]).kind(),
        GateErrorKind::Encoding
    );
    let layer = |offset: &str, size: &str| {
        format!(
            r#"<net name="m" version="11"><layers><layer id="0" name="w" type="Const" version="opset1"><data element_type="f32" shape="4" offset="{offset}" size="{size}"/></layer></layers></net>"#
        )
    };
    let weights = [0u8; 16];
    check(Encoding::Ir, &[layer("0", "16").as_bytes(), &weights]).unwrap();
    for (offset, size) in [
        ("8", "16"),
        ("0", "17"),
        ("18446744073709551615", "2"),
        ("x", "4"),
        ("0", "-1"),
    ] {
        let err = refused(Encoding::Ir, &[layer(offset, size).as_bytes(), &weights]);
        assert!(err.message().contains("layer 'w' ('Const')"), "{err}");
    }
    // Without a weights builder every Const reads outside.
    assert_eq!(
        refused(Encoding::Ir, &[layer("0", "16").as_bytes()]).kind(),
        GateErrorKind::External
    );
    assert_eq!(
        refused(Encoding::Ir, &[br#"<net version="7"/>"#]).kind(),
        GateErrorKind::Encoding
    );
    assert_eq!(
        refused(Encoding::Ir, &[b"\xff\xfe<\x00n\x00"]).kind(),
        GateErrorKind::Encoding
    );
}

// ---- TensorFlow ----

fn node(name: &str, op: &str) -> NodeDef {
    NodeDef {
        name: name.into(),
        op: op.into(),
        ..NodeDef::default()
    }
}

#[test]
fn tensorflow_file_and_resource_ops_are_refused_in_graph_and_functions() {
    let ok = GraphDef {
        node: vec![node("x", "Placeholder"), node("y", "Relu")],
        ..GraphDef::default()
    };
    check(Encoding::TensorFlow, &[&ok.encode_to_vec()]).unwrap();
    for op in [
        "ReadFile",
        "WriteFile",
        "RestoreV2",
        "SaveV2",
        "VarHandleOp",
        "VariableV2",
        "ReadVariableOp",
        "HashTableV2",
        "InitializeTableFromTextFileV2",
        "ImmutableConst",
        "TFRecordReaderV2",
        "TextLineDataset",
        "IteratorV2",
        "FIFOQueueV2",
        "DecodeProtoV2",
        "PrintV2",
        "DebugIdentity",
        "MatchingFiles",
        "MergeV2Checkpoints",
        "Assign",
    ] {
        let graph = GraphDef {
            node: vec![node("x", "Placeholder"), node("evil", op)],
            ..GraphDef::default()
        };
        let err = refused(Encoding::TensorFlow, &[&graph.encode_to_vec()]);
        assert_eq!(err.kind(), GateErrorKind::Refused, "{op}");
        assert!(
            err.message()
                .contains(&format!("node 'evil' of the graph is a '{op}' op")),
            "{err}"
        );
        let graph = GraphDef {
            node: vec![node("call", "PartitionedCall")],
            library: Some(FunctionDefLibrary {
                function: vec![FunctionDef {
                    node_def: vec![node("inner", op)],
                    ..FunctionDef::default()
                }],
                ..FunctionDefLibrary::default()
            }),
            ..GraphDef::default()
        };
        let err = refused(Encoding::TensorFlow, &[&graph.encode_to_vec()]);
        assert!(err.message().contains("node 'inner' of function"), "{err}");
    }
    assert_eq!(
        refused(
            Encoding::TensorFlow,
            &[&GraphDef::default().encode_to_vec()]
        )
        .kind(),
        GateErrorKind::Encoding
    );
}

// ---- TensorFlow Lite ----

mod tflite_models {
    use flatbuffers::FlatBufferBuilder;

    use super::super::generated::tflite::tflite::*;

    pub struct Knobs {
        pub buffer_offset: u64,
        pub tensor_buffer: u32,
        pub input_index: i32,
        pub opcode_index: u32,
        pub builtin_code: i32,
        pub deprecated_code: i8,
        pub custom_options_offset: u64,
        pub external_buffer: u32,
        pub subgraphs: bool,
    }

    impl Default for Knobs {
        fn default() -> Self {
            Self {
                buffer_offset: 0,
                tensor_buffer: 0,
                input_index: 0,
                opcode_index: 0,
                builtin_code: 19, // RELU
                deprecated_code: 19,
                custom_options_offset: 0,
                external_buffer: 0,
                subgraphs: true,
            }
        }
    }

    /// y = relu(x), with one knob turned.
    pub fn relu(k: &Knobs) -> Vec<u8> {
        let mut b = FlatBufferBuilder::new();
        let shape = b.create_vector(&[1i32, 4]);
        let names = [b.create_string("x"), b.create_string("y")];
        let tensors: Vec<_> = names
            .iter()
            .map(|name| {
                Tensor::create(
                    &mut b,
                    &TensorArgs {
                        shape: Some(shape),
                        name: Some(*name),
                        buffer: k.tensor_buffer,
                        external_buffer: k.external_buffer,
                        ..TensorArgs::default()
                    },
                )
            })
            .collect();
        let tensors = b.create_vector(&tensors);
        let inputs = b.create_vector(&[k.input_index]);
        let outputs = b.create_vector(&[1i32]);
        let op_inputs = b.create_vector(&[k.input_index]);
        let op_outputs = b.create_vector(&[1i32]);
        let op = Operator::create(
            &mut b,
            &OperatorArgs {
                opcode_index: k.opcode_index,
                inputs: Some(op_inputs),
                outputs: Some(op_outputs),
                large_custom_options_offset: k.custom_options_offset,
                ..OperatorArgs::default()
            },
        );
        let operators = b.create_vector(&[op]);
        let subgraph = SubGraph::create(
            &mut b,
            &SubGraphArgs {
                tensors: Some(tensors),
                inputs: Some(inputs),
                outputs: Some(outputs),
                operators: Some(operators),
                ..SubGraphArgs::default()
            },
        );
        let subgraphs = b.create_vector(&[subgraph]);
        let code = OperatorCode::create(
            &mut b,
            &OperatorCodeArgs {
                deprecated_builtin_code: k.deprecated_code,
                builtin_code: k.builtin_code,
                version: 1,
                ..OperatorCodeArgs::default()
            },
        );
        let codes = b.create_vector(&[code]);
        let empty = Buffer::create(
            &mut b,
            &BufferArgs {
                offset: k.buffer_offset,
                size: k.buffer_offset,
                ..BufferArgs::default()
            },
        );
        let buffers = b.create_vector(&[empty]);
        let model = Model::create(
            &mut b,
            &ModelArgs {
                version: 3,
                operator_codes: Some(codes),
                subgraphs: k.subgraphs.then_some(subgraphs),
                buffers: Some(buffers),
                ..ModelArgs::default()
            },
        );
        finish_model_buffer(&mut b, model);
        b.finished_data().to_vec()
    }
}

#[test]
fn tflite_references_outside_the_model_or_out_of_range_are_refused() {
    use tflite_models::{Knobs, relu};
    check(Encoding::TensorFlowLite, &[&relu(&Knobs::default())]).unwrap();
    let external = [
        Knobs {
            buffer_offset: 4096,
            ..Knobs::default()
        },
        Knobs {
            custom_options_offset: 64,
            ..Knobs::default()
        },
        Knobs {
            external_buffer: 1,
            ..Knobs::default()
        },
    ];
    for knobs in &external {
        let err = refused(Encoding::TensorFlowLite, &[&relu(knobs)]);
        assert_eq!(err.kind(), GateErrorKind::External, "{err}");
    }
    let unchecked = [
        Knobs {
            tensor_buffer: 1,
            ..Knobs::default()
        },
        Knobs {
            input_index: 2,
            ..Knobs::default()
        },
        Knobs {
            input_index: -1,
            ..Knobs::default()
        }, // -1 is optional only for operator inputs
        Knobs {
            opcode_index: 1,
            ..Knobs::default()
        },
        Knobs {
            deprecated_code: -3,
            ..Knobs::default()
        },
        Knobs {
            deprecated_code: 127,
            builtin_code: 900,
            ..Knobs::default()
        },
        Knobs {
            deprecated_code: 32,
            builtin_code: 32,
            ..Knobs::default()
        }, // CUSTOM, no custom_code
        Knobs {
            subgraphs: false,
            ..Knobs::default()
        },
    ];
    for knobs in &unchecked {
        let err = refused(Encoding::TensorFlowLite, &[&relu(knobs)]);
        assert_eq!(err.kind(), GateErrorKind::Refused, "{err}");
        assert!(
            err.message()
                .contains("OpenVINO's TensorFlow Lite frontend would read it unchecked"),
            "{err}"
        );
    }
    // A cut flatbuffer fails the verifier.
    let whole = relu(&Knobs::default());
    assert_eq!(
        refused(Encoding::TensorFlowLite, &[&whole[..whole.len() - 9]]).kind(),
        GateErrorKind::Encoding
    );
}

// ---- no input makes the gate panic ----

/// xorshift64*: deterministic bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One seeded mutation of `seed`: flipped bytes, overwritten runs, a truncation, or an insert.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    match rng.below(5) {
        0 => {
            for _ in 0..=rng.below(8) {
                let i = rng.below(bytes.len());
                if let Some(b) = bytes.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
        1 => {
            let i = rng.below(bytes.len());
            let n = rng.below(16).min(bytes.len() - i.min(bytes.len()));
            for b in &mut bytes[i..i + n] {
                *b = [0x00, 0xff, 0x7f, 0x80, 0x01][rng.below(5)];
            }
        }
        2 => bytes.truncate(rng.below(bytes.len() + 1)),
        3 => {
            let i = rng.below(bytes.len() + 1);
            let extra: Vec<u8> = (0..rng.below(8) + 1).map(|_| rng.next() as u8).collect();
            bytes.splice(i..i, extra);
        }
        _ => {
            // A 4-byte little-endian integer somewhere: the flatbuffer and protobuf offsets.
            let i = rng.below(bytes.len().saturating_sub(4));
            if bytes.len() >= 4 {
                let v = [0u32, 1, 4, 0x7fff_ffff, 0xffff_ffff, rng.next() as u32][rng.below(6)];
                bytes[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
    }
    bytes
}

#[test]
fn seeded_mutations_of_real_models_never_panic_the_gate() {
    let total: usize = std::env::var("GATE_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120_000);
    // Small seeds keep each check fast; the large real models get a share of the runs too.
    let mut small_graph = graph("main");
    small_graph.initializer.push(tensor("w"));
    let onnx_small = model(small_graph).encode_to_vec();
    let tflite_small = tflite_models::relu(&tflite_models::Knobs::default());
    let tf_small = GraphDef {
        node: vec![node("x", "Placeholder"), node("y", "Relu")],
        ..GraphDef::default()
    }
    .encode_to_vec();
    let ir_small = fixture("add.xml");
    let onnx = fixture("pp_ocr_cls.onnx");
    let tflite = fixture("face_detection_short_range.tflite");
    let seeds: [(&[u8], Encoding, usize); 6] = [
        (&onnx_small, Encoding::Onnx, 30),
        (&tflite_small, Encoding::TensorFlowLite, 30),
        (&tf_small, Encoding::TensorFlow, 20),
        (&ir_small, Encoding::Ir, 18),
        (&onnx, Encoding::Onnx, 1),
        (&tflite, Encoding::TensorFlowLite, 1),
    ];
    let weight: usize = seeds.iter().map(|s| s.2).sum();
    let mut rng = Rng(0x6a7e_2026_5eed_0001);
    let (mut accepted, mut refusals) = (0usize, std::collections::BTreeMap::<String, usize>::new());
    let started = std::time::Instant::now();
    for _ in 0..total {
        let mut pick = rng.below(weight);
        let (seed, declared, _) = seeds
            .iter()
            .find(|s| {
                if pick < s.2 {
                    true
                } else {
                    pick -= s.2;
                    false
                }
            })
            .copied()
            .unwrap_or(seeds[0]);
        let input = mutate(&mut rng, seed);
        // Half the runs under the declared encoding, half under another tag or autodetect.
        let encoding = if rng.below(2) == 0 {
            declared
        } else {
            [
                Encoding::Ir,
                Encoding::Onnx,
                Encoding::TensorFlow,
                Encoding::TensorFlowLite,
                Encoding::Autodetect,
            ][rng.below(5)]
        };
        match check(encoding, &[&input]) {
            Ok(_) => accepted += 1,
            Err(e) => *refusals.entry(format!("{:?}", e.kind())).or_default() += 1,
        }
    }
    eprintln!(
        "{total} mutated models in {:.1?}: {accepted} accepted, refused {refusals:?}",
        started.elapsed()
    );
    // The mutations reach acceptance, parse failures and semantic refusals alike.
    assert!(accepted > 0, "{refusals:?}");
    assert!(
        refusals.get("Encoding").is_some_and(|n| *n > 0),
        "{refusals:?}"
    );
    assert!(
        refusals.get("Refused").is_some_and(|n| *n > 0),
        "{refusals:?}"
    );
}
