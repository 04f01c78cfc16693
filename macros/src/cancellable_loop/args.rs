//! The arguments of `#[cancellable_loop(...)]`: `return` (leave the fn with
//! its cancellation value instead of breaking out of the loop), `token =
//! expr` (whose cancellation to race instead of the current scope's), and,
//! on an fn only, `crate = path`.
//!
//! As with `#[scoped]`, every bad argument is reported (spanned at the
//! argument) and the good ones are kept.

use proc_macro2::{Ident, TokenStream};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Attribute, Expr, Meta, Path, Token};

use crate::arguments::{
    edit_distance, equals, parse_arguments, parse_crate_path, rest_of_argument, set_once,
};
use crate::diagnostics::Errors;

/// Where the attribute stands: on an `async fn` (every loop of its body), or
/// on one loop of a `#[scoped]` body.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    Fn,
    Loop,
}

/// The arguments that parsed; a bad one is absent, as if it had not been
/// given.
#[derive(Clone, Default)]
pub(crate) struct LoopArgs {
    /// `return`: on cancellation, return the fn's cancellation value
    /// (`OnCancel`) rather than `break` out of the loop. The keyword, for
    /// spans.
    pub(crate) ret: Option<Ident>,
    /// `token = expr`: race this (anything `Into<Cancellation>`: a
    /// `&TaskScope`, a `&ScopeHandle`, a `Cancellation`) instead of the
    /// current scope.
    pub(crate) token: Option<Expr>,
    /// `crate = path` (on an fn): where taskscope is.
    pub(crate) krate: Option<Path>,
}

const LOOP_KEYS: &str = "`return`, `token`";
const FN_KEYS: &str = "`return`, `token`, `crate`";

impl LoopArgs {
    /// The arguments of a `#[cancellable_loop]` attribute found in a body or
    /// on an fn: `#[cancellable_loop]` or `#[cancellable_loop(...)]`.
    pub(crate) fn from_attr(attr: &Attribute, position: Position, errors: &mut Errors) -> LoopArgs {
        match &attr.meta {
            Meta::Path(_) => LoopArgs::default(),
            Meta::List(list) => LoopArgs::parse(list.tokens.clone(), position, errors),
            Meta::NameValue(_) => {
                errors.push(syn::Error::new_spanned(
                    attr,
                    "write the arguments in parentheses: `#[cancellable_loop(return)]`, \
                     `#[cancellable_loop(token = &scope)]`",
                ));
                LoopArgs::default()
            }
        }
    }

    /// Parses the arguments, reporting every problem to `errors`.
    pub(crate) fn parse(tokens: TokenStream, position: Position, errors: &mut Errors) -> LoopArgs {
        let mut args = LoopArgs::default();
        parse_arguments(tokens, "#[cancellable_loop]", errors, |input| {
            args.parse_one(input, position)
        });
        args
    }

    fn parse_one(&mut self, input: ParseStream<'_>, position: Position) -> syn::Result<()> {
        let keys = match position {
            Position::Fn => FN_KEYS,
            Position::Loop => LOOP_KEYS,
        };
        let key = Ident::parse_any(input).map_err(|_| {
            input.error(format!(
                "expected a `#[cancellable_loop]` argument, one of {keys}"
            ))
        })?;
        match key.to_string().as_str() {
            "return" => {
                if !input.is_empty() && !input.peek(Token![,]) {
                    let rest = rest_of_argument(input);
                    return Err(syn::Error::new_spanned(
                        rest,
                        "`return` takes no value: the fn returns its own cancellation value \
                         (`()`, `None`, `Err(Cancelled.into())`); write `#[cancellable_loop(return)]`",
                    ));
                }
                set_once(&mut self.ret, key.clone(), &key)
            }
            "token" => {
                equals(input, &key, "`token = &scope`")?;
                let token: Expr = input.parse()?;
                set_once(&mut self.token, token, &key)
            }
            "crate" if position == Position::Fn => {
                equals(input, &key, "`crate = ::taskscope`")?;
                let path = parse_crate_path(input)?;
                set_once(&mut self.krate, path, &key)
            }
            "crate" => Err(syn::Error::new(
                key.span(),
                "`crate` goes on the fn's attribute (`#[scoped(crate = ..)]`): a loop uses the fn's",
            )),
            unknown => {
                let names: &[&str] = match position {
                    Position::Fn => &["return", "token", "crate"],
                    Position::Loop => &["return", "token"],
                };
                let hint = names
                    .iter()
                    .find(|valid| edit_distance(unknown, valid) <= 2)
                    .map(|valid| format!(" (did you mean `{valid}`?)"))
                    .unwrap_or_default();
                Err(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown `#[cancellable_loop]` argument `{key}`{hint}: expected one of {keys}"
                    ),
                ))
            }
        }
    }
}
