//! The command as a user runs it: snapshots of the text and SARIF reports
//! over the rule fixtures, the exit status, `--allow`, JSON, and a tree with
//! an unparsable file, a `target/` folder and a `.gitignore`.
//!
//! `TASKSCOPE_BLESS=1 cargo test -p cargo-taskscope` rewrites the snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod registry;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn audit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-taskscope"))
        .arg("taskscope")
        .arg("audit")
        .arg("--quiet")
        .args(args)
        .output()
        .expect("the command runs")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../analysis/tests/fixtures")
}

fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("TASKSCOPE_BLESS").is_some() {
        std::fs::write(&path, actual).expect("the snapshot is written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} changed (TASKSCOPE_BLESS=1 to accept):\n{actual}"
    );
}

#[test]
fn text_report_snapshot() {
    let output = audit(&[fixtures().to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "findings make the exit status 1"
    );
    snapshot("report.txt", &String::from_utf8_lossy(&output.stdout));
}

#[test]
fn sarif_report_snapshot() {
    let output = audit(&["--format", "sarif", fixtures().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let value: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(value["version"], "2.1.0");
    assert!(!value["runs"][0]["results"].as_array().unwrap().is_empty());
    snapshot("report.sarif", &text);
}

#[test]
fn json_report_counts_every_finding() {
    let output = audit(&["--format", "json", fixtures().to_str().unwrap()]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings = value["findings"].as_array().unwrap();
    assert_eq!(value["finding_count"].as_u64(), Some(findings.len() as u64));
    assert!(
        findings
            .iter()
            .all(|finding| finding["line"].as_u64().unwrap() > 0)
    );
}

#[test]
fn allowing_every_rule_found_exits_zero() {
    let path = fixtures().join("threads.rs");
    let output = audit(&["--allow", "detached-thread", path.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 findings"));
    let unknown = audit(&["--allow", "no-such-rule", path.to_str().unwrap()]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn unparsable_ignored_and_target_files() {
    let root = std::env::temp_dir().join(format!("taskscope-audit-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("target/debug")).unwrap();
    std::fs::create_dir_all(root.join("generated")).unwrap();
    let spawn = "fn f() { std::thread::spawn(work); }\n";
    std::fs::write(root.join("src/lib.rs"), spawn).unwrap();
    std::fs::write(root.join("src/broken.rs"), "fn broken( {\n").unwrap();
    std::fs::write(root.join("target/debug/out.rs"), spawn).unwrap();
    std::fs::write(root.join("generated/gen.rs"), spawn).unwrap();
    std::fs::write(root.join(".gitignore"), "generated/\n").unwrap();
    let output = audit(&[root.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("src/lib.rs:1:10: detached-thread"), "{text}");
    assert!(
        text.contains("src/broken.rs: skipped: it does not parse"),
        "{text}"
    );
    assert!(!text.contains("target/"), "{text}");
    assert!(!text.contains("gen.rs"), "{text}");
    assert!(
        text.contains("1 finding in 1 of 1 file (detached-thread: 1); 1 file skipped"),
        "{text}"
    );
}

#[test]
fn the_command_line() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cargo-taskscope"))
            .args(args)
            .output()
            .expect("the command runs")
    };
    let help = run(&["taskscope", "audit", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: cargo taskscope audit"));
    assert!(String::from_utf8_lossy(&help.stdout).contains("uncancellable-loop"));
    assert_eq!(run(&["--version"]).status.code(), Some(0));
    assert_eq!(run(&["taskscope", "lint"]).status.code(), Some(2));
    assert_eq!(run(&["audit", "--frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["audit", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(run(&["audit", "--format"]).status.code(), Some(2));
    assert_eq!(run(&["audit", "a", "b"]).status.code(), Some(2));
    assert_eq!(run(&["audit", "/no/such/folder"]).status.code(), Some(2));
    // Without cargo's `taskscope` first, and `--option=value`.
    let path = fixtures().join("threads.rs");
    let json = run(&["audit", "-q", "--format=json", path.to_str().unwrap()]);
    assert_eq!(json.status.code(), Some(1));
    assert!(serde_json::from_slice::<serde_json::Value>(&json.stdout).is_ok());
}
