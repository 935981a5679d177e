//! A typical program written for the crates.io `openvino` 0.11.1, ported to this crate: read a
//! model, compile it, set an input tensor, infer, read the output. Each step shows the 0.11 code
//! it replaces in a comment (CHANGELOG.md has the table of every 0.11 item).
//! `cargo run -p openvino --example port_from_0_11`; `cargo test -p openvino --example
//! port_from_0_11` runs it as a test.

use openvino::{Core, DeviceType, ElementType, PropertyKey, Shape, Tensor, TensorSlot};

/// Returns the output for inputs `a = [1, 2, 3, 4]` and `b = [10, 20, 30, 40]`.
fn run() -> Result<Vec<f32>, openvino::Error> {
    // 0.11: let mut core = Core::new()?;                      (Result<Core, SetupError>)
    let core = Core::new()?;

    // 0.11: let model = core.read_model_from_file("model.xml", "model.bin")?;
    //       or core.read_model_from_buffer(xml, Some(&weights_tensor))?
    // Here: read_model_from_file(path, None) finds the .bin beside the .xml; from memory,
    // read_model_from_buffer(xml, Some(&bin_bytes)) copies the weights (or
    // read_model_from_buffer_with_tensor takes a weights tensor by value).
    let model =
        core.read_model_from_buffer(openvino::doc_support::ADD_MODEL_XML.as_bytes(), None)?;

    // 0.11: let node = model.get_input_by_index(0)?; node.get_name()?
    let first_input = model.input_by_index(0)?.name()?;
    assert_eq!(first_input, "a");

    // 0.11: let mut compiled = core.compile_model(&model, DeviceType::CPU)?;
    // Properties now go with the call (0.11 needed core.set_property before compiling).
    let compiled = core.compile_model(
        &model,
        &DeviceType::CPU,
        &[(PropertyKey::InferencePrecisionHint, "f32")],
    )?;

    // 0.11: let mut request = compiled.create_infer_request()?;   (needed `&mut compiled`)
    let mut request = compiled.create_infer_request()?;

    // 0.11: let mut tensor = Tensor::new(ElementType::F32, &shape)?;
    //       tensor.get_data_mut::<f32>()?.copy_from_slice(&a);   (any T, unchecked)
    //       request.set_tensor("a", &tensor)?;                     (by reference)
    let shape = Shape::new(&[1, 4])?;
    let mut a = Tensor::new(ElementType::F32, &shape)?;
    a.data_mut::<f32>()?.copy_from_slice(&[1.0, 2.0, 3.0, 4.0]); // checked: f32 tensor, aligned
    request.set_tensor("a", a)?; // moved in: the request now owns it
    // New: write straight into the request's own input, no tensor to create.
    request
        .tensor_mut(TensorSlot::Input(1))?
        .data_mut::<f32>()?
        .copy_from_slice(&[10.0, 20.0, 30.0, 40.0]);

    // 0.11: request.infer()?;   (or infer_async() + wait(timeout_ms))
    // Here: infer(); for async, start_async() + wait()/wait_for(Duration) on a request whose
    // tensors borrow nothing, or openvino::async_scope for requests over borrowed memory.
    request.infer()?;

    // 0.11: let output = request.get_output_tensor_by_index(0)?;
    //       let result = output.get_data::<f32>()?;
    // Here the output borrows the request, so it cannot be read while an inference writes it.
    let output = request.tensor(TensorSlot::Output(0))?;
    Ok(output.data::<f32>()?.to_vec())
}

fn main() -> Result<(), openvino::Error> {
    let sum = run()?;
    println!("a + b = {sum:?}");
    Ok(())
}

#[test]
fn the_ported_program_adds_its_inputs() {
    assert_eq!(run().unwrap(), vec![11.0, 22.0, 33.0, 44.0]);
}
