//! Inputs no one writes on purpose, but an IDE sends while the user types:
//! the expansion must not panic, and must still produce tokens that parse
//! (the item, as written or expanded, followed by `compile_error!`s).

use proc_macro2::TokenStream;

const ARGS: &[&str] = &[
    "",
    ",",
    ",,,",
    "= = =",
    "name",
    "name =",
    "name = ,",
    "name = 1",
    "name = _",
    "name = r#type",
    "crate",
    "crate = ::",
    "crate = \"\"",
    "crate = \"::\"",
    "crate = self",
    "limit = 99999999999999999999999999999",
    "limit = 1.5",
    "limit = 8u8",
    "limit = { 1 }",
    "timeout",
    "timeout = ",
    "timeout = \"5s\"",
    "supervise = ",
    "supervise supervise",
    "limit = 1 limit = 2",
    "name = a, name = b, name = c",
    "(nested)",
    "#",
    "'a",
];

const ITEMS: &[&str] = &[
    "",
    "async",
    "pub",
    "#[doc = \"x\"]",
    "async fn",
    "async fn f",
    "async fn f()",
    "async fn f();",
    "async fn f() {}",
    "async fn f() -> {}",
    "fn f() {}",
    "const async fn f() {}",
    "unsafe extern \"C\" fn f(x: i32, ...) {}",
    "impl X {}",
    "struct S;",
    "async fn f() { #[detached] }",
    "async fn f() { #[detached(reason = \"x\")] }",
    "async fn f() { tokio::spawn }",
    "async fn f() { tokio::spawn; }",
    "async fn f() { tokio:: }",
    "async fn f() { m!(tokio::spawn ::) }",
    "async fn f() { m!(:: tokio :: spawn) }",
    "async fn f() { m!(. tokio::spawn) }",
    "async fn f() { m!{ { tokio::spawn(x); } [tokio::spawn] } }",
    "async fn f() { Handle::current().spawn }",
    "async fn f() -> impl Tr<impl Tr2> + 'static { x }",
    "async fn f() -> ! { loop {} }",
    "async fn f() -> Result<!, E> { loop {} }",
    "async fn f() -> () {}",
    "async fn f(self: Pin<&mut Self>) -> Self::Output { todo!() }",
];

#[test]
fn odd_inputs_never_panic_and_always_parse() {
    for args in ARGS {
        for item in ITEMS {
            let args_tokens: TokenStream = args.parse().expect("the args are tokens");
            let item_tokens: TokenStream = item.parse().expect("the item is tokens");
            let output = std::panic::catch_unwind(|| {
                crate::scoped::expand(args_tokens.clone(), item_tokens.clone())
            })
            .unwrap_or_else(|_| panic!("panicked on #[scoped({args})] {item}"));
            let wrapped = quote::quote!(impl X { #output });
            if let Err(error) = syn::parse2::<syn::File>(output.clone())
                .map(drop)
                .or_else(|_| syn::parse2::<syn::ItemImpl>(wrapped).map(drop))
            {
                // An input that was not an item to begin with comes back as
                // it was, beside the error: it only has to be tokens.
                let original_parses = syn::parse_str::<syn::File>(item).is_ok();
                assert!(
                    !original_parses,
                    "#[scoped({args})] {item} expanded to tokens that do not parse ({error}): {output}"
                );
            }
        }
    }
}
