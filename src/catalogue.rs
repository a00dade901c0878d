//! The rule catalogue: one Markdown file per rule in `rules/`, with TOML front
//! matter (id, severity, summary) and the documentation users read (what it
//! checks, why it matters, a failing and a passing example). The same format
//! serves built-in rules and, later, team policies.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::diagnostic::Severity;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// What kind of problem a rule reports. Errors of the `syntax`, `schema`
/// and `validation` categories claim that Marathon rejects the definition;
/// `deployment` errors that Marathon accepts it but it never deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A path could not be read or walked.
    File,
    /// The configuration or an app's suppression label is wrong.
    Config,
    /// The text is not strict JSON.
    Syntax,
    /// A value's type, range or place, from `schemas/`.
    Schema,
    /// Marathon's own validation, as its source has it.
    Validation,
    /// Marathon accepts it, but Mesos never places the task or the
    /// deployment hangs.
    Deployment,
    /// Accepted and deployable, but regretted in production.
    Practice,
    /// Problems between files linted together.
    Project,
    /// A team's own rule, loaded from a policy directory.
    Policy,
}

impl Category {
    /// An error of this category means Marathon answers the POST with an
    /// error.
    pub fn marathon_rejects(self) -> bool {
        matches!(self, Category::Syntax | Category::Schema | Category::Validation)
    }
}

/// The front matter of a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub severity: Severity,
    /// One line, shown in rule lists.
    pub summary: String,
    /// What kind of problem the rule reports.
    pub category: Category,
    /// Marathon or Mesos sources the rule mirrors.
    #[serde(default)]
    pub sources: Vec<String>,
    /// What the rule's fix does, starting with "safe:" or "unsafe:".
    #[serde(default)]
    pub fix: Option<String>,
    /// Policies: the message of their diagnostics (default: the summary).
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub meta: RuleMeta,
    /// The Markdown body after the front matter.
    pub body: String,
    /// Where it came from, for error messages (`rules/x.md`).
    pub origin: String,
}

/// Whether an example must trigger the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Fail,
    Pass,
}

/// A fenced code block tagged ```` ```json fail ```` or ```` ```json pass ````.
/// More words in the tag set what it is linted against, as the command-line
/// flags of the same names do: `agent-resources=...`, `marathon-version=1.4`,
/// `enable-features=secrets,gpu_resources`, `default-network-name=dcos`; and
/// `agents=COUNT|RESOURCES|ATTRIBUTES|HOSTS` (repeatable), `mesos-role=ROLE`
/// and `running=APP@HOST:PORT,...` describe the cluster; `vars=NAME:VALUE,...`
/// renders the example's template as `--vars` would; `method=put` sends it
/// as `--method` says; `encoding=latin1` lints its bytes as Latin-1 (the only way a Markdown file
/// can show a file that is not UTF-8), and `files` makes it several files.
#[derive(Debug, Clone)]
pub struct Example {
    pub expect: Expect,
    pub code: String,
    pub agent_resources: Option<String>,
    pub marathon_version: Option<String>,
    pub enable_features: Option<String>,
    pub default_network_name: Option<String>,
    /// `agents=COUNT|RESOURCES|ATTRIBUTES|HOST,HOST`: a class of agents, as
    /// `[[agents]]` writes it (repeatable; later parts optional).
    pub agents: Vec<String>,
    /// `mesos-role=ROLE`: Marathon's `--mesos_role`.
    pub mesos_role: Option<String>,
    /// `running=APP@HOST:PORT,...`: tasks of running apps holding host ports.
    pub running: Option<String>,
    /// `vars=NAME:VALUE,...`: the variables a `--vars` file would set.
    pub vars: Option<String>,
    /// `method=put`: how the example is sent (`--method`).
    pub method: Option<String>,
    pub latin1: bool,
    /// `no-templates`: placeholders are syntax errors (`templates = false`).
    pub no_templates: bool,
    /// `files`: the block is a JSON object mapping file names to documents,
    /// linted together in one run (for rules across files).
    pub files: bool,
    /// Words of the tag this catalogue does not know (a test rejects them).
    pub unknown_words: Vec<String>,
}

impl Example {
    /// The settings the example asks for, on top of the defaults.
    pub fn rule_options(&self) -> Result<crate::rules::RuleOptions, String> {
        let mut options = crate::rules::RuleOptions::default();
        if let Some(resources) = &self.agent_resources {
            let resources = crate::cluster::resources::parse(resources)?;
            options.cluster = std::sync::Arc::new(crate::cluster::Cluster {
                agents: std::sync::Arc::new(crate::cluster::Agents::assumed(resources, "agent-resources")),
                ..Default::default()
            });
        }
        if let Some(version) = &self.marathon_version {
            options.marathon_version = version.parse()?;
        }
        if let Some(features) = &self.enable_features {
            options.features = features.parse()?;
        }
        options.default_network_name = self.default_network_name.clone();
        options.mesos_role = self.mesos_role.clone();
        options.templates = !self.no_templates;
        if let Some(method) = &self.method {
            options.method = Some(method.parse()?);
        }
        if let Some(vars) = &self.vars {
            let pairs: Vec<(&str, &str)> = vars.split(',').filter_map(|pair| pair.split_once(':')).collect();
            options.vars = crate::template::Vars::new(vec![crate::template::VarsFile::inline("example.env", &pairs)]);
        }
        options.mesos_role_known = self.mesos_role.is_some();
        if !self.agents.is_empty() || self.running.is_some() {
            let mut builder = crate::cluster::ClusterBuilder::default();
            for (i, class) in self.agents.iter().enumerate() {
                let mut parts = class.split('|');
                let count: usize = parts
                    .next()
                    .and_then(|c| c.parse().ok())
                    .filter(|c| (1..=1_000_000).contains(c))
                    .ok_or_else(|| format!("agents={class}: start with the number of agents"))?;
                let resources = crate::cluster::resources::parse(parts.next().unwrap_or(""))?;
                let attributes = crate::cluster::attributes::Attributes::parse_text(parts.next().unwrap_or(""))?;
                let hostnames: Vec<String> = parts
                    .next()
                    .map(|h| h.split(',').map(str::to_string).collect())
                    .unwrap_or_default();
                builder.add_hand_written(
                    crate::cluster::HandWritten {
                        count,
                        resources,
                        attributes,
                        hostnames,
                        region: None,
                        zone: None,
                    },
                    format!("example agents #{}", i + 1),
                );
            }
            if let Some(running) = &self.running {
                let mut apps = Vec::new();
                for task in running.split(',') {
                    let (app, rest) = task
                        .split_once('@')
                        .ok_or_else(|| format!("running={task}: write APP@HOST:PORT"))?;
                    let (host, port) = rest
                        .split_once(':')
                        .ok_or_else(|| format!("running={task}: write APP@HOST:PORT"))?;
                    apps.push(crate::cluster::exports::ExportedApp {
                        id: app.to_string(),
                        pointer: String::new(),
                        definition: serde_json::Value::Null,
                        tasks: vec![crate::cluster::exports::RunningTask {
                            host: host.to_string(),
                            agent_id: None,
                            ports: vec![port
                                .parse()
                                .map_err(|_| format!("running={task}: the port is not a number"))?],
                        }],
                    });
                }
                builder
                    .add_export(crate::cluster::exports::Export::Apps(apps), "example")
                    .map_err(|e| e.message)?;
            }
            let mut cluster = crate::cluster::Cluster::default();
            builder.build().apply(&mut cluster);
            options.cluster = std::sync::Arc::new(cluster);
        }
        Ok(options)
    }

    /// The bytes of the file the example stands for.
    pub fn bytes(&self) -> Vec<u8> {
        if self.latin1 {
            // Characters beyond Latin-1 cannot be written in it; keep them as '?'.
            self.code
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect()
        } else {
            self.code.clone().into_bytes()
        }
    }
}

impl RuleDoc {
    pub fn parse(text: &str, origin: &str) -> Result<RuleDoc, String> {
        let rest = text
            .strip_prefix("+++\n")
            .ok_or_else(|| format!("{origin}: a rule file starts with a `+++` line opening its TOML front matter"))?;
        let (front, body) = rest
            .split_once("\n+++\n")
            .ok_or_else(|| format!("{origin}: the front matter is not closed by a `+++` line"))?;
        let meta: RuleMeta = toml::from_str(front).map_err(|e| format!("{origin}: {e}"))?;
        Ok(RuleDoc {
            meta,
            body: body.trim_start().to_string(),
            origin: origin.to_string(),
        })
    }

    pub fn examples(&self) -> Vec<Example> {
        use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
        let mut examples = Vec::new();
        let mut current: Option<Example> = None;
        for event in Parser::new(&self.body) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                    let mut words = info.split_whitespace();
                    if words.next() != Some("json") {
                        continue;
                    }
                    let mut example = Example {
                        expect: Expect::Pass,
                        code: String::new(),
                        agent_resources: None,
                        marathon_version: None,
                        enable_features: None,
                        default_network_name: None,
                        agents: Vec::new(),
                        mesos_role: None,
                        running: None,
                        vars: None,
                        method: None,
                        latin1: false,
                        no_templates: false,
                        files: false,
                        unknown_words: Vec::new(),
                    };
                    let mut tagged = false;
                    for word in words {
                        match word {
                            "fail" => (example.expect, tagged) = (Expect::Fail, true),
                            "pass" => (example.expect, tagged) = (Expect::Pass, true),
                            "encoding=latin1" => example.latin1 = true,
                            "no-templates" => example.no_templates = true,
                            "files" => example.files = true,
                            _ => {
                                let (key, value) = word.split_once('=').unwrap_or((word, ""));
                                if key == "agents" {
                                    example.agents.push(value.to_string());
                                    continue;
                                }
                                let slot = match key {
                                    "mesos-role" => &mut example.mesos_role,
                                    "running" => &mut example.running,
                                    "vars" => &mut example.vars,
                                    "method" => &mut example.method,
                                    "agent-resources" => &mut example.agent_resources,
                                    "marathon-version" => &mut example.marathon_version,
                                    "enable-features" => &mut example.enable_features,
                                    "default-network-name" => &mut example.default_network_name,
                                    _ => {
                                        example.unknown_words.push(word.to_string());
                                        continue;
                                    }
                                };
                                *slot = Some(value.to_string());
                            }
                        }
                    }
                    if tagged {
                        current = Some(example);
                    }
                }
                Event::Text(text) => {
                    if let Some(example) = &mut current {
                        example.code.push_str(&text);
                    }
                }
                Event::End(TagEnd::CodeBlock) => examples.extend(current.take()),
                _ => {}
            }
        }
        examples
    }
}

/// The built-in rules, parsed once.
pub fn builtin() -> &'static [RuleDoc] {
    static RULES: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    RULES.get_or_init(|| {
        RULE_FILES
            .iter()
            .map(|(name, text)| {
                // A malformed built-in entry is a build defect that the
                // catalogue tests catch; never ship one.
                RuleDoc::parse(text, &format!("rules/{name}")).unwrap_or_else(|e| panic!("{e}"))
            })
            .collect()
    })
}

/// The built-in rule `id`. Only its own file is parsed: a run with findings
/// looks up a few rules, and parsing the whole catalogue was a sixth of a
/// one-file run. (Each file is named after its rule; a test checks it.)
pub fn find(id: &str) -> Option<&'static RuleDoc> {
    static PARSED: OnceLock<Vec<OnceLock<RuleDoc>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| RULE_FILES.iter().map(|_| OnceLock::new()).collect());
    let index = RULE_FILES
        .binary_search_by(|(name, _)| name.bytes().cmp(id.bytes().chain(".md".bytes())))
        .ok()?;
    let (name, text) = RULE_FILES[index];
    let rule =
        parsed[index].get_or_init(|| RuleDoc::parse(text, &format!("rules/{name}")).unwrap_or_else(|e| panic!("{e}")));
    (rule.meta.id == id).then_some(rule)
}

/// The default severity of a built-in rule.
pub fn severity_of(id: &str) -> Severity {
    find(id).map_or(Severity::Error, |r| r.meta.severity)
}
