// Snapshot of `#[scoped]` on:
//
// async fn serve(listener: Listener) -> ! {
//     #[uncancellable(reason = "the server accepts until the process exits")]
//     loop {
//         let conn = listener.accept().await;
//         tokio::spawn(handle(conn));
//     }
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn serve(listener: Listener) -> ! {
    let __taskscope_scope = ::taskscope::__private::builder("serve").build();
    let __taskscope_body = async move {
        loop {
            let conn = listener.accept().await;
            ::taskscope::__private::discard(::taskscope::__private::spawn(handle(conn)));
        }
    };
    ::taskscope::__private::ValueRunner.run(__taskscope_scope, __taskscope_body).await
}
