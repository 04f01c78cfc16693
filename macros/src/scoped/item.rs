//! The item `#[scoped]` is put on: an `async fn` with a body — a free fn, an
//! inherent or trait-impl method, or a trait method's default body.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Block, Signature, Token, Visibility, braced};

/// An fn item as any of the positions it can stand in: outer attributes,
/// visibility, `default`, signature, and a body or `;`.
pub(crate) struct ScopedFn {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) defaultness: Option<Token![default]>,
    pub(crate) sig: Signature,
    pub(crate) body: Option<Body>,
    pub(crate) semi: Option<Token![;]>,
}

/// A body: its inner attributes (`#![allow(..)]`) and its block.
pub(crate) struct Body {
    pub(crate) inner_attrs: Vec<Attribute>,
    pub(crate) block: Block,
}

impl Parse for ScopedFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let defaultness: Option<Token![default]> = input.parse()?;
        let item_start = input.span();
        let sig: Signature = input.parse().map_err(|_| not_a_fn(item_start))?;
        if input.peek(Token![;]) {
            let semi: Token![;] = input.parse()?;
            return Ok(ScopedFn {
                attrs,
                vis,
                defaultness,
                sig,
                body: None,
                semi: Some(semi),
            });
        }
        let content;
        let brace_token = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let stmts = content.call(Block::parse_within)?;
        Ok(ScopedFn {
            attrs,
            vis,
            defaultness,
            sig,
            body: Some(Body {
                inner_attrs,
                block: Block { brace_token, stmts },
            }),
            semi: None,
        })
    }
}

/// The error for anything that is not an fn, spanned at its first token.
pub(crate) fn not_a_fn(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "`#[scoped]` goes on an `async fn`: the scope it creates is joined before the fn returns",
    )
}

impl ScopedFn {
    /// Every reason this fn cannot be made `#[scoped]`.
    pub(crate) fn check(&self) -> Result<(), syn::Error> {
        let mut errors = crate::diagnostics::Errors::default();
        let sig = &self.sig;
        if let Some(constness) = &sig.constness {
            errors.push(syn::Error::new(
                constness.span,
                "`#[scoped]` cannot go on a `const fn`: it awaits its children, which a const fn cannot do",
            ));
        }
        if let Some(abi) = &sig.abi {
            errors.push(syn::Error::new_spanned(
                abi,
                "`#[scoped]` cannot go on an `extern` fn: its scope is joined by awaiting, so it needs a Rust `async fn`",
            ));
        }
        if sig.asyncness.is_none() && sig.constness.is_none() && sig.abi.is_none() {
            let message = if self.body.as_ref().is_some_and(Body::blocks_on) {
                "`#[scoped]` goes on an `async fn`, and this one was made synchronous by an \
                 attribute above `#[scoped]` (`#[tokio::main]`, `#[tokio::test]`): write \
                 `#[scoped]` above it"
            } else {
                "`#[scoped]` goes on an `async fn`: its scope is joined by awaiting it before the fn \
                 returns (in a synchronous fn, use a `TaskScope` directly)"
            };
            errors.push(syn::Error::new(sig.fn_token.span, message));
        }
        if let Some(other) = self.attrs.iter().find(|attr| is_scoped_attr(attr)) {
            errors.push(syn::Error::new_spanned(
                other,
                "`#[scoped]` is given twice: one scope per fn is enough",
            ));
        }
        match (&self.body, &self.semi) {
            (Some(_), _) if errors.is_empty() => return Ok(()),
            (None, Some(semi)) => errors.push(syn::Error::new_spanned(
                quote::quote!(#sig #semi),
                "`#[scoped]` needs the fn's body: put it on the fn in the `impl` (or give this trait \
                 method a default body)",
            )),
            _ => {}
        }
        Err(errors
            .into_error()
            .unwrap_or_else(|| not_a_fn(Span::call_site())))
    }
}

impl Body {
    /// Whether the body calls `block_on`: a synchronous fn that runs a
    /// runtime, as `#[tokio::main]` and `#[tokio::test]` write them.
    pub(crate) fn blocks_on(&self) -> bool {
        fn mentions(tokens: proc_macro2::TokenStream) -> bool {
            tokens.into_iter().any(|tree| match tree {
                proc_macro2::TokenTree::Ident(ident) => ident == "block_on",
                proc_macro2::TokenTree::Group(group) => mentions(group.stream()),
                _ => false,
            })
        }
        mentions(quote::ToTokens::to_token_stream(&self.block))
    }
}

/// `#[scoped]`, `#[taskscope::scoped]`, `#[some::path::scoped]`.
pub(crate) fn is_scoped_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "scoped")
}
