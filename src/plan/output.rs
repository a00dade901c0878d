//! `plan`'s three outputs: a readable diff per app (coloured like the rest
//! of the tool), JSON for tools, and Markdown for a pull-request comment.

use owo_colors::{OwoColorize, Style};
use serde_json::{json, Value};

use super::{AppPlan, Deployment, Plan, Status};
use crate::deploy_method::Method;

/// A value as compact JSON, cut short when long.
fn show(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return "(none)".to_string();
    };
    let text = value.to_string();
    if text.chars().count() > 100 {
        let cut: String = text.chars().take(97).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// Two long values, each shown around where they first differ, so the
/// difference is never cut off.
fn show_pair(old: Option<&Value>, new: Option<&Value>) -> (String, String) {
    let (Some(a), Some(b)) = (old, new) else {
        return (show(old), show(new));
    };
    let (a, b) = (a.to_string(), b.to_string());
    if a.chars().count() <= 100 && b.chars().count() <= 100 {
        return (a, b);
    }
    let first = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let window = |text: &str| {
        let start = first.saturating_sub(30);
        let part: String = text.chars().skip(start).take(70).collect();
        let more = text.chars().count() > start + 70;
        format!(
            "{}{part}{}",
            if start > 0 { "..." } else { "" },
            if more { "..." } else { "" }
        )
    };
    (window(&a), window(&b))
}

fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn deployment(d: Deployment) -> String {
    match d {
        Deployment::None => "no deployment".to_string(),
        Deployment::Start { instances } => format!("starts {}", plural(instances, "task")),
        Deployment::Stop { instances } => format!("stops {}", plural(instances, "task")),
        Deployment::Scale { from, to } => format!("scales from {from} to {}", plural(to, "instance")),
        // A suspended app has nothing to restart.
        Deployment::Restart { from: 0, to } => format!("starts {} of the new version", plural(to, "task")),
        Deployment::Restart { from, to } if from == to => format!("restarts {}", plural(from, "task")),
        Deployment::Restart { from, to } => {
            format!("restarts {} and scales to {to}", plural(from, "task"))
        }
        Deployment::Unknown => "restores an earlier version".to_string(),
    }
}

/// What a merge keeps, and how to change it.
fn kept_note(app: &AppPlan, field: &str, value: &Value) -> String {
    let (verb, advice) = match app.method {
        Some(Method::Patch) => ("PATCH merges", "set it in the file to change it"),
        _ => (
            "PUT merges",
            "use PATCH with an explicit value, or PUT ?partialUpdate=false, to change it",
        ),
    };
    format!(
        "`{field}` is not in the file, but {verb}: the running app keeps {}; {advice}",
        show(Some(value))
    )
}

fn sign(status: Status) -> &'static str {
    match status {
        Status::Created => "+",
        Status::Changed => "~",
        Status::Unchanged => "=",
        Status::Removed => "-",
        Status::Refused => "x",
        Status::Rollback => "<",
    }
}

fn summary(plan: &Plan) -> String {
    let mut parts = Vec::new();
    for status in [
        Status::Created,
        Status::Changed,
        Status::Unchanged,
        Status::Removed,
        Status::Rollback,
        Status::Refused,
    ] {
        let n = plan.count(status);
        if n > 0 {
            parts.push(format!("{n} {}", status.name()));
        }
    }
    let tasks = plan.restarted_tasks();
    format!(
        "{}: {}{}",
        plural(plan.apps.len() as u64, "app"),
        if parts.is_empty() {
            "nothing to do".to_string()
        } else {
            parts.join(", ")
        },
        if tasks > 0 {
            format!("; restarts {}", plural(tasks, "task"))
        } else {
            String::new()
        }
    )
}

fn header(plan: &Plan) -> String {
    format!(
        "Plan against {} ({} running{}){}",
        plan.current,
        plural(plan.running as u64, "app"),
        plan.version.map(|v| format!(", Marathon {v}")).unwrap_or_default(),
        if plan.method_assumed {
            "; method: PUT /v2/apps/{id} (assumed: set --method or `method`)"
        } else {
            ""
        }
    )
}

/// The readable diff.
pub fn human(plan: &Plan, color: bool) -> String {
    let paint = |text: &str, style: Style| {
        if color {
            text.style(style).to_string()
        } else {
            text.to_string()
        }
    };
    let mut out = format!("{}\n", paint(&header(plan), Style::new().bold()));
    for note in &plan.notes {
        out.push_str(&format!("{} {note}\n", paint("!", Style::new().yellow().bold())));
    }
    out.push('\n');
    for app in &plan.apps {
        let style = match app.status {
            Status::Created => Style::new().green(),
            Status::Changed | Status::Rollback => Style::new().yellow(),
            Status::Removed | Status::Refused => Style::new().red(),
            Status::Unchanged => Style::new().dimmed(),
        };
        let whence = match &app.file {
            Some(file) => format!("  ({file}, {})", app.request),
            None => format!("  ({})", app.request),
        };
        out.push_str(&format!(
            "{} {}  {}{}\n",
            paint(sign(app.status), style.bold()),
            paint(&app.id, Style::new().bold()),
            paint(&format!("{}, {}", app.status.name(), deployment(app.deployment)), style),
            paint(&whence, Style::new().dimmed()),
        ));
        let width = app.changes.iter().map(|c| c.path.chars().count()).max().unwrap_or(0);
        for change in &app.changes {
            let (old, new) = show_pair(change.old.as_ref(), change.new.as_ref());
            out.push_str(&format!(
                "    {:width$}  {} -> {}{}\n",
                change.path,
                paint(&old, Style::new().red()),
                paint(&new, Style::new().green()),
                if change.reset {
                    paint("  (not in the file: back to Marathon's default)", Style::new().dimmed())
                } else {
                    String::new()
                },
            ));
        }
        for kept in &app.kept {
            out.push_str(&format!(
                "    {} {}\n",
                paint("!", Style::new().yellow().bold()),
                kept_note(app, &kept.field, &kept.value)
            ));
        }
        for note in &app.notes {
            out.push_str(&format!("    {note}\n"));
        }
    }
    out.push_str(&format!("\n{}\n", summary(plan)));
    out
}

/// Every kind with the same members: the running tasks and those after.
fn deployment_json(d: Deployment) -> Value {
    let (kind, from, to) = match d {
        Deployment::None => ("none", None, None),
        Deployment::Start { instances } => ("start", Some(0), Some(instances)),
        Deployment::Stop { instances } => ("stop", Some(instances), Some(0)),
        Deployment::Scale { from, to } => ("scale", Some(from), Some(to)),
        Deployment::Restart { from, to } => ("restart", Some(from), Some(to)),
        Deployment::Unknown => ("unknown", None, None),
    };
    json!({"kind": kind, "from": from, "to": to})
}

/// The plan as one JSON document.
pub fn to_json(plan: &Plan) -> Value {
    let apps: Vec<Value> = plan
        .apps
        .iter()
        .map(|app| {
            json!({
                "id": app.id,
                "file": app.file,
                "pointer": app.pointer,
                "request": app.request,
                "method": app.method.map(|m| m.name()),
                "status": app.status.name(),
                "deployment": deployment_json(app.deployment),
                "changes": app.changes.iter().map(|c| json!({
                    "path": c.path, "pointer": c.pointer, "old": c.old, "new": c.new, "reset": c.reset,
                })).collect::<Vec<_>>(),
                "kept": app.kept.iter().map(|k| json!({
                    "field": k.field, "value": k.value, "message": kept_note(app, &k.field, &k.value),
                })).collect::<Vec<_>>(),
                "notes": app.notes,
            })
        })
        .collect();
    json!({
        "current": plan.current,
        "running": plan.running,
        "marathon_version": plan.version.map(|v| v.to_string()),
        "method_assumed": plan.method_assumed,
        "notes": plan.notes,
        "apps": apps,
        "summary": {
            "created": plan.count(Status::Created),
            "changed": plan.count(Status::Changed),
            "unchanged": plan.count(Status::Unchanged),
            "removed": plan.count(Status::Removed),
            "rollback": plan.count(Status::Rollback),
            "refused": plan.count(Status::Refused),
            "restarted_tasks": plan.restarted_tasks(),
        },
    })
}

/// Text in a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Code in a table cell: fenced by one backtick more than the longest run
/// inside (CommonMark code spans).
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 {
        format!("{fence} {} {fence}", cell(text))
    } else {
        format!("{fence}{}{fence}", cell(text))
    }
}

/// The plan as a pull-request comment.
pub fn markdown(plan: &Plan) -> String {
    let mut out = format!("### marathon-lint plan\n\n{}.\n\n", header(plan));
    for note in &plan.notes {
        out.push_str(&format!("> **Note:** {}\n\n", cell(note)));
    }
    out.push_str("| | app | status | deployment | file |\n|---|---|---|---|---|\n");
    for app in &plan.apps {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            sign(app.status),
            code(&app.id),
            app.status.name(),
            deployment(app.deployment),
            app.file.as_deref().map(code).unwrap_or_default()
        ));
    }
    for app in &plan.apps {
        if app.changes.is_empty() && app.kept.is_empty() && app.notes.is_empty() {
            continue;
        }
        let mut blocks = Vec::new();
        if !app.changes.is_empty() {
            let mut table = "| field | running | after the deploy |\n|---|---|---|".to_string();
            for c in &app.changes {
                // Folded away in the details, so whole.
                let whole = |v: Option<&Value>| v.map_or("(none)".to_string(), Value::to_string);
                table.push_str(&format!(
                    "\n| {}{} | {} | {} |",
                    code(&c.path),
                    if c.reset { " (not in the file: default)" } else { "" },
                    code(&whole(c.old.as_ref())),
                    code(&whole(c.new.as_ref()))
                ));
            }
            blocks.push(table);
        }
        for kept in &app.kept {
            blocks.push(format!(
                "> **Kept:** {}",
                cell(&kept_note(app, &kept.field, &kept.value))
            ));
        }
        for note in &app.notes {
            blocks.push(format!("> {}", cell(note)));
        }
        out.push_str(&format!(
            "\n<details><summary><code>{}</code>: {}, {}</summary>\n\n{}\n\n</details>\n",
            app.id.replace('<', "&lt;"),
            app.status.name(),
            deployment(app.deployment),
            blocks.join("\n\n")
        ));
    }
    out.push_str(&format!("\n**{}**\n", summary(plan)));
    out
}
