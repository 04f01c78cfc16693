//! The live task tree: what `taskscope::dump()` shows of a three-level tree.

use std::time::Duration;

use taskscope::TaskScope;

/// The tree of this test's runtime only: tests run in parallel, each on its
/// own runtime, and the registry is process-wide.
fn this_runtime_tree() -> taskscope::TaskTree {
    taskscope::dump().on_runtime(tokio::runtime::Handle::current().id())
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn dump_of_a_three_level_tree() {
    let server = TaskScope::builder().name("server").build();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    server
        .task()
        .name("accept")
        .spawn(async move {
            let connection = TaskScope::builder().name("connection").build();
            connection
                .task()
                .name("read")
                .spawn(async { taskscope::cancelled().await })
                .expect("open");
            connection.spawn(async { taskscope::cancelled().await });
            let _ = ready_tx.send(());
            connection.join().await
        })
        .expect("open");
    server.spawn_background(async { taskscope::cancelled().await });
    ready_rx.await.expect("the connection scope is up");
    tokio::time::advance(Duration::from_secs(2)).await;

    let tree = this_runtime_tree();
    let shown = tree.to_string();
    let expected = format!(
        "\
scope `server` created at {file}:15:54 (2.0s ago)
├── task `accept` spawned at {file}:20:10 (2.0s ago)
│   └── scope `connection` created at {file}:21:70 (2.0s ago)
│       ├── task `read` spawned at {file}:25:18 (2.0s ago)
│       └── task spawned at {file}:27:24 (2.0s ago)
└── task spawned at {file}:32:12 (2.0s ago, background)
",
        file = file!()
    );
    assert_eq!(shown, expected);

    let paths: Vec<String> = tree
        .tasks()
        .map(|(path, task)| {
            let path: Vec<String> = path.iter().map(|scope| scope.label()).collect();
            format!("{}: {}", path.join("/"), task.name().unwrap_or("-"))
        })
        .collect();
    assert_eq!(
        paths,
        [
            "server: accept",
            "server/connection: read",
            "server/connection: -",
            "server: -"
        ]
    );

    server.cancel();
    server.join().await.expect("cancellation is not a failure");
    let after = this_runtime_tree();
    assert!(
        after.has_no_tasks(),
        "joined scopes leave no task behind:\n{after}"
    );
    assert!(
        after.roots().is_empty(),
        "joined scopes leave the registry:\n{after}"
    );
}
