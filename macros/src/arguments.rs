//! Helpers shared by the argument parsers of the attribute macros: the
//! comma-separated list that recovers from a bad argument, skipping one, the
//! `=` of a key, a key given twice, the `crate = path` value, and the edit
//! distance behind "did you mean".

use proc_macro2::{Ident, TokenStream, TokenTree};

use crate::diagnostics::Errors;
use syn::parse::{ParseStream, Parser};
use syn::{LitStr, Path, Token};

/// The valid key an unknown one is most likely a misspelling of: within a
/// quarter of its length in edits (at least one), or a prefix of it of four
/// letters or more.
pub(crate) fn did_you_mean<'a>(unknown: &str, valid: &[&'a str]) -> Option<&'a str> {
    valid.iter().copied().find(|valid| {
        edit_distance(unknown, valid) <= (valid.len() / 4).max(1)
            || (unknown.len() >= 4 && valid.starts_with(unknown))
    })
}

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

/// The tokens up to the next `,` at this level (consumed).
pub(crate) fn rest_of_argument(input: ParseStream<'_>) -> TokenStream {
    let mut rest = TokenStream::new();
    let stepped = input.step(|cursor| {
        let mut cursor = *cursor;
        while let Some((tree, next)) = cursor.token_tree() {
            if matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == ',') {
                break;
            }
            rest.extend([tree]);
            cursor = next;
        }
        Ok(((), cursor))
    });
    drop(stepped);
    rest
}

/// Skips the rest of a bad argument: up to the next `,` at this level.
pub(crate) fn skip_argument(input: ParseStream<'_>) {
    drop(rest_of_argument(input));
}

/// The `=` after a key that takes a value, and a value after it.
pub(crate) fn equals(input: ParseStream<'_>, key: &Ident, example: &str) -> syn::Result<()> {
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

/// Records a value, or reports its key as given twice.
pub(crate) fn set_once<T>(slot: &mut Option<T>, value: T, key: &Ident) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` is given twice: keep one"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// The value of `crate = ..`: a path, or a string holding one.
pub(crate) fn parse_crate_path(input: ParseStream<'_>) -> syn::Result<Path> {
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

/// Parses `tokens` as arguments separated by commas, each with `parse_one`;
/// a bad argument or a missing comma is reported to `errors` (naming
/// `attribute`, e.g. `#[scoped]`) and skipped, so every problem is reported
/// at once.
pub(crate) fn parse_arguments(
    tokens: TokenStream,
    attribute: &str,
    errors: &mut Errors,
    mut parse_one: impl FnMut(ParseStream<'_>) -> syn::Result<()>,
) {
    let parser = |input: ParseStream<'_>| -> syn::Result<()> {
        while !input.is_empty() {
            if let Err(error) = parse_one(input) {
                errors.push(error);
                skip_argument(input);
            }
            if input.is_empty() {
                break;
            }
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            } else {
                errors.push(input.error(format!("expected `,` between `{attribute}` arguments")));
                skip_argument(input);
                input.parse::<Option<Token![,]>>()?;
            }
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
    }
}
