// Snapshot of `#[scoped(limit = 0, timeout = 5, supervise = true, bogus, limit = 2, name = "scope")]` on:
//
// async fn f() -> u8 {
//     tokio::spawn(async {});
//     1
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn f() -> u8 {
    let __taskscope_scope = ::taskscope::__private::builder("f")
        .limit(::taskscope::__private::limit(2))
        .build();
    #[allow(clippy::async_yields_async)]
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<u8>();
        }
        ::taskscope::__private::discard(::taskscope::__private::spawn(async {}));
        1
    };
    let __taskscope_runner = {
        #[allow(unused_imports)]
        use ::taskscope::__private::{ViaResult as _, ViaValue as _};
        (&::taskscope::__private::Route::of(&__taskscope_body)).__taskscope_route()
    };
    __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
}
::core::compile_error! {
    "`limit` must be at least 1: a scope without a slot could never run a child"
}
::core::compile_error! {
    "`timeout` takes a `std::time::Duration`, e.g. `timeout = Duration::from_secs(5)`"
}
::core::compile_error! {
    "`supervise` takes no value: write `#[scoped(supervise)]`"
}
::core::compile_error! {
    "unknown `#[scoped]` argument `bogus`: expected one of `name`, `crate`, `supervise`, `limit`, `timeout`, `grace_period`"
}
::core::compile_error! {
    "`name` takes an identifier, not a string: `name = scope`"
}
