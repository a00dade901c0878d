//! How a definition is sent to Marathon (`--method`, `method = "..."`): the
//! same JSON means different things under each request.
//!
//! - `POST /v2/apps` creates the app from the body, Marathon's defaults
//!   filling what it leaves out; `version` and status fields are ignored.
//! - `PUT /v2/apps/{id}` merges the body into the running app in every
//!   release from 1.4 to 1.10 (`partialUpdate` defaults to true): a field
//!   the body leaves out keeps its running value. When the app does not exist
//!   it is created from the body (1.4: over a default app that has one port).
//! - `PATCH /v2/apps/{id}` (from 1.4.0) always merges, and never creates.
//! - `PUT /v2/apps/{id}?partialUpdate=false` replaces the app: a field the
//!   body leaves out goes back to Marathon's default.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Post,
    Put,
    Patch,
    PutReplace,
}

impl Method {
    pub const ALL: [Method; 4] = [Method::Post, Method::Put, Method::Patch, Method::PutReplace];

    /// Whether the body is merged into the running app: fields it leaves
    /// out keep their running values, so none is required.
    pub fn merges(self) -> bool {
        matches!(self, Method::Put | Method::Patch)
    }

    /// Whether the URL names the app (`/v2/apps/{id}`), so the body needs no
    /// `id`.
    pub fn id_from_url(self) -> bool {
        !matches!(self, Method::Post)
    }

    /// The request, as users write it.
    pub fn request(self) -> &'static str {
        match self {
            Method::Post => "POST /v2/apps",
            Method::Put => "PUT /v2/apps/{id}",
            Method::Patch => "PATCH /v2/apps/{id}",
            Method::PutReplace => "PUT /v2/apps/{id}?partialUpdate=false",
        }
    }

    /// The name `--method` takes.
    pub fn name(self) -> &'static str {
        match self {
            Method::Post => "post",
            Method::Put => "put",
            Method::Patch => "patch",
            Method::PutReplace => "put-replace",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Method, String> {
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown method `{s}`: use post, put, patch or put-replace"))
    }
}

/// The members next to a (non-null) `version` that make Marathon refuse a
/// body sent with PUT or PATCH: any but `id`, and but the status members an
/// export carries, which update readers do not read (`versionInfo` they do
/// from 1.5). Empty when the body is a rollback, or has no `version`.
pub fn beside_version(
    app: &serde_json::Map<String, serde_json::Value>,
    version: crate::marathon_target::MarathonVersion,
) -> Vec<&str> {
    if app.get("version").is_none_or(serde_json::Value::is_null) {
        return Vec::new();
    }
    let v1_5 = version >= crate::marathon_target::MarathonVersion::V1_5;
    app.iter()
        .filter(|(k, v)| !v.is_null() && !matches!(k.as_str(), "id" | "version"))
        .map(|(k, _)| k.as_str())
        .filter(|k| (*k == "versionInfo" && v1_5) || !crate::rules::STATUS_FIELDS.contains(k))
        .collect()
}

/// Which methods a problem affects, for messages when no method is set:
/// "rejected when sent with PUT or PATCH; POST and PUT ?partialUpdate=false
/// accept it".
pub fn affected(rejected_by: &[Method]) -> String {
    let short = |m: &Method| match m {
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::PutReplace => "PUT ?partialUpdate=false",
    };
    let long = |m: &Method| match m {
        Method::Put => "PUT (a partial update, the default and what most deploy tools send)",
        other => short(other),
    };
    let join = |names: Vec<&str>, word: &str| match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} {word} {last}", rest.join(", ")),
        None => String::new(),
    };
    let accepted: Vec<&Method> = Method::ALL.iter().filter(|m| !rejected_by.contains(m)).collect();
    if accepted.is_empty() {
        return "rejected whichever way it is sent".to_string();
    }
    format!(
        "rejected when sent with {}; {} {} it (set `--method` to say how you deploy)",
        join(rejected_by.iter().map(long).collect(), "or"),
        join(accepted.iter().map(|m| short(m)).collect(), "and"),
        if accepted.len() == 1 { "accepts" } else { "accept" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_messages_name_both_sides() {
        for m in Method::ALL {
            assert_eq!(m.name().parse::<Method>(), Ok(m));
        }
        assert!("delete".parse::<Method>().is_err());
        assert_eq!(
            affected(&[Method::Put, Method::Patch]),
            "rejected when sent with PUT (a partial update, the default and what most deploy tools send) or PATCH; \
             POST and PUT ?partialUpdate=false accept it (set `--method` to say how you deploy)"
        );
    }
}
