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

const LOOP_ARGS: &[&str] = &[
    "",
    "return",
    "return = ",
    "return return",
    "token",
    "token = ",
    "token = &scope",
    "token = &scope, return, crate = ::taskscope",
    "crate = \"\"",
    "=",
    "(x)",
];

const LOOP_ITEMS: &[&str] = &[
    "async fn f() { #[cancellable_loop] }",
    "async fn f() { #[cancellable_loop] loop }",
    "async fn f() { #[cancellable_loop] loop {} }",
    "async fn f() { #[cancellable_loop(return)] loop { x.await } }",
    "async fn f() { #[cancellable_loop(token)] while x.await {} }",
    "async fn f() { #[cancellable_loop] let x = loop { break x.await.await; }; }",
    "async fn f() { #[cancellable_loop] let x = loop { x.await } else { return }; }",
    "async fn f() { let x = #[cancellable_loop] 'a: loop { break 'a x.await; }; }",
    "async fn f() { #[cancellable_loop] for x in y.await { z.await } }",
    "async fn f() { #[cancellable_loop] loop { select! {} } }",
    "async fn f() { #[cancellable_loop] loop { select! { biased; } } }",
    "async fn f() { #[cancellable_loop] loop { select! { x = => } } }",
    "async fn f() { #[cancellable_loop] loop { tokio::select! { | a | b = f() => {} else => {} } } }",
    "async fn f() { #[cancellable_loop] loop { select! { x = y, if z => w } } }",
    "async fn f() { #[cancellable_loop] loop { tokio::join!() } }",
    "async fn f() { #[cancellable_loop] loop { tokio::join!(biased; a, b) } }",
    "async fn f() { #[cancellable_loop] loop { try_join!(a.await, b) } }",
    "async fn f() { #[cancellable_loop] loop { m!(x.await) } }",
    "async fn f() { #[cancellable_loop] loop { #[cancellable_loop] loop { x.await } } }",
    "async fn f() { #[uncancellable] #[cancellable_loop] loop { x.await } }",
    "async fn f() { #[uncancellable(reason = \"\")] loop { async { loop { x.await } } } }",
    "async fn f() { loop { x.await } }",
    "async fn f() -> ! { loop { x.await } }",
    "async fn f() { #[detached(reason = \"x\")] loop { x.await } }",
    "#[scoped] async fn f() { loop { x.await } }",
    "#[scoped(limit = )] async fn f() { loop { x.await } }",
    "#[cancellable_loop] async fn f() { loop { x.await } }",
    "#[cancellable_loop = 1] async fn f() { loop { x.await } }",
    "#[tokio::main] fn f() { block_on(async { loop { x.await } }) }",
];

#[test]
fn cancellable_loops_never_panic_and_always_parse() {
    for args in LOOP_ARGS {
        for item in LOOP_ITEMS.iter().chain(ITEMS) {
            let args_tokens: TokenStream = args.parse().expect("the args are tokens");
            let item_tokens: TokenStream = item.parse().expect("the item is tokens");
            for (name, expand) in [
                (
                    "cancellable_loop",
                    crate::cancellable_loop::expand as fn(TokenStream, TokenStream) -> TokenStream,
                ),
                ("scoped", crate::scoped::expand),
            ] {
                let output =
                    std::panic::catch_unwind(|| expand(args_tokens.clone(), item_tokens.clone()))
                        .unwrap_or_else(|_| panic!("panicked on #[{name}({args})] {item}"));
                if let Err(error) = syn::parse2::<syn::File>(output.clone()) {
                    let original_parses = syn::parse_str::<syn::File>(item).is_ok();
                    assert!(
                        !original_parses,
                        "#[{name}({args})] {item} expanded to tokens that do not parse ({error}): {output}"
                    );
                }
            }
        }
    }
}
