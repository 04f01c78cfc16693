//! `#[taskscope::test]`: `#[tokio::test]` with a leak check after the body.
//!
//! - `crate::runtime_args`: the attribute's arguments (shared with
//!   `#[taskscope::main]`).
//! - here: the fn it is put on, what makes one unfit, and the generated test.
//!
//! The expansion is a plain `#[test] fn` that builds its own runtime, runs
//! the user's `async fn` (kept as written, nested inside) on it, and then the
//! leak check, through `taskscope::__private::test`. No `#[tokio::test]` is
//! generated: a test crate need not enable tokio's `macros` feature, and the
//! leak check must run on the test's runtime after the body, which a wrapper
//! around `#[tokio::test]` could not reach.

#[cfg(test)]
mod tests;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{AttrStyle, Attribute, ItemFn, ReturnType, Type};

use crate::runtime_args::{Args, Attr, Flavor};

/// `#[taskscope::test]`'s arguments: tokio's, and `settle_ms`.
const TEST: Attr = Attr {
    name: "#[taskscope::test]",
    millis_key: "settle_ms",
    millis_what: "the settle time",
    millis_near_misses: &["settle", "settle_time"],
    default_flavor: Flavor::CurrentThread,
};

/// The expansion of `#[taskscope::test(args)] item`, as a plain function of
/// token streams (the proc-macro entry point is a shim over it).
///
/// Never panics. Problems become `compile_error!`s spanned at the user's
/// tokens, after an item: the generated test (with the arguments that were
/// right) when the fn itself is fit, else the item as written.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let args = crate::runtime_args::parse(&TEST, args, &mut errors);
    let output = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => match check(&function) {
            Ok(()) => generate(&args, function, &mut errors),
            Err(error) => {
                errors.insert(0, error);
                item
            }
        },
        Err(_) => {
            errors.insert(
                0,
                syn::Error::new(
                    first_span(&item),
                    "`#[taskscope::test]` goes on an `async fn` without arguments, as \
                     `#[tokio::test]` does",
                ),
            );
            item
        }
    };
    with_errors(output, errors)
}

fn first_span(tokens: &TokenStream) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |token| token.span())
}

fn with_errors(mut output: TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    output.extend(errors.into_iter().map(|error| error.into_compile_error()));
    output
}

/// What makes an fn unfit to be a test. All of it is reported at once.
fn check(function: &ItemFn) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "`#[taskscope::test]` runs an `async fn`: add `async` before `fn` (for a \
             synchronous test, use `#[test]`)",
        ));
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            "a test fn takes no arguments: remove them, and build what the test needs in its \
             body",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "a test fn cannot be generic: remove the generic parameters",
        ));
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

/// An attribute that makes an fn a test (`#[test]`, `#[tokio::test]`, a
/// second `#[taskscope::test]`): with this one, the fn would be two tests.
fn is_test_attribute(attribute: &Attribute) -> bool {
    attribute
        .path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "test")
}

fn generate(args: &Args, function: ItemFn, errors: &mut Vec<syn::Error>) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let mut outer_attrs = Vec::new();
    let mut inner_attrs = Vec::new();
    for attribute in attrs {
        if let AttrStyle::Inner(_) = attribute.style {
            inner_attrs.push(attribute);
        } else if is_test_attribute(&attribute) {
            errors.push(syn::Error::new_spanned(
                &attribute,
                "a second test attribute: `#[taskscope::test]` already makes this fn a test \
                 (on a runtime of its own), so remove this one",
            ));
        } else {
            outer_attrs.push(attribute);
        }
    }

    let krate = match &args.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::taskscope),
    };
    let name = sig.ident.clone();
    // A test may return nothing (and then use `#[should_panic]`, which
    // rustc allows only on fns that return `()`), or what a `#[test]` may
    // return; the type is written once, on the user's fn inside.
    let outer_return = match &sig.output {
        ReturnType::Type(_, ty) if !is_unit(ty) => {
            quote_spanned!(ty.span()=> -> impl ::std::process::Termination)
        }
        _ => TokenStream::new(),
    };
    let outcome_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => name.span(),
    };
    let inner = ItemFn {
        attrs: inner_attrs,
        vis: syn::Visibility::Inherited,
        sig,
        block,
    };

    let runtime = Ident::new("runtime", Span::mixed_site());
    let builder = args.runtime_builder(&krate);
    // Built by taskscope: with `--cfg tokio_unstable`, the runtime records
    // where each task was spawned, for the leak report.
    let build_runtime = quote!(#krate::__private::test::build_runtime(#builder));
    let settle = args.millis_or(quote!(#krate::__private::test::DEFAULT_SETTLE_TIME));
    // The call is spanned at the return type (its first and last tokens make
    // its span), so that an output a test cannot have is reported there.
    let run_krate = match &args.krate {
        Some(path) => path.to_token_stream(),
        None => quote_spanned!(outcome_span=> ::taskscope),
    };
    let body = quote_spanned!(name.span()=> #name());
    let run = quote_spanned! {outcome_span=>
        #run_krate::__private::test::run(#runtime, #settle, #body)
    };

    quote! {
        #(#outer_attrs)*
        #[::core::prelude::v1::test]
        #vis fn #name() #outer_return {
            #inner
            let #runtime = #build_runtime;
            #run
        }
    }
}

/// `()`, however parenthesised.
fn is_unit(ty: &Type) -> bool {
    match ty {
        Type::Tuple(tuple) => tuple.elems.is_empty(),
        Type::Paren(inner) => is_unit(&inner.elem),
        _ => false,
    }
}
