//! Regenerates `openvino-sys/src/generated/` from the OpenVINO C headers.
//!
//! Run through `scripts/regenerate-bindings`, which passes the pinned headers and version:
//!
//! ```text
//! openvino-sys-generator --include upstream/openvino/include --version 2026.4.1 --out openvino-sys/src/generated
//! ```
//!
//! bindgen writes the types and the `extern "C"` declarations; this program then splits them into
//! three files: `types.rs` (shared by both linking modes), `linked.rs` (the `extern` block for
//! `dynamic-linking`) and `runtime.rs` (the libloading table and call-through functions for
//! `runtime-linking`), so that both modes expose exactly the same names and signatures.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ForeignItem, Item};

struct Args {
    include: PathBuf,
    version: String,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut include = None;
    let mut version = None;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--include" => include = Some(PathBuf::from(value()?)),
            "--version" => version = Some(value()?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                return Err(
                    "usage: openvino-sys-generator --include DIR --version X.Y.Z --out DIR".into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        include: include
            .ok_or("--include DIR (the folder holding openvino/c/openvino.h) is required")?,
        version: version.ok_or("--version is required")?,
        out: out.ok_or("--out is required")?,
    })
}

/// Makes doxygen comments safe for rustdoc: no intra-doc links out of `[in]`, no HTML tags out of
/// `<...>`, no accidental code blocks out of indented lines.
#[derive(Debug)]
struct Comments;

impl bindgen::callbacks::ParseCallbacks for Comments {
    fn process_comment(&self, comment: &str) -> Option<String> {
        let lines: Vec<String> = comment
            .lines()
            .map(|line| {
                line.trim()
                    .replace('\\', "\\\\")
                    .replace('[', "\\[")
                    .replace(']', "\\]")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('`', "'")
            })
            .collect();
        Some(lines.join("\n"))
    }
}

fn run_bindgen(include: &Path) -> Result<syn::File, String> {
    let header = include.join("openvino/c/openvino.h");
    if !header.is_file() {
        return Err(format!(
            "{} not found; run scripts/install-openvino first",
            header.display()
        ));
    }
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .clang_arg(format!("-I{}", include.display()))
        .allowlist_function("ov_.*")
        .allowlist_type("ov_.*")
        .allowlist_var("ov_.*")
        .default_enum_style(bindgen::EnumVariation::Consts)
        .derive_default(true)
        .derive_debug(true)
        .layout_tests(false)
        .generate_cstr(true)
        .rust_target(bindgen::RustTarget::stable(85, 0).map_err(|e| format!("{e}"))?)
        .rust_edition(bindgen::RustEdition::Edition2024)
        .parse_callbacks(Box::new(Comments))
        .formatter(bindgen::Formatter::None)
        .generate()
        .map_err(|e| format!("bindgen failed on {}: {e}", header.display()))?;
    syn::parse_file(&bindings.to_string())
        .map_err(|e| format!("bindgen output does not parse: {e}"))
}

struct Function {
    attrs: Vec<syn::Attribute>,
    sig: syn::Signature,
}

struct Static {
    attrs: Vec<syn::Attribute>,
    ident: syn::Ident,
    ty: syn::Type,
}

struct Split {
    types: Vec<Item>,
    functions: Vec<Function>,
    statics: Vec<Static>,
}

fn split(file: syn::File) -> Result<Split, String> {
    let mut out = Split {
        types: Vec::new(),
        functions: Vec::new(),
        statics: Vec::new(),
    };
    for item in file.items {
        match item {
            Item::ForeignMod(block) => {
                for foreign in block.items {
                    match foreign {
                        ForeignItem::Fn(f) => out.functions.push(Function {
                            attrs: f.attrs,
                            sig: f.sig,
                        }),
                        ForeignItem::Static(s) => out.statics.push(Static {
                            attrs: s.attrs,
                            ident: s.ident,
                            ty: *s.ty,
                        }),
                        other => {
                            return Err(format!("unexpected foreign item: {}", quote!(#other)));
                        }
                    }
                }
            }
            other => out.types.push(other),
        }
    }
    out.functions.sort_by_key(|f| f.sig.ident.to_string());
    out.statics.sort_by_key(|s| s.ident.to_string());
    Ok(out)
}

fn header(version: &str, what: &str) -> String {
    format!(
        "// @generated by scripts/regenerate-bindings from the OpenVINO {version} C headers; do not edit.\n\
         // {what}\n\n"
    )
}

fn render(tokens: TokenStream) -> Result<String, String> {
    let file = syn::parse2::<syn::File>(tokens)
        .map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// `unsafe extern "C" fn(a: T, ...) -> R` for a declared function.
fn fn_pointer_type(sig: &syn::Signature) -> TokenStream {
    let inputs = sig.inputs.iter().map(|arg| match arg {
        syn::FnArg::Typed(pat) => {
            let ty = &pat.ty;
            quote!(#ty)
        }
        syn::FnArg::Receiver(_) => quote!(),
    });
    let variadic = sig.variadic.as_ref().map(|_| quote!(, ...));
    let output = &sig.output;
    quote!(unsafe extern "C" fn(#(#inputs),* #variadic) #output)
}

fn types_file(split: &Split, version: &str) -> Result<String, String> {
    let items = &split.types;
    let names = split.functions.iter().map(|f| f.sig.ident.to_string());
    let statics = split.statics.iter().map(|s| s.ident.to_string());
    let body = render(quote! {
        #(#items)*

        /// The OpenVINO release whose C headers these bindings were generated from.
        pub const BINDINGS_VERSION: &str = #version;

        /// Every function of the C API that these bindings declare, in name order.
        pub const FUNCTION_NAMES: &[&str] = &[#(#names),*];

        /// Every global variable (property key) of the C API that these bindings declare.
        pub const VARIABLE_NAMES: &[&str] = &[#(#statics),*];
    })?;
    Ok(header(
        version,
        "Types and constants of the C API, shared by both linking modes.",
    ) + &body)
}

fn linked_file(split: &Split, version: &str) -> Result<String, String> {
    let functions = split.functions.iter().map(|f| {
        let attrs = &f.attrs;
        let sig = &f.sig;
        quote!(#(#attrs)* pub #sig;)
    });
    let statics = split.statics.iter().map(|s| {
        let Static { attrs, ident, ty } = s;
        quote!(#(#attrs)* pub static #ident: #ty;)
    });
    let body = render(quote! {
        use super::types::*;

        unsafe extern "C" {
            #(#functions)*
            #(#statics)*
        }
    })?;
    Ok(header(
        version,
        "The C API linked at build time (feature `dynamic-linking`).",
    ) + &body)
}

fn runtime_file(split: &Split, version: &str) -> Result<String, String> {
    let fields = split.functions.iter().map(|f| {
        let ident = &f.sig.ident;
        let ty = fn_pointer_type(&f.sig);
        quote!(pub(crate) #ident: #ty,)
    });
    let static_fields = split.statics.iter().map(|s| {
        let Static { ident, ty, .. } = s;
        quote!(pub(crate) #ident: Address<#ty>,)
    });
    let symbol_names = split
        .functions
        .iter()
        .map(|f| f.sig.ident.to_string())
        .chain(split.statics.iter().map(|s| s.ident.to_string()));
    let resolve_fns = split.functions.iter().map(|f| {
        let ident = &f.sig.ident;
        let name = syn::LitByteStr::new(format!("{ident}\0").as_bytes(), ident.span());
        quote! {
            // SAFETY: the symbol is declared by the pinned headers with exactly this signature.
            #ident: unsafe { *library.get(#name).map_err(|_| stringify!(#ident))? },
        }
    });
    let resolve_statics = split.statics.iter().map(|s| {
        let ident = &s.ident;
        let name = syn::LitByteStr::new(format!("{ident}\0").as_bytes(), ident.span());
        quote! {
            // SAFETY: the symbol is a global variable of the type declared by the pinned headers.
            #ident: Address(unsafe { *library.get(#name).map_err(|_| stringify!(#ident))? }),
        }
    });
    let wrappers = split.functions.iter().map(|f| {
        let attrs = &f.attrs;
        let ident = &f.sig.ident;
        if f.sig.variadic.is_some() {
            let ty = fn_pointer_type(&f.sig);
            quote! {
                #(#attrs)*
                ///
                /// Variadic: called like the C function (`NAME(a, b, ...)`), through the pointer
                /// resolved when the library was loaded.
                #[allow(non_upper_case_globals)]
                pub static #ident: Variadic<#ty> = Variadic::new(|f| &f.#ident);
            }
        } else {
            let inputs = &f.sig.inputs;
            let output = &f.sig.output;
            let args = f.sig.inputs.iter().filter_map(|arg| match arg {
                syn::FnArg::Typed(pat) => {
                    let p = &pat.pat;
                    Some(quote!(#p))
                }
                syn::FnArg::Receiver(_) => None,
            });
            quote! {
                #(#attrs)*
                #[inline]
                pub unsafe fn #ident(#inputs) #output {
                    // SAFETY: the caller upholds the C function's contract, as with a linked call.
                    unsafe { (functions().#ident)(#(#args),*) }
                }
            }
        }
    });
    let statics = split.statics.iter().map(|s| {
        let Static { attrs, ident, ty } = s;
        quote! {
            #(#attrs)*
            ///
            /// Read it with `*NAME` once the library is loaded.
            #[allow(non_upper_case_globals)]
            pub static #ident: Variable<#ty> = Variable::new(|f| &f.#ident);
        }
    });
    let body = render(quote! {
        use super::types::*;
        use crate::library::{functions, Address, Variable, Variadic};

        /// Every symbol of the C API, resolved once when the library is loaded.
        pub(crate) struct Functions {
            #(#fields)*
            #(#static_fields)*
        }

        /// The names [`Functions::resolve`] looks up, to report every missing one at once.
        pub(crate) const SYMBOL_NAMES: &[&str] = &[#(#symbol_names),*];

        impl Functions {
            /// Resolves every symbol; fails with the name of the first one missing.
            ///
            /// # Safety
            /// `library` must be an OpenVINO C library whose ABI matches these bindings.
            pub(crate) unsafe fn resolve(library: &libloading::Library) -> Result<Self, &'static str> {
                Ok(Self {
                    #(#resolve_fns)*
                    #(#resolve_statics)*
                })
            }
        }

        #(#wrappers)*
        #(#statics)*
    })?;
    Ok(header(
        version,
        "The C API resolved at run time with libloading (feature `runtime-linking`).",
    ) + &body)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn main() -> ExitCode {
    match generate() {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("openvino-sys-generator: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<String, String> {
    let args = parse_args()?;
    let file = run_bindgen(&args.include)?;
    let split = split(file)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    write(
        &args.out.join("types.rs"),
        &types_file(&split, &args.version)?,
    )?;
    write(
        &args.out.join("linked.rs"),
        &linked_file(&split, &args.version)?,
    )?;
    write(
        &args.out.join("runtime.rs"),
        &runtime_file(&split, &args.version)?,
    )?;
    let variadic = split
        .functions
        .iter()
        .filter(|f| f.sig.variadic.is_some())
        .count();
    let mut report = String::new();
    let _ = write!(
        report,
        "wrote {} functions ({variadic} variadic) and {} variables from OpenVINO {} into {}",
        split.functions.len(),
        split.statics.len(),
        args.version,
        args.out.display()
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fn_pointer_type_keeps_variadic_ellipsis() {
        let sig: syn::Signature = syn::parse_quote!(fn ov_core_set_property(core: *const ov_core_t, device_name: *const c_char, ...) -> ov_status_e);
        let ty = fn_pointer_type(&sig).to_string();
        assert_eq!(
            ty,
            "unsafe extern \"C\" fn (* const ov_core_t , * const c_char , ...) -> ov_status_e"
        );
    }

    #[test]
    fn comments_escape_brackets_and_tags() {
        use bindgen::callbacks::ParseCallbacks;
        let out = Comments
            .process_comment("  @param core [in] a <ov_core_t>\n    indented")
            .unwrap();
        assert_eq!(out, "@param core \\[in\\] a &lt;ov_core_t&gt;\nindented");
    }
}
