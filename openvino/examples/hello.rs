//! Prints OpenVINO's version and, for each device, its full name and plugin version.
//! `cargo run -p openvino --example hello`

use openvino::{Core, PropertyKey};

fn main() -> Result<(), openvino::Error> {
    let version = openvino::version()?;
    println!(
        "OpenVINO {} ({})",
        version.build_number, version.description
    );
    let core = Core::new()?;
    for device in core.available_devices()? {
        let name = core
            .property(&device, &PropertyKey::DeviceFullName)
            .unwrap_or_else(|e| format!("(no name: {e})"));
        println!("{device}: {name}");
        for (plugin, v) in core.versions(&device)? {
            println!("  {plugin}: {} {}", v.description, v.build_number);
        }
    }
    Ok(())
}
