//! Which paths in a `#[scoped]` body are spawns that go to the fn's scope,
//! and which are detached forms that are rejected: the classification is
//! the analysis shared with the audit (`taskscope_analysis::spawn`); what
//! stays here is what the expansion writes in their place.

use proc_macro2::{Ident, Span};
use syn::punctuated::Punctuated;
use syn::{GenericArgument, Path, PathArguments, PathSegment, Token, Type, TypeInfer};

pub(crate) use taskscope_analysis::spawn::{
    Class, Forbidden, Redirect, classify_method, classify_path,
};

/// The function of `__private` that takes a redirected call.
fn target(redirect: Redirect) -> &'static str {
    match redirect {
        Redirect::Spawn => "spawn",
        Redirect::SpawnBlocking => "spawn_blocking",
        Redirect::SpawnLocal => "spawn_local",
    }
}

/// The path a redirected spawn calls: `<krate>::__private::<target>`, with
/// the generic arguments the user wrote. `first` and `last` are the spans of
/// the first and last tokens of the user's path, so that an error about the
/// call underlines what the user wrote.
///
/// Each `__private` function has tokio's generic parameters and one more,
/// last: the success type of the child's handle (a parameter, so that a
/// literal infers through it). A turbofish the user wrote for tokio's
/// (`tokio::spawn::<_>`) gets an `_` for it.
pub(crate) fn redirected_path(
    krate: Option<&Path>,
    target: Redirect,
    first: Span,
    last: Span,
    arguments: PathArguments,
) -> Path {
    let arguments = match arguments {
        PathArguments::AngleBracketed(mut generics) => {
            generics
                .args
                .push(GenericArgument::Type(Type::Infer(TypeInfer {
                    underscore_token: Token![_](last),
                })));
            PathArguments::AngleBracketed(generics)
        }
        other => other,
    };
    let mut path = runtime_path(krate, first);
    path.segments
        .push(PathSegment::from(Ident::new("__private", last)));
    path.segments.push(PathSegment {
        ident: Ident::new(self::target(target), last),
        arguments,
    });
    path
}

/// The runtime crate: the `crate = ..` argument, or `::taskscope` spanned
/// at `span`.
pub(crate) fn runtime_path(krate: Option<&Path>, span: Span) -> Path {
    match krate {
        Some(path) => path.clone(),
        None => {
            let mut segments = Punctuated::new();
            segments.push(PathSegment::from(Ident::new("taskscope", span)));
            Path {
                leading_colon: Some(Token![::](span)),
                segments,
            }
        }
    }
}
