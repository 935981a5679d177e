//! Regenerates `openvino-sys/src/generated/` from the OpenVINO C headers.
//!
//! Run through `scripts/regenerate-bindings`, which passes the pinned headers and version:
//!
//! ```text
//! openvino-sys-generator --include upstream/openvino/include --version 2026.4.1 \
//!     --symbols upstream/symbols --out openvino-sys/src/generated
//! ```
//!
//! bindgen writes the types and the `extern "C"` declarations; this program then splits them into
//! three files: `types.rs` (shared by both linking modes), `linked.rs` (the `extern` block for
//! `dynamic-linking`) and `runtime.rs` (the libloading table and call-through functions for
//! `runtime-linking`), so that both modes expose exactly the same names and signatures.
//!
//! A fourth file, `since.rs`, says which release added each symbol. It is computed from
//! `--symbols DIR`: one file per supported release (`2024.3.0.txt`, ...) listing the `ov_*`
//! symbols its `libopenvino_c` exports (`nm -D`, written by `scripts/test-releases
//! --update-symbols`). The oldest file is the oldest supported release. A symbol every supported
//! release exports is required at load time; any other one is resolved as optional, and its
//! run-time wrapper returns `ov_status_e_NOT_IMPLEMENTED` when the loaded library lacks it. That
//! only works for functions returning a status, so the generator refuses any other optional
//! function (variadic, or returning something else) unless it is listed in
//! [`OPTIONAL_WITHOUT_STATUS`], whose wrappers panic when absent.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ForeignItem, Item};

struct Args {
    include: PathBuf,
    version: String,
    symbols: PathBuf,
    out: PathBuf,
}

/// Optional functions that return no status, so that their wrapper cannot report absence as
/// `NOT_IMPLEMENTED`: calling one that the loaded library lacks panics with the release that added
/// it. Safe callers check `openvino_sys::library::unavailable(name)` first (the `openvino`
/// crate's log routing does). Adding a name here is a decision, not a fix: make sure every
/// caller checks.
const OPTIONAL_WITHOUT_STATUS: &[&str] =
    &["ov_util_reset_log_callback", "ov_util_set_log_callback"];

fn parse_args() -> Result<Args, String> {
    let mut include = None;
    let mut version = None;
    let mut symbols = None;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--include" => include = Some(PathBuf::from(value()?)),
            "--version" => version = Some(value()?),
            "--symbols" => symbols = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                return Err(
                    "usage: openvino-sys-generator --include DIR --version X.Y.Z --symbols DIR --out DIR"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        include: include
            .ok_or("--include DIR (the folder holding openvino/c/openvino.h) is required")?,
        version: version.ok_or("--version is required")?,
        symbols: symbols.ok_or(
            "--symbols DIR (one VERSION.txt symbol list per supported release) is required",
        )?,
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

/// A release number (`2026.4.1`), ordered numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Release(u32, u32, u32);

impl Release {
    fn parse(text: &str) -> Option<Release> {
        let mut parts = text.split('.').map(|p| p.parse::<u32>().ok());
        let release = Release(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(release)
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Reads `DIR/VERSION.txt` symbol lists (one name per line, `#` comments), oldest first.
fn read_symbols(dir: &Path) -> Result<Vec<(Release, BTreeSet<String>)>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut lists = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        let Some(release) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".txt"))
            .and_then(Release::parse)
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let names = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        lists.push((release, names));
    }
    lists.sort_by_key(|(release, _)| *release);
    if lists.is_empty() {
        return Err(format!(
            "{} holds no VERSION.txt symbol lists",
            dir.display()
        ));
    }
    Ok(lists)
}

/// Which release added each symbol of the bindings.
struct Since {
    /// Every release of the symbol lists, oldest first.
    releases: Vec<Release>,
    /// Symbol name -> the first release exporting it.
    added_in: BTreeMap<String, Release>,
}

impl Since {
    fn is_optional(&self, name: &str) -> bool {
        self.added_in.get(name) != self.releases.first()
    }
}

/// Computes the "since" table and checks that the optional symbols can be handled: the newest
/// list must be the bindings' release and export every declared symbol; a symbol must stay once
/// added; an optional function must return `ov_status_e` and not be variadic, unless it is one of
/// [`OPTIONAL_WITHOUT_STATUS`].
fn since(
    split: &Split,
    lists: &[(Release, BTreeSet<String>)],
    version: &str,
) -> Result<Since, String> {
    let releases: Vec<Release> = lists.iter().map(|(r, _)| *r).collect();
    let newest = releases
        .last()
        .expect("read_symbols returns at least one list");
    if newest.to_string() != version {
        return Err(format!(
            "the newest symbol list is {newest}, but the bindings are generated from {version}; \
             add upstream/symbols/{version}.txt (scripts/test-releases --update-symbols)"
        ));
    }
    let names = split
        .functions
        .iter()
        .map(|f| f.sig.ident.to_string())
        .chain(split.statics.iter().map(|s| s.ident.to_string()));
    let mut added_in = BTreeMap::new();
    for name in names {
        let first = lists
            .iter()
            .position(|(_, symbols)| symbols.contains(&name))
            .ok_or_else(|| {
                format!("OpenVINO {version} does not export {name}, which its headers declare")
            })?;
        if let Some((gone, _)) = lists[first..].iter().find(|(_, s)| !s.contains(&name)) {
            return Err(format!(
                "{name} is exported by {} but not by the later {gone}; the bindings cannot \
                 describe a symbol that comes and goes",
                lists[first].0
            ));
        }
        added_in.insert(name, lists[first].0);
    }
    let since = Since { releases, added_in };
    for f in &split.functions {
        let name = f.sig.ident.to_string();
        let listed = OPTIONAL_WITHOUT_STATUS.contains(&name.as_str());
        if !since.is_optional(&name) {
            if listed {
                return Err(format!(
                    "{name} is in OPTIONAL_WITHOUT_STATUS but every supported release has it; \
                     remove it from the list"
                ));
            }
            continue;
        }
        let added = since.added_in[&name];
        if f.sig.variadic.is_some() {
            return Err(format!(
                "{name} is variadic and was added in {added}, after the oldest supported release \
                 {}: a variadic function cannot be replaced when absent; raise the oldest \
                 supported release (remove older upstream/symbols lists)",
                since.releases[0]
            ));
        }
        if !returns_status(&f.sig) && !listed {
            return Err(format!(
                "{name} returns no ov_status_e and was added in {added}, after the oldest \
                 supported release {}: its wrapper could not report absence; add it to \
                 OPTIONAL_WITHOUT_STATUS once every caller checks library::unavailable, or raise \
                 the oldest supported release",
                since.releases[0]
            ));
        }
    }
    Ok(since)
}

fn returns_status(sig: &syn::Signature) -> bool {
    match &sig.output {
        syn::ReturnType::Type(_, ty) => quote!(#ty).to_string() == "ov_status_e",
        syn::ReturnType::Default => false,
    }
}

fn release_tokens(release: &Release) -> TokenStream {
    let [major, minor, patch] =
        [release.0, release.1, release.2].map(proc_macro2::Literal::u32_unsuffixed);
    quote!(Version::new(#major, #minor, #patch))
}

fn since_file(since: &Since, version: &str) -> Result<String, String> {
    let releases = since.releases.iter().map(release_tokens);
    let rows = since.added_in.iter().map(|(name, release)| {
        let release = release_tokens(release);
        quote!((#name, #release))
    });
    let body = render(quote! {
        use crate::library::Version;

        /// Every release whose exported symbols were compared, oldest first: the first is the
        /// oldest supported release, the last the one the bindings were generated from.
        pub const KNOWN_RELEASES: &[Version] = &[#(#releases),*];

        /// Each function and variable of the bindings with the release that added it, in name
        /// order.
        pub(crate) const ADDED_IN: &[(&str, Version)] = &[#(#rows),*];
    })?;
    Ok(header(
        version,
        "The release that added each symbol, from the symbol lists in upstream/symbols (nm -D of each release's libopenvino_c).",
    ) + &body)
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

fn runtime_file(split: &Split, since: &Since, version: &str) -> Result<String, String> {
    let optional = |ident: &syn::Ident| since.is_optional(&ident.to_string());
    let fields = split.functions.iter().map(|f| {
        let ident = &f.sig.ident;
        let ty = fn_pointer_type(&f.sig);
        if optional(ident) {
            quote!(pub(crate) #ident: Option<#ty>,)
        } else {
            quote!(pub(crate) #ident: #ty,)
        }
    });
    let static_fields = split.statics.iter().map(|s| {
        let Static { ident, ty, .. } = s;
        if optional(ident) {
            quote!(pub(crate) #ident: Option<Address<#ty>>,)
        } else {
            quote!(pub(crate) #ident: Address<#ty>,)
        }
    });
    let all_names = || {
        split
            .functions
            .iter()
            .map(|f| &f.sig.ident)
            .chain(split.statics.iter().map(|s| &s.ident))
    };
    let required_names = all_names().filter(|i| !optional(i)).map(|i| i.to_string());
    let absent_checks = all_names().filter(|i| optional(i)).map(|ident| {
        quote! {
            if self.#ident.is_none() {
                absent.push(stringify!(#ident));
            }
        }
    });
    let resolve_fns = split.functions.iter().map(|f| {
        let ident = &f.sig.ident;
        let ty = fn_pointer_type(&f.sig);
        let name = syn::LitByteStr::new(format!("{ident}\0").as_bytes(), ident.span());
        if optional(ident) {
            quote! {
                // SAFETY: the symbol, where the library has it, is declared by the pinned headers
                // with exactly this signature.
                #ident: unsafe { library.get::<#ty>(#name) }.ok().map(|symbol| *symbol),
            }
        } else {
            quote! {
                // SAFETY: the symbol is declared by the pinned headers with exactly this signature.
                #ident: unsafe { *library.get(#name).map_err(|_| stringify!(#ident))? },
            }
        }
    });
    let resolve_statics = split.statics.iter().map(|s| {
        let ident = &s.ident;
        let ty = &s.ty;
        let name = syn::LitByteStr::new(format!("{ident}\0").as_bytes(), ident.span());
        if optional(ident) {
            quote! {
                // SAFETY: the symbol, where the library has it, is a global variable of the type
                // declared by the pinned headers.
                #ident: unsafe { library.get::<*const #ty>(#name) }.ok().map(|symbol| Address(*symbol)),
            }
        } else {
            quote! {
                // SAFETY: the symbol is a global variable of the type declared by the pinned headers.
                #ident: Address(unsafe { *library.get(#name).map_err(|_| stringify!(#ident))? }),
            }
        }
    });
    let wrappers = split.functions.iter().map(|f| {
        let attrs = &f.attrs;
        let ident = &f.sig.ident;
        if f.sig.variadic.is_some() {
            // `since` refused optional variadic functions: this one is in every supported release.
            let ty = fn_pointer_type(&f.sig);
            return quote! {
                #(#attrs)*
                ///
                /// Variadic: called like the C function (`NAME(a, b, ...)`), through the pointer
                /// resolved when the library was loaded.
                #[allow(non_upper_case_globals)]
                pub static #ident: Variadic<#ty> = Variadic::new(|f| &f.#ident);
            };
        }
        let inputs = &f.sig.inputs;
        let output = &f.sig.output;
        let args: Vec<TokenStream> = f
            .sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                syn::FnArg::Typed(pat) => {
                    let p = &pat.pat;
                    Some(quote!(#p))
                }
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        if !optional(ident) {
            return quote! {
                #(#attrs)*
                #[inline]
                pub unsafe fn #ident(#inputs) #output {
                    // SAFETY: the caller upholds the C function's contract, as with a linked call.
                    unsafe { (functions().#ident)(#(#args),*) }
                }
            };
        }
        let added = since.added_in[&ident.to_string()].to_string();
        let (doc, when_absent) = if returns_status(&f.sig) {
            (
                format!(
                    " Added in OpenVINO {added}: with an older library this returns \
                     `ov_status_e_NOT_IMPLEMENTED` without calling anything \
                     ([`crate::library::unavailable`] says why)."
                ),
                quote!(ov_status_e_NOT_IMPLEMENTED),
            )
        } else {
            (
                format!(
                    " Added in OpenVINO {added}.\n\n # Panics\n With an older library, \
                     where it does not exist: check [`crate::library::unavailable`] first."
                ),
                quote!(crate::library::absent(stringify!(#ident))),
            )
        };
        quote! {
            #(#attrs)*
            ///
            #[doc = #doc]
            #[inline]
            pub unsafe fn #ident(#inputs) #output {
                match functions().#ident {
                    // SAFETY: the caller upholds the C function's contract, as with a linked call.
                    Some(function) => unsafe { function(#(#args),*) },
                    None => #when_absent,
                }
            }
        }
    });
    let statics = split.statics.iter().map(|s| {
        let Static { attrs, ident, ty } = s;
        let (doc, get) = if optional(ident) {
            let added = since.added_in[&ident.to_string()].to_string();
            (
                format!(
                    " Read it with `NAME.get()` once the library is loaded. Added in OpenVINO \
                     {added}: with an older library `get` returns the [`crate::library::Unavailable`] \
                     error."
                ),
                quote!(|f| f.#ident.as_ref()),
            )
        } else {
            (
                " Read it with `NAME.get()` once the library is loaded.".to_owned(),
                quote!(|f| Some(&f.#ident)),
            )
        };
        quote! {
            #(#attrs)*
            ///
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            pub static #ident: Variable<#ty> = Variable::new(stringify!(#ident), #get);
        }
    });
    let body = render(quote! {
        use super::types::*;
        use crate::library::{functions, Address, Variable, Variadic};

        /// Every symbol of the C API, resolved once when the library is loaded; `Option` for those
        /// that older supported releases lack.
        pub(crate) struct Functions {
            #(#fields)*
            #(#static_fields)*
        }

        /// The symbols every supported release exports: a library lacking one is not a supported
        /// OpenVINO, and [`Functions::resolve`] fails.
        pub(crate) const REQUIRED_SYMBOLS: &[&str] = &[#(#required_names),*];

        impl Functions {
            /// Resolves every symbol; fails with the name of the first required one missing.
            ///
            /// # Safety
            /// `library` must be an OpenVINO C library whose ABI matches these bindings.
            pub(crate) unsafe fn resolve(library: &libloading::Library) -> Result<Self, &'static str> {
                Ok(Self {
                    #(#resolve_fns)*
                    #(#resolve_statics)*
                })
            }

            /// The optional symbols the loaded library lacks, in name order.
            pub(crate) fn absent(&self) -> Vec<&'static str> {
                let mut absent = Vec::new();
                #(#absent_checks)*
                absent
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
    let lists = read_symbols(&args.symbols)?;
    let file = run_bindgen(&args.include)?;
    let split = split(file)?;
    let since = since(&split, &lists, &args.version)?;
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
        &runtime_file(&split, &since, &args.version)?,
    )?;
    write(
        &args.out.join("since.rs"),
        &since_file(&since, &args.version)?,
    )?;
    let variadic = split
        .functions
        .iter()
        .filter(|f| f.sig.variadic.is_some())
        .count();
    let mut report = String::new();
    let _ = write!(
        report,
        "wrote {} functions ({variadic} variadic) and {} variables from OpenVINO {} into {}; \
         {} symbols are optional (added after {})",
        split.functions.len(),
        split.statics.len(),
        args.version,
        args.out.display(),
        since
            .added_in
            .keys()
            .filter(|name| since.is_optional(name))
            .count(),
        since.releases[0]
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
    fn split_of(declarations: &str) -> Split {
        split(syn::parse_file(declarations).unwrap()).unwrap()
    }

    fn lists(releases: &[(&str, &[&str])]) -> Vec<(Release, BTreeSet<String>)> {
        releases
            .iter()
            .map(|(v, names)| {
                (
                    Release::parse(v).unwrap(),
                    names.iter().map(|n| n.to_string()).collect(),
                )
            })
            .collect()
    }

    const DECLS: &str = r#"unsafe extern "C" {
        pub fn ov_old(a: i32) -> ov_status_e;
        pub fn ov_new(a: i32) -> ov_status_e;
        pub static ov_property_key_new: *const c_char;
    }"#;

    #[test]
    fn since_names_the_first_release_of_each_symbol() {
        let all: &[&str] = &["ov_old", "ov_new", "ov_property_key_new"];
        let since = since(
            &split_of(DECLS),
            &lists(&[
                ("2024.3.0", &["ov_old"]),
                ("2025.1.0", all),
                ("2026.4.1", all),
            ]),
            "2026.4.1",
        )
        .unwrap();
        assert!(!since.is_optional("ov_old"));
        assert!(since.is_optional("ov_new"));
        assert_eq!(since.added_in["ov_property_key_new"], Release(2025, 1, 0));
    }

    #[test]
    fn since_refuses_what_a_wrapper_could_not_report() {
        let err = |decls: &str, releases: &[(&str, &[&str])], version: &str| {
            since(&split_of(decls), &lists(releases), version)
                .err()
                .expect("refused")
        };
        let late_variadic = r#"unsafe extern "C" { pub fn ov_v(a: i32, ...) -> ov_status_e; }"#;
        let e = err(
            late_variadic,
            &[("2024.3.0", &[]), ("2026.4.1", &["ov_v"])],
            "2026.4.1",
        );
        assert!(e.contains("variadic"), "{e}");
        let late_void = r#"unsafe extern "C" { pub fn ov_void(a: i32); }"#;
        let e = err(
            late_void,
            &[("2024.3.0", &[]), ("2026.4.1", &["ov_void"])],
            "2026.4.1",
        );
        assert!(e.contains("returns no ov_status_e"), "{e}");
        let listed_but_old = r#"unsafe extern "C" { pub fn ov_util_set_log_callback(f: i32); }"#;
        let all: &[&str] = &["ov_util_set_log_callback"];
        let e = err(
            listed_but_old,
            &[("2024.3.0", all), ("2026.4.1", all)],
            "2026.4.1",
        );
        assert!(e.contains("remove it from the list"), "{e}");
        let comes_and_goes = r#"unsafe extern "C" { pub fn ov_x() -> ov_status_e; }"#;
        let e = err(
            comes_and_goes,
            &[
                ("2024.3.0", &["ov_x"]),
                ("2025.0.0", &[]),
                ("2026.4.1", &["ov_x"]),
            ],
            "2026.4.1",
        );
        assert!(e.contains("comes and goes"), "{e}");
        let e = err(comes_and_goes, &[("2026.3.0", &["ov_x"])], "2026.4.1");
        assert!(e.contains("upstream/symbols/2026.4.1.txt"), "{e}");
        let e = err(comes_and_goes, &[("2026.4.1", &[])], "2026.4.1");
        assert!(e.contains("does not export ov_x"), "{e}");
    }
}
