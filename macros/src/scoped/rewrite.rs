//! The rewrite of a `#[scoped]` body: spawns are redirected into the
//! current scope, detached forms are rejected, `#[detached]` statements are
//! left as written.
//!
//! The walk covers the body's statements, closures, async blocks and macro
//! invocations (see [`macro_body`](super::macro_body)); it does not enter
//! nested items (`fn`, `impl`, `mod`, `trait`, `const`, `static`,
//! `macro_rules!`): their code runs wherever it is called from, not
//! necessarily in this fn.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprCall, ExprPath, Item, Macro, Path, Stmt};

use super::detached;
use super::paths::{self, Class, Forbidden, Redirect};
use crate::diagnostics::Errors;
use taskscope_analysis::{Finding, Rule};

/// Rewrites a body in place, collecting errors.
pub(crate) struct Rewriter {
    /// The `crate = ..` argument, if one was given.
    krate: Option<Path>,
    pub(crate) errors: Errors,
    /// How many spawns were redirected or rejected: a `#[detached]`
    /// statement without any is an error, and a macro invocation without
    /// any keeps its tokens untouched.
    pub(crate) hits: usize,
    /// The first segments of redirected paths that name an import (`task`
    /// of `task::spawn`): the expansion mentions each once more, so that
    /// `use tokio::task;` does not become an unused import.
    pub(crate) prefixes: Vec<syn::Ident>,
}

impl Rewriter {
    pub(crate) fn new(krate: Option<Path>) -> Self {
        Rewriter {
            krate,
            errors: Errors::default(),
            hits: 0,
            prefixes: Vec::new(),
        }
    }

    pub(crate) fn krate(&self) -> Option<&Path> {
        self.krate.as_ref()
    }

    /// A statement marked `#[detached]`: checked, then left as written.
    fn detached_stmt(&mut self, attr: &syn::Attribute, stmt: &Stmt) {
        let mut probe = Rewriter::new(self.krate.clone());
        probe.visit_stmt_mut(&mut stmt.clone());
        if probe.hits == 0 {
            self.errors.push(syn::Error::new_spanned(
                attr,
                "`#[detached]` marks nothing here: this statement has no spawn that `#[scoped]` \
                 would redirect or reject; remove the attribute",
            ));
        }
    }

    /// Redirects or rejects a path in expression position.
    fn check_path(&mut self, expr: &mut ExprPath) {
        if expr.qself.is_some() {
            return;
        }
        match paths::classify_path(&expr.path) {
            Some(Class::Redirect(target)) => {
                self.hits += 1;
                if expr.path.leading_colon.is_none() {
                    if let Some(first) = expr.path.segments.first() {
                        self.note_prefix(&first.ident);
                    }
                }
                expr.path = self.redirect(&expr.path, target);
            }
            // Only a call of a bare name is rejected (in `visit_expr_mut`):
            // a value named `spawn` is most likely a local binding.
            Some(Class::Forbidden(Forbidden::BareSpawn(_))) | None => {}
            Some(Class::Forbidden(forbidden)) => self.reject(&expr.path, &forbidden),
        }
    }

    fn reject(&mut self, tokens: impl quote::ToTokens, forbidden: &Forbidden) {
        self.hits += 1;
        let finding = Finding::spanned(Rule::ScopedDetachingForm, tokens, forbidden.message());
        self.errors.push(finding.to_error());
    }

    /// Records the first segment of a redirected path, unless it is the
    /// `tokio` crate itself.
    pub(crate) fn note_prefix(&mut self, first: &syn::Ident) {
        if first != "tokio" && !self.prefixes.iter().any(|known| known == first) {
            self.prefixes.push(first.clone());
        }
    }

    fn redirect(&self, path: &Path, target: Redirect) -> Path {
        let first = match (&path.leading_colon, path.segments.first()) {
            (Some(colon), _) => colon.spans[0],
            (None, Some(segment)) => segment.ident.span(),
            (None, None) => Span::call_site(),
        };
        let (last, arguments) = match path.segments.last() {
            Some(segment) => (segment.ident.span(), segment.arguments.clone()),
            None => (first, syn::PathArguments::None),
        };
        paths::redirected_path(self.krate(), target, first, last, arguments)
    }
}

/// Whether a statement is a redirected spawn whose handle is dropped
/// (`tokio::spawn(work);`).
fn is_spawn_statement(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::Call(call), Some(_)) = stmt else {
        return false;
    };
    match &*call.func {
        Expr::Path(path) if path.qself.is_none() => {
            matches!(paths::classify_path(&path.path), Some(Class::Redirect(_)))
        }
        _ => false,
    }
}

impl VisitMut for Rewriter {
    /// Nested items are left alone.
    fn visit_item_mut(&mut self, _item: &mut Item) {}

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Some(attrs) = detached::stmt_attrs_mut(stmt) {
            if let Some(attr) = detached::take(attrs, &mut self.errors) {
                self.detached_stmt(&attr, stmt);
                return;
            }
        }
        if let Stmt::Macro(mac) = stmt {
            if mac.mac.path.is_ident("macro_rules") {
                return;
            }
        }
        let discard = is_spawn_statement(stmt);
        visit_mut::visit_stmt_mut(self, stmt);
        if discard {
            // `TaskHandle` is `#[must_use]` where `JoinHandle` is not: the
            // statement hands the handle to `discard` instead of dropping it
            // unused (the child stays in the scope either way).
            if let Stmt::Expr(expr, _) = stmt {
                let span = Span::mixed_site().located_at(expr.span());
                let mut func = paths::runtime_path(self.krate(), span);
                func.segments
                    .push(syn::PathSegment::from(syn::Ident::new("__private", span)));
                func.segments
                    .push(syn::PathSegment::from(syn::Ident::new("discard", span)));
                let mut call =
                    std::mem::replace(expr, Expr::Verbatim(proc_macro2::TokenStream::new()));
                // The statement's attributes (`#[cfg(..)]`, `#[allow(..)]`)
                // are on its outermost expression: they move to the wrapper.
                let attrs = match &mut call {
                    Expr::Call(inner) => std::mem::take(&mut inner.attrs),
                    _ => Vec::new(),
                };
                *expr = Expr::Call(ExprCall {
                    attrs,
                    func: Box::new(Expr::Path(ExprPath {
                        attrs: Vec::new(),
                        qself: None,
                        path: func,
                    })),
                    paren_token: syn::token::Paren(span),
                    args: std::iter::once(call).collect(),
                });
            }
        }
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(attrs) = detached::expr_attrs_mut(expr) {
            if let Some(attr) = detached::take_stray(attrs) {
                self.errors.push(syn::Error::new_spanned(
                    attr,
                    "`#[detached]` goes on a statement of the `#[scoped]` body (`#[detached(reason = \"...\")] let handle = ...;`)",
                ));
            }
        }
        match expr {
            Expr::Path(path) => self.check_path(path),
            Expr::Call(call) => {
                if let Expr::Path(func) = &*call.func {
                    if let (None, Some(Class::Forbidden(bare @ Forbidden::BareSpawn(_)))) =
                        (&func.qself, paths::classify_path(&func.path))
                    {
                        self.reject(&func.path, &bare);
                    }
                }
            }
            Expr::MethodCall(call) => {
                if let Some(forbidden) = paths::classify_method(call) {
                    let receiver = &call.receiver;
                    let method = &call.method;
                    self.reject(quote::quote!(#receiver.#method), &forbidden);
                }
            }
            _ => {}
        }
        visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        super::macro_body::rewrite(self, mac);
    }
}
