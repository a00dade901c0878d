//! The end of a run: each input's outcome arrives from the linting threads
//! in whatever order they finish; this puts the outcomes back in input order,
//! feeds each file's apps to the rules across files, and writes each file's
//! report the moment it is final. A file is forgotten once written, so a
//! run's memory follows its largest file, not the number of files.
//!
//! A file is final when it arrives, unless the rules across files have
//! something to say about it: a repeated id or a shared host port (known as
//! it arrives, since they are reported on the later app), or a dependency no
//! file seen so far defines. Such a file waits until a later file defines
//! what it depends on, or the run ends (the dependency is then unknown), and
//! the files after it wait behind it, already drawn, to keep the order.
//! Either way a file with new findings is linted again with them, so its
//! report is drawn exactly as a file's report always is.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, FileReport};
use crate::lint::{AppFacts, Linted, Linter};
use crate::project_rules::{ProjectRules, Source};
use crate::report::{Counts, Fragment, Renderer, ReportWriter, Totals};
use crate::source::SourceFile;

/// One input, as the linting threads hand it over.
pub enum Checked {
    /// A walked file that is not a Marathon definition: skipped.
    Skipped(String),
    File(Box<CheckedFile>),
}

/// A linted file (or a path that could not be linted), with its report
/// already drawn in the output format.
pub struct CheckedFile {
    /// `None` when a suppression names a rule across files: the report is
    /// drawn once those rules are done with the file.
    pub fragment: Option<Fragment>,
    pub counts: Counts,
    /// The tool could not do its job here (unreadable, a bug).
    pub failed: bool,
    /// Fixes applied (or, with --diff, that would be).
    pub fixes: usize,
    /// The fixed text of standard input (`--fix -`), for standard output.
    pub fixed_stdin: Option<String>,
    /// What the rules across files need of its apps.
    pub apps: Vec<AppFacts>,
    /// How to lint it again should those rules find something.
    pub redo: Option<Redo>,
}

impl CheckedFile {
    /// A file whose report is final as drawn.
    pub fn drawn(fragment: Fragment, counts: Counts) -> Self {
        CheckedFile {
            fragment: Some(fragment),
            counts,
            failed: false,
            fixes: 0,
            fixed_stdin: None,
            apps: Vec::new(),
            redo: None,
        }
    }
}

/// What it takes to lint a file again, with findings of the rules across
/// files added.
pub struct Redo {
    pub name: String,
    pub source: Source,
    pub linter: Arc<Linter>,
    /// The run's --max-file-size, in bytes.
    pub max_bytes: u64,
}

impl Redo {
    /// The file's final report: linted again with `extra`, then its
    /// suppressions and levels applied.
    fn report(&self, extra: Vec<Diagnostic>) -> FileReport {
        let bytes = match &self.source {
            Source::Memory(file) => Ok(file.text.clone().into_bytes()),
            Source::Disk(path) => crate::cli::read_file(path, self.max_bytes),
        };
        let mut linted = match bytes {
            Ok(bytes) => match crate::engine::lint_guarded_with(&self.linter, &self.name, bytes, extra) {
                Ok(linted) => linted,
                Err(message) => {
                    Linted::without_document(crate::cli::path_report(&self.name, "internal-error", message))
                }
            },
            // It changed or went away since it was linted: the findings
            // stand, without a place.
            Err(_) => {
                let mut linted = Linted::without_document(FileReport {
                    file: SourceFile::new(self.name.clone(), String::new()),
                    diagnostics: extra,
                });
                linted.levels = self.linter.levels.clone();
                linted
            }
        };
        linted.settle();
        linted.report
    }
}

/// A file on its way out: drawn, or waiting for the rules across files.
struct Held {
    file: Box<CheckedFile>,
    /// Some dependency names nothing seen yet.
    waiting: bool,
    /// Findings of the rules across files, added when it is settled.
    found: Vec<Diagnostic>,
}

/// Puts outcomes in order and writes them.
pub struct OrderedOutput<'r, W: Write> {
    renderer: &'r Renderer,
    writer: ReportWriter<W>,
    /// `None` when the report is not written (`--diff`).
    rules: Option<ProjectRules>,
    next: usize,
    arrived: BTreeMap<usize, Checked>,
    held: VecDeque<Held>,
    /// How many files have left `held`: the number of its front entry.
    front: usize,
    /// For each id a waiting file's dependency may name, the numbers of the
    /// files waiting for it: a new app looks at those only, so many waiting
    /// files cost no more than a few.
    wanted: HashMap<Box<str>, Vec<usize>>,
    pub totals: Totals,
    pub tool_failed: bool,
    /// Names of the skipped files, when asked for (--verbose).
    pub skipped: Option<Vec<String>>,
    pub fixes: usize,
    pub files_fixed: usize,
    pub fixed_stdin: Option<String>,
}

impl<'r, W: Write> OrderedOutput<'r, W> {
    pub fn new(renderer: &'r Renderer, writer: ReportWriter<W>, rules_across_files: bool, list_skipped: bool) -> Self {
        OrderedOutput {
            renderer,
            writer,
            rules: rules_across_files.then(ProjectRules::default),
            next: 0,
            arrived: BTreeMap::new(),
            held: VecDeque::new(),
            front: 0,
            wanted: HashMap::new(),
            totals: Totals::default(),
            tool_failed: false,
            skipped: list_skipped.then(Vec::new),
            fixes: 0,
            files_fixed: 0,
            fixed_stdin: None,
        }
    }

    /// The outcome of input number `index` (counting from 0, in input order).
    pub fn accept(&mut self, index: usize, checked: Checked) {
        if index != self.next {
            self.arrived.insert(index, checked);
            return;
        }
        self.take(checked);
        self.next += 1;
        while let Some(checked) = self.arrived.remove(&self.next) {
            self.take(checked);
            self.next += 1;
        }
    }

    fn take(&mut self, checked: Checked) {
        let file = match checked {
            Checked::Skipped(name) => {
                self.totals.files_skipped += 1;
                if let Some(skipped) = &mut self.skipped {
                    skipped.push(name);
                }
                return;
            }
            Checked::File(file) => file,
        };
        let mut held = Held {
            file,
            waiting: false,
            found: Vec::new(),
        };
        let seq = self.front + self.held.len();
        if let Some(rules) = &mut self.rules {
            if let Some(redo) = held.file.redo.as_ref().filter(|_| !held.file.apps.is_empty()) {
                held.found = rules.add(|| redo.source.clone(), &held.file.apps);
                held.waiting = rules.has_unresolved(&held.file.apps);
                // Its ids (and the groups above them) may be what files
                // before it wait for: look only at those.
                for name in held.file.apps.iter().flat_map(|app| ProjectRules::names(&app.id.value)) {
                    for waiting in self.wanted.remove(name).unwrap_or_default() {
                        // Gone already if it stopped waiting for another id.
                        let Some(earlier) = waiting.checked_sub(self.front).and_then(|i| self.held.get_mut(i)) else {
                            continue;
                        };
                        if earlier.waiting && !rules.has_unresolved(&earlier.file.apps) {
                            earlier.waiting = false;
                            settle(self.renderer, earlier);
                        }
                    }
                }
                if held.waiting {
                    for name in rules.unresolved_names(&held.file.apps) {
                        self.wanted.entry(name.into()).or_default().push(seq);
                    }
                }
            }
        }
        if !held.waiting {
            settle(self.renderer, &mut held);
        }
        self.held.push_back(held);
        self.flush();
    }

    /// Write the files at the front that are final.
    fn flush(&mut self) {
        while self.held.front().is_some_and(|h| !h.waiting) {
            let held = self.held.pop_front().expect("checked above");
            self.front += 1;
            self.write(*held.file);
        }
    }

    fn write(&mut self, file: CheckedFile) {
        self.totals.add_counts(file.counts);
        self.tool_failed |= file.failed;
        self.fixes += file.fixes;
        self.files_fixed += usize::from(file.fixes > 0);
        if file.fixed_stdin.is_some() {
            self.fixed_stdin = file.fixed_stdin;
        }
        if let Some(fragment) = file.fragment {
            self.writer.write(fragment);
        }
    }

    /// Every input has been accepted: what still waits has dependencies
    /// no file defines. Write the rest and close the report, followed by
    /// `trailer(totals, skipped)`.
    pub fn finish(mut self, trailer: impl FnOnce(&Totals, &[String]) -> String) -> Finished<W> {
        debug_assert!(self.arrived.is_empty(), "an input never arrived");
        if let Some(rules) = &self.rules {
            for held in self.held.iter_mut().filter(|h| h.waiting) {
                held.found.extend(rules.unknown_dependencies(&held.file.apps));
                held.waiting = false;
                settle(self.renderer, held);
            }
        }
        self.flush();
        let trailer = trailer(&self.totals, self.skipped.as_deref().unwrap_or_default());
        Finished {
            written: self.writer.finish(&trailer),
            totals: self.totals,
            tool_failed: self.tool_failed,
            fixes: self.fixes,
            files_fixed: self.files_fixed,
            fixed_stdin: self.fixed_stdin,
        }
    }
}

/// What a run wrote and counted.
pub struct Finished<W> {
    /// The sink, or the first error writing to it.
    pub written: std::io::Result<W>,
    pub totals: Totals,
    pub tool_failed: bool,
    pub fixes: usize,
    pub files_fixed: usize,
    pub fixed_stdin: Option<String>,
}

/// Make a file's report final: drawn again when the rules across files
/// found something, or when its suppressions wait on them.
fn settle(renderer: &Renderer, held: &mut Held) {
    let file = &mut held.file;
    if held.found.is_empty() && file.fragment.is_some() {
        file.apps = Vec::new();
        return;
    }
    if let Some(redo) = &file.redo {
        let report = redo.report(std::mem::take(&mut held.found));
        file.counts = Counts::of(&report);
        file.fragment = Some(renderer.fragment(&report));
    }
    file.apps = Vec::new();
}
