//! Variables that render templates: dotenv files (`--vars FILE`, `vars =
//! [...]` in marathon-lint.toml), read as `dotenvy` reads them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::FileReport;

/// One dotenv file's variables.
#[derive(Debug, Default)]
pub struct VarsFile {
    /// The path as the user gave it, for messages.
    pub name: String,
    values: HashMap<String, String>,
}

/// The variables one file is rendered with: layers of dotenv files, a later
/// one winning (the configuration's, then its matching overrides', then
/// the command line's).
#[derive(Debug, Clone, Default)]
pub struct Vars {
    layers: Vec<Arc<VarsFile>>,
}

impl Vars {
    pub fn new(layers: Vec<Arc<VarsFile>>) -> Vars {
        Vars { layers }
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Add a layer's files on top.
    pub fn extend(&mut self, other: &Vars) {
        self.layers.extend(other.layers.iter().cloned());
    }

    /// The value of `name` and the file it comes from.
    pub fn get(&self, name: &str) -> Option<(&str, &str)> {
        self.layers
            .iter()
            .rev()
            .find_map(|f| f.values.get(name).map(|v| (v.as_str(), f.name.as_str())))
    }

    /// The files, for messages: `prod.env, common.env`.
    pub fn files(&self) -> String {
        let names: Vec<&str> = self.layers.iter().map(|f| f.name.as_str()).collect();
        names.join(", ")
    }
}

/// Where the line that sets `key` ends, at or after `from`.
fn line_defining(body: &str, key: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = body[at..].find(key) {
        let start = at + i;
        let line_start = body[..start].rfind('\n').map_or(0, |n| n + 1);
        let before = body[line_start..start].trim();
        if before.is_empty() || before == "export" {
            return Some(body[start..].find('\n').map_or(body.len(), |n| start + n + 1));
        }
        at = start + key.len();
    }
    None
}

/// Read a dotenv file: `KEY=VALUE` lines, `#` comments, quotes and
/// `export ` as dotenv has them; a `${A}` inside the file refers to the
/// process environment, then to the file's earlier lines, as dotenv tools
/// read it. Problems are a `config-error` in that file.
pub fn load(path: &Path) -> Result<Arc<VarsFile>, FileReport> {
    let name = path.display().to_string();
    let help = "check the path given to --vars or `vars` in marathon-lint.toml";
    let bytes = crate::cli::read_input(path, 16 << 20).map_err(|why| {
        FileReport::config_error(
            &name,
            String::new(),
            None,
            format!("cannot read the variables file {name}: {why}"),
            help,
        )
    })?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(FileReport::config_error(
            &name,
            String::new(),
            None,
            format!("the variables file {name} is not UTF-8 text"),
            "save it as UTF-8: KEY=VALUE lines",
        ));
    };
    // A byte-order mark is invisible, and dotenv would read it as part of
    // the first name.
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let offset = text.len() - body.len();
    let mut values = HashMap::new();
    // Where the last line read ended, to find the line dotenvy names by its
    // text (it may repeat further up).
    let mut cursor = 0;
    for item in dotenvy::from_read_iter(body.as_bytes()) {
        match item {
            Ok((key, value)) => {
                if let Some(at) = line_defining(body, &key, cursor) {
                    cursor = at;
                }
                values.insert(key, value);
            }
            Err(dotenvy::Error::LineParse(line, at)) => {
                let start = body[cursor..]
                    .find(line.as_str())
                    .map_or_else(|| body.find(line.as_str()).unwrap_or(0), |i| cursor + i);
                // dotenvy counts characters, not bytes.
                let within = line.char_indices().nth(at).map_or(line.len(), |(i, _)| i);
                let from = offset + start + within;
                let to = (offset + start + line.len()).max(from);
                return Err(FileReport::config_error(
                    &name,
                    text.clone(),
                    Some(from.min(text.len())..to.min(text.len())),
                    format!("the variables file {name} has a line dotenv cannot read"),
                    "write one KEY=VALUE per line; quote values with spaces or `#` (KEY=\"a b\")",
                ));
            }
            Err(e) => {
                return Err(FileReport::config_error(
                    &name,
                    text.clone(),
                    None,
                    format!("cannot read the variables file {name}: {e}"),
                    help,
                ));
            }
        }
    }
    Ok(Arc::new(VarsFile { name, values }))
}

impl VarsFile {
    /// Variables given in place (catalogue examples, tests).
    pub fn inline(name: &str, pairs: &[(&str, &str)]) -> Arc<VarsFile> {
        Arc::new(VarsFile {
            name: name.to_string(),
            values: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        })
    }
}
