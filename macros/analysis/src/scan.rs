//! Read-only looks at a loop (the analysis of `#[cancellable_loop]` and of
//! the rule that an awaiting loop has a cancellation arm), each within the loop's own async context (a
//! nested `async` block or closure is another future, and is not looked
//! into): does it await, does it already race a cancellation by hand, and
//! does a `loop` `break` with a value.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, Item, Lifetime, Macro, Token};

use crate::select::{self, Select};

/// The parts of a loop that run on every iteration: a `while` condition and
/// the body (not a `for` loop's iterator, evaluated once before it).
fn visit_iterated<'a, V: Visit<'a>>(visitor: &mut V, expr: &'a Expr) {
    match expr {
        Expr::Loop(inner) => visitor.visit_block(&inner.body),
        Expr::While(inner) => {
            visitor.visit_expr(&inner.cond);
            visitor.visit_block(&inner.body);
        }
        Expr::ForLoop(inner) => visitor.visit_block(&inner.body),
        other => visitor.visit_expr(other),
    }
}

/// Whether the loop awaits: an `.await`, a macro that awaits (`select!`,
/// `join!`, ...), or `.await` written inside any other macro's tokens.
pub fn awaits(expr: &Expr) -> bool {
    let mut scan = Scan::new(Looking::Awaits);
    visit_iterated(&mut scan, expr);
    scan.found
}

/// Whether the loop races a cancellation by hand: a `select!` branch whose
/// future mentions `cancelled` (`taskscope::cancelled()`,
/// `token.cancelled()`, `run_until_cancelled(..)`), or an `.await` of
/// `….guard(..)` (a `taskscope::cancel::Cancellation`) or of something that
/// mentions `cancelled` (`token.run_until_cancelled(fut).await`).
pub fn has_cancellation_arm(expr: &Expr) -> bool {
    let mut scan = Scan::new(Looking::Arms);
    visit_iterated(&mut scan, expr);
    scan.found
}

/// Whether a `loop` has a `break` with a value that leaves it (unlabelled
/// outside nested loops, or with its label): then its value is used, and it
/// cannot be left by a plain `break`.
pub fn breaks_with_value(expr: &Expr) -> bool {
    let Expr::Loop(inner) = expr else {
        return false;
    };
    let mut scan = Scan::new(Looking::BreakValues {
        label: inner.label.as_ref().map(|label| label.name.clone()),
        depth: 0,
    });
    scan.visit_block(&inner.body);
    scan.found
}

/// What a [`Scan`] looks for.
enum Looking {
    /// An `.await`, or a macro that awaits.
    Awaits,
    /// A hand-written cancellation arm.
    Arms,
    /// A `break` with a value out of the loop labelled `label` (or, at
    /// `depth` 0, unlabelled).
    BreakValues {
        label: Option<Lifetime>,
        depth: usize,
    },
}

/// One visitor for the three looks (one instantiation of syn's visitor, not
/// three, in the macros' build), within the loop's own async context.
struct Scan {
    looking: Looking,
    found: bool,
}

impl Scan {
    fn new(looking: Looking) -> Self {
        Scan {
            looking,
            found: false,
        }
    }

    /// The look at an `.await`: whether it is what is looked for.
    fn awaited(&self, awaited: &syn::ExprAwait) -> bool {
        match self.looking {
            Looking::Awaits => true,
            Looking::Arms => {
                matches!(&*awaited.base, Expr::MethodCall(call) if call.method == "guard")
                    || select::mentions_cancelled(awaited.base.to_token_stream())
            }
            Looking::BreakValues { .. } => false,
        }
    }

    /// The look at a `break`: whether it leaves the loop with a value.
    fn breaks_out_with_value(&self, brk: &syn::ExprBreak) -> bool {
        let Looking::BreakValues { label, depth } = &self.looking else {
            return false;
        };
        brk.expr.is_some()
            && match (&brk.label, label) {
                (None, _) => *depth == 0,
                (Some(used), Some(label)) => used.ident == label.ident,
                (Some(_), None) => false,
            }
    }

    fn nested_loop(&mut self, entered: bool) {
        if let Looking::BreakValues { depth, .. } = &mut self.looking {
            if entered {
                *depth += 1;
            } else {
                *depth -= 1;
            }
        }
    }
}

impl<'ast> Visit<'ast> for Scan {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found {
            return;
        }
        match expr {
            // Other futures, or evaluated elsewhere.
            Expr::Async(_) | Expr::Closure(_) | Expr::Const(_) => {}
            Expr::Await(awaited) if self.awaited(awaited) => self.found = true,
            Expr::Break(brk) if self.breaks_out_with_value(brk) => self.found = true,
            Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => {
                self.nested_loop(true);
                visit::visit_expr(self, expr);
                self.nested_loop(false);
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _item: &'ast Item) {}

    fn visit_macro(&mut self, mac: &'ast Macro) {
        match self.looking {
            Looking::Awaits => {
                if select::awaits_inside(&mac.path) || tokens_await(mac.tokens.clone()) {
                    self.found = true;
                }
                return;
            }
            Looking::Arms => {
                let is_select =
                    mac.path.segments.last().is_some_and(|last| {
                        last.ident == "select" || last.ident == "select_biased"
                    });
                if is_select {
                    self.found |= match mac.parse_body_with(<Select as syn::parse::Parse>::parse) {
                        Ok(parsed) => parsed.has_cancellation_arm(),
                        // A select the rewrite cannot read: any mention will do.
                        Err(_) => select::mentions_cancelled(mac.tokens.clone()),
                    };
                    return;
                }
            }
            Looking::BreakValues { .. } => {
                if select::is_select(&mac.path) {
                    if let Ok(parsed) = mac.parse_body_with(<Select as syn::parse::Parse>::parse) {
                        for branch in &parsed.branches {
                            match branch {
                                select::Branch::Arm { handler, .. }
                                | select::Branch::Else { handler, .. } => self.visit_expr(handler),
                            }
                        }
                    }
                    return;
                }
            }
        }
        if let Ok(exprs) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        }
    }
}

/// `. await` in tokens, outside `async { .. }` / `async move { .. }` groups.
fn tokens_await(tokens: TokenStream) -> bool {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut skip_next_brace = false;
    let mut previous_dot = false;
    for tree in trees {
        match tree {
            TokenTree::Ident(ident) => {
                if previous_dot && ident == "await" {
                    return true;
                }
                if ident == "async" {
                    skip_next_brace = true;
                } else if ident != "move" {
                    skip_next_brace = false;
                }
                previous_dot = false;
            }
            TokenTree::Punct(punct) => {
                previous_dot = punct.as_char() == '.';
                if punct.as_char() != '|' {
                    skip_next_brace = false;
                }
            }
            TokenTree::Group(group) => {
                let skipped = skip_next_brace && group.delimiter() == proc_macro2::Delimiter::Brace;
                if !skipped && tokens_await(group.stream()) {
                    return true;
                }
                skip_next_brace = false;
                previous_dot = false;
            }
            TokenTree::Literal(_) => {
                skip_next_brace = false;
                previous_dot = false;
            }
        }
    }
    false
}

/// Whether an expression is a loop: `loop`, `while` (and `while let`), `for`.
pub fn is_loop(expr: &Expr) -> bool {
    matches!(expr, Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_))
}

/// The `loop`, `while` or `for` keyword of a loop (where a finding about it
/// points).
pub fn keyword_span(expr: &Expr) -> proc_macro2::Span {
    match expr {
        Expr::Loop(inner) => inner.loop_token.span,
        Expr::While(inner) => inner.while_token.span,
        Expr::ForLoop(inner) => inner.for_token.span,
        other => syn::spanned::Spanned::span(other),
    }
}

/// The message of an awaiting loop without a cancellation arm (rule
/// [`Rule::UncancellableLoop`](crate::Rule::UncancellableLoop)).
pub const NO_ARM: &str = "this loop awaits, but nothing ends it when the scope is \
     cancelled: put `#[cancellable_loop]` on it (each `.await` in it is raced against the \
     scope's cancellation), or add a `select!` arm on `taskscope::cancelled()`, or opt out with \
     `#[uncancellable(reason = \"...\")]`";

/// The rule of [`Rule::UncancellableLoop`](crate::Rule::UncancellableLoop)
/// for one loop that carries neither `#[cancellable_loop]` nor
/// `#[uncancellable]`: a `loop` or `while` that awaits, in its own async
/// context, and races no cancellation by hand. A `for` loop is left alone:
/// it ends with its iterator.
///
/// ```
/// use taskscope_analysis::scan::lacks_cancellation_arm;
///
/// let bare: syn::Expr = syn::parse_quote!(loop { rx.recv().await; });
/// assert!(lacks_cancellation_arm(&bare));
/// let armed: syn::Expr = syn::parse_quote!(loop {
///     tokio::select! {
///         _ = taskscope::cancelled() => break,
///         message = rx.recv() => handle(message),
///     }
/// });
/// assert!(!lacks_cancellation_arm(&armed));
/// ```
pub fn lacks_cancellation_arm(expr: &Expr) -> bool {
    !matches!(expr, Expr::ForLoop(_)) && awaits(expr) && !has_cancellation_arm(expr)
}
