//! Path-id helpers the id rules share: Marathon's path arithmetic (parent,
//! ancestry) and the 1.5+ RAML `PathId` pattern, which differs from the id
//! pattern the schema checks only in rejecting `.` segments.

use crate::diagnostic::pointer_join;

/// The canonical parent of a canonical id (`/a/b` → `/a`, `/a` → `/`).
pub fn parent(id: &str) -> &str {
    match id.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &id[..i],
    }
}

/// Is canonical `id` the group `group` itself or inside it?
pub fn within(id: &str, group: &str) -> bool {
    group == "/" || id == group || id.strip_prefix(group).is_some_and(|rest| rest.starts_with('/'))
}

/// Is canonical `id` strictly inside the group `group`?
pub fn strictly_within(id: &str, group: &str) -> bool {
    id != group && within(id, group)
}

/// Marathon 1.5+ reads every id through the RAML `PathId` pattern, which
/// accepts `..` but not a `.` segment (`/test/.`); the schema accepts both.
pub fn has_dot_segment(raw: &str) -> bool {
    raw.split('/').any(|segment| segment == ".")
}

/// Is this a document-level definition (a single app, or an item of a
/// top-level array), rather than one nested in a group document?
pub fn is_top_level(pointer: &str) -> bool {
    pointer.is_empty()
        || pointer
            .strip_prefix('/')
            .is_some_and(|rest| rest.parse::<usize>().is_ok())
}

/// Pointer of `key[index]` of the definition at `pointer`.
pub fn member(pointer: &str, key: &str, index: usize) -> String {
    pointer_join(&pointer_join(pointer, key), index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_arithmetic() {
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(parent("/"), "/");
        assert!(within("/a/b", "/a") && within("/a", "/a") && within("/a", "/"));
        assert!(!within("/ab", "/a"));
        assert!(strictly_within("/a/b", "/a") && !strictly_within("/a", "/a"));
    }

    #[test]
    fn dot_segments_and_top_level() {
        assert!(has_dot_segment("/test/.") && has_dot_segment("./a") && has_dot_segment("."));
        assert!(!has_dot_segment("../a") && !has_dot_segment("/a.b/c") && !has_dot_segment("/a//b/"));
        assert!(is_top_level("") && is_top_level("/3"));
        assert!(!is_top_level("/apps/0") && !is_top_level("/groups/1/apps/0"));
    }
}
