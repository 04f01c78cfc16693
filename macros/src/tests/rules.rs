//! The audit's rules: a fixture per rule (`macros/analysis/tests/fixtures/*.rs`),
//! positive and negative cases side by side: a line that ends with
//! `//~ rule-id ..` expects a finding of each rule named there, starting on
//! that line; every other line expects none.
//!
//! They run in this crate's test binary, which links syn and the analysis
//! already: a test binary of their own in `taskscope-analysis` cost 2 s of
//! a fresh build.

use std::collections::BTreeSet;
use std::path::Path;

use taskscope_analysis::{Rule, audit};

fn expected(source: &str) -> BTreeSet<(usize, String)> {
    let mut expected = BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        if let Some((_, marks)) = line.split_once("//~") {
            for rule in marks.split_whitespace() {
                assert!(
                    Rule::from_id(rule).is_some(),
                    "unknown rule `{rule}` on line {}",
                    index + 1
                );
                expected.insert((index + 1, rule.to_string()));
            }
        }
    }
    expected
}

fn check(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("analysis/tests/fixtures")
        .join(name);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{name}: {error}"));
    let findings = audit::audit_source(&source).unwrap_or_else(|error| panic!("{name}: {error}"));
    let found: BTreeSet<(usize, String)> = findings
        .iter()
        .map(|finding| (finding.start.line, finding.rule.id().to_string()))
        .collect();
    let want = expected(&source);
    let missing: Vec<_> = want.difference(&found).collect();
    let extra: Vec<String> = findings
        .iter()
        .filter(|finding| !want.contains(&(finding.start.line, finding.rule.id().to_string())))
        .map(|finding| {
            format!(
                "{}:{}: {}: {}",
                finding.start.line,
                finding.start.column + 1,
                finding.rule,
                finding.message
            )
        })
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}:\n  expected but not found: {missing:?}\n  found but not expected:\n    {}",
        extra.join("\n    ")
    );
}

#[test]
fn detached_spawn() {
    check("detached_spawn.rs");
}

#[test]
fn spawn_in_constructor() {
    check("spawn_in_constructor.rs");
}

#[test]
fn spawn_and_handle_under_timeout() {
    check("timeouts.rs");
}

#[test]
fn uncancellable_loop_and_blocked_send() {
    check("loops.rs");
}

#[test]
fn detached_thread() {
    check("threads.rs");
    check("loom_threads.rs");
}

#[test]
fn scoped_detaching_forms_and_hatch_reasons() {
    check("scoped.rs");
}

#[test]
fn allow_comments() {
    check("allow.rs");
}

#[test]
fn every_rule_has_a_fixture_that_finds_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("analysis/tests/fixtures");
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let source = std::fs::read_to_string(entry.path()).unwrap_or_default();
        seen.extend(expected(&source).into_iter().map(|(_, rule)| rule));
    }
    for rule in Rule::ALL {
        assert!(seen.contains(rule.id()), "no fixture expects `{rule}`");
    }
}

#[test]
fn a_file_that_does_not_parse_is_an_error_not_a_panic() {
    assert!(audit::audit_source("fn broken( {").is_err());
}
