//! The audit over the sources of every crate in the local cargo registry
//! (`~/.cargo/registry/src/*/*`): it must end on each without a crash or a
//! panic. Slow (it parses everything), so it is `#[ignore]`d:
//!
//! ```text
//! cargo test -p cargo-taskscope --test cli registry -- --ignored --nocapture
//! ```
//!
//! It prints the number of files and findings, and writes every finding to
//! `target/taskscope-audit-registry.json` for review by hand.

use std::path::PathBuf;
use std::process::Command;

fn registry_crates() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(src) = home.map(|home| home.join("registry").join("src")) else {
        return Vec::new();
    };
    let mut crates = Vec::new();
    for index in std::fs::read_dir(src).into_iter().flatten().flatten() {
        for krate in std::fs::read_dir(index.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if krate.path().is_dir() {
                crates.push(krate.path());
            }
        }
    }
    crates.sort();
    crates
}

#[test]
#[ignore = "slow: audits every crate of the local registry"]
fn every_registry_crate_is_audited_without_a_crash() {
    let crates = registry_crates();
    let (mut files, mut findings, mut skipped) = (0, 0, 0);
    let mut all = Vec::new();
    let mut crashes = Vec::new();
    for krate in &crates {
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-taskscope"))
            .args(["taskscope", "audit", "--quiet", "--format", "json"])
            .arg(krate)
            .output()
            .expect("the command runs");
        let report: Option<serde_json::Value> = serde_json::from_slice(&output.stdout).ok();
        match (output.status.code(), report) {
            (Some(0 | 1), Some(report)) => {
                files += report["files_audited"].as_u64().unwrap_or(0);
                findings += report["finding_count"].as_u64().unwrap_or(0);
                let skips = report["skipped"].as_array().cloned().unwrap_or_default();
                skipped += skips.len();
                for skip in &skips {
                    let reason = skip["reason"].as_str().unwrap_or_default();
                    if reason.contains("panicked") {
                        crashes.push(format!("{}: {}", krate.display(), skip["file"]));
                    }
                }
                for mut finding in report["findings"].as_array().cloned().unwrap_or_default() {
                    finding["crate"] = serde_json::json!(
                        krate.file_name().map(|n| n.to_string_lossy().into_owned())
                    );
                    all.push(finding);
                }
            }
            (code, _) => crashes.push(format!(
                "{}: exit {code:?}: {}",
                krate.display(),
                String::from_utf8_lossy(&output.stderr)
            )),
        }
    }
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/taskscope-audit-registry.json");
    let _ = std::fs::write(&out, serde_json::to_string_pretty(&all).unwrap_or_default());
    println!(
        "registry: {} crates, {files} files audited, {skipped} skipped, {findings} findings, {} crashes",
        crates.len(),
        crashes.len()
    );
    assert!(crashes.is_empty(), "{crashes:#?}");
}
