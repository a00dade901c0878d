//! The command line: parse arguments, discover inputs, lint them, report,
//! and pick the exit status (0 clean, 1 errors found, 2 could not do the job).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{self, SettingsPatch};
use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::discover::{self, Found, Input};
use crate::editor_schema::SchemaKind;
use crate::lint::{Linted, Linter};
use crate::marathon_target::{Features, MarathonVersion};
use crate::ordered_output::{Checked, CheckedFile, OrderedOutput, Redo};
use crate::project_rules::Source;
pub use crate::report::Format;
use crate::report::{human::HumanRenderer, Counts, Fragment, Renderer, ReportWriter, Totals};
use crate::rule_docs;
use crate::source::SourceFile;

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
    /// Print the cluster the linter believes in for a path: agent classes
    /// with counts, roles, port ranges and attributes, Marathon's settings
    /// and where each came from, and the host ports running apps hold.
    Cluster {
        /// The file (or directory) whose cluster to show.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[command(flatten)]
        settings: Args,
    },
    /// Show what deploying the definitions would change on the running apps
    /// of a GET /v2/apps (or /v2/groups) export, for the method they are sent
    /// with: per app created, changed (old and new values), unchanged,
    /// removed or refused; the fields a merge keeps; and whether tasks
    /// restart or only scale.
    Plan(crate::commands::plan::PlanArgs),
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
    /// agent's --resources flag, e.g. "cpus:8;mem:4096;ports(*):[31000-32000]"
    /// (roles and Mesos' JSON form are accepted): one class of agents. Without
    /// ports, agents offer Mesos' default [31000-32000].
    #[arg(long, value_name = "RESOURCES")]
    pub agent_resources: Option<String>,

    /// A cluster export to judge placement against (repeatable): Mesos
    /// /master/state, /master/slaves or an agent's /state; Marathon /v2/info
    /// or /v2/apps. Recognised by shape.
    #[arg(long, value_name = "PATH")]
    pub cluster: Vec<PathBuf>,

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

    /// Report and fail only on findings not in this baseline (written by
    /// --write-baseline); replaces the configuration's `baseline`.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the findings of this run in FILE, keyed by file, rule, JSON
    /// pointer and message (not lines), and exit 0. With --baseline, keep
    /// only its entries that still match: the baseline shrinks.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Read template placeholders (`${VAR}`, `{{ var }}`) as the syntax
    /// errors they are in rendered JSON, for repositories that lint their
    /// rendered output (like `templates = false` in marathon-lint.toml).
    #[arg(long)]
    pub no_templates: bool,

    /// Render templates with the variables of this dotenv file (KEY=VALUE
    /// lines; repeatable, a later file wins) before linting: `${VAR}` and
    /// `$VAR` are substituted, findings point into the template, and a
    /// variable no file sets is an error. Adds to `vars` in marathon-lint.toml.
    #[arg(long, value_name = "FILE")]
    pub vars: Vec<PathBuf>,

    /// How the definitions are sent to Marathon: post (POST /v2/apps), put
    /// (PUT /v2/apps/{id}, which merges into the running app), patch, or
    /// put-replace (PUT ?partialUpdate=false). Rules then follow that method
    /// exactly. [default: none: report what any method rejects, or the
    /// configuration's `method`]
    #[arg(long, value_name = "METHOD")]
    pub method: Option<crate::deploy_method::Method>,

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
        Some(Command::Cluster { path, settings }) => show_cluster(path, settings),
        Some(Command::Migrate { paths, diff }) => migrate(paths, *diff),
        Some(Command::Plan(args)) => crate::commands::plan::run(args),
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

/// Whether human output to standard output is coloured: `--color`, then
/// NO_COLOR, a terminal, and CLICOLOR_FORCE.
pub fn color_enabled(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && (std::io::stdout().is_terminal() || std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0"))
        }
    }
}

/// Why the command line's settings could not be read.
pub enum FlagError {
    /// A bad value: the message.
    Message(String),
    /// Cluster exports that could not be read: reports on them.
    Reports(Vec<FileReport>),
}

/// What the command line sets, which beats every configuration file.
pub fn flags_patch(args: &Args) -> Result<SettingsPatch, FlagError> {
    let mut cluster = crate::cluster::load_layer(&args.cluster, Vec::new()).map_err(FlagError::Reports)?;
    if let Some(text) = &args.agent_resources {
        let resources = crate::cluster::resources::parse(text)
            .map_err(|e| FlagError::Message(format!("--agent-resources: {e}")))?;
        if cluster.agents.is_some() {
            return Err(FlagError::Message(
                "--agent-resources and the agents of a --cluster export both describe the agents: give one".to_string(),
            ));
        }
        cluster.agents = Some(Arc::new(crate::cluster::Agents::assumed(
            resources,
            "--agent-resources",
        )));
    }
    let vars = args
        .vars
        .iter()
        .map(|path| crate::template::vars::load(path))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|r| FlagError::Reports(vec![r]))?;
    let baseline = match (&args.baseline, &args.write_baseline) {
        (Some(path), _) => Some(Arc::new(
            crate::baseline::Baseline::load(path).map_err(|r| FlagError::Reports(vec![r]))?,
        )),
        (None, Some(path)) => Some(Arc::new(crate::baseline::Baseline::empty(path))),
        (None, None) => None,
    };
    Ok(SettingsPatch {
        marathon_version: args.marathon_version,
        features: args.enable_features,
        default_network_name: args.default_network_name.clone(),
        cluster,
        origin: "the command line".to_string(),
        baseline,
        templates: args.no_templates.then_some(false),
        vars: crate::template::Vars::new(vars),
        method: args.method,
        ..SettingsPatch::default()
    })
}

/// Report a flag problem: a message (exit 2), or located reports.
fn flag_error(args: &Args, error: FlagError) -> Result<ExitCode, String> {
    match error {
        FlagError::Message(message) => Err(message),
        FlagError::Reports(reports) => report_config_errors(args, reports),
    }
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
            crate::parse::parse(&text).is_ok_and(|(parsed, _)| crate::model::looks_like_marathon(&parsed.value));
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
    let (config, flags) = match config_and_flags(path, args) {
        Ok(found) => found,
        Err(code) => return code,
    };
    print(&config::describe(&config, path, &flags))
}

/// `marathon-lint cluster PATH`: the cluster facts rules judge against.
fn show_cluster(path: &Path, args: &Args) -> Result<ExitCode, String> {
    let (config, flags) = match config_and_flags(path, args) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let settings = crate::commands::cluster::settings(&config, path, &flags);
    if args.format == Format::Json {
        let mut text = serde_json::to_string_pretty(&crate::commands::cluster::to_json(path, &settings))
            .map_err(|e| format!("cannot write JSON: {e}"))?;
        text.push('\n');
        print(&text)
    } else {
        print(&crate::commands::cluster::to_text(path, &config, &settings))
    }
}

/// The configuration for `path` and the flags, or the exit of a broken one.
fn config_and_flags(
    path: &Path,
    args: &Args,
) -> Result<(Arc<config::Config>, SettingsPatch), Result<ExitCode, String>> {
    let flags = flags_patch(args).map_err(|e| flag_error(args, e))?;
    let mut configs =
        config::Resolver::new(args.config.as_deref(), args.no_config).map_err(|r| report_config_errors(args, r))?;
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let config = configs.for_dir(&dir).map_err(|r| report_config_errors(args, r))?;
    Ok((config, flags))
}

/// One entry of a run, in output order: already decided (an unreadable path,
/// a broken configuration), or a file to read and lint.
enum Item {
    Done(Linted),
    Lint {
        input: Input,
        path: PathBuf,
        linter: Arc<Linter>,
        /// Skip it when it does not look like a Marathon definition.
        skip_unrecognized: bool,
    },
}

/// What every linting thread needs to know of the run.
struct RunContext<'a> {
    args: &'a Args,
    renderer: &'a Renderer,
    max_bytes: u64,
    /// Whether the rules across files run (not with --diff, which writes
    /// no report).
    rules_across_files: bool,
}

/// Where the report goes, and in which format.
struct Destination {
    renderer: Renderer,
    sink: Box<dyn Write + Send>,
    /// With --fix on standard input, standard output is the fixed document
    /// and the report (human) goes to standard error.
    to_stderr: bool,
}

fn destination(args: &Args) -> Result<Destination, String> {
    let fix_stdin = args.fix && args.paths.iter().any(|p| p.as_os_str() == "-");
    if fix_stdin {
        return Ok(Destination {
            renderer: Renderer::new(Format::Human, HumanRenderer::new(false, Some(100))),
            sink: Box::new(std::io::stderr()),
            to_stderr: true,
        });
    }
    let color = color_enabled(args.color) && args.output.is_none();
    let width = if std::io::stdout().is_terminal() && args.output.is_none() {
        None
    } else {
        Some(100)
    };
    let renderer = Renderer::new(args.format, HumanRenderer::new(color, width));
    let sink: Box<dyn Write + Send> = match &args.output {
        // Created now and written as the run goes, like a shell redirection.
        Some(path) if !args.diff => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {}", path.display(), discover::io_message(&e)))?;
            Box::new(std::io::BufWriter::new(file))
        }
        _ => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    Ok(Destination {
        renderer,
        sink,
        to_stderr: false,
    })
}

/// The closing lines of a report: skipped files (--verbose), then the
/// summary when it goes with the report.
fn trailer(args: &Args, format: Format, with_summary: bool, totals: &Totals, skipped: &[String]) -> String {
    let mut text = String::new();
    if format != Format::Human {
        return text;
    }
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
    if with_summary {
        text.push_str(&totals.summary());
        text.push('\n');
    }
    text
}

fn execute(args: &Args) -> Result<ExitCode, String> {
    // Compiling the app schema is most of a one-file run: start it on the
    // other core while this one finds, reads and parses the files. Nothing
    // waits for it unless an app needs it.
    std::thread::spawn(crate::schema::warm_up);
    // SARIF marks what a baseline holds (`baselineState`) rather than
    // leaving it out.
    crate::baseline::keep_marked(args.format == Format::Sarif);
    let flags = match flags_patch(args) {
        Ok(flags) => flags,
        Err(e) => return flag_error(args, e),
    };
    let max_bytes = args.max_file_size.saturating_mul(1024 * 1024);
    let mut gitignores = discover::Gitignores::default();
    let mut linters: std::collections::HashMap<usize, Arc<Linter>> = std::collections::HashMap::new();
    let mut configs = match config::Resolver::new(args.config.as_deref(), args.no_config) {
        Ok(resolver) => resolver,
        Err(reports) => return report_config_errors(args, reports),
    };
    let Destination {
        renderer,
        sink,
        to_stderr,
    } = destination(args)?;
    // The report being written is not an input, should a walk come across it.
    let report_file = args.output.as_deref().and_then(|p| std::fs::canonicalize(p).ok());
    let is_report_file = |path: &Path| {
        report_file.as_deref().is_some_and(|report| {
            path.file_name() == report.file_name() && std::fs::canonicalize(path).is_ok_and(|p| p == report)
        })
    };

    // Discovery and configuration are stateful, so each found file is
    // planned in order (one item, none when filtered out, or the reports of
    // a broken configuration); planning runs inside the iterator that the
    // linting threads pull from, so it overlaps the linting.
    let mut planning_failed = false;
    // The baselines of this run's files, to say at the end what they held back.
    let mut baselines: Vec<Arc<crate::baseline::Baseline>> = Vec::new();
    let plan = |found: Found| -> Vec<Item> {
        let input = match found {
            Found::Input(input) => input,
            Found::Problem(problem) => {
                planning_failed |= problem.fatal;
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
        if matches!(input, Input::File { explicit: false, .. }) && is_report_file(&path) {
            return Vec::new();
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let config = match configs.for_dir(&dir) {
            Ok(config) => config,
            Err(reports) => {
                // A broken configuration: report it once, lint nothing under it.
                planning_failed = true;
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
                .entry(Arc::as_ptr(&config) as usize)
                .or_insert_with(|| Arc::new(crate::engine::linter_for(&config, &path, &flags)))
                .clone()
        } else {
            Arc::new(crate::engine::linter_for(&config, &path, &flags))
        };
        // A template-named file found while walking is for a configuration
        // that reads templates.
        if filtered && !linter.options.templates && discover::is_template_name(&path) {
            return Vec::new();
        }
        if let Some(baseline) = &linter.baseline {
            if !baselines.iter().any(|b| Arc::ptr_eq(b, baseline)) {
                baselines.push(baseline.clone());
            }
        }
        vec![Item::Lint {
            input,
            path,
            linter,
            skip_unrecognized: filtered,
        }]
    };

    let format = renderer.format;
    let context = RunContext {
        args,
        renderer: &renderer,
        max_bytes,
        rules_across_files: !args.diff,
    };
    let writer = ReportWriter::new(if args.diff { Format::Github } else { format }, sink);
    let output = OrderedOutput::new(&renderer, writer, !args.diff, args.verbose);
    let mut found = discover::discover(&args.paths);
    let head: Vec<Found> = found.by_ref().take(2).collect();
    // One file (a pre-commit hook on a small commit) does not need the
    // thread pool started.
    let single = head.len() <= 1;
    let items = head.into_iter().chain(found).flat_map(plan).enumerate();
    let finished = if single {
        let mut output = output;
        for (i, item) in items {
            output.accept(i, check_item(&context, item));
        }
        finish_output(args, format, to_stderr, output)
    } else {
        // Reading and linting in parallel; each outcome is handed to the
        // ordered output as it is done, which writes it once every input
        // before it is written, so the output is the same whatever the
        // thread count.
        use rayon::prelude::*;
        let output = std::sync::Mutex::new(output);
        items.par_bridge().for_each(|(i, item)| {
            let checked = check_item(&context, item);
            output.lock().unwrap_or_else(|e| e.into_inner()).accept(i, checked);
        });
        let output = output.into_inner().unwrap_or_else(|e| e.into_inner());
        finish_output(args, format, to_stderr, output)
    };
    let tool_failed = finished.tool_failed || planning_failed;
    let totals = finished.totals;
    finished.written.map_err(|e| format!("cannot write the report: {e}"))?;
    if let Some(code) = finish_baselines(args, &flags, &baselines, tool_failed)? {
        return Ok(code);
    }

    if args.diff {
        let (count, files) = (finished.fixes, finished.files_fixed);
        eprintln!(
            "{count} fix{} would be applied to {files} file{}",
            if count == 1 { "" } else { "es" },
            if files == 1 { "" } else { "s" }
        );
        return Ok(if tool_failed {
            ExitCode::from(2)
        } else if count == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    if args.fix && finished.fixes > 0 {
        let (count, files) = (finished.fixes, finished.files_fixed);
        eprintln!(
            "fixed {count} problem{} in {files} file{}",
            if count == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" }
        );
    }
    if let Some(fixed) = &finished.fixed_stdin {
        std::io::stdout()
            .lock()
            .write_all(fixed.as_bytes())
            .map_err(|e| format!("cannot write: {e}"))?;
    } else if args.output.is_some() {
        // The report went to the file; the summary still comes here.
        print(&format!("{}\n", totals.summary()))?;
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

/// Say what the baselines held back and which entries no longer match;
/// with --write-baseline, write the file and end the run (exit 0).
fn finish_baselines(
    args: &Args,
    flags: &SettingsPatch,
    baselines: &[Arc<crate::baseline::Baseline>],
    tool_failed: bool,
) -> Result<Option<ExitCode>, String> {
    if let (Some(path), Some(baseline)) = (&args.write_baseline, &flags.baseline) {
        std::fs::write(path, baseline.to_text()).map_err(|e| {
            format!(
                "cannot write the baseline {}: {}",
                path.display(),
                discover::io_message(&e)
            )
        })?;
        eprintln!("baseline written to {}", path.display());
        return Ok(Some(if tool_failed {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        }));
    }
    for baseline in baselines {
        let (held, stale) = (baseline.matched(), baseline.stale());
        if held > 0 || stale > 0 {
            eprintln!(
                "baseline: {held} known finding{} not reported{}",
                if held == 1 { "" } else { "s" },
                if stale > 0 {
                    format!(
                        "; {stale} entr{} no longer match: rewrite it with --baseline FILE --write-baseline FILE to drop them",
                        if stale == 1 { "y" } else { "ies" }
                    )
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(None)
}

fn finish_output<W: Write>(
    args: &Args,
    format: Format,
    to_stderr: bool,
    output: OrderedOutput<'_, W>,
) -> crate::ordered_output::Finished<W> {
    let with_summary = to_stderr || args.output.is_none();
    output.finish(|totals, skipped| trailer(args, format, with_summary && !args.diff, totals, skipped))
}

/// A broken `--config`: report it like any finding, and exit 2.
fn report_config_errors(args: &Args, reports: Vec<FileReport>) -> Result<ExitCode, String> {
    let mut totals = Totals::default();
    for report in &reports {
        totals.errors += report.count(Severity::Error);
        totals.files_with_findings += 1;
    }
    let Destination { renderer, sink, .. } = destination(args)?;
    let mut writer = ReportWriter::new(renderer.format, sink);
    for report in &reports {
        writer.write(renderer.fragment(report));
    }
    let summary = trailer(args, renderer.format, args.output.is_none(), &totals, &[]);
    writer
        .finish(&summary)
        .map_err(|e| format!("cannot write the report: {e}"))?;
    if args.output.is_some() {
        print(&format!("{}\n", totals.summary()))?;
    }
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

fn check_item(context: &RunContext<'_>, item: Item) -> Checked {
    match item {
        Item::Done(linted) => finished_file(context, linted, None),
        Item::Lint {
            input,
            path,
            linter,
            skip_unrecognized,
        } => lint_one(context, &input, &path, linter, skip_unrecognized),
    }
}

/// A file's report drawn for the output; its apps kept for the rules across
/// files, with a way to lint it again should they find something.
fn finished_file(context: &RunContext<'_>, mut linted: Linted, redo: Option<Redo>) -> Checked {
    let apps = if context.rules_across_files {
        std::mem::take(&mut linted.apps)
    } else {
        Vec::new()
    };
    let later = context.rules_across_files && linted.suppresses_rules_across_files();
    let redo = redo.filter(|_| later || !apps.is_empty());
    if later && redo.is_some() {
        return Checked::File(Box::new(CheckedFile {
            fragment: None,
            apps,
            redo,
            ..CheckedFile::drawn(Fragment::Text(String::new()), Counts::default())
        }));
    }
    linted.settle();
    let mut file = CheckedFile::drawn(context.renderer.fragment(&linted.report), Counts::of(&linted.report));
    file.apps = if redo.is_some() { apps } else { Vec::new() };
    file.redo = redo;
    Checked::File(Box::new(file))
}

fn failed_file(context: &RunContext<'_>, report: FileReport) -> Checked {
    let mut file = CheckedFile::drawn(context.renderer.fragment(&report), Counts::of(&report));
    file.failed = true;
    Checked::File(Box::new(file))
}

/// Read and lint one input.
fn lint_one(
    context: &RunContext<'_>,
    input: &Input,
    path: &Path,
    linter: Arc<Linter>,
    skip_unrecognized: bool,
) -> Checked {
    let args = context.args;
    let max_bytes = context.max_bytes;
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
        Err(ReadError::Failed(message)) => return failed_file(context, path_report(&name, "io-error", message)),
        Err(ReadError::TooLarge) => {
            let message = format!(
                "the file is larger than {} MiB, the limit for one definition; raise it with --max-file-size",
                args.max_file_size
            );
            let report = path_report(&name, "file-too-large", message);
            return finished_file(context, Linted::without_document(report), None);
        }
    };
    // A bug in one rule must not end the run: the file gets a finding and
    // the others are linted.
    let result = match crate::engine::lint_guarded(&linter, &name, bytes) {
        Ok(result) => result,
        Err(message) => return failed_file(context, path_report(&name, "internal-error", message)),
    };
    if skip_unrecognized && !result.looks_like_marathon {
        return Checked::Skipped(name);
    }
    let stdin = matches!(input, Input::Stdin);
    let redo = |linted: &Linted| Redo {
        name: name.clone(),
        source: match input {
            Input::Stdin => Source::Memory(linted.report.file.clone()),
            Input::File { path, .. } => Source::Disk(path.clone()),
        },
        linter: linter.clone(),
        max_bytes,
    };
    if !(args.fix || args.diff) {
        let redo = redo(&result);
        return finished_file(context, result, Some(redo));
    }
    match fix_file(args, input, &name, &linter, &result) {
        Fixed::Not if args.diff => Checked::File(Box::new(CheckedFile::drawn(
            Fragment::Text(String::new()),
            Counts::default(),
        ))),
        Fixed::Not => {
            // With --fix, standard input always comes back on standard
            // output, fixed or not, so the caller can pipe it.
            let text = stdin.then(|| result.report.file.text.clone());
            let redo = redo(&result);
            with_fixes(finished_file(context, result, Some(redo)), 0, text)
        }
        Fixed::NotWritten(report) => {
            // Still held against the baseline, as every settled report is.
            let mut linted = Linted::without_document(report);
            linted.baseline = linter.baseline.clone();
            finished_file(context, linted, None)
        }
        Fixed::Text { before, after, fixes } if args.diff => {
            let diff = similar::TextDiff::from_lines(&before, &after)
                .unified_diff()
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string();
            let file = CheckedFile {
                fixes,
                ..CheckedFile::drawn(Fragment::Text(diff), Counts::default())
            };
            Checked::File(Box::new(file))
        }
        Fixed::Text { after, fixes, .. } => {
            let mut linted = linter.lint_bytes(&name, after.clone().into_bytes());
            linted.looks_like_marathon = true;
            let redo = redo(&linted);
            with_fixes(
                finished_file(context, linted, Some(redo)),
                fixes,
                stdin.then_some(after),
            )
        }
    }
}

fn with_fixes(checked: Checked, fixes: usize, fixed_stdin: Option<String>) -> Checked {
    match checked {
        Checked::File(mut file) => {
            file.fixes = fixes;
            file.fixed_stdin = fixed_stdin;
            Checked::File(file)
        }
        skipped => skipped,
    }
}

/// What fixing a file gave.
enum Fixed {
    /// Nothing to fix (or a syntax error, which is never fixed).
    Not,
    /// The fixed text (written already with --fix).
    Text {
        before: String,
        after: String,
        fixes: usize,
    },
    /// The fixes could not be written: the first report and why.
    NotWritten(FileReport),
}

/// Apply fixes until nothing more changes (at most ten rounds); with --fix,
/// write the result.
fn fix_file(args: &Args, input: &Input, name: &str, linter: &Linter, first: &Linted) -> Fixed {
    // A file with a syntax error is never fixed.
    if !crate::engine::syntax_ok(&first.report.diagnostics) {
        return Fixed::Not;
    }
    let before = first.report.file.text.clone();
    let (text, fixes) = crate::engine::fix_until_stable(linter, name, &before, args.unsafe_fixes);
    if text == before {
        return Fixed::Not;
    }
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
                let mut diagnostics = first.report.diagnostics.clone();
                diagnostics.push(d);
                return Fixed::NotWritten(FileReport {
                    file: first.report.file.clone(),
                    diagnostics,
                });
            }
        }
    }
    Fixed::Text {
        before,
        after: text,
        fixes,
    }
}

/// Why a file could not be linted.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// It could not be read (the message says why, in plain words).
    Failed(String),
    TooLarge,
}

/// Read a file that is an input but not a definition (an export, a
/// variables file): its bytes, or why not, in plain words.
pub fn read_input(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    read_file(path, max).map_err(|e| match e {
        ReadError::Failed(why) => why,
        ReadError::TooLarge => format!("it is larger than {} MiB", max >> 20),
    })
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
    let file = open_without_blocking(path).map_err(failed)?;
    // Checked on the open file: cheaper than looking the path up again.
    let meta = file.metadata().map_err(failed)?;
    if !meta.is_file() {
        return Err(ReadError::Failed("not a regular file".to_string()));
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge);
    }
    if meta.len() > 0 {
        // Read the size the file has now, in one read: no second read to
        // find the end. (A file that grows meanwhile is read as it was.)
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(meta.len()).read_to_end(&mut bytes).map_err(failed)?;
        return Ok(bytes);
    }
    // Files that report no size may still have contents.
    read_limited(file, max, 0)
        .map_err(failed)?
        .map_err(|()| ReadError::TooLarge)
}

/// Open a file for reading without waiting: a FIFO would wait for a writer
/// before `open` returns; without blocking it opens at once and the caller
/// refuses it as not a regular file. On regular files the flag changes
/// nothing.
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// A report for a path that could not be read or was not followed: no text,
/// no span.
pub(crate) fn path_report(name: &str, rule: &str, message: String) -> FileReport {
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
