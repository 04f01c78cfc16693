//! What each loop becomes: left alone, opted out, reported as an awaiting
//! loop without a cancellation arm, or (the outermost cancellable loop of a
//! nest) wrapped so that a cancellation leaves it.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::token::{Brace, Paren};
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, Block, Expr, ExprBlock, ExprCall, Ident, Label, Lifetime, Local, LocalInit, Pat,
    PatIdent, Stmt, Token,
};

use super::marks::Marks;
use super::{Exit, FN_TOKEN, Mode, Nest, Walker};
use crate::cancellable_loop::args::LoopArgs;
use crate::cancellable_loop::scan::{self, keyword_span};
use taskscope_analysis::{Finding, Rule};

pub(super) fn loop_attrs_mut(expr: &mut Expr) -> Option<&mut Vec<Attribute>> {
    match expr {
        Expr::Loop(inner) => Some(&mut inner.attrs),
        Expr::While(inner) => Some(&mut inner.attrs),
        Expr::ForLoop(inner) => Some(&mut inner.attrs),
        _ => None,
    }
}

fn loop_label_mut(expr: &mut Expr) -> Option<&mut Option<Label>> {
    match expr {
        Expr::Loop(inner) => Some(&mut inner.label),
        Expr::While(inner) => Some(&mut inner.label),
        Expr::ForLoop(inner) => Some(&mut inner.label),
        _ => None,
    }
}

impl Walker {
    /// Visits what a loop runs on every iteration (a `for` loop's iterator
    /// is visited by the caller).
    fn visit_iterated(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Loop(inner) => self.visit_block_mut(&mut inner.body),
            Expr::While(inner) => {
                self.visit_expr_mut(&mut inner.cond);
                self.visit_block_mut(&mut inner.body);
            }
            Expr::ForLoop(inner) => self.visit_block_mut(&mut inner.body),
            other => self.visit_expr_mut(other),
        }
    }

    fn visit_for_iterator(&mut self, expr: &mut Expr) {
        if let Expr::ForLoop(inner) = expr {
            self.visit_expr_mut(&mut inner.expr);
        }
    }

    /// Visits the loop's children in `mode`, then restores the current one.
    fn visit_loop_in(&mut self, expr: &mut Expr, mode: Mode) {
        self.visit_for_iterator(expr);
        let saved = std::mem::replace(&mut self.mode, mode);
        self.visit_iterated(expr);
        self.mode = saved;
    }

    /// A loop. `value_used`: it is the fn body's tail or a `let`'s
    /// initializer, so its value is used.
    pub(super) fn visit_loop(&mut self, expr: &mut Expr, value_used: bool) {
        let marks = match loop_attrs_mut(expr) {
            Some(attrs) => self.take_marks(attrs),
            None => Marks::default(),
        };
        if let Mode::Nest(_) = self.mode {
            if let Some((attr, _)) = &marks.cancellable {
                self.errors.push(syn::Error::new_spanned(
                    attr,
                    "this loop is inside a cancellable loop, which already races its awaits \
                     (a cancellation leaves the outermost cancellable loop): remove the attribute",
                ));
            }
            if marks.opt_out.is_some() {
                self.visit_loop_in(expr, Mode::OptedOut);
            } else {
                self.visit_for_iterator(expr);
                self.visit_iterated(expr);
            }
            return;
        }
        let plain = matches!(self.mode, Mode::Plain);
        if let (Some(_), Some(opt_out)) = (&marks.cancellable, &marks.opt_out) {
            self.errors.push(syn::Error::new_spanned(
                opt_out,
                "a loop is either `#[cancellable_loop]` or `#[uncancellable]`: keep one",
            ));
        }
        let opted_out = marks.opt_out.is_some();
        // The loop's own attribute, else the fn's (which does not reach into
        // an `#[uncancellable]` loop).
        let chosen = match marks.cancellable {
            Some((attr, args)) => Some((args, Some(attr))),
            None if plain && !opted_out && self.options.every_loop.is_some() => {
                Some((LoopArgs::default(), None))
            }
            None => None,
        };
        if let Some((args, attr)) = chosen {
            self.nest_root(expr, args, attr, value_used);
            return;
        }
        if opted_out {
            self.visit_loop_in(expr, Mode::OptedOut);
            return;
        }
        let unarmed = plain && self.options.enforce && scan::lacks_cancellation_arm(expr);
        if unarmed {
            let finding = Finding::new(Rule::UncancellableLoop, keyword_span(expr), scan::NO_ARM);
            self.errors.push(finding.to_error());
            self.visit_loop_in(expr, Mode::OptedOut);
            return;
        }
        self.visit_for_iterator(expr);
        self.visit_iterated(expr);
    }

    /// The outermost cancellable loop of a nest: every await in it (nested
    /// loops included) is raced, and a cancellation leaves this loop.
    fn nest_root(
        &mut self,
        expr: &mut Expr,
        args: LoopArgs,
        attr: Option<Attribute>,
        value_used: bool,
    ) {
        let keyword = keyword_span(expr);
        let glue = Span::mixed_site().located_at(keyword);
        // The loop's own arguments, else the fn's.
        let every = self.options.every_loop.as_ref();
        let ret = args
            .ret
            .clone()
            .or_else(|| every.and_then(|every| every.ret.clone()));
        let fn_token = args.token.is_none()
            && self.nested_contexts == 0
            && every.is_some_and(|every| every.token.is_some());
        let returns = ret.is_some() || value_used || scan::breaks_with_value(expr);
        let user_label = match loop_label_mut(expr) {
            Some(Some(label)) => Some(label.name.clone()),
            _ => None,
        };
        let label = user_label
            .clone()
            .unwrap_or_else(|| Lifetime::new("'__taskscope_cancellable", glue));
        let cancel = Ident::new("__taskscope_cancel", glue);
        let on_cancel = Ident::new("__taskscope_on_cancel", glue);
        let exit = if returns {
            Exit::Return(on_cancel.clone())
        } else {
            Exit::Break(label.clone())
        };
        self.visit_for_iterator(expr);
        let saved = std::mem::replace(
            &mut self.mode,
            Mode::Nest(Nest {
                cancel: cancel.clone(),
                exit,
                uses: 0,
            }),
        );
        self.visit_iterated(expr);
        let uses = match std::mem::replace(&mut self.mode, saved) {
            Mode::Nest(nest) => nest.uses,
            _ => 0,
        };
        if uses == 0 {
            if let Some(attr) = attr {
                self.errors.push(syn::Error::new_spanned(
                    attr,
                    "`#[cancellable_loop]` has nothing to race here: this loop has no `.await`, \
                     `select!` or `join!`; remove the attribute",
                ));
            }
            return;
        }
        self.changes += 1;
        if !returns && user_label.is_none() {
            if let Some(slot) = loop_label_mut(expr) {
                *slot = Some(Label {
                    name: label,
                    colon_token: Token![:](glue),
                });
            }
        }
        let runtime = self.runtime(glue);
        let fetch = match &args.token {
            Some(token) => {
                let at = Span::mixed_site().located_at(token.span());
                let from = Ident::new("from", at);
                Expr::Call(ExprCall {
                    attrs: Vec::new(),
                    func: Box::new(Expr::Verbatim(
                        quote_spanned!(at=> #runtime::__private::Cancellation::#from),
                    )),
                    paren_token: Paren(at),
                    args: Punctuated::from_iter([token.clone()]),
                })
            }
            None if fn_token => {
                self.fn_token_uses += 1;
                let name = Ident::new(FN_TOKEN, Span::mixed_site());
                Expr::Verbatim(quote_spanned!(glue=> &#name))
            }
            None => {
                Expr::Verbatim(quote_spanned!(glue=> #runtime::__private::Cancellation::current()))
            }
        };
        // `{ let cancel = ..; let on_cancel = ..; <the loop> }`, built as a
        // syntax tree: the loop goes in as it was parsed (printing and
        // parsing it again was a third of the macro's time).
        let mut stmts = vec![let_stmt(glue, cancel, fetch)];
        if returns {
            // Spanned at `return` if it was asked for, else at the loop: a
            // return type without a cancellation value is reported there,
            // once.
            let at = ret
                .as_ref()
                .map_or(glue, |ret| Span::mixed_site().located_at(ret.span()));
            let runtime = self.runtime(at);
            let name = Ident::new("on_cancel", at);
            let init = Expr::Verbatim(quote_spanned!(at=> #runtime::__private::OnCancel::#name));
            stmts.push(let_stmt(at, on_cancel, init));
        }
        let inner = std::mem::replace(expr, Expr::Verbatim(TokenStream::new()));
        stmts.push(Stmt::Expr(inner, None));
        *expr = Expr::Block(ExprBlock {
            attrs: Vec::new(),
            label: None,
            block: Block {
                brace_token: Brace(glue),
                stmts,
            },
        });
    }
}

/// `let NAME = INIT;`
fn let_stmt(span: Span, name: Ident, init: Expr) -> Stmt {
    Stmt::Local(Local {
        attrs: Vec::new(),
        let_token: Token![let](span),
        pat: Pat::Ident(PatIdent {
            attrs: Vec::new(),
            by_ref: None,
            mutability: None,
            ident: name,
            subpat: None,
        }),
        init: Some(LocalInit {
            eq_token: Token![=](span),
            expr: Box::new(init),
            diverge: None,
        }),
        semi_token: Token![;](span),
    })
}
