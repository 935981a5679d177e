//! OpenVINO IR: well-formed XML without a DTD (so no entity can expand or reach a file), root
//! `<net>` with IR version 10 or 11, and every `offset`/`size` pair (Const data, the legacy
//! `<pre-process>` means) inside the weights builder.

use super::{GateError, quote, sniff};

/// Elements an IR may hold (roxmltree counts every node); real IRs of large models hold a few
/// hundred thousand.
const MAX_NODES: u32 = 8_000_000;

pub(super) fn check(xml: &[u8], weights: &[u8]) -> Result<(), GateError> {
    let text = std::str::from_utf8(xml).map_err(|e| {
        GateError::encoding(format!(
            "not an OpenVINO IR model: the XML is not UTF-8 ({e})"
        ))
    })?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| {
        GateError::encoding(format!(
            "not an OpenVINO IR model: the XML does not parse ({e})"
        ))
    })?;
    let net = doc.root_element();
    if !net.tag_name().name().eq_ignore_ascii_case("net") {
        return Err(GateError::encoding(format!(
            "not an OpenVINO IR model: the root element is {}, not <net>",
            quote(net.tag_name().name())
        )));
    }
    match net.attribute("version") {
        Some("10" | "11") => {}
        version => {
            return Err(GateError::encoding(format!(
                "not an OpenVINO IR model this host reads: <net> has version {}, not 10 or 11",
                quote(version.unwrap_or(""))
            )));
        }
    }
    if !sniff::openvino_may_take_for_ir(xml) {
        return Err(GateError::encoding(
            "not an OpenVINO IR model OpenVINO recognises: <net> must start within the first \
             512 bytes",
        ));
    }
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        // Weights are addressed by both; some layers have a lone `size` (LRN) or `offset`.
        let (Some(offset), Some(size)) = (node.attribute("offset"), node.attribute("size")) else {
            continue;
        };
        let layer = node
            .ancestors()
            .find(|a| a.has_tag_name("layer"))
            .map(|l| {
                format!(
                    "layer {} ({})",
                    quote(l.attribute("name").unwrap_or("")),
                    quote(l.attribute("type").unwrap_or(""))
                )
            })
            .unwrap_or_else(|| format!("element <{}>", node.tag_name().name()));
        let parse = |v: &str| v.trim().parse::<u64>().ok();
        let (Some(offset), Some(size)) = (parse(offset), parse(size)) else {
            return Err(GateError::refused(format!(
                "{layer} has an offset/size that is not a pair of numbers"
            )));
        };
        if offset
            .checked_add(size)
            .is_none_or(|end| end > weights.len() as u64)
        {
            return Err(GateError::new(
                super::GateErrorKind::External,
                format!(
                    "{layer} reads bytes {offset}..{} but the weights builder holds {} bytes: \
                     guest models must be self-contained",
                    offset.saturating_add(size),
                    weights.len()
                ),
            ));
        }
    }
    Ok(())
}
