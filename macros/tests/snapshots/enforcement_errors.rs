// Snapshot of `#[scoped]` on:
//
// async fn detaches() {
//     std::thread::spawn(|| {});
//     thread::spawn(|| {});
//     std::thread::Builder::new().name("x".into()).spawn(|| {}).unwrap();
//     tokio::task::Builder::new().name("y").spawn(async {}).unwrap();
//     tokio::runtime::Handle::current().spawn(async {});
//     rt.spawn_blocking(|| {});
//     tokio::runtime::Handle::spawn(&handle, async {});
//     std::mem::forget(scope);
//     tokio::join!(async { std::thread::spawn(|| {}); });
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn detaches() {
    let __taskscope_scope = ::taskscope::__private::builder("detaches").build();
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<()>();
        }
        std::thread::spawn(|| {});
        thread::spawn(|| {});
        std::thread::Builder::new().name("x".into()).spawn(|| {}).unwrap();
        tokio::task::Builder::new().name("y").spawn(async {}).unwrap();
        tokio::runtime::Handle::current().spawn(async {});
        rt.spawn_blocking(|| {});
        tokio::runtime::Handle::spawn(&handle, async {});
        std::mem::forget(scope);
        tokio::join!(async { std::thread::spawn(| | {}); });
    };
    ::taskscope::__private::ValueRunner.run(__taskscope_scope, __taskscope_body).await
}
::core::compile_error! {
    "`thread::spawn` starts a thread that outlives this `#[scoped]` fn: run blocking work with `tokio::task::spawn_blocking` (it joins with the fn's scope) or use `std::thread::scope`; to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement"
}
::core::compile_error! {
    "`thread::spawn` starts a thread that outlives this `#[scoped]` fn: run blocking work with `tokio::task::spawn_blocking` (it joins with the fn's scope) or use `std::thread::scope`; to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement"
}
::core::compile_error! {
    "`thread::Builder::spawn` starts a thread that outlives this `#[scoped]` fn: use `Builder::spawn_scoped` inside `std::thread::scope`, or `tokio::task::spawn_blocking` (it joins with the fn's scope); to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement"
}
::core::compile_error! {
    "`tokio::task::Builder::spawn` starts a tokio task detached from this `#[scoped]` fn: use `tokio::spawn` (redirected into the fn's scope), or a named child `taskscope::current()` `.task_builder().name(..).spawn(..)`; to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement"
}
::core::compile_error! {
    "`spawn` on a tokio `Runtime` or `Handle` starts a task detached from this `#[scoped]` fn: use `tokio::spawn` or `tokio::task::spawn_blocking` (redirected into the fn's scope); to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement"
}
::core::compile_error! {
    "`spawn_blocking` on a tokio `Runtime` or `Handle` starts a task detached from this `#[scoped]` fn: use `tokio::spawn` or `tokio::task::spawn_blocking` (redirected into the fn's scope); to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement"
}
::core::compile_error! {
    "`Handle::spawn` on a tokio `Runtime` or `Handle` starts a task detached from this `#[scoped]` fn: use `tokio::spawn` or `tokio::task::spawn_blocking` (redirected into the fn's scope); to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement"
}
::core::compile_error! {
    "`mem::forget` in a `#[scoped]` fn can leak a `TaskScope` or a `TaskHandle`, whose tasks would then never be joined: drop the value instead; if what is forgotten holds no task, put `#[detached(reason = \"...\")]` on the statement"
}
::core::compile_error! {
    "`thread::spawn` starts a thread that outlives this `#[scoped]` fn: run blocking work with `tokio::task::spawn_blocking` (it joins with the fn's scope) or use `std::thread::scope`; to let it outlive the fn on purpose, put `#[detached(reason = \"...\")]` on the statement"
}
