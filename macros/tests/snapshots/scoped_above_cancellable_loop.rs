// Snapshot of `#[scoped(limit = 2)]` on:
//
// #[cancellable_loop(return)]
// ///x
// async fn run(mut rx: Receiver<u64>) -> Option<u64> {
//     while let Some(n) = rx.recv().await {
//         tokio::spawn(work(n));
//     }
//     None
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

///x
async fn run(mut rx: Receiver<u64>) -> Option<u64> {
    let __taskscope_scope = ::taskscope::__private::builder("run")
        .limit(::taskscope::__private::limit(2))
        .build();
    #[allow(clippy::async_yields_async)]
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<Option<u64>>();
        }
        {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            let __taskscope_on_cancel = ::taskscope::__private::OnCancel::on_cancel;
            while let Some(n) = match __taskscope_cancel.guard(rx.recv()).await {
                ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                ::core::result::Result::Err(_) => return __taskscope_on_cancel(),
            } {
                ::taskscope::__private::discard(::taskscope::__private::spawn(work(n)));
            }
        }
        None
    };
    let __taskscope_runner = {
        #[allow(unused_imports)]
        use ::taskscope::__private::{ViaResult as _, ViaValue as _};
        (&::taskscope::__private::Route::of(&__taskscope_body)).__taskscope_route()
    };
    __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
}
