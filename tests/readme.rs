//! README's promises stay true: its excerpt of output is what the binary
//! prints for `examples/`, and it explains every rule category.

mod common;

const README: &str = include_str!("../README.md");

#[test]
fn readme_excerpt_is_real_output_of_linting_the_examples() {
    let start = README
        .find("```text\nhost-port-outside-agent-ranges")
        .expect("README shows an excerpt");
    let excerpt = &README[start + "```text\n".len()..];
    let excerpt = &excerpt[..excerpt.find("```").unwrap()];
    // The README command runs from the repository root with a terminal; the
    // excerpt is plain (no colour) and 100 columns wide, as when piped.
    let run = common::run(&["--color", "never", "examples/"]);
    assert_eq!(run.code, 1, "the examples include broken definitions");
    let output = run.stdout.replace("examples//", "examples/");
    for block in excerpt.split("\n\n").filter(|b| !b.trim().is_empty()) {
        assert!(
            output.contains(block.trim_end()),
            "README excerpt not in the output:\n{block}\n--- output:\n{output}"
        );
    }
}

#[test]
fn readme_names_every_category_and_points_to_the_reference() {
    assert!(README.contains("(docs/rules.md)"));
    for rule in marathon_lint::catalogue::builtin() {
        let category = serde_json::to_value(rule.meta.category).unwrap();
        let row = format!("| `{}` |", category.as_str().unwrap());
        assert!(README.contains(&row), "README's category table lacks {row}");
    }
}
