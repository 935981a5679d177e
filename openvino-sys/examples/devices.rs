//! Prints the OpenVINO version and the devices it sees, through the raw C API.
//! `cargo run -p openvino-sys --example devices` (add `--no-default-features --features
//! runtime-linking` to load the library at run time instead).

use std::ffi::CStr;
use std::process::ExitCode;

use openvino_sys::*;

fn main() -> ExitCode {
    let library = match library::load() {
        Ok(library) => library,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "OpenVINO {} ({})",
        library.version(),
        library.build_number()
    );
    if let Some(path) = library.path() {
        println!("library: {}", path.display());
    }
    for name in library.unavailable_functions() {
        if let Some(why) = library::unavailable(name) {
            println!("unavailable: {why}");
        }
    }
    let mut core = std::ptr::null_mut();
    // SAFETY: valid out-parameter; the core is freed below.
    if unsafe { ov_core_create(&mut core) } != ov_status_e_OK {
        eprintln!("error: ov_core_create failed");
        return ExitCode::FAILURE;
    }
    let mut devices = ov_available_devices_t::default();
    // SAFETY: live core, valid out-parameter.
    if unsafe { ov_core_get_available_devices(core, &mut devices) } == ov_status_e_OK {
        for i in 0..devices.size {
            // SAFETY: OpenVINO returned `size` NUL-terminated names.
            let name = unsafe { CStr::from_ptr(*devices.devices.add(i)) };
            println!("device: {}", name.to_string_lossy());
        }
        // SAFETY: filled above, freed once.
        unsafe { ov_available_devices_free(&mut devices) };
    }
    // SAFETY: created above, freed once.
    unsafe { ov_core_free(core) };
    ExitCode::SUCCESS
}
