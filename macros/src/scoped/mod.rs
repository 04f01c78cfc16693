//! `#[scoped]`: every spawn in an `async fn` joins before the fn returns.
//!
//! - [`args`]: the attribute's arguments.
//! - [`item`]: the fn it is put on, and what makes one unfit.
//! - [`expand`]: the generated fn around the body.
//! - [`boxed`]: the same inside the `Box::pin(async move { .. })` of a fn
//!   that `#[async_trait]` rewrote.
//! - [`rewrite`], [`macro_body`], [`paths`], [`detached`]: the body's
//!   spawns redirected into the fn's scope, detached forms rejected, and the
//!   escape hatch.

pub(crate) mod args;
mod boxed;
pub(crate) mod detached;
mod expand;
pub(crate) mod item;
mod macro_body;
pub(crate) mod paths;
mod rewrite;

use proc_macro2::TokenStream;

use crate::diagnostics::Errors;

/// The expansion of `#[scoped(args)] item`, as a plain function of token
/// streams (the proc-macro entry point is a shim over it).
///
/// Never panics. Whatever goes wrong, an item is emitted (rewritten with the
/// arguments that parsed, or as written when the item itself is unfit or
/// does not parse) followed by one `compile_error!` per problem.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = args::Args::parse(args, &mut errors);
    let mut parsed = match syn::parse2::<item::ScopedFn>(item.clone()) {
        Ok(parsed) => parsed,
        Err(error) => {
            errors.push(error);
            return unchanged(item, errors);
        }
    };
    // `#[cancellable_loop]` on the fn (in either order with `#[scoped]`: one
    // written above moves itself below): every loop of the body.
    let every_loop = crate::cancellable_loop::take_fn_attr(&mut parsed.attrs, &mut errors);
    // What `#[async_trait]` made of an `async fn`: scoped inside its box.
    if let Some(mut boxed) = boxed::BoxedAsync::detect(&parsed) {
        let body = match boxed.unboxed.check() {
            Ok(()) => boxed.unboxed.body.take(),
            Err(error) => {
                errors.push(error);
                None
            }
        };
        let Some(body) = body else {
            return unchanged(item, errors);
        };
        let body = expand::expand_body(args, every_loop, &boxed.unboxed, body, &mut errors);
        let mut output = boxed.rebox(&parsed, &body);
        output.extend(errors.into_compile_errors());
        return output;
    }
    // The body is taken, not cloned: it is rewritten in place.
    let body = match parsed.check() {
        Ok(()) => parsed.body.take(),
        Err(error) => {
            errors.push(error);
            None
        }
    };
    let Some(body) = body else {
        return unchanged(item, errors);
    };
    let mut output = expand::expand(args, every_loop, &parsed, body, &mut errors);
    output.extend(errors.into_compile_errors());
    output
}

fn unchanged(mut item: TokenStream, errors: Errors) -> TokenStream {
    item.extend(errors.into_compile_errors());
    item
}
