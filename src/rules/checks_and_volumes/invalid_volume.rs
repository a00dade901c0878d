//! `invalid-volume`: the `container.volumes` entries Marathon refuses. Host
//! volumes without a `hostPath`, persistent volumes Mesos cannot reserve,
//! external volumes the DVDI provider refuses (or that need the
//! `external_volumes` feature), and secret volumes that need the `secrets`
//! feature or name no declared secret.

use serde_json::{Map, Value};

use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::marathon_target::{feature_hint, MarathonVersion};
use crate::rules::{AppContext, Rule};

pub struct InvalidVolume;

const ID: &str = "invalid-volume";

const DRIVER: &str = "dvdi/driver";

/// Marathon's `LabelPattern`: `[a-z0-9](?:[-a-z0-9]*[a-z0-9])?`.
fn is_label(text: &str) -> bool {
    let bytes = text.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !bytes.is_empty() && edge(&bytes[0]) && edge(&bytes[bytes.len() - 1]) && bytes.iter().all(|b| edge(b) || *b == b'-')
}

/// Marathon's `OptionKeyRegex`: a label, `/`, then
/// `[A-Za-z0-9](?:[-A-Za-z0-9._:]*[A-Za-z0-9])?`.
fn is_option_key(key: &str) -> bool {
    let Some((namespace, name)) = key.split_once('/') else {
        return false;
    };
    let bytes = name.as_bytes();
    let edge = |b: &u8| b.is_ascii_alphanumeric();
    is_label(namespace)
        && !bytes.is_empty()
        && edge(&bytes[0])
        && edge(&bytes[bytes.len() - 1])
        && bytes.iter().all(|b| edge(b) || b"-._:".contains(b))
}

/// A regular expression Java's `Pattern.compile` certainly refuses: a
/// quantifier with nothing before it, unbalanced parentheses or an unclosed
/// character class. Anything subtler is given the benefit of the doubt.
fn certainly_bad_regex(pattern: &str) -> Option<&'static str> {
    if pattern.starts_with(['*', '+', '?']) {
        return Some("it starts with a quantifier");
    }
    let mut depth: i64 = 0;
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => {
                in_class = true;
                // `[]...]` and `[^]...]` take the `]` literally.
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    chars.next();
                }
            }
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => {
                depth -= 1;
                if depth < 0 {
                    return Some("it has an unmatched `)`");
                }
            }
            _ => {}
        }
    }
    if in_class {
        Some("its character class `[` is never closed")
    } else if depth > 0 {
        Some("it has an unclosed `(`")
    } else {
        None
    }
}

fn string<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    map.get(key).and_then(Value::as_str)
}

fn present(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key).is_some_and(|v| !v.is_null())
}

struct Volumes<'a, 'v> {
    app: &'a AppContext<'v>,
    out: &'a mut Vec<Diagnostic>,
    version: MarathonVersion,
    /// The container's engine (`DOCKER` when `type` is missing).
    mesos: bool,
}

impl Volumes<'_, '_> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }

    fn host(&mut self, at: &str, volume: &Map<String, Value>) {
        if present(volume, "hostPath") {
            return;
        }
        let (what, help) = if present(volume, "secret") {
            // 1.4's reader requires `mode` before anything is validated
            // (Formats.scala:281 at v1.4.13): that is the first answer.
            let answer = if present(volume, "mode") {
                "reads it as a host volume without a `hostPath` and rejects the app (\"must not be empty\" at hostPath)"
            } else {
                "requires `mode` on every volume and rejects the app first for that (\"Invalid JSON\": \"error.path.missing\" at mode), then reads it as a host volume without a `hostPath` (\"must not be empty\")"
            };
            (
                format!("a secret volume, which Marathon 1.4 does not know: it {answer}"),
                "secret volumes need Marathon 1.5 or later; on 1.4 pass the secret through `env` instead".to_string(),
            )
        } else {
            let unknown: Vec<&str> = volume
                .keys()
                .map(String::as_str)
                .filter(|k| !["containerPath", "hostPath", "mode", "persistent", "external", "secret"].contains(k))
                .collect();
            let why = if unknown.is_empty() {
                String::new()
            } else {
                format!(
                    " (Marathon ignores {})",
                    unknown.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                )
            };
            let answer = if self.version < MarathonVersion::V1_5 {
                "\"must not be empty\" at hostPath"
            } else {
                "\"not defined\" at hostPath"
            };
            (
                format!(
                    "this volume has no `hostPath`, `persistent`, `external` or `secret`, so Marathon reads it as a \
                     host volume without a `hostPath`{why} and rejects the app ({answer})"
                ),
                "set `hostPath` to the agent path to mount, or fix the spelling of `hostPath`, `persistent` or `external`"
                    .to_string(),
            )
        };
        self.push(
            Diagnostic::at(ID, at, what)
                .target(Target::Opening)
                .label("volume without hostPath")
                .help(help),
        );
    }

    fn persistent(&mut self, at: &str, volume: &Map<String, Value>) {
        if self.version < MarathonVersion::V1_5 {
            for other in ["hostPath", "external"] {
                if present(volume, other) {
                    self.push(
                        Diagnostic::at(
                            ID,
                            pointer_join(at, other),
                            format!(
                                "a persistent volume cannot also have `{other}`: Marathon 1.4 rejects the app while \
                                 reading it (\"{other} may not be set with persistent\")"
                            ),
                        )
                        .target(Target::Key)
                        .label("not with persistent")
                        .help(format!("remove `{other}`, or make this a separate volume")),
                    );
                }
            }
        }
        if let Some(mode) = string(volume, "mode").filter(|m| !m.eq_ignore_ascii_case("RW")) {
            self.push(
                Diagnostic::at(
                    ID,
                    pointer_join(at, "mode"),
                    format!("a persistent volume must be mounted read-write, not `{mode}`: Marathon rejects the app"),
                )
                .label("must be RW")
                .help("set `\"mode\": \"RW\"`"),
            );
        }
        self.container_path_segment(at, volume, "a persistent volume");
        let Some(Value::Object(info)) = volume.get("persistent") else {
            return;
        };
        let info_at = pointer_join(at, "persistent");
        let kind = string(info, "type").unwrap_or("root").to_ascii_lowercase();
        if present(info, "maxSize") {
            if kind != "mount" {
                self.push(
                    Diagnostic::at(
                        ID,
                        pointer_join(&info_at, "maxSize"),
                        format!(
                            "only `mount` persistent volumes can have a maxSize, and this one is `{kind}`: Marathon \
                             rejects the app (\"Only mount volumes can have maxSize\")"
                        ),
                    )
                    .target(Target::Key)
                    .label("maxSize on a non-mount volume")
                    .help("remove `maxSize`, or set `\"type\": \"mount\"`"),
                );
            }
            let (max, size) = (
                info.get("maxSize").and_then(Value::as_u64),
                info.get("size").and_then(Value::as_u64),
            );
            if let (Some(max), Some(size)) = (max, size) {
                if max <= size {
                    self.push(
                        Diagnostic::at(
                            ID,
                            pointer_join(&info_at, "maxSize"),
                            format!(
                                "maxSize {max} is not larger than size {size}: Marathon rejects the app (\"Max size \
                                 must be larger than size\")"
                            ),
                        )
                        .label("not above size")
                        .related(pointer_join(&info_at, "size"), Target::Value, "size")
                        .help("make maxSize larger than size, or remove it"),
                    );
                }
            }
        }
        let Some(Value::Array(constraints)) = info.get("constraints") else {
            return;
        };
        if constraints.is_empty() {
            return;
        }
        if kind == "root" {
            self.push(
                Diagnostic::at(
                    ID,
                    pointer_join(&info_at, "constraints"),
                    "a root persistent volume (the default type) cannot have constraints: Marathon rejects the app \
                     (\"Constraints on root volumes are not supported\")",
                )
                .target(Target::Key)
                .label("constraints on a root volume")
                .help("set `\"type\": \"path\"` or `\"mount\"`, or remove the constraints"),
            );
        }
        for (j, constraint) in constraints.iter().enumerate() {
            let c_at = pointer_join(&pointer_join(&info_at, "constraints"), j);
            let Some(parts) = constraint
                .as_array()
                .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
            else {
                continue; // the schema reports the shape
            };
            let problem = match parts.as_slice() {
                ["path", "LIKE" | "UNLIKE", value] => {
                    certainly_bad_regex(value).map(|why| format!("`{value}` is not a valid regular expression ({why})"))
                }
                ["path", op, ..] if !["LIKE", "UNLIKE"].contains(op) => Some(format!(
                    "operator `{op}` is not supported here: Marathon answers \"Operator must be one of LIKE, UNLIKE\""
                )),
                ["path", _] => Some("LIKE and UNLIKE need a regular expression value".to_string()),
                [field, ..] if *field != "path" => Some(format!(
                    "field `{field}` is not supported here; `path` is the only field a volume constraint can have"
                )),
                _ => None,
            };
            if let Some(problem) = problem {
                self.push(
                    Diagnostic::at(
                        ID,
                        c_at,
                        format!("this persistent-volume constraint is invalid: {problem}; Marathon rejects the app"),
                    )
                    .label("invalid volume constraint")
                    .help("volume constraints have the form `[\"path\", \"LIKE\" or \"UNLIKE\", \"<regex>\"]`"),
                );
            }
        }
    }

    /// `containerPath` of a persistent (and 1.4 Mesos external) volume: one
    /// relative path segment, not `.` or `..`.
    fn container_path_segment(&mut self, at: &str, volume: &Map<String, Value>, what: &str) {
        let Some(path) = string(volume, "containerPath") else {
            return;
        };
        let problem = if path == "." || path == ".." {
            format!("`{path}` (Marathon answers \"can not be one of (.,..)\")")
        } else if path.contains('/') {
            format!("`{path}`, which contains `/` (Marathon answers \"value must not contain \\\"/\\\"\")")
        } else {
            return;
        };
        self.push(
            Diagnostic::at(
                ID,
                pointer_join(at, "containerPath"),
                format!(
                    "the containerPath of {what} must be a single relative directory name, not {problem}; Marathon \
                     rejects the app"
                ),
            )
            .label("not a single relative name")
            .help("use a relative name such as `data`; it is created in the task's sandbox"),
        );
    }

    fn external(&mut self, at: &str, volume: &Map<String, Value>) {
        let ext_at = pointer_join(at, "external");
        if !self.app.options.features.external_volumes {
            self.push(
                Diagnostic::at(
                    ID,
                    &ext_at,
                    format!(
                        "external volumes are a feature Marathon must be told to enable: {} (it answers \"Feature \
                         external_volumes is not enabled. Enable with --enable_features external_volumes)\")",
                        feature_hint("external_volumes")
                    ),
                )
                .target(Target::Key)
                .label("needs the external_volumes feature")
                .help("start Marathon with --enable_features external_volumes, or use a host or persistent volume"),
            );
        }
        let Some(Value::Object(info)) = volume.get("external") else {
            return;
        };
        if let Some(name) = string(info, "name").filter(|n| !is_label(n)) {
            self.push(
                Diagnostic::at(
                    ID,
                    pointer_join(&ext_at, "name"),
                    format!(
                        "external volume name `{name}` is not a valid label: Marathon requires lower-case letters, \
                         digits and inner dashes (`^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$`) and rejects the app"
                    ),
                )
                .label("not a label")
                .help("rename the volume with lower-case letters, digits and dashes only"),
            );
        }
        let options = info.get("options").and_then(Value::as_object);
        let options_at = pointer_join(&ext_at, "options");
        for key in options.into_iter().flat_map(|o| o.keys()) {
            if !is_option_key(key) {
                self.push(
                    Diagnostic::at(
                        ID,
                        pointer_join(&options_at, key),
                        format!(
                            "option `{key}` is not of the form `<provider>/<name>`: Marathon rejects the app (the key \
                             must match `^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?/[A-Za-z0-9](?:[-A-Za-z0-9._:]*[A-Za-z0-9])?$`)"
                        ),
                    )
                    .target(Target::Key)
                    .label("bad option key")
                    .help("prefix provider options with the provider's name, e.g. `dvdi/driver`"),
                );
            }
        }
        let Some(provider) = string(info, "provider") else {
            return;
        };
        if provider != "dvdi" {
            let csi_known = self.version >= MarathonVersion::new(9).unwrap_or(MarathonVersion::NEWEST);
            if provider == "csi" && csi_known {
                return;
            }
            self.push(
                Diagnostic::at(
                    ID,
                    pointer_join(&ext_at, "provider"),
                    format!(
                        "`{provider}` is not a volume provider Marathon {} knows (it knows `dvdi`{}): it rejects the \
                         app with \"is unknown provider\"",
                        self.version,
                        if csi_known { " and `csi`" } else { "" }
                    ),
                )
                .label("unknown provider")
                .help("use `\"provider\": \"dvdi\"` with a `dvdi/driver` option (e.g. rexray)"),
            );
            return;
        }
        self.dvdi(at, volume, info, options);
    }

    fn dvdi(
        &mut self,
        at: &str,
        volume: &Map<String, Value>,
        info: &Map<String, Value>,
        options: Option<&Map<String, Value>>,
    ) {
        let ext_at = pointer_join(at, "external");
        let options_at = pointer_join(&ext_at, "options");
        let option = |key: &str| options.and_then(|o| o.get(key)).and_then(Value::as_str);
        match option(DRIVER) {
            None if !options.is_some_and(|o| o.contains_key(DRIVER)) => {
                let (pointer, target) = if options.is_some() {
                    (options_at.clone(), Target::Opening)
                } else {
                    (ext_at.clone(), Target::Opening)
                };
                self.push(
                    Diagnostic::at(
                        ID,
                        pointer,
                        "this dvdi volume has no `dvdi/driver` option: Marathon rejects the app (\"not defined\" at \
                         external/options(\"dvdi/driver\"))",
                    )
                    .target(target)
                    .label("no dvdi/driver")
                    .help("add `\"options\": {\"dvdi/driver\": \"rexray\"}` (or the Docker volume driver you use)"),
                );
            }
            Some(driver) if !is_label(driver) => self.push(
                Diagnostic::at(
                    ID,
                    pointer_join(&options_at, DRIVER),
                    format!(
                        "dvdi/driver `{driver}` is not a valid label (lower-case letters, digits and inner dashes): \
                         Marathon rejects the app"
                    ),
                )
                .label("not a label")
                .help("name the Docker volume driver in lower case, e.g. `rexray`"),
            ),
            _ => {}
        }
        if option(DRIVER) == Some("rexray") {
            for key in ["dvdi/volumetype", "dvdi/newfstype"] {
                if let Some(value) = option(key).filter(|v| !is_label(v)) {
                    self.push(
                        Diagnostic::at(
                            ID,
                            pointer_join(&options_at, key),
                            format!("rexray option {key} `{value}` is not a valid label (lower-case letters, digits and inner dashes): Marathon rejects the app"),
                        )
                        .label("not a label")
                        .help("use a lower-case value such as `gp2` or `xfs`"),
                    );
                }
            }
            if let Some(value) = option("dvdi/iops").filter(|v| !v.parse::<i64>().is_ok_and(|n| n > 0)) {
                self.push(
                    Diagnostic::at(
                        ID,
                        pointer_join(&options_at, "dvdi/iops"),
                        format!(
                            "rexray option dvdi/iops `{value}` is not a positive whole number: Marathon rejects the app \
                             (\"Expected a valid, positive integer instead of {value}\")"
                        ),
                    )
                    .label("not a positive integer")
                    .help("give the IOPS as a positive whole number in a string, e.g. `\"100\"`, or leave it out"),
                );
            }
            if let Some(value) = option("dvdi/overwritefs")
                .filter(|v| !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false"))
            {
                self.push(
                    Diagnostic::at(
                        ID,
                        pointer_join(&options_at, "dvdi/overwritefs"),
                        format!("rexray option dvdi/overwritefs `{value}` is not a boolean: Marathon rejects the app (\"Expected a valid boolean\")"),
                    )
                    .label("not a boolean")
                    .help("use `\"true\"` or leave the option out"),
                );
            }
        }
        let path = string(volume, "containerPath");
        if self.mesos {
            if let Some(mode) = string(volume, "mode").filter(|m| !m.eq_ignore_ascii_case("RW")) {
                self.push(
                    Diagnostic::at(
                        ID,
                        pointer_join(at, "mode"),
                        format!(
                            "with the Mesos containerizer a dvdi volume must be mounted read-write, not `{mode}`: \
                             Marathon rejects the app"
                        ),
                    )
                    .label("must be RW")
                    .help("set `\"mode\": \"RW\"`"),
                );
            }
            if self.version < MarathonVersion::V1_5 {
                self.container_path_segment(at, volume, "a dvdi volume of a Mesos container in Marathon 1.4");
                return;
            }
        } else {
            if present(info, "size") {
                self.push(
                    Diagnostic::at(
                        ID,
                        pointer_join(&ext_at, "size"),
                        "a dvdi volume of a Docker container cannot have a size (Docker volumes must exist before \
                         the task starts): Marathon rejects the app (\"must be undefined for Docker containers\")",
                    )
                    .target(Target::Key)
                    .label("size with a Docker container")
                    .help("remove `size` and create the volume beforehand, or use the Mesos containerizer"),
                );
            }
            let others: Vec<&String> = options
                .into_iter()
                .flat_map(|o| o.keys())
                .filter(|k| *k != DRIVER)
                .collect();
            if let Some(first) = others.first() {
                self.push(
                    Diagnostic::at(
                        ID,
                        pointer_join(&options_at, first),
                        format!(
                            "a dvdi volume of a Docker container takes no option but dvdi/driver, and this one has {}: \
                             Marathon rejects the app (\"must only contain dvdi/driver\")",
                            others.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .target(Target::Key)
                    .label("not allowed with Docker")
                    .help("remove the other options, or use the Mesos containerizer"),
                );
            }
        }
        if let Some(path @ ("." | "..")) = path {
            self.push(
                Diagnostic::at(
                    ID,
                    pointer_join(at, "containerPath"),
                    format!(
                        "the containerPath of an external volume cannot be `{path}`: Marathon rejects the app (\"can not \
                         be one of (.,..)\")"
                    ),
                )
                .label("not a directory name")
                .help("mount the volume at a named directory"),
            );
        }
    }

    fn secret(&mut self, at: &str, volume: &Map<String, Value>) {
        let secret_at = pointer_join(at, "secret");
        if !self.app.options.features.secrets {
            self.push(
                Diagnostic::at(
                    ID,
                    &secret_at,
                    format!(
                        "secret volumes are a feature Marathon must be told to enable: {} (it answers \"Feature \
                         secrets is not enabled. Enable with --enable_features secrets)\")",
                        feature_hint("secrets")
                    ),
                )
                .target(Target::Key)
                .label("needs the secrets feature")
                .help("start Marathon with --enable_features secrets and a secrets plugin"),
            );
        }
        let Some(name) = string(volume, "secret") else {
            return;
        };
        let declared = self.app.app.get("secrets").and_then(Value::as_object);
        if declared.is_some_and(|s| s.contains_key(name)) {
            return;
        }
        let mut diagnostic = Diagnostic::at(
            ID,
            &secret_at,
            format!(
                "secret volume refers to `{name}`, which is not a key of the app's `secrets`: Marathon rejects the app \
                 (\"volume.secret must refer to an existing secret\")"
            ),
        )
        .label("undeclared secret")
        .help(format!(
            "declare it: `\"secrets\": {{\"{name}\": {{\"source\": \"<path in the secret store>\"}}}}`, or use the key of a declared secret"
        ));
        if declared.is_some() {
            diagnostic = diagnostic.related(self.app.field("/secrets"), Target::Key, "declared secrets");
        }
        self.push(diagnostic);
    }
}

impl Rule for InvalidVolume {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(Value::Array(volumes)) = app.app.at("/container/volumes") else {
            return;
        };
        let version = app.options.marathon_version;
        let mesos = app
            .app
            .at("/container/type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("MESOS"));
        let base = app.field("/container/volumes");
        let mut checker = Volumes {
            app,
            out,
            version,
            mesos,
        };
        for (i, volume) in volumes.iter().enumerate() {
            let Value::Object(map) = volume else {
                continue;
            };
            let at = pointer_join(&base, i);
            if present(map, "persistent") {
                checker.persistent(&at, map);
            } else if present(map, "external") {
                checker.external(&at, map);
            } else if present(map, "secret") && version >= MarathonVersion::V1_5 {
                checker.secret(&at, map);
            } else {
                checker.host(&at, map);
            }
        }
        duplicate_names(app, volumes, &base, out);
        if version < MarathonVersion::V1_5 {
            dvdi_app_rules(app, volumes, out);
        }
    }
}

fn external_name(volume: &Value, dvdi_only: bool) -> Option<&str> {
    let info = volume.get("external")?;
    if dvdi_only && info.get("provider").and_then(Value::as_str) != Some("dvdi") {
        return None;
    }
    info.get("name").and_then(Value::as_str)
}

/// Two external volumes of one app with the same name.
fn duplicate_names(app: &AppContext<'_>, volumes: &[Value], base: &str, out: &mut Vec<Diagnostic>) {
    let old = app.options.marathon_version < MarathonVersion::V1_5;
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (i, volume) in volumes.iter().enumerate() {
        let Some(name) = external_name(volume, old) else {
            continue;
        };
        if let Some(&(_, first)) = seen.iter().find(|(n, _)| *n == name) {
            let answer = if old {
                format!(
                    "\"Requested DVDI volume '{name}' is declared more than once within app {}\"",
                    app.id.unwrap_or("<id>")
                )
            } else {
                "\"Volume names must be unique\"".to_string()
            };
            out.push(
                Diagnostic::at(
                    ID,
                    format!("{base}/{i}/external/name"),
                    format!("external volume `{name}` is declared twice in this app: Marathon rejects it ({answer})"),
                )
                .label("same name again")
                .related(
                    format!("{base}/{first}/external/name"),
                    Target::Value,
                    "first declared here",
                )
                .help("mount each external volume once; give the second one its own name"),
            );
        } else {
            seen.push((name, i));
        }
    }
}

/// Marathon 1.4's DVDI provider treats an app with DVDI volumes like a
/// resident app: one instance, and an upgrade that never over-provisions.
fn dvdi_app_rules(app: &AppContext<'_>, volumes: &[Value], out: &mut Vec<Diagnostic>) {
    if !volumes.iter().any(is_dvdi) {
        return;
    }
    if let Some(instances) = app.app.get("instances").and_then(Value::as_u64).filter(|&n| n > 1) {
        out.push(
            Diagnostic::at(
                ID,
                app.field("/instances"),
                format!(
                    "an app with dvdi external volumes may run only one instance, and this one asks for {instances}: \
                     Marathon 1.4 rejects it (\"Number of instances is limited to 1 when declaring DVDI volumes in \
                     app [...]\")"
                ),
            )
            .label("more than 1 instance")
            .help("set `\"instances\": 1` (each instance would need its own volume)"),
        );
    }
    if let Some(over) = app
        .app
        .at("/upgradeStrategy/maximumOverCapacity")
        .and_then(Value::as_f64)
        .filter(|&o| o != 0.0)
    {
        out.push(
            Diagnostic::at(
                ID,
                app.field("/upgradeStrategy/maximumOverCapacity"),
                format!(
                    "an app with dvdi external volumes must not over-provision during upgrades, and this one sets \
                     maximumOverCapacity {over}: Marathon 1.4 rejects it (\"got {over}, expected 0.0\")"
                ),
            )
            .label("must be 0")
            .help("set `\"maximumOverCapacity\": 0` (the default for such apps), so the old task releases the volume first"),
        );
    }
}

fn is_dvdi(volume: &Value) -> bool {
    crate::model::at(volume, "/external/provider").and_then(Value::as_str) == Some("dvdi")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon_target::Features;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn options(version: MarathonVersion, features: &str) -> RuleOptions {
        RuleOptions {
            marathon_version: version,
            features: features.parse::<Features>().unwrap(),
            ..RuleOptions::default()
        }
    }

    fn pointers(app: Value, version: MarathonVersion, features: &str) -> Vec<String> {
        run_rule(&InvalidVolume, app, &options(version, features))
            .into_iter()
            .map(|d| d.pointer.unwrap())
            .collect()
    }

    fn app(container_type: &str, volumes: Value) -> Value {
        let mut app = json!({"id": "/a", "cmd": "sleep 100", "instances": 1,
            "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 0},
            "container": {"type": container_type, "volumes": volumes}});
        if container_type == "DOCKER" {
            app["container"]["docker"] = json!({"image": "x:1"});
        }
        app
    }

    const NEW: MarathonVersion = MarathonVersion::NEWEST;
    const OLD: MarathonVersion = MarathonVersion::V1_4;

    #[test]
    fn host_volumes_need_a_host_path() {
        let typo = app(
            "MESOS",
            json!([{"containerPath": "var", "persistent_WRONG_FIELD_NAME": {"size": 10}, "mode": "RW"}]),
        );
        let found = run_rule(&InvalidVolume, typo, &RuleOptions::default());
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`persistent_WRONG_FIELD_NAME`"));
        let fine = app(
            "DOCKER",
            json!([{"containerPath": "/data", "hostPath": "/srv/data", "mode": "RO"}]),
        );
        assert!(pointers(fine, NEW, "").is_empty());
    }

    #[test]
    fn persistent_volumes() {
        let bad = app(
            "MESOS",
            json!([
                {"containerPath": "a/b", "mode": "RO", "persistent": {"size": 10}},
                {"containerPath": "..", "mode": "RW", "persistent": {"size": 10, "maxSize": 5}},
                {"containerPath": "c", "mode": "RW", "persistent": {"size": 10, "type": "mount", "maxSize": 10,
                    "constraints": [["path", "LIKE", "(ssd"], ["path", "UNIQUE", "x"], ["rack", "LIKE", "x"]]}},
                {"containerPath": "d", "mode": "RW", "persistent": {"size": 10, "constraints": [["path", "LIKE", "ssd"]]}}
            ]),
        );
        assert_eq!(
            pointers(bad, NEW, ""),
            vec![
                "/container/volumes/0/mode",
                "/container/volumes/0/containerPath",
                "/container/volumes/1/containerPath",
                "/container/volumes/1/persistent/maxSize",
                "/container/volumes/1/persistent/maxSize",
                "/container/volumes/2/persistent/maxSize",
                "/container/volumes/2/persistent/constraints/0",
                "/container/volumes/2/persistent/constraints/1",
                "/container/volumes/2/persistent/constraints/2",
                "/container/volumes/3/persistent/constraints",
            ]
        );
        let good = app(
            "MESOS",
            json!([{"containerPath": ".hidden", "mode": "RW", "persistent": {"size": 10, "type": "path",
                "constraints": [["path", "LIKE", "^/mnt/ssd[0-9]+$"]]}}]),
        );
        assert!(pointers(good, NEW, "").is_empty());
    }

    #[test]
    fn external_volumes_need_the_feature_and_a_known_provider() {
        let vol = json!([{"containerPath": "var", "mode": "RW",
            "external": {"name": "foo", "provider": "acme", "size": 10}}]);
        assert_eq!(
            pointers(app("MESOS", vol.clone()), NEW, ""),
            vec![
                "/container/volumes/0/external",
                "/container/volumes/0/external/provider"
            ]
        );
        assert_eq!(
            pointers(app("MESOS", vol), NEW, "external_volumes"),
            vec!["/container/volumes/0/external/provider"]
        );
    }

    #[test]
    fn dvdi_rules_per_containerizer_and_version() {
        let mesos = |path: &str, options: Value| {
            app(
                "MESOS",
                json!([{"containerPath": path, "mode": "RW",
                "external": {"name": "namedfoo", "provider": "dvdi", "size": 10, "options": options}}]),
            )
        };
        let driver = json!({"dvdi/driver": "bar"});
        assert!(pointers(mesos("/var", driver.clone()), NEW, "external_volumes").is_empty());
        assert!(pointers(mesos("var/child", driver.clone()), NEW, "external_volumes").is_empty());
        assert_eq!(
            pointers(mesos("/var", driver.clone()), OLD, "external_volumes"),
            vec!["/container/volumes/0/containerPath"]
        );
        assert_eq!(
            pointers(mesos(".", driver), NEW, "external_volumes"),
            vec!["/container/volumes/0/containerPath"]
        );
        assert_eq!(
            pointers(
                mesos("var", json!({"dvdi/driver": "rexray", "dvdi/iops": "0"})),
                NEW,
                "external_volumes"
            ),
            vec!["/container/volumes/0/external/options/dvdi~1iops"]
        );

        let docker = |external: Value| {
            app(
                "DOCKER",
                json!([{"containerPath": "relative/path", "mode": "RW", "external": external}]),
            )
        };
        let fine = json!({"name": "namedfoo", "provider": "dvdi", "options": {"dvdi/driver": "bar"}});
        assert!(pointers(docker(fine), OLD, "external_volumes").is_empty());
        let no_driver = json!({"name": "namedfoo", "provider": "dvdi", "options": {}});
        assert_eq!(
            pointers(docker(no_driver), NEW, "external_volumes"),
            vec!["/container/volumes/0/external/options"]
        );
        let sized = json!({"name": "namedfoo", "provider": "dvdi", "size": 42,
            "options": {"dvdi/driver": "rexray", "dvdi/volumetype": "io1"}});
        assert_eq!(
            pointers(docker(sized), NEW, "external_volumes"),
            vec![
                "/container/volumes/0/external/size",
                "/container/volumes/0/external/options/dvdi~1volumetype"
            ]
        );
    }

    #[test]
    fn names_must_be_unique_and_dvdi_apps_single_instance_on_1_4() {
        let vol = |path: &str| {
            json!({"containerPath": path, "mode": "RW",
            "external": {"name": "shared", "provider": "dvdi", "options": {"dvdi/driver": "rexray"}}})
        };
        let mut twice = app("DOCKER", json!([vol("/a"), vol("/b")]));
        assert_eq!(
            pointers(twice.clone(), NEW, "external_volumes"),
            vec!["/container/volumes/1/external/name"]
        );
        twice["instances"] = json!(3);
        assert_eq!(
            pointers(twice, OLD, "external_volumes"),
            vec!["/container/volumes/1/external/name", "/instances"]
        );
        let host_same_name = app(
            "DOCKER",
            json!([vol("/a"), {"hostPath": "shared", "containerPath": "/ert", "mode": "RW"}]),
        );
        assert!(pointers(host_same_name, NEW, "external_volumes").is_empty());
    }

    #[test]
    fn secret_volumes() {
        let mut with_secret = app("MESOS", json!([{"containerPath": "token", "secret": "tok"}]));
        assert_eq!(
            pointers(with_secret.clone(), NEW, ""),
            vec!["/container/volumes/0/secret", "/container/volumes/0/secret"]
        );
        with_secret["secrets"] = json!({"tok": {"source": "/app/token"}});
        assert!(pointers(with_secret.clone(), NEW, "secrets").is_empty());
        assert_eq!(pointers(with_secret, OLD, "secrets"), vec!["/container/volumes/0"]);
    }

    #[test]
    fn regex_screening_is_conservative() {
        for ok in ["^a$", "[)]", "a(?=b)", "\\(", "[^]x]", "x{2}"] {
            assert_eq!(certainly_bad_regex(ok), None, "{ok}");
        }
        for bad in ["*a", "(a", "a)", "[abc"] {
            assert!(certainly_bad_regex(bad).is_some(), "{bad}");
        }
    }
}
