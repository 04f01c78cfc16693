// Snapshot of `#[scoped]` on:
//
// async fn relay(mut rx: Receiver<u64>, tx: Sender<u64>, token: CancellationToken) {
//     #[cancellable_loop]
//     loop {
//         tokio::select! {
//             Some(v) = rx.recv() => { tx.send(v). await .ok(); } () =
//             tokio::time::sleep(TICK) => continue, else => break,
//         }
//         select! {
//             biased; v = rx.recv() => drop(v),
//         }
//         let (a, b) = tokio::join!(ping(), pong());
//         tokio::select! {
//             _ = token.cancelled() => break, v = rx.recv() => drop(v),
//         }
//     }
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn relay(mut rx: Receiver<u64>, tx: Sender<u64>, token: CancellationToken) {
    let __taskscope_scope = ::taskscope::__private::builder("relay").build();
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<()>();
        }
        {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            let __taskscope_on_cancel = ::taskscope::__private::OnCancel::on_cancel;
            loop {
                tokio::select! {
                    ::core::result::Result::Ok(Some(v)) = __taskscope_cancel.guard(rx
                    .recv()) => { match __taskscope_cancel.guard(tx.send(v)). await {
                    ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                    ::core::result::Result::Err(_) => return __taskscope_on_cancel(), }
                    .ok(); }, ::core::result::Result::Ok(()) = __taskscope_cancel
                    .guard(tokio::time::sleep(TICK)) => continue, else => if
                    __taskscope_cancel.is_cancelled() { return __taskscope_on_cancel() }
                    else { break },
                }
                select! {
                    biased; ::core::result::Result::Ok(v) = __taskscope_cancel.guard(rx
                    .recv()) => drop(v), else => if __taskscope_cancel.is_cancelled() {
                    return __taskscope_on_cancel() } else {
                    ::core::panic!("all branches are disabled and there is no else branch")
                    },
                }
                let (a, b) = {
                    let (__taskscope_future_0, __taskscope_future_1) = (ping(), pong());
                    match __taskscope_cancel
                        .guard(async {
                            tokio::join!(__taskscope_future_0, __taskscope_future_1)
                        })
                        .await
                    {
                        ::core::result::Result::Ok(__taskscope_value) => {
                            __taskscope_value
                        }
                        ::core::result::Result::Err(_) => return __taskscope_on_cancel(),
                    }
                };
                tokio::select! {
                    _ = token.cancelled() => break, v = rx.recv() => drop(v),
                }
            }
        }
    };
    ::taskscope::__private::ValueRunner.run(__taskscope_scope, __taskscope_body).await
}
