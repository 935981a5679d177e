//! Pre/post-processing built into a model changes what the caller passes and receives, with the
//! numbers worked out by hand.

use openvino::doc_support::ADD_MODEL_XML;
use openvino::{
    ColorFormat, Core, DeviceType, ElementType, Layout, PaddingMode, PrePostProcessor, PropertyKey,
    ResizeAlgorithm, Shape, Tensor, TensorSlot,
};

fn run(model: &openvino::Model, inputs: Vec<(&str, Tensor<'static>)>) -> Vec<f32> {
    let core = Core::new().unwrap();
    let compiled = core
        .compile_model(
            model,
            &DeviceType::CPU,
            &[(PropertyKey::InferencePrecisionHint, "f32")],
        )
        .unwrap();
    let mut request = compiled.create_infer_request().unwrap();
    for (name, tensor) in inputs {
        request.set_tensor(name, tensor).unwrap();
    }
    request.infer().unwrap();
    request
        .tensor(TensorSlot::Output(0))
        .unwrap()
        .data::<f32>()
        .unwrap()
        .to_vec()
}

#[test]
fn u8_input_converted_and_normalised_inside_the_model() {
    let core = Core::new().unwrap();
    let model = core
        .read_model_from_buffer(ADD_MODEL_XML.as_bytes(), None)
        .unwrap();
    let ppp = PrePostProcessor::new(model).unwrap();
    {
        let a = ppp.input_by_name("a").unwrap();
        a.tensor()
            .unwrap()
            .set_element_type(ElementType::U8)
            .unwrap();
        // (x - 2) / 4, per element
        a.preprocess()
            .unwrap()
            .convert_element_type(ElementType::F32)
            .unwrap()
            .mean(2.0)
            .unwrap()
            .scale(4.0)
            .unwrap();
        let b = ppp.input_by_index(1).unwrap();
        b.tensor()
            .unwrap()
            .set_element_type(ElementType::I32)
            .unwrap();
        b.preprocess()
            .unwrap()
            .convert_element_type(ElementType::F32)
            .unwrap();
        ppp.output()
            .unwrap()
            .tensor()
            .unwrap()
            .set_element_type(ElementType::F32)
            .unwrap();
    }
    let model = ppp.build().unwrap();
    assert_eq!(
        model.input_by_name("a").unwrap().element_type().unwrap(),
        ElementType::U8
    );
    let shape = Shape::new(&[1, 4]).unwrap();
    let out = run(
        &model,
        vec![
            ("a", Tensor::from_data(&shape, &[2u8, 6, 10, 14]).unwrap()),
            ("b", Tensor::from_data(&shape, &[1i32, 1, 1, 1]).unwrap()),
        ],
    );
    assert_eq!(out, vec![1.0, 2.0, 3.0, 4.0]);
}

/// An image model over [1, C, H, W] = relu(x) (identity for these positive values): the
/// processing steps decide what reaches it.
const IDENTITY_NCHW: &str = r#"<?xml version="1.0"?>
<net name="identity" version="11">
  <layers>
    <layer id="0" name="x" type="Parameter" version="opset1">
      <data shape="1,3,2,2" element_type="f32"/>
      <output><port id="0" precision="FP32" names="x"><dim>1</dim><dim>3</dim><dim>2</dim><dim>2</dim></port></output>
    </layer>
    <layer id="1" name="relu" type="ReLU" version="opset1">
      <input><port id="0" precision="FP32"><dim>1</dim><dim>3</dim><dim>2</dim><dim>2</dim></port></input>
      <output><port id="1" precision="FP32" names="y"><dim>1</dim><dim>3</dim><dim>2</dim><dim>2</dim></port></output>
    </layer>
    <layer id="2" name="y/sink" type="Result" version="opset1">
      <input><port id="0" precision="FP32"><dim>1</dim><dim>3</dim><dim>2</dim><dim>2</dim></port></input>
    </layer>
  </layers>
  <edges>
    <edge from-layer="0" from-port="0" to-layer="1" to-port="0"/>
    <edge from-layer="1" from-port="1" to-layer="2" to-port="0"/>
  </edges>
</net>
"#;

#[test]
fn nhwc_bgr_u8_image_becomes_nchw_rgb_f32() {
    let core = Core::new().unwrap();
    let model = core
        .read_model_from_buffer(IDENTITY_NCHW.as_bytes(), None)
        .unwrap();
    let ppp = PrePostProcessor::new(model).unwrap();
    {
        let input = ppp.input().unwrap();
        input
            .tensor()
            .unwrap()
            .set_element_type(ElementType::U8)
            .unwrap()
            .set_layout(&Layout::new("NHWC").unwrap())
            .unwrap()
            .set_color_format(ColorFormat::BGR)
            .unwrap();
        input
            .model()
            .unwrap()
            .set_layout(&Layout::new("NCHW").unwrap())
            .unwrap();
        input
            .preprocess()
            .unwrap()
            .convert_element_type(ElementType::F32)
            .unwrap()
            .convert_color(ColorFormat::RGB)
            .unwrap()
            .scale_channels(&[1.0, 2.0, 4.0])
            .unwrap();
    }
    let model = ppp.build().unwrap();
    // Pixels (B, G, R): (10,20,40) (11,22,44) (12,24,48) (13,26,52), NHWC.
    let pixels = [10u8, 20, 40, 11, 22, 44, 12, 24, 48, 13, 26, 52];
    let out = run(
        &model,
        vec![(
            "x",
            Tensor::from_data(&Shape::new(&[1, 2, 2, 3]).unwrap(), &pixels).unwrap(),
        )],
    );
    // RGB planes; R / 1, G / 2, B / 4.
    assert_eq!(
        out,
        vec![
            40.0, 44.0, 48.0, 52.0, 10.0, 11.0, 12.0, 13.0, 2.5, 2.75, 3.0, 3.25
        ]
    );
}

#[test]
fn resize_crop_and_pad_steps_build_and_run() {
    let core = Core::new().unwrap();
    let model = core
        .read_model_from_buffer(IDENTITY_NCHW.as_bytes(), None)
        .unwrap();
    let ppp = PrePostProcessor::new(model).unwrap();
    {
        let input = ppp.input().unwrap();
        input
            .tensor()
            .unwrap()
            .set_layout(&Layout::new("NCHW").unwrap())
            .unwrap()
            .set_spatial_static_shape(4, 4)
            .unwrap();
        input
            .model()
            .unwrap()
            .set_layout(&Layout::new("NCHW").unwrap())
            .unwrap();
        input
            .preprocess()
            .unwrap()
            .resize(ResizeAlgorithm::Nearest)
            .unwrap();
    }
    let model = ppp.build().unwrap();
    assert_eq!(
        model.input().unwrap().shape().unwrap().dims(),
        &[1, 3, 4, 4]
    );
    // A 4x4 image of constant planes 1, 2, 3 resizes to 2x2 planes of the same constants.
    let mut data = vec![1.0f32; 16];
    data.extend(vec![2.0f32; 16]);
    data.extend(vec![3.0f32; 16]);
    let out = run(
        &model,
        vec![(
            "x",
            Tensor::from_data(&Shape::new(&[1, 3, 4, 4]).unwrap(), &data).unwrap(),
        )],
    );
    assert_eq!(
        out,
        vec![1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0]
    );

    // Crop [0,0,0,0]..[1,3,2,2] of a 3x3 input, then pad nothing back: the top-left 2x2.
    let model = core
        .read_model_from_buffer(IDENTITY_NCHW.as_bytes(), None)
        .unwrap();
    let ppp = PrePostProcessor::new(model).unwrap();
    {
        let input = ppp.input().unwrap();
        input
            .tensor()
            .unwrap()
            .set_layout(&Layout::new("NCHW").unwrap())
            .unwrap();
        let tensor_shape =
            Tensor::new(ElementType::F32, &Shape::new(&[1, 3, 3, 3]).unwrap()).unwrap();
        input.tensor().unwrap().set_from(&tensor_shape).unwrap();
        input
            .preprocess()
            .unwrap()
            .crop(&[0, 0, 0, 0], &[1, 3, 2, 2])
            .unwrap()
            .pad(&[0, 0, 0, 0], &[0, 0, 0, 0], 0.0, PaddingMode::Constant)
            .unwrap();
    }
    let model = ppp.build().unwrap();
    let data: Vec<f32> = (0..27).map(|v| v as f32).collect();
    let out = run(
        &model,
        vec![(
            "x",
            Tensor::from_data(&Shape::new(&[1, 3, 3, 3]).unwrap(), &data).unwrap(),
        )],
    );
    assert_eq!(
        out,
        vec![
            0.0, 1.0, 3.0, 4.0, 9.0, 10.0, 12.0, 13.0, 18.0, 19.0, 21.0, 22.0
        ]
    );
}
