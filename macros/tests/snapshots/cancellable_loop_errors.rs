// Snapshot of `#[scoped]` on:
//
// async fn unarmed(mut rx: Receiver<u64>) {
//     loop {
//         rx.recv().await;
//     }
//     while ready().await {}
//     while let Some(v) = rx.recv().await {
//         while let Some(w) = rx.recv().await {}
//     }
//     for v in 0..3 {
//         rx.recv().await;
//     }
//     #[uncancellable]
//     loop {
//         rx.recv().await;
//     }
//     #[cancellable_loop(retrun, token)]
//     loop {
//         rx.recv().await;
//     }
//     #[cancellable_loop]
//     let x = 1;
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn unarmed(mut rx: Receiver<u64>) {
    let __taskscope_scope = ::taskscope::__private::builder("unarmed").build();
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<()>();
        }
        loop {
            rx.recv().await;
        }
        while ready().await {}
        while let Some(v) = rx.recv().await {
            while let Some(w) = rx.recv().await {}
        }
        for v in 0..3 {
            rx.recv().await;
        }
        loop {
            rx.recv().await;
        }
        {
            let __taskscope_cancel = ::taskscope::__private::Cancellation::current();
            '__taskscope_cancellable: loop {
                match __taskscope_cancel.guard(rx.recv()).await {
                    ::core::result::Result::Ok(__taskscope_value) => __taskscope_value,
                    ::core::result::Result::Err(_) => break '__taskscope_cancellable,
                };
            }
        }
        let x = 1;
    };
    ::taskscope::__private::ValueRunner.run(__taskscope_scope, __taskscope_body).await
}
::core::compile_error! {
    "this loop awaits, but nothing ends it when the scope is cancelled: put `#[cancellable_loop]` on it (each `.await` in it is raced against the scope's cancellation), or add a `select!` arm on `taskscope::cancelled()`, or opt out with `#[uncancellable(reason = \"...\")]`"
}
::core::compile_error! {
    "this loop awaits, but nothing ends it when the scope is cancelled: put `#[cancellable_loop]` on it (each `.await` in it is raced against the scope's cancellation), or add a `select!` arm on `taskscope::cancelled()`, or opt out with `#[uncancellable(reason = \"...\")]`"
}
::core::compile_error! {
    "this loop awaits, but nothing ends it when the scope is cancelled: put `#[cancellable_loop]` on it (each `.await` in it is raced against the scope's cancellation), or add a `select!` arm on `taskscope::cancelled()`, or opt out with `#[uncancellable(reason = \"...\")]`"
}
::core::compile_error! {
    "`#[uncancellable]` needs a reason: `#[uncancellable(reason = \"why this loop may outlive a cancellation\")]`"
}
::core::compile_error! {
    "unknown `#[cancellable_loop]` argument `retrun` (did you mean `return`?): expected one of `return`, `token`"
}
::core::compile_error! {
    "`token` takes a value: `token = &scope`"
}
::core::compile_error! {
    "`#[cancellable_loop]` goes on a loop (`loop`, `while`, `while let`, `for`) of a `#[scoped]` fn, or on an `async fn`: there is no loop here"
}
