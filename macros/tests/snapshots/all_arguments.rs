// Snapshot of `#[scoped(name = scope, crate = "my_runtime::taskscope", supervise, limit = 8, timeout = Duration::from_millis(ms), grace_period = Duration::from_millis(ms / 10))]` on:
//
// async fn crawl(ms: u64, seeds: Vec<Url>) -> Result<(), CrawlError> {
//     for seed in seeds {
//         scope.spawn(visit(seed))?;
//     }
//     Ok(())
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn crawl(ms: u64, seeds: Vec<Url>) -> Result<(), CrawlError> {
    let __taskscope_scope = my_runtime::taskscope::__private::builder("crawl")
        .supervise()
        .limit(my_runtime::taskscope::__private::limit(8))
        .timeout(my_runtime::taskscope::__private::timeout(Duration::from_millis(ms)))
        .grace_period(
            my_runtime::taskscope::__private::grace_period(
                Duration::from_millis(ms / 10),
            ),
        )
        .build();
    let scope = my_runtime::taskscope::__private::handle(&__taskscope_scope);
    let __taskscope_body = async move {
        if false {
            return my_runtime::taskscope::__private::never::<Result<(), CrawlError>>();
        }
        for seed in seeds {
            scope.spawn(visit(seed))?;
        }
        Ok(())
    };
    let __taskscope_runner = my_runtime::taskscope::__private::result_runner(
        &__taskscope_body,
    );
    __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
}
