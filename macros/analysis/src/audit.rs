//! The audit of one file: the rules of [`Rule`] over every fn of a parsed
//! source, as `cargo taskscope audit` runs them.
//!
//! Two walks share what the macros use:
//!
//! - the spawn walk finds spawns ([`spawn`]'s classification,
//!   plus the bare names a `use tokio::spawn` brought in) and reads what
//!   happens to their handles; in a `#[scoped]` fn it reports what the macro
//!   rejects, with the macro's messages, and nothing for the spawns the macro
//!   redirects;
//! - the loop walk runs over every `#[scoped]` fn body and every spawned
//!   task (an `async` block given to a spawn, or a fn of the same file whose
//!   call is spawned), in the macros' modes: an awaiting loop without a
//!   cancellation arm ([`scan::lacks_cancellation_arm`]) is reported once,
//!   loops inside it are not, a nested `async` block starts over.
//!
//! What the macros see is what the audit sees: names, not resolutions. The
//! audit also reads `use` declarations of the file, so that a bare
//! `spawn(..)` after `use tokio::spawn;` counts as tokio's.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Attribute, Block, Expr, ExprCall, ExprMethodCall, Item, Macro, Pat, Stmt, Token};

use crate::reason::{self, Hatch};
use crate::scan;
use crate::select::{self, Branch, Select};
use crate::spawn::{self, Class, Forbidden, Redirect};
use crate::{Finding, LineColumn, Rule};

/// Parses `source` and audits it, allow comments applied.
///
/// ```
/// use taskscope_analysis::{Rule, audit::audit_source};
///
/// let source = "
///     fn start() {
///         // taskscope-audit: allow(detached-thread) the logger lives as long as the process
///         std::thread::spawn(log_forever);
///         std::thread::spawn(work);
///     }
/// ";
/// let findings = audit_source(source).expect("the source parses");
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].rule, Rule::DetachedThread);
/// assert_eq!(findings[0].start.line, 5);
/// ```
pub fn audit_source(source: &str) -> syn::Result<Vec<Finding>> {
    let file = syn::parse_file(source)?;
    let mut findings = audit_file(&file);
    apply_allow_comments(source, &mut findings);
    Ok(findings)
}

/// Audits a parsed file; the findings are in source order, one per rule
/// and place.
pub fn audit_file(file: &syn::File) -> Vec<Finding> {
    let mut facts = Facts::default();
    facts.visit_file(file);
    let mut spawns = Spawns {
        facts: &facts,
        findings: Vec::new(),
        scoped: false,
        constructor: None,
        impl_type: None,
        under_timeout: 0,
        abort_wrapped: 0,
        dropped: HashSet::new(),
        handles: vec![HashSet::new()],
        raced_spawns: HashSet::new(),
        loop_roots: Vec::new(),
    };
    spawns.visit_file(file);
    let Spawns {
        mut findings,
        loop_roots,
        ..
    } = spawns;
    for root in &loop_roots {
        walk_loops(&mut findings, root);
    }
    findings.sort_by_key(|finding| (finding.start.line, finding.start.column, finding.rule));
    findings.dedup_by(|a, b| a.rule == b.rule && a.start == b.start);
    findings
}

/// The loop walk over one root.
fn walk_loops(findings: &mut Vec<Finding>, root: &LoopRoot<'_>) {
    let mut walk = Loops {
        findings,
        mode: Mode::Plain,
        every_loop: root.every_loop,
        watched_loops: 0,
        marks: Vec::new(),
    };
    match root.body {
        RootBody::Block(block) => walk.visit_block(block),
        RootBody::Expr(expr) => walk.visit_expr(expr),
    }
}

/// What the spawn walk needs to know of the whole file first.
#[derive(Default)]
struct Facts {
    /// Bare names that a `use` made tokio's spawn functions.
    tokio_names: HashMap<String, Redirect>,
    /// Bare names that a `use` made `std::thread::spawn`.
    thread_names: HashSet<String>,
    /// A `use` made `thread` another crate's (`use loom::thread;`): then
    /// `thread::spawn` is not std's.
    foreign_thread: bool,
    /// Types with an `impl Drop` that aborts or cancels something.
    aborting_types: HashSet<String>,
    /// Names of fns and methods whose calls are spawned (or awaited at the
    /// top of a spawned `async` block).
    spawned_fns: HashSet<String>,
}

fn use_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            use_leaves(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let mut full = prefix.clone();
            full.push(name.ident.to_string());
            out.push((full, name.ident.to_string()));
        }
        syn::UseTree::Rename(rename) => {
            let mut full = prefix.clone();
            full.push(rename.ident.to_string());
            out.push((full, rename.rename.to_string()));
        }
        syn::UseTree::Group(group) => {
            for item in &group.items {
                use_leaves(item, prefix, out);
            }
        }
        syn::UseTree::Glob(_) => {}
    }
}

fn last_ident(path: &syn::Path) -> Option<String> {
    path.segments
        .last()
        .map(|segment| segment.ident.to_string())
}

/// The name of a type as written: `Foo` of `crate::Foo<T>`.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => last_ident(&path.path),
        _ => None,
    }
}

fn mentions_ident(tokens: TokenStream, names: &[&str]) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => names.iter().any(|name| ident == name),
        TokenTree::Group(group) => mentions_ident(group.stream(), names),
        _ => false,
    })
}

impl<'ast> Visit<'ast> for Facts {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        use_leaves(&item.tree, &mut Vec::new(), &mut leaves);
        for (full, local) in leaves {
            if local == "thread" && full.as_slice() != ["std", "thread"] {
                self.foreign_thread = true;
            }
            match spawn::classify_names(false, &full) {
                Some(Class::Redirect(redirect)) => {
                    self.tokio_names.insert(local, redirect);
                }
                Some(Class::Forbidden(Forbidden::ThreadSpawn)) => {
                    self.thread_names.insert(local);
                }
                _ => {}
            }
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let is_drop = is_drop_impl(item);
        if is_drop && mentions_ident(item.to_token_stream(), &["abort", "abort_all", "cancel"]) {
            if let Some(name) = type_name(&item.self_ty) {
                self.aborting_types.insert(name);
            }
        }
        visit::visit_item_impl(self, item);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        if let Some((kind, _)) = spawn_kind(expr, self) {
            if kind.is_task() {
                if let Some(future) = spawned_future(expr) {
                    collect_spawned_names(future, &mut self.spawned_fns);
                }
            }
        }
        visit::visit_expr(self, expr);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        for expr in macro_exprs(mac) {
            self.visit_expr(&expr);
        }
    }
}

/// The names of what a spawned future runs: `run` of `tokio::spawn(run(x))`
/// or of `tokio::spawn(async move { handler.run().await })`.
fn collect_spawned_names(future: &Expr, names: &mut HashSet<String>) {
    match spawn::peel(future) {
        Expr::Call(call) => {
            if let Expr::Path(path) = &*call.func {
                names.extend(last_ident(&path.path));
            }
        }
        Expr::MethodCall(call) => {
            names.insert(call.method.to_string());
        }
        Expr::Async(block) => {
            struct Awaited<'n>(&'n mut HashSet<String>);
            impl<'ast> Visit<'ast> for Awaited<'_> {
                fn visit_expr(&mut self, expr: &'ast Expr) {
                    match expr {
                        Expr::Await(awaited) => {
                            match &*awaited.base {
                                Expr::Call(call) => {
                                    if let Expr::Path(path) = &*call.func {
                                        self.0.extend(last_ident(&path.path));
                                    }
                                }
                                Expr::MethodCall(call) => {
                                    self.0.insert(call.method.to_string());
                                }
                                _ => {}
                            }
                            visit::visit_expr(self, expr);
                        }
                        Expr::Async(_) | Expr::Closure(_) => {}
                        _ => visit::visit_expr(self, expr),
                    }
                }
                fn visit_item(&mut self, _item: &'ast Item) {}
            }
            Awaited(names).visit_block(&block.block);
        }
        _ => {}
    }
}

/// What a spawn is to the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SpawnKind {
    /// One of tokio's spawn functions (as a path, or a bare name a `use`
    /// brought in).
    Tokio,
    /// `spawn_blocking` of tokio: a closure on the blocking pool.
    TokioBlocking,
    /// `.spawn(..)` of a runtime or handle, `Handle::spawn`.
    Runtime,
    /// `tokio::task::Builder::new()...spawn(..)`.
    TaskBuilder,
    /// `std::thread::spawn`, a thread `Builder`.
    Thread,
}

impl SpawnKind {
    /// A tokio task whose future can hold loops.
    fn is_task(self) -> bool {
        matches!(
            self,
            SpawnKind::Tokio | SpawnKind::Runtime | SpawnKind::TaskBuilder
        )
    }
}

fn redirect_kind(redirect: Redirect) -> SpawnKind {
    match redirect {
        Redirect::SpawnBlocking => SpawnKind::TokioBlocking,
        Redirect::Spawn | Redirect::SpawnLocal => SpawnKind::Tokio,
    }
}

/// Whether `expr` (as written, not peeled) is a spawn call, and the span of
/// what it calls.
fn spawn_kind(expr: &Expr, facts: &Facts) -> Option<(SpawnKind, Span)> {
    match expr {
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                return None;
            };
            if func.qself.is_some() {
                return None;
            }
            let kind = match spawn::classify_path(&func.path)? {
                Class::Redirect(redirect) => redirect_kind(redirect),
                Class::Forbidden(Forbidden::ThreadSpawn) => {
                    let written_short =
                        func.path.leading_colon.is_none() && func.path.segments.len() == 2;
                    if written_short && facts.foreign_thread {
                        return None;
                    }
                    SpawnKind::Thread
                }
                Class::Forbidden(Forbidden::RuntimeSpawn(_)) => SpawnKind::Runtime,
                Class::Forbidden(Forbidden::BareSpawn(_)) => {
                    let name = last_ident(&func.path)?;
                    if let Some(redirect) = facts.tokio_names.get(&name) {
                        redirect_kind(*redirect)
                    } else if facts.thread_names.contains(&name) {
                        SpawnKind::Thread
                    } else {
                        return None;
                    }
                }
                Class::Forbidden(_) => return None,
            };
            Some((kind, func.span()))
        }
        Expr::MethodCall(call) => {
            let kind = match spawn::classify_method(call)? {
                Forbidden::RuntimeSpawn(method) if method == "spawn_blocking" => {
                    SpawnKind::TokioBlocking
                }
                Forbidden::RuntimeSpawn(_) => SpawnKind::Runtime,
                Forbidden::ThreadBuilder => SpawnKind::Thread,
                Forbidden::TaskBuilder => SpawnKind::TaskBuilder,
                _ => return None,
            };
            Some((kind, call.receiver.span()))
        }
        _ => None,
    }
}

/// The future (or closure) a spawn call runs: its last argument.
fn spawned_future(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Call(ExprCall { args, .. }) | Expr::MethodCall(ExprMethodCall { args, .. }) => {
            args.last()
        }
        _ => None,
    }
}

/// Strips what does not keep a handle: `?`, `.unwrap()`, `.expect(..)`,
/// parentheses (a builder's `spawn` returns an `io::Result`).
fn peel_result(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(inner) => &inner.expr,
            Expr::Group(inner) => &inner.expr,
            Expr::Try(inner) => &inner.expr,
            Expr::MethodCall(inner) if inner.method == "unwrap" || inner.method == "expect" => {
                &inner.receiver
            }
            _ => return expr,
        };
    }
}

/// The expressions of a macro's body, as the macros read it: comma-separated
/// expressions, or a `select!`'s futures, preconditions and handlers.
fn macro_exprs(mac: &Macro) -> Vec<Expr> {
    if mac.path.is_ident("macro_rules") {
        return Vec::new();
    }
    if let Ok(exprs) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
        return exprs.into_iter().collect();
    }
    if select::is_select(&mac.path) {
        if let Ok(mut parsed) = mac.parse_body_with(<Select as syn::parse::Parse>::parse) {
            return parsed.exprs_mut().map(|expr| expr.clone()).collect();
        }
    }
    Vec::new()
}

fn attr_is(attr: &Attribute, name: &str) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == name)
}

fn is_scoped(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| attr_is(attr, "scoped"))
}

/// The attributes of a statement (an expression statement's are on its
/// outermost expression).
fn stmt_attrs(stmt: &Stmt) -> &[Attribute] {
    match stmt {
        Stmt::Local(local) => &local.attrs,
        Stmt::Macro(mac) => &mac.attrs,
        Stmt::Expr(expr, _) => expr_attrs(expr),
        Stmt::Item(_) => &[],
    }
}

fn expr_attrs(expr: &Expr) -> &[Attribute] {
    match expr {
        Expr::Array(e) => &e.attrs,
        Expr::Assign(e) => &e.attrs,
        Expr::Async(e) => &e.attrs,
        Expr::Await(e) => &e.attrs,
        Expr::Binary(e) => &e.attrs,
        Expr::Block(e) => &e.attrs,
        Expr::Break(e) => &e.attrs,
        Expr::Call(e) => &e.attrs,
        Expr::Cast(e) => &e.attrs,
        Expr::Closure(e) => &e.attrs,
        Expr::Const(e) => &e.attrs,
        Expr::Continue(e) => &e.attrs,
        Expr::Field(e) => &e.attrs,
        Expr::ForLoop(e) => &e.attrs,
        Expr::Group(e) => &e.attrs,
        Expr::If(e) => &e.attrs,
        Expr::Index(e) => &e.attrs,
        Expr::Infer(e) => &e.attrs,
        Expr::Let(e) => &e.attrs,
        Expr::Lit(e) => &e.attrs,
        Expr::Loop(e) => &e.attrs,
        Expr::Macro(e) => &e.attrs,
        Expr::Match(e) => &e.attrs,
        Expr::MethodCall(e) => &e.attrs,
        Expr::Paren(e) => &e.attrs,
        Expr::Path(e) => &e.attrs,
        Expr::Range(e) => &e.attrs,
        Expr::RawAddr(e) => &e.attrs,
        Expr::Reference(e) => &e.attrs,
        Expr::Repeat(e) => &e.attrs,
        Expr::Return(e) => &e.attrs,
        Expr::Struct(e) => &e.attrs,
        Expr::Try(e) => &e.attrs,
        Expr::TryBlock(e) => &e.attrs,
        Expr::Tuple(e) => &e.attrs,
        Expr::Unary(e) => &e.attrs,
        Expr::Unsafe(e) => &e.attrs,
        Expr::While(e) => &e.attrs,
        Expr::Yield(e) => &e.attrs,
        _ => &[],
    }
}

/// Where the loop walk starts.
struct LoopRoot<'ast> {
    body: RootBody<'ast>,
    /// `#[cancellable_loop]` on the fn: every loop is cancellable.
    every_loop: bool,
}

enum RootBody<'ast> {
    Block(&'ast Block),
    Expr(&'ast Expr),
}

/// The spawn walk.
struct Spawns<'f, 'ast> {
    facts: &'f Facts,
    findings: Vec<Finding>,
    /// In the body of a `#[scoped]` fn (not in its nested items).
    scoped: bool,
    /// In a constructor of this type.
    constructor: Option<String>,
    /// The type of the `impl` the walk is in.
    impl_type: Option<String>,
    /// In the future given to a `timeout`, or raced against a sleep.
    under_timeout: usize,
    /// In the argument of `AbortOnDropHandle::new(..)`.
    abort_wrapped: usize,
    /// The first token of spawn calls whose handle is dropped where they are.
    dropped: HashSet<(usize, usize)>,
    /// Per fn: the variables bound to a tokio task's handle.
    handles: Vec<HashSet<String>>,
    /// The first token of spawns that are the future a timeout or a
    /// `select!` races.
    raced_spawns: HashSet<(usize, usize)>,
    loop_roots: Vec<LoopRoot<'ast>>,
}

fn key(span: Span) -> (usize, usize) {
    let start = span.start();
    (start.line, start.column)
}

const TIMEOUT_FNS: [&str; 2] = ["timeout", "timeout_at"];
const SLEEP_FNS: [&str; 2] = ["sleep", "sleep_until"];

/// Whether `expr` is a call of a sleep (`tokio::time::sleep(..)`,
/// `sleep_until(..)`), possibly borrowed or pinned.
fn is_sleep(expr: &Expr) -> bool {
    match spawn::peel(expr) {
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => {
                last_ident(&path.path).is_some_and(|name| SLEEP_FNS.contains(&name.as_str()))
            }
            _ => false,
        },
        _ => false,
    }
}

impl<'f, 'ast> Spawns<'f, 'ast> {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// What `#[scoped]` would reject: the macro's message, spanned as the
    /// macro spans it.
    fn reject(&mut self, tokens: impl ToTokens, forbidden: &Forbidden) {
        self.push(Finding::spanned(
            Rule::ScopedDetachingForm,
            tokens,
            forbidden.message(),
        ));
    }

    fn check_hatch(&mut self, attr: &Attribute, hatch: &Hatch) {
        if let Err(error) = reason::check(attr, hatch) {
            self.findings
                .extend(Finding::from_error(Rule::EscapeHatchReason, &error));
        }
    }

    /// Whether the handle a spawned future's value `expr` names is a task
    /// handle that is moved (not borrowed) into what may drop it.
    fn is_owned_handle(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Paren(inner) => self.is_owned_handle(&inner.expr),
            Expr::Path(path) => path.path.get_ident().is_some_and(|ident| {
                self.handles
                    .last()
                    .is_some_and(|handles| handles.contains(&ident.to_string()))
            }),
            other => {
                spawn_kind(other, self.facts).is_some_and(|(kind, _)| kind != SpawnKind::Thread)
            }
        }
    }

    fn handle_under_timeout(&mut self, expr: &Expr, what: &str) {
        if !self.scoped && self.is_owned_handle(expr) {
            // A spawn that is itself the raced future is this rule's, not
            // `spawn-under-timeout`'s.
            self.raced_spawns.insert(key(expr.span()));
            self.push(Finding::spanned(
                Rule::HandleUnderTimeout,
                expr,
                format!(
                    "this task's `JoinHandle` is {what}: when it loses, the handle is dropped \
                     and the task goes on, detached"
                ),
            ));
        }
    }

    /// A spawn call: the rule that applies to it, if any.
    fn spawn_call(&mut self, expr: &'ast Expr, kind: SpawnKind, span: Span) {
        if kind.is_task() {
            if let Some(future) = spawned_future(expr) {
                if matches!(spawn::peel(future), Expr::Async(_) | Expr::Closure(_)) {
                    self.loop_roots.push(LoopRoot {
                        body: RootBody::Expr(future),
                        every_loop: false,
                    });
                }
            }
        }
        if self.scoped {
            // What the macro redirects joins with the fn; what it rejects is
            // reported by the scoped rules.
            return;
        }
        let first = key(expr.span());
        let dropped = self.dropped.contains(&first);
        let end = expr.span();
        let raced = self.raced_spawns.contains(&first);
        if kind != SpawnKind::Thread && self.under_timeout > 0 && !raced {
            self.push(Finding::between(
                Rule::SpawnUnderTimeout,
                span,
                end,
                "this task is spawned in work that a timeout (or a `select!` against a sleep) \
                 can drop: the task goes on after the deadline",
            ));
            return;
        }
        if kind != SpawnKind::Thread && self.abort_wrapped == 0 {
            if let Some(ty) = self.constructor.clone() {
                if !self.facts.aborting_types.contains(&ty) {
                    self.push(Finding::between(
                        Rule::SpawnInConstructor,
                        span,
                        end,
                        format!(
                            "this task is spawned by a constructor of `{ty}`, which has no \
                             `impl Drop` that aborts it: the task outlives the `{ty}`"
                        ),
                    ));
                    return;
                }
            }
        }
        if !dropped {
            return;
        }
        let finding = match kind {
            SpawnKind::Thread => Finding::between(
                Rule::DetachedThread,
                span,
                end,
                "this thread's `JoinHandle` is dropped: the thread is detached and nothing \
                 joins it",
            ),
            _ => Finding::between(
                Rule::DetachedSpawn,
                span,
                end,
                "this task's `JoinHandle` is dropped: the task is detached, nothing joins it \
                 or sees its panic, and it outlives its caller",
            ),
        };
        self.push(finding);
    }

    /// The token layer of a macro body the macros cannot read as
    /// expressions, in a `#[scoped]` fn: every `{ .. }` group that parses as
    /// statements is walked as code, and spawn paths in the rest are
    /// classified, as the macro does.
    fn scoped_tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut index = 0;
        while let Some(tree) = trees.get(index) {
            if let TokenTree::Group(group) = tree {
                match group.delimiter() {
                    Delimiter::Brace => {
                        match syn::parse::Parser::parse2(Block::parse_within, group.stream()) {
                            Ok(stmts) => {
                                for stmt in &stmts {
                                    self.visit_owned_stmt(stmt);
                                }
                            }
                            Err(_) => self.scoped_tokens(group.stream()),
                        }
                    }
                    _ => self.scoped_tokens(group.stream()),
                }
                index += 1;
                continue;
            }
            match spawn::scan_token_path(&trees, index) {
                Some(path) if !spawn::after_dot(&trees, index) => {
                    if let Some((Class::Forbidden(forbidden), shown_end)) =
                        spawn::classify_token_path(&path, &trees)
                    {
                        let shown: TokenStream = trees
                            .get(index..shown_end)
                            .unwrap_or_default()
                            .iter()
                            .cloned()
                            .collect();
                        self.reject(shown, &forbidden);
                    }
                    index = path.end;
                }
                _ => index += 1,
            }
        }
    }

    /// A walk of what was parsed out of a macro's tokens, with the state of
    /// this one: it does not live as long as the syntax tree, so it is
    /// walked (loops of its spawned tasks too) and then absorbed.
    fn child<'x>(&self) -> Spawns<'f, 'x> {
        Spawns {
            facts: self.facts,
            findings: Vec::new(),
            scoped: self.scoped,
            constructor: self.constructor.clone(),
            impl_type: self.impl_type.clone(),
            under_timeout: self.under_timeout,
            abort_wrapped: self.abort_wrapped,
            dropped: HashSet::new(),
            handles: self.handles.clone(),
            raced_spawns: HashSet::new(),
            loop_roots: Vec::new(),
        }
    }

    fn absorb(&mut self, inner: Spawns<'_, '_>) {
        self.findings.extend(inner.findings);
        for root in inner.loop_roots {
            walk_loops(&mut self.findings, &root);
        }
    }

    fn visit_owned_stmt(&mut self, stmt: &Stmt) {
        let mut inner = self.child();
        inner.visit_stmt(stmt);
        self.absorb(inner);
    }

    fn visit_owned_expr(&mut self, expr: &Expr) {
        let mut inner = self.child();
        inner.visit_expr(expr);
        self.absorb(inner);
    }

    fn visit_fn(
        &mut self,
        attrs: &'ast [Attribute],
        sig: &'ast syn::Signature,
        block: &'ast Block,
    ) {
        let scoped = is_scoped(attrs) && sig.asyncness.is_some();
        let spawned =
            sig.asyncness.is_some() && self.facts.spawned_fns.contains(&sig.ident.to_string());
        if scoped || spawned {
            self.loop_roots.push(LoopRoot {
                body: RootBody::Block(block),
                every_loop: attrs.iter().any(|attr| attr_is(attr, "cancellable_loop")),
            });
        }
        let constructor = self.impl_type.clone().filter(|ty| {
            sig.ident == "new"
                || match &sig.output {
                    syn::ReturnType::Type(_, out) => {
                        mentions_ident(out.to_token_stream(), &["Self", ty.as_str()])
                    }
                    syn::ReturnType::Default => false,
                }
        });
        let saved_scoped = std::mem::replace(&mut self.scoped, scoped);
        let saved_constructor = std::mem::replace(&mut self.constructor, constructor);
        let saved_timeout = std::mem::replace(&mut self.under_timeout, 0);
        self.handles.push(HashSet::new());
        self.visit_block(block);
        self.handles.pop();
        self.scoped = saved_scoped;
        self.constructor = saved_constructor;
        self.under_timeout = saved_timeout;
    }
}

impl<'ast> Visit<'ast> for Spawns<'_, 'ast> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let saved = self.impl_type.take();
        self.visit_fn(&item.attrs, &item.sig, &item.block);
        self.impl_type = saved;
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let is_drop = is_drop_impl(item);
        let ty = if is_drop {
            None
        } else {
            type_name(&item.self_ty)
        };
        let saved = std::mem::replace(&mut self.impl_type, ty);
        for impl_item in &item.items {
            match impl_item {
                syn::ImplItem::Fn(method) => {
                    self.visit_fn(&method.attrs, &method.sig, &method.block)
                }
                other => self.visit_impl_item(other),
            }
        }
        self.impl_type = saved;
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(block) = &item.default {
            let saved = self.impl_type.take();
            self.visit_fn(&item.attrs, &item.sig, block);
            self.impl_type = saved;
        }
    }

    fn visit_item(&mut self, item: &'ast Item) {
        // A nested item runs wherever it is called from: not in the
        // enclosing `#[scoped]` fn.
        let saved = std::mem::replace(&mut self.scoped, false);
        let saved_timeout = std::mem::replace(&mut self.under_timeout, 0);
        visit::visit_item(self, item);
        self.scoped = saved;
        self.under_timeout = saved_timeout;
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        if self.scoped {
            if let Some(attr) = stmt_attrs(stmt)
                .iter()
                .find(|attr| attr.path().is_ident("detached"))
            {
                self.check_hatch(attr, &reason::DETACHED);
                return;
            }
        }
        match stmt {
            Stmt::Expr(expr, Some(_)) => {
                let inner = peel_result(expr);
                if spawn_kind(inner, self.facts).is_some() {
                    self.dropped.insert(key(inner.span()));
                }
            }
            Stmt::Local(local) => {
                if let Some(init) = &local.init {
                    let inner = peel_result(&init.expr);
                    if let Some((kind, _)) = spawn_kind(inner, self.facts) {
                        match &local.pat {
                            Pat::Wild(_) => {
                                self.dropped.insert(key(inner.span()));
                            }
                            Pat::Ident(ident) if kind != SpawnKind::Thread => {
                                if let Some(handles) = self.handles.last_mut() {
                                    handles.insert(ident.ident.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        if let Stmt::Macro(mac) = stmt {
            if mac.mac.path.is_ident("macro_rules") {
                return;
            }
        }
        visit::visit_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.scoped {
            match expr {
                Expr::Path(path) if path.qself.is_none() => {
                    match spawn::classify_path(&path.path) {
                        Some(Class::Forbidden(Forbidden::BareSpawn(_))) | None => {}
                        Some(Class::Forbidden(forbidden)) => self.reject(&path.path, &forbidden),
                        Some(Class::Redirect(_)) => {}
                    }
                }
                Expr::Call(call) => {
                    if let Expr::Path(func) = &*call.func {
                        if let (None, Some(Class::Forbidden(bare @ Forbidden::BareSpawn(_)))) =
                            (&func.qself, spawn::classify_path(&func.path))
                        {
                            self.reject(&func.path, &bare);
                        }
                    }
                }
                Expr::MethodCall(call) => {
                    if let Some(forbidden) = spawn::classify_method(call) {
                        let receiver = &call.receiver;
                        let method = &call.method;
                        self.reject(quote::quote!(#receiver.#method), &forbidden);
                    }
                }
                _ => {}
            }
        }
        if let Some((kind, span)) = spawn_kind(expr, self.facts) {
            self.spawn_call(expr, kind, span);
        }
        match expr {
            Expr::Call(call) => {
                if let Expr::Path(func) = &*call.func {
                    let name = last_ident(&func.path).unwrap_or_default();
                    let names: Vec<String> = func
                        .path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect();
                    if name == "drop" && call.args.len() == 1 {
                        if let Some(arg) = call.args.first() {
                            let inner = peel_result(arg);
                            if spawn_kind(inner, self.facts).is_some() {
                                self.dropped.insert(key(inner.span()));
                            }
                        }
                    }
                    if TIMEOUT_FNS.contains(&name.as_str()) && call.args.len() == 2 {
                        self.visit_expr(&call.func);
                        if let (Some(deadline), Some(work)) = (call.args.first(), call.args.last())
                        {
                            self.visit_expr(deadline);
                            self.handle_under_timeout(work, "awaited under a timeout");
                            self.under_timeout += 1;
                            self.visit_expr(work);
                            self.under_timeout -= 1;
                        }
                        return;
                    }
                    let wraps = names.len() >= 2
                        && names
                            .iter()
                            .rev()
                            .nth(1)
                            .is_some_and(|n| n == "AbortOnDropHandle");
                    if wraps {
                        self.abort_wrapped += 1;
                        visit::visit_expr(self, expr);
                        self.abort_wrapped -= 1;
                        return;
                    }
                }
            }
            Expr::Macro(mac) => {
                self.visit_macro(&mac.mac);
                return;
            }
            _ => {}
        }
        visit::visit_expr(self, expr);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        if mac.path.is_ident("macro_rules") {
            return;
        }
        if let Ok(exprs) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for expr in &exprs {
                self.visit_owned_expr(expr);
            }
            return;
        }
        if self.scoped {
            // As `#[scoped]` reads a body that is not expressions.
            self.scoped_tokens(mac.tokens.clone());
            return;
        }
        if select::is_select(&mac.path) {
            if let Ok(parsed) = mac.parse_body_with(<Select as syn::parse::Parse>::parse) {
                self.visit_select(&parsed);
                return;
            }
        }
        {
            // Brace groups that parse as statements (the handlers of a
            // `select!` that does not parse, `cfg_if!`'s items) are walked.
            let mut stack = vec![mac.tokens.clone()];
            while let Some(tokens) = stack.pop() {
                for tree in tokens {
                    if let TokenTree::Group(group) = tree {
                        let parsed = (group.delimiter() == Delimiter::Brace)
                            .then(|| {
                                syn::parse::Parser::parse2(Block::parse_within, group.stream()).ok()
                            })
                            .flatten();
                        match parsed {
                            Some(stmts) => {
                                for stmt in &stmts {
                                    self.visit_owned_stmt(stmt);
                                }
                            }
                            None => stack.push(group.stream()),
                        }
                    }
                }
            }
        }
    }
}

impl Spawns<'_, '_> {
    /// A `select!`: with a sleep among its branches, every other branch's
    /// future is work under a timeout; a task's handle raced by value in a
    /// select of two branches or more is dropped when another wins.
    fn visit_select(&mut self, parsed: &Select) {
        let arms = parsed
            .branches
            .iter()
            .filter(|branch| matches!(branch, Branch::Arm { .. }))
            .count();
        let has_sleep = parsed.branches.iter().any(|branch| match branch {
            Branch::Arm { future, .. } => is_sleep(future),
            Branch::Else { .. } => false,
        });
        for branch in &parsed.branches {
            match branch {
                Branch::Arm {
                    future,
                    precondition,
                    handler,
                    ..
                } => {
                    if arms >= 2 {
                        self.handle_under_timeout(
                            future,
                            "raced in a `select!` branch that can lose",
                        );
                    }
                    let timed = has_sleep && !is_sleep(future);
                    if timed {
                        self.under_timeout += 1;
                    }
                    self.visit_owned_expr(future);
                    if timed {
                        self.under_timeout -= 1;
                    }
                    if let Some((_, _, condition)) = precondition {
                        self.visit_owned_expr(condition);
                    }
                    self.visit_owned_expr(handler);
                }
                Branch::Else { handler, .. } => self.visit_owned_expr(handler),
            }
        }
    }
}

/// Where the loop walk is, within one async context (the macros' modes).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not in any loop that matters.
    Plain,
    /// In an `#[uncancellable]` loop or one already reported.
    OptedOut,
    /// In a cancellable loop: every await is raced.
    Nest,
}

/// The loop walk over one root.
struct Loops<'f> {
    findings: &'f mut Vec<Finding>,
    mode: Mode,
    every_loop: bool,
    /// How many loops around, in this async context, neither race their
    /// awaits nor were opted out: a `send(..).await` in one can block.
    watched_loops: usize,
    /// The marks of `#[cancellable_loop] let x = loop { .. };`: the loop's.
    marks: Vec<Attribute>,
}

impl Loops<'_> {
    fn visit_iterated(&mut self, expr: &Expr) {
        match expr {
            Expr::Loop(inner) => self.visit_block(&inner.body),
            Expr::While(inner) => {
                self.visit_expr(&inner.cond);
                self.visit_block(&inner.body);
            }
            Expr::ForLoop(inner) => self.visit_block(&inner.body),
            other => self.visit_expr(other),
        }
    }

    fn visit_loop_in(&mut self, expr: &Expr, mode: Mode, watched: bool) {
        if let Expr::ForLoop(inner) = expr {
            self.visit_expr(&inner.expr);
        }
        let saved = std::mem::replace(&mut self.mode, mode);
        if watched {
            self.watched_loops += 1;
        }
        self.visit_iterated(expr);
        if watched {
            self.watched_loops -= 1;
        }
        self.mode = saved;
    }

    fn visit_loop(&mut self, expr: &Expr) {
        let mut attrs = std::mem::take(&mut self.marks);
        attrs.extend(expr_attrs(expr).iter().cloned());
        let cancellable = attrs.iter().any(|attr| attr_is(attr, "cancellable_loop"));
        let opt_out = attrs.iter().find(|attr| attr_is(attr, "uncancellable"));
        if let Some(attr) = opt_out {
            if let Err(error) = reason::check(attr, &reason::UNCANCELLABLE) {
                self.findings
                    .extend(Finding::from_error(Rule::EscapeHatchReason, &error));
            }
        }
        if self.mode == Mode::Nest {
            let mode = if opt_out.is_some() {
                Mode::OptedOut
            } else {
                Mode::Nest
            };
            self.visit_loop_in(expr, mode, false);
            return;
        }
        let plain = self.mode == Mode::Plain;
        if cancellable || (plain && opt_out.is_none() && self.every_loop) {
            self.visit_loop_in(expr, Mode::Nest, false);
            return;
        }
        if opt_out.is_some() {
            self.visit_loop_in(expr, Mode::OptedOut, false);
            return;
        }
        if plain && scan::lacks_cancellation_arm(expr) {
            self.findings.push(Finding::new(
                Rule::UncancellableLoop,
                scan::keyword_span(expr),
                scan::NO_ARM,
            ));
            self.visit_loop_in(expr, Mode::OptedOut, true);
            return;
        }
        let mode = self.mode;
        self.visit_loop_in(expr, mode, mode == Mode::Plain);
    }
}

/// Whether an awaited expression is `x.send(..)` (a bounded channel's or a
/// sink's: an unbounded sender's `send` is not awaited).
fn is_send(expr: &Expr) -> bool {
    matches!(expr, Expr::MethodCall(call) if call.method == "send" && call.args.len() == 1)
}

impl<'ast> Visit<'ast> for Loops<'_> {
    fn visit_item(&mut self, _item: &'ast Item) {}

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        if stmt_attrs(stmt)
            .iter()
            .any(|attr| attr.path().is_ident("detached"))
        {
            return;
        }
        match stmt {
            Stmt::Macro(mac) => self.visit_macro(&mac.mac),
            Stmt::Local(local) => {
                let Some(init) = &local.init else {
                    return visit::visit_stmt(self, stmt);
                };
                if !scan::is_loop(&init.expr) {
                    return visit::visit_stmt(self, stmt);
                }
                self.visit_pat(&local.pat);
                self.marks = local
                    .attrs
                    .iter()
                    .filter(|attr| {
                        attr_is(attr, "cancellable_loop") || attr_is(attr, "uncancellable")
                    })
                    .cloned()
                    .collect();
                self.visit_loop(&init.expr);
                if let Some((_, diverge)) = &init.diverge {
                    self.visit_expr(diverge);
                }
            }
            _ => visit::visit_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        if scan::is_loop(expr) {
            self.visit_loop(expr);
            return;
        }
        match expr {
            Expr::Async(_) | Expr::Closure(_) => {
                let saved = std::mem::replace(&mut self.mode, Mode::Plain);
                let watched = std::mem::replace(&mut self.watched_loops, 0);
                visit::visit_expr(self, expr);
                self.mode = saved;
                self.watched_loops = watched;
            }
            Expr::Const(_) => {}
            Expr::Await(awaited) => {
                if self.watched_loops > 0 && self.mode != Mode::Nest && is_send(&awaited.base) {
                    self.findings.push(Finding::spanned(
                        Rule::BlockedSend,
                        &awaited.base,
                        "this loop awaits a bounded `send`: while the channel is full it waits, \
                         and a cancellation cannot stop it",
                    ));
                }
                visit::visit_expr(self, expr);
            }
            Expr::Macro(mac) => self.visit_macro(&mac.mac),
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        for expr in macro_exprs(mac) {
            self.visit_owned_expr(&expr);
        }
    }
}

impl Loops<'_> {
    fn visit_owned_expr(&mut self, expr: &Expr) {
        // The walk does not keep what it visits: a copy from a macro's body
        // is walked in place.
        let mut walk = Loops {
            findings: self.findings,
            mode: self.mode,
            every_loop: self.every_loop,
            watched_loops: self.watched_loops,
            marks: Vec::new(),
        };
        walk.visit_expr(expr);
    }
}

/// An allow comment: `// taskscope-audit: allow(rule-id, ..) reason`.
#[derive(Debug, PartialEq, Eq)]
pub struct AllowComment {
    /// Its line (from 1).
    pub line: usize,
    /// Its column (from 0).
    pub column: usize,
    /// The ids it names, as written.
    pub rules: Vec<String>,
    /// The reason after the parentheses, trimmed.
    pub reason: String,
    /// Whether the line holds nothing but the comment.
    pub alone: bool,
}

/// The marker of an allow comment.
pub const ALLOW_MARKER: &str = "taskscope-audit:";

/// The allow comments of a source, in order.
pub fn allow_comments(source: &str) -> Vec<AllowComment> {
    let mut comments = Vec::new();
    for (index, text) in source.lines().enumerate() {
        let Some(slashes) = text.find("//") else {
            continue;
        };
        let Some(after) = text.get(slashes + 2..) else {
            continue;
        };
        let after = after.trim_start_matches('/').trim_start();
        let Some(rest) = after.strip_prefix(ALLOW_MARKER) else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("allow(") else {
            continue;
        };
        let Some(close) = rest.find(')') else {
            continue;
        };
        let rules = rest
            .get(..close)
            .unwrap_or_default()
            .split(',')
            .map(|rule| rule.trim().to_string())
            .filter(|rule| !rule.is_empty())
            .collect();
        // The reason runs to the end of the line, or to another comment.
        let reason = rest.get(close + 1..).unwrap_or_default();
        let reason = reason
            .split("//")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        comments.push(AllowComment {
            line: index + 1,
            column: text
                .get(..slashes)
                .map_or(0, |before| before.chars().count()),
            rules,
            reason,
            alone: text
                .get(..slashes)
                .is_some_and(|before| before.trim().is_empty()),
        });
    }
    comments
}

/// Silences the findings that an allow comment with a reason names: on the
/// finding's line, or in the run of comment lines right above it. An allow
/// comment without a reason silences nothing and is a finding itself.
pub fn apply_allow_comments(source: &str, findings: &mut Vec<Finding>) {
    let comments = allow_comments(source);
    if comments.is_empty() {
        return;
    }
    let lines: Vec<&str> = source.lines().collect();
    let is_comment_line = |line: usize| {
        line.checked_sub(1)
            .and_then(|index| lines.get(index))
            .is_some_and(|text| text.trim_start().starts_with("//"))
    };
    let silenced = |finding: &Finding| {
        let line = finding.start.line;
        comments.iter().any(|comment| {
            let names = comment.rules.iter().any(|rule| rule == finding.rule.id());
            if comment.reason.is_empty() || !names {
                return false;
            }
            comment.line == line
                || (comment.alone
                    && comment.line < line
                    && (comment.line + 1..line).all(is_comment_line))
        })
    };
    findings.retain(|finding| !silenced(finding));
    for comment in comments.iter().filter(|comment| comment.reason.is_empty()) {
        let at = LineColumn {
            line: comment.line,
            column: comment.column,
        };
        findings.push(Finding {
            rule: Rule::EscapeHatchReason,
            span: Span::call_site(),
            end_span: Span::call_site(),
            start: at,
            end: at,
            message: format!(
                "this allow comment has no reason, so it silences nothing: write \
                 `// {ALLOW_MARKER} allow({}) why this is fine`",
                comment.rules.join(", ")
            ),
        });
    }
    findings.sort_by_key(|finding| (finding.start.line, finding.start.column, finding.rule));
}

/// Whether `item` is an `impl Drop for ..`.
fn is_drop_impl(item: &syn::ItemImpl) -> bool {
    item.trait_
        .as_ref()
        .and_then(|(_, path, _)| last_ident(path))
        .is_some_and(|name| name == "Drop")
}
