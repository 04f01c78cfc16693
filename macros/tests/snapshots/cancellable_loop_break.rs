// Snapshot of `#[scoped]` on:
//
// async fn pump(mut rx: Receiver<u64>, tx: Sender<u64>) {
//     #[cancellable_loop] while let Some(item) = rx.recv().await {
//         if item == 0 {
//             continue;
//         }
//         tx.send(item).await.ok();
//     }
//     #[cancellable_loop]
//     'outer: loop {
//         let batch = next_batch().await;
//         for item in batch {
//             if item == 0 {
//                 break 'outer;
//             }
//             while !ready(item) {
//                 tokio::time::sleep(TICK).await;
//             }
//         }
//     }
//     cleanup().await;
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn pump(mut rx: Receiver<u64>, tx: Sender<u64>) {
    let __taskscope_scope = ::taskscope::__private::builder("pump").build();
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<()>();
        }
        {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            '__taskscope_cancellable: while let Some(item) = match __taskscope_cancel
                .guard(rx.recv())
                .await
            {
                ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                ::core::result::Result::Err(_) => break '__taskscope_cancellable,
            } {
                if item == 0 {
                    continue;
                }
                match __taskscope_cancel.guard(tx.send(item)).await {
                    ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                    ::core::result::Result::Err(_) => break '__taskscope_cancellable,
                }
                    .ok();
            }
        }
        {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            'outer: loop {
                let batch = match __taskscope_cancel.guard(next_batch()).await {
                    ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                    ::core::result::Result::Err(_) => break 'outer,
                };
                for item in batch {
                    if item == 0 {
                        break 'outer;
                    }
                    while !ready(item) {
                        match __taskscope_cancel.guard(tokio::time::sleep(TICK)).await {
                            ::core::result::Result::Ok(__taskscope_value) => {
                                __taskscope_value
                            }
                            ::core::result::Result::Err(_) => break 'outer,
                        };
                    }
                }
            }
        }
        cleanup().await;
    };
    ::taskscope::__private::ValueRunner.run(__taskscope_scope, __taskscope_body).await
}
