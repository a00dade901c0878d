//! The Mesos resource-string parser on arbitrary text: accepted ranges are
//! well formed, and printing them gives a string that parses to the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marathon_lint::agent_resources;

fuzz_target!(|text: &str| {
    if let Ok(ranges) = agent_resources::parse(text) {
        let shown = ranges.to_string();
        let again = agent_resources::parse(&format!("ports:{shown}")).expect("printed ranges parse");
        assert_eq!(again, ranges, "{shown}");
        assert!(!ranges.contains(65536));
    }
});
