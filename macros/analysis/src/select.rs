//! `tokio::select!` as the macros and the audit read it: an optional `biased;`, then
//! branches `pattern = future [, if precondition] => handler[,]` and an
//! optional `else => handler[,]`. Parsed so that the handlers (which run in
//! the loop, where `break` and `.await` mean what they say) can be rewritten
//! as code, a cancellation arm put first, and the whole printed back for
//! tokio's macro to read.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, Pat, Path, Token};

/// Whether a macro path is tokio's `select!` as it is commonly written:
/// `select!`, `tokio::select!`, `::tokio::select!`. (`futures::select!`
/// needs fused futures, and its `select_biased!` has another name: both are
/// left alone.)
pub fn is_select(path: &Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    matches!(names.as_slice(), ["select"] | ["tokio", "select"])
        && path.segments.iter().all(|s| s.arguments.is_none())
}

/// `join!`, `try_join!`, with or without `tokio::`: macros whose arguments
/// are futures that they await together.
pub fn is_join(path: &Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    matches!(
        names.as_slice(),
        ["join" | "try_join"] | ["tokio", "join" | "try_join"]
    ) && path.segments.iter().all(|s| s.arguments.is_none())
}

/// Macros that await inside their expansion: a loop that invokes one awaits.
pub fn awaits_inside(path: &Path) -> bool {
    path.segments.last().is_some_and(|last| {
        matches!(
            last.ident.to_string().as_str(),
            "select" | "select_biased" | "join" | "try_join" | "join_all"
        )
    })
}

/// Whether tokens mention cancellation: an identifier ending in `cancelled`
/// (`cancelled()`, `token.cancelled()`, `run_until_cancelled(..)`,
/// `cancelled_owned()`), outside of `is_cancelled`.
pub fn mentions_cancelled(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => {
            let name = ident.to_string();
            (name.ends_with("cancelled") || name.starts_with("cancelled_"))
                && name != "is_cancelled"
        }
        TokenTree::Group(group) => mentions_cancelled(group.stream()),
        _ => false,
    })
}

/// A parsed `select!` body.
pub struct Select {
    /// `biased;`, if it was written.
    pub biased: Option<(Ident, Token![;])>,
    /// The branches, in order (the `else` branch among them).
    pub branches: Vec<Branch>,
}

// A few per select, alive for one expansion: their size does not matter.
#[allow(clippy::large_enum_variant)]
/// One branch of a `select!`.
pub enum Branch {
    /// `pattern = future [, if precondition] => handler[,]`.
    #[allow(missing_docs)]
    Arm {
        pat: Pat,
        eq: Token![=],
        future: Expr,
        precondition: Option<(Token![,], Token![if], Expr)>,
        arrow: Token![=>],
        handler: Expr,
        comma: Option<Token![,]>,
    },
    /// `else => handler[,]`.
    #[allow(missing_docs)]
    Else {
        else_token: Token![else],
        arrow: Token![=>],
        handler: Expr,
        comma: Option<Token![,]>,
    },
}

// By hand: syn's syntax trees are `Debug` only with its `extra-traits`
// feature, which the macros do not otherwise need.
impl std::fmt::Debug for Select {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Select")
            .field("biased", &self.biased.is_some())
            .field("branches", &self.branches)
            .finish()
    }
}

impl std::fmt::Debug for Branch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, handler) = match self {
            Branch::Arm { handler, .. } => ("Arm", handler),
            Branch::Else { handler, .. } => ("Else", handler),
        };
        f.debug_tuple(kind)
            .field(&handler.to_token_stream().to_string())
            .finish()
    }
}

impl Select {
    /// Whether a branch's future mentions cancellation: a hand-written
    /// cancellation arm.
    pub fn has_cancellation_arm(&self) -> bool {
        self.branches.iter().any(|branch| match branch {
            Branch::Arm { future, .. } => mentions_cancelled(future.to_token_stream()),
            Branch::Else { .. } => false,
        })
    }

    /// Every expression of the select (futures, preconditions, handlers),
    /// for rewriting.
    pub fn exprs_mut(&mut self) -> impl Iterator<Item = &mut Expr> {
        self.branches.iter_mut().flat_map(|branch| {
            let exprs: Vec<&mut Expr> = match branch {
                Branch::Arm {
                    future,
                    precondition,
                    handler,
                    ..
                } => {
                    let mut exprs = vec![future];
                    if let Some((_, _, condition)) = precondition {
                        exprs.push(condition);
                    }
                    exprs.push(handler);
                    exprs
                }
                Branch::Else { handler, .. } => vec![handler],
            };
            exprs
        })
    }

    /// The select's tokens.
    pub fn to_tokens(&self) -> TokenStream {
        let mut tokens = TokenStream::new();
        if let Some((biased, semi)) = &self.biased {
            biased.to_tokens(&mut tokens);
            semi.to_tokens(&mut tokens);
        }
        for branch in &self.branches {
            branch.to_tokens(&mut tokens);
        }
        tokens
    }
}

impl Parse for Select {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let biased = if input.peek(Ident) && input.peek2(Token![;]) {
            let fork = input.fork();
            let ident: Ident = fork.parse()?;
            if ident == "biased" {
                let ident: Ident = input.parse()?;
                let semi: Token![;] = input.parse()?;
                Some((ident, semi))
            } else {
                None
            }
        } else {
            None
        };
        let mut branches = Vec::new();
        while !input.is_empty() {
            if input.peek(Token![else]) {
                let else_token = input.parse()?;
                let arrow = input.parse()?;
                let handler = Expr::parse_with_earlier_boundary_rule(input)?;
                let comma = input.parse()?;
                branches.push(Branch::Else {
                    else_token,
                    arrow,
                    handler,
                    comma,
                });
                continue;
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            let eq = input.parse()?;
            let future = input.parse()?;
            let precondition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                let comma = input.parse()?;
                let if_token = input.parse()?;
                let condition = input.parse()?;
                Some((comma, if_token, condition))
            } else {
                None
            };
            let arrow = input.parse()?;
            let handler = Expr::parse_with_earlier_boundary_rule(input)?;
            let comma: Option<Token![,]> = input.parse()?;
            if comma.is_none() && !input.is_empty() && !is_block_like(&handler) {
                return Err(input.error("expected `,` after a `select!` branch"));
            }
            branches.push(Branch::Arm {
                pat,
                eq,
                future,
                precondition,
                arrow,
                handler,
                comma,
            });
        }
        Ok(Select { biased, branches })
    }
}

fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Block(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
            | Expr::Const(_)
            | Expr::TryBlock(_)
    )
}

impl ToTokens for Branch {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Branch::Arm {
                pat,
                eq,
                future,
                precondition,
                arrow,
                handler,
                comma,
            } => {
                pat.to_tokens(tokens);
                eq.to_tokens(tokens);
                future.to_tokens(tokens);
                if let Some((comma, if_token, condition)) = precondition {
                    comma.to_tokens(tokens);
                    if_token.to_tokens(tokens);
                    condition.to_tokens(tokens);
                }
                arrow.to_tokens(tokens);
                handler.to_tokens(tokens);
                branch_end(comma.as_ref(), tokens);
            }
            Branch::Else {
                else_token,
                arrow,
                handler,
                comma,
            } => {
                else_token.to_tokens(tokens);
                arrow.to_tokens(tokens);
                handler.to_tokens(tokens);
                branch_end(comma.as_ref(), tokens);
            }
        }
    }
}

/// The comma after a branch: the user's, or one of ours (the handler may
/// have been rewritten into something that needs one; one more is always
/// accepted).
fn branch_end(comma: Option<&Token![,]>, tokens: &mut TokenStream) {
    match comma {
        Some(comma) => comma.to_tokens(tokens),
        None => tokens.append(proc_macro2::Punct::new(',', proc_macro2::Spacing::Alone)),
    }
}
