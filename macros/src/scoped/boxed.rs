//! The form `#[async_trait]` gives an `async fn` before `#[scoped]` sees it:
//! a fn returning `Pin<Box<dyn Future<Output = R> + ..>>` whose body ends in
//! `Box::pin(async move { .. })`. (An attribute on an `impl` expands before
//! the attributes of its methods, so inside an `#[async_trait]` impl this is
//! what `#[scoped]` receives.) Such a fn is made scoped by treating the
//! async block as the body of an `async fn .. -> R`, and putting the
//! expansion back inside `Box::pin(async move { .. })`: the shape stays what
//! async-trait wrote, so `#[tracing::instrument]` (which looks for the same
//! shape) still recognises it, above or below `#[scoped]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{
    Attribute, Block, Expr, ExprAsync, ExprCall, GenericArgument, PathArguments, ReturnType, Stmt,
    Token, Type, TypeParamBound,
};

use super::item::{Body, ScopedFn};

/// A boxed-future fn, seen as the `async fn` it was written as.
pub(crate) struct BoxedAsync {
    /// `async`, `-> R`, and the async block's statements as the body.
    pub(crate) unboxed: ScopedFn,
    /// The statements before `Box::pin(..)`, kept as they are.
    before: Vec<Stmt>,
    /// `Box::pin`, as written.
    pin: Expr,
    /// The async block's own attributes.
    async_attrs: Vec<Attribute>,
    capture: Option<Token![move]>,
}

impl BoxedAsync {
    /// The boxed-future form of `item`, if it has one: not `async`, returns
    /// `Pin<Box<dyn Future<Output = R> ..>>`, and its body's last statement
    /// is `Box::pin(async { .. })` (with or without `move`).
    pub(crate) fn detect(item: &ScopedFn) -> Option<Self> {
        if item.sig.asyncness.is_some() {
            return None;
        }
        let ReturnType::Type(arrow, ty) = &item.sig.output else {
            return None;
        };
        let output = boxed_future_output(ty)?;
        let body = item.body.as_ref()?;
        let (last, before) = body.block.stmts.split_last()?;
        let Stmt::Expr(Expr::Call(ExprCall { func, args, .. }), None) = last else {
            return None;
        };
        if !is_box_pin(func) || args.len() != 1 {
            return None;
        }
        let Some(Expr::Async(ExprAsync {
            attrs,
            async_token,
            capture,
            block,
        })) = args.first()
        else {
            return None;
        };
        let mut sig = item.sig.clone();
        sig.asyncness = Some(*async_token);
        sig.output = ReturnType::Type(*arrow, Box::new(output.clone()));
        Some(BoxedAsync {
            unboxed: ScopedFn {
                attrs: item.attrs.clone(),
                vis: item.vis.clone(),
                defaultness: item.defaultness,
                sig,
                body: Some(Body {
                    inner_attrs: Vec::new(),
                    block: Block {
                        brace_token: block.brace_token,
                        stmts: block.stmts.clone(),
                    },
                }),
                semi: None,
            },
            before: before.to_vec(),
            pin: (**func).clone(),
            async_attrs: attrs.clone(),
            capture: *capture,
        })
    }

    /// The fn `original` again, with `body` (the expansion of the unboxed
    /// fn's body, a block) inside its `Box::pin(async move ..)`.
    pub(crate) fn rebox(&self, original: &ScopedFn, body: &TokenStream) -> TokenStream {
        let ScopedFn {
            attrs,
            vis,
            defaultness,
            sig,
            ..
        } = original;
        let before = &self.before;
        let pin = &self.pin;
        let async_attrs = &self.async_attrs;
        let capture = &self.capture;
        let async_token = self.unboxed.sig.asyncness;
        quote! {
            #(#attrs)*
            #vis #defaultness #sig {
                #(#before)*
                #pin(#(#async_attrs)* #async_token #capture #body)
            }
        }
    }
}

/// `R` of `Pin<Box<dyn Future<Output = R> + ..>>` (any path to `Pin`,
/// `Box` and `Future`, as async-trait writes them absolute).
fn boxed_future_output(ty: &Type) -> Option<&Type> {
    let pinned = only_type_argument(ty, "Pin")?;
    let boxed = only_type_argument(pinned, "Box")?;
    let Type::TraitObject(object) = boxed else {
        return None;
    };
    object.bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        let segment = bound.path.segments.last()?;
        if segment.ident != "Future" {
            return None;
        }
        let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
            return None;
        };
        arguments.args.iter().find_map(|argument| match argument {
            GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(&assoc.ty),
            _ => None,
        })
    })
}

/// The one type argument of a path type whose last segment is `name`.
fn only_type_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last()?;
    if segment.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    let mut types = arguments.args.iter().filter_map(|argument| match argument {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    let only = types.next()?;
    types.next().is_none().then_some(only)
}

/// `Box::pin`, `::std::boxed::Box::pin`, ...
fn is_box_pin(func: &Expr) -> bool {
    let Expr::Path(path) = func else {
        return false;
    };
    let mut segments = path.path.segments.iter().rev();
    matches!(
        (segments.next(), segments.next()),
        (Some(pin), Some(boxed)) if pin.ident == "pin" && boxed.ident == "Box"
    )
}
