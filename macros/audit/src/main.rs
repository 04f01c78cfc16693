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

use taskscope_analysis::Rule;

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Sarif,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Args {
    pub(crate) root: PathBuf,
    pub(crate) format: Format,
    pub(crate) allowed: Vec<Rule>,
    pub(crate) quiet: bool,
}

/// What to do instead of an audit.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// `--help` or `--version`: print this and succeed.
    Print(String),
    /// A usage error: print this and fail with status 2.
    Usage(String),
}

fn help() -> String {
    let rules: Vec<String> = Rule::ALL
        .iter()
        .map(|rule| format!("  {:<22} {}", rule.id(), rule.summary()))
        .collect();
    format!(
        "Find the detached spawns and uncancellable loops of a crate or workspace.\n\n\
         Usage: cargo taskscope audit [OPTIONS] [PATH]\n\n\
         Arguments:\n  \
         [PATH]  The crate or workspace folder (or one file) to audit [default: .]\n\n\
         Options:\n  \
         --format <FORMAT>  The report: text (default), json, or sarif (SARIF 2.1.0)\n  \
         --allow <RULE>     Report nothing of this rule (repeatable)\n  \
         -q, --quiet        No progress on stderr\n  \
         -h, --help         Print this help\n  \
         -V, --version      Print the version\n\n\
         Rules:\n{}\n\n\
         Silence one finding with a comment on its line or right above it:\n  \
         // taskscope-audit: allow(RULE) why this is fine\n\n\
         Exit status: 0 nothing found, 1 something found, 2 the audit could not run.\n",
        rules.join("\n")
    )
}

const USAGE: &str =
    "Usage: cargo taskscope audit [--format text|json|sarif] [--allow RULE].. [PATH]";

/// Reads the command line (without the program's name; `taskscope`, which
/// cargo passes first, already taken off), with `lexopt`: a parser of a few
/// hundred lines and no dependencies (clap's builder alone was 5 s of a
/// fresh build's CPU, for five options).
pub(crate) fn parse_args(args: &[String]) -> Result<Args, Exit> {
    use lexopt::prelude::*;

    let usage = |message: String| Exit::Usage(format!("error: {message}\n\n{USAGE}\n"));
    let mut parser = lexopt::Parser::from_args(args.iter().cloned());
    match parser.next().map_err(|error| usage(error.to_string()))? {
        Some(Value(command)) if command == "audit" => {}
        None | Some(Short('h') | Long("help")) => return Err(Exit::Print(help())),
        Some(Short('V') | Long("version")) => {
            return Err(Exit::Print(format!(
                "cargo-taskscope {}\n",
                env!("CARGO_PKG_VERSION")
            )));
        }
        Some(Value(other)) => {
            return Err(usage(format!(
                "no such command `{}`: the command is `audit`",
                other.to_string_lossy()
            )));
        }
        Some(other) => return Err(usage(other.unexpected().to_string())),
    }
    let mut parsed = Args {
        root: PathBuf::from("."),
        format: Format::Text,
        allowed: Vec::new(),
        quiet: false,
    };
    let mut root: Option<PathBuf> = None;
    while let Some(arg) = parser.next().map_err(|error| usage(error.to_string()))? {
        match arg {
            Short('h') | Long("help") => return Err(Exit::Print(help())),
            Short('q') | Long("quiet") => parsed.quiet = true,
            Long("format") => {
                let format = parser.value().map_err(|error| usage(error.to_string()))?;
                parsed.format = match format.to_string_lossy().as_ref() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    other => {
                        return Err(usage(format!(
                            "`--format {other}`: the formats are text, json and sarif"
                        )));
                    }
                }
            }
            Long("allow") => {
                let id = parser.value().map_err(|error| usage(error.to_string()))?;
                let id = id.to_string_lossy();
                match Rule::from_id(&id) {
                    Some(rule) => parsed.allowed.push(rule),
                    None => {
                        let known: Vec<&str> = Rule::ALL.iter().map(|rule| rule.id()).collect();
                        return Err(usage(format!(
                            "`--allow {id}`: no such rule; the rules are {}",
                            known.join(", ")
                        )));
                    }
                }
            }
            Value(path) if root.is_none() => root = Some(PathBuf::from(path)),
            Value(extra) => {
                return Err(usage(format!(
                    "one PATH only (`{}` is a second)",
                    extra.to_string_lossy()
                )));
            }
            other => return Err(usage(other.unexpected().to_string())),
        }
    }
    if let Some(root) = root {
        parsed.root = root;
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    // Run as `cargo taskscope ..`, cargo passes `taskscope` first.
    if args.first().is_some_and(|arg| arg == "taskscope") {
        args.remove(0);
    }
    let Args {
        root,
        format,
        allowed,
        quiet,
    } = match parse_args(&args) {
        Ok(args) => args,
        Err(Exit::Print(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(Exit::Usage(text)) => {
            eprint!("{text}");
            return ExitCode::from(2);
        }
    };
    if !root.exists() {
        eprintln!("error: {}: no such file or folder", root.display());
        return ExitCode::from(2);
    }
    let progress = !quiet;
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
