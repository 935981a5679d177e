//! Generates both halves of the layout test from openvino-sys's committed bindings: a C file that
//! asks the compiler (over the pinned headers) for every struct's size, alignment and field
//! offsets and every enum constant's value, and a Rust file that asks the same of the bindings.

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let types = manifest.join("../src/generated/types.rs");
    println!("cargo:rerun-if-changed={}", types.display());
    println!("cargo:rerun-if-env-changed=OPENVINO_INCLUDE_DIR");
    let include = env::var_os("OPENVINO_INCLUDE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../upstream/openvino/include"));
    if !include.join("openvino/c/openvino.h").is_file() {
        panic!(
            "openvino-sys-systest needs the pinned C headers: {} has no openvino/c/openvino.h; \
             run scripts/install-openvino or set OPENVINO_INCLUDE_DIR",
            include.display()
        );
    }

    let source =
        std::fs::read_to_string(&types).expect("openvino-sys/src/generated/types.rs is readable");
    let file = syn::parse_file(&source).expect("the bindings parse");

    // Rust struct name -> C type name (a typedef where bindgen kept one, else the name itself).
    let mut c_names = BTreeMap::new();
    let mut structs = Vec::new();
    let mut consts = Vec::new();
    let mut enum_types = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
                    .collect();
                // Opaque handles (`_unused: [u8; 0]`) have no size in C.
                if !fields.is_empty() && fields.iter().all(|f| !f.starts_with('_')) {
                    structs.push((s.ident.to_string(), fields));
                }
            }
            syn::Item::Type(t) => {
                if let syn::Type::Path(p) = &*t.ty {
                    let target = p
                        .path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default();
                    if target.starts_with("ov_") {
                        c_names.insert(target, t.ident.to_string());
                    } else {
                        // `pub type ov_status_e = c_int;`: an enum's integer type.
                        enum_types.push(t.ident.to_string());
                    }
                }
            }
            syn::Item::Const(c) => {
                if let syn::Type::Path(p) = &*c.ty {
                    let ty = p
                        .path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default();
                    consts.push((c.ident.to_string(), ty));
                }
            }
            _ => {}
        }
    }

    let mut c = String::from(
        "#include <stddef.h>\n#include <openvino/c/openvino.h>\n\
         struct ov_layout_entry { const char* name; long long value; };\n\
         const struct ov_layout_entry ov_layout_entries[] = {\n",
    );
    let mut rust = String::from("pub fn rust_entries() -> Vec<(&'static str, i64)> {\n    vec![\n");
    let mut count = 0usize;
    let mut entry = |key: String, c_expr: String, rust_expr: String| {
        writeln!(c, "    {{\"{key}\", (long long)({c_expr})}},").unwrap();
        writeln!(rust, "        (\"{key}\", ({rust_expr}) as i64),").unwrap();
        count += 1;
    };
    for (name, fields) in &structs {
        let c_name = c_names.get(name).cloned().unwrap_or_else(|| name.clone());
        let r = format!("openvino_sys::{name}");
        entry(
            format!("size {name}"),
            format!("sizeof({c_name})"),
            format!("std::mem::size_of::<{r}>()"),
        );
        entry(
            format!("align {name}"),
            format!("_Alignof({c_name})"),
            format!("std::mem::align_of::<{r}>()"),
        );
        for field in fields {
            entry(
                format!("offset {name}.{field}"),
                format!("offsetof({c_name}, {field})"),
                format!("std::mem::offset_of!({r}, {field})"),
            );
            entry(
                format!("fieldsize {name}.{field}"),
                format!("sizeof((({c_name}*)0)->{field})"),
                format!("crate::field_size(|s: &{r}| &s.{field})"),
            );
        }
    }
    for (name, ty) in &consts {
        // Enum constants are `<enum type>_<C constant>`; other constants are not checked here.
        let Some(c_const) = enum_types
            .iter()
            .filter(|e| *e == ty)
            .find_map(|e| name.strip_prefix(&format!("{e}_")))
        else {
            continue;
        };
        entry(
            format!("const {name}"),
            c_const.to_owned(),
            format!("openvino_sys::{name}"),
        );
    }
    c.push_str("};\n");
    writeln!(c, "const size_t ov_layout_count = {count};").unwrap();
    rust.push_str("    ]\n}\n");

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("layout.c"), c).expect("OUT_DIR is writable");
    std::fs::write(out.join("layout.rs"), rust).expect("OUT_DIR is writable");
    cc::Build::new()
        .file(out.join("layout.c"))
        .include(&include)
        .warnings(false)
        .compile("ov_layout");
}
