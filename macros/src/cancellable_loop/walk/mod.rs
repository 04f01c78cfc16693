//! The rewrite of a body's loops, and (under `#[scoped]`) the rule that an
//! awaiting loop has a cancellation arm.
//!
//! A cancellable loop becomes
//!
//! ```text
//! {
//!     let __taskscope_cancel = ::taskscope::__private::Cancellation::current(); // or ::from(token)
//!     let __taskscope_on_cancel = ::taskscope::__private::OnCancel::on_cancel;  // the return rule only
//!     'label: loop {
//!         .. match __taskscope_cancel.guard(EXPR).await {
//!             Ok(value) => value,
//!             Err(_) => break 'label, // or: return __taskscope_on_cancel()
//!         } ..
//!     }
//! }
//! ```
//!
//! Nothing of the user's is moved into a closure or an async block, so
//! `break`, `continue`, `?` and `return` keep their meaning. The walk keeps a
//! mode per async context: a nested `async` block or closure is another
//! future (its `.await`s cannot leave the loop around it), so it starts over
//! in [`Mode::Plain`], and its loops are handled (and checked) on their own.
//!
//! The walk is split by concern: `marks` reads and checks the loop
//! attributes, `loops` decides what each loop becomes (and wraps the
//! outermost cancellable loop of a nest), `race` rewrites what a nest awaits
//! (`.await`, `select!`, `join!`). This file holds the walker's state and the
//! syntax-tree visit that dispatches to them.

mod loops;
mod marks;
mod race;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Block, Expr, Item, Lifetime, Macro, Path, Stmt};

use super::args::LoopArgs;
use crate::diagnostics::Errors;
use crate::scoped::detached::expr_attrs_mut;
use crate::scoped::paths::runtime_path;
use loops::loop_attrs_mut;
use marks::is_mark;
pub(crate) use taskscope_analysis::scan::is_loop;

/// How a body is walked.
pub(crate) struct Options {
    /// The `crate = ..` path, if one was given.
    pub(crate) krate: Option<Path>,
    /// `#[cancellable_loop(..)]` on the fn: every loop is cancellable, with
    /// these arguments unless its own attribute says otherwise.
    pub(crate) every_loop: Option<LoopArgs>,
    /// `#[scoped]`: an awaiting loop without a cancellation arm is an error.
    pub(crate) enforce: bool,
}

/// Rewrites the loops of an fn body, collecting errors. The body's tail
/// expression is where a loop's value is the fn's.
pub(crate) fn rewrite_body(block: &mut Block, options: Options, errors: &mut Errors) {
    let fn_token = options
        .every_loop
        .as_ref()
        .and_then(|every| every.token.clone());
    let mut walker = Walker {
        options,
        errors: Errors::default(),
        mode: Mode::Plain,
        changes: 0,
        nested_contexts: 0,
        fn_token_uses: 0,
    };
    let last = block.stmts.len().checked_sub(1);
    for (index, stmt) in block.stmts.iter_mut().enumerate() {
        match stmt {
            Stmt::Expr(expr, None) if Some(index) == last && is_loop(expr) => {
                walker.visit_loop(expr, true);
            }
            _ => walker.visit_stmt_mut(stmt),
        }
    }
    if let Some(token) = fn_token.filter(|_| walker.fn_token_uses > 0) {
        // `#[cancellable_loop(token = expr)]` on the fn: evaluated once, as
        // the body starts; the fn's loops borrow it.
        let at = Span::mixed_site().located_at(token.span());
        let runtime = walker.runtime(at);
        let from = Ident::new("from", at);
        let name = Ident::new(FN_TOKEN, Span::mixed_site());
        let statement =
            quote_spanned!(at=> let #name = #runtime::__private::Cancellation::#from(#token););
        match syn::parse2::<Stmt>(statement) {
            Ok(statement) => block.stmts.insert(0, statement),
            Err(error) => walker.errors.push(error),
        }
    }
    errors.absorb(walker.errors);
}

/// The variable holding the fn-level token's cancellation.
const FN_TOKEN: &str = "__taskscope_token";

struct Walker {
    options: Options,
    errors: Errors,
    mode: Mode,
    /// How many changes were made: a macro body is printed back only if
    /// something in it changed.
    changes: usize,
    /// How many `async` blocks and closures the walk is in (0: the fn
    /// body's own context).
    nested_contexts: usize,
    /// How many loops use the fn-level `token`.
    fn_token_uses: usize,
}

/// Where the walk is, within one async context.
enum Mode {
    /// Not in any loop that matters.
    Plain,
    /// In an `#[uncancellable]` loop, or in a loop already reported: its
    /// awaits are left alone, and loops in it are not reported again.
    OptedOut,
    /// In a cancellable loop: every await is raced.
    Nest(Nest),
}

struct Nest {
    cancel: Ident,
    exit: Exit,
    /// How many exits were generated: without any, nothing is wrapped.
    uses: usize,
}

#[derive(Clone)]
enum Exit {
    /// `break 'label`.
    Break(Lifetime),
    /// `return __taskscope_on_cancel()`.
    Return(Ident),
}

fn is_detached(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| attr.path().is_ident("detached"))
}

/// An expression from generated tokens. They always parse (every piece was
/// parsed before); if they did not, the error is reported and nothing is
/// replaced, rather than panicking.
fn reparse(tokens: TokenStream, errors: &mut Errors) -> Option<Expr> {
    match syn::parse2::<Expr>(tokens) {
        Ok(expr) => Some(expr),
        Err(error) => {
            errors.push(syn::Error::new(
                error.span(),
                format!("`#[cancellable_loop]` could not rewrite this: {error}"),
            ));
            None
        }
    }
}

impl Walker {
    fn runtime(&self, span: Span) -> Path {
        runtime_path(self.options.krate.as_ref(), span)
    }
}

impl VisitMut for Walker {
    /// Nested items run wherever they are called from: left alone.
    fn visit_item_mut(&mut self, _item: &mut Item) {}

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        match stmt {
            Stmt::Item(_) => {}
            Stmt::Local(local) => {
                // A `#[detached]` statement is left as written.
                if is_detached(&local.attrs) {
                    return;
                }
                let init_is_loop = local.init.as_ref().is_some_and(|init| is_loop(&init.expr));
                if !init_is_loop {
                    self.reject_marks(&mut local.attrs);
                    visit_mut::visit_local_mut(self, local);
                    return;
                }
                // `#[cancellable_loop] let x = loop { .. };`: the mark is the
                // loop's.
                let (marks, kept): (Vec<Attribute>, Vec<Attribute>) =
                    std::mem::take(&mut local.attrs)
                        .into_iter()
                        .partition(is_mark);
                local.attrs = kept;
                visit_mut::visit_pat_mut(self, &mut local.pat);
                if let Some(init) = &mut local.init {
                    if let Some(attrs) = loop_attrs_mut(&mut init.expr) {
                        attrs.extend(marks);
                    }
                    self.visit_loop(&mut init.expr, true);
                    if let Some((_, diverge)) = &mut init.diverge {
                        self.visit_expr_mut(diverge);
                    }
                }
            }
            Stmt::Macro(stmt_macro) => {
                if is_detached(&stmt_macro.attrs) {
                    return;
                }
                self.reject_marks(&mut stmt_macro.attrs);
                if let Some(mut new) = self.visit_macro_call(&mut stmt_macro.mac) {
                    if let Some(attrs) = expr_attrs_mut(&mut new) {
                        attrs.extend(std::mem::take(&mut stmt_macro.attrs));
                    }
                    let semi = stmt_macro.semi_token;
                    *stmt = Stmt::Expr(new, semi);
                }
            }
            Stmt::Expr(expr, _) => {
                if expr_attrs_mut(expr).is_some_and(|attrs| is_detached(attrs)) {
                    return;
                }
                self.visit_expr_mut(expr);
            }
        }
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if is_loop(expr) {
            self.visit_loop(expr, false);
            return;
        }
        if let Some(attrs) = expr_attrs_mut(expr) {
            self.reject_marks(attrs);
        }
        match expr {
            Expr::Async(_) | Expr::Closure(_) => {
                // Another future: its awaits cannot leave a loop around it.
                let saved = std::mem::replace(&mut self.mode, Mode::Plain);
                self.nested_contexts += 1;
                visit_mut::visit_expr_mut(self, expr);
                self.nested_contexts -= 1;
                self.mode = saved;
            }
            Expr::Const(_) => {}
            Expr::Await(_) => self.visit_await(expr),
            Expr::Macro(expr_macro) => {
                if let Some(mut new) = self.visit_macro_call(&mut expr_macro.mac) {
                    if let Some(attrs) = expr_attrs_mut(&mut new) {
                        attrs.extend(std::mem::take(&mut expr_macro.attrs));
                    }
                    *expr = new;
                }
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        // Macros in other positions (patterns, types): their bodies only.
        drop(self.visit_macro_call(mac));
    }
}
