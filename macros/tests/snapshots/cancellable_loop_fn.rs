// Snapshot of `#[cancellable_loop(token = &self.scope)]` on:
//
// async fn run(&self, mut rx: Receiver<u64>) -> Option<u64> {
//     let mut total = 0;
//     while let Some(n) = rx.recv().await {
//         total += n;
//         let tick = || async {
//             loop {
//                 sleep(TICK).await;
//             }
//         };
//     }
//     loop {
//         total += rx.recv().await?;
//     }
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn run(&self, mut rx: Receiver<u64>) -> Option<u64> {
    let __taskscope_token = ::taskscope::__private::Cancellation::from(&self.scope);
    let mut total = 0;
    {
        let __taskscope_cancel = &__taskscope_token;
        '__taskscope_cancellable: while let Some(n) = match __taskscope_cancel
            .guard(rx.recv())
            .await
        {
            ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
            ::core::result::Result::Err(_) => break '__taskscope_cancellable,
        } {
            total += n;
            let tick = || async {
                {
                    let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
                    '__taskscope_cancellable: loop {
                        match __taskscope_cancel.guard(sleep(TICK)).await {
                            ::core::result::Result::Ok(__taskscope_value) => {
                                __taskscope_value
                            }
                            ::core::result::Result::Err(_) => {
                                break '__taskscope_cancellable;
                            }
                        };
                    }
                }
            };
        }
    }
    {
        let __taskscope_cancel = &__taskscope_token;
        let __taskscope_on_cancel = ::taskscope::__private::OnCancel::on_cancel;
        loop {
            total
                += match __taskscope_cancel.guard(rx.recv()).await {
                    ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                    ::core::result::Result::Err(_) => return __taskscope_on_cancel(),
                }?;
        }
    }
}
