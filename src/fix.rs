//! Fixes: text edits on spans, never a re-serialisation of the document, so
//! key order, indentation, line endings and number spelling stay as they
//! are outside the edit. Rules describe a fix in terms of the JSON (insert a
//! member, set a value, rename a key); the engine turns it into byte edits
//! once it has the span tree, and `apply` makes them.

use std::ops::Range;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use serde_json::Value;

use crate::parse::{self, Parsed};

/// Whether a fix keeps the definition's meaning (or does exactly what
/// Marathon would do), or is a judgement call the user must confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    Safe,
    Unsafe,
}

/// Replace `range` of the text with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

/// What a fix does, in terms of the JSON.
#[derive(Debug, Clone)]
pub enum Action {
    /// Set member `key` of the object at `object` to `value`: replace its
    /// value if present, else add the member at the end.
    SetMember { object: String, key: String, value: Value },
    /// Append `value` to the array at `object`/`key`, creating it if absent.
    AppendTo { object: String, key: String, value: Value },
    /// Rename the key of the member at `pointer`.
    RenameKey { pointer: String, to: String },
    /// Remove the member whose whole text (key to value) is `member`.
    RemoveMember { member: Range<usize> },
    /// Remove the member at `pointer` (the last one of that name).
    RemovePointer { pointer: String },
    /// Remove every member named in `keys` from the object at `object`, as
    /// one edit: the members kept keep their text and the separators that
    /// followed them, so removing neighbours never leaves a stray comma.
    RemoveMembers { object: String, keys: Vec<String> },
    /// Like `SetMember`, with the value given as source text (moved from
    /// elsewhere in the file, so its layout is kept).
    SetMemberRaw { object: String, key: String, raw: String },
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub description: String,
    pub safety: Safety,
    pub actions: Vec<Action>,
    /// Filled by the engine: the byte edits, or empty when the fix could not
    /// be placed (it is then not offered).
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(safety: Safety, description: impl Into<String>, actions: Vec<Action>) -> Fix {
        Fix {
            description: description.into(),
            safety,
            actions,
            edits: Vec::new(),
        }
    }
}

/// Turn a fix's actions into edits of `text` (the whole file).
pub fn resolve(fix: &mut Fix, parsed: &Parsed<'_>, text: &str) {
    let mut edits = Vec::new();
    for action in &fix.actions {
        match edit_for(action, parsed, text) {
            Some(edit) => edits.push(edit),
            None => {
                fix.edits.clear();
                return;
            }
        }
    }
    fix.edits = edits;
}

fn shift(range: Range<usize>, offset: usize) -> Range<usize> {
    range.start + offset..range.end + offset
}

fn edit_for(action: &Action, parsed: &Parsed<'_>, text: &str) -> Option<Edit> {
    let offset = parsed.offset;
    match action {
        Action::SetMember { object, key, value } => {
            let (node, _) = parse::find(parsed.ast()?, object)?;
            let ast::Value::Object(obj) = node else { return None };
            match obj.properties.iter().rev().find(|p| p.name.as_str() == key) {
                Some(prop) => Some(Edit {
                    range: shift(prop.value.start()..prop.value.end(), offset),
                    replacement: compact(value),
                }),
                None => insert_member(obj, key, value, text, offset),
            }
        }
        Action::AppendTo { object, key, value } => {
            let (node, _) = parse::find(parsed.ast()?, object)?;
            let ast::Value::Object(obj) = node else { return None };
            match obj.properties.iter().rev().find(|p| p.name.as_str() == key) {
                Some(prop) => {
                    let ast::Value::Array(array) = &prop.value else {
                        return None;
                    };
                    Some(match array.elements.last() {
                        Some(last) => Edit {
                            range: shift(last.end()..last.end(), offset),
                            replacement: format!(", {}", compact(value)),
                        },
                        None => Edit {
                            range: shift(array.start()..array.end(), offset),
                            replacement: format!("[{}]", compact(value)),
                        },
                    })
                }
                None => insert_member(obj, key, &Value::Array(vec![value.clone()]), text, offset),
            }
        }
        Action::RenameKey { pointer, to } => {
            let key = parse::locate(parsed.ast()?, pointer, crate::diagnostic::Target::Key)?;
            Some(Edit {
                range: shift(key, offset),
                replacement: Value::String(to.clone()).to_string(),
            })
        }
        Action::RemoveMember { member } => Some(remove_member(text, member.clone())),
        Action::RemovePointer { pointer } => {
            let (parent, name) = pointer.rsplit_once('/')?;
            let name = name.replace("~1", "/").replace("~0", "~");
            let (node, _) = parse::find(parsed.ast()?, parent)?;
            let ast::Value::Object(obj) = node else { return None };
            let prop = obj.properties.iter().rev().find(|p| p.name.as_str() == name)?;
            Some(remove_member(text, shift(prop.start()..prop.end(), offset)))
        }
        Action::RemoveMembers { object, keys } => {
            let (node, _) = parse::find(parsed.ast()?, object)?;
            let ast::Value::Object(obj) = node else { return None };
            let ranges: Vec<Range<usize>> = obj
                .properties
                .iter()
                .map(|p| shift(p.start()..p.end(), offset))
                .collect();
            let kept: Vec<usize> = obj
                .properties
                .iter()
                .enumerate()
                .filter(|(_, p)| !keys.iter().any(|k| k == p.name.as_str()))
                .map(|(i, _)| i)
                .collect();
            if kept.len() == ranges.len() {
                return None;
            }
            // The smallest edit: from the end of the member before the first
            // removed one (or the start of the first) to the last removed one,
            // so the members around it, and any template placeholder in them,
            // stay untouched.
            let removed = |i: usize| !kept.contains(&i);
            let first = (0..ranges.len()).find(|&i| removed(i))?;
            let last = (0..ranges.len()).rev().find(|&i| removed(i))?;
            let between = |from: usize, to: usize| kept.iter().copied().filter(move |&k| k > from && k < to);
            let edit = if first > 0 {
                // Each kept member between, with the separator before it.
                let replacement = between(first, last)
                    .map(|k| &text[ranges[k - 1].end..ranges[k].end])
                    .collect();
                Edit {
                    range: ranges[first - 1].end..ranges[last].end,
                    replacement,
                }
            } else if last + 1 < ranges.len() {
                // Each kept member between, with the separator after it.
                let replacement = between(first, last)
                    .map(|k| &text[ranges[k].start..ranges[k + 1].start])
                    .collect();
                Edit {
                    range: ranges[0].start..ranges[last + 1].start,
                    replacement,
                }
            } else {
                let mut replacement = String::new();
                for (j, &i) in kept.iter().enumerate() {
                    replacement.push_str(&text[ranges[i].clone()]);
                    if j + 1 < kept.len() {
                        // The separator that followed this member where it was.
                        replacement.push_str(&text[ranges[i].end..ranges[i + 1].start]);
                    }
                }
                Edit {
                    range: ranges[0].start..ranges[ranges.len() - 1].end,
                    replacement,
                }
            };
            Some(edit)
        }
        Action::SetMemberRaw { object, key, raw } => {
            let (node, _) = parse::find(parsed.ast()?, object)?;
            let ast::Value::Object(obj) = node else { return None };
            match obj.properties.iter().rev().find(|p| p.name.as_str() == key) {
                Some(prop) => Some(Edit {
                    range: shift(prop.value.start()..prop.value.end(), offset),
                    replacement: raw.clone(),
                }),
                None => insert_member_text(obj, &format!("{}: {raw}", Value::String(key.clone())), text, offset),
            }
        }
    }
}

/// JSON for a value, with a space after `:` and `,` as people write it.
fn compact(value: &Value) -> String {
    match value {
        Value::Array(items) => format!("[{}]", items.iter().map(compact).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), compact(v)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        other => other.to_string(),
    }
}

/// Add a member at the end of an object, in the object's own layout: on a
/// new line with the last member's indentation when members are on their
/// own lines, inline otherwise.
fn insert_member(obj: &ast::Object<'_>, key: &str, value: &Value, text: &str, offset: usize) -> Option<Edit> {
    insert_member_text(
        obj,
        &format!("{}: {}", Value::String(key.to_string()), compact(value)),
        text,
        offset,
    )
}

fn insert_member_text(obj: &ast::Object<'_>, member: &str, text: &str, offset: usize) -> Option<Edit> {
    let Some(last) = obj.properties.last() else {
        // `{}` or `{ }`: fill it.
        return Some(Edit {
            range: shift(obj.start()..obj.end(), offset),
            replacement: format!("{{{member}}}"),
        });
    };
    let last_end = last.end() + offset;
    let last_start = last.start() + offset;
    let line_start = text[..last_start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..last_start];
    let replacement = if before.trim().is_empty() && line_start > obj.start() + offset {
        let newline = if text[..line_start].ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        format!(",{newline}{before}{member}")
    } else {
        format!(", {member}")
    };
    Some(Edit {
        range: last_end..last_end,
        replacement,
    })
}

/// Remove a member and the comma that separated it from its neighbour.
fn remove_member(text: &str, member: Range<usize>) -> Edit {
    let after = &text[member.end..];
    let trimmed = after.trim_start();
    if let Some(rest) = trimmed.strip_prefix(',') {
        // `"a": 1, "b": 2` -> `"b": 2`: drop up to the next member, keeping
        // the line layout of the one that follows.
        let comma_end = text.len() - rest.len();
        let next = comma_end + (rest.len() - rest.trim_start().len());
        let line_start = text[..member.start].rfind('\n').map_or(0, |i| i + 1);
        let start = if text[line_start..member.start].trim().is_empty() && text[comma_end..next].contains('\n') {
            line_start
        } else {
            member.start
        };
        let end = if start == line_start {
            text[..next].rfind('\n').map_or(next, |i| i + 1)
        } else {
            next
        };
        return Edit {
            range: start..end,
            replacement: String::new(),
        };
    }
    // The last member: drop the comma before it.
    let before = text[..member.start].trim_end();
    let start = before.strip_suffix(',').map_or(member.start, |b| b.len());
    Edit {
        range: start..member.end,
        replacement: String::new(),
    }
}

/// Apply non-overlapping edits (a fix is applied whole or not at all).
/// Returns the new text and how many fixes were applied.
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|e| {
            chosen
                .iter()
                .any(|c| e.range.start < c.range.end && c.range.start < e.range.end || (e.range == c.range))
        });
        if fix.edits.is_empty() || overlaps {
            continue;
        }
        chosen.extend(fix.edits.iter());
        applied += 1;
    }
    chosen.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in chosen {
        if edit.range.start < at {
            continue;
        }
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.replacement);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// For the fix of a member found by its whole range (duplicate keys).
pub fn member_range(prop: &ast::ObjectProp<'_>) -> Range<usize> {
    prop.start()..prop.end()
}
