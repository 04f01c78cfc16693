//! `cargo taskscope audit [PATH]`: the rules of `taskscope-analysis` over
//! every `.rs` file of a crate or a workspace (`target/` and what
//! `.gitignore` lists are skipped), reported as text, JSON or SARIF 2.1.0.
//!
//! Exit status: 0 when nothing is found, 1 when something is (a CI gate),
//! 2 when the audit could not run (no such path, bad arguments).

#![forbid(unsafe_code)]

mod report;
mod walk;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command};
use taskscope_analysis::Rule;

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Sarif,
}

fn command() -> Command {
    let rules: Vec<String> = Rule::ALL
        .iter()
        .map(|rule| format!("  {:<22} {}", rule.id(), rule.summary()))
        .collect();
    let audit = Command::new("audit")
        .about("Find the detached spawns and uncancellable loops of a crate or workspace")
        .arg(
            Arg::new("path")
                .value_name("PATH")
                .help("The crate or workspace folder (or one file) to audit [default: .]"),
        )
        .arg(
            Arg::new("format")
                .long("format")
                .value_name("FORMAT")
                .value_parser(["text", "json", "sarif"])
                .default_value("text")
                .help("The report's format: text, json, or sarif (SARIF 2.1.0)"),
        )
        .arg(
            Arg::new("allow")
                .long("allow")
                .value_name("RULE")
                .action(ArgAction::Append)
                .help("Report nothing of this rule (repeatable)"),
        )
        .arg(
            Arg::new("quiet")
                .long("quiet")
                .short('q')
                .action(ArgAction::SetTrue)
                .help("No progress on stderr"),
        )
        .after_help(format!(
            "Rules:\n{}\n\nSilence one finding with a comment on its line or right above it:\n  \
             // taskscope-audit: allow(RULE) why this is fine",
            rules.join("\n")
        ));
    Command::new("cargo-taskscope")
        .bin_name("cargo taskscope")
        .version(env!("CARGO_PKG_VERSION"))
        .about("taskscope's tools for cargo")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(audit)
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Run as `cargo taskscope ..`, cargo passes `taskscope` first.
    if args.get(1).is_some_and(|arg| arg == "taskscope") {
        args.remove(1);
    }
    let matches = match command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let Some(("audit", audit)) = matches.subcommand() else {
        return ExitCode::from(2);
    };
    let root = audit
        .get_one::<String>("path")
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let format = match audit.get_one::<String>("format").map(String::as_str) {
        Some("json") => Format::Json,
        Some("sarif") => Format::Sarif,
        _ => Format::Text,
    };
    let mut allowed = Vec::new();
    for id in audit.get_many::<String>("allow").into_iter().flatten() {
        match Rule::from_id(id) {
            Some(rule) => allowed.push(rule),
            None => {
                let known: Vec<&str> = Rule::ALL.iter().map(|rule| rule.id()).collect();
                eprintln!(
                    "error: `--allow {id}`: no such rule; the rules are {}",
                    known.join(", ")
                );
                return ExitCode::from(2);
            }
        }
    }
    if !root.exists() {
        eprintln!("error: {}: no such file or folder", root.display());
        return ExitCode::from(2);
    }
    let progress = !audit.get_flag("quiet");
    let mut outcome = walk::audit_tree(&root, progress);
    outcome.files.iter_mut().for_each(|file| {
        file.findings
            .retain(|finding| !allowed.contains(&finding.rule))
    });
    let text = match format {
        Format::Text => report::text(&outcome),
        Format::Json => report::json(&outcome),
        Format::Sarif => report::sarif(&outcome),
    };
    print!("{text}");
    if outcome.finding_count() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
