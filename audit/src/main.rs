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
/// cargo passes first, already taken off). A hand-written reader of five
/// options: clap's builder alone was 5 s of a fresh build's CPU.
pub(crate) fn parse_args(args: &[String]) -> Result<Args, Exit> {
    let mut rest = args.iter();
    match rest.next().map(String::as_str) {
        Some("audit") => {}
        Some("-h" | "--help") | None => return Err(Exit::Print(help())),
        Some("-V" | "--version") => {
            return Err(Exit::Print(format!(
                "cargo-taskscope {}\n",
                env!("CARGO_PKG_VERSION")
            )));
        }
        Some(other) => {
            return Err(Exit::Usage(format!(
                "error: no such command `{other}`: the command is `audit`\n\n{USAGE}\n"
            )));
        }
    }
    let mut parsed = Args {
        root: PathBuf::from("."),
        format: Format::Text,
        allowed: Vec::new(),
        quiet: false,
    };
    let mut root: Option<PathBuf> = None;
    while let Some(arg) = rest.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| rest.next().cloned())
                .ok_or_else(|| Exit::Usage(format!("error: `{name}` needs {what}\n\n{USAGE}\n")))
        };
        match name {
            "-h" | "--help" => return Err(Exit::Print(help())),
            "-q" | "--quiet" => parsed.quiet = true,
            "--format" => {
                parsed.format = match value("a format")?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    other => {
                        return Err(Exit::Usage(format!(
                            "error: `--format {other}`: the formats are text, json and sarif\n"
                        )));
                    }
                }
            }
            "--allow" => {
                let id = value("a rule id")?;
                match Rule::from_id(&id) {
                    Some(rule) => parsed.allowed.push(rule),
                    None => {
                        let known: Vec<&str> = Rule::ALL.iter().map(|rule| rule.id()).collect();
                        return Err(Exit::Usage(format!(
                            "error: `--allow {id}`: no such rule; the rules are {}\n",
                            known.join(", ")
                        )));
                    }
                }
            }
            option if option.starts_with('-') && option != "-" => {
                return Err(Exit::Usage(format!(
                    "error: unknown option `{option}`\n\n{USAGE}\n"
                )));
            }
            path if root.is_none() => root = Some(PathBuf::from(path)),
            extra => {
                return Err(Exit::Usage(format!(
                    "error: one PATH only (`{extra}` is a second)\n\n{USAGE}\n"
                )));
            }
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
