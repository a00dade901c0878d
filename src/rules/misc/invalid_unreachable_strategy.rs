//! `invalid-unreachable-strategy`: `inactiveAfterSeconds` may not exceed
//! `expungeAfterSeconds`. Marathon first marks a task on an unreachable
//! agent inactive (and starts a replacement), and only later expunges it; the
//! inactive time must come first. Equal values are fine. A field that is left
//! out counts as 0, as Marathon's RAML reader fills it in.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Target};
use crate::rules::{AppContext, Rule};

pub struct InvalidUnreachableStrategy;

impl Rule for InvalidUnreachableStrategy {
    fn id(&self) -> &'static str {
        "invalid-unreachable-strategy"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(Value::Object(strategy)) = app.app.get("unreachableStrategy") else {
            return;
        };
        let seconds = |name: &str| match strategy.get(name) {
            None | Some(Value::Null) => Some((0, false)),
            Some(value) => value.as_u64().map(|n| (n, true)),
        };
        // A value of the wrong type is the schema's to report.
        let (Some((inactive, _)), Some((expunge, expunge_given))) =
            (seconds("inactiveAfterSeconds"), seconds("expungeAfterSeconds"))
        else {
            return;
        };
        if inactive <= expunge {
            return;
        }
        let base = app.field("/unreachableStrategy");
        let expunge_words = if expunge_given {
            format!("expungeAfterSeconds ({expunge})")
        } else {
            "expungeAfterSeconds, which defaults to 0 when left out,".to_string()
        };
        let unit = |n: u64| if n == 1 { "second" } else { "seconds" };
        let mut diagnostic = Diagnostic::at(
            self.id(),
            format!("{base}/inactiveAfterSeconds"),
            format!(
                "inactiveAfterSeconds ({inactive}) is greater than {expunge_words}: a task must be marked inactive \
                 before it is expunged. Marathon answers \"got {inactive} {}, expected {expunge} {} or less\"",
                unit(inactive),
                unit(expunge)
            ),
        )
        .label("after expunge")
        .help(format!(
            "set expungeAfterSeconds to at least {inactive} (e.g. twice the inactive time), or lower \
             inactiveAfterSeconds"
        ));
        if expunge_given {
            diagnostic = diagnostic.related(format!("{base}/expungeAfterSeconds"), Target::Value, "expunge time");
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn messages(strategy: Value) -> Vec<String> {
        let app = json!({"id": "/a", "cmd": "x", "unreachableStrategy": strategy});
        run_rule(&InvalidUnreachableStrategy, app, &RuleOptions::default())
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn ordered_or_equal_times_pass() {
        assert!(messages(json!({"inactiveAfterSeconds": 300, "expungeAfterSeconds": 600})).is_empty());
        assert!(messages(json!({"inactiveAfterSeconds": 0, "expungeAfterSeconds": 0})).is_empty());
        assert!(messages(json!({"inactiveAfterSeconds": 60, "expungeAfterSeconds": 60})).is_empty());
        assert!(messages(json!({"expungeAfterSeconds": 60})).is_empty());
        assert!(messages(json!("disabled")).is_empty());
    }

    #[test]
    fn inactive_after_expunge() {
        let found = messages(json!({"inactiveAfterSeconds": 600, "expungeAfterSeconds": 300}));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("got 600 seconds, expected 300 seconds or less"),
            "{found:?}"
        );
        let found = messages(json!({"inactiveAfterSeconds": 1}));
        assert!(found[0].contains("defaults to 0") && found[0].contains("got 1 second, expected 0 seconds or less"));
    }
}
