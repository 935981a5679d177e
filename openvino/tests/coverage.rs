//! Keeps the crate's coverage list (src/coverage.md) true against openvino-sys's bindings.

use std::collections::BTreeSet;

#[test]
fn coverage_list_matches_the_bindings() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let list = std::fs::read_to_string(format!("{dir}/coverage.md")).expect("coverage.md");
    let (excused_part, reached_part) = list.split_once("## Reached").expect("a Reached section");
    let names = |text: &str| -> BTreeSet<String> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.starts_with("ov_") && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .map(str::to_owned)
            .collect()
    };
    let excused: BTreeSet<String> = excused_part
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect();
    let reached = names(reached_part);
    let code: String = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mentioned = |name: &str| {
        code.match_indices(name).any(|(i, _)| {
            let next = code[i + name.len()..].chars().next().unwrap_or(' ');
            let prev = code[..i].chars().last().unwrap_or(' ');
            let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
            !word(next) && !word(prev)
        })
    };

    let declared: BTreeSet<String> = openvino_sys::FUNCTION_NAMES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let listed: BTreeSet<String> = excused.union(&reached).cloned().collect();
    assert_eq!(
        declared.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "functions declared by openvino-sys but missing from coverage.md"
    );
    assert_eq!(
        listed.difference(&declared).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "functions in coverage.md that openvino-sys does not declare"
    );
    assert!(
        excused.is_disjoint(&reached),
        "a function is both reached and excused"
    );
    let not_called: Vec<_> = reached.iter().filter(|n| !mentioned(n)).collect();
    assert!(
        not_called.is_empty(),
        "listed as reached but never called: {not_called:?}"
    );
    let called: Vec<_> = excused.iter().filter(|n| mentioned(n)).collect();
    assert!(
        called.is_empty(),
        "excused but called (move them to Reached): {called:?}"
    );
}
