//! Map a JSON pointer back to the bytes it names in the source text.
//!
//! Two ways: [`locate`] walks the span tree, which fixes and duplicate keys
//! need anyway; a [`Scanner`] finds members without building a tree, by
//! letting serde_json skip over the values of each object on the pointer's
//! path and borrow their raw text. Most files with a finding need only a
//! few spans, and scanning is several times cheaper than the tree.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

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

/// What [`Scanner::scan`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Scanned {
    Found(Range<usize>),
    /// The pointer names nothing in the document.
    Absent,
    /// A key on the way holds an escape, so its place in the text is not
    /// known: ask the span tree.
    Unsure,
}

/// Finds members of a document (one that serde_json accepts) without a span
/// tree. Each object or array on a looked-up path is read once, its
/// members' places kept: a file's findings mostly point into the same few
/// objects.
pub struct Scanner<'t> {
    json: &'t str,
    /// The members of each object or array read so far, by where it starts.
    members: RefCell<HashMap<usize, Rc<[Member<'t>]>>>,
}

/// A member of an object (with its key) or an element of an array.
struct Member<'t> {
    key: Key<'t>,
    value: &'t str,
}

enum Key<'t> {
    /// The key's text, inside the quotes, borrowed from the document.
    Text(&'t str),
    /// A key written with an escape: its meaning, but not its place.
    Escaped(String),
    /// An array element.
    None,
}

impl<'t> Scanner<'t> {
    pub fn new(json: &'t str) -> Self {
        Scanner {
            json,
            members: RefCell::new(HashMap::new()),
        }
    }

    fn members_of(&self, value: &'t str) -> Rc<[Member<'t>]> {
        let start = offset(self.json, value).start;
        if let Some(members) = self.members.borrow().get(&start) {
            return members.clone();
        }
        let mut deserializer = serde_json::Deserializer::from_str(value);
        // The value was accepted whole before; a scalar has no members.
        let members: Rc<[Member<'t>]> = Members.deserialize(&mut deserializer).unwrap_or_default().into();
        self.members.borrow_mut().insert(start, members.clone());
        members
    }

    /// The byte range (in the document) of the member at `pointer`.
    pub fn scan(&self, pointer: &str, target: Target) -> Scanned {
        let mut value: &'t str = self.json.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'));
        // The key of the member holding `value`, with its quotes.
        let mut key: Option<Range<usize>> = None;
        if !pointer.is_empty() {
            let Some(tokens) = pointer.strip_prefix('/') else {
                return Scanned::Absent;
            };
            for raw in tokens.split('/') {
                let token: Cow<'_, str> = if raw.contains('~') {
                    Cow::Owned(raw.replace("~1", "/").replace("~0", "~"))
                } else {
                    Cow::Borrowed(raw)
                };
                let members = self.members_of(value);
                let is_array = value.starts_with('[');
                let found = if is_array {
                    token.parse::<usize>().ok().and_then(|i| members.get(i))
                } else {
                    // The last of repeated keys is the one Marathon reads.
                    members.iter().rev().find(|m| match &m.key {
                        Key::Text(text) => *text == token,
                        Key::Escaped(meaning) => *meaning == token,
                        Key::None => false,
                    })
                };
                let Some(member) = found else {
                    return Scanned::Absent;
                };
                key = match member.key {
                    Key::Text(text) => {
                        let inside = offset(self.json, text);
                        Some(inside.start - 1..inside.end + 1)
                    }
                    Key::Escaped(_) => return Scanned::Unsure,
                    Key::None => None,
                };
                value = member.value;
            }
        }
        let value_range = offset(self.json, value);
        Scanned::Found(match target {
            Target::Value => value_range,
            Target::Key => key.unwrap_or(value_range),
            Target::Opening => key.unwrap_or(value_range.start..value_range.start + 1),
        })
    }
}

/// Where `part`, a slice of `whole`, lies in it.
fn offset(whole: &str, part: &str) -> Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    start..start + part.len()
}

/// A key as written: borrowed from the input when it has no escape.
struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText {
    type Value = Key<'de>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(Key::Text(key))
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(Key::Escaped(key.to_string()))
    }
}

/// The members of one object or array, each value as raw text borrowed
/// from the input (serde_json skips over it without building it).
struct Members;

impl<'de> DeserializeSeed<'de> for Members {
    type Value = Vec<Member<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Members {
    type Value = Vec<Member<'de>>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("an object or an array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key_seed(KeyText)? {
            let value = map.next_value::<&'de RawValue>()?.get();
            members.push(Member { key, value });
        }
        Ok(members)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(element) = seq.next_element::<&'de RawValue>()? {
            members.push(Member {
                key: Key::None,
                value: element.get(),
            });
        }
        Ok(members)
    }

    // Scalars hold no members.
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
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

    /// The scan must find exactly what the span tree finds, for every member
    /// of a document and names that are not there, keys that repeat (the
    /// last wins) and keys written with escapes (which it leaves to the
    /// tree).
    mod against_the_tree {
        use super::super::*;
        use proptest::prelude::*;

        #[derive(Debug, Clone)]
        enum Doc {
            Leaf(&'static str),
            Array(Vec<Doc>),
            Object(Vec<(&'static str, Doc)>),
        }

        /// Keys as written in the text: plain, repeated, multi-byte, and with
        /// escapes (`\u0069d` is `id`).
        const KEYS: &[&str] = &["id", "a", "b", "a/b", "x~y", "é✓", "", "\\u0069d", "q\\\"q", "0", "12"];
        const LEAVES: &[&str] = &["1", "-2.5e3", "true", "null", "\"s\"", "\"é\\n\"", "[]", "{}"];

        fn doc() -> impl Strategy<Value = Doc> {
            prop::sample::select(LEAVES)
                .prop_map(Doc::Leaf)
                .prop_recursive(4, 40, 5, |inner| {
                    prop_oneof![
                        prop::collection::vec(inner.clone(), 0..4).prop_map(Doc::Array),
                        prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(Doc::Object),
                    ]
                })
        }

        fn write(doc: &Doc, pretty: bool, out: &mut String) {
            let sep = if pretty { ",\n  " } else { "," };
            match doc {
                Doc::Leaf(text) => out.push_str(text),
                Doc::Array(items) => {
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(sep);
                        }
                        write(item, pretty, out);
                    }
                    out.push(']');
                }
                Doc::Object(members) => {
                    out.push_str(if pretty { "{ " } else { "{" });
                    for (i, (key, value)) in members.iter().enumerate() {
                        if i > 0 {
                            out.push_str(sep);
                        }
                        out.push_str(&format!("\"{key}\"{}", if pretty { " : " } else { ":" }));
                        write(value, pretty, out);
                    }
                    out.push('}');
                }
            }
        }

        /// Every pointer into the value, and a few that name nothing.
        fn pointers(value: &serde_json::Value, base: &str, out: &mut Vec<String>) {
            out.push(base.to_string());
            out.push(format!("{base}/missing"));
            match value {
                serde_json::Value::Object(map) => {
                    for (key, member) in map {
                        pointers(member, &crate::diagnostic::pointer_join(base, key), out);
                    }
                }
                serde_json::Value::Array(items) => {
                    out.push(format!("{base}/{}", items.len()));
                    for (i, item) in items.iter().enumerate() {
                        pointers(item, &format!("{base}/{i}"), out);
                    }
                }
                _ => {}
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn the_scan_agrees_with_the_span_tree(doc in doc(), pretty in any::<bool>(), space in "[ \t\r\n]{0,2}") {
                let mut text = space.clone();
                write(&doc, pretty, &mut text);
                text.push_str(&space);
                let value: serde_json::Value = serde_json::from_str(&text).expect("the generator writes JSON");
                let ast = jsonc_parser::parse_to_ast(&text, &Default::default(), &Default::default())
                    .unwrap()
                    .value
                    .unwrap();
                let mut all = Vec::new();
                pointers(&value, "", &mut all);
                // One scanner for all, as a file's findings share one.
                let scanner = Scanner::new(&text);
                for pointer in &all {
                    for target in [Target::Value, Target::Key, Target::Opening] {
                        let tree = locate(&ast, pointer, target);
                        match scanner.scan(pointer, target) {
                            Scanned::Found(range) => prop_assert_eq!(Some(range), tree, "{} {:?} in {}", pointer, target, text),
                            Scanned::Absent => prop_assert_eq!(None, tree, "{} {:?} in {}", pointer, target, text),
                            Scanned::Unsure => prop_assert!(text.contains('\\'), "unsure without an escape: {} in {}", pointer, text),
                        }
                    }
                }
            }
        }
    }
}
