//! Agreement with Marathon: every case in `../shared/corpus/marathon-cases/`
//! (definitions from Marathon's own tests and docs, with its verdict) is
//! linted for the Marathon version it names, and the verdict must match: no
//! error where Marathon accepts, an error where it rejects.

mod common;

use marathon_lint::catalogue;
use marathon_lint::deploy_method::Method;
use marathon_lint::diagnostic::Severity;
use marathon_lint::lint::Linter;
use marathon_lint::marathon_target::MarathonVersion;
use marathon_lint::rules::RuleOptions;

/// Cases whose Marathon rule is not implemented yet. Each must still
/// disagree (the test fails once it agrees, so the list only shrinks).
const KNOWN_GAPS: &[&str] = &[];

struct Case {
    file: String,
    valid: bool,
    versions: Vec<MarathonVersion>,
    features: String,
}

fn cases(dir: &std::path::Path) -> Vec<Case> {
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    manifest
        .lines()
        .skip(1)
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            let versions = match columns[2] {
                "1.4" => vec![MarathonVersion::V1_4],
                "1.5+" => vec![MarathonVersion::V1_5, MarathonVersion::NEWEST],
                "any" => vec![MarathonVersion::V1_4, MarathonVersion::V1_5, MarathonVersion::NEWEST],
                other => panic!("unknown version column {other:?} in {line}"),
            };
            // The notes say when Marathon's test enabled a feature.
            let notes = columns.get(7).copied().unwrap_or("");
            let features = ["secrets", "gpu_resources", "external_volumes"]
                .into_iter()
                .filter(|f| notes.contains(&format!("--enable_features {f}")))
                .collect::<Vec<_>>()
                .join(",");
            Case {
                file: columns[0].to_string(),
                valid: columns[1] == "valid",
                versions,
                features,
            }
        })
        .collect()
}

/// Errors that claim Marathon rejects the definition.
fn rejections(linter: &Linter, name: &str, bytes: Vec<u8>) -> Vec<String> {
    linter
        .lint_bytes(name, bytes)
        .report
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| catalogue::find(&d.rule).is_some_and(|r| r.meta.category.marathon_rejects()))
        .map(|d| format!("{} at {}: {}", d.rule, d.pointer.unwrap_or_default(), d.message))
        .collect()
}

/// Every error, whatever its category.
fn errors(linter: &Linter, name: &str, bytes: Vec<u8>) -> Vec<String> {
    linter
        .lint_bytes(name, bytes)
        .report
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} at {}: {}", d.rule, d.pointer.unwrap_or_default(), d.message))
        .collect()
}

#[test]
fn marathon_cases_get_marathons_verdict() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIPPED: ../shared/corpus/marathon-cases is absent (fresh clone); nothing to check");
        return;
    };
    let dir = shared.join("corpus/marathon-cases");
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for case in cases(&dir) {
        let bytes = std::fs::read(dir.join(&case.file)).unwrap();
        for version in &case.versions {
            let options = RuleOptions {
                marathon_version: *version,
                features: case.features.parse().unwrap(),
                ..RuleOptions::default()
            };
            let found = rejections(&Linter::new(options), &case.file, bytes.clone());
            checked += 1;
            match (case.valid, found.is_empty()) {
                (true, false) => disagreements.push(format!(
                    "{} ({version}): Marathon accepts it, we report {found:?}",
                    case.file
                )),
                (false, true) => disagreements.push(format!(
                    "{} ({version}): Marathon rejects it, we report no error",
                    case.file
                )),
                _ => {}
            }
        }
    }
    assert!(checked >= 35, "only {checked} case/version pairs");
    let (known, new): (Vec<_>, Vec<_>) = disagreements
        .iter()
        .partition(|d| KNOWN_GAPS.iter().any(|gap| d.starts_with(gap)));
    assert!(
        new.is_empty(),
        "{} disagreements with Marathon:\n{}",
        new.len(),
        new.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n")
    );
    let closed: Vec<_> = KNOWN_GAPS
        .iter()
        .filter(|gap| !known.iter().any(|d| d.starts_with(*gap)))
        .collect();
    assert!(
        closed.is_empty(),
        "these cases now agree with Marathon; remove them from KNOWN_GAPS: {closed:?}"
    );
}

/// Cases this project found in review against Marathon's source, kept beside
/// the tests (tests/conformance/MANIFEST.tsv: the versions that reject each
/// file, those that accept it, and the source lines that say so).
#[test]
fn cases_from_marathons_source_get_its_verdict() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let [file, invalid_for, valid_for, source] = columns[..] else {
            panic!("four columns: {line}")
        };
        assert!(!source.trim().is_empty(), "{file}: cite the source");
        let bytes = std::fs::read(dir.join(file)).unwrap();
        // `1.4` or `1.4/put`: a version, and how the body is sent (none:
        // the cautious reading, which reports what any method rejects).
        let versions = |list: &str| -> Vec<(MarathonVersion, Option<Method>)> {
            list.split(',')
                .filter(|v| !v.is_empty())
                .map(|v| match v.split_once('/') {
                    Some((version, method)) => (version.parse().unwrap(), Some(method.parse().unwrap())),
                    None => (v.parse().unwrap(), None),
                })
                .collect()
        };
        for (versions, rejects) in [(versions(invalid_for), true), (versions(valid_for), false)] {
            for (version, method) in versions {
                let options = RuleOptions {
                    marathon_version: version,
                    method,
                    ..RuleOptions::default()
                };
                // These files are written for one finding: any error counts.
                let found = errors(&Linter::new(options), file, bytes.clone());
                let sent = method.map_or("any method".to_string(), |m| m.request().to_string());
                assert_eq!(
                    !found.is_empty(),
                    rejects,
                    "{file} at {version}, {sent}: Marathon {} it ({source}); we report {found:?}",
                    if rejects { "rejects" } else { "accepts" }
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} case/version pairs");
}
