//! Byte offsets (what the linter's spans are) to LSP positions and back.
//! An LSP position is a line and a column counted in the code units of the
//! encoding the client and server agreed on: UTF-16 unless both say
//! otherwise, so "é" is one unit and an emoji two, where UTF-8 counts two
//! and four bytes.

use lsp_types::{Position, PositionEncodingKind, Range};

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The encoding to use: the first of the client's (in its order of
    /// preference) that we know, else UTF-16, which every client supports.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        offered
            .unwrap_or_default()
            .iter()
            .find_map(|kind| match kind.as_str() {
                "utf-8" => Some(Encoding::Utf8),
                "utf-16" => Some(Encoding::Utf16),
                "utf-32" => Some(Encoding::Utf32),
                _ => None,
            })
            .unwrap_or(Encoding::Utf16)
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// Where each line of a text starts, for conversions in both directions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of each line's first character. Lines end at `\n`,
    /// `\r\n` or a lone `\r`, as the protocol says.
    line_starts: Vec<usize>,
    encoding: Encoding,
}

impl LineIndex {
    pub fn new(text: &str, encoding: Encoding) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let ends_line = bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n');
            if ends_line {
                line_starts.push(i + 1);
            }
        }
        LineIndex { line_starts, encoding }
    }

    /// The position of a byte offset; offsets past the end or inside a
    /// character are clamped to the boundary before them.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let character: usize = text[start..offset].chars().map(|c| self.encoding.units(c)).sum();
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, text: &str, span: &std::ops::Range<usize>) -> Range {
        Range::new(self.position(text, span.start), self.position(text, span.end))
    }

    /// The byte offset of a position. A column past the line's end means its
    /// end (the protocol's rule), a line past the text's end the text's end,
    /// and a column inside a character the character's start.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(position.line as usize + 1)
            .copied()
            .unwrap_or(text.len());
        let line = text[start..end].trim_end_matches(['\n', '\r']);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            let next = units + self.encoding.units(c);
            if next > position.character as usize {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }

    /// The range of the whole text, for an edit that replaces all of it.
    pub fn whole(&self, text: &str) -> Range {
        self.range(text, &(0..text.len()))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\"é😀\": 1,\n\"b\": 2}";

    #[test]
    fn columns_count_the_negotiated_code_units() {
        let one = TEXT.find('1').unwrap();
        let utf16 = LineIndex::new(TEXT, Encoding::Utf16);
        // `{"` 2, é 1, 😀 2 (a surrogate pair), `": ` 3.
        assert_eq!(utf16.position(TEXT, one), Position::new(0, 8));
        let utf8 = LineIndex::new(TEXT, Encoding::Utf8);
        assert_eq!(utf8.position(TEXT, one), Position::new(0, 11));
        let utf32 = LineIndex::new(TEXT, Encoding::Utf32);
        assert_eq!(utf32.position(TEXT, one), Position::new(0, 7));
        let two = TEXT.find('2').unwrap();
        assert_eq!(utf16.position(TEXT, two), Position::new(1, 5));
    }

    #[test]
    fn offsets_round_trip() {
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let index = LineIndex::new(TEXT, encoding);
            for (offset, _) in TEXT.char_indices() {
                assert_eq!(index.offset(TEXT, index.position(TEXT, offset)), offset, "{encoding:?}");
            }
        }
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let index = LineIndex::new(TEXT, Encoding::Utf16);
        assert_eq!(index.offset(TEXT, Position::new(0, 999)), TEXT.find('\n').unwrap());
        assert_eq!(index.offset(TEXT, Position::new(9, 0)), TEXT.len());
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(index.offset(TEXT, Position::new(0, 4)), TEXT.find('😀').unwrap());
        assert_eq!(index.position(TEXT, 999), Position::new(1, 7));
    }

    #[test]
    fn carriage_returns_end_lines() {
        let text = "a\r\nb\rc";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(index.position(text, 3), Position::new(1, 0));
        assert_eq!(index.position(text, 5), Position::new(2, 0));
        assert_eq!(index.offset(text, Position::new(0, 5)), 1);
    }

    #[test]
    fn the_client_order_decides() {
        let offered = [PositionEncodingKind::new("utf-7"), PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf8);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(Some(&[])), Encoding::Utf16);
    }
}
