//! Embeds the rule catalogue (`rules/*.md`) in the binary, so that the
//! documentation stays in exactly one place and `marathon-lint rule ID` works
//! without the source tree; and writes the schemas as the validator reads
//! them: without their descriptions (for editors only) and minified, so a
//! run parses half the bytes at start-up.

use std::fmt::Write;
use std::path::Path;

fn main() {
    link_at_a_fixed_address();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/ exists")
        .map(|e| e.expect("rules/ is readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    entries.sort();
    let mut code = String::from("pub static RULE_FILES: &[(&str, &str)] = &[\n");
    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out_dir).join("rule_files.rs"), code).unwrap();

    for name in ["marathon-app", "marathon-group"] {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{name}.schema.json"));
        println!("cargo:rerun-if-changed={}", source.display());
        let mut schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&source).unwrap()).expect("the schema is JSON");
        strip_descriptions(&mut schema);
        let out = Path::new(&out_dir).join(format!("{name}.validation.json"));
        std::fs::write(out, serde_json::to_string(&schema).unwrap()).unwrap();
    }
}

/// Drop every string-valued `description`: a property named so would hold
/// an object.
fn strip_descriptions(node: &mut serde_json::Value) {
    match node {
        serde_json::Value::Object(map) => {
            if map.get("description").is_some_and(serde_json::Value::is_string) {
                map.remove("description");
            }
            map.values_mut().for_each(strip_descriptions);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_descriptions),
        _ => {}
    }
}

/// A position-independent executable is relocated by the dynamic loader at
/// every start: 25,000 pointers (vtables, panic locations, string tables)
/// written into about 110 pages of `.data.rel.ro`, each a page fault, a fifth
/// of a one-file run's page faults (BENCHMARKS.md). A dynamically linked
/// release binary on Linux with glibc is therefore linked at a fixed address,
/// where the linker has already filled them in. What this gives up is the
/// randomised load address of the executable's own code; its libraries, heap
/// and stacks stay randomised. `MARATHON_LINT_PIE` set (to anything) at build
/// time keeps a position-independent binary.
fn link_at_a_fixed_address() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    println!("cargo:rerun-if-env-changed=MARATHON_LINT_PIE");
    // A static glibc binary (`+crt-static`) is linked with `-static-pie`;
    // `-no-pie` on top of it makes a binary that crashes at start.
    let static_binary = var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|feature| feature == "crt-static");
    if var("PROFILE") == "release"
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && !static_binary
        && std::env::var_os("MARATHON_LINT_PIE").is_none()
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
