//! The arguments of `#[scoped(...)]`: `name = ident`, `crate = path` (or a
//! string holding one), `supervise`, `limit = n`, `timeout = <Duration>`,
//! `grace_period = <Duration>`.
//!
//! Parsing never stops at the first mistake: every bad argument is reported
//! (spanned at the argument, listing the valid keys where the key is
//! unknown), the good ones are kept, and the caller expands with them.

use proc_macro2::{Ident, TokenStream};
use syn::Ident as IdentToken;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Expr, Lit, LitInt, LitStr, Path, Token, UnOp};

use crate::arguments::{did_you_mean, equals, parse_arguments, parse_crate_path, set_once};
use crate::diagnostics::Errors;

/// The valid keys, as error messages list them.
const KEYS: &str = "`name`, `crate`, `supervise`, `limit`, `timeout`, `grace_period`";
const KEY_NAMES: [&str; 6] = [
    "name",
    "crate",
    "supervise",
    "limit",
    "timeout",
    "grace_period",
];

/// The arguments that parsed; a bad one is absent, as if it had not been
/// given.
#[derive(Default)]
pub(crate) struct Args {
    /// `name = scope`: the body gets the scope as a `ScopeHandle` bound to
    /// this identifier.
    pub(crate) name: Option<Ident>,
    /// `crate = path`: where the runtime crate is (default `::taskscope`).
    pub(crate) krate: Option<Path>,
    /// `supervise`: failures are collected, siblings keep running.
    pub(crate) supervise: Option<Ident>,
    /// `limit = n`: at most `n` children run at once.
    pub(crate) limit: Option<Limit>,
    /// `timeout = expr`: a `Duration` after which the scope is cancelled.
    pub(crate) timeout: Option<Expr>,
    /// `grace_period = expr`: how long cancelled children may take to
    /// finish before they are aborted.
    pub(crate) grace_period: Option<Expr>,
}

/// The value of `limit`.
// One per expansion: its size does not matter. (proc-macro2's
// `span-locations`, on for the audit, makes a parsed `Expr` larger.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum Limit {
    /// A literal, checked here: a positive `usize` (re-emitted unsuffixed,
    /// with the literal's span).
    Literal(LitInt),
    /// Any other expression of type `usize`, checked when the fn runs.
    Expr(Expr),
}

impl Args {
    /// Parses the attribute's arguments, reporting every problem to
    /// `errors`.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
        let mut args = Args::default();
        parse_arguments(tokens, "#[scoped]", errors, |input| args.parse_one(input));
        args
    }

    fn parse_one(&mut self, input: ParseStream<'_>) -> syn::Result<()> {
        let key = Ident::parse_any(input)
            .map_err(|_| input.error(format!("expected a `#[scoped]` argument, one of {KEYS}")))?;
        match key.to_string().as_str() {
            "name" => {
                equals(input, &key, "`name = scope`")?;
                let name = parse_name(input)?;
                set_once(&mut self.name, name, &key)
            }
            "crate" => {
                equals(input, &key, "`crate = ::taskscope`")?;
                let path = parse_crate_path(input)?;
                set_once(&mut self.krate, path, &key)
            }
            "supervise" => {
                if input.peek(Token![=]) {
                    let eq: Token![=] = input.parse()?;
                    let value: Expr = input.parse()?;
                    return Err(syn::Error::new_spanned(
                        quote::quote!(#eq #value),
                        "`supervise` takes no value: write `#[scoped(supervise)]`",
                    ));
                }
                let flag = key.clone();
                set_once(&mut self.supervise, flag, &key)
            }
            "limit" => {
                equals(input, &key, "`limit = 8`")?;
                let limit = parse_limit(input)?;
                set_once(&mut self.limit, limit, &key)
            }
            "timeout" => {
                equals(input, &key, "`timeout = std::time::Duration::from_secs(5)`")?;
                let timeout = parse_duration(input, "timeout")?;
                set_once(&mut self.timeout, timeout, &key)
            }
            "grace_period" => {
                equals(
                    input,
                    &key,
                    "`grace_period = std::time::Duration::from_millis(500)`",
                )?;
                let grace = parse_duration(input, "grace_period")?;
                set_once(&mut self.grace_period, grace, &key)
            }
            unknown => {
                let hint = did_you_mean(unknown, &KEY_NAMES)
                    .map(|valid| format!(" (did you mean `{valid}`?)"))
                    .unwrap_or_default();
                Err(syn::Error::new(
                    key.span(),
                    format!("unknown `#[scoped]` argument `{key}`{hint}: expected one of {KEYS}"),
                ))
            }
        }
    }
}

fn parse_name(input: ParseStream<'_>) -> syn::Result<Ident> {
    if input.peek(LitStr) {
        let literal: LitStr = input.parse()?;
        return Err(syn::Error::new(
            literal.span(),
            format!(
                "`name` takes an identifier, not a string: `name = {}`",
                literal.value()
            ),
        ));
    }
    if input.peek(Ident::peek_any) && !input.peek(IdentToken) {
        let keyword = Ident::parse_any(input)?;
        return Err(syn::Error::new(
            keyword.span(),
            format!(
                "`{keyword}` is a keyword: `name` binds the scope to a variable, e.g. `name = scope`"
            ),
        ));
    }
    let value: Expr = input.parse()?;
    match value {
        Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none() => {
            match path.path.get_ident() {
                Some(ident) => Ok(ident.clone()),
                None => Err(not_an_identifier(&path)),
            }
        }
        other => Err(not_an_identifier(&other)),
    }
}

fn not_an_identifier(value: &dyn quote::ToTokens) -> syn::Error {
    syn::Error::new_spanned(
        value,
        "`name` takes an identifier: the variable the scope is bound to, e.g. `name = scope`",
    )
}

fn parse_limit(input: ParseStream<'_>) -> syn::Result<Limit> {
    let value: Expr = input.parse()?;
    let wrong = |value: &dyn quote::ToTokens| {
        syn::Error::new_spanned(
            value,
            "`limit` takes the number of children that may run at once, e.g. `limit = 8`",
        )
    };
    match &value {
        Expr::Lit(literal) => match &literal.lit {
            Lit::Int(int) => {
                let n: usize = int
                    .base10_parse()
                    .map_err(|_| syn::Error::new(int.span(), "`limit` must fit in a `usize`"))?;
                if n == 0 {
                    return Err(syn::Error::new(
                        int.span(),
                        "`limit` must be at least 1: a scope without a slot could never run a child",
                    ));
                }
                Ok(Limit::Literal(LitInt::new(&n.to_string(), int.span())))
            }
            _ => Err(wrong(&value)),
        },
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => Err(wrong(&value)),
        _ => Ok(Limit::Expr(value)),
    }
}

/// The value of `key`, a `std::time::Duration` expression: a bare literal
/// (a number of what?) is refused here.
fn parse_duration(input: ParseStream<'_>, key: &str) -> syn::Result<Expr> {
    let value: Expr = input.parse()?;
    if let Expr::Lit(literal) = &value {
        return Err(syn::Error::new(
            literal.span(),
            format!("`{key}` takes a `std::time::Duration`, e.g. `{key} = Duration::from_secs(5)`"),
        ));
    }
    Ok(value)
}
