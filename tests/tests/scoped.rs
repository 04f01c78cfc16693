//! Behaviour of `#[scoped]` functions: every exit joins (or cancels and
//! joins) the children, dropping the future aborts them, failures reach the
//! result, scopes nest, and redirected spawns land in the fn's scope.
//!
//! Each case runs under both runtime flavors (`current_thread`, and
//! `multi_thread` with two workers), bounded in time, and ends with the
//! runtime's `num_alive_tasks()` back to where it started (polled for a
//! bounded grace, since the multi-thread count lags).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use taskscope::{scoped, ScopeError, TaskHandle};

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::{Flag, ALIVE_TASKS_GRACE};

on_both_runtimes!(
    early_question_mark_cancels_and_joins_the_children,
    body_panic_cancels_joins_then_resumes,
    child_panic_is_resumed_after_the_join,
    dropping_the_future_aborts_the_children,
    child_failure_becomes_the_err,
    child_failure_through_an_alias_becomes_the_err,
    child_failure_in_a_value_fn_panics_with_the_scope_error,
    value_fn_waits_for_its_children,
    a_handle_returned_out_of_a_scoped_fn_is_of_a_finished_child,
    nested_scoped_fns_form_a_tree,
    helper_spawn_lands_in_the_callers_scope,
    redirected_blocking_and_local_children_are_joined,
    dropped_handle_is_joined_anyway,
    detached_statement_really_detaches,
    escaping_closure_spawns_where_it_is_called,
    escaping_closure_outside_any_scope_panics,
    named_binding_is_the_fns_scope,
    supervise_keeps_siblings_running,
    limit_bounds_concurrent_children,
    timeout_elapses_into_the_err,
    timeout_of_a_fn_returning_a_result_alias_elapses_into_the_err,
);

#[derive(Debug)]
enum AppError {
    Input,
    Scope(ScopeError),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Input => f.write_str("bad input"),
            AppError::Scope(error) => write!(f, "{error}"),
        }
    }
}

impl From<ScopeError> for AppError {
    fn from(error: ScopeError) -> Self {
        AppError::Scope(error)
    }
}

type AppResult<T> = Result<T, AppError>;

fn parse(input: &str) -> Result<u8, AppError> {
    input.parse().map_err(|_| AppError::Input)
}

/// The message of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------

#[scoped]
async fn start_then_fail(input: &str, cancelled: Flag) -> AppResult<u8> {
    tokio::spawn(async move {
        taskscope::cancelled().await;
        cancelled.set();
    });
    let n = parse(input)?;
    Ok(n)
}

async fn early_question_mark_cancels_and_joins_the_children() {
    let cancelled = Flag::default();
    let result = start_then_fail("not a number", cancelled.clone()).await;
    assert!(
        matches!(result, Err(AppError::Input)),
        "the body's own error"
    );
    assert!(
        cancelled.is_set(),
        "the child was cancelled and had finished when the fn returned"
    );
}

#[scoped]
async fn start_then_panic(cancelled: Flag) {
    tokio::spawn(async move {
        taskscope::cancelled().await;
        cancelled.set();
    });
    tokio::task::yield_now().await;
    panic!("the body gave up");
}

async fn body_panic_cancels_joins_then_resumes() {
    let cancelled = Flag::default();
    let outcome = tokio::spawn(start_then_panic(cancelled.clone())).await;
    let payload = outcome.expect_err("the fn panicked").into_panic();
    assert_eq!(panic_message(&*payload), "the body gave up");
    assert!(
        cancelled.is_set(),
        "the child ended before the panic went on"
    );
}

#[scoped]
async fn child_panics(sibling_done: Flag) -> AppResult<()> {
    // (A child that only panics needs a type: `!` is not a `TaskOutput`.)
    tokio::spawn(async {
        if true {
            panic!("the child gave up");
        }
    });
    tokio::spawn(async move {
        taskscope::cancelled().await;
        sibling_done.set();
    });
    Ok(())
}

async fn child_panic_is_resumed_after_the_join() {
    let sibling_done = Flag::default();
    let outcome = tokio::spawn(child_panics(sibling_done.clone())).await;
    let payload = outcome.expect_err("the child's panic").into_panic();
    assert_eq!(panic_message(&*payload), "the child gave up");
    assert!(
        sibling_done.is_set(),
        "the sibling was cancelled and joined"
    );
}

#[scoped]
async fn hangs(children_dropped: Arc<AtomicUsize>) -> AppResult<()> {
    for _ in 0..3 {
        let guard = Flag::default().set_on_drop();
        let dropped = Arc::clone(&children_dropped);
        tokio::spawn(async move {
            let _guard = guard;
            struct Count(Arc<AtomicUsize>);
            impl Drop for Count {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            let _count = Count(dropped);
            std::future::pending::<()>().await;
        });
    }
    std::future::pending::<()>().await;
    Ok(())
}

async fn dropping_the_future_aborts_the_children() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let outcome =
        tokio::time::timeout(Duration::from_millis(20), hangs(Arc::clone(&dropped))).await;
    assert!(outcome.is_err(), "the caller gave up");
    // The scope was dropped with the future: its children are aborted (on a
    // multi-thread runtime the abort lands a moment later).
    let deadline = Instant::now() + ALIVE_TASKS_GRACE;
    while dropped.load(Ordering::SeqCst) < 3 {
        assert!(Instant::now() < deadline, "the children were aborted");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[scoped]
async fn failing_child() -> Result<u8, AppError> {
    tokio::spawn(async { Err::<(), _>("disk full") });
    Ok(1)
}

async fn child_failure_becomes_the_err() {
    match failing_child().await {
        Err(AppError::Scope(error)) => {
            assert_eq!(error.scope_name(), Some("failing_child"));
            assert_eq!(error.downcast_ref::<&str>(), Some(&"disk full"));
        }
        other => panic!("expected the child's failure, got {other:?}"),
    }
}

#[scoped]
async fn failing_child_alias() -> AppResult<u8> {
    tokio::spawn(async { Err::<(), _>("disk full") });
    Ok(1)
}

async fn child_failure_through_an_alias_becomes_the_err() {
    // `AppResult` is not spelled `Result`: the route is found from the type.
    assert!(matches!(
        failing_child_alias().await,
        Err(AppError::Scope(_))
    ));
}

#[scoped]
async fn value_with_failing_child() -> u8 {
    tokio::spawn(async { Err::<(), _>("disk full") });
    1
}

async fn child_failure_in_a_value_fn_panics_with_the_scope_error() {
    let outcome = tokio::spawn(value_with_failing_child()).await;
    let message = panic_message(&*outcome.expect_err("it panicked").into_panic());
    assert!(
        message.contains("scope `value_with_failing_child` failed")
            && message.contains("disk full")
            && message.contains("does not return a `Result`"),
        "the panic explains itself: {message}"
    );
}

#[scoped]
async fn sleeps_in_children(done: Arc<AtomicUsize>) -> usize {
    for delay in [5, 10, 15] {
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            done.fetch_add(1, Ordering::SeqCst);
        });
    }
    3
}

async fn value_fn_waits_for_its_children() {
    let done = Arc::new(AtomicUsize::new(0));
    assert_eq!(sleeps_in_children(Arc::clone(&done)).await, 3);
    assert_eq!(done.load(Ordering::SeqCst), 3, "joined before returning");
}

#[scoped]
async fn starts_a_worker(done: Flag) -> TaskHandle<u8> {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        done.set();
        7
    })
}

/// Where the macro's reach stops (documented in the README): a `TaskHandle`
/// returned out of a `#[scoped]` fn is the handle of a child the fn has
/// already waited for, not of running work; the handle still yields its
/// value. Work that must outlive the call goes through the caller's scope.
async fn a_handle_returned_out_of_a_scoped_fn_is_of_a_finished_child() {
    let done = Flag::default();
    let started = Instant::now();
    let handle = starts_a_worker(done.clone()).await;
    assert!(done.is_set(), "the fn returned only after its child ended");
    assert!(started.elapsed() >= Duration::from_millis(20));
    assert!(handle.is_finished());
    assert_eq!(handle.await, Ok(7));
}

#[scoped]
async fn inner(grandchild_cancelled: Flag, inner_started: Flag) {
    tokio::spawn(async move {
        taskscope::cancelled().await;
        grandchild_cancelled.set();
    });
    inner_started.set();
}

#[scoped(name = scope)]
async fn outer(grandchild_cancelled: Flag) {
    let started = Flag::default();
    let child_started = started.clone();
    tokio::spawn(inner(grandchild_cancelled, child_started));
    #[cancellable_loop]
    while !started.is_set() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // Cancelling the outer scope reaches the scope of the inner fn, which
    // runs as the outer's child: the grandchild sees it.
    scope.cancel();
}

async fn nested_scoped_fns_form_a_tree() {
    let grandchild_cancelled = Flag::default();
    outer(grandchild_cancelled.clone()).await;
    assert!(grandchild_cancelled.is_set());
}

/// Not `#[scoped]`: it spawns into whatever scope calls it.
fn start_audit(done: Flag) {
    taskscope::spawn(async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        done.set();
    })
    .expect("called inside a scope");
}

#[scoped]
async fn calls_helper(done: Flag) -> Option<String> {
    start_audit(done);
    taskscope::current().and_then(|scope| scope.name().map(String::from))
}

async fn helper_spawn_lands_in_the_callers_scope() {
    let done = Flag::default();
    let name = calls_helper(done.clone()).await;
    assert_eq!(
        name.as_deref(),
        Some("calls_helper"),
        "the fn's scope is current"
    );
    assert!(done.is_set(), "the helper's child was joined with the fn");
}

#[scoped]
async fn blocking_and_local(blocking_done: Flag, local_done: Flag) -> u8 {
    tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(10));
        blocking_done.set();
    });
    let not_send = std::rc::Rc::new(2u8);
    let local = tokio::task::spawn_local(async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        local_done.set();
        *not_send
    });
    local.await.unwrap_or_default()
}

async fn redirected_blocking_and_local_children_are_joined() {
    let (blocking_done, local_done) = (Flag::default(), Flag::default());
    let local_set = tokio::task::LocalSet::new();
    let value = local_set
        .run_until(blocking_and_local(
            blocking_done.clone(),
            local_done.clone(),
        ))
        .await;
    assert_eq!(value, 2);
    assert!(blocking_done.is_set() && local_done.is_set());
}

#[scoped]
async fn drops_its_handle(done: Flag) {
    // `drop` of a redirected spawn's handle does not detach: the child stays
    // in the scope and is joined.
    drop(tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        done.set();
    }));
}

async fn dropped_handle_is_joined_anyway() {
    let done = Flag::default();
    drops_its_handle(done.clone()).await;
    assert!(done.is_set());
}

#[scoped]
async fn detaches() -> Option<tokio::task::JoinHandle<()>> {
    #[detached(reason = "the test aborts it after checking it outlived the fn")]
    let handle = tokio::spawn(std::future::pending::<()>());
    Some(handle)
}

async fn detached_statement_really_detaches() {
    let handle = detaches().await.expect("a handle");
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(!handle.is_finished(), "tokio's task outlived the fn");
    handle.abort();
    assert!(handle.await.expect_err("aborted").is_cancelled());
}

#[scoped]
async fn make_spawner() -> impl Fn() -> TaskHandle<u8> + Send + Sync + 'static {
    || tokio::spawn(async { 7u8 })
}

async fn escaping_closure_spawns_where_it_is_called() {
    let spawner = make_spawner().await;
    let elsewhere = taskscope::TaskScope::builder().name("elsewhere").build();
    let inside = elsewhere.spawn(async move {
        let handle = spawner();
        (
            taskscope::current().and_then(|s| s.name().map(String::from)),
            handle.await,
        )
    });
    let (name, value) = inside.await.expect("the child ran");
    assert_eq!(name.as_deref(), Some("elsewhere"));
    assert_eq!(value, Ok(7), "the task ran in the scope of its caller");
    elsewhere.join().await.expect("nothing failed");
}

async fn escaping_closure_outside_any_scope_panics() {
    let spawner = make_spawner().await;
    let outcome = tokio::spawn(async move { drop(spawner()) }).await;
    let message = panic_message(&*outcome.expect_err("it panicked").into_panic());
    assert!(
        message.contains("ran outside any scope"),
        "never a detached task: {message}"
    );
}

#[scoped(name = scope)]
async fn cancels_through_its_binding(cancelled: Flag) -> Option<String> {
    tokio::spawn(async move {
        taskscope::cancelled().await;
        cancelled.set();
    });
    scope.cancel();
    scope.name().map(String::from)
}

async fn named_binding_is_the_fns_scope() {
    let cancelled = Flag::default();
    let name = cancels_through_its_binding(cancelled.clone()).await;
    assert_eq!(name.as_deref(), Some("cancels_through_its_binding"));
    assert!(cancelled.is_set());
}

#[scoped(supervise)]
async fn supervised(sibling_done: Flag) -> Result<(), ScopeError> {
    tokio::spawn(async { Err::<(), _>("early failure") });
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if !taskscope::is_cancelled() {
            sibling_done.set();
        }
    });
    Ok(())
}

#[scoped]
async fn fail_fast(sibling_cancelled: Flag) -> Result<(), ScopeError> {
    tokio::spawn(async { Err::<(), _>("early failure") });
    tokio::spawn(async move {
        taskscope::cancelled().await;
        sibling_cancelled.set();
    });
    Ok(())
}

async fn supervise_keeps_siblings_running() {
    let sibling_done = Flag::default();
    let error = supervised(sibling_done.clone())
        .await
        .expect_err("a child failed");
    assert_eq!(error.failures().len(), 1);
    assert!(sibling_done.is_set(), "the sibling finished its work");

    let sibling_cancelled = Flag::default();
    fail_fast(sibling_cancelled.clone())
        .await
        .expect_err("a child failed");
    assert!(sibling_cancelled.is_set(), "by default, a failure cancels");
}

#[scoped(limit = 2)]
async fn limited(running: Arc<AtomicUsize>, most: Arc<AtomicUsize>) {
    for _ in 0..6 {
        let (running, most) = (Arc::clone(&running), Arc::clone(&most));
        tokio::spawn(async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            running.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

async fn limit_bounds_concurrent_children() {
    let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    limited(Arc::clone(&running), Arc::clone(&most)).await;
    assert_eq!(running.load(Ordering::SeqCst), 0, "all joined");
    assert_eq!(most.load(Ordering::SeqCst), 2);
}

#[scoped(timeout = Duration::from_millis(ms))]
async fn too_slow(ms: u64) -> Result<(), ScopeError> {
    tokio::spawn(async {
        taskscope::cancelled().await;
    });
    std::future::pending::<()>().await;
    Ok(())
}

async fn timeout_elapses_into_the_err() {
    let error = too_slow(20).await.expect_err("the deadline passed");
    assert!(error.is_elapsed());
    assert_eq!(error.scope_name(), Some("too_slow"));
}

/// A `Result` by another name: the type is checked, not its spelling. (A fn
/// whose output has no `Err` does not compile with a timeout:
/// `ui-tests/tests/fail/timeout_without_result.rs`; it used to panic at the
/// deadline.)
type Fetched = Result<u8, ScopeError>;

#[scoped(timeout = Duration::from_millis(20))]
async fn alias_too_slow() -> Fetched {
    std::future::pending::<Fetched>().await
}

async fn timeout_of_a_fn_returning_a_result_alias_elapses_into_the_err() {
    let error = alias_too_slow().await.expect_err("the deadline passed");
    assert!(error.is_elapsed());
    assert_eq!(error.scope_name(), Some("alias_too_slow"));
}
