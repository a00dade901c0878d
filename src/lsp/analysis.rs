//! Linting an open document exactly as the command line lints that file
//! given as `--force-exclude --stdin-filename PATH`: the closest
//! `marathon-lint.toml` (its settings, overrides, levels and policies), the
//! same engine, the run's last step (suppressions) on the one document; and
//! files the configuration excludes, or that are not Marathon definitions,
//! get nothing.

use std::ops::Range;
use std::path::Path;

use crate::config::{self, SettingsPatch};
use crate::diagnostic::{Diagnostic, FileReport};
use crate::engine;
use crate::lint::{self, Linter};

/// Documents larger than this get `file-too-large`, as with the command
/// line's default --max-file-size.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// What linting one version of a document gave.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Located in the document's text, suppressions applied.
    pub diagnostics: Vec<Diagnostic>,
    /// The values of the document's `marathon-lint.ignore` labels.
    pub suppression_labels: Vec<Range<usize>>,
    /// The linter the document's configuration gives, for fixes and for the
    /// documentation of its policies; `None` when nothing was linted.
    pub linter: Option<Linter>,
    /// A broken configuration (or policy) met on the way: reports on those
    /// files, to be shown there.
    pub config_reports: Vec<FileReport>,
}

/// Lint `text`, the contents of the file at `path`. A buffer never saved
/// (`path` is `None`) is configured as a file in `root`, as the command line
/// configures standard input as a file in the current directory; with no
/// root either, it gets the built-in settings. A bug anywhere on the way
/// becomes an `internal-error` diagnostic, never the server's end.
pub fn analyse(path: Option<&Path>, root: Option<&Path>, name: &str, text: &str) -> Analysis {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyse_unguarded(path, root, name, text)
    }))
    .unwrap_or_else(|panic| {
        let message = format!(
            "marathon-lint failed on this file: {}; please report it",
            crate::cli::panic_message(&panic)
        );
        whole_file_finding(None, "internal-error", message)
    })
}

fn analyse_unguarded(path: Option<&Path>, root: Option<&Path>, name: &str, text: &str) -> Analysis {
    let dir = match path {
        Some(path) => path.parent(),
        None => root,
    };
    let mut resolver = match config::Resolver::new(None, dir.is_none()) {
        Ok(resolver) => resolver,
        Err(reports) => return broken_config(reports),
    };
    let dir = dir.unwrap_or(Path::new("."));
    let config = match resolver.for_dir(dir) {
        Ok(config) => config,
        Err(reports) => return broken_config(reports),
    };
    if let Some(path) = path {
        let ignored = config.respect_gitignore && crate::discover::Gitignores::default().is_ignored(path);
        if !config.selects(path) || ignored {
            return Analysis::default();
        }
    }
    let linter = engine::linter_for(&config, path.unwrap_or(Path::new(name)), &SettingsPatch::default());
    if text.len() > MAX_DOCUMENT_BYTES {
        let message = format!(
            "the file is larger than {} MiB, the limit for one definition",
            MAX_DOCUMENT_BYTES >> 20
        );
        return whole_file_finding(Some(linter), "file-too-large", message);
    }
    let linted = match engine::lint_guarded(&linter, name, text.as_bytes().to_vec()) {
        Ok(linted) => linted,
        Err(message) => return whole_file_finding(Some(linter), "internal-error", message),
    };
    if !linted.looks_like_marathon {
        return Analysis::default();
    }
    let suppression_labels = linted
        .suppressions
        .iter()
        .filter_map(|s| s.label_span.clone())
        .collect();
    let report = lint::finish_run(vec![linted]).pop().expect("one report per document");
    Analysis {
        diagnostics: report.diagnostics,
        suppression_labels,
        linter: Some(linter),
        config_reports: Vec::new(),
    }
}

fn broken_config(reports: Vec<FileReport>) -> Analysis {
    Analysis {
        config_reports: reports,
        ..Analysis::default()
    }
}

/// A finding about the document as a whole, at its start.
fn whole_file_finding(linter: Option<Linter>, rule: &str, message: String) -> Analysis {
    let mut diagnostic = Diagnostic::at_span(rule, 0..0, message);
    diagnostic.severity = crate::catalogue::severity_of(rule);
    Analysis {
        diagnostics: vec![diagnostic],
        linter,
        ..Analysis::default()
    }
}
