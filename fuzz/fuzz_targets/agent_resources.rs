//! The Mesos resource-string parser on arbitrary text: accepted ranges are
//! well formed, and printing the resources gives a string that parses to the
//! same ports, role by role.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marathon_lint::cluster::resources;

fuzz_target!(|text: &str| {
    if let Ok(parsed) = resources::parse(text) {
        let shown = parsed.to_string();
        let again = resources::parse(&shown).expect("printed resources parse");
        for (role, offered) in &parsed.by_role {
            assert!(!offered.ports.contains(65536));
            if !offered.ports.is_empty() {
                assert_eq!(again.role(role).map(|r| &r.ports), Some(&offered.ports), "{shown}");
            }
        }
    }
});
