//! Macro invocations in a `#[scoped]` body (`tokio::select!`,
//! `tokio::join!`, `vec!`, `assert!`, ...). Their bodies are token streams
//! the macro cannot know the grammar of, so they are rewritten in layers:
//!
//! 1. a body that parses as comma-separated expressions (`join!(a, b)`,
//!    `vec![a, b]`, `assert!(x, "..")`) is rewritten as code;
//! 2. otherwise (`select! { v = fut => { .. } }`, `vec![x; n]`), every
//!    `{ .. }` group that parses as statements is rewritten as code, and the
//!    remaining tokens are scanned for spawn paths (`tokio::spawn`,
//!    `std::thread::spawn`, ...), which are redirected or rejected just the
//!    same.
//!
//! A macro whose body holds no spawn keeps its tokens untouched.
//! `macro_rules!` definitions are nested items and are left alone.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Macro, PathArguments, Token};

use super::paths::{self, Class, Forbidden};
use super::rewrite::Rewriter;

pub(crate) fn rewrite(rewriter: &mut Rewriter, mac: &mut Macro) {
    if mac.path.is_ident("macro_rules") {
        return;
    }
    let before = rewriter.hits;
    if let Ok(mut exprs) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
        for expr in exprs.iter_mut() {
            rewriter.visit_expr_mut(expr);
        }
        if rewriter.hits != before {
            mac.tokens = exprs.into_token_stream();
        }
        return;
    }
    let tokens = rewrite_tokens(rewriter, mac.tokens.clone());
    if rewriter.hits != before {
        mac.tokens = tokens;
    }
}

/// A brace group's tokens: as statements if they parse as such.
fn rewrite_braced(rewriter: &mut Rewriter, tokens: TokenStream) -> TokenStream {
    match syn::parse::Parser::parse2(Block::parse_within, tokens.clone()) {
        Ok(mut stmts) => {
            for stmt in &mut stmts {
                rewriter.visit_stmt_mut(stmt);
            }
            let mut out = TokenStream::new();
            for stmt in &stmts {
                stmt.to_tokens(&mut out);
            }
            out
        }
        Err(_) => rewrite_tokens(rewriter, tokens),
    }
}

/// Scans tokens for spawn paths, entering groups.
fn rewrite_tokens(rewriter: &mut Rewriter, tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    let mut index = 0;
    while let Some(tree) = trees.get(index) {
        if let TokenTree::Group(group) = tree {
            let before = rewriter.hits;
            let inner = match group.delimiter() {
                Delimiter::Brace => rewrite_braced(rewriter, group.stream()),
                _ => rewrite_tokens(rewriter, group.stream()),
            };
            if rewriter.hits == before {
                out.extend([tree.clone()]);
            } else {
                let mut rewritten = Group::new(group.delimiter(), inner);
                rewritten.set_span(group.span());
                out.extend([TokenTree::Group(rewritten)]);
            }
            index += 1;
            continue;
        }
        let after_dot = index
            .checked_sub(1)
            .and_then(|previous| trees.get(previous))
            .is_some_and(|previous| matches!(previous, TokenTree::Punct(p) if p.as_char() == '.'));
        match scan_path(&trees, index) {
            Some(path) if !after_dot => {
                let written = trees.get(index..path.end).unwrap_or_default();
                let (class, shown_end) = match classify(&path, &trees) {
                    Some((class, shown_end)) => (Some(class), shown_end),
                    None => (None, path.end),
                };
                match class {
                    Some(Class::Redirect(target)) => {
                        rewriter.hits += 1;
                        if !path.leading_colon {
                            if let Some(first) = path.names.first() {
                                rewriter.note_prefix(first);
                            }
                        }
                        let redirected = paths::redirected_path(
                            rewriter.krate(),
                            target,
                            path.first_span,
                            path.last_span,
                            PathArguments::None,
                        );
                        redirected.to_tokens(&mut out);
                    }
                    Some(Class::Forbidden(forbidden)) => {
                        rewriter.hits += 1;
                        let shown: TokenStream = trees
                            .get(index..shown_end)
                            .unwrap_or(written)
                            .iter()
                            .cloned()
                            .collect();
                        rewriter
                            .errors
                            .push(syn::Error::new_spanned(shown, forbidden.message()));
                        out.extend(written.iter().cloned());
                    }
                    None => out.extend(written.iter().cloned()),
                }
                index = path.end;
            }
            _ => {
                out.extend([tree.clone()]);
                index += 1;
            }
        }
    }
    out
}

/// A path written as tokens: `[::]a::b::c`.
struct TokenPath {
    leading_colon: bool,
    names: Vec<Ident>,
    first_span: Span,
    last_span: Span,
    /// Index of the first token after the path.
    end: usize,
}

fn is_punct(tree: Option<&TokenTree>, ch: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(punct)) if punct.as_char() == ch)
}

/// `::` at `index` (two `:` puncts).
fn is_path_sep(trees: &[TokenTree], index: usize) -> bool {
    is_punct(trees.get(index), ':') && is_punct(trees.get(index + 1), ':')
}

fn scan_path(trees: &[TokenTree], start: usize) -> Option<TokenPath> {
    let mut index = start;
    let leading_colon = is_path_sep(trees, index);
    let first_span = trees.get(index)?.span();
    if leading_colon {
        index += 2;
    }
    let mut names = Vec::new();
    while let Some(TokenTree::Ident(ident)) = trees.get(index) {
        names.push(ident.clone());
        index += 1;
        if is_path_sep(trees, index) && matches!(trees.get(index + 2), Some(TokenTree::Ident(_))) {
            index += 2;
        } else {
            break;
        }
    }
    let last_span = names.last()?.span();
    Some(TokenPath {
        leading_colon,
        names,
        first_span,
        last_span,
        end: index,
    })
}

/// What the path is, and the end of the tokens an error about it shows.
fn classify(path: &TokenPath, trees: &[TokenTree]) -> Option<(Class, usize)> {
    let names: Vec<String> = path.names.iter().map(Ident::to_string).collect();
    let called = matches!(trees.get(path.end), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
    match paths::classify_names(path.leading_colon, &names) {
        // A bare name is rejected only where it is called, as in the body.
        Some(Class::Forbidden(Forbidden::BareSpawn(_))) if !called => return None,
        Some(class) => return Some((class, path.end)),
        None => {}
    }
    // `Handle::current().spawn(..)` written inside a macro.
    let is_handle = matches!(
        names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        [.., "Handle", "current" | "try_current"]
    );
    if is_handle && called && is_punct(trees.get(path.end + 1), '.') {
        if let Some(TokenTree::Ident(method)) = trees.get(path.end + 2) {
            if method == "spawn" || method == "spawn_blocking" {
                let forbidden = Forbidden::RuntimeSpawn(method.to_string());
                return Some((Class::Forbidden(forbidden), path.end + 3));
            }
        }
    }
    None
}
