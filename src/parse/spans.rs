//! Map a JSON pointer back to the bytes it names in the source text.

use std::ops::Range;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;

use crate::diagnostic::Target;

/// The byte range (relative to the parsed text) of the member at `pointer`.
/// For duplicate keys the last member wins, as in Marathon. Returns `None`
/// when the pointer names nothing in the document.
pub fn locate(root: &ast::Value<'_>, pointer: &str, target: Target) -> Option<Range<usize>> {
    let (node, key) = find(root, pointer)?;
    let value = range(node);
    Some(match target {
        Target::Value => value,
        Target::Key => key.unwrap_or(value),
        Target::Opening => key.unwrap_or(value.start..value.start + 1),
    })
}

/// The node at `pointer`, with the key range of the member holding it.
pub fn find<'a, 't>(root: &'a ast::Value<'t>, pointer: &str) -> Option<(&'a ast::Value<'t>, Option<Range<usize>>)> {
    let mut node = root;
    // The key of the member holding `node`, if any.
    let mut key: Option<Range<usize>> = None;
    if !pointer.is_empty() {
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            match node {
                ast::Value::Object(object) => {
                    let prop = object.properties.iter().rev().find(|p| p.name.as_str() == token)?;
                    key = Some(range(&prop.name));
                    node = &prop.value;
                }
                ast::Value::Array(array) => {
                    node = array.elements.get(token.parse::<usize>().ok()?)?;
                    key = None;
                }
                _ => return None,
            }
        }
    }
    Some((node, key))
}

fn range(node: &impl Ranged) -> Range<usize> {
    node.start()..node.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans<'t>(text: &'t str, pointer: &str, target: Target) -> Option<&'t str> {
        let ast = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
            .unwrap()
            .value
            .unwrap();
        locate(&ast, pointer, target).map(|r| &text[r])
    }

    #[test]
    fn finds_nested_values_keys_and_openings() {
        let text = r#"{"apps": [{"id": "a"}, {"id": "b", "a/b": {"x~y": 3}}]}"#;
        assert_eq!(spans(text, "/apps/1/id", Target::Value), Some("\"b\""));
        assert_eq!(spans(text, "/apps/1/id", Target::Key), Some("\"id\""));
        assert_eq!(spans(text, "/apps/1/a~1b/x~0y", Target::Value), Some("3"));
        assert_eq!(spans(text, "", Target::Opening), Some("{"));
        assert_eq!(spans(text, "/apps/1/a~1b", Target::Opening), Some("\"a/b\""));
        assert_eq!(spans(text, "/apps/2", Target::Value), None);
        assert_eq!(spans(text, "/apps/x", Target::Value), None);
    }

    #[test]
    fn last_duplicate_key_wins() {
        let text = r#"{"cpus": 1, "cpus": 2}"#;
        assert_eq!(spans(text, "/cpus", Target::Value), Some("2"));
    }
}
