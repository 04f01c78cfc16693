//! `#[cancellable_loop]`: every `.await` of a loop is raced against the
//! scope's cancellation, and a cancellation leaves the loop.
//!
//! - [`args`]: the attribute's arguments.
//! - [`walk`]: the rewrite of a body's loops, and the rule (under
//!   `#[scoped]`) that an awaiting loop has a cancellation arm.
//! - `select` and `scan` (from `taskscope-analysis`, shared with the
//!   audit): `select!` as the rewrite reads and prints it, and read-only
//!   looks at a loop (does it await, does it race a cancellation by hand).
//!
//! On a loop, the attribute is consumed by `#[scoped]` (attributes on
//! statements are not stable for proc macros); on an `async fn` it is its
//! own attribute macro, [`expand`]. Above `#[scoped]` it moves itself below
//! it, so that `#[scoped]` does the whole rewrite in one pass, whatever the
//! order the two were written in.

pub(crate) mod args;
pub(crate) mod walk;
// What an awaiting loop is, what counts as a cancellation arm, and how a
// `select!` is read: the analysis shared with the audit.
use taskscope_analysis::{scan, select};

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::Attribute;

use crate::diagnostics::Errors;
use crate::scoped::item::{Body, ScopedFn, is_scoped_attr};
use args::{LoopArgs, Position};
use walk::Options;

const NOT_AN_ASYNC_FN: &str = "`#[cancellable_loop]` goes on an `async fn` (every loop in its \
     body becomes cancellable), or on a loop in a `#[scoped]` fn";

/// The expansion of `#[cancellable_loop(args)] item` on an fn, as a plain
/// function of token streams. Never panics; problems become
/// `compile_error!`s beside the item (rewritten where it could be, else as
/// written).
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut function = match syn::parse2::<ScopedFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            errors.push(syn::Error::new(first_span(&item), NOT_AN_ASYNC_FN));
            return unchanged(item, errors);
        }
    };
    if let Some(index) = function.attrs.iter().position(is_scoped_attr) {
        // `#[scoped]` below: it does the rewrite (and reports the
        // arguments' problems), so this attribute goes right below it.
        let path = quote::format_ident!("cancellable_loop");
        let marker = if args.is_empty() {
            quote!(#[#path])
        } else {
            quote!(#[#path(#args)])
        };
        let before = function.attrs.iter().take(index + 1);
        let after = function.attrs.iter().skip(index + 1);
        let rest = emit(&ScopedFn {
            attrs: Vec::new(),
            ..function
        });
        return quote!(#(#before)* #marker #(#after)* #rest);
    }
    let args = LoopArgs::parse(args, Position::Fn, &mut errors);
    if function.sig.asyncness.is_none() {
        let message = if function.body.as_ref().is_some_and(Body::blocks_on) {
            format!(
                "{NOT_AN_ASYNC_FN}; this one was made synchronous by an attribute above \
                 `#[cancellable_loop]` (`#[tokio::main]`, `#[tokio::test]`): write \
                 `#[cancellable_loop]` above it"
            )
        } else {
            format!("{NOT_AN_ASYNC_FN}; this fn is not `async`")
        };
        errors.push(syn::Error::new(function.sig.fn_token.span, message));
        return unchanged(item, errors);
    }
    let Some(body) = function.body.as_mut() else {
        errors.push(syn::Error::new(
            function.sig.fn_token.span,
            "`#[cancellable_loop]` needs the fn's body: put it on the fn in the `impl`",
        ));
        return unchanged(item, errors);
    };
    walk::rewrite_body(
        &mut body.block,
        Options {
            krate: args.krate.clone(),
            every_loop: Some(args),
            enforce: false,
        },
        &mut errors,
    );
    let mut output = emit(&function);
    output.extend(errors.into_compile_errors());
    output
}

/// Takes `#[cancellable_loop(..)]` off a `#[scoped]` fn: its arguments, if
/// it was there.
pub(crate) fn take_fn_attr(attrs: &mut Vec<Attribute>, errors: &mut Errors) -> Option<LoopArgs> {
    let is_ours = |attr: &Attribute| {
        attr.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "cancellable_loop")
    };
    if !attrs.iter().any(is_ours) {
        return None;
    }
    let mut found: Option<LoopArgs> = None;
    let mut kept = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        if !is_ours(&attr) {
            kept.push(attr);
            continue;
        }
        if found.is_some() {
            errors.push(syn::Error::new_spanned(
                &attr,
                "`#[cancellable_loop]` is given twice on this fn: keep one",
            ));
            continue;
        }
        found = Some(LoopArgs::from_attr(&attr, Position::Fn, errors));
    }
    *attrs = kept;
    found
}

/// The fn as tokens: attributes, signature and body (inner attributes
/// first, braces as written).
fn emit(function: &ScopedFn) -> TokenStream {
    let ScopedFn {
        attrs,
        vis,
        defaultness,
        sig,
        body,
        semi,
    } = function;
    let mut tokens = quote!(#(#attrs)* #vis #defaultness #sig);
    match body {
        Some(body) => body.block.brace_token.surround(&mut tokens, |inner| {
            for attr in &body.inner_attrs {
                attr.to_tokens(inner);
            }
            for stmt in &body.block.stmts {
                stmt.to_tokens(inner);
            }
        }),
        None => semi.to_tokens(&mut tokens),
    }
    tokens
}

fn unchanged(mut item: TokenStream, errors: Errors) -> TokenStream {
    item.extend(errors.into_compile_errors());
    item
}

fn first_span(tokens: &TokenStream) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |tree| tree.span())
}
