//! What a nest awaits, raced against its cancellation: `.await`,
//! `select!` (every branch guarded) and `join!` (joined in a guarded block).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::token::{Brace, Paren};
use syn::visit_mut::VisitMut;
use syn::{
    Arm, Block, Expr, ExprAwait, ExprBlock, ExprIf, ExprMatch, ExprMethodCall, Macro, Pat,
    PatTupleStruct, Path, PathSegment, Stmt, Token,
};

use super::{Exit, Mode, Walker, reparse};
use crate::cancellable_loop::select::{self, Branch, Select};

impl Walker {
    /// The cancellation of the nest and the way out of it, if in one.
    fn race(&mut self, span: Span) -> Option<(Ident, TokenStream)> {
        let Mode::Nest(nest) = &mut self.mode else {
            return None;
        };
        nest.uses += 1;
        let exit = match &nest.exit {
            Exit::Break(label) => quote_spanned!(span=> break #label),
            Exit::Return(on_cancel) => quote_spanned!(span=> return #on_cancel()),
        };
        Some((nest.cancel.clone(), exit))
    }

    /// `EXPR.await` in a nest: raced against the nest's cancellation.
    pub(super) fn visit_await(&mut self, expr: &mut Expr) {
        let Expr::Await(awaited) = expr else {
            return;
        };
        self.visit_expr_mut(&mut awaited.base);
        let span = Span::mixed_site().located_at(awaited.await_token.span);
        let Some((cancel, exit)) = self.race(span) else {
            return;
        };
        self.changes += 1;
        let attrs = std::mem::take(&mut awaited.attrs);
        let base = std::mem::replace(&mut *awaited.base, Expr::Verbatim(TokenStream::new()));
        let guarded = Expr::Await(ExprAwait {
            attrs: Vec::new(),
            base: Box::new(guard_call(span, &cancel, base)),
            dot_token: awaited.dot_token,
            await_token: awaited.await_token,
        });
        let value = Ident::new("__taskscope_value", span);
        let arm = |pat: TokenStream, body: TokenStream| Arm {
            attrs: Vec::new(),
            pat: Pat::Verbatim(pat),
            guard: None,
            fat_arrow_token: Token![=>](span),
            body: Box::new(Expr::Verbatim(body)),
            comma: Some(Token![,](span)),
        };
        // Built as a syntax tree around the user's expression, which is
        // neither printed nor parsed again.
        *expr = Expr::Match(ExprMatch {
            attrs,
            match_token: Token![match](span),
            expr: Box::new(guarded),
            brace_token: Brace(span),
            arms: vec![
                arm(
                    quote_spanned!(span=> ::core::result::Result::Ok(#value)),
                    value.to_token_stream(),
                ),
                arm(quote_spanned!(span=> ::core::result::Result::Err(_)), exit),
            ],
        });
    }

    /// A macro invocation: `select!` and `join!` in a nest are raced; the
    /// bodies of others are visited when they parse as expressions. Returns
    /// an expression to put in the invocation's place, if it is replaced.
    pub(super) fn visit_macro_call(&mut self, mac: &mut Macro) -> Option<Expr> {
        if mac.path.is_ident("macro_rules") {
            return None;
        }
        let in_nest = matches!(self.mode, Mode::Nest(_));
        if select::is_select(&mac.path) {
            return self.visit_select(mac, in_nest);
        }
        if in_nest && select::is_join(&mac.path) {
            return self.visit_join(mac);
        }
        if let Ok(mut exprs) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        {
            let before = self.changes;
            for expr in exprs.iter_mut() {
                self.visit_expr_mut(expr);
            }
            if self.changes != before {
                mac.tokens = exprs.into_token_stream();
            }
        }
        None
    }

    /// A `select!`. In a nest, every branch's future is guarded, so a
    /// cancellation resolves each (before it is polled) to an `Err` that its
    /// pattern, wrapped in `Ok(..)`, does not match: every branch is
    /// disabled, and the `else` branch leaves the loop if the nest is
    /// cancelled, or does what it did. A select without `else` gets one that
    /// leaves the loop, or panics as tokio's would. Nothing else changes: a
    /// branch whose pattern does not match is still disabled, `biased;` still
    /// polls in order, and no arm of the loop's competes with the user's.
    fn visit_select(&mut self, mac: &mut Macro, in_nest: bool) -> Option<Expr> {
        let mut parsed = match mac.parse_body_with(<Select as syn::parse::Parse>::parse) {
            Ok(parsed) => parsed,
            Err(error) => {
                if in_nest {
                    self.errors.push(syn::Error::new_spanned(
                        &mac.path,
                        format!(
                            "`#[cancellable_loop]` cannot read this `select!` to race it against \
                             the cancellation ({error}): add an arm on `taskscope::cancelled()` \
                             by hand"
                        ),
                    ));
                }
                return None;
            }
        };
        let before = self.changes;
        for expr in parsed.exprs_mut() {
            self.visit_expr_mut(expr);
        }
        if !in_nest || parsed.has_cancellation_arm() {
            // A hand-written cancellation arm decides what a cancellation
            // does in this select.
            if self.changes != before {
                mac.tokens = parsed.to_tokens();
            }
            return None;
        }
        let span = Span::mixed_site().located_at(mac.path.span());
        let (cancel, exit) = self.race(span)?;
        self.changes += 1;
        let mut has_else = false;
        for branch in &mut parsed.branches {
            match branch {
                Branch::Arm { pat, future, .. } => {
                    if let syn::Pat::Or(or) = pat {
                        or.leading_vert = None;
                    }
                    let user = std::mem::replace(pat, Pat::Verbatim(TokenStream::new()));
                    *pat = ok_pattern(span, user);
                    let unguarded = std::mem::replace(future, Expr::Verbatim(TokenStream::new()));
                    *future = guard_call(span, &cancel, unguarded);
                }
                Branch::Else { handler, .. } => {
                    has_else = true;
                    let user = std::mem::replace(handler, Expr::Verbatim(TokenStream::new()));
                    *handler = unless_cancelled(span, &cancel, exit.clone(), user);
                }
            }
        }
        if !has_else {
            let disabled = Expr::Verbatim(quote_spanned! {span=>
                ::core::panic!("all branches are disabled and there is no else branch")
            });
            parsed.branches.push(Branch::Else {
                else_token: Token![else](span),
                arrow: Token![=>](span),
                handler: unless_cancelled(span, &cancel, exit, disabled),
                comma: Some(Token![,](span)),
            });
        }
        mac.tokens = parsed.to_tokens();
        None
    }

    /// `join!(a, b)` / `try_join!(a, b)`: the futures are evaluated first,
    /// as the macro would, then joined in a guarded async block that holds
    /// nothing of the user's but those futures.
    fn visit_join(&mut self, mac: &mut Macro) -> Option<Expr> {
        let mut exprs = match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            Ok(exprs) => exprs,
            Err(error) => {
                self.errors.push(syn::Error::new_spanned(
                    &mac.path,
                    format!(
                        "`#[cancellable_loop]` cannot read this `join!` to race it against the \
                         cancellation ({error}): await its futures in a `select!` with an arm on \
                         `taskscope::cancelled()`"
                    ),
                ));
                return None;
            }
        };
        for expr in exprs.iter_mut() {
            self.visit_expr_mut(expr);
        }
        if exprs.is_empty() {
            return None;
        }
        let span = Span::mixed_site().located_at(mac.path.span());
        let (cancel, exit) = self.race(span)?;
        self.changes += 1;
        let names: Vec<Ident> = (0..exprs.len())
            .map(|index| Ident::new(&format!("__taskscope_future_{index}"), span))
            .collect();
        let exprs = exprs.iter();
        let path = &mac.path;
        let bang = &mac.bang_token;
        let value = Ident::new("__taskscope_value", span);
        let raced = quote_spanned! {span=>
            {
                let (#(#names,)*) = (#(#exprs,)*);
                match #cancel.guard(async { #path #bang (#(#names),*) }).await {
                    ::core::result::Result::Ok(#value) => #value,
                    ::core::result::Result::Err(_) => #exit,
                }
            }
        };
        reparse(raced, &mut self.errors)
    }
}

/// `CANCEL.guard(FUTURE)`, around the user's expression as it was parsed.
fn guard_call(span: Span, cancel: &Ident, future: Expr) -> Expr {
    Expr::MethodCall(ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(Expr::Verbatim(cancel.to_token_stream())),
        dot_token: Token![.](span),
        method: Ident::new("guard", span),
        turbofish: None,
        paren_token: Paren(span),
        args: Punctuated::from_iter([future]),
    })
}

/// `if CANCEL.is_cancelled() { EXIT } else { OTHERWISE }`, around the user's
/// expression as it was parsed.
fn unless_cancelled(span: Span, cancel: &Ident, exit: TokenStream, otherwise: Expr) -> Expr {
    let block = |expr: Expr| Block {
        brace_token: Brace(span),
        stmts: vec![Stmt::Expr(expr, None)],
    };
    Expr::If(ExprIf {
        attrs: Vec::new(),
        if_token: Token![if](span),
        cond: Box::new(Expr::Verbatim(
            quote_spanned!(span=> #cancel.is_cancelled()),
        )),
        then_branch: block(Expr::Verbatim(exit)),
        else_branch: Some((
            Token![else](span),
            Box::new(Expr::Block(ExprBlock {
                attrs: Vec::new(),
                label: None,
                block: block(otherwise),
            })),
        )),
    })
}

/// `::core::result::Result::Ok(PAT)`, around the user's pattern as it was
/// parsed.
fn ok_pattern(span: Span, pat: Pat) -> Pat {
    let segments = ["core", "result", "Result", "Ok"]
        .into_iter()
        .map(|name| PathSegment::from(Ident::new(name, span)));
    Pat::TupleStruct(PatTupleStruct {
        attrs: Vec::new(),
        qself: None,
        path: Path {
            leading_colon: Some(Token![::](span)),
            segments: Punctuated::from_iter(segments),
        },
        paren_token: Paren(span),
        elems: Punctuated::from_iter([pat]),
    })
}
