// Snapshot of `#[scoped]` on:
//
// async fn untouched() {
//     fn helper() -> tokio::task::JoinHandle<()> {
//         tokio::spawn(async {})
//     }
//     struct Worker;
//     impl Worker {
//         fn start(&self) {
//             std::thread::spawn(|| {});
//         }
//     }
//     macro_rules! detach {
//         ($e:expr) => {
//             tokio::spawn($e)
//         };
//     }
//     #[detached(reason = "the metrics flusher must outlive the request")]
//     std::thread::spawn(flush_metrics);
//     #[detached(reason = "handed to the runtime on purpose")]
//     let handle = tokio::spawn(background());
//     let spawn = my::spawn(x());
//     self::spawn_blocking(|| y());
//     scope.spawn(z());
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn untouched() {
    let __taskscope_scope = ::taskscope::__private::builder("untouched").build();
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<()>();
        }
        fn helper() -> tokio::task::JoinHandle<()> {
            tokio::spawn(async {})
        }
        struct Worker;
        impl Worker {
            fn start(&self) {
                std::thread::spawn(|| {});
            }
        }
        macro_rules! detach {
            ($e:expr) => {
                tokio::spawn($e)
            };
        }
        std::thread::spawn(flush_metrics);
        let handle = tokio::spawn(background());
        let spawn = my::spawn(x());
        self::spawn_blocking(|| y());
        scope.spawn(z());
    };
    ::taskscope::__private::ValueRunner.run(__taskscope_scope, __taskscope_body).await
}
