//! The documents the client has open: their unsaved text and version, and
//! the analysis of that version once it has been linted.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::analysis::{self, Analysis};
use super::positions::{Encoding, LineIndex};
use super::uri;

pub struct Document {
    pub text: String,
    pub version: i32,
    pub path: Option<PathBuf>,
    pub index: LineIndex,
    /// `None` until the current version is linted.
    pub analysis: Option<Analysis>,
    /// Whether the client has the diagnostics of the current version.
    pub published: bool,
}

impl Document {
    fn new(uri: &Uri, text: String, version: i32, encoding: Encoding) -> Document {
        Document {
            index: LineIndex::new(&text, encoding),
            text,
            version,
            path: uri::to_path(uri),
            analysis: None,
            published: false,
        }
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

    /// Lint the current version unless that is done.
    pub fn analyse(&mut self, uri: &Uri) {
        if self.analysis.is_none() {
            let analysis = if self.is_config() {
                Analysis::default()
            } else {
                analysis::analyse(self.path.as_deref(), &self.name(uri), &self.text)
            };
            self.analysis = Some(analysis);
        }
    }

    fn invalidate(&mut self) {
        self.analysis = None;
        self.published = false;
    }
}

pub struct Documents {
    open: HashMap<Uri, Document>,
    encoding: Encoding,
}

impl Documents {
    pub fn new(encoding: Encoding) -> Documents {
        Documents {
            open: HashMap::new(),
            encoding,
        }
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
            match change.range {
                None => document.text = change.text,
                Some(range) => {
                    let start = document.index.offset(&document.text, range.start);
                    let end = document.index.offset(&document.text, range.end).max(start);
                    document.text.replace_range(start..end, &change.text);
                }
            }
            document.index = LineIndex::new(&document.text, self.encoding);
        }
        document.version = version;
        document.invalidate();
        true
    }

    pub fn close(&mut self, uri: &Uri) -> bool {
        self.open.remove(uri).is_some()
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Uri, &mut Document)> {
        self.open.iter_mut()
    }

    /// Lint every document again (a configuration changed on disk).
    pub fn invalidate_all(&mut self) {
        self.open.values_mut().for_each(Document::invalidate);
    }
}
