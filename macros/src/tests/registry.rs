//! Robustness: the expansions of `#[scoped]` and `#[cancellable_loop]` over
//! every `async fn` in the sources of the crates in the local cargo registry
//! never panic, and their output always parses as the item it replaces. Non-async fns go through
//! too (they take the error path) and must come out parseable as well.
//!
//! Only files that hold an `async fn` are parsed, and one non-async fn in
//! [`OTHER_FN_SAMPLE`]; that keeps it at a few seconds in a debug build
//! (about 5 s for ~1,300 async fns on the 2-core machine, split between its cores, where parsing
//! every file that merely mentions `async` took 18 s), so it runs with every
//! `cargo test`. Without a registry it prints a note and checks
//! nothing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::visit::Visit;

/// With a registry present, at least this many async fns must be found (the
/// workspace's own dependency tree has tokio, tracing, futures: thousands).
const MIN_ASYNC_FNS: usize = 500;

/// One non-async fn in this many is expanded.
const OTHER_FN_SAMPLE: usize = 8;

/// Arguments every other fn is expanded with, so the argument paths run too.
const ARGS: &str =
    "name = scope, supervise, limit = 4, timeout = std::time::Duration::from_secs(1)";

fn registry_sources() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    let src = home.join("registry").join("src");
    src.is_dir().then_some(src)
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Position {
    Item,
    ImplItem,
    TraitItem,
}

#[derive(Default)]
struct Fns {
    found: Vec<(Position, bool, TokenStream)>,
}

impl<'ast> Visit<'ast> for Fns {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let is_async = item.sig.asyncness.is_some();
        self.found
            .push((Position::Item, is_async, item.to_token_stream()));
        syn::visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let is_async = item.sig.asyncness.is_some();
        self.found
            .push((Position::ImplItem, is_async, item.to_token_stream()));
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let is_async = item.sig.asyncness.is_some();
        self.found
            .push((Position::TraitItem, is_async, item.to_token_stream()));
        syn::visit::visit_trait_item_fn(self, item);
    }
}

/// Whether the expansion parses where the original item stood (an item
/// followed by `compile_error!`s, when there were errors).
fn parses(position: Position, output: TokenStream) -> Result<(), syn::Error> {
    match position {
        Position::Item => syn::parse2::<syn::File>(output).map(drop),
        Position::ImplItem => syn::parse2::<syn::ItemImpl>(quote!(impl X { #output })).map(drop),
        Position::TraitItem => syn::parse2::<syn::ItemTrait>(quote!(trait X { #output })).map(drop),
    }
}

#[test]
fn registry_async_fns_expand_to_items() {
    let Some(src) = registry_sources() else {
        println!(
            "note: no cargo registry sources found ($CARGO_HOME/registry/src); nothing to expand"
        );
        return;
    };
    let started = Instant::now();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // Parsing with syn in a debug build is what costs: the files are split
    // among the machine's cores (proc-macro2's tokens are not `Send`, so
    // each thread parses its own arguments).
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    // Every thread takes every `threads`-th file: the heavy crates' files
    // sit together, so contiguous chunks would leave one thread the work.
    let shares: Vec<Vec<PathBuf>> = (0..threads)
        .map(|first| files.iter().skip(first).step_by(threads).cloned().collect())
        .collect();
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let workers: Vec<_> = shares
            .iter()
            .map(|files| scope.spawn(|| expand_files(files, &src)))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a worker does not panic"))
            .collect()
    });
    let mut tally = Tally::default();
    for part in tallies {
        tally.async_fns += part.async_fns;
        tally.other_fns += part.other_fns;
        tally.unparsed_files += part.unparsed_files;
        tally.crates.extend(part.crates);
        tally.failures.extend(part.failures);
    }
    let Tally {
        async_fns,
        other_fns,
        unparsed_files,
        crates,
        failures,
    } = tally;
    println!(
        "expanded {async_fns} async fns (and {other_fns} other fns) from {} crates, {} files \
         ({unparsed_files} files syn cannot parse) in {:.1?}: {}",
        crates.len(),
        files.len(),
        started.elapsed(),
        crates.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    assert!(
        failures.is_empty(),
        "{} expansions failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        async_fns >= MIN_ASYNC_FNS,
        "only {async_fns} async fns in the registry at {}: expected at least {MIN_ASYNC_FNS}",
        src.display()
    );
}

/// What expanding a set of files found.
#[derive(Default)]
struct Tally {
    async_fns: usize,
    other_fns: usize,
    unparsed_files: usize,
    crates: std::collections::BTreeSet<String>,
    failures: Vec<String>,
}

/// Expands every fn of `files` (those that hold an async fn) with both
/// macros, recording what failed.
fn expand_files(files: &[PathBuf], src: &Path) -> Tally {
    let args: TokenStream = ARGS.parse().expect("the arguments are tokens");
    let mut tally = Tally::default();
    let Tally {
        async_fns,
        other_fns,
        unparsed_files,
        crates,
        failures,
    } = &mut tally;
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        // Parsing is what costs (syn in a debug build): files without an
        // async fn (bindings that merely mention `async`) are skipped.
        if !text.contains("async fn") && !text.contains("async unsafe fn") {
            continue;
        }
        let Ok(parsed) = syn::parse_file(&text) else {
            *unparsed_files += 1;
            continue;
        };
        let mut fns = Fns::default();
        fns.visit_file(&parsed);
        for (index, (position, is_async, tokens)) in fns.found.into_iter().enumerate() {
            // Other fns only take the error path: a sample of them is enough.
            if !is_async && index % OTHER_FN_SAMPLE != 0 {
                continue;
            }
            let args = if index % 2 == 0 {
                TokenStream::new()
            } else {
                args.clone()
            };
            let expanded = catch_unwind(AssertUnwindSafe(|| {
                crate::scoped::expand(args, tokens.clone())
            }));
            let failure = match expanded {
                Err(_) => Some(String::from("the expansion panicked")),
                Ok(output) => parses(position, output)
                    .err()
                    .map(|error| error.to_string()),
            };
            if let Some(failure) = failure {
                let name = tokens.to_string().chars().take(120).collect::<String>();
                failures.push(format!("{}: {failure}: {name}", file.display()));
            }
            // `#[cancellable_loop]` rewrites every loop of the body: its
            // output must parse too (with `return` on every other fn).
            if is_async {
                let loop_args = if index % 2 == 0 {
                    TokenStream::new()
                } else {
                    quote!(return)
                };
                let expanded = catch_unwind(AssertUnwindSafe(|| {
                    crate::cancellable_loop::expand(loop_args, tokens.clone())
                }));
                let failure = match expanded {
                    Err(_) => Some(String::from("#[cancellable_loop] panicked")),
                    Ok(output) => parses(position, output)
                        .err()
                        .map(|error| format!("#[cancellable_loop]: {error}")),
                };
                if let Some(failure) = failure {
                    let name = tokens.to_string().chars().take(120).collect::<String>();
                    failures.push(format!("{}: {failure}: {name}", file.display()));
                }
            }
            if is_async {
                *async_fns += 1;
                let krate = file
                    .strip_prefix(src)
                    .ok()
                    .and_then(|rel| rel.components().nth(1))
                    .map(|c| c.as_os_str().to_string_lossy().into_owned());
                crates.extend(krate);
            } else {
                *other_fns += 1;
            }
        }
    }
    tally
}
