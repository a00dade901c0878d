//! The command line: parse arguments, discover inputs, lint them, report,
//! and pick the exit status (0 clean, 1 errors found, 2 could not do the job).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::agent_resources;
use crate::config::{self, SettingsPatch};
use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::discover::{self, Found, Input};
use crate::editor_schema::SchemaKind;
use crate::lint::{self, Linted, Linter};
use crate::marathon_target::{Features, MarathonVersion};
use crate::report::{github, gitlab, human::HumanRenderer, json, junit, sarif, Totals};
use crate::rule_docs;
use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames with the rule id and help, and a closing summary.
    Human,
    /// One JSON document `{"diagnostics": [...]}` for editors and CI tools.
    Json,
    /// SARIF 2.1.0, e.g. for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the diff).
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
    /// JUnit XML: one test case per file.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when standard output is a terminal and NO_COLOR is unset.
    Auto,
    Always,
    Never,
}

/// Lint Marathon app definitions (apps, groups, lists of apps) before Marathon
/// refuses them or a deployment hangs.
#[derive(Debug, Parser)]
#[command(name = "marathon-lint", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub lint: Args,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: id, default severity, category and summary. (To lint
    /// a directory named `rules`, write `./rules`.)
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// Also list the policies this configuration loads (default: the
        /// closest marathon-lint.toml above the current directory).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Print the effective configuration for a path: which file it comes
    /// from and every setting, after overrides and flags.
    Config {
        /// The file (or directory) to show the configuration of.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[command(flatten)]
        settings: Args,
    },
    /// Move Marathon 1.4 networking (docker.network, docker.portMappings,
    /// ipAddress, ports, requirePorts) to the 1.5+ form, as Marathon 1.5
    /// converts it, keeping the rest of each file byte for byte.
    Migrate {
        /// Files and directories to migrate.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Print the changes as a unified diff instead of writing them.
        #[arg(long)]
        diff: bool,
    },
    /// Print one rule's documentation: what it checks, why, a failing and a
    /// passing example, and the Marathon source it mirrors.
    Rule {
        /// The rule id, e.g. host-port-outside-agent-ranges, or a policy's.
        id: String,
        /// Where to find policies (default: the closest marathon-lint.toml
        /// above the current directory).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Run a language server over standard input and output: diagnostics as
    /// you type (with each file's closest marathon-lint.toml), rule
    /// documentation on hover, and fixes as code actions.
    Lsp,
    /// Print a self-contained JSON Schema of apps and groups for editors'
    /// JSON support (completion, hover docs, validation), e.g. VS Code's
    /// `json.schemas`. Fields of other Marathon versions are marked
    /// deprecated.
    Schema {
        /// The Marathon version to describe (1.4 to 1.10).
        /// [default: 1.10, or the configuration's `marathon-version`]
        #[arg(long, value_name = "VERSION")]
        marathon_version: Option<MarathonVersion>,
        /// What a file holds: `any` accepts an app, a group or a list of apps.
        #[arg(long, value_enum, default_value_t = SchemaKind::Any)]
        kind: SchemaKind,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    /// The reference page checked in as docs/rules.md.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files and directories to lint; directories are searched for `.json`
    /// files. `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// The Mesos agents' resources, as in /etc/mesos-slave/resources or the
    /// agent's --resources flag, e.g. "ports:[80-80, 31000-32000]" (other
    /// resources and Mesos' JSON form are accepted). Only `ports` is used;
    /// without one, agents offer Mesos' default [31000-32000].
    #[arg(long, value_name = "RESOURCES")]
    pub agent_resources: Option<String>,

    /// The Marathon version the definitions are sent to (1.4 to 1.10); rules
    /// that differ between versions follow it.
    /// [default: 1.10, or the configuration's `marathon-version`]
    #[arg(long, value_name = "VERSION")]
    pub marathon_version: Option<MarathonVersion>,

    /// Features your Marathon runs with (its --enable_features), comma
    /// separated: secrets, gpu_resources, external_volumes.
    #[arg(long, value_name = "FEATURES")]
    pub enable_features: Option<Features>,

    /// The network name your Marathon fills in for container networks without
    /// one (its --default_network_name). Without it, such networks are errors.
    #[arg(long, value_name = "NAME")]
    pub default_network_name: Option<String>,

    /// The name to show for standard input in diagnostics.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// Write the report to FILE instead of standard output; the closing
    /// summary still goes to the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 1) when there are more than N warnings.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,

    /// Fail (exit 1) on any warning, as on an error.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Use this configuration file for every linted file, instead of the
    /// closest marathon-lint.toml above each one.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Filter files named on the command line like walked ones: skip those
    /// the configuration excludes, .gitignore ignores, or that do not look
    /// like Marathon definitions. For pre-commit and editors, which pass
    /// every staged or open .json file.
    #[arg(long)]
    pub force_exclude: bool,

    /// Ignore every marathon-lint.toml: built-in defaults and flags only.
    #[arg(long)]
    pub no_config: bool,

    /// Apply safe fixes to the files (atomically), then report what is left.
    /// With standard input, the fixed document goes to standard output.
    #[arg(long)]
    pub fix: bool,

    /// Also apply unsafe fixes (judgement calls, such as renaming an unknown
    /// field to the closest known one); use with --fix or --diff.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// Files larger than this many MiB are reported (file-too-large), not
    /// linted.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub max_file_size: u64,

    /// Also say which files were skipped and why.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        None => execute(&cli.lint),
        Some(Command::Rules { format, config }) => with_policies(config.as_deref(), |policies| {
            print(&match format {
                RulesFormat::Text => rule_docs::list_text(policies),
                RulesFormat::Json => rule_docs::list_json(policies),
                RulesFormat::Markdown => rule_docs::reference_markdown(),
            })
        }),
        Some(Command::Rule { id, config }) => with_policies(config.as_deref(), |policies| {
            rule_docs::show(id, policies).and_then(|page| print(&page))
        }),
        Some(Command::Config { path, settings }) => show_config(path, settings),
        Some(Command::Migrate { paths, diff }) => migrate(paths, *diff),
        Some(Command::Lsp) => Ok(crate::lsp::run()),
        Some(Command::Schema { marathon_version, kind }) => with_configured_version(*marathon_version, |version| {
            print(&crate::editor_schema::render(version, *kind))
        }),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("marathon-lint: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Run `f` with the policies of the named configuration, or of the closest
/// one above the current directory.
fn with_policies(
    config: Option<&Path>,
    f: impl FnOnce(&[crate::policy::Policy]) -> Result<ExitCode, String>,
) -> Result<ExitCode, String> {
    let mut resolver = match config::Resolver::new(config, false) {
        Ok(resolver) => resolver,
        Err(reports) => return report_config_errors(&Cli::parse_from(["marathon-lint"]).lint, reports),
    };
    match resolver.for_dir(Path::new(".")) {
        Ok(config) => f(&config.policies),
        Err(reports) => report_config_errors(&Cli::parse_from(["marathon-lint"]).lint, reports),
    }
}

/// Run `f` with the flag's Marathon version, or else the one the closest
/// configuration above the current directory sets, as linting does.
fn with_configured_version(
    flag: Option<MarathonVersion>,
    f: impl FnOnce(MarathonVersion) -> Result<ExitCode, String>,
) -> Result<ExitCode, String> {
    if let Some(version) = flag {
        return f(version);
    }
    let config = config::Resolver::new(None, false).and_then(|mut resolver| resolver.for_dir(Path::new(".")));
    match config {
        Ok(config) => f(config.base.marathon_version.unwrap_or_default()),
        // Standard output is the schema (often redirected to a file): the
        // problem goes to the terminal.
        Err(reports) => {
            let renderer = HumanRenderer::new(false, Some(100));
            let mut text = String::new();
            for report in &reports {
                renderer.render(report, &mut text);
            }
            eprint!("{text}");
            Ok(ExitCode::from(2))
        }
    }
}

fn print(text: &str) -> Result<ExitCode, String> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// What the command line sets, which beats every configuration file.
fn flags_patch(args: &Args) -> Result<SettingsPatch, String> {
    Ok(SettingsPatch {
        marathon_version: args.marathon_version,
        agent_resources: args
            .agent_resources
            .as_deref()
            .map(agent_resources::parse)
            .transpose()
            .map_err(|e| format!("--agent-resources: {e}"))?,
        features: args.enable_features,
        default_network_name: args.default_network_name.clone(),
        levels: Default::default(),
    })
}

/// `marathon-lint migrate`: rewrite (or show) each definition in the 1.5+
/// networking form.
fn migrate(paths: &[PathBuf], diff: bool) -> Result<ExitCode, String> {
    let (mut changed, mut steps, mut failed) = (0, 0, false);
    let mut out = std::io::stdout().lock();
    for found in discover::discover(paths) {
        let (path, explicit) = match found {
            Found::Input(Input::File { path, explicit }) => (path, explicit),
            Found::Input(Input::Stdin) => return Err("migrate works on files, not standard input".to_string()),
            Found::Problem(problem) => {
                eprintln!(
                    "marathon-lint: cannot migrate {}: {}",
                    problem.path.display(),
                    problem.message
                );
                failed |= problem.fatal;
                continue;
            }
        };
        let bytes = match read_file(&path, u64::MAX) {
            Ok(bytes) => bytes,
            Err(ReadError::Failed(why)) => {
                eprintln!("marathon-lint: cannot migrate {}: {why}", path.display());
                failed = true;
                continue;
            }
            Err(ReadError::TooLarge) => continue,
        };
        let Ok(text) = String::from_utf8(bytes) else { continue };
        let looks =
            serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| crate::model::looks_like_marathon(&v));
        if !explicit && !looks {
            continue;
        }
        let (after, count) = crate::migrate::migrate_text(&text, "mesos-bridge");
        if after == text {
            continue;
        }
        changed += 1;
        steps += count;
        let name = path.display().to_string();
        if diff {
            let patch = similar::TextDiff::from_lines(&text, &after)
                .unified_diff()
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string();
            out.write_all(patch.as_bytes())
                .map_err(|e| format!("cannot write the diff: {e}"))?;
        } else if let Err(why) = crate::write_back::write_atomically(&path, text.as_bytes(), &after) {
            eprintln!("marathon-lint: {name} was not migrated: {why}");
            failed = true;
        }
    }
    let verb = if diff { "would be migrated" } else { "migrated" };
    eprintln!(
        "{changed} file{} {verb} ({steps} change{})",
        if changed == 1 { "" } else { "s" },
        if steps == 1 { "" } else { "s" }
    );
    Ok(if failed {
        ExitCode::from(2)
    } else if diff && changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `marathon-lint config PATH`: the effective configuration, so users can
/// see why a rule fired.
fn show_config(path: &Path, args: &Args) -> Result<ExitCode, String> {
    let flags = flags_patch(args)?;
    let mut configs = match config::Resolver::new(args.config.as_deref(), args.no_config) {
        Ok(resolver) => resolver,
        Err(reports) => return report_config_errors(args, reports),
    };
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let config = match configs.for_dir(&dir) {
        Ok(config) => config,
        Err(reports) => return report_config_errors(args, reports),
    };
    print(&config::describe(&config, path, &flags))
}

/// One entry of a run, in output order: already decided (an unreadable path,
/// a broken configuration), or a file to read and lint.
enum Item {
    Done(Linted),
    Lint {
        input: Input,
        path: PathBuf,
        linter: Linter,
        /// Skip it when it does not look like a Marathon definition.
        skip_unrecognized: bool,
    },
}

/// What linting one item gave.
enum Outcome {
    Linted(Linted),
    /// A file that fixes changed: its final lint, and the new text (written
    /// already with --fix; shown as a diff with --diff; printed for stdin).
    Fixed {
        linted: Linted,
        name: String,
        before: String,
        after: String,
        fixes: usize,
        stdin: bool,
    },
    Skipped(String),
    /// An unreadable file: the tool could not do its job.
    Failed(Linted),
}

fn execute(args: &Args) -> Result<ExitCode, String> {
    // Compiling the app schema is most of a one-file run: start it on the
    // other core while this one finds, reads and parses the files. Nothing
    // waits for it unless an app needs it.
    std::thread::spawn(crate::schema::warm_up);
    let flags = flags_patch(args)?;
    let max_bytes = args.max_file_size.saturating_mul(1024 * 1024);
    let mut tool_failed = false;
    let mut totals = Totals::default();
    let mut gitignores = discover::Gitignores::default();
    let mut linters: std::collections::HashMap<usize, Linter> = std::collections::HashMap::new();
    let mut configs = match config::Resolver::new(args.config.as_deref(), args.no_config) {
        Ok(resolver) => resolver,
        Err(reports) => return report_config_errors(args, reports),
    };

    // Discovery and configuration are stateful, so each found file is
    // planned in order (one item, none when filtered out, or the reports of
    // a broken configuration); planning runs inside the iterator that the
    // linting threads pull from, so it overlaps the linting.
    let found = discover::discover(&args.paths);
    let single = found.len() <= 1;
    let plan = |found: Found| -> Vec<Item> {
        let input = match found {
            Found::Input(input) => input,
            Found::Problem(problem) => {
                tool_failed |= problem.fatal;
                let rule = if problem.fatal { "io-error" } else { "symlink-loop" };
                return vec![Item::Done(Linted::without_document(path_report(
                    &problem.path.display().to_string(),
                    rule,
                    problem.message,
                )))];
            }
        };
        // Standard input is configured as a file in the current directory.
        let path = match &input {
            Input::Stdin => PathBuf::from(args.stdin_filename.as_deref().unwrap_or("<stdin>")),
            Input::File { path, .. } => path.clone(),
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let config = match configs.for_dir(&dir) {
            Ok(config) => config,
            Err(reports) => {
                // A broken configuration: report it once, lint nothing under it.
                tool_failed = true;
                return reports
                    .into_iter()
                    .map(|r| Item::Done(Linted::without_document(r)))
                    .collect();
            }
        };
        let filtered = match input {
            Input::File { explicit, .. } => !explicit || args.force_exclude,
            Input::Stdin => false,
        };
        if filtered && (!config.selects(&path) || (config.respect_gitignore && gitignores.is_ignored(&path))) {
            return Vec::new();
        }
        // Without overrides every file under a configuration gets the same
        // linter: build it once per configuration, not once per file.
        let linter = if config.same_settings_everywhere() {
            linters
                .entry(std::sync::Arc::as_ptr(&config) as usize)
                .or_insert_with(|| crate::engine::linter_for(&config, &path, &flags))
                .clone()
        } else {
            crate::engine::linter_for(&config, &path, &flags)
        };
        vec![Item::Lint {
            input,
            path,
            linter,
            skip_unrecognized: filtered,
        }]
    };

    // Reading and linting, in parallel; results are put back in discovery
    // order, so the output is the same whatever the thread count.
    use rayon::prelude::*;
    let run = |item: Item| match item {
        Item::Done(linted) => Outcome::Linted(linted),
        Item::Lint {
            input,
            path,
            linter,
            skip_unrecognized,
        } => lint_one(args, &input, &path, &linter, skip_unrecognized, max_bytes),
    };
    let items = found.into_iter().flat_map(plan);
    // One file (a pre-commit hook on a small commit) does not need the
    // thread pool started.
    let outcomes: Vec<Outcome> = if single {
        items.map(run).collect()
    } else {
        let mut numbered: Vec<(usize, Outcome)> =
            items.enumerate().par_bridge().map(|(i, item)| (i, run(item))).collect();
        numbered.sort_unstable_by_key(|(i, _)| *i);
        numbered.into_iter().map(|(_, outcome)| outcome).collect()
    };
    let mut linted = Vec::with_capacity(outcomes.len());
    let mut skipped = Vec::new();
    let mut fixed: Vec<FixedFile> = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Linted(l) => linted.push(l),
            Outcome::Fixed {
                linted: l,
                name,
                before,
                after,
                fixes,
                stdin,
            } => {
                linted.push(l);
                fixed.push(FixedFile {
                    name,
                    before,
                    after,
                    fixes,
                    stdin,
                });
            }
            Outcome::Skipped(name) => skipped.push(name),
            Outcome::Failed(l) => {
                tool_failed = true;
                linted.push(l);
            }
        }
    }
    let reports = lint::finish_run(linted);
    totals.files_skipped = skipped.len();
    for report in &reports {
        // Reports of unreadable paths and configurations are findings, not
        // checked files.
        let about_a_path = report.diagnostics.iter().any(|d| {
            matches!(
                d.rule.as_str(),
                "io-error" | "file-too-large" | "symlink-loop" | "config-error" | "internal-error"
            )
        });
        if about_a_path {
            totals.errors += report.count(Severity::Error);
            totals.warnings += report.count(Severity::Warning);
            totals.files_with_findings += 1;
        } else {
            totals.add(report);
        }
    }

    if args.diff {
        // Only the diff goes to standard output, as patch tools expect.
        let mut out = std::io::stdout().lock();
        for file in &fixed {
            let diff = similar::TextDiff::from_lines(&file.before, &file.after)
                .unified_diff()
                .header(&format!("a/{}", file.name), &format!("b/{}", file.name))
                .to_string();
            out.write_all(diff.as_bytes())
                .map_err(|e| format!("cannot write the diff: {e}"))?;
        }
        let count: usize = fixed.iter().map(|f| f.fixes).sum();
        let files = fixed.iter().filter(|f| f.fixes > 0).count();
        eprintln!(
            "{count} fix{} would be applied to {files} file{}",
            if count == 1 { "" } else { "es" },
            if files == 1 { "" } else { "s" }
        );
        return Ok(if tool_failed {
            ExitCode::from(2)
        } else if fixed.iter().all(|f| f.fixes == 0) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    if args.fix {
        let count: usize = fixed.iter().map(|f| f.fixes).sum();
        let files = fixed.iter().filter(|f| f.fixes > 0).count();
        if count > 0 {
            eprintln!(
                "fixed {count} problem{} in {files} file{}",
                if count == 1 { "" } else { "s" },
                if files == 1 { "" } else { "s" }
            );
        }
    }
    match fixed.iter().find(|f| f.stdin) {
        // With standard input, the fixed document is the output; the report
        // goes to standard error.
        Some(file) => {
            std::io::stdout()
                .lock()
                .write_all(file.after.as_bytes())
                .map_err(|e| format!("cannot write: {e}"))?;
            let mut text = String::new();
            let renderer = HumanRenderer::new(false, Some(100));
            for report in &reports {
                renderer.render(report, &mut text);
            }
            eprintln!("{text}{}", totals.summary());
        }
        None => write_report(args, &reports, &totals, &skipped)?,
    }

    Ok(if tool_failed {
        ExitCode::from(2)
    } else if totals.errors > 0
        || (args.deny_warnings && totals.warnings > 0)
        || args.max_warnings.is_some_and(|max| totals.warnings > max)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Print (or write to --output) the report in the chosen format.
fn write_report(args: &Args, reports: &[FileReport], totals: &Totals, skipped: &[String]) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let write_failed = |e: std::io::Error| format!("cannot write the report: {e}");
    let report = match args.format {
        Format::Json => json::render(reports),
        Format::Sarif => sarif::render(reports),
        Format::Github => github::render(reports),
        Format::Gitlab => gitlab::render(reports),
        Format::Junit => junit::render(reports),
        Format::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && (std::io::stdout().is_terminal()
                            || std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0"))
                }
            };
            let color = color && args.output.is_none();
            let width = if std::io::stdout().is_terminal() && args.output.is_none() {
                None
            } else {
                Some(100)
            };
            let renderer = HumanRenderer::new(color, width);
            // Code frames are the costly part of a large report: drawn in
            // parallel, joined in order.
            use rayon::prelude::*;
            let mut text = reports
                .par_iter()
                .filter(|report| !report.diagnostics.is_empty())
                .map(|report| {
                    let mut text = String::new();
                    renderer.render(report, &mut text);
                    text
                })
                .collect::<Vec<String>>()
                .concat();
            if args.verbose {
                for name in skipped {
                    text.push_str(&format!(
                        "skipped {name}: it does not look like a Marathon definition\n"
                    ));
                }
                if !skipped.is_empty() {
                    text.push_str(&format!(
                        "skipped {} .json file{} that do{} not look like Marathon definitions (name a file explicitly to lint it anyway)\n",
                        skipped.len(),
                        if skipped.len() == 1 { "" } else { "s" },
                        if skipped.len() == 1 { "es" } else { "" }
                    ));
                }
            }
            if args.output.is_none() {
                text.push_str(&totals.summary());
                text.push('\n');
            }
            text
        }
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, report.as_bytes())
                .map_err(|e| format!("cannot write {}: {}", path.display(), discover::io_message(&e)))?;
            out.write_all(format!("{}\n", totals.summary()).as_bytes())
                .map_err(write_failed)?;
        }
        None => out.write_all(report.as_bytes()).map_err(write_failed)?,
    }
    out.flush().map_err(write_failed)?;

    Ok(())
}

/// A broken `--config`: report it like any finding, and exit 2.
fn report_config_errors(args: &Args, reports: Vec<FileReport>) -> Result<ExitCode, String> {
    let mut totals = Totals::default();
    for report in &reports {
        totals.errors += report.count(Severity::Error);
        totals.files_with_findings += 1;
    }
    write_report(args, &reports, &totals, &[])?;
    Ok(ExitCode::from(2))
}

/// What a caught panic said.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Read and lint one input.
fn lint_one(
    args: &Args,
    input: &Input,
    path: &Path,
    linter: &Linter,
    skip_unrecognized: bool,
    max_bytes: u64,
) -> Outcome {
    let name = path.display().to_string();
    let read = match input {
        Input::Stdin => match read_limited(std::io::stdin().lock(), max_bytes, 0) {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(())) => Err(ReadError::TooLarge),
            Err(e) => Err(ReadError::Failed(format!(
                "cannot read standard input: {}",
                discover::io_message(&e)
            ))),
        },
        Input::File { path, .. } => read_file(path, max_bytes),
    };
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(ReadError::Failed(message)) => {
            return Outcome::Failed(Linted::without_document(path_report(&name, "io-error", message)))
        }
        Err(ReadError::TooLarge) => {
            let message = format!(
                "the file is larger than {} MiB, the limit for one definition; raise it with --max-file-size",
                args.max_file_size
            );
            return Outcome::Linted(Linted::without_document(path_report(&name, "file-too-large", message)));
        }
    };
    // A bug in one rule must not end the run: the file gets a finding and
    // the others are linted.
    let mut result = match crate::engine::lint_guarded(linter, &name, bytes) {
        Ok(result) => result,
        Err(message) => {
            return Outcome::Failed(Linted::without_document(path_report(&name, "internal-error", message)));
        }
    };
    if skip_unrecognized && !result.looks_like_marathon {
        return Outcome::Skipped(name);
    }
    if args.fix || args.diff {
        if let Some(outcome) = fix_file(args, input, &name, linter, &result) {
            return outcome;
        }
        // With --fix, standard input always comes back on standard output,
        // fixed or not, so the caller can pipe it.
        if args.fix && matches!(input, Input::Stdin) {
            let text = result.report.file.text.clone();
            return Outcome::Fixed {
                linted: result,
                name,
                before: text.clone(),
                after: text,
                fixes: 0,
                stdin: true,
            };
        }
    }
    // A clean file's text is not needed for the report: drop it now, so a
    // run's memory follows the largest file, not the number of files. (A
    // finding across files may bring it back: lint::finish_run re-reads it.)
    if result.report.diagnostics.is_empty() {
        if let Input::File { path, .. } = input {
            result.drop_text(path.clone());
        }
    }
    Outcome::Linted(result)
}

/// Apply fixes until nothing more changes (at most ten rounds), then lint
/// what is left. `None` when nothing was fixed.
fn fix_file(args: &Args, input: &Input, name: &str, linter: &Linter, first: &Linted) -> Option<Outcome> {
    // A file with a syntax error is never fixed.
    if !crate::engine::syntax_ok(&first.report.diagnostics) {
        return None;
    }
    let before = first.report.file.text.clone();
    let (text, fixes) = crate::engine::fix_until_stable(linter, name, &before, args.unsafe_fixes);
    if text == before {
        return None;
    }
    let mut linted = linter.lint_bytes(name, text.clone().into_bytes());
    let stdin = matches!(input, Input::Stdin);
    if args.fix {
        if let Input::File { path, .. } = input {
            if let Err(why) = crate::write_back::write_atomically(path, before.as_bytes(), &text) {
                let mut d = Diagnostic::at(
                    "fix-not-written",
                    "",
                    format!("fixes for {name} were not written: {why}"),
                );
                d.pointer = None;
                d.severity = crate::catalogue::severity_of("fix-not-written");
                let mut report = first_report(first);
                report.diagnostics.push(d);
                return Some(Outcome::Linted(Linted::without_document(report)));
            }
        }
    }
    linted.looks_like_marathon = true;
    Some(Outcome::Fixed {
        linted,
        name: name.to_string(),
        before,
        after: text,
        fixes,
        stdin,
    })
}

/// A copy of a lint's report (the original stays with its caller).
fn first_report(linted: &Linted) -> FileReport {
    FileReport {
        file: linted.report.file.clone(),
        diagnostics: linted.report.diagnostics.clone(),
    }
}

/// A file the fixes changed, for the summary, --diff and standard output.
struct FixedFile {
    name: String,
    before: String,
    after: String,
    fixes: usize,
    stdin: bool,
}

/// Why a file could not be linted.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// It could not be read (the message says why, in plain words).
    Failed(String),
    TooLarge,
}

/// Read at most `max` bytes; one more means the input is too large. This
/// also bounds what a FIFO or a growing file can make us hold.
fn read_limited(reader: impl std::io::Read, max: u64, size_hint: u64) -> std::io::Result<Result<Vec<u8>, ()>> {
    // Sized from the metadata: a growing buffer ends up to twice the file,
    // and files with findings keep their text until the report.
    let mut bytes = Vec::with_capacity(size_hint.min(max).saturating_add(1) as usize);
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(if bytes.len() as u64 > max { Err(()) } else { Ok(bytes) })
}

/// Read a discovered file, at most `max` bytes. Public so that tests can
/// reach the races a run cannot time (a file removed after discovery).
pub fn read_file(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let failed = |e: std::io::Error| ReadError::Failed(discover::io_message(&e));
    let meta = std::fs::metadata(path).map_err(failed)?;
    if !meta.is_file() {
        return Err(ReadError::Failed("not a regular file".to_string()));
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge);
    }
    let file = std::fs::File::open(path).map_err(failed)?;
    read_limited(file, max, meta.len())
        .map_err(failed)?
        .map_err(|()| ReadError::TooLarge)
}

/// A report for a path that could not be read or was not followed: no text,
/// no span.
fn path_report(name: &str, rule: &str, message: String) -> FileReport {
    let text = if rule == "symlink-loop" {
        format!("skipped {name}: {message}")
    } else {
        format!("cannot lint {name}: {message}")
    };
    let mut diagnostic = Diagnostic::at(rule, "", text);
    diagnostic.pointer = None;
    diagnostic.severity = crate::catalogue::severity_of(rule);
    FileReport {
        file: SourceFile::new(name, String::new()),
        diagnostics: vec![diagnostic],
    }
}
