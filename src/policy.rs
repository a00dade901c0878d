//! Team policies: user-written rules in the same catalogue format as the
//! built-in ones (`rules/*.md`), loaded from the directories a configuration
//! names. A policy says which apps it applies to and what they must satisfy,
//! both as JSON Schema, in fenced blocks tagged `json applies-to` and
//! `json require`; its front matter adds the `message` its diagnostics carry.

use std::path::Path;
use std::sync::Arc;

use jsonschema::Validator;
use serde_json::Value;

use crate::catalogue::{Category, RuleDoc};
use crate::diagnostic::{Diagnostic, FileReport, Target};
use crate::source::SourceFile;

#[derive(Debug)]
pub struct Policy {
    pub doc: RuleDoc,
    applies_to: Option<Validator>,
    require: Validator,
}

/// A policy id is namespaced (`team/rule`), so it can never collide with a
/// built-in rule.
pub fn is_policy_id(id: &str) -> bool {
    id.contains('/')
}

/// Schema blocks of a policy's body: (tag, JSON text, byte offset in body).
fn schema_blocks(body: &str) -> Vec<(String, String)> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new(body) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let words: Vec<&str> = info.split_whitespace().collect();
                if let ["json", tag @ ("applies-to" | "require")] = words.as_slice() {
                    current = Some((tag.to_string(), String::new()));
                }
            }
            Event::Text(text) => {
                if let Some((_, code)) = &mut current {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

fn problem(file: &Arc<SourceFile>, needle: &str, message: String) -> FileReport {
    let start = file.text.find(needle).unwrap_or(0);
    let mut d = Diagnostic::at_span(
        "config-error",
        start..start + needle.len().min(file.text.len() - start),
        message,
    );
    d.severity = crate::diagnostic::Severity::Error;
    FileReport {
        file: file.clone(),
        diagnostics: vec![d],
    }
}

/// Parse one policy file.
pub fn parse(name: &str, text: String) -> Result<Policy, FileReport> {
    let file = SourceFile::new(name, text);
    let doc = RuleDoc::parse(&file.text, name).map_err(|e| problem(&file, "+++", e))?;
    if !is_policy_id(&doc.meta.id) {
        return Err(problem(
            &file,
            &doc.meta.id,
            format!(
                "policy id `{}` needs a namespace, e.g. `acme/{}`, so it cannot clash with a built-in rule",
                doc.meta.id, doc.meta.id
            ),
        ));
    }
    if doc.meta.category != Category::Policy {
        return Err(problem(
            &file,
            "category",
            "a policy's category is \"policy\"".to_string(),
        ));
    }
    let mut applies_to = None;
    let mut require = None;
    for (tag, code) in schema_blocks(&doc.body) {
        let schema: Value = serde_json::from_str(&code).map_err(|e| {
            problem(
                &file,
                &format!("json {tag}"),
                format!("the `{tag}` schema is not JSON: {e}"),
            )
        })?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .map_err(|e| {
                problem(
                    &file,
                    &format!("json {tag}"),
                    format!("the `{tag}` schema is not a valid JSON Schema: {e}"),
                )
            })?;
        match tag.as_str() {
            "applies-to" => applies_to = Some(validator),
            _ => require = Some(validator),
        }
    }
    let require = require.ok_or_else(|| {
        problem(
            &file,
            "+++",
            "a policy needs a ```json require block: the JSON Schema an app must satisfy".to_string(),
        )
    })?;
    Ok(Policy {
        doc,
        applies_to,
        require,
    })
}

/// Every `*.md` policy in a directory, in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<Policy>, Vec<FileReport>> {
    let name = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        let mut d = Diagnostic::at_span(
            "config-error",
            0..0,
            format!(
                "cannot read the policy directory {name}: {}",
                crate::discover::io_message(&e)
            ),
        );
        d.severity = crate::diagnostic::Severity::Error;
        vec![FileReport {
            file: SourceFile::new(name.clone(), String::new()),
            diagnostics: vec![d],
        }]
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    let (mut policies, mut problems) = (Vec::new(), Vec::new());
    for path in paths {
        let name = path.display().to_string();
        // Reading a FIFO would wait forever for a writer.
        let regular = std::fs::metadata(&path).map(|m| m.is_file());
        let read = match regular {
            Ok(false) => Err(std::io::Error::other("not a regular file")),
            _ => std::fs::read_to_string(&path),
        };
        match read {
            Ok(text) => match parse(&name, text) {
                Ok(policy) => policies.push(policy),
                Err(report) => problems.push(report),
            },
            Err(e) => problems.push(problem(
                &SourceFile::new(name.clone(), String::new()),
                "",
                format!("cannot read {name}: {}", crate::discover::io_message(&e)),
            )),
        }
    }
    if problems.is_empty() {
        Ok(policies)
    } else {
        Err(problems)
    }
}

impl Policy {
    pub fn id(&self) -> &str {
        &self.doc.meta.id
    }

    /// Judge one app: if it matches `applies-to`, every place where it fails
    /// `require` gets a diagnostic with the policy's message.
    pub fn check_app(&self, app: &Value, pointer: &str, out: &mut Vec<Diagnostic>) {
        if self.applies_to.as_ref().is_some_and(|v| !v.is_valid(app)) {
            return;
        }
        let message = self
            .doc
            .meta
            .message
            .clone()
            .unwrap_or_else(|| self.doc.meta.summary.clone());
        let mut seen = std::collections::HashSet::new();
        for error in self.require.iter_errors(app) {
            let at = format!("{pointer}{}", error.instance_path().as_str());
            if !seen.insert(at.clone()) {
                continue;
            }
            let (target, detail) = match error.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => (
                    Target::Opening,
                    format!("`{}` is missing", property.as_str().unwrap_or_default()),
                ),
                _ => (
                    Target::Value,
                    format!("found {}", crate::schema::describe_value(error.instance())),
                ),
            };
            let mut d = Diagnostic::at(self.id(), at, message.clone())
                .target(target)
                .label(detail);
            d.severity = self.doc.meta.severity;
            if self.doc.body.contains("## Use instead") {
                d = d.help(format!(
                    "see the policy's documentation: marathon-lint rule {}",
                    self.id()
                ));
            }
            out.push(d);
        }
    }
}
