//! `#[taskscope::main]`: `#[tokio::main]` whose body runs in the program's
//! root scope, stopped by SIGINT or SIGTERM (see `taskscope::shutdown::run`).
//!
//! The expansion is a plain `fn main() -> ExitCode` that builds the runtime
//! (through taskscope's re-export of tokio, as `#[taskscope::test]` does),
//! keeps the user's `async fn` as written inside it, and hands it to
//! `taskscope::__private::main::run` with the shutdown grace period.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, ReturnType};

use crate::runtime_args::{Attr, Flavor, parse};

/// `#[taskscope::main]`'s arguments: tokio's, and `shutdown_grace_ms`.
const MAIN: Attr = Attr {
    name: "#[taskscope::main]",
    millis_key: "shutdown_grace_ms",
    millis_what: "the shutdown's grace period",
    millis_near_misses: &["shutdown_grace", "grace", "grace_period", "grace_ms"],
    default_flavor: Flavor::MultiThread,
};

/// The expansion of `#[taskscope::main(args)] item`. Never panics: problems
/// become `compile_error!`s at the user's tokens, after the generated fn
/// (with the arguments that were right) or, if the fn is unfit, the item as
/// written.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let args = parse(&MAIN, args, &mut errors);
    let mut output = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => match check(&function) {
            Ok(()) => generate(&args, function),
            Err(error) => {
                errors.insert(0, error);
                item
            }
        },
        Err(_) => {
            let span = item
                .clone()
                .into_iter()
                .next()
                .map_or_else(Span::call_site, |token| token.span());
            errors.insert(
                0,
                syn::Error::new(
                    span,
                    "`#[taskscope::main]` goes on an `async fn main()`, as `#[tokio::main]` does",
                ),
            );
            item
        }
    };
    output.extend(errors.into_iter().map(|error| error.into_compile_error()));
    output
}

/// What makes an fn unfit to be a program's `main`, all at once.
fn check(function: &ItemFn) -> syn::Result<()> {
    let sig = &function.sig;
    let mut errors = Vec::new();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "`#[taskscope::main]` runs an `async fn`: add `async` before `fn`",
        ));
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            "`main` takes no arguments: read them with `std::env::args()`",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "`main` cannot be generic: remove the generic parameters",
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

fn generate(args: &crate::runtime_args::Args, function: ItemFn) -> TokenStream {
    let krate = match &args.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::taskscope),
    };
    let name = function.sig.ident.clone();
    let outcome_span = match &function.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => name.span(),
    };
    let mut inner = function.clone();
    inner
        .attrs
        .retain(|attribute| matches!(attribute.style, syn::AttrStyle::Inner(_)));
    inner.vis = syn::Visibility::Inherited;
    let outer_attrs: Vec<_> = function
        .attrs
        .iter()
        .filter(|attribute| matches!(attribute.style, syn::AttrStyle::Outer))
        .collect();
    let vis = &function.vis;

    let runtime = Ident::new("runtime", Span::mixed_site());
    let builder = args.runtime_builder(&krate);
    let build_runtime = quote!(#builder.build());
    let grace = args.millis_or(quote!(#krate::scope::DEFAULT_GRACE_PERIOD));
    // Spanned at the return type, so that an output `main` cannot have is
    // reported there.
    let run_krate = match &args.krate {
        Some(path) => path.to_token_stream(),
        None => quote_spanned!(outcome_span=> ::taskscope),
    };
    let body = quote_spanned!(name.span()=> #name());
    let run = quote_spanned! {outcome_span=>
        #run_krate::__private::main::run(#runtime, #grace, #body)
    };
    quote! {
        #(#outer_attrs)*
        #vis fn #name() -> ::std::process::ExitCode {
            #inner
            let #runtime = #build_runtime;
            #run
        }
    }
}
