//! What the HTTP guest components share: the wasi:nn bindings (wit-bindgen over wasi-nn-host's
//! WIT) and small helpers to answer a wasi:http request.

wit_bindgen::generate!({
    path: "../../../wasi-nn-host/wit",
    world: "wasi:nn/ml",
    generate_all,
});

pub use wasi::nn::errors::{Error, ErrorCode};
pub use wasi::nn::graph::{load_by_name, Graph};
pub use wasi::nn::inference::GraphExecutionContext;
pub use wasi::nn::tensor::{Tensor, TensorType};

use std::io::{Read as _, Write as _};
use wasip2::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

/// The WIT name of an error code.
pub fn code_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidArgument => "invalid-argument",
        ErrorCode::InvalidEncoding => "invalid-encoding",
        ErrorCode::Timeout => "timeout",
        ErrorCode::RuntimeError => "runtime-error",
        ErrorCode::UnsupportedOperation => "unsupported-operation",
        ErrorCode::TooLarge => "too-large",
        ErrorCode::NotFound => "not-found",
        ErrorCode::Security => "security",
        ErrorCode::Unknown => "unknown",
    }
}

/// The request's whole body (the host has read it already: this is a copy from its memory).
pub fn body(request: &IncomingRequest) -> Result<Vec<u8>, String> {
    let body = request.consume().map_err(|()| "the body was already taken".to_string())?;
    let mut stream = body.stream().map_err(|()| "the body has no stream".to_string())?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).map_err(|e| format!("cannot read the body: {e}"))?;
    drop(stream);
    Ok(bytes)
}

/// A header's first value.
pub fn header(request: &IncomingRequest, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .first()
        .and_then(|v| String::from_utf8(v.clone()).ok())
}

/// Answers with `status`, a content type and `body`.
pub fn respond(out: ResponseOutparam, status: u16, content_type: &str, body: &[u8]) {
    let headers = Fields::new();
    let _ = headers.set("content-type", &[content_type.as_bytes().to_vec()]);
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(status);
    let outgoing = response.body().expect("a new response has a body");
    ResponseOutparam::set(out, Ok(response));
    let mut stream = outgoing.write().expect("a new body has a stream");
    // Writes in chunks the host accepts (it buffers up to a chunk at a time).
    let _ = stream.write_all(body);
    let _ = stream.flush();
    drop(stream);
    let _ = OutgoingBody::finish(outgoing, None);
}

/// A JSON string literal.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Answers a JSON `{"error": ..., "code": ...}` with `status`.
pub fn respond_error(out: ResponseOutparam, status: u16, message: &str, code: Option<&str>) {
    let body = match code {
        Some(code) => format!(
            "{{\"error\":{},\"code\":{}}}\n",
            json_string(message),
            json_string(code)
        ),
        None => format!("{{\"error\":{}}}\n", json_string(message)),
    };
    respond(out, status, "application/json", body.as_bytes());
}

/// The HTTP status a wasi:nn error answers with: the host's deadline is a 504, its limits a
/// 413, a missing graph a 503 (the server is misconfigured), the rest a 500.
pub fn status_of(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::Timeout => 504,
        ErrorCode::TooLarge => 413,
        ErrorCode::NotFound => 503,
        _ => 500,
    }
}
