// Snapshot of `#[scoped]` on:
//
// /// Counts the pages.
// pub async fn count(urls: Vec<String>) -> usize {
//     #![allow(clippy::needless_collect)]
//     let handles: Vec<_> = urls.into_iter().map(|url| tokio::spawn(fetch(url))).collect();
//     tokio::spawn(async { audit().await });
//     let mut total = 0;
//     for handle in handles {
//         total += handle.await.unwrap();
//     }
//     total
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

/// Counts the pages.
pub async fn count(urls: Vec<String>) -> usize {
    #![allow(clippy::needless_collect)]
    let __taskscope_scope = ::taskscope::__private::builder("count").build();
    #[allow(clippy::async_yields_async)]
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<usize>();
        }
        let handles: Vec<_> = urls
            .into_iter()
            .map(|url| ::taskscope::__private::spawn(fetch(url)))
            .collect();
        ::taskscope::__private::discard(
            ::taskscope::__private::spawn(async { audit().await }),
        );
        let mut total = 0;
        for handle in handles {
            total += handle.await.unwrap();
        }
        total
    };
    let __taskscope_runner = {
        #[allow(unused_imports)]
        use ::taskscope::__private::{ViaResult as _, ViaValue as _};
        (&::taskscope::__private::Route::of(&__taskscope_body)).__taskscope_route()
    };
    __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
}
