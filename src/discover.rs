//! Find the files to lint: named files always, `.json` files under named
//! directories (recursively, in a stable order, skipping hidden folders,
//! `target/` and `node_modules/`).

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    /// `explicit`: named on the command line, so linted even if it does not
    /// look like a Marathon definition.
    File {
        path: PathBuf,
        explicit: bool,
    },
}

/// A path that could not be walked or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryProblem {
    pub path: PathBuf,
    pub message: String,
    /// A symlink loop is skipped with a warning; anything else means the tool
    /// could not do its job.
    pub fatal: bool,
}

const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

fn skipped_dir(name: &str) -> bool {
    (name.starts_with('.') && name != "." && name != "..") || SKIPPED_DIRS.contains(&name)
}

/// What discovery yields, in command-line order, then walk order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Input(Input),
    Problem(DiscoveryProblem),
}

/// The inputs `paths` name, found lazily: a walked directory is read as the
/// linting threads ask for files, so linting starts with the first file
/// instead of after the whole walk.
pub fn discover(paths: &[PathBuf]) -> Discovery<'_> {
    Discovery {
        paths: paths.iter(),
        walk: None,
    }
}

/// The iterator [`discover`] returns.
pub struct Discovery<'a> {
    paths: std::slice::Iter<'a, PathBuf>,
    /// The directory being walked, and its root.
    walk: Option<(Walk, PathBuf)>,
}

type Walk = walkdir::FilterEntry<walkdir::IntoIter, fn(&walkdir::DirEntry) -> bool>;

impl Iterator for Discovery<'_> {
    type Item = Found;

    fn next(&mut self) -> Option<Found> {
        loop {
            if let Some((walk, root)) = &mut self.walk {
                for entry in walk.by_ref() {
                    if let Some(found) = walked(entry, root) {
                        return Some(found);
                    }
                }
                self.walk = None;
            }
            let path = self.paths.next()?.clone();
            if path.as_os_str() == "-" {
                return Some(Found::Input(Input::Stdin));
            }
            match std::fs::metadata(&path) {
                Err(err) => {
                    return Some(Found::Problem(DiscoveryProblem {
                        message: broken_link_target(&path, &err)
                            .map_or_else(|| io_message(&err), |t| broken_link_message(&t)),
                        path,
                        fatal: true,
                    }))
                }
                Ok(meta) if meta.is_dir() => self.walk = Some((walk(&path), path)),
                Ok(_) => return Some(Found::Input(Input::File { path, explicit: true })),
            }
        }
    }
}

fn walk(root: &Path) -> Walk {
    fn keep(entry: &walkdir::DirEntry) -> bool {
        entry.depth() == 0 || !(entry.file_type().is_dir() && skipped_dir(&entry.file_name().to_string_lossy()))
    }
    WalkDir::new(root)
        .follow_links(true)
        // Siblings share their parent's path, so comparing whole paths orders them
        // by file name, without splitting each path into components per comparison.
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
        .filter_entry(keep as fn(&walkdir::DirEntry) -> bool)
}

/// What one entry of a walk yields: a `.json` file, a problem, or nothing.
fn walked(entry: walkdir::Result<walkdir::DirEntry>, root: &Path) -> Option<Found> {
    let err = match entry {
        Ok(entry) => {
            return (entry.file_type().is_file() && is_json(entry.path())).then(|| {
                Found::Input(Input::File {
                    path: entry.into_path(),
                    explicit: false,
                })
            })
        }
        Err(err) => err,
    };
    let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
    if let Some(target) = err.io_error().and_then(|io| broken_link_target(&path, io)) {
        // Only a link that would have been linted is our problem.
        return is_json(&path).then(|| {
            Found::Problem(DiscoveryProblem {
                message: broken_link_message(&target),
                path,
                fatal: true,
            })
        });
    }
    let (message, fatal) = match (err.loop_ancestor(), err.io_error()) {
        (Some(ancestor), _) => (
            format!("symbolic link loop back to {}; not followed", ancestor.display()),
            false,
        ),
        (None, Some(io)) => (io_message(io), true),
        (None, None) => (err.to_string(), true),
    };
    Some(Found::Problem(DiscoveryProblem { path, message, fatal }))
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) || is_template_name(path)
}

/// Endings of definitions kept as templates (`web.json.tpl`): walked too,
/// unless the configuration reads no templates (`templates = false`).
const TEMPLATE_ENDINGS: &[&str] = &[
    ".json.tpl",
    ".json.tmpl",
    ".json.j2",
    ".json.template",
    ".json.mustache",
];

/// Whether a file is named as a template of a definition.
pub fn is_template_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| TEMPLATE_ENDINGS.iter().any(|e| n.to_ascii_lowercase().ends_with(e)))
}

/// Where `path` points when walking failed because it is a symbolic link to
/// nothing (its target was removed, or never existed).
fn broken_link_target(path: &Path, err: &std::io::Error) -> Option<PathBuf> {
    let missing = err.kind() == std::io::ErrorKind::NotFound;
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    (missing && is_link).then(|| std::fs::read_link(path).ok()).flatten()
}

fn broken_link_message(target: &Path) -> String {
    format!("broken symbolic link: its target {} does not exist", target.display())
}

/// An I/O error in plain words, without Rust's `(os error N)` suffix.
pub fn io_message(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = err.to_string();
            match text.split_once(" (os error") {
                Some((message, _)) => message.to_lowercase(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(found: impl IntoIterator<Item = Found>) -> (Vec<Input>, Vec<DiscoveryProblem>) {
        let mut inputs = Vec::new();
        let mut problems = Vec::new();
        for f in found {
            match f {
                Found::Input(i) => inputs.push(i),
                Found::Problem(p) => problems.push(p),
            }
        }
        (inputs, problems)
    }

    #[test]
    fn walks_in_order_and_skips_hidden_and_build_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "b.json",
            "a.json",
            "notes.txt",
            ".git/x.json",
            "target/y.json",
            "node_modules/z.json",
            "sub/c.json",
            ".hidden/d.json",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
        let (inputs, problems) = split(discover(&[root.to_path_buf()]));
        assert!(problems.is_empty());
        let names: Vec<_> = inputs
            .iter()
            .map(|i| match i {
                Input::File { path, explicit } => (
                    path.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    *explicit,
                ),
                Input::Stdin => unreachable!(),
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("a.json".into(), false),
                ("b.json".into(), false),
                ("sub/c.json".into(), false)
            ]
        );
    }

    #[test]
    fn gitignored_files_are_recognised_up_to_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("apps/generated")).unwrap();
        std::fs::write(root.join(".gitignore"), "generated/\n*.local.json\n").unwrap();
        std::fs::write(root.join("apps/.gitignore"), "!keep.local.json\n").unwrap();
        let mut ignores = Gitignores::default();
        assert!(ignores.is_ignored(&root.join("apps/generated/x.json")));
        assert!(ignores.is_ignored(&root.join("apps/dev.local.json")));
        assert!(!ignores.is_ignored(&root.join("apps/keep.local.json")));
        assert!(!ignores.is_ignored(&root.join("apps/web.json")));
    }

    #[test]
    fn missing_paths_are_fatal_problems() {
        let (inputs, problems) = split(discover(&[PathBuf::from("/definitely/not/here.json")]));
        assert!(inputs.is_empty());
        assert_eq!(problems[0].message, "no such file or directory");
        assert!(problems[0].fatal);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed_forever() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).unwrap();
        std::fs::write(dir.path().join("a/app.json"), "{}").unwrap();
        let (inputs, problems) = split(discover(&[dir.path().to_path_buf()]));
        assert_eq!(inputs.len(), 1);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("loop"));
        assert!(!problems[0].fatal);
    }
}

/// `path` made absolute against the current directory, which is read once:
/// a `getcwd` per file was a measurable share of a large run.
pub fn absolute(path: &Path) -> PathBuf {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    // Not tidied further (`a/./b` stays): paths compare and strip prefixes
    // component by component, which skips `.` already.
    match CWD.get_or_init(|| std::env::current_dir().ok()) {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    }
}

/// `.gitignore` files between a repository's root and a walked file, read
/// once per directory. Only walked files are filtered: a file named on the
/// command line is always linted.
#[derive(Default)]
pub struct Gitignores {
    by_dir: std::collections::HashMap<PathBuf, Option<std::sync::Arc<ignore::gitignore::Gitignore>>>,
    /// For each directory of a file (as named), the `.gitignore`s from it up
    /// to its repository's root, deepest first: found once per directory.
    chains: std::collections::HashMap<PathBuf, Chain>,
    /// The previous file's directory and chain: a walk yields a directory's
    /// files one after another.
    last: Option<(PathBuf, Chain)>,
}

type Chain = std::sync::Arc<[std::sync::Arc<ignore::gitignore::Gitignore>]>;

impl Gitignores {
    fn matcher(&mut self, dir: &Path) -> Option<std::sync::Arc<ignore::gitignore::Gitignore>> {
        self.by_dir
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let file = dir.join(".gitignore");
                if !file.is_file() {
                    return None;
                }
                let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
                // A malformed line is skipped, as git does.
                let _ = builder.add(&file);
                builder.build().ok().map(std::sync::Arc::new)
            })
            .clone()
    }

    fn chain(&mut self, parent: &Path) -> Chain {
        if let Some((dir, chain)) = &self.last {
            if dir == parent {
                return chain.clone();
            }
        }
        let chain = match self.chains.get(parent) {
            Some(chain) => chain.clone(),
            None => {
                let mut matchers = Vec::new();
                for dir in absolute(parent).ancestors() {
                    matchers.extend(self.matcher(dir));
                    if dir.join(".git").exists() {
                        break;
                    }
                }
                let chain: Chain = matchers.into();
                self.chains.insert(parent.to_path_buf(), chain.clone());
                chain
            }
        };
        self.last = Some((parent.to_path_buf(), chain.clone()));
        chain
    }

    /// Is `path` ignored by a `.gitignore` of its repository?
    pub fn is_ignored(&mut self, path: &Path) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        let chain = self.chain(parent);
        if chain.is_empty() {
            return false;
        }
        // The deepest .gitignore that has a say wins (later rules override,
        // as in git).
        let path = absolute(path);
        for matcher in chain.iter() {
            let matched = matcher.matched_path_or_any_parents(&path, false);
            if matched.is_ignore() {
                return true;
            }
            if matched.is_whitelist() {
                return false;
            }
        }
        false
    }
}
