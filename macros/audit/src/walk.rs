//! Finding the files (the `ignore` crate: `.gitignore`, `.ignore`, hidden
//! folders, and `target/`) and auditing each, never crashing on one.

use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use taskscope_analysis::{Finding, audit};

/// One audited file.
pub(crate) struct FileReport {
    /// The path as reported: relative to the audited root, with `/`.
    pub(crate) shown: String,
    /// Its source, for snippets.
    pub(crate) source: String,
    pub(crate) findings: Vec<Finding>,
}

/// A file that was not audited, and why.
pub(crate) struct Skipped {
    pub(crate) shown: String,
    pub(crate) reason: String,
}

/// What an audit of a tree found.
pub(crate) struct Outcome {
    pub(crate) files: Vec<FileReport>,
    pub(crate) skipped: Vec<Skipped>,
}

impl Outcome {
    pub(crate) fn finding_count(&self) -> usize {
        self.files.iter().map(|file| file.findings.len()).sum()
    }

    pub(crate) fn audited_count(&self) -> usize {
        self.files.len()
    }
}

/// The `.rs` files under `root` (or `root` itself, if it is a file), sorted.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let walker = ignore::WalkBuilder::new(root)
        // `.gitignore` counts outside a git repository too (a crate
        // unpacked from the registry, a fresh copy).
        .require_git(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            !(is_dir && entry.depth() > 0 && entry.file_name() == "target")
        })
        .build();
    let mut files: Vec<PathBuf> = walker
        .flatten()
        .filter(|entry| entry.file_type().is_some_and(|kind| kind.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    files
}

fn shown_path(root: &Path, path: &Path) -> String {
    let relative = if root.is_file() {
        path
    } else {
        path.strip_prefix(root).unwrap_or(path)
    };
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Progress on stderr: a counter rewritten in place on a terminal, a line
/// every few seconds elsewhere; nothing for small trees.
struct Progress {
    enabled: bool,
    terminal: bool,
    total: usize,
    last: Instant,
}

/// Trees with fewer files than this show no progress.
const PROGRESS_FROM: usize = 200;

impl Progress {
    fn new(enabled: bool, total: usize) -> Self {
        Progress {
            enabled: enabled && total >= PROGRESS_FROM,
            terminal: std::io::stderr().is_terminal(),
            total,
            last: Instant::now(),
        }
    }

    fn tick(&mut self, done: usize, findings: usize) {
        if !self.enabled {
            return;
        }
        let every = if self.terminal {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(2)
        };
        if self.last.elapsed() < every {
            return;
        }
        self.last = Instant::now();
        let line = format!(
            "taskscope audit: {done}/{} files, {findings} findings",
            self.total
        );
        if self.terminal {
            eprint!("\r{line}");
        } else {
            eprintln!("{line}");
        }
    }

    fn finish(&self) {
        if self.enabled && self.terminal {
            eprint!("\r\x1b[K");
        }
    }
}

/// Audits every file under `root`.
pub(crate) fn audit_tree(root: &Path, progress: bool) -> Outcome {
    let files = rust_files(root);
    let mut progress = Progress::new(progress, files.len());
    let mut outcome = Outcome {
        files: Vec::new(),
        skipped: Vec::new(),
    };
    let mut found = 0;
    for (index, path) in files.iter().enumerate() {
        let shown = shown_path(root, path);
        match audit_one(path) {
            Ok((source, findings)) => {
                found += findings.len();
                outcome.files.push(FileReport {
                    shown,
                    source,
                    findings,
                });
            }
            Err(reason) => outcome.skipped.push(Skipped { shown, reason }),
        }
        progress.tick(index + 1, found);
    }
    progress.finish();
    outcome
}

/// One file: its source and findings, or why it was skipped.
pub(crate) fn audit_one(path: &Path) -> Result<(String, Vec<Finding>), String> {
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read it: {error}"))?;
    let source = String::from_utf8(bytes).map_err(|_| String::from("it is not UTF-8"))?;
    // A panic in the analysis is a bug; it skips the file rather than
    // ending the audit.
    let result = catch_unwind(AssertUnwindSafe(|| audit::audit_source(&source)));
    let outcome = match result {
        Ok(Ok(findings)) => Ok((source, findings)),
        Ok(Err(error)) => {
            let at = error.span().start();
            Err(format!(
                "it does not parse ({}:{}: {error})",
                at.line,
                at.column + 1
            ))
        }
        Err(_) => Err(String::from(
            "the analysis panicked on it (a bug of cargo-taskscope: please report it)",
        )),
    };
    // Its findings hold lines and columns: the spans of this file are not
    // needed any more, and would otherwise pile up for the whole tree.
    proc_macro2::extra::invalidate_current_thread_spans();
    outcome
}
