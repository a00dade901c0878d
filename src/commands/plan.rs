//! `marathon-lint plan PATH... --current EXPORT`: what deploying the
//! definitions would change on the running apps (`crate::plan`), for the
//! method each is sent with, as a readable diff, JSON or Markdown. Exit
//! status 0 when the plan is computed, 1 with `--fail-on-restart` when it
//! restarts tasks, 2 on bad input (which is reported, located, and no plan
//! is printed).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::Value;

use crate::cli::Color;
use crate::cluster::exports::Export;
use crate::config::{self, SettingsPatch};
use crate::deploy_method::Method;
use crate::diagnostic::FileReport;
use crate::discover::{self, Found, Input};
use crate::marathon_target::MarathonVersion;
use crate::model::{self, Kind};
use crate::plan::normalise::Context;
use crate::plan::{self, Body, Plan, Running};
use crate::report::human::HumanRenderer;
use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A readable diff per app.
    Human,
    /// One JSON document.
    Json,
    /// A pull-request comment.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Definitions to deploy: files, and directories searched for `.json`
    /// files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// The running apps: the output of `GET /v2/apps` (any `embed`),
    /// `GET /v2/apps/{id}` or `GET /v2/groups`.
    #[arg(long, value_name = "EXPORT")]
    pub current: PathBuf,

    /// How the definitions are sent (post, put, patch, put-replace).
    /// [default: the configuration's `method`, else put]
    #[arg(long, value_name = "METHOD")]
    pub method: Option<Method>,

    /// The Marathon version the definitions are sent to (its defaults).
    /// [default: 1.10, or the configuration's `marathon-version`]
    #[arg(long, value_name = "VERSION")]
    pub marathon_version: Option<MarathonVersion>,

    /// Render templates with this dotenv file first (repeatable).
    #[arg(long, value_name = "FILE")]
    pub vars: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,

    /// Exit with status 1 when the deploy would restart running tasks.
    #[arg(long)]
    pub fail_on_restart: bool,

    /// Use this configuration file instead of the closest marathon-lint.toml.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Ignore every marathon-lint.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// A problem with an input: reported, and no plan.
fn problem(file: &str, text: &str, span: Option<std::ops::Range<usize>>, message: String, help: &str) -> FileReport {
    FileReport::error("plan-input", file, text.to_string(), span, message, help)
}

impl Loaded {
    /// Where a JSON pointer's value is in the file as written (its template,
    /// when rendered).
    fn span_of(&self, pointer: &str) -> Option<std::ops::Range<usize>> {
        let source = self.rendered.as_ref().map_or(self.text.as_str(), |r| r.text.as_str());
        let (parsed, _) = crate::parse::parse(source).ok()?;
        let span = parsed.span_of(pointer, crate::diagnostic::Target::Key)?;
        Some(self.rendered.as_ref().map_or(span.clone(), |r| r.span(&span)))
    }
}

fn read_current(path: &Path) -> Result<(Running, usize, Option<MarathonVersion>), FileReport> {
    let export = crate::cluster::load_export(path)?;
    let name = path.display().to_string();
    let Export::Apps(apps) = export else {
        return Err(FileReport::config_error(
            &name,
            String::new(),
            None,
            format!(
                "{name} is a {} export, not Marathon's running apps: `plan` compares with GET /v2/apps or GET /v2/groups",
                export.kind()
            ),
            "curl -fsS \"$MARATHON_URL/v2/apps\" -o current.json",
        ));
    };
    let count = apps.len();
    // Which Marathon wrote it, as far as its shape tells.
    let era = |keys: &[&str]| {
        apps.iter().any(|a| {
            a.definition
                .as_object()
                .is_some_and(|m| keys.iter().any(|k| m.contains_key(*k)))
        })
    };
    let shape = if era(&["networks", "role"]) {
        Some(MarathonVersion::V1_5)
    } else if era(&["storeUrls", "uris", "ports"]) {
        Some(MarathonVersion::V1_4)
    } else {
        None
    };
    let running = Running::new(apps.into_iter().filter_map(|app| match app.definition {
        Value::Object(map) => Some((app.id, map)),
        _ => None,
    }));
    Ok((running, count, shape))
}

/// The definitions of one file, or why they cannot be planned.
struct Loaded {
    name: String,
    text: String,
    /// The text rendered with `--vars`, when it was.
    rendered: Option<crate::template::Rendered>,
    value: Value,
    context: Context,
    method: Method,
    method_set: bool,
}

fn load(
    path: &Path,
    explicit: bool,
    configs: &mut config::Resolver,
    flags: &SettingsPatch,
) -> Result<Option<Loaded>, FileReport> {
    let name = path.display().to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let config = configs.for_dir(&dir).map_err(|mut reports| reports.remove(0))?;
    if !explicit && !config.selects(path) {
        return Ok(None);
    }
    let settings = config.resolved_settings(path, flags).0;
    let bytes = crate::cli::read_input(path, 64 << 20)
        .map_err(|why| problem(&name, "", None, format!("cannot read {name}: {why}"), "check the path"))?;
    let (text, encoding) = crate::parse::decode(bytes);
    if let Some(d) = encoding {
        return Err(FileReport {
            file: SourceFile::new(name, text),
            diagnostics: vec![d],
        });
    }
    let options = &settings.options;
    let rendered = if options.vars.is_empty() {
        None
    } else {
        crate::template::render(&text, &options.vars)
    };
    // Spans found in the rendered text, located in the template.
    let in_template = |span: std::ops::Range<usize>| rendered.as_ref().map_or(span.clone(), |r| r.span(&span));
    let source = rendered.as_ref().map_or(text.as_str(), |r| r.text.as_str());
    let scan = crate::template::scan_around(source, &rendered.as_ref().map(|r| r.values()).unwrap_or_default());
    if let Some(range) = scan.not_lintable.map(|(r, _)| r).or(scan.variables.first().cloned()) {
        return Err(problem(
            &name,
            &text,
            Some(in_template(range)),
            format!("{name} is a template: `plan` needs the definition Marathon will receive"),
            "give the variables (--vars FILE) or plan the rendered file",
        ));
    }
    let value = match crate::parse::parse(source) {
        Ok((parsed, _)) => parsed.value.clone(),
        Err(mut syntax) => {
            let mut d = syntax.remove(0);
            d.span = d.span.map(in_template);
            return Err(FileReport {
                file: SourceFile::new(name, text),
                diagnostics: vec![d],
            });
        }
    };
    if !explicit && !model::looks_like_marathon(&value) {
        return Ok(None);
    }
    Ok(Some(Loaded {
        context: Context {
            version: options.marathon_version,
            mesos_role: options.mesos_role.clone().unwrap_or_else(|| "*".to_string()),
            default_network_name: options.default_network_name.clone(),
            bridge_name: options.mesos_bridge_name.clone(),
        },
        method: options.method.unwrap_or(Method::Put),
        method_set: options.method.is_some(),
        name,
        text,
        rendered,
        value,
    }))
}

/// Why Marathon refuses a group body's structure: a group without an id
/// below the top, or an id that is not a child of its group ("Identifier is
/// not child of", Group.scala:336 at 1.10.26; GroupUpdate.scala:16,91 at
/// 1.4.13), or an app and a group of one id.
fn group_structure_problem(definitions: &[model::Definition<'_>]) -> Option<String> {
    let mut groups = BTreeSet::new();
    let mut apps = BTreeSet::new();
    for d in definitions
        .iter()
        .filter(|d| !model::is_body(&d.pointer) || d.kind == Kind::Group)
    {
        if d.pointer.is_empty() {
            continue;
        }
        let Some(id) = &d.id else {
            if d.kind == Kind::Group {
                return Some(
                    "a group of the body has no `id`: Marathon refuses the body (\"No group id was given!\")".into(),
                );
            }
            continue;
        };
        let parent = id
            .rsplit_once('/')
            .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
        if parent != d.parent_id {
            return Some(format!(
                "{id} is not a child of its group {}: Marathon refuses the body (\"Identifier is not child of '{}'\")",
                d.parent_id, d.parent_id
            ));
        }
        if d.kind == Kind::Group {
            groups.insert(id.clone());
        } else {
            apps.insert(id.clone());
        }
    }
    groups.intersection(&apps).next().map(|id| {
        format!("{id} is both an app and a group: Marathon refuses the body (\"Groups and Applications may not have the same identifier\")")
    })
}

/// The plan of the loaded files.
fn compute(loaded: &[Loaded], running: &Running) -> Result<Plan, Vec<FileReport>> {
    let mut problems = Vec::new();
    let mut bodies = Vec::new();
    let mut groups = Vec::new();
    for file in loaded {
        let definitions = model::definitions(&file.value);
        // The group a file's apps are sent with: the document, if a group.
        let root_group = definitions
            .first()
            .filter(|d| d.kind == Kind::Group && d.pointer.is_empty())
            .map(|d| d.id.clone().unwrap_or_else(|| "/".to_string()));
        // Bodies the method cannot carry.
        let list_of_groups =
            matches!(&file.value, Value::Array(_)) && definitions.iter().any(|d| d.kind == Kind::Group);
        let refused = match (&file.value, root_group.is_some(), file.method) {
            _ if list_of_groups => Some("a list holds apps (PUT /v2/apps); send each group on its own, with PUT /v2/groups/{id}"),
            (Value::Array(_), _, Method::Post) => Some("POST /v2/apps takes one app, not a list: send each app, or use PUT /v2/apps"),
            (_, true, Method::Patch) if file.method_set => Some(
                "a group body is sent with PUT /v2/groups/{id} (or POST /v2/groups); PATCH /v2/groups changes only `enforceRole`",
            ),
            _ => None,
        };
        if let Some(why) = refused {
            problems.push(problem(
                &file.name,
                &file.text,
                file.span_of(""),
                why.to_string(),
                "plan it with the method it is sent with (--method, or `method` in marathon-lint.toml)",
            ));
            continue;
        }
        // A group body with `version` or `scaleBy` next to anything but its
        // id is refused whole (GroupUpdate.scala:86 at 1.4.13, Group.scala:329
        // at 1.10.26): a saved GET /v2/groups.
        let group_refused = definitions
            .iter()
            .filter(|d| d.kind == Kind::Group)
            .filter_map(|d| d.value.as_object())
            .find_map(|group| {
                ["version", "scaleBy"].into_iter().find(|k| {
                    group.get(*k).is_some_and(|v| !v.is_null())
                        && group.iter().any(|(other, v)| !v.is_null() && !matches!(other.as_str(), "id" | "version" | "scaleBy"))
                })
            })
            .map(|k| format!("the group body has `{k}` next to other members: Marathon refuses it (422, \"not allowed in conjunction with other properties\"); remove `{k}` (a saved GET /v2/groups carries `version`)"))
            .or_else(|| group_structure_problem(&definitions));
        // Marathon 1.9+ gives the apps of a top-level group body that name
        // no role the group's name when the body enforces it, else its
        // default role (GroupNormalization.scala:50-66 at 1.10.26).
        let default_role = root_group
            .as_deref()
            .filter(|g| g.matches('/').count() == 1 && *g != "/")
            .map(|group| {
                let enforce = file.value.get("enforceRole").and_then(Value::as_bool).unwrap_or(false);
                if enforce {
                    group.trim_start_matches('/').to_string()
                } else {
                    file.context.mesos_role.clone()
                }
            });
        for definition in &definitions {
            let Value::Object(map) = definition.value else {
                problems.push(problem(
                    &file.name,
                    &file.text,
                    file.span_of(&definition.pointer),
                    "this is not an app: an app is a JSON object".to_string(),
                    "send an app, a list of apps or a group",
                ));
                continue;
            };
            if definition.kind == Kind::Group {
                // POST /v2/groups creates, or is refused: it removes nothing;
                // nor does a refused body.
                if file.method == Method::Post || group_refused.is_some() {
                    continue;
                }
                groups.push((
                    definition.id.clone().unwrap_or_else(|| "/".to_string()),
                    map,
                    file.name.clone(),
                    root_group.clone().unwrap_or_else(|| "/".to_string()),
                ));
                continue;
            }
            let Some(id) = definition.id.clone() else {
                problems.push(problem(
                    &file.name,
                    &file.text,
                    file.span_of(&definition.pointer),
                    "this app has no `id`: `plan` cannot tell which running app it is".to_string(),
                    "add the app's `id` (the one in the URL it is sent to)",
                ));
                continue;
            };
            bodies.push(Body {
                file: file.name.clone(),
                pointer: definition.pointer.clone(),
                app: map,
                id,
                parent_id: definition.parent_id.clone(),
                group: if model::is_body(&definition.pointer) {
                    None
                } else {
                    root_group.clone()
                },
                method: file.method,
                context: file.context.clone(),
                refused: group_refused.clone(),
                default_role: default_role.clone(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // An app sent twice: which one runs depends on the order of the
    // deploys, which the plan cannot know.
    let mut first: std::collections::BTreeMap<&str, &Body<'_>> = std::collections::BTreeMap::new();
    for body in &bodies {
        if let Some(earlier) = first.insert(&body.id, body) {
            let file = loaded.iter().find(|f| f.name == body.file);
            problems.push(problem(
                &body.file,
                file.map_or("", |f| f.text.as_str()),
                file.and_then(|f| f.span_of(&body.pointer)),
                format!(
                    "{} is defined twice (also in {}): which one runs depends on the order they are sent in",
                    body.id, earlier.file
                ),
                "plan one of them at a time",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let defined: BTreeSet<String> = bodies.iter().map(|b| b.id.clone()).collect();
    let mut seen = BTreeSet::new();
    let mut plan = Plan {
        // Group bodies are PUT whatever the method.
        method_assumed: bodies.iter().any(|b| b.group.is_none())
            && loaded.iter().any(|f| {
                !f.method_set
                    && !matches!(f.value, Value::Object(ref m) if m.contains_key("apps") || m.contains_key("groups"))
            }),
        version: loaded.first().map(|f| f.context.version),
        ..Plan::default()
    };
    for body in &bodies {
        if !seen.insert(body.id.clone()) {
            continue;
        }
        plan.apps.push(plan::plan_app(body, running));
    }
    for (group_id, group, file, sent_to) in groups {
        for mut removed in plan::removed_by_group(&group_id, group, &file, running, &defined) {
            removed.request = format!("PUT /v2/groups{}", if sent_to == "/" { "" } else { &sent_to });
            if seen.insert(removed.id.clone()) {
                plan.apps.push(removed);
            }
        }
    }
    Ok(plan)
}

/// Print located problems to standard error; exit status 2.
fn report_problems(reports: &[FileReport], color: bool) -> ExitCode {
    let renderer = HumanRenderer::new(color, Some(100));
    let mut text = String::new();
    for report in reports {
        renderer.render(report, &mut text);
    }
    eprint!("{text}");
    eprintln!("marathon-lint plan: no plan: fix the input above");
    ExitCode::from(2)
}

pub fn run(args: &PlanArgs) -> Result<ExitCode, String> {
    let color = crate::cli::color_enabled(args.color);
    let vars = match args
        .vars
        .iter()
        .map(|p| crate::template::vars::load(p))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(vars) => vars,
        Err(report) => return Ok(report_problems(&[report], color)),
    };
    let flags = SettingsPatch {
        marathon_version: args.marathon_version,
        method: args.method,
        vars: crate::template::Vars::new(vars),
        origin: "the command line".to_string(),
        ..SettingsPatch::default()
    };
    let mut configs = match config::Resolver::new(args.config.as_deref(), args.no_config) {
        Ok(configs) => configs,
        Err(reports) => return Ok(report_problems(&reports, color)),
    };
    let (running, count, shape) = match read_current(&args.current) {
        Ok(current) => current,
        Err(report) => return Ok(report_problems(&[report], color)),
    };
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for found in discover::discover(&args.paths) {
        match found {
            Found::Input(Input::File { path, explicit }) => match load(&path, explicit, &mut configs, &flags) {
                Ok(Some(file)) => loaded.push(file),
                Ok(None) => {}
                Err(report) => problems.push(report),
            },
            Found::Input(Input::Stdin) => {
                return Err("`plan` reads definitions from files, not standard input".to_string());
            }
            Found::Problem(p) if p.fatal => problems.push(problem(
                &p.path.display().to_string(),
                "",
                None,
                format!("cannot read {}: {}", p.path.display(), p.message),
                "check the path",
            )),
            Found::Problem(p) => eprintln!("marathon-lint: {}: {}", p.path.display(), p.message),
        }
    }
    if !problems.is_empty() {
        return Ok(report_problems(&problems, color));
    }
    let mut plan = match compute(&loaded, &running) {
        Ok(plan) => plan,
        Err(reports) => return Ok(report_problems(&reports, color)),
    };
    plan.current = args.current.display().to_string();
    plan.running = count;
    // Defaults differ between releases: an export of another release than
    // the one planned for shows them as changes.
    match (shape, plan.version) {
        (Some(MarathonVersion::V1_4), Some(v)) if v >= MarathonVersion::V1_5 => plan.notes.push(format!(
            "the export looks written by Marathon 1.4 (`ports`, `uris`, `storeUrls`), but the plan is for {v}: give --marathon-version if that is the server"
        )),
        (Some(MarathonVersion::V1_5), Some(MarathonVersion::V1_4)) => plan.notes.push(
            "the export looks written by Marathon 1.5 or later (`networks`, `role`), but the plan is for 1.4: give --marathon-version if that is the server".to_string(),
        ),
        _ => {}
    }
    let text = match args.format {
        PlanFormat::Human => crate::plan::output::human(&plan, color),
        PlanFormat::Json => {
            let mut text = serde_json::to_string_pretty(&crate::plan::output::to_json(&plan))
                .map_err(|e| format!("cannot write the plan: {e}"))?;
            text.push('\n');
            text
        }
        PlanFormat::Markdown => crate::plan::output::markdown(&plan),
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| format!("cannot write the plan: {e}"))?;
    Ok(if args.fail_on_restart && plan.restarts() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
