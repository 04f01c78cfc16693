//! The reports: text (by file, with snippets and a summary line), JSON, and
//! SARIF 2.1.0 for code-scanning tools. Lines count from 1, columns from 1,
//! in characters.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};
use taskscope_analysis::{Finding, Rule};

use crate::walk::{FileReport, Outcome};

/// The 1-based column of a 0-based character column.
fn column(value: usize) -> usize {
    value + 1
}

/// The source line of a finding and the columns its marker covers
/// (0-based, end exclusive, in characters).
fn snippet<'s>(source: &'s str, finding: &Finding) -> Option<(&'s str, usize, usize)> {
    let line = source.lines().nth(finding.start.line.checked_sub(1)?)?;
    let width = line.chars().count();
    let start = finding.start.column.min(width);
    let end = if finding.end.line == finding.start.line {
        finding.end.column.min(width)
    } else {
        width
    };
    Some((line, start, end.max(start + 1)))
}

/// The marker line under a snippet: the line's own tabs kept, so that it
/// lines up however tabs are shown.
fn marker(line: &str, start: usize, end: usize) -> String {
    let mut out: String = line
        .chars()
        .take(start)
        .map(|ch| if ch == '\t' { '\t' } else { ' ' })
        .collect();
    out.extend(std::iter::repeat_n('^', end - start));
    out
}

fn counts(outcome: &Outcome) -> BTreeMap<Rule, usize> {
    let mut counts = BTreeMap::new();
    for finding in outcome.files.iter().flat_map(|file| &file.findings) {
        *counts.entry(finding.rule).or_insert(0) += 1;
    }
    counts
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The human report.
pub(crate) fn text(outcome: &Outcome) -> String {
    let mut out = String::new();
    for file in outcome
        .files
        .iter()
        .filter(|file| !file.findings.is_empty())
    {
        let _ = writeln!(
            out,
            "{} ({})",
            file.shown,
            plural(file.findings.len(), "finding", "findings")
        );
        for finding in &file.findings {
            let line = finding.start.line;
            let _ = writeln!(
                out,
                "{}:{}:{}: {}: {}",
                file.shown,
                line,
                column(finding.start.column),
                finding.rule.id(),
                finding.message
            );
            if let Some((text, start, end)) = snippet(&file.source, finding) {
                let gutter = line.to_string().len();
                let pad = " ".repeat(gutter);
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{line} | {text}");
                let _ = writeln!(out, "{pad} | {}", marker(text, start, end));
                let _ = writeln!(out, "{pad} = fix: {}", finding.rule.help());
            }
            out.push('\n');
        }
    }
    for skipped in &outcome.skipped {
        let _ = writeln!(out, "{}: skipped: {}", skipped.shown, skipped.reason);
    }
    let total = outcome.finding_count();
    let with = outcome
        .files
        .iter()
        .filter(|file| !file.findings.is_empty())
        .count();
    let by_rule: Vec<String> = counts(outcome)
        .into_iter()
        .map(|(rule, count)| format!("{}: {count}", rule.id()))
        .collect();
    let _ = write!(
        out,
        "taskscope audit: {} in {} of {}",
        plural(total, "finding", "findings"),
        with,
        plural(outcome.audited_count(), "file", "files"),
    );
    if !by_rule.is_empty() {
        let _ = write!(out, " ({})", by_rule.join(", "));
    }
    if !outcome.skipped.is_empty() {
        let _ = write!(
            out,
            "; {} skipped",
            plural(outcome.skipped.len(), "file", "files")
        );
    }
    out.push('\n');
    out
}

fn finding_json(file: &FileReport, finding: &Finding) -> Value {
    let snippet = snippet(&file.source, finding).map_or("", |(line, _, _)| line);
    json!({
        "rule": finding.rule.id(),
        "file": file.shown,
        "line": finding.start.line,
        "column": column(finding.start.column),
        "end_line": finding.end.line,
        "end_column": column(finding.end.column),
        "message": finding.message,
        "fix": finding.rule.help(),
        "snippet": snippet,
    })
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON report.
pub(crate) fn json(outcome: &Outcome) -> String {
    let findings: Vec<Value> = outcome
        .files
        .iter()
        .flat_map(|file| {
            file.findings
                .iter()
                .map(move |finding| finding_json(file, finding))
        })
        .collect();
    let skipped: Vec<Value> = outcome
        .skipped
        .iter()
        .map(|skipped| json!({ "file": skipped.shown, "reason": skipped.reason }))
        .collect();
    let counts: serde_json::Map<String, Value> = counts(outcome)
        .into_iter()
        .map(|(rule, count)| (rule.id().to_string(), json!(count)))
        .collect();
    pretty(&json!({
        "version": 1,
        "files_audited": outcome.audited_count(),
        "finding_count": outcome.finding_count(),
        "counts": counts,
        "findings": findings,
        "skipped": skipped,
    }))
}

/// The SARIF 2.1.0 report: one run, every rule described, one result per
/// finding, skipped files as tool notifications.
pub(crate) fn sarif(outcome: &Outcome) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id(),
                "shortDescription": { "text": rule.summary() },
                "help": { "text": rule.help() },
                "defaultConfiguration": { "level": "warning" },
            })
        })
        .collect();
    let index_of = |rule: Rule| Rule::ALL.iter().position(|known| *known == rule);
    let results: Vec<Value> = outcome
        .files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |finding| {
                let mut region = json!({
                    "startLine": finding.start.line,
                    "startColumn": column(finding.start.column),
                    "endLine": finding.end.line,
                    "endColumn": column(finding.end.column),
                });
                if let (Some((line, _, _)), Some(map)) =
                    (snippet(&file.source, finding), region.as_object_mut())
                {
                    map.insert("snippet".into(), json!({ "text": line }));
                }
                json!({
                    "ruleId": finding.rule.id(),
                    "ruleIndex": index_of(finding.rule),
                    "level": "warning",
                    "message": { "text": format!("{}\n\nFix: {}", finding.message, finding.rule.help()) },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": file.shown, "uriBaseId": "SRCROOT" },
                            "region": region,
                        }
                    }],
                })
            })
        })
        .collect();
    let notifications: Vec<Value> = outcome
        .skipped
        .iter()
        .map(|skipped| {
            json!({
                "level": "warning",
                "message": { "text": format!("skipped: {}", skipped.reason) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": skipped.shown, "uriBaseId": "SRCROOT" }
                    }
                }],
            })
        })
        .collect();
    pretty(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cargo-taskscope",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/taskscope/taskscope",
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    }))
}
