//! The arguments of `#[scoped(...)]`: `name = ident`, `crate = path` (or a
//! string holding one), `supervise`, `limit = n`, `timeout = <Duration>`.
//!
//! Parsing never stops at the first mistake: every bad argument is reported
//! (spanned at the argument, listing the valid keys where the key is
//! unknown), the good ones are kept, and the caller expands with them.

use proc_macro2::{Ident, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::Ident as IdentToken;
use syn::{Expr, Lit, LitInt, LitStr, Path, Token, UnOp};

use crate::diagnostics::Errors;

/// The valid keys, as error messages list them.
const KEYS: &str = "`name`, `crate`, `supervise`, `limit`, `timeout`";
const KEY_NAMES: [&str; 5] = ["name", "crate", "supervise", "limit", "timeout"];

/// Levenshtein distance, for "did you mean" (keys are short).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(usize::from(ca != *cb));
            let delete = previous
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let insert = current
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(usize::MAX)
}

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
}

/// The value of `limit`.
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
        let parser = |input: ParseStream<'_>| -> syn::Result<()> {
            while !input.is_empty() {
                if let Err(error) = args.parse_one(input) {
                    errors.push(error);
                    skip_argument(input);
                }
                if input.is_empty() {
                    break;
                }
                if input.peek(Token![,]) {
                    input.parse::<Token![,]>()?;
                } else {
                    errors.push(input.error("expected `,` between `#[scoped]` arguments"));
                    skip_argument(input);
                    input.parse::<Option<Token![,]>>()?;
                }
            }
            Ok(())
        };
        if let Err(error) = parser.parse2(tokens) {
            errors.push(error);
        }
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
                let timeout = parse_timeout(input)?;
                set_once(&mut self.timeout, timeout, &key)
            }
            unknown => {
                let hint = KEY_NAMES
                    .iter()
                    .find(|valid| edit_distance(unknown, valid) <= (valid.len() / 4).max(1))
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

/// Skips the rest of a bad argument: up to the next `,` at this level.
fn skip_argument(input: ParseStream<'_>) {
    let skipped = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    });
    // `step` only fails if the closure does, and it does not.
    drop(skipped);
}

/// The `=` after a key that takes a value, and a value after it.
fn equals(input: ParseStream<'_>, key: &Ident, example: &str) -> syn::Result<()> {
    let missing = || syn::Error::new(key.span(), format!("`{key}` takes a value: {example}"));
    if !input.peek(Token![=]) {
        return Err(missing());
    }
    input.parse::<Token![=]>()?;
    if input.is_empty() || input.peek(Token![,]) {
        return Err(missing());
    }
    Ok(())
}

fn set_once<T>(slot: &mut Option<T>, value: T, key: &Ident) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` is given twice: keep one"),
        ));
    }
    *slot = Some(value);
    Ok(())
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
            format!("`{keyword}` is a keyword: `name` binds the scope to a variable, e.g. `name = scope`"),
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

fn parse_crate_path(input: ParseStream<'_>) -> syn::Result<Path> {
    if input.peek(LitStr) {
        let literal: LitStr = input.parse()?;
        return literal.parse_with(Path::parse_mod_style).map_err(|_| {
            syn::Error::new(
                literal.span(),
                "`crate` takes the path of the taskscope crate, e.g. `crate = \"::taskscope\"`",
            )
        });
    }
    let start = input.span();
    Path::parse_mod_style(input).map_err(|_| {
        syn::Error::new(
            start,
            "`crate` takes the path of the taskscope crate, e.g. `crate = ::taskscope`",
        )
    })
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

fn parse_timeout(input: ParseStream<'_>) -> syn::Result<Expr> {
    let value: Expr = input.parse()?;
    if let Expr::Lit(literal) = &value {
        return Err(syn::Error::new(
            literal.span(),
            "`timeout` takes a `std::time::Duration`, e.g. `timeout = Duration::from_secs(5)`",
        ));
    }
    Ok(value)
}
