// Snapshot of `#[scoped]` on:
//
// async fn first_big(mut rx: Receiver<u64>) -> Option<u64> {
//     let small = #[cancellable_loop]
//     loop {
//         let n = rx.recv().await?;
//         if n < 10 {
//             break n;
//         }
//     };
//     #[cancellable_loop(return)] while let Some(n) = rx.recv().await {
//         if n == small {
//             break;
//         }
//     }
//     #[cancellable_loop]
//     loop {
//         let n = rx.recv().await?;
//         if n > 100 {
//             return Some(n);
//         }
//     }
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn first_big(mut rx: Receiver<u64>) -> Option<u64> {
    let __taskscope_scope = ::taskscope::__private::builder("first_big").build();
    #[allow(clippy::async_yields_async)]
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<Option<u64>>();
        }
        let small = {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            let __taskscope_on_cancel = ::taskscope::__private::OnCancel::on_cancel;
            loop {
                let n = match __taskscope_cancel.guard(rx.recv()).await {
                    ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                    ::core::result::Result::Err(_) => return __taskscope_on_cancel(),
                }?;
                if n < 10 {
                    break n;
                }
            }
        };
        {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            let __taskscope_on_cancel = ::taskscope::__private::OnCancel::on_cancel;
            while let Some(n) = match __taskscope_cancel.guard(rx.recv()).await {
                ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                ::core::result::Result::Err(_) => return __taskscope_on_cancel(),
            } {
                if n == small {
                    break;
                }
            }
        }
        {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            let __taskscope_on_cancel = ::taskscope::__private::OnCancel::on_cancel;
            loop {
                let n = match __taskscope_cancel.guard(rx.recv()).await {
                    ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                    ::core::result::Result::Err(_) => return __taskscope_on_cancel(),
                }?;
                if n > 100 {
                    return Some(n);
                }
            }
        }
    };
    let __taskscope_runner = {
        #[allow(unused_imports)]
        use ::taskscope::__private::{ViaResult as _, ViaValue as _};
        (&::taskscope::__private::Route::of(&__taskscope_body)).__taskscope_route()
    };
    __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
}
