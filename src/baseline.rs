//! A baseline: the findings a repository already had when it adopted the
//! linter, recorded so that a run reports and fails only on new ones.
//!
//! Each entry is keyed by file, rule, JSON pointer and a fingerprint of the
//! message, never by line: an edit elsewhere in the file does not invalidate
//! it. The file is JSON, sorted, one entry per line, so it diffs well in
//! review. Files are named relative to the baseline's own directory, so the
//! run may start anywhere.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::source::SourceFile;

/// Rules about the machine rather than the definitions: never baselined
/// (nor are syntax errors, `engine::is_blocking_syntax_error`).
const NOT_BASELINED: &[&str] = &[
    "io-error",
    "internal-error",
    "fix-not-written",
    "file-too-large",
    "symlink-loop",
    "config-error",
];

/// A path as one name for one file: symbolic links and `..` resolved where
/// the file exists, `.` and `..` folded where it does not.
fn normalized(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    match (clean.parent().map(std::fs::canonicalize), clean.file_name()) {
        (Some(Ok(parent)), Some(name)) => parent.join(name),
        _ => clean,
    }
}

/// Whether held-back findings stay in the reports, marked (SARIF output and
/// the language server show them as such), rather than being removed. One
/// setting for the process: a run has one output format.
static KEEP_MARKED: AtomicBool = AtomicBool::new(false);

/// Whether a baseline held anything against a report in this process.
static IN_USE: AtomicBool = AtomicBool::new(false);

/// Keep held-back findings, marked `baselined`, instead of removing them.
pub fn keep_marked(keep: bool) {
    KEEP_MARKED.store(keep, Ordering::Relaxed);
}

/// Whether some report of this process was held against a baseline.
pub fn in_use() -> bool {
    IN_USE.load(Ordering::Relaxed)
}

/// What identifies a finding across edits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub file: String,
    pub rule: String,
    pub pointer: String,
    pub fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    count: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// The format of this file.
    version: u32,
    entries: Vec<Entry>,
}

/// A loaded baseline (or an empty one, to record a run's findings).
#[derive(Debug)]
pub struct Baseline {
    /// Files are named relative to this directory.
    dir: PathBuf,
    /// Whether it was read from a file (then a rewrite only shrinks it).
    loaded: bool,
    /// How many findings of each key the baseline holds.
    entries: BTreeMap<Key, usize>,
    /// What each file matched and found in its last settled report (a file
    /// settled again, after the rules across files, replaces its own).
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    matched: HashMap<String, usize>,
    found: HashMap<String, Vec<Key>>,
}

/// A message's fingerprint: the start of its SHA-256, enough to tell the
/// messages of one rule at one place apart.
fn fingerprint(message: &str) -> String {
    let digest = Sha256::digest(message.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Baseline {
    /// An empty baseline for `path`: nothing is suppressed, every finding
    /// is recorded.
    pub fn empty(path: &Path) -> Baseline {
        let file = normalized(path);
        Baseline {
            dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
            loaded: false,
            entries: BTreeMap::new(),
            state: Mutex::default(),
        }
    }

    /// Read a baseline file; a broken one is a located `config-error`.
    pub fn load(path: &Path) -> Result<Baseline, FileReport> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            let mut d = Diagnostic::at(
                "config-error",
                "",
                format!("cannot read the baseline {name}: {}", crate::discover::io_message(&e)),
            )
            .help("write one with --write-baseline FILE");
            d.pointer = None;
            d.severity = Severity::Error;
            FileReport {
                file: SourceFile::new(name.clone(), String::new()),
                diagnostics: vec![d],
            }
        })?;
        let file: File = serde_json::from_str(&text).map_err(|e| {
            let start: usize = text
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum();
            let mut at = (start + e.column().saturating_sub(1)).min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut d = Diagnostic::at_span(
                "config-error",
                at..at,
                format!("{name} is not a marathon-lint baseline: {e}"),
            )
            .help("write it again with --write-baseline FILE");
            d.severity = Severity::Error;
            FileReport {
                file: SourceFile::new(name.clone(), text.clone()),
                diagnostics: vec![d],
            }
        })?;
        let mut baseline = Baseline::empty(path);
        baseline.loaded = true;
        for entry in file.entries {
            let count = baseline.entries.entry(entry.key).or_insert(0);
            *count = count.saturating_add(entry.count);
        }
        Ok(baseline)
    }

    /// The name of a linted file in this baseline.
    fn file_key(&self, name: &str) -> String {
        let absolute = std::path::absolute(name).unwrap_or_else(|_| PathBuf::from(name));
        let relative = absolute
            .strip_prefix(&self.dir)
            .map(Path::to_path_buf)
            .unwrap_or(absolute);
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Take the findings the baseline holds out of a settled report (or
    /// mark them, see `keep_marked`); return how many it holds.
    pub fn apply(&self, report: &mut FileReport) -> usize {
        self.apply_keeping(report, KEEP_MARKED.load(Ordering::Relaxed))
    }

    fn apply_keeping(&self, report: &mut FileReport, keep: bool) -> usize {
        IN_USE.store(true, Ordering::Relaxed);
        let file = self.file_key(&report.file.name);
        let mut remaining: HashMap<&Key, usize> = HashMap::new();
        let mut found = Vec::new();
        let mut matched = 0;
        report.diagnostics.retain_mut(|d| {
            if NOT_BASELINED.contains(&d.rule.as_str()) || crate::engine::is_blocking_syntax_error(&d.rule) {
                return true;
            }
            // The rules across files name the other file and its line in
            // their messages: they are known by rule and place alone.
            let across_files = crate::project_rules::RULES.contains(&d.rule.as_str());
            let key = Key {
                file: file.clone(),
                rule: d.rule.clone(),
                pointer: d.pointer.clone().unwrap_or_default(),
                fingerprint: if across_files {
                    String::new()
                } else {
                    fingerprint(&d.message)
                },
            };
            let known = match self.entries.get_key_value(&key) {
                Some((stored, &count)) => {
                    let left = remaining.entry(stored).or_insert(count);
                    if *left > 0 {
                        *left -= 1;
                        true
                    } else {
                        false
                    }
                }
                None => false,
            };
            found.push(key);
            if known {
                matched += 1;
                d.baselined = true;
            }
            !known || keep
        });
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.matched.insert(file.clone(), matched);
        state.found.insert(file, found);
        matched
    }

    /// Entries of the files this run linted that no finding matched: the
    /// baseline can shrink. (Files not linted, as in a pre-commit run on a
    /// few files, say nothing of theirs.)
    pub fn stale(&self) -> usize {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let held: usize = self
            .entries
            .iter()
            .filter(|(key, _)| state.found.contains_key(&key.file) || self.gone(&key.file))
            .fold(0usize, |sum, (_, n)| sum.saturating_add(*n));
        held.saturating_sub(state.matched.values().sum())
    }

    /// Whether an entry's file no longer exists (deleted or renamed).
    fn gone(&self, file: &str) -> bool {
        !self.dir.join(file).exists()
    }

    /// How many findings the baseline held back in this run.
    pub fn matched(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .matched
            .values()
            .sum()
    }

    /// The baseline file for this run: every finding when nothing was
    /// baselined before; else only the entries that still match (a baseline
    /// only shrinks: new findings are not accepted into it), and the entries
    /// of files this run did not lint, as they were.
    pub fn to_text(&self) -> String {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
        for keys in state.found.values() {
            for key in keys {
                *counts.entry(key.clone()).or_insert(0) += 1;
            }
        }
        if self.loaded {
            counts = counts
                .into_iter()
                .filter_map(|(key, n)| Some((key.clone(), n.min(*self.entries.get(&key)?))))
                .collect();
            for (key, n) in &self.entries {
                if !state.found.contains_key(&key.file) && !self.gone(&key.file) {
                    counts.insert(key.clone(), *n);
                }
            }
        }
        let mut text = String::from("{\n  \"version\": 1,\n  \"entries\": [");
        for (i, (key, count)) in counts.into_iter().enumerate() {
            let entry = serde_json::to_string(&Entry { key, count }).unwrap_or_default();
            text.push_str(if i == 0 { "\n    " } else { ",\n    " });
            text.push_str(&entry);
        }
        text.push_str("\n  ]\n}\n");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str, findings: &[(&str, &str, &str)]) -> FileReport {
        FileReport {
            file: SourceFile::new(name, String::new()),
            diagnostics: findings
                .iter()
                .map(|(rule, pointer, message)| Diagnostic::at(rule, *pointer, *message))
                .collect(),
        }
    }

    #[test]
    fn findings_are_matched_by_file_rule_pointer_and_message_with_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let recorder = Baseline::empty(&path);
        std::fs::create_dir(dir.path().join("apps")).unwrap();
        for file in ["apps/web.json", "apps/other.json"] {
            std::fs::write(dir.path().join(file), "{}").unwrap();
        }
        let name = dir.path().join("apps/web.json").display().to_string();
        let found = [
            ("unknown-field", "/contraints", "unknown field"),
            ("unknown-field", "/contraints", "unknown field"),
        ];
        assert_eq!(recorder.apply(&mut report(&name, &found)), 0);
        let text = recorder.to_text();
        assert!(text.contains(r#""file":"apps/web.json""#), "{text}");
        assert!(text.contains(r#""count":2"#), "{text}");
        std::fs::write(&path, &text).unwrap();

        let baseline = Baseline::load(&path).unwrap();
        let mut three = report(
            &name,
            &[
                found[0],
                found[0],
                found[0],
                ("schema-violation", "/mem", "mem must be a number"),
            ],
        );
        assert_eq!(baseline.apply(&mut three), 2);
        assert_eq!(three.diagnostics.len(), 2, "one more of the same, and a new one");
        assert_eq!(baseline.stale(), 0);
        // Settled again (after the rules across files): replaces, not adds.
        let mut none = report(&name, &[]);
        baseline.apply(&mut none);
        assert_eq!(baseline.stale(), 2);
        assert_eq!(baseline.to_text().matches("apps/web.json").count(), 0);
        // A file this run did not lint keeps its entries, and none is stale.
        let other = Baseline::load(&path).unwrap();
        other.apply(&mut report(
            &dir.path().join("apps/other.json").display().to_string(),
            &[],
        ));
        assert_eq!(other.stale(), 0);
        assert!(other.to_text().contains("apps/web.json"));
        // A file that is gone: its entries are stale, and dropped.
        std::fs::remove_file(dir.path().join("apps/web.json")).unwrap();
        let renamed = Baseline::load(&path).unwrap();
        renamed.apply(&mut report(
            &dir.path().join("apps/other.json").display().to_string(),
            &[],
        ));
        assert_eq!(renamed.stale(), 2);
        assert!(!renamed.to_text().contains("apps/web.json"));
    }

    #[test]
    fn held_back_findings_can_stay_marked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let name = dir.path().join("a.json").display().to_string();
        std::fs::write(&name, "{}").unwrap();
        let recorder = Baseline::empty(&path);
        recorder.apply(&mut report(&name, &[("unknown-field", "/x", "unknown")]));
        std::fs::write(&path, recorder.to_text()).unwrap();
        let baseline = Baseline::load(&path).unwrap();
        let mut kept = report(
            &name,
            &[("unknown-field", "/x", "unknown"), ("unknown-field", "/y", "unknown")],
        );
        baseline.apply_keeping(&mut kept, true);
        assert_eq!(kept.diagnostics.len(), 2);
        assert!(kept.diagnostics[0].baselined && !kept.diagnostics[1].baselined);
        assert_eq!(kept.count(Severity::Error), 1, "only the new one counts");
    }

    #[test]
    fn a_broken_baseline_is_a_located_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        std::fs::write(&path, "{\"version\": 1,\n \"entries\": [oops]}").unwrap();
        let report = Baseline::load(&path).unwrap_err();
        assert_eq!(report.diagnostics[0].rule, "config-error");
        assert!(report.diagnostics[0].span.is_some());
        assert!(Baseline::load(&dir.path().join("missing.json")).is_err());
    }
}
