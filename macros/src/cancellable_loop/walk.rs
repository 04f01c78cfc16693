//! The rewrite of a body's loops, and (under `#[scoped]`) the rule that an
//! awaiting loop has a cancellation arm.
//!
//! A cancellable loop becomes
//!
//! ```text
//! {
//!     let __taskscope_cancel = ::taskscope::Cancellation::current(); // or ::from(token)
//!     let __taskscope_on_cancel = ::taskscope::OnCancel::on_cancel;  // the return rule only
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

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote_spanned, ToTokens};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Block, Expr, Item, Label, Lifetime, Macro, Path, Stmt, Token};

use super::args::{LoopArgs, Position};
use super::scan;
use super::select::{self, Branch, Select};
use crate::diagnostics::Errors;
use crate::reason::Hatch;
use crate::scoped::detached::expr_attrs_mut;
use crate::scoped::paths::runtime_path;

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

const OPT_OUT: Hatch = Hatch {
    name: "uncancellable",
    form: "#[uncancellable(reason = \"why this loop may outlive a cancellation\")]",
    empty: "say why this loop may keep waiting after a cancellation",
};

/// The message of an awaiting loop without a cancellation arm.
pub(crate) const NO_ARM: &str = "this loop awaits, but nothing ends it when the scope is \
     cancelled: put `#[cancellable_loop]` on it (each `.await` in it is raced against the \
     scope's cancellation), or add a `select!` arm on `taskscope::cancelled()`, or opt out with \
     `#[uncancellable(reason = \"...\")]`";

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
        let statement = quote_spanned!(at=> let #name = #runtime::Cancellation::#from(#token););
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

/// `#[cancellable_loop]` and `#[uncancellable]` found on one loop.
#[derive(Default)]
struct Marks {
    cancellable: Option<(Attribute, LoopArgs)>,
    opt_out: Option<Attribute>,
}

fn last_segment_is(attr: &Attribute, name: &str) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == name)
}

fn is_mark(attr: &Attribute) -> bool {
    last_segment_is(attr, "cancellable_loop") || last_segment_is(attr, "uncancellable")
}

fn is_detached(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| attr.path().is_ident("detached"))
}

pub(crate) fn is_loop(expr: &Expr) -> bool {
    matches!(expr, Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_))
}

fn loop_attrs_mut(expr: &mut Expr) -> Option<&mut Vec<Attribute>> {
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

/// The `loop`, `while` or `for` keyword.
fn keyword_span(expr: &Expr) -> Span {
    match expr {
        Expr::Loop(inner) => inner.loop_token.span,
        Expr::While(inner) => inner.while_token.span,
        Expr::ForLoop(inner) => inner.for_token.span,
        other => other.span(),
    }
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

    /// Removes `#[cancellable_loop]` and `#[uncancellable]` from `attrs`,
    /// checking them.
    fn take_marks(&mut self, attrs: &mut Vec<Attribute>) -> Marks {
        let mut marks = Marks::default();
        if !attrs.iter().any(is_mark) {
            return marks;
        }
        self.changes += 1;
        let mut kept = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            if last_segment_is(&attr, "cancellable_loop") {
                if marks.cancellable.is_some() {
                    self.errors.push(syn::Error::new_spanned(
                        &attr,
                        "`#[cancellable_loop]` is given twice on this loop: keep one",
                    ));
                    continue;
                }
                let args = LoopArgs::from_attr(&attr, Position::Loop, &mut self.errors);
                marks.cancellable = Some((attr, args));
            } else if last_segment_is(&attr, "uncancellable") {
                if marks.opt_out.is_some() {
                    self.errors.push(syn::Error::new_spanned(
                        &attr,
                        "`#[uncancellable]` is given twice on this loop: keep one",
                    ));
                    continue;
                }
                self.errors.take(crate::reason::check(&attr, &OPT_OUT));
                marks.opt_out = Some(attr);
            } else {
                kept.push(attr);
            }
        }
        *attrs = kept;
        marks
    }

    /// Reports (and removes) marks on something that is not a loop.
    fn reject_marks(&mut self, attrs: &mut Vec<Attribute>) {
        if !attrs.iter().any(is_mark) {
            return;
        }
        self.changes += 1;
        let mut kept = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            if last_segment_is(&attr, "cancellable_loop") {
                self.errors.push(syn::Error::new_spanned(
                    &attr,
                    "`#[cancellable_loop]` goes on a loop (`loop`, `while`, `while let`, `for`) \
                     of a `#[scoped]` fn, or on an `async fn`: there is no loop here",
                ));
            } else if last_segment_is(&attr, "uncancellable") {
                self.errors.push(syn::Error::new_spanned(
                    &attr,
                    "`#[uncancellable]` goes on a loop (`loop`, `while`, `while let`): there is \
                     no loop here",
                ));
            } else {
                kept.push(attr);
            }
        }
        *attrs = kept;
    }

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
    fn visit_loop(&mut self, expr: &mut Expr, value_used: bool) {
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
        let unarmed = plain
            && self.options.enforce
            && !matches!(expr, Expr::ForLoop(_))
            && scan::awaits(expr)
            && !scan::has_cancellation_arm(expr);
        if unarmed {
            self.errors
                .push(syn::Error::new(keyword_span(expr), NO_ARM));
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
                quote_spanned!(at=> #runtime::Cancellation::#from(#token))
            }
            None if fn_token => {
                self.fn_token_uses += 1;
                let name = Ident::new(FN_TOKEN, Span::mixed_site());
                quote_spanned!(glue=> &#name)
            }
            None => quote_spanned!(glue=> #runtime::Cancellation::current()),
        };
        let on_cancel_fn = returns.then(|| {
            // Spanned at `return` if it was asked for, else at the loop: a
            // return type without a cancellation value is reported there,
            // once.
            let at = ret
                .as_ref()
                .map_or(glue, |ret| Span::mixed_site().located_at(ret.span()));
            let runtime = self.runtime(at);
            let name = Ident::new("on_cancel", at);
            quote_spanned!(at=> let #on_cancel = #runtime::OnCancel::#name;)
        });
        let inner = std::mem::replace(expr, Expr::Verbatim(TokenStream::new()));
        let wrapped = quote_spanned! {glue=>
            {
                let #cancel = #fetch;
                #on_cancel_fn
                #inner
            }
        };
        match reparse(wrapped, &mut self.errors) {
            Some(new) => *expr = new,
            None => *expr = inner,
        }
    }

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
    fn visit_await(&mut self, expr: &mut Expr) {
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
        let base = &awaited.base;
        let dot = &awaited.dot_token;
        let await_token = &awaited.await_token;
        let value = Ident::new("__taskscope_value", span);
        let raced = quote_spanned! {span=>
            #(#attrs)*
            match #cancel.guard(#base) #dot #await_token {
                ::core::result::Result::Ok(#value) => #value,
                ::core::result::Result::Err(_) => #exit,
            }
        };
        if let Some(new) = reparse(raced, &mut self.errors) {
            *expr = new;
        }
    }

    /// A macro invocation: `select!` and `join!` in a nest are raced; the
    /// bodies of others are visited when they parse as expressions. Returns
    /// an expression to put in the invocation's place, if it is replaced.
    fn visit_macro_call(&mut self, mac: &mut Macro) -> Option<Expr> {
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
                    let wrapped = quote_spanned!(span=> ::core::result::Result::Ok(#pat));
                    match syn::parse::Parser::parse2(syn::Pat::parse_single, wrapped) {
                        Ok(new) => *pat = new,
                        Err(error) => self.errors.push(error),
                    }
                    let guarded = quote_spanned!(span=> #cancel.guard(#future));
                    if let Some(new) = reparse(guarded, &mut self.errors) {
                        *future = new;
                    }
                }
                Branch::Else { handler, .. } => {
                    has_else = true;
                    let checked = quote_spanned! {span=>
                        if #cancel.is_cancelled() {
                            #exit
                        } else {
                            #handler
                        }
                    };
                    if let Some(new) = reparse(checked, &mut self.errors) {
                        *handler = new;
                    }
                }
            }
        }
        if !has_else {
            let checked = quote_spanned! {span=>
                if #cancel.is_cancelled() {
                    #exit
                } else {
                    ::core::panic!("all branches are disabled and there is no else branch")
                }
            };
            if let Some(handler) = reparse(checked, &mut self.errors) {
                parsed.branches.push(Branch::Else {
                    else_token: Token![else](span),
                    arrow: Token![=>](span),
                    handler,
                    comma: Some(Token![,](span)),
                });
            }
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
