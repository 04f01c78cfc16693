//! The arguments of the attributes that build a runtime, `#[taskscope::test(...)]`
//! and `#[taskscope::main(...)]`: tokio's (`flavor`, `worker_threads`,
//! `start_paused`, `crate`) and one number of milliseconds of their own
//! (`settle_ms`, `shutdown_grace_ms`).
//!
//! Every bad argument is reported, spanned at it; the good ones are kept, and
//! the caller expands with them (so an IDE still sees a test fn).

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::quote;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, Lit, LitBool, LitInt, LitStr, Path, Token};

use crate::arguments::did_you_mean;

/// Which attribute the arguments are of.
pub(crate) struct Attr {
    /// As messages name it: `#[taskscope::test]`.
    pub(crate) name: &'static str,
    /// Its own key, a number of milliseconds.
    pub(crate) millis_key: &'static str,
    /// What that number is, for messages: "the settle time".
    pub(crate) millis_what: &'static str,
    /// Keys someone might write for it, answered with the right one.
    pub(crate) millis_near_misses: &'static [&'static str],
    /// The runtime without a `flavor`, as tokio's attribute of the same
    /// role has it.
    pub(crate) default_flavor: Flavor,
}

impl Attr {
    /// The valid keys, as error messages list them.
    fn keys(&self) -> String {
        format!(
            "`flavor`, `worker_threads`, `start_paused`, `{}`, `crate`",
            self.millis_key
        )
    }
}

/// The runtime a test runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Flavor {
    #[default]
    CurrentThread,
    MultiThread,
}

/// The arguments that parsed and agree with each other; a bad one is
/// absent, as if it had not been given.
#[derive(Default)]
pub(crate) struct Args {
    /// `flavor = "..."`, with the literal's span (the generated
    /// `new_multi_thread` carries it, so a missing `rt-multi-thread` feature
    /// is reported there).
    pub(crate) flavor: Option<(Flavor, Span)>,
    /// `worker_threads = n`, with the key's span (the generated
    /// `.worker_threads(n)` carries it) and the whole argument.
    pub(crate) worker_threads: Option<(LitInt, Span, TokenStream)>,
    /// `start_paused = bool`, with the key's span (the generated
    /// `.start_paused(true)` carries it, so a missing `test-util` feature is
    /// reported there) and the whole argument.
    pub(crate) start_paused: Option<(bool, Span, TokenStream)>,
    /// The attribute's own number of milliseconds (`settle_ms = n`: how
    /// long the leak check waits; `shutdown_grace_ms = n`: how long a
    /// shutdown waits before it aborts).
    pub(crate) millis: Option<LitInt>,
    /// `crate = path` or `crate = "path"`: where taskscope is.
    pub(crate) krate: Option<Path>,
    /// The flavor when none is given.
    default_flavor: Flavor,
}

impl Args {
    /// The generated code that configures the runtime's builder, through
    /// taskscope's re-export of tokio (`#krate::__private::test::tokio`), as
    /// a `&mut Builder`: the constructor of the flavor (spanned at the
    /// `flavor` literal, where a missing `rt-multi-thread` feature is then
    /// reported), `worker_threads`, every driver, `start_paused`. The caller
    /// builds it.
    pub(crate) fn runtime_builder(&self, krate: &TokenStream) -> TokenStream {
        let flavor_span = self.flavor.map_or_else(Span::call_site, |(_, span)| span);
        let constructor = self.flavor().constructor(flavor_span);
        let worker_threads = self.worker_threads.as_ref().map(|(count, key, _)| {
            let method = Ident::new("worker_threads", *key);
            let count = LitInt::new(count.base10_digits(), count.span());
            quote!(.#method(#count))
        });
        let start_paused = match &self.start_paused {
            Some((true, key, _)) => {
                let method = Ident::new("start_paused", *key);
                Some(quote!(.#method(true)))
            }
            _ => None,
        };
        quote! {
            #krate::__private::test::tokio::runtime::Builder::#constructor()
                #worker_threads
                .enable_all()
                #start_paused
        }
    }

    /// The attribute's own number of milliseconds as a `Duration`, or
    /// `default` (an expression) if it was not given.
    pub(crate) fn millis_or(&self, default: TokenStream) -> TokenStream {
        match &self.millis {
            Some(millis) => {
                let millis = LitInt::new(millis.base10_digits(), millis.span());
                quote!(::core::time::Duration::from_millis(#millis))
            }
            None => default,
        }
    }

    /// The flavor, given or the attribute's default.
    pub(crate) fn flavor(&self) -> Flavor {
        self.flavor
            .map_or(self.default_flavor, |(flavor, _)| flavor)
    }
}

/// One `key = value`, as written.
struct Arg {
    key: Ident,
    value: Option<Expr>,
    /// The whole argument, for errors about it as a whole.
    tokens: TokenStream,
    /// Tokens after the value, a missing comma: reported, while the
    /// argument itself still counts.
    rest: Option<syn::Error>,
}

/// Parses the attribute's arguments; every problem is pushed to `errors`.
pub(crate) fn parse(attr: &Attr, tokens: TokenStream, errors: &mut Vec<syn::Error>) -> Args {
    let mut args = Args {
        default_flavor: attr.default_flavor,
        ..Args::default()
    };
    for (chunk, comma) in split_at_commas(tokens) {
        match (|input: ParseStream<'_>| parse_arg(attr, input)).parse2(chunk) {
            Ok(Some(mut arg)) => {
                if let Some(error) = arg.rest.take() {
                    errors.push(error);
                }
                if let Err(error) = args.set(attr, arg) {
                    errors.push(error);
                }
            }
            // Nothing before a comma: `(, flavor = ..)` or `(a = 1,, b = 2)`.
            Ok(None) => {
                if let Some(comma) = comma {
                    errors.push(syn::Error::new(
                        comma,
                        "expected an argument before this `,`",
                    ));
                }
            }
            Err(error) => errors.push(error),
        }
    }
    args.check_flavor(errors);
    args
}

/// The arguments, split at the commas between them, each with the span of
/// the comma after it (none after the last). A comma inside a bracket
/// belongs to its group, so it is not seen here. A trailing comma is fine:
/// only an empty argument *before* a comma is reported.
fn split_at_commas(tokens: TokenStream) -> Vec<(TokenStream, Option<Span>)> {
    let mut chunks = Vec::new();
    let mut chunk = TokenStream::new();
    for token in tokens {
        match &token {
            TokenTree::Punct(punct) if punct.as_char() == ',' => {
                chunks.push((std::mem::take(&mut chunk), Some(punct.span())));
            }
            _ => chunk.extend([token]),
        }
    }
    if !chunk.is_empty() {
        chunks.push((chunk, None));
    }
    chunks
}

/// `key = value`, `key` or `key =` alone (reported later, where the key is
/// known), or nothing (`(a, )`).
fn parse_arg(attr: &Attr, input: ParseStream<'_>) -> syn::Result<Option<Arg>> {
    if input.is_empty() {
        return Ok(None);
    }
    let tokens: TokenStream = input.fork().parse()?;
    let key = Ident::parse_any(input).map_err(|_| {
        input.error(format!(
            "expected a `{}` argument, `key = value` with a key among {}",
            attr.name,
            attr.keys()
        ))
    })?;
    if input.is_empty() {
        return Ok(Some(Arg {
            key,
            value: None,
            tokens,
            rest: None,
        }));
    }
    input.parse::<Token![=]>().map_err(|_| {
        input.error(format!(
            "expected `=` after `{key}`: arguments are written `key = value`, separated by commas"
        ))
    })?;
    let value = if input.is_empty() {
        None
    } else {
        Some(input.parse::<Expr>()?)
    };
    let rest = if input.is_empty() {
        None
    } else {
        let error = input.error("expected `,` before this: arguments are separated by commas");
        input.parse::<TokenStream>()?;
        Some(error)
    };
    Ok(Some(Arg {
        key,
        value,
        tokens,
        rest,
    }))
}

impl Args {
    fn set(&mut self, attr: &Attr, arg: Arg) -> syn::Result<()> {
        let key = arg.key.unraw().to_string();
        let (name, keys, millis_key) = (attr.name, attr.keys(), attr.millis_key);
        let taken = match key.as_str() {
            "flavor" => self.flavor.is_some(),
            "worker_threads" => self.worker_threads.is_some(),
            "start_paused" => self.start_paused.is_some(),
            "crate" => self.krate.is_some(),
            own if own == millis_key => self.millis.is_some(),
            near if attr.millis_near_misses.contains(&near) => {
                let message = format!(
                    "unknown `{name}` argument `{key}`: {} is given in milliseconds, as \
                     `{millis_key} = 2000`; the arguments are {keys}",
                    attr.millis_what
                );
                return Err(syn::Error::new(arg.key.span(), message));
            }
            unknown => {
                let valid = [
                    "flavor",
                    "worker_threads",
                    "start_paused",
                    millis_key,
                    "crate",
                ];
                let hint = did_you_mean(unknown, &valid)
                    .map(|valid| format!(" (did you mean `{valid}`?)"))
                    .unwrap_or_default();
                return Err(syn::Error::new(
                    arg.key.span(),
                    format!("unknown `{name}` argument `{key}`{hint}: the arguments are {keys}"),
                ));
            }
        };
        if taken {
            return Err(syn::Error::new(
                arg.key.span(),
                format!(
                    "`{key}` is given twice: each of {keys} may be given once; remove one `{key}`"
                ),
            ));
        }
        let Some(value) = arg.value else {
            return Err(syn::Error::new(
                arg.key.span(),
                format!(
                    "`{key}` takes a value: write `{key} = {}`",
                    example(attr, &key)
                ),
            ));
        };
        let wrong = || {
            syn::Error::new_spanned(
                &value,
                format!(
                    "`{key}` takes {}: write `{key} = {}`",
                    kind(attr, &key),
                    example(attr, &key)
                ),
            )
        };
        match key.as_str() {
            "flavor" => {
                let Some(Lit::Str(literal)) = literal(&value) else {
                    return Err(wrong());
                };
                self.flavor = Some((flavor(literal)?, literal.span()));
            }
            "worker_threads" => {
                let Some(Lit::Int(literal)) = literal(&value) else {
                    return Err(wrong());
                };
                match literal.base10_parse::<usize>() {
                    Ok(0) => {
                        return Err(syn::Error::new(
                            literal.span(),
                            "`worker_threads` must be at least 1",
                        ));
                    }
                    Ok(_) => {}
                    Err(_) => return Err(wrong()),
                }
                check_suffix(attr, literal, "worker_threads", "usize")?;
                self.worker_threads = Some((literal.clone(), arg.key.span(), arg.tokens));
            }
            "start_paused" => {
                let Some(Lit::Bool(LitBool { value, .. })) = literal(&value) else {
                    return Err(wrong());
                };
                self.start_paused = Some((*value, arg.key.span(), arg.tokens));
            }
            own if own == millis_key => {
                let Some(Lit::Int(literal)) = literal(&value) else {
                    return Err(wrong());
                };
                if literal.base10_parse::<u64>().is_err() {
                    return Err(wrong());
                }
                check_suffix(attr, literal, millis_key, "u64")?;
                self.millis = Some(literal.clone());
            }
            _ => {
                let path = match &value {
                    Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
                        path.path.clone()
                    }
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(literal),
                        ..
                    }) => literal.parse::<Path>().map_err(|_| wrong())?,
                    _ => return Err(wrong()),
                };
                self.krate = Some(path);
            }
        }
        Ok(())
    }

    /// `worker_threads` goes with the multi-thread runtime, `start_paused`
    /// with the current-thread one (tokio pauses time only there).
    fn check_flavor(&mut self, errors: &mut Vec<syn::Error>) {
        let flavor = self.flavor();
        if let (Flavor::CurrentThread, Some((_, _, tokens))) = (flavor, &self.worker_threads) {
            errors.push(syn::Error::new_spanned(
                tokens,
                "`worker_threads` sets the size of the multi-thread runtime: add \
                 `flavor = \"multi_thread\"`, or remove `worker_threads` to run on the \
                 current thread",
            ));
            self.worker_threads = None;
        }
        if let (Flavor::MultiThread, Some((_, _, tokens))) = (flavor, &self.start_paused) {
            errors.push(syn::Error::new_spanned(
                tokens,
                "`start_paused` needs `flavor = \"current_thread\"`: tokio can start with its \
                 clock paused only on a current-thread runtime; remove `start_paused` or the \
                 `flavor`",
            ));
            self.start_paused = None;
        }
    }
}

/// A suffixed integer is accepted only with the type it will have
/// (`2000u64`); a unit (`2s`, `2000ms`) is not a suffix Rust has.
fn check_suffix(attr: &Attr, literal: &LitInt, key: &str, expected: &str) -> syn::Result<()> {
    let digits = literal.base10_digits();
    let message = match literal.suffix() {
        "" => return Ok(()),
        suffix if suffix == expected => return Ok(()),
        "s" if key == attr.millis_key => format!(
            "`{key}` is a number of milliseconds, written without a unit: `{key} = {digits}000`"
        ),
        "ms" if key == attr.millis_key => format!(
            "`{key}` is a number of milliseconds, written without a unit: `{key} = {digits}`"
        ),
        suffix => format!(
            "`{key}` takes a plain integer: remove the suffix `{suffix}`, as in `{key} = {digits}`"
        ),
    };
    Err(syn::Error::new(literal.span(), message))
}

fn literal(value: &Expr) -> Option<&Lit> {
    match value {
        Expr::Lit(ExprLit { lit, attrs }) if attrs.is_empty() => Some(lit),
        _ => None,
    }
}

fn flavor(literal: &LitStr) -> syn::Result<Flavor> {
    match literal.value().as_str() {
        "current_thread" => Ok(Flavor::CurrentThread),
        "multi_thread" => Ok(Flavor::MultiThread),
        other => Err(syn::Error::new(
            literal.span(),
            format!(
                "unknown runtime flavor `{other}`: write `flavor = \"current_thread\"` (the \
                 default) or `flavor = \"multi_thread\"`"
            ),
        )),
    }
}

/// What the value of `key` is, for errors.
fn kind(attr: &Attr, key: &str) -> &'static str {
    match key {
        "flavor" => "a string",
        "worker_threads" => "a positive integer literal",
        "start_paused" => "`true` or `false`",
        own if own == attr.millis_key => "a whole number of milliseconds, as an integer literal",
        _ => "the path of the taskscope crate",
    }
}

/// A valid value of `key`, for errors.
fn example(attr: &Attr, key: &str) -> &'static str {
    match key {
        "flavor" => "\"multi_thread\"",
        "worker_threads" => "2",
        "start_paused" => "true",
        own if own == attr.millis_key => "2000",
        _ => "::my_reexport::taskscope",
    }
}

impl Flavor {
    /// The tokio builder constructor for this flavor.
    pub(crate) fn constructor(self, span: Span) -> Ident {
        let name = match self {
            Flavor::CurrentThread => "new_current_thread",
            Flavor::MultiThread => "new_multi_thread",
        };
        Ident::new(name, span)
    }
}
