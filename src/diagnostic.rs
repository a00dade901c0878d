//! The diagnostic every stage produces: syntax, schema and rule findings all
//! share this shape, so reporting has a single path.

use std::ops::Range;
use std::sync::Arc;

use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Which part of the JSON member named by a pointer a diagnostic underlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The value itself (a wrong type, a port out of range).
    Value,
    /// The member's key (an unknown or misplaced field).
    Key,
    /// Something is missing from an object: underline the key that holds the
    /// object, or its opening brace when it has no key (the document root).
    Opening,
}

/// A secondary underline, e.g. the first of two duplicate keys.
#[derive(Debug, Clone)]
pub struct Related {
    pub pointer: String,
    pub target: Target,
    pub span: Option<Range<usize>>,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// JSON pointer of the offending value; `None` for problems below the JSON
    /// level (syntax, encoding), which have a span but no value.
    pub pointer: Option<String>,
    pub target: Target,
    /// Byte range in the file; filled from `pointer` when the file is located.
    pub span: Option<Range<usize>>,
    /// Short text drawn under the span.
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// A fix for it, when there is one.
    pub fix: Option<crate::fix::Fix>,
    /// Held back by the baseline, and kept only to be shown as such (SARIF's
    /// `baselineState`, an editor's hint): counts, exit status and fixes
    /// pass it over.
    pub baselined: bool,
}

impl Diagnostic {
    /// A finding about the value at `pointer`; its severity comes from the
    /// rule catalogue when the engine collects it.
    pub fn at(rule: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            rule: rule.to_string(),
            severity: Severity::Error,
            message: message.into(),
            pointer: Some(pointer.into()),
            target: Target::Value,
            span: None,
            label: None,
            help: None,
            related: Vec::new(),
            fix: None,
            baselined: false,
        }
    }

    /// A finding about raw text, before there is any JSON value to point at.
    pub fn at_span(rule: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            pointer: None,
            span: Some(span),
            ..Diagnostic::at(rule, "", message)
        }
    }

    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn fix(mut self, fix: crate::fix::Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn related(mut self, pointer: impl Into<String>, target: Target, label: impl Into<String>) -> Self {
        self.related.push(Related {
            pointer: pointer.into(),
            target,
            span: None,
            label: label.into(),
        });
        self
    }

    pub fn related_span(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.related.push(Related {
            pointer: String::new(),
            target: Target::Value,
            span: Some(span),
            label: label.into(),
        });
        self
    }
}

/// All diagnostics of one input, with the text they point into.
#[derive(Debug)]
pub struct FileReport {
    pub file: Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// A problem with an input other than a definition (a cluster export, a
    /// variables file): a `config-error` located in that file where possible.
    pub fn config_error(
        name: &str,
        text: String,
        span: Option<Range<usize>>,
        message: String,
        help: &str,
    ) -> FileReport {
        FileReport::error("config-error", name, text, span, message, help)
    }

    /// One error about a file, located where `span` says.
    pub fn error(
        rule: &str,
        name: &str,
        text: String,
        span: Option<Range<usize>>,
        message: String,
        help: &str,
    ) -> FileReport {
        let mut d = match span {
            Some(span) => Diagnostic::at_span(rule, span, message),
            None => {
                let mut d = Diagnostic::at(rule, "", message);
                d.pointer = None;
                d
            }
        };
        d = d.help(help.to_string());
        d.severity = Severity::Error;
        FileReport {
            file: SourceFile::new(name.to_string(), text),
            diagnostics: vec![d],
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity && !d.baselined)
            .count()
    }
}

/// Escape one reference token of a JSON pointer (RFC 6901).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `base` + `/token`, with the token escaped.
pub fn pointer_join(base: &str, token: impl std::fmt::Display) -> String {
    use std::fmt::Write;
    // One allocation in the common case: rules join many pointers per app.
    let mut pointer = String::with_capacity(base.len() + 16);
    pointer.push_str(base);
    pointer.push('/');
    let start = pointer.len();
    let _ = write!(pointer, "{token}");
    if pointer[start..].contains(['~', '/']) {
        let escaped = escape_pointer_token(&pointer[start..]);
        pointer.truncate(start);
        pointer.push_str(&escaped);
    }
    pointer
}
