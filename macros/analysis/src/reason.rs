//! The mandatory reason of an escape hatch: `#[detached(reason = "...")]`
//! (a spawn that may outlive a `#[scoped]` fn) and `#[uncancellable(reason =
//! "...")]` (a loop that awaits without a cancellation arm). Both take one
//! non-empty string and nothing else, so every exception says why and `grep`
//! finds them all.

use syn::{Attribute, LitStr, Meta};

/// How one escape hatch is written, for its error messages.
#[derive(Debug)]
pub struct Hatch {
    /// The attribute's name, `detached`.
    pub name: &'static str,
    /// The attribute as it should be written.
    pub form: &'static str,
    /// What an empty reason should say instead.
    pub empty: &'static str,
}

/// Checks that `attr` is `#[name(reason = "non-empty")]`.
pub fn check(attr: &Attribute, hatch: &Hatch) -> syn::Result<()> {
    let Hatch { name, form, empty } = hatch;
    let list = match &attr.meta {
        Meta::List(list) => list,
        Meta::Path(_) => {
            return Err(syn::Error::new_spanned(
                attr,
                format!("`#[{name}]` needs a reason: `{form}`"),
            ));
        }
        Meta::NameValue(_) => {
            return Err(syn::Error::new_spanned(
                attr,
                format!("write the reason as `{form}`"),
            ));
        }
    };
    let mut reason: Option<LitStr> = None;
    list.parse_nested_meta(|meta| {
        if !meta.path.is_ident("reason") {
            return Err(meta.error(format!(
                "unknown `#[{name}]` argument: it takes only a reason, `{form}`"
            )));
        }
        if reason.is_some() {
            return Err(meta.error("`reason` is given twice"));
        }
        let value = meta.value()?;
        let literal: LitStr = value.parse().map_err(|error| {
            syn::Error::new(error.span(), format!("the reason is a string: `{form}`"))
        })?;
        reason = Some(literal);
        Ok(())
    })?;
    match reason {
        None => Err(syn::Error::new_spanned(
            attr,
            format!("`#[{name}]` needs a reason: `{form}`"),
        )),
        Some(literal) if literal.value().trim().is_empty() => Err(syn::Error::new(
            literal.span(),
            format!("the reason of `#[{name}]` is empty: {empty}"),
        )),
        Some(_) => Ok(()),
    }
}

/// `#[detached(reason = "...")]`, on a statement of a `#[scoped]` body.
pub const DETACHED: Hatch = Hatch {
    name: "detached",
    form: "#[detached(reason = \"why this may outlive the fn\")]",
    empty: "say why this may outlive the fn",
};

/// `#[uncancellable(reason = "...")]`, on an awaiting loop.
pub const UNCANCELLABLE: Hatch = Hatch {
    name: "uncancellable",
    form: "#[uncancellable(reason = \"why this loop may outlive a cancellation\")]",
    empty: "say why this loop may keep waiting after a cancellation",
};
