//! What is a spawn: which paths `#[scoped]` redirects into the fn's scope
//! (tokio's spawn functions), and which forms detach work from the fn and
//! are rejected there (threads, builders, runtime handles, bare names,
//! `mem::forget`). Names only, not resolutions: the rules match how a path is
//! written, as a proc macro sees it.
//!
//! ```
//! use taskscope_analysis::spawn::{Class, Forbidden, Redirect, classify_path};
//!
//! let path: syn::Path = syn::parse_quote!(tokio::task::spawn_blocking);
//! assert_eq!(classify_path(&path), Some(Class::Redirect(Redirect::SpawnBlocking)));
//! let path: syn::Path = syn::parse_quote!(std::thread::spawn);
//! assert_eq!(classify_path(&path), Some(Class::Forbidden(Forbidden::ThreadSpawn)));
//! let path: syn::Path = syn::parse_quote!(tokio::task::JoinSet::spawn);
//! assert_eq!(classify_path(&path), None);
//! ```

use proc_macro2::{Delimiter, Ident, Span, TokenTree};
use syn::{Expr, ExprMethodCall, Member, Path};

/// A spawn that `#[scoped]` redirects into the current scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// `tokio::spawn`, `tokio::task::spawn`, `task::spawn`.
    Spawn,
    /// `tokio::task::spawn_blocking`, `task::spawn_blocking`.
    SpawnBlocking,
    /// `tokio::task::spawn_local`, `task::spawn_local`.
    SpawnLocal,
}

/// A form that detaches work from the fn and cannot be redirected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Forbidden {
    /// `std::thread::spawn`, `thread::spawn`.
    ThreadSpawn,
    /// `thread::Builder::new()...spawn(..)`.
    ThreadBuilder,
    /// `tokio::task::Builder::new()...spawn(..)`.
    TaskBuilder,
    /// `Handle::spawn`, `Runtime::spawn_blocking`, `Handle::current().spawn(..)`,
    /// `rt.spawn(..)`: the method, as written.
    RuntimeSpawn(String),
    /// `mem::forget`, `std::mem::forget`, `core::mem::forget`.
    MemForget,
    /// `spawn`, `spawn_blocking` or `spawn_local` as a bare name: perhaps
    /// tokio's, imported by a `use` the macro cannot see.
    BareSpawn(Redirect),
}

const DETACH_HINT: &str =
    "to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement";

impl Forbidden {
    /// What is wrong and what to write instead.
    pub fn message(&self) -> String {
        match self {
            Forbidden::ThreadSpawn => format!(
                "`thread::spawn` starts a thread that outlives this `#[scoped]` fn: run blocking \
                 work with `tokio::task::spawn_blocking` (it joins with the fn's scope) or use \
                 `std::thread::scope`; {DETACH_HINT}"
            ),
            Forbidden::ThreadBuilder => format!(
                "`thread::Builder::spawn` starts a thread that outlives this `#[scoped]` fn: use \
                 `Builder::spawn_scoped` inside `std::thread::scope`, or \
                 `tokio::task::spawn_blocking` (it joins with the fn's scope); {DETACH_HINT}"
            ),
            Forbidden::TaskBuilder => format!(
                "`tokio::task::Builder::spawn` starts a tokio task detached from this `#[scoped]` \
                 fn: use `tokio::spawn` (redirected into the fn's scope), or a named child \
                 `taskscope::current()` `.task_builder().name(..).spawn(..)`; {DETACH_HINT}"
            ),
            Forbidden::RuntimeSpawn(method) => format!(
                "`{method}` on a tokio `Runtime` or `Handle` starts a task detached from this \
                 `#[scoped]` fn: use `tokio::spawn` or `tokio::task::spawn_blocking` (redirected \
                 into the fn's scope); {DETACH_HINT}"
            ),
            Forbidden::BareSpawn(redirect) => {
                let (name, tokio_path) = match redirect {
                    Redirect::Spawn => ("spawn", "tokio::spawn"),
                    Redirect::SpawnBlocking => ("spawn_blocking", "tokio::task::spawn_blocking"),
                    Redirect::SpawnLocal => ("spawn_local", "tokio::task::spawn_local"),
                };
                format!(
                    "a bare `{name}` is not redirected: `#[scoped]` sees names, not imports, so \
                     this may be `{tokio_path}` brought in by a `use`, whose task would outlive \
                     this fn; write `{tokio_path}` (redirected into the fn's scope), or call a \
                     function of your own by a path (`self::{name}`); {DETACH_HINT}"
                )
            }
            Forbidden::MemForget => String::from(
                "`mem::forget` in a `#[scoped]` fn can leak a `TaskScope` or a `TaskHandle`, \
                 whose tasks would then never be joined: drop the value instead; if what is \
                 forgotten holds no task, put `#[detached(reason = \"...\")]` on the statement",
            ),
        }
    }
}

/// What a path in a body is to `#[scoped]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Class {
    /// One of tokio's spawn functions: redirected into the fn's scope.
    Redirect(Redirect),
    /// A form that detaches work from the fn: rejected.
    Forbidden(Forbidden),
}

/// Classifies a path written as `[::]a::b::c` (names only).
pub fn classify_names(leading_colon: bool, names: &[String]) -> Option<Class> {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let redirect = match names.as_slice() {
        ["tokio", "spawn"] | ["tokio", "task", "spawn"] => Some(Redirect::Spawn),
        ["tokio", "task", "spawn_blocking"] => Some(Redirect::SpawnBlocking),
        ["tokio", "task", "spawn_local"] => Some(Redirect::SpawnLocal),
        ["task", "spawn"] if !leading_colon => Some(Redirect::Spawn),
        ["task", "spawn_blocking"] if !leading_colon => Some(Redirect::SpawnBlocking),
        ["task", "spawn_local"] if !leading_colon => Some(Redirect::SpawnLocal),
        _ => None,
    };
    if let Some(redirect) = redirect {
        return Some(Class::Redirect(redirect));
    }
    let forbidden = match names.as_slice() {
        ["spawn"] if !leading_colon => Some(Forbidden::BareSpawn(Redirect::Spawn)),
        ["spawn_blocking"] if !leading_colon => Some(Forbidden::BareSpawn(Redirect::SpawnBlocking)),
        ["spawn_local"] if !leading_colon => Some(Forbidden::BareSpawn(Redirect::SpawnLocal)),
        ["std", "thread", "spawn"] => Some(Forbidden::ThreadSpawn),
        ["thread", "spawn"] if !leading_colon => Some(Forbidden::ThreadSpawn),
        ["std" | "core", "mem", "forget"] => Some(Forbidden::MemForget),
        ["mem", "forget"] if !leading_colon => Some(Forbidden::MemForget),
        [
            ..,
            "Handle" | "Runtime",
            method @ ("spawn" | "spawn_blocking"),
        ] => {
            let owner = names.iter().rev().nth(1).copied().unwrap_or("Handle");
            Some(Forbidden::RuntimeSpawn(format!("{owner}::{method}")))
        }
        _ => None,
    };
    forbidden.map(Class::Forbidden)
}

/// Classifies a `syn` path. Generic arguments are allowed on the last
/// segment only (`tokio::spawn::<F>`), as the functions matched have them.
pub fn classify_path(path: &Path) -> Option<Class> {
    let mut names = Vec::with_capacity(path.segments.len());
    let last = path.segments.len().saturating_sub(1);
    for (index, segment) in path.segments.iter().enumerate() {
        if index != last && !segment.arguments.is_none() {
            return None;
        }
        names.push(segment.ident.to_string());
    }
    classify_names(path.leading_colon.is_some(), &names)
}

/// A detached spawn written as a method call: `.spawn(..)` on a tokio
/// runtime or handle, or at the end of a thread or task `Builder` chain.
pub fn classify_method(call: &ExprMethodCall) -> Option<Forbidden> {
    let method = call.method.to_string();
    match method.as_str() {
        "spawn" | "spawn_blocking" if is_runtime(&call.receiver) => {
            Some(Forbidden::RuntimeSpawn(method))
        }
        "spawn" | "spawn_unchecked" => match builder_root(&call.receiver) {
            Some(BuilderKind::Thread) => Some(Forbidden::ThreadBuilder),
            Some(BuilderKind::Task) if method == "spawn" => Some(Forbidden::TaskBuilder),
            _ => None,
        },
        _ => None,
    }
}

/// Strips what does not change which value a method is called on:
/// parentheses, references, `?`, `.unwrap()` and `.expect(..)`.
pub fn peel(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(inner) => &inner.expr,
            Expr::Group(inner) => &inner.expr,
            Expr::Reference(inner) => &inner.expr,
            Expr::Try(inner) => &inner.expr,
            Expr::MethodCall(inner) if inner.method == "unwrap" || inner.method == "expect" => {
                &inner.receiver
            }
            _ => return expr,
        };
    }
}

/// `Handle::current()`, `Handle::try_current()`, `Runtime::new()`, a
/// variable or field named `rt` or `runtime`, and `.handle()` of one.
fn is_runtime(receiver: &Expr) -> bool {
    match peel(receiver) {
        Expr::Call(call) => match peel(&call.func) {
            Expr::Path(path) => {
                let names = segment_names(&path.path);
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                matches!(
                    names.as_slice(),
                    [.., "Handle", "current" | "try_current"] | [.., "Runtime", "new"]
                )
            }
            _ => false,
        },
        Expr::MethodCall(call) if call.method == "handle" && call.args.is_empty() => {
            is_runtime_name(peel(&call.receiver))
        }
        other => is_runtime_name(other),
    }
}

/// The identifiers of a path's segments, in order.
fn segment_names(path: &syn::Path) -> Vec<String> {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect()
}

fn is_runtime_name(expr: &Expr) -> bool {
    let is_name = |ident: &Ident| ident == "rt" || ident == "runtime";
    match expr {
        Expr::Path(path) => path.qself.is_none() && path.path.get_ident().is_some_and(is_name),
        Expr::Field(field) => matches!(&field.member, Member::Named(ident) if is_name(ident)),
        _ => false,
    }
}

/// The builder a spawn chain starts from.
enum BuilderKind {
    Thread,
    Task,
}

/// The builder a method chain starts from: `thread::Builder::new()` or
/// `task::Builder::new()` (a bare `Builder::new()` is too ambiguous).
fn builder_root(receiver: &Expr) -> Option<BuilderKind> {
    let mut expr = receiver;
    loop {
        expr = match peel(expr) {
            Expr::MethodCall(call) => &call.receiver,
            Expr::Call(call) => {
                let Expr::Path(path) = peel(&call.func) else {
                    return None;
                };
                let names = segment_names(&path.path);
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                return match names.as_slice() {
                    [.., "thread", "Builder", "new"] => Some(BuilderKind::Thread),
                    [.., "task", "Builder", "new"] => Some(BuilderKind::Task),
                    _ => None,
                };
            }
            _ => return None,
        };
    }
}

/// A path written as tokens in a macro's body: `[::]a::b::c`.
#[derive(Debug)]
pub struct TokenPath {
    /// Whether it starts with `::`.
    pub leading_colon: bool,
    /// Its segments.
    pub names: Vec<Ident>,
    /// The span of its first token.
    pub first_span: Span,
    /// The span of its last segment.
    pub last_span: Span,
    /// Index of the first token after the path.
    pub end: usize,
}

fn is_punct(tree: Option<&TokenTree>, ch: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(punct)) if punct.as_char() == ch)
}

/// `::` at `index` (two `:` puncts).
fn is_path_sep(trees: &[TokenTree], index: usize) -> bool {
    is_punct(trees.get(index), ':') && is_punct(trees.get(index + 1), ':')
}

/// Whether the token before `index` is a `.` (a method's name, not a path).
pub fn after_dot(trees: &[TokenTree], index: usize) -> bool {
    index
        .checked_sub(1)
        .and_then(|previous| trees.get(previous))
        .is_some_and(|previous| matches!(previous, TokenTree::Punct(p) if p.as_char() == '.'))
}

/// The path that starts at `start` in `trees`, if one does.
pub fn scan_token_path(trees: &[TokenTree], start: usize) -> Option<TokenPath> {
    let mut index = start;
    let leading_colon = is_path_sep(trees, index);
    let first_span = trees.get(index)?.span();
    if leading_colon {
        index += 2;
    }
    let mut names = Vec::new();
    while let Some(TokenTree::Ident(ident)) = trees.get(index) {
        names.push(ident.clone());
        index += 1;
        if is_path_sep(trees, index) && matches!(trees.get(index + 2), Some(TokenTree::Ident(_))) {
            index += 2;
        } else {
            break;
        }
    }
    let last_span = names.last()?.span();
    Some(TokenPath {
        leading_colon,
        names,
        first_span,
        last_span,
        end: index,
    })
}

/// What a path written in a macro's tokens is, and the end (an index in
/// `trees`) of the tokens an error about it shows. A bare name counts only
/// where it is called, as in code; `Handle::current().spawn` is read too.
pub fn classify_token_path(path: &TokenPath, trees: &[TokenTree]) -> Option<(Class, usize)> {
    let names: Vec<String> = path.names.iter().map(Ident::to_string).collect();
    let called = matches!(trees.get(path.end), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
    match classify_names(path.leading_colon, &names) {
        Some(Class::Forbidden(Forbidden::BareSpawn(_))) if !called => return None,
        Some(class) => return Some((class, path.end)),
        None => {}
    }
    let is_handle = matches!(
        names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        [.., "Handle", "current" | "try_current"]
    );
    if is_handle && called && is_punct(trees.get(path.end + 1), '.') {
        if let Some(TokenTree::Ident(method)) = trees.get(path.end + 2) {
            if method == "spawn" || method == "spawn_blocking" {
                let forbidden = Forbidden::RuntimeSpawn(method.to_string());
                return Some((Class::Forbidden(forbidden), path.end + 3));
            }
        }
    }
    None
}
