//! `invalid-constraint`: a placement constraint `[field, OPERATOR, value?]`
//! that Marathon's constraint validation rejects for the chosen version. The
//! schema already checks the shape (2 or 3 strings) and the operator's exact
//! spelling; this rule checks what depends on the operator and the version.

use serde_json::Value;

use super::answers;
use crate::diagnostic::Diagnostic;
use crate::marathon_target::MarathonVersion;
use crate::rules::{AppContext, Rule};

pub struct InvalidConstraint;

const ID: &str = "invalid-constraint";

/// Operators the schema accepts; anything else is the schema's to report.
const OPERATORS: &[&str] = &["UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS"];

impl Rule for InvalidConstraint {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(Value::Array(constraints)) = app.app.get("constraints") else {
            return;
        };
        let version = app.options.marathon_version;
        for (i, constraint) in constraints.iter().enumerate() {
            let Some(parts) = constraint.as_array() else {
                continue;
            };
            let Some(parts) = parts.iter().map(Value::as_str).collect::<Option<Vec<&str>>>() else {
                continue;
            };
            if !(2..=3).contains(&parts.len()) || !OPERATORS.contains(&parts[1]) {
                continue;
            }
            let at = Places {
                app: app.pointer,
                index: i,
            };
            if let Some(d) = check(version, &at, parts[0], parts[1], parts.get(2).copied()) {
                out.push(d);
            }
        }
    }
}

/// Where a constraint and its parts are; the pointers are only built for a
/// finding (formatting them for every constraint showed in profiles).
struct Places<'a> {
    app: &'a str,
    index: usize,
}

impl Places<'_> {
    fn constraint(&self) -> String {
        format!("{}/constraints/{}", self.app, self.index)
    }

    fn part(&self, part: usize) -> String {
        format!("{}/constraints/{}/{part}", self.app, self.index)
    }
}

/// The one problem Marathon reports for this constraint, if any.
fn check(
    version: MarathonVersion,
    at: &Places<'_>,
    field: &str,
    operator: &str,
    value: Option<&str>,
) -> Option<Diagnostic> {
    if operator == "IS" && version < MarathonVersion::V1_6 {
        return Some(
            Diagnostic::at(
                ID,
                at.part(1),
                format!(
                    "the IS operator needs Marathon 1.6 or later: {}",
                    answers(
                        version,
                        "Constraint operator must be one of the following: [UNIQUE, LIKE, CLUSTER, GROUP_BY, UNLIKE, MAX_PER]",
                        "operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER or UNLIKE"
                    )
                ),
            )
            .label("not known before 1.6")
            .help("use `[\"<attribute>\", \"LIKE\", \"^<value>$\"]`, which matches the same agents, or lint with --marathon-version 1.6 if your Marathon is newer"),
        );
    }
    if field.is_empty() {
        // 1.4 checks only that the protobuf has a field, and "" is one.
        if version < MarathonVersion::V1_5 {
            return check_operator(version, at, operator, value);
        }
        return Some(
            Diagnostic::at(
                ID,
                at.part(0),
                format!(
                    "the constraint's field is empty: Marathon {version} answers \"illegal constraint specification\""
                ),
            )
            .label("empty field")
            .help("name the agent field to test: `hostname` or an agent attribute such as `rack`"),
        );
    }
    check_operator(version, at, operator, value)
}

fn check_operator(
    version: MarathonVersion,
    at: &Places<'_>,
    operator: &str,
    value: Option<&str>,
) -> Option<Diagnostic> {
    match operator {
        "UNIQUE" => {
            let value = value?;
            // 1.4 rejects only a non-empty value; 1.5+ rejects any value.
            if value.is_empty() && version < MarathonVersion::V1_5 {
                return None;
            }
            Some(
                Diagnostic::at(
                    ID,
                    at.part(2),
                    format!(
                        "UNIQUE takes no value: {}",
                        answers(version, "Value specified but not used", "UNIQUE does not accept a value")
                    ),
                )
                .label("not used")
                .help("drop the value: `[\"<field>\", \"UNIQUE\"]`; to cap tasks per value instead, use `[\"<field>\", \"MAX_PER\", \"<n>\"]`"),
            )
        }
        "GROUP_BY" => {
            let value = value?;
            if java_parses_int(value)? {
                return None;
            }
            Some(
                Diagnostic::at(
                    ID,
                    at.part(2),
                    format!(
                        "GROUP_BY takes no value or an integer (the number of groups), not {value:?}: {}",
                        answers(
                            version,
                            "Value was specified but is not a number",
                            "GROUP BY must define an integer value or else no value at all"
                        )
                    ),
                )
                .label("not an integer")
                .help("write the number of distinct values to spread over as a string, e.g. `[\"rack\", \"GROUP_BY\", \"3\"]`, or drop the value"),
            )
        }
        "MAX_PER" => {
            let message = answers(
                version,
                "Value was not specified or is not a number",
                "MAX_PER requires an integer value",
            );
            let help = "give the maximum number of tasks per value as a string, e.g. `[\"rack\", \"MAX_PER\", \"2\"]`";
            match value {
                None => Some(
                    Diagnostic::at(
                        ID,
                        at.constraint(),
                        format!("MAX_PER needs an integer value: {message}"),
                    )
                    .label("no value")
                    .help(help),
                ),
                Some(value) => {
                    if java_parses_int(value)? {
                        return None;
                    }
                    Some(
                        Diagnostic::at(
                            ID,
                            at.part(2),
                            format!("MAX_PER needs an integer value, not {value:?}: {message}"),
                        )
                        .label("not an integer")
                        .help(help),
                    )
                }
            }
        }
        "LIKE" | "UNLIKE" => match value {
            None => Some(
                Diagnostic::at(
                    ID,
                    at.constraint(),
                    format!(
                        "{operator} needs a regular expression: {}",
                        answers(
                            version,
                            "A regular expression value must be provided",
                            "LIKE and UNLIKE require a non-empty, regular expression value"
                        )
                    ),
                )
                .label("no value")
                .help(format!(
                    "add the pattern the field must {}match, e.g. `[\"rack\", \"{operator}\", \"rack-[12]\"]`",
                    if operator == "UNLIKE" { "not " } else { "" }
                )),
            ),
            Some(value) => {
                let reason = java_regex_error(value)?;
                let quoted = format!("'{value}' is not a valid regular expression");
                Some(
                    Diagnostic::at(
                        ID,
                        at.part(2),
                        format!(
                            "{value:?} is not a Java regular expression ({reason}): {}",
                            answers(version, &quoted, "is not a valid regular expression")
                        ),
                    )
                    .label(reason)
                    .help("Marathon compiles the value with java.util.regex.Pattern and matches it against the whole field value; escape a special character with a backslash, which JSON writes as `\\\\`"),
                )
            }
        },
        "IS" => {
            // 1.6+ (older versions were handled by the caller).
            let value = value.unwrap_or("");
            if value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '-'))
            {
                return None;
            }
            Some(
                Diagnostic::at(
                    ID,
                    at.part(2),
                    format!(
                        "IS compares with a Mesos text or scalar value, and {value:?} is neither: Marathon {version} answers \"IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)\""
                    ),
                )
                .label("not a plain text or number")
                .help("use letters, digits and `_ / . -` only; to match a pattern, use LIKE"),
            )
        }
        _ => None,
    }
}

/// Does Java's `Integer.parseInt` (Scala's `toInt`) accept this? `None`
/// when unsure: Java also accepts non-ASCII digits.
fn java_parses_int(value: &str) -> Option<bool> {
    if value.parse::<i32>().is_ok() {
        return Some(true);
    }
    value.is_ascii().then_some(false)
}

#[derive(Clone, Copy, PartialEq)]
enum Prev {
    /// The start of a sequence: nothing to repeat yet.
    Start,
    /// An atom that a quantifier may follow.
    Atom,
    /// A quantified atom (with its lazy/possessive modifier).
    Quantified,
    /// Not sure what came before (braces, inline flags): check nothing.
    Unknown,
}

/// Why `java.util.regex.Pattern.compile` surely rejects `pattern`, or `None`
/// when it compiles or when this small checker cannot be sure. It knows
/// only errors that every Java version reports: an unclosed group or
/// character class, an unmatched `)`, a trailing backslash, and a
/// quantifier with nothing to repeat.
fn java_regex_error(pattern: &str) -> Option<&'static str> {
    let chars: Vec<char> = pattern.chars().collect();
    let len = chars.len();
    // With the COMMENTS flag, `#` and whitespace change meaning: give up.
    if has_inline_flag(&chars, 'x') {
        return None;
    }
    let mut depth = 0usize;
    let mut prev = Prev::Start;
    let mut i = 0;
    while i < len {
        match chars[i] {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Some("it ends with a lone backslash");
                };
                i += 2;
                match next {
                    'Q' => {
                        // Quoted text runs to `\E` or to the end.
                        i = find_pair(&chars, i, '\\', 'E').map_or(len, |j| j + 2);
                        prev = Prev::Unknown;
                        continue;
                    }
                    // `\cX` takes the next character, whatever it is.
                    'c' => i += 1,
                    'p' | 'P' | 'x' | 'N' if chars.get(i) == Some(&'{') => {
                        i = chars[i..].iter().position(|&c| c == '}').map(|j| i + j + 1)?;
                    }
                    'k' if chars.get(i) == Some(&'<') => {
                        i = chars[i..].iter().position(|&c| c == '>').map(|j| i + j + 1)?;
                    }
                    _ => {}
                }
                prev = Prev::Atom;
            }
            '[' => {
                let mut j = i + 1;
                if chars.get(j) == Some(&'^') {
                    j += 1;
                }
                // A `]` right after the opening bracket is a literal.
                if chars.get(j) == Some(&']') {
                    j += 1;
                }
                loop {
                    match chars.get(j) {
                        None => return Some("a character class `[` is never closed"),
                        Some('\\') => {
                            if chars.get(j + 1) == Some(&'Q') {
                                return None;
                            }
                            j += 2;
                        }
                        // Nested classes and intersections: not sure.
                        Some('[') => return None,
                        Some('&') if chars.get(j + 1) == Some(&'&') => return None,
                        Some(']') => break,
                        Some(_) => j += 1,
                    }
                }
                i = j + 1;
                prev = Prev::Atom;
            }
            '(' => {
                depth += 1;
                i += 1;
                prev = Prev::Start;
                if chars.get(i) != Some(&'?') {
                    continue;
                }
                i += 1;
                match chars.get(i) {
                    Some(':' | '=' | '!' | '>') => i += 1,
                    Some('<') => match chars.get(i + 1) {
                        Some('=' | '!') => i += 2,
                        _ => {
                            // A named group `(?<name>`.
                            i = chars[i..].iter().position(|&c| c == '>').map(|j| i + j + 1)?;
                        }
                    },
                    _ => {
                        // Inline flags: `(?i)` or `(?i:...)`.
                        let mut j = i;
                        while j < len && (chars[j].is_ascii_alphabetic() || chars[j] == '-') {
                            j += 1;
                        }
                        match chars.get(j) {
                            Some(')') => {
                                depth -= 1;
                                prev = Prev::Unknown;
                            }
                            Some(':') => {}
                            _ => return None,
                        }
                        i = j + 1;
                    }
                }
            }
            ')' => {
                if depth == 0 {
                    return Some("it has a `)` that closes no group");
                }
                depth -= 1;
                i += 1;
                prev = Prev::Atom;
            }
            '|' => {
                i += 1;
                prev = Prev::Start;
            }
            '*' | '+' | '?' => match prev {
                Prev::Start | Prev::Quantified => return Some("a `*`, `+` or `?` has nothing to repeat"),
                Prev::Atom => {
                    i += 1;
                    // A lazy `?` or possessive `+` modifier.
                    if matches!(chars.get(i), Some('?' | '+')) {
                        i += 1;
                    }
                    prev = Prev::Quantified;
                }
                Prev::Unknown => i += 1,
            },
            '{' => {
                // A repetition `{n,m}` or something Java may reject: skip it.
                i = chars[i..].iter().position(|&c| c == '}').map(|j| i + j + 1)?;
                prev = Prev::Unknown;
            }
            _ => {
                i += 1;
                prev = Prev::Atom;
            }
        }
    }
    if depth > 0 {
        return Some("a group `(` is never closed");
    }
    None
}

/// The index of the first `a` followed by `b` at or after `from`.
fn find_pair(chars: &[char], from: usize, a: char, b: char) -> Option<usize> {
    (from..chars.len().saturating_sub(1)).find(|&j| chars[j] == a && chars[j + 1] == b)
}

/// Does an inline flag group `(?...flag...)` or `(?...flag...:` appear?
fn has_inline_flag(chars: &[char], flag: char) -> bool {
    chars.windows(2).enumerate().any(|(i, w)| {
        w == ['(', '?']
            && chars[i + 2..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic() || **c == '-')
                .any(|&c| c == flag)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn lint(constraints: Value, minor: u8) -> Vec<Diagnostic> {
        let options = RuleOptions {
            marathon_version: MarathonVersion::new(minor).unwrap(),
            ..RuleOptions::default()
        };
        run_rule(
            &InvalidConstraint,
            json!({"id": "/a", "cmd": "x", "constraints": constraints}),
            &options,
        )
    }

    fn messages(constraints: Value, minor: u8) -> Vec<String> {
        lint(constraints, minor).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn valid_constraints_pass_in_every_version() {
        let ok = json!([
            ["hostname", "UNIQUE"],
            ["rack", "CLUSTER", "rack-1"],
            ["rack", "CLUSTER"],
            ["rack", "GROUP_BY"],
            ["rack", "GROUP_BY", "3"],
            ["rack", "MAX_PER", "2"],
            ["rack", "LIKE", "rack-[0-9]+"],
            ["rack", "UNLIKE", "^(a|b)$"],
            ["rack", "LIKE", ""]
        ]);
        for minor in 4..=10 {
            assert!(messages(ok.clone(), minor).is_empty(), "1.{minor}");
        }
    }

    #[test]
    fn is_needs_1_6_and_a_plain_value() {
        let d = lint(json!([["os", "IS", "ubuntu"]]), 5);
        assert_eq!(d[0].pointer.as_deref(), Some("/constraints/0/1"));
        assert!(d[0].message.contains("operator must be one of the following"));
        assert!(lint(json!([["os", "IS", "ubuntu"]]), 4)[0]
            .message
            .contains("[UNIQUE, LIKE"));
        assert!(messages(json!([["os", "IS", "ubuntu-1.2/3_4"]]), 6).is_empty());
        assert!(messages(json!([["os", "IS", "[0-9]"]]), 10)[0].contains("IS only supports"));
    }

    #[test]
    fn empty_field_and_unique_value_differ_by_version() {
        assert!(messages(json!([["", "CLUSTER", "a"]]), 4).is_empty());
        assert!(messages(json!([["", "CLUSTER", "a"]]), 5)[0].contains("illegal constraint specification"));
        assert!(messages(json!([["hostname", "UNIQUE", ""]]), 4).is_empty());
        assert!(messages(json!([["hostname", "UNIQUE", ""]]), 5)[0].contains("UNIQUE does not accept a value"));
        assert!(messages(json!([["hostname", "UNIQUE", "x"]]), 4)[0].contains("Value specified but not used"));
        // 1.4 still judges the operator when the field is empty.
        assert!(messages(json!([["", "MAX_PER"]]), 4)[0].contains("Value was not specified"));
    }

    #[test]
    fn numbers_for_group_by_and_max_per() {
        assert!(messages(json!([["rack", "GROUP_BY", "two"]]), 10)[0].contains("GROUP BY must define"));
        assert!(messages(json!([["rack", "GROUP_BY", ""]]), 4)[0].contains("is not a number"));
        assert!(messages(json!([["rack", "MAX_PER"]]), 10)[0].contains("MAX_PER requires an integer value"));
        assert_eq!(
            lint(json!([["rack", "MAX_PER"]]), 10)[0].pointer.as_deref(),
            Some("/constraints/0")
        );
        assert!(messages(json!([["rack", "MAX_PER", "1.5"]]), 4)[0].contains("Value was not specified"));
        assert!(messages(json!([["rack", "MAX_PER", "+3"]]), 10).is_empty());
        assert!(messages(json!([["rack", "MAX_PER", "99999999999"]]), 10).len() == 1);
        // Java parses non-ASCII digits: not sure, so no finding.
        assert!(messages(json!([["rack", "MAX_PER", "١"]]), 10).is_empty());
    }

    #[test]
    fn like_needs_a_java_regex() {
        assert!(messages(json!([["rack", "LIKE"]]), 10)[0].contains("LIKE and UNLIKE require"));
        assert!(messages(json!([["rack", "UNLIKE"]]), 4)[0].contains("A regular expression value must be provided"));
        let d = lint(json!([["rack", "LIKE", "*"]]), 4);
        assert!(
            d[0].message.contains("'*' is not a valid regular expression"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].pointer.as_deref(), Some("/constraints/0/2"));
    }

    #[test]
    fn java_regex_checker_is_sure_or_silent() {
        for bad in [
            "*", "a|*", "(+a)", "a**", "a??+", "(a", "a)", "[a", "[]", "[^]", "a\\", "((a)",
        ] {
            assert!(java_regex_error(bad).is_some(), "{bad}");
        }
        for fine in [
            "",
            "a*?",
            "a++",
            "a{2}*",
            "[]a]",
            "[^]a]",
            "^*",
            "(?i)a",
            "(?i:a)b",
            "(?<n>a)\\k<n>",
            "(?<=a)b",
            "\\Q(\\E",
            "\\Q*",
            "\\(",
            "[(]",
            "\\p{L}+",
            "a]",
            "a}",
            "(?x) ( # comment",
            "[a[b]",
            "[a&&b",
            "\\c(",
            "a{(}",
        ] {
            assert_eq!(java_regex_error(fine), None, "{fine}");
        }
    }

    #[test]
    fn the_schema_handles_shapes_and_spelling() {
        assert!(messages(
            json!([["a"], ["a", "unique"], ["a", "UNIQUE", "b", "c"], [1, "UNIQUE"], "x"]),
            10
        )
        .is_empty());
    }
}
