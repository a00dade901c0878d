//! A linted file's text and the byte-offset to line/column mapping that every
//! diagnostic needs.

use std::sync::{Arc, OnceLock};

/// One input document: its display name and full text. Shared (`Arc`) so that
/// every diagnostic of a file can point into the same text without copying it.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// Byte offsets where lines start, built on first use: most files have
    /// no finding and never need it.
    line_starts: OnceLock<Vec<usize>>,
}

/// A 1-based line and column; the column counts Unicode scalar values, as
/// editors and miette do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: String) -> Arc<Self> {
        Arc::new(SourceFile {
            name: name.into(),
            text,
            line_starts: OnceLock::new(),
        })
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1));
            starts
        })
    }

    /// Line and column of a byte offset. Offsets past the end, or inside a
    /// multi-byte character, are clamped to the nearest preceding boundary.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.floor_char_boundary(offset);
        let line_starts = self.line_starts();
        let line_index = match line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let mut line_start = line_starts[line_index];
        // A byte-order mark is invisible in editors: columns start after it.
        if line_start == 0 && self.text.starts_with('\u{feff}') {
            line_start = '\u{feff}'.len_utf8().min(offset);
        }
        LineCol {
            line: line_index + 1,
            column: self.text[line_start..offset].chars().count() + 1,
        }
    }

    /// The start of the line `lines` lines above the one holding `offset`
    /// (clamped to the first line), and how many line breaks precede it.
    pub fn line_start_above(&self, offset: usize, lines: usize) -> (usize, usize) {
        let line_starts = self.line_starts();
        let line_index = match line_starts.binary_search(&offset.min(self.text.len())) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let index = line_index.saturating_sub(lines);
        (line_starts[index], index)
    }

    /// The largest char boundary not after `offset` (std's is still unstable).
    pub fn floor_char_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let file = SourceFile::new("x", "{\n  \"é\": 1,\n  \"a\": 2\n}".to_string());
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(2), LineCol { line: 2, column: 1 });
        // `1` follows `"é": ` where é is two bytes but one column.
        let one = file.text.find('1').unwrap();
        assert_eq!(file.line_col(one), LineCol { line: 2, column: 8 });
        assert_eq!(file.line_col(file.text.len()), LineCol { line: 4, column: 2 });
    }

    #[test]
    fn a_byte_order_mark_takes_no_column() {
        let file = SourceFile::new("x", "\u{feff}{\"a\": 1}".to_string());
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 1, column: 1 });
        assert_eq!(
            file.line_col(file.text.find('1').unwrap()),
            LineCol { line: 1, column: 7 }
        );
    }

    #[test]
    fn offsets_inside_a_character_are_clamped() {
        let file = SourceFile::new("x", "\"é\"".to_string());
        assert_eq!(file.line_col(2), LineCol { line: 1, column: 2 });
    }
}
