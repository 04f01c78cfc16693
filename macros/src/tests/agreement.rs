//! The macros and the audit cannot disagree: every `#[scoped]` fn of the
//! audit's fixtures and of the compile-fail and compile-pass tests is
//! expanded by the macro, and the same file audited; the macro's errors of
//! the rules the two share (a detaching form, an awaiting loop without a
//! cancellation arm, an escape hatch without its reason) must be the
//! audit's findings in that fn, at the same line and column, with the same
//! message.

use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use taskscope_analysis::spawn::{Forbidden, Redirect};
use taskscope_analysis::{Rule, audit, scan};

/// `(line, column, message)`.
type Reported = (usize, usize, String);

/// Whether a macro error belongs to a rule the audit shares.
fn shared_rule(message: &str) -> bool {
    let forms = [
        Forbidden::ThreadSpawn,
        Forbidden::ThreadBuilder,
        Forbidden::TaskBuilder,
        Forbidden::MemForget,
        Forbidden::BareSpawn(Redirect::Spawn),
        Forbidden::BareSpawn(Redirect::SpawnBlocking),
        Forbidden::BareSpawn(Redirect::SpawnLocal),
    ];
    message == scan::NO_ARM
        || forms.iter().any(|form| form.message() == message)
        || message.contains("on a tokio `Runtime` or `Handle` starts a task detached")
        || [
            "needs a reason",
            "the reason of",
            "write the reason as",
            "the reason is a string",
            "`reason` is given twice",
            "it takes only a reason",
        ]
        .iter()
        .any(|part| message.contains(part))
}

/// The `compile_error!`s of an expansion.
fn compile_errors(tokens: TokenStream, out: &mut Vec<Reported>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (index, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) if ident == "compile_error" => {
                let Some(TokenTree::Group(group)) = trees.get(index + 2) else {
                    continue;
                };
                let Ok(message) = syn::parse2::<syn::LitStr>(group.stream()) else {
                    continue;
                };
                let start = ident.span().start();
                out.push((start.line, start.column, message.value()));
            }
            TokenTree::Group(group) => compile_errors(group.stream(), out),
            _ => {}
        }
    }
}

/// Every `async fn` with `#[scoped]` of a file, at any depth, with its
/// lines.
fn scoped_fns(file: &syn::File) -> Vec<(syn::ItemFn, usize, usize)> {
    struct Collect(Vec<(syn::ItemFn, usize, usize)>);
    impl<'ast> syn::visit::Visit<'ast> for Collect {
        fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
            self.push(item.clone());
            syn::visit::visit_item_fn(self, item);
        }
        fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
            self.push(syn::ItemFn {
                attrs: item.attrs.clone(),
                vis: item.vis.clone(),
                sig: item.sig.clone(),
                block: Box::new(item.block.clone()),
            });
            syn::visit::visit_impl_item_fn(self, item);
        }
    }
    impl Collect {
        fn push(&mut self, item: syn::ItemFn) {
            let is_scoped = |attr: &syn::Attribute| {
                attr.path()
                    .segments
                    .last()
                    .is_some_and(|segment| segment.ident == "scoped")
            };
            if item.sig.asyncness.is_none() || !item.attrs.iter().any(is_scoped) {
                return;
            }
            let tokens = item.to_token_stream();
            let first = tokens.clone().into_iter().next();
            let last = tokens.into_iter().last();
            if let (Some(first), Some(last)) = (first, last) {
                let (start, end) = (first.span().start().line, last.span().end().line);
                self.0.push((item, start, end));
            }
        }
    }
    let mut collect = Collect(Vec::new());
    syn::visit::Visit::visit_file(&mut collect, file);
    collect.0
}

fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        "macros/analysis/tests/fixtures",
        "ui-tests/tests/fail",
        "ui-tests/tests/pass",
    ] {
        let entries = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|error| panic!("the inputs of the agreement test, {dir}: {error}"));
        files.extend(
            entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "rs")),
        );
    }
    files.sort();
    files
}

#[test]
fn the_macros_and_the_audit_report_the_same_findings() {
    let shared = [
        Rule::UncancellableLoop,
        Rule::ScopedDetachingForm,
        Rule::EscapeHatchReason,
    ];
    let mut compared = 0;
    let mut fns = 0;
    let mut disagreements = Vec::new();
    for path in inputs() {
        let source = std::fs::read_to_string(&path).unwrap();
        let Ok(file) = syn::parse_file(&source) else {
            continue;
        };
        let findings = audit::audit_file(&file);
        for (mut item, start, end) in scoped_fns(&file) {
            fns += 1;
            let position = item
                .attrs
                .iter()
                .position(|attr| {
                    attr.path()
                        .segments
                        .last()
                        .is_some_and(|segment| segment.ident == "scoped")
                })
                .unwrap();
            let attr = item.attrs.remove(position);
            let args = match attr.meta {
                syn::Meta::List(list) => list.tokens,
                _ => TokenStream::new(),
            };
            let mut from_macro = Vec::new();
            compile_errors(
                crate::scoped::expand(args, item.to_token_stream()),
                &mut from_macro,
            );
            from_macro.retain(|(_, _, message)| shared_rule(message));
            from_macro.sort();
            let mut from_audit: Vec<Reported> = findings
                .iter()
                .filter(|finding| shared.contains(&finding.rule))
                .filter(|finding| (start..=end).contains(&finding.start.line))
                .map(|finding| {
                    (
                        finding.start.line,
                        finding.start.column,
                        finding.message.clone(),
                    )
                })
                .collect();
            from_audit.sort();
            compared += from_macro.len();
            if from_macro != from_audit {
                disagreements.push(format!(
                    "{} fn `{}`:\n  macro: {from_macro:#?}\n  audit: {from_audit:#?}",
                    path.display(),
                    item.sig.ident
                ));
            }
        }
    }
    eprintln!("agreement: {fns} #[scoped] fns, {compared} shared errors compared");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(fns >= 20, "only {fns} #[scoped] fns were compared");
    assert!(compared >= 20, "only {compared} macro errors were compared");
}
