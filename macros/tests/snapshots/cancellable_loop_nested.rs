// Snapshot of `#[scoped]` on:
//
// async fn spawns(mut rx: Receiver<Job>) {
//     #[cancellable_loop] while let Some(job) = rx.recv().await {
//         tokio::spawn(async move {
//             #[cancellable_loop]
//             loop {
//                 job.step().await;
//             }
//         });
//         let run = async { job.finish().await };
//         run.await;
//     }
//     #[uncancellable(reason = "drains what is left; the senders are gone by now")]
//     while let Some(job) = rx.recv().await {
//         job.finish().await;
//     }
//     loop {
//         tokio::select! {
//             _ = taskscope::cancelled() => break, job = rx.recv() => drop(job),
//         }
//     }
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn spawns(mut rx: Receiver<Job>) {
    let __taskscope_scope = ::taskscope::__private::builder("spawns").build();
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<()>();
        }
        {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            '__taskscope_cancellable: while let Some(job) = match __taskscope_cancel
                .guard(rx.recv())
                .await
            {
                ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                ::core::result::Result::Err(_) => break '__taskscope_cancellable,
            } {
                ::taskscope::__private::discard(
                    ::taskscope::__private::spawn(async move {
                        {
                            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
                            '__taskscope_cancellable: loop {
                                match __taskscope_cancel.guard(job.step()).await {
                                    ::core::result::Result::Ok(__taskscope_value) => {
                                        __taskscope_value
                                    }
                                    ::core::result::Result::Err(_) => {
                                        break '__taskscope_cancellable;
                                    }
                                };
                            }
                        }
                    }),
                );
                let run = async { job.finish().await };
                match __taskscope_cancel.guard(run).await {
                    ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                    ::core::result::Result::Err(_) => break '__taskscope_cancellable,
                };
            }
        }
        while let Some(job) = rx.recv().await {
            job.finish().await;
        }
        loop {
            tokio::select! {
                _ = taskscope::cancelled() => break, job = rx.recv() => drop(job),
            }
        }
    };
    ::taskscope::__private::ValueRunner.run(__taskscope_scope, __taskscope_body).await
}
