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

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Macro, PathArguments, Token};

use super::paths::{self, Class};
use super::rewrite::Rewriter;
use taskscope_analysis::spawn;
use taskscope_analysis::{Finding, Rule};

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
        let after_dot = spawn::after_dot(&trees, index);
        match spawn::scan_token_path(&trees, index) {
            Some(path) if !after_dot => {
                let written = trees.get(index..path.end).unwrap_or_default();
                let (class, shown_end) = match spawn::classify_token_path(&path, &trees) {
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
                        let finding =
                            Finding::spanned(Rule::ScopedDetachingForm, shown, forbidden.message());
                        rewriter.errors.push(finding.to_error());
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
