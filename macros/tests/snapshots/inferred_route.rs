// Snapshot of `#[scoped]` on:
//
// async fn render(id: u32) -> AppResult<impl std::fmt::Display + Send> {
//     let page = tokio::spawn(async move { id * 2 });
//     Ok(page.await.unwrap())
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn render(id: u32) -> AppResult<impl std::fmt::Display + Send> {
    let __taskscope_scope = ::taskscope::__private::builder("render").build();
    #[allow(clippy::async_yields_async)]
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<AppResult<_>>();
        }
        let page = ::taskscope::__private::spawn(async move { id * 2 });
        Ok(page.await.unwrap())
    };
    let __taskscope_runner = {
        #[allow(unused_imports)]
        use ::taskscope::__private::{ViaResult as _, ViaValue as _};
        (&::taskscope::__private::Route::of(&__taskscope_body)).__taskscope_route()
    };
    __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
}
