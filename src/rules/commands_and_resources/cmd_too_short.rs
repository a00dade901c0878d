//! `cmd-too-short`: Marathon 1.5 and later reject a `cmd` of a single
//! character, with a message that calls it empty.

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::marathon_target::MarathonVersion;
use crate::rules::{AppContext, Rule};

pub struct CmdTooShort;

impl Rule for CmdTooShort {
    fn id(&self) -> &'static str {
        "cmd-too-short"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        if app.options.marathon_version < MarathonVersion::V1_5 {
            return;
        }
        let Some(cmd) = app.app.get("cmd").and_then(Value::as_str) else {
            return;
        };
        // Marathon compares the JVM string length (UTF-16 units); an empty
        // `cmd` is the schema's finding.
        if cmd.encode_utf16().count() != 1 {
            return;
        }
        out.push(
            Diagnostic::at(
                self.id(),
                app.field("/cmd"),
                format!(
                    "`cmd` is the single character {}: Marathon {} requires a command longer than one character \
                     and rejects the app (\"must not be an empty string\")",
                    serde_json::to_string(cmd).unwrap_or_default(),
                    app.options.marathon_version
                ),
            )
            .label("one character")
            .help("write the whole command (e.g. `\"cmd\": \"sleep 3600\"`); a one-character command was accepted only up to Marathon 1.4"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn count(app: Value, version: MarathonVersion) -> usize {
        let options = RuleOptions {
            marathon_version: version,
            ..RuleOptions::default()
        };
        run_rule(&CmdTooShort, app, &options).len()
    }

    #[test]
    fn one_character_is_rejected_from_1_5() {
        let app = json!({"id": "/a", "cmd": "x"});
        assert_eq!(count(app.clone(), MarathonVersion::V1_4), 0);
        assert_eq!(count(app.clone(), MarathonVersion::V1_5), 1);
        assert_eq!(count(app, MarathonVersion::NEWEST), 1);
    }

    #[test]
    fn longer_or_empty_commands_are_not_this_rules_business() {
        for cmd in ["ls", "", "é é"] {
            assert_eq!(
                count(json!({"id": "/a", "cmd": cmd}), MarathonVersion::NEWEST),
                0,
                "{cmd}"
            );
        }
        // One character outside the BMP is two UTF-16 units on the JVM.
        assert_eq!(count(json!({"id": "/a", "cmd": "😀"}), MarathonVersion::NEWEST), 0);
        assert_eq!(count(json!({"id": "/a", "cmd": "é"}), MarathonVersion::NEWEST), 1);
    }
}
