//! Keeps several infer requests in flight at once, as OpenVINO's throughput mode wants, and
//! collects their results as completion callbacks fire.
//! `cargo run -p openvino --example async`

use std::sync::mpsc;
use std::time::Instant;

use openvino::{Core, DeviceType, PerformanceMode, PropertyKey};

fn main() -> Result<(), openvino::Error> {
    let core = Core::new()?;
    let model =
        core.read_model_from_buffer(openvino::doc_support::ADD_MODEL_XML.as_bytes(), None)?;
    let compiled = core.compile_model(
        &model,
        &DeviceType::CPU,
        &[(
            PropertyKey::PerformanceHint,
            PerformanceMode::Throughput.as_str(),
        )],
    )?;
    let in_flight: usize = compiled
        .property(&PropertyKey::OptimalNumberOfInferRequests)?
        .parse()
        .unwrap_or(4);
    println!("{in_flight} requests in flight");
    let (done, finished) = mpsc::channel();
    let mut requests = Vec::new();
    for i in 0..in_flight {
        let mut request = compiled.create_infer_request()?;
        request.tensor_mut("a")?.data_mut::<f32>()?.fill(i as f32);
        request.tensor_mut("b")?.data_mut::<f32>()?.fill(100.0);
        let done = done.clone();
        request.set_callback(move || {
            let _ = done.send(i);
        })?;
        requests.push(request);
    }
    let started = Instant::now();
    for request in &mut requests {
        request.start_async()?;
    }
    for _ in 0..in_flight {
        let i = finished.recv().expect("a callback fires for every request");
        println!("request {i} completed after {:.1?}", started.elapsed());
    }
    for (i, request) in requests.iter_mut().enumerate() {
        request.wait()?;
        let sum = request.tensor("sum")?.data::<f32>()?[0];
        assert_eq!(sum, i as f32 + 100.0);
    }
    println!("all {in_flight} results correct");
    Ok(())
}
