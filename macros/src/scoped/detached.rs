//! `#[detached(reason = "...")]`: the escape hatch. On a statement of a
//! `#[scoped]` body it turns off both redirection and enforcement for that
//! statement. The macro consumes the attribute; the reason is mandatory and
//! must not be empty, so every detached statement says why it may outlive
//! the fn (and `grep '#\[detached'` finds them all).

use syn::{Attribute, Expr, Stmt};

use crate::diagnostics::Errors;

fn is_detached(attr: &Attribute) -> bool {
    attr.path().is_ident("detached")
}

/// Removes every `#[detached]` from `attrs`, reporting a missing or empty
/// reason and repeats; returns the first one.
pub(crate) fn take(attrs: &mut Vec<Attribute>, errors: &mut Errors) -> Option<Attribute> {
    let mut found: Option<Attribute> = None;
    let mut kept = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        if !is_detached(&attr) {
            kept.push(attr);
            continue;
        }
        if found.is_some() {
            errors.push(syn::Error::new_spanned(
                &attr,
                "`#[detached]` is given twice on this statement: keep one",
            ));
            continue;
        }
        errors.take(check_reason(&attr));
        found = Some(attr);
    }
    *attrs = kept;
    found
}

/// Removes a `#[detached]` that is not on a statement; true if there was one.
pub(crate) fn take_stray(attrs: &mut Vec<Attribute>) -> Option<Attribute> {
    let position = attrs.iter().position(is_detached)?;
    Some(attrs.remove(position))
}

fn check_reason(attr: &Attribute) -> syn::Result<()> {
    crate::reason::check(attr, &crate::reason::DETACHED)
}

/// The attributes of a statement, where a statement can carry them.
/// Items are left alone (nested items are not rewritten).
pub(crate) fn stmt_attrs_mut(stmt: &mut Stmt) -> Option<&mut Vec<Attribute>> {
    match stmt {
        Stmt::Local(local) => Some(&mut local.attrs),
        Stmt::Macro(mac) => Some(&mut mac.attrs),
        Stmt::Expr(expr, _) => expr_attrs_mut(expr),
        Stmt::Item(_) => None,
    }
}

/// The attributes of an expression (an expression statement's attributes
/// are on its outermost expression).
pub(crate) fn expr_attrs_mut(expr: &mut Expr) -> Option<&mut Vec<Attribute>> {
    Some(match expr {
        Expr::Array(e) => &mut e.attrs,
        Expr::Assign(e) => &mut e.attrs,
        Expr::Async(e) => &mut e.attrs,
        Expr::Await(e) => &mut e.attrs,
        Expr::Binary(e) => &mut e.attrs,
        Expr::Block(e) => &mut e.attrs,
        Expr::Break(e) => &mut e.attrs,
        Expr::Call(e) => &mut e.attrs,
        Expr::Cast(e) => &mut e.attrs,
        Expr::Closure(e) => &mut e.attrs,
        Expr::Const(e) => &mut e.attrs,
        Expr::Continue(e) => &mut e.attrs,
        Expr::Field(e) => &mut e.attrs,
        Expr::ForLoop(e) => &mut e.attrs,
        Expr::Group(e) => &mut e.attrs,
        Expr::If(e) => &mut e.attrs,
        Expr::Index(e) => &mut e.attrs,
        Expr::Infer(e) => &mut e.attrs,
        Expr::Let(e) => &mut e.attrs,
        Expr::Lit(e) => &mut e.attrs,
        Expr::Loop(e) => &mut e.attrs,
        Expr::Macro(e) => &mut e.attrs,
        Expr::Match(e) => &mut e.attrs,
        Expr::MethodCall(e) => &mut e.attrs,
        Expr::Paren(e) => &mut e.attrs,
        Expr::Path(e) => &mut e.attrs,
        Expr::Range(e) => &mut e.attrs,
        Expr::RawAddr(e) => &mut e.attrs,
        Expr::Reference(e) => &mut e.attrs,
        Expr::Repeat(e) => &mut e.attrs,
        Expr::Return(e) => &mut e.attrs,
        Expr::Struct(e) => &mut e.attrs,
        Expr::Try(e) => &mut e.attrs,
        Expr::TryBlock(e) => &mut e.attrs,
        Expr::Tuple(e) => &mut e.attrs,
        Expr::Unary(e) => &mut e.attrs,
        Expr::Unsafe(e) => &mut e.attrs,
        Expr::While(e) => &mut e.attrs,
        Expr::Yield(e) => &mut e.attrs,
        _ => return None,
    })
}
