//! The generated fn: the signature as written, a body that builds the scope,
//! runs the user's body in it, and joins it.
//!
//! ```text
//! async fn name(args) -> R {
//!     #![inner attributes of the body]
//!     let __taskscope_scope = ::taskscope::__private::builder("name")/* config */.build();
//!     let scope = ::taskscope::__private::handle(&__taskscope_scope); // `name = scope`
//!     let __taskscope_body = async move {
//!         if false { return ::taskscope::__private::never::<R>(); }
//!         user's statements, rewritten
//!     };
//!     let __taskscope_runner = ::taskscope::__private::result_runner(&__taskscope_body);
//!     __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
//! }
//! ```
//!
//! The body is interpolated once: its block (braces and spans as written)
//! becomes the async block's, with the fake `return` put first. `return`
//! and `?` inside it leave that async block, whose output type the fake
//! `return` fixes to `R` before the user's statements are checked (so `?`
//! converts, and `return` and the tail coerce, as in the original fn).
//! Nothing follows the user's statements, so a body that diverges
//! (`return x;` as its last statement, `loop {}`) makes no glue unreachable,
//! and no extra braces around the tail trip `unused_braces`. `impl Trait` in `R`
//! becomes `_`; `!` becomes `__private::Never` (and goes straight to the
//! value runner). Glue carries mixed-site spans located at the
//! `async` keyword; the user's tokens keep theirs.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::visit_mut::VisitMut;
use syn::{GenericArgument, LitStr, Path, PathArguments, ReturnType, Type};

use super::args::{Args, Limit};
use super::item::{Body, ScopedFn};
use super::paths;
use super::rewrite::Rewriter;
use crate::cancellable_loop::args::LoopArgs;
use crate::cancellable_loop::walk;
use crate::diagnostics::Errors;

pub(crate) fn expand(
    args: Args,
    every_loop: Option<LoopArgs>,
    item: &ScopedFn,
    body: Body,
    errors: &mut Errors,
) -> TokenStream {
    let fn_body = expand_body(args, every_loop, item, body, errors);
    let ScopedFn {
        attrs,
        vis,
        defaultness,
        sig,
        ..
    } = item;
    quote! {
        #(#attrs)*
        #vis #defaultness #sig #fn_body
    }
}

/// The generated body alone (a block), for the fn `item` with the
/// user's `body`.
pub(crate) fn expand_body(
    args: Args,
    every_loop: Option<LoopArgs>,
    item: &ScopedFn,
    body: Body,
    errors: &mut Errors,
) -> TokenStream {
    let sig = &item.sig;
    let glue = match &sig.asyncness {
        Some(asyncness) => Span::mixed_site().located_at(asyncness.span),
        None => Span::mixed_site(),
    };
    let krate = args.krate.clone();
    let runtime = paths::runtime_path(krate.as_ref(), glue);

    let mut rewriter = Rewriter::new(krate.clone());
    let mut block = body.block;
    // Loops first: `#[cancellable_loop]` and `#[uncancellable]` are taken off
    // them, the cancellable ones rewritten, awaiting loops without a
    // cancellation arm reported; then spawns are redirected.
    let loop_krate = krate
        .clone()
        .or_else(|| every_loop.as_ref().and_then(|every| every.krate.clone()));
    walk::rewrite_body(
        &mut block,
        walk::Options {
            krate: loop_krate,
            every_loop,
            enforce: true,
        },
        errors,
    );
    rewriter.visit_block_mut(&mut block);
    errors.absorb(rewriter.errors);
    for (index, prefix) in rewriter.prefixes.iter().enumerate() {
        // `task::spawn(..)` no longer uses `task`: mention it, so that the
        // user's `use tokio::task;` is not reported unused.
        let mention = quote_spanned! {glue=>
            #[allow(unused_imports)]
            use #prefix as _;
        };
        block
            .stmts
            .insert(index, syn::Stmt::Item(syn::Item::Verbatim(mention)));
    }

    let scope = Ident::new("__taskscope_scope", glue);
    let future = Ident::new("__taskscope_body", glue);
    let runner = Ident::new("__taskscope_runner", glue);

    let name = LitStr::new(&sig.ident.unraw().to_string(), sig.ident.span());
    let config = config(&args, &runtime, glue);
    let binding = args.name.as_ref().map(|name| {
        quote_spanned! {glue=>
            let #name = #runtime::__private::handle(&#scope);
        }
    });

    let output = output_type(&sig.output, &runtime, glue);
    let diverges = matches!(&sig.output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)));
    let unit = match &sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => matches!(&**ty, Type::Tuple(tuple) if tuple.elems.is_empty()),
    };
    if !diverges {
        // The fake `return` fixes the async block's output type before the
        // user's statements are checked. (For `-> !` it would itself be
        // unreachable code, and `!` needs no conversion.)
        // Spanned at the return type: "return type inferred to be `R`
        // here" notes point at the signature.
        let (at_first, at_last) = return_type_spans(&sig.output, glue);
        let never = match &sig.output {
            ReturnType::Type(_, ty) => private_fn_at(krate.as_ref(), ty, glue, "never"),
            ReturnType::Default => {
                let mut path = runtime.clone();
                path.segments.push(Ident::new("__private", glue).into());
                path.segments.push(Ident::new("never", glue).into());
                path
            }
        };
        let return_token = quote_spanned!(at_first=> return);
        let call = quote_spanned!(at_last=> ::<#output>());
        // Inserted as tokens: nothing visits the block after this, and
        // parsing them back into a syntax tree cost as much as the rest of
        // the glue.
        let fake_return = quote_spanned! {glue=>
            if false {
                #return_token #never #call;
            }
        };
        block
            .stmts
            .insert(0, syn::Stmt::Expr(syn::Expr::Verbatim(fake_return), None));
    }
    if let Some(timeout) = args.timeout.as_ref().filter(|_| diverges || unit) {
        let returns = match &sig.output {
            ReturnType::Default => "`()`".to_owned(),
            ReturnType::Type(_, ty) => format!("`{}`", ty.to_token_stream()),
        };
        errors.push(syn::Error::new_spanned(
            timeout,
            format!(
                "`#[scoped(timeout = ..)]` needs a fn that returns a `Result`: when the deadline \
                 passes, the fn returns the elapsed `taskscope::ScopeError` as its `Err`, and \
                 {returns} has no `Err` to carry it; return `Result<_, E>` with \
                 `E: From<taskscope::ScopeError>`, or bound the call with \
                 `taskscope::timeout(..)`, which works for any output"
            ),
        ));
    }
    let run = match &sig.output {
        // `()` and `!` are known not to be `Result`s.
        _ if diverges || unit => quote_spanned! {glue=>
            #runtime::__private::ValueRunner.run(#scope, #future).await
        },
        ReturnType::Type(_, ty) if is_spelled_result(ty) => {
            // Spanned at the return type: if its error type cannot hold a
            // `ScopeError`, the (single) error underlines it.
            let path = private_fn_at(krate.as_ref(), ty, glue, "result_runner");
            let (_, at_last) = return_type_spans(&sig.output, glue);
            let argument = Ident::new("__taskscope_body", at_last);
            let arguments = quote_spanned!(at_last=> (&#argument));
            quote_spanned! {glue=>
                let #runner = #path #arguments;
                #runner.run(#scope, #future).await
            }
        }
        // A deadline needs an `Err` to report: the type, whatever it is
        // spelled, must be a `Result` that carries a `ScopeError`.
        ReturnType::Type(_, ty) if args.timeout.is_some() => {
            let path = private_fn_at(krate.as_ref(), ty, glue, "timeout_runner");
            let (_, at_last) = return_type_spans(&sig.output, glue);
            let argument = Ident::new("__taskscope_body", at_last);
            let arguments = quote_spanned!(at_last=> (&#argument));
            quote_spanned! {glue=>
                let #runner = #path #arguments;
                #runner.run(#scope, #future).await
            }
        }
        _ => quote_spanned! {glue=>
            let #runner = {
                #[allow(unused_imports)]
                use #runtime::__private::{ViaResult as _, ViaValue as _};
                (&#runtime::__private::Route::of(&#future)).__taskscope_route()
            };
            #runner.run(#scope, #future).await
        },
    };

    // The body runs in an async block, which clippy's `async_yields_async`
    // lints (an `async fn` it does not): a fn that returns a future (a
    // `JoinHandle`, a `BoxFuture`) would warn. The allow is on the `let` of
    // the body, so it also covers async blocks nested in such a body; it is
    // left out where the return type cannot be a future.
    let spelled_result = matches!(&sig.output, ReturnType::Type(_, ty) if is_spelled_result(ty));
    let allow_awaitable = (!diverges && !unit && !spelled_result)
        .then(|| quote_spanned!(glue=> #[allow(clippy::async_yields_async)]));
    let inner_attrs = body.inner_attrs;
    quote_spanned! {glue=>
        {
            #(#inner_attrs)*
            let #scope = #runtime::__private::builder(#name)#config.build();
            #binding
            #allow_awaitable
            let #future = async move #block;
            #run
        }
    }
}

/// The builder calls for `supervise`, `limit`, `timeout` and `grace_period`.
fn config(args: &Args, runtime: &Path, glue: Span) -> TokenStream {
    let mut config = TokenStream::new();
    if let Some(flag) = &args.supervise {
        let span = Span::mixed_site().located_at(flag.span());
        config.extend(quote_spanned!(span=> .supervise()));
    }
    match &args.limit {
        Some(Limit::Literal(n)) => config.extend(quote_spanned! {glue=>
            .limit(#runtime::__private::limit(#n))
        }),
        Some(Limit::Expr(n)) => config.extend(quote_spanned! {glue=>
            .limit(#runtime::__private::limit(#n))
        }),
        None => {}
    }
    if let Some(timeout) = &args.timeout {
        config.extend(quote_spanned! {glue=>
            .timeout(#runtime::__private::timeout(#timeout))
        });
    }
    if let Some(grace) = &args.grace_period {
        config.extend(quote_spanned! {glue=>
            .grace_period(#runtime::__private::grace_period(#grace))
        });
    }
    config
}

/// The return type as it can be written in a `let` and a turbofish:
/// `impl Trait` becomes `_`, `!` becomes `__private::Never`.
fn output_type(output: &ReturnType, runtime: &Path, glue: Span) -> TokenStream {
    match output {
        ReturnType::Default => quote_spanned!(glue=> ()),
        ReturnType::Type(_, ty) => {
            let mut ty = (**ty).clone();
            erase(&mut ty, runtime);
            ty.into_token_stream()
        }
    }
}

/// Replaces `impl Trait` with `_` and `!` with `__private::Never` wherever a
/// return type can hold them: the type itself, and the types inside it
/// (generic arguments, tuples, references, arrays, pointers). A hand-written
/// walk rather than a syntax-tree visitor: a visitor of types reaches every
/// expression (through const generic arguments), and instantiating it for
/// this one use was a tenth of the macros' generated code.
fn erase(ty: &mut Type, runtime: &Path) {
    match ty {
        Type::ImplTrait(impl_trait) => {
            let span = impl_trait.impl_token.span;
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: syn::Token![_](span),
            });
        }
        Type::Never(never) => {
            let span = Span::mixed_site().located_at(never.bang_token.span);
            *ty = Type::Verbatim(quote_spanned!(span=> #runtime::__private::Never));
        }
        Type::Array(array) => erase(&mut array.elem, runtime),
        Type::Group(group) => erase(&mut group.elem, runtime),
        Type::Paren(paren) => erase(&mut paren.elem, runtime),
        Type::Ptr(pointer) => erase(&mut pointer.elem, runtime),
        Type::Reference(reference) => erase(&mut reference.elem, runtime),
        Type::Slice(slice) => erase(&mut slice.elem, runtime),
        Type::Tuple(tuple) => {
            for elem in &mut tuple.elems {
                erase(elem, runtime);
            }
        }
        Type::Path(path) => {
            if let Some(qself) = &mut path.qself {
                erase(&mut qself.ty, runtime);
            }
            for segment in &mut path.path.segments {
                let PathArguments::AngleBracketed(arguments) = &mut segment.arguments else {
                    continue;
                };
                for argument in &mut arguments.args {
                    match argument {
                        GenericArgument::Type(ty) => erase(ty, runtime),
                        GenericArgument::AssocType(assoc) => erase(&mut assoc.ty, runtime),
                        _ => {}
                    }
                }
            }
        }
        // Fn pointers, trait objects, macros: as written (`impl Trait`
        // cannot stand in them, and a `!` there is a fn's own).
        _ => {}
    }
}

/// Whether the return type is written as a `Result` (`Result<T, E>`,
/// `io::Result<T>`, `anyhow::Result<T>`, ...): its last path segment is
/// `Result`.
fn is_spelled_result(ty: &Type) -> bool {
    match ty {
        Type::Paren(inner) => is_spelled_result(&inner.elem),
        Type::Group(inner) => is_spelled_result(&inner.elem),
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Result"),
        _ => false,
    }
}

/// `<runtime>::__private::<name>`, spanned from the first to the last token
/// of `ty` (with mixed-site hygiene), so that an error about the call
/// underlines the type.
fn private_fn_at(krate: Option<&Path>, ty: &Type, glue: Span, name: &str) -> Path {
    let (first, last) = first_and_last_span(ty, glue);
    let mut path = paths::runtime_path(krate, Span::mixed_site().located_at(first));
    let last = Span::mixed_site().located_at(last);
    path.segments.push(Ident::new("__private", last).into());
    path.segments.push(Ident::new(name, last).into());
    path
}

/// Mixed-site spans located at the first and last tokens of the return
/// type (at the glue span when there is none).
fn return_type_spans(output: &ReturnType, glue: Span) -> (Span, Span) {
    match output {
        ReturnType::Default => (glue, glue),
        ReturnType::Type(_, ty) => {
            let (first, last) = first_and_last_span(ty, glue);
            (
                Span::mixed_site().located_at(first),
                Span::mixed_site().located_at(last),
            )
        }
    }
}

/// The spans of the first and last tokens of `tokens`.
fn first_and_last_span(tokens: &dyn ToTokens, fallback: Span) -> (Span, Span) {
    let mut spans = tokens
        .to_token_stream()
        .into_iter()
        .map(|tree: TokenTree| tree.span());
    let first = spans.next().unwrap_or(fallback);
    let last = spans.last().unwrap_or(first);
    (first, last)
}
