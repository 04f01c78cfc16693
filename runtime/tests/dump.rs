//! The live task tree: what `taskscope::dump()` shows of a three-level tree.

use std::time::Duration;

use taskscope::TaskScope;

/// The tree of this test's runtime only: tests run in parallel, each on its
/// own runtime, and the registry is process-wide.
fn this_runtime_tree() -> taskscope::registry::TaskTree {
    taskscope::dump().on_runtime(tokio::runtime::Handle::current().id())
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn dump_of_a_three_level_tree() {
    let server = TaskScope::builder().name("server").build();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    server.task_builder().name("accept").spawn(async move {
        let connection = TaskScope::builder().name("connection").build();
        connection
            .task_builder()
            .name("read")
            .spawn(async { taskscope::cancelled().await });
        connection.spawn(async { taskscope::cancelled().await });
        let _ = ready_tx.send(());
        connection.join().await
    });
    server.spawn_background(async { taskscope::cancelled().await });
    ready_rx.await.expect("the connection scope is up");
    tokio::time::advance(Duration::from_secs(2)).await;

    let tree = this_runtime_tree();
    let shown = tree.to_string();
    let expected = format!(
        "\
scope `server` created at {file}:15:54 (2.0s ago)
├── task `accept` spawned at {file}:17:42 (2.0s ago)
│   └── scope `connection` created at {file}:18:66 (2.0s ago)
│       ├── task `read` spawned at {file}:22:14 (2.0s ago)
│       └── task spawned at {file}:23:20 (2.0s ago)
└── task spawned at {file}:27:12 (2.0s ago, background)
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

/// A scope built inside another runtime's `block_on`, in a blocking child,
/// nests under that child's scope; each runtime's tree shows only the scopes
/// created on it, at any depth.
#[test]
fn each_runtime_sees_only_its_own_scopes_at_any_depth() {
    let build = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    };
    let (outer_runtime, inner_runtime) = (build(), std::sync::Arc::new(build()));
    let (outer_id, inner_id) = (outer_runtime.handle().id(), inner_runtime.handle().id());
    let inner_for_child = std::sync::Arc::clone(&inner_runtime);
    outer_runtime.block_on(async move {
        let outer = TaskScope::builder().name("outer").build();
        let (up, is_up) = tokio::sync::oneshot::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        outer.spawn_blocking(move || {
            inner_for_child.block_on(async {
                let inner = TaskScope::builder().name("inner").build();
                inner.spawn(async { taskscope::cancelled().await });
                let _ = up.send(());
                let _ = released.recv();
                // Joined on its own runtime, while that runtime still runs:
                // `outer` waits for the tasks of the scopes nested in it.
                inner.cancel();
                inner.join().await
            })
        });
        is_up.await.expect("the inner scope is up");

        let everything = taskscope::dump();
        let nested_names = |tree: &taskscope::registry::TaskTree| -> Vec<String> {
            tree.tasks()
                .map(|(path, _)| {
                    path.iter()
                        .map(|scope| scope.label())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .collect()
        };
        assert!(
            nested_names(&everything).contains(&String::from("outer/inner")),
            "unfiltered, `inner` nests under `outer`:\n{everything}"
        );
        let on_outer = taskscope::dump().on_runtime(outer_id);
        assert_eq!(
            nested_names(&on_outer),
            ["outer"],
            "the outer runtime sees its blocking child, not the inner scope:\n{on_outer}"
        );
        let on_inner = taskscope::dump().on_runtime(inner_id);
        assert_eq!(
            nested_names(&on_inner),
            ["inner"],
            "the inner runtime sees its scope, moved up to a root:\n{on_inner}"
        );

        release.send(()).expect("the blocking child waits");
        outer.join().await.expect("nothing failed");
    });
    drop(inner_runtime);
}
