//! What the definitions are linted against: the Marathon version and the
//! server settings that decide validity. These are inputs, never guesses.

use std::fmt;
use std::str::FromStr;

/// A Marathon minor release, 1.4 to 1.10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MarathonVersion {
    minor: u8,
}

impl MarathonVersion {
    pub const V1_4: MarathonVersion = MarathonVersion { minor: 4 };
    pub const V1_5: MarathonVersion = MarathonVersion { minor: 5 };
    pub const V1_6: MarathonVersion = MarathonVersion { minor: 6 };
    pub const V1_7: MarathonVersion = MarathonVersion { minor: 7 };
    pub const V1_8: MarathonVersion = MarathonVersion { minor: 8 };
    pub const V1_9: MarathonVersion = MarathonVersion { minor: 9 };
    pub const V1_10: MarathonVersion = MarathonVersion { minor: 10 };
    /// The default: the newest release.
    pub const NEWEST: MarathonVersion = MarathonVersion { minor: 10 };
    pub const OLDEST: MarathonVersion = MarathonVersion::V1_4;

    /// `1.minor`, for minors this linter knows.
    pub fn new(minor: u8) -> Option<Self> {
        (Self::OLDEST.minor..=Self::NEWEST.minor)
            .contains(&minor)
            .then_some(MarathonVersion { minor })
    }

    pub fn minor(self) -> u8 {
        self.minor
    }

    pub fn all() -> impl Iterator<Item = MarathonVersion> {
        (Self::OLDEST.minor..=Self::NEWEST.minor).map(|minor| MarathonVersion { minor })
    }
}

impl Default for MarathonVersion {
    fn default() -> Self {
        Self::NEWEST
    }
}

impl fmt::Display for MarathonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.minor)
    }
}

impl FromStr for MarathonVersion {
    type Err = String;

    /// `1.5`, `1.5.15` or `v1.5.15`.
    fn from_str(text: &str) -> Result<Self, String> {
        let err = || {
            format!(
                "`{text}` is not a Marathon version this linter knows; use one of {}",
                MarathonVersion::all()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut parts = text.trim().trim_start_matches('v').split('.');
        let (Some("1"), Some(minor)) = (parts.next(), parts.next()) else {
            return Err(err());
        };
        if parts.any(|patch| patch.parse::<u32>().is_err()) {
            return Err(err());
        }
        minor.parse::<u8>().ok().and_then(MarathonVersion::new).ok_or_else(err)
    }
}

/// Marathon features (`--enable_features`) that change what it accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    pub secrets: bool,
    pub gpu_resources: bool,
    pub external_volumes: bool,
}

/// Every feature name Marathon's `--enable_features` takes; only some change
/// validity, but naming any of them is not an error.
const KNOWN_FEATURES: &[&str] = &[
    "secrets",
    "gpu_resources",
    "external_volumes",
    "vips",
    "task_killing",
    "maintenance_mode",
];

impl FromStr for Features {
    type Err = String;

    /// A comma-separated list, as Marathon's own flag takes it.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut features = Features::default();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "secrets" => features.secrets = true,
                "gpu_resources" => features.gpu_resources = true,
                "external_volumes" => features.external_volumes = true,
                other if KNOWN_FEATURES.contains(&other) => {}
                other => {
                    return Err(format!(
                        "`{other}` is not a Marathon feature; Marathon's --enable_features takes {}",
                        KNOWN_FEATURES.join(", ")
                    ))
                }
            }
        }
        Ok(features)
    }
}

impl Features {
    /// The features of a `/v2/info` export: names this linter does not know
    /// change nothing it checks, so they are passed over.
    pub fn from_names_lenient(names: &[String]) -> Features {
        let mut features = Features::default();
        for name in names {
            match name.as_str() {
                "secrets" => features.secrets = true,
                "gpu_resources" => features.gpu_resources = true,
                "external_volumes" => features.external_volumes = true,
                _ => {}
            }
        }
        features
    }
}

/// Marathon's `--accepted_resource_roles_default_behavior` (1.9+): which
/// roles an app without `acceptedResourceRoles` takes resources of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleBehavior {
    /// Its own role and `*` (Marathon's default).
    Any,
    /// `*` only.
    Unreserved,
    /// Its own role only.
    Reserved,
}

impl FromStr for RoleBehavior {
    type Err = String;

    /// Case-insensitive, as Marathon reads it.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "any" => Ok(RoleBehavior::Any),
            "unreserved" => Ok(RoleBehavior::Unreserved),
            "reserved" => Ok(RoleBehavior::Reserved),
            _ => Err(format!(
                "`{text}` is not a value of Marathon's --accepted_resource_roles_default_behavior"
            )),
        }
    }
}

impl fmt::Display for RoleBehavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RoleBehavior::Any => "any",
            RoleBehavior::Unreserved => "unreserved",
            RoleBehavior::Reserved => "reserved",
        })
    }
}

/// The words a rule uses when Marathon rejects something unless a feature is
/// enabled, and the flag that enables it here.
pub fn feature_hint(feature: &str) -> String {
    format!(
        "Marathon rejects this unless it runs with --enable_features {feature}; if yours does, lint with --enable-features {feature}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!("1.4".parse::<MarathonVersion>().unwrap(), MarathonVersion::V1_4);
        assert_eq!("v1.5.15".parse::<MarathonVersion>().unwrap(), MarathonVersion::V1_5);
        assert_eq!("1.10".parse::<MarathonVersion>().unwrap(), MarathonVersion::NEWEST);
        assert!(MarathonVersion::V1_4 < MarathonVersion::V1_5 && MarathonVersion::V1_6 < MarathonVersion::NEWEST);
        for bad in ["1.3", "1.11", "2.0", "1", "one", "1.5.x"] {
            assert!(
                bad.parse::<MarathonVersion>().unwrap_err().contains("1.4, 1.5"),
                "{bad}"
            );
        }
        assert_eq!(MarathonVersion::NEWEST.to_string(), "1.10");
    }

    #[test]
    fn features_parse_like_marathons_flag() {
        let f: Features = "secrets, vips,external_volumes".parse().unwrap();
        assert!(f.secrets && f.external_volumes && !f.gpu_resources);
        assert!("secret"
            .parse::<Features>()
            .unwrap_err()
            .contains("not a Marathon feature"));
        assert_eq!("".parse::<Features>().unwrap(), Features::default());
    }
}
