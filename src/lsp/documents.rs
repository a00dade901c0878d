//! The documents the client has open: their unsaved text and version, and
//! the analysis of that version once it has been linted.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::analysis::{self, Analysis};
use super::positions::{Encoding, LineIndex};
use super::uri;

pub struct Document {
    pub text: String,
    pub version: i32,
    pub path: Option<PathBuf>,
    /// Built on first use: a storm of edits replaces the text many times
    /// between two lints, and only the text that is linted needs one.
    index: OnceCell<LineIndex>,
    encoding: Encoding,
    /// `None` until the current version is linted.
    pub analysis: Option<Analysis>,
    /// Whether the client has the diagnostics of the current version.
    pub published: bool,
}

impl Document {
    fn new(uri: &Uri, text: String, version: i32, encoding: Encoding) -> Document {
        Document {
            index: OnceCell::new(),
            encoding,
            text,
            version,
            path: uri::to_path(uri),
            analysis: None,
            published: false,
        }
    }

    /// Where the current text's lines start, for positions.
    pub fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text, self.encoding))
    }

    /// The name diagnostics and configuration lookup use: the path, or the
    /// URI of a buffer that has none.
    pub fn name(&self, uri: &Uri) -> String {
        self.path
            .as_ref()
            .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string())
    }

    /// A configuration file opened in the editor: its problems are published
    /// by the documents it configures, so it is never linted as JSON.
    pub fn is_config(&self) -> bool {
        self.path
            .as_ref()
            .is_some_and(|p| p.file_name().is_some_and(|n| n == crate::config::FILE_NAME))
    }

    /// Lint the current version unless that is done. A buffer without a
    /// path is configured as a file in `root`, the workspace's directory.
    pub fn analyse(&mut self, uri: &Uri, root: Option<&Path>) {
        if self.analysis.is_none() {
            let analysis = if self.is_config() {
                Analysis::default()
            } else {
                analysis::analyse(self.path.as_deref(), root, &self.name(uri), &self.text)
            };
            self.analysis = Some(analysis);
        }
    }

    /// Replace the text in `range` (all of it for `None`).
    fn edit(&mut self, range: Option<lsp_types::Range>, text: String) {
        match range {
            None => self.text = text,
            Some(range) => {
                let index = self.index();
                let start = index.offset(&self.text, range.start);
                let end = index.offset(&self.text, range.end).max(start);
                self.text.replace_range(start..end, &text);
            }
        }
        self.index = OnceCell::new();
    }

    fn invalidate(&mut self) {
        self.analysis = None;
        self.published = false;
    }
}

pub struct Documents {
    open: HashMap<Uri, Document>,
    encoding: Encoding,
    /// The workspace's directory, where unsaved buffers are configured.
    root: Option<PathBuf>,
}

impl Documents {
    pub fn new(encoding: Encoding, root: Option<PathBuf>) -> Documents {
        Documents {
            open: HashMap::new(),
            encoding,
            root,
        }
    }

    /// Lint the current version of an open document, unless that is done.
    pub fn analysed(&mut self, uri: &Uri) -> Option<&mut Document> {
        let document = self.open.get_mut(uri)?;
        document.analyse(uri, self.root.as_deref());
        Some(document)
    }

    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        let document = Document::new(&uri, text, version, self.encoding);
        self.open.insert(uri, document);
    }

    /// Apply the changes of one `didChange`, in order: whole-text ones (what
    /// we ask for) and ranged ones (should a client send them anyway).
    pub fn change(&mut self, uri: &Uri, version: i32, changes: Vec<TextDocumentContentChangeEvent>) -> bool {
        let Some(document) = self.open.get_mut(uri) else {
            return false;
        };
        for change in changes {
            document.edit(change.range, change.text);
        }
        document.version = version;
        document.invalidate();
        true
    }

    pub fn close(&mut self, uri: &Uri) -> bool {
        self.open.remove(uri).is_some()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Uri, &mut Document)> {
        self.open.iter_mut()
    }

    /// Lint every document again (a configuration changed on disk).
    pub fn invalidate_all(&mut self) {
        self.open.values_mut().for_each(Document::invalidate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn change(range: Option<Range>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn a_storm_of_whole_text_changes_builds_no_line_index() {
        let uri: Uri = "file:///tmp/web.json".parse().unwrap();
        let mut documents = Documents::new(Encoding::Utf16, None);
        documents.open(uri.clone(), "{}".to_string(), 1);
        let big = format!("{{\"a\": \"{}\"}}\n", "x\n".repeat(1000));
        for version in 2..100 {
            documents.change(&uri, version, vec![change(None, &big)]);
            let document = &documents.open[&uri];
            assert!(document.index.get().is_none(), "only a linted text needs one");
        }
        let document = &documents.open[&uri];
        assert_eq!(
            document.index().position(&document.text, big.len()),
            Position::new(1001, 0)
        );
    }

    #[test]
    fn ranged_changes_apply_in_order_on_the_text_so_far() {
        let uri: Uri = "untitled:Untitled-1".parse().unwrap();
        let mut documents = Documents::new(Encoding::Utf16, None);
        documents.open(uri.clone(), "{\"é😀\": 1,\r\n\"b\": 2}".to_string(), 1);
        let at = |line, character| Position::new(line, character);
        documents.change(
            &uri,
            2,
            vec![
                // After the emoji (two UTF-16 units), on the first line.
                change(Some(Range::new(at(0, 5), at(0, 5))), "x"),
                // The second line, as it is after the first change.
                change(Some(Range::new(at(1, 5), at(1, 6))), "3"),
                // Backwards and past the end: an insertion at the end.
                change(Some(Range::new(at(9, 0), at(0, 0))), "\n"),
            ],
        );
        let document = &documents.open[&uri];
        assert_eq!(document.text, "{\"é😀x\": 1,\r\n\"b\": 3}\n");
        assert_eq!(document.version, 2);
    }
}
