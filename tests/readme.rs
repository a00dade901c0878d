//! README's promises stay true: its excerpt of output is what the binary
//! prints for `examples/`, and the rule table lists every rule.

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
fn readme_rule_table_lists_every_rule() {
    for rule in marathon_lint::catalogue::builtin() {
        let row = format!("| `{}` | {} |", rule.meta.id, rule.meta.severity.as_str());
        assert!(README.contains(&row), "README's rule table lacks `{row}`");
    }
}
