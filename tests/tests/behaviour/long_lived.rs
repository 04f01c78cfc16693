//! Long-lived owners: root scopes for objects that outlive the call that
//! builds them (a pool, a client), and grace periods that reach down into
//! nested scopes.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use taskscope::{ScopeError, TaskError, TaskScope};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::common::{
    panic_on_purpose, silence_expected_panics, within, ExpectedPanic, Flag, TaskBaseline,
};
use taskscope::scope::{Ready, StartError};

on_both_runtimes!(
    a_root_scope_survives_the_cancellation_of_the_scope_it_was_built_in,
    a_client_returned_from_a_scoped_start_up_fn_keeps_working,
    a_nested_scope_moved_out_of_its_scope_is_still_cancelled_with_it,
    a_nested_scope_without_a_grace_period_takes_its_parents,
    a_scoped_fn_sets_the_grace_period_of_its_scope,
    a_scoped_trait_method_returning_io_result_passes_failures_on,
    a_pools_reaper_outlives_its_request_and_stops_with_the_last_clone,
    start_waits_for_readiness_and_the_child_runs_on,
    start_fails_with_the_childs_error_or_its_early_end,
);

/// How long a step that should be immediate may take before the case fails
/// instead of hanging.
const STEP_LIMIT: Duration = Duration::from_secs(5);

/// A pool whose reaper lives as long as the pool: built inside a request's
/// child, it outlives the request, whose cancellation does not reach it.
async fn a_root_scope_survives_the_cancellation_of_the_scope_it_was_built_in() {
    let baseline = TaskBaseline::take();
    let reaped = Arc::new(AtomicUsize::new(0));
    let request = TaskScope::builder().name("request").build();
    let built = request.spawn({
        let reaped = Arc::clone(&reaped);
        async move {
            let pool = TaskScope::builder().name("pool").root().build();
            pool.spawn_background(async move {
                while !taskscope::is_cancelled() {
                    reaped.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            });
            Ok::<_, Infallible>(pool)
        }
    });
    let pool = built.await.expect("the request's child built the pool");
    request.cancel();
    within(STEP_LIMIT, "joining the request", request.join())
        .await
        .expect("cancelled, not failed");
    assert!(!pool.is_cancelled(), "the request's end reached the pool");
    let before = reaped.load(Ordering::SeqCst);
    within(STEP_LIMIT, "the reaper running on", async {
        while reaped.load(Ordering::SeqCst) < before + 3 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    let tree = taskscope::dump().on_runtime(tokio::runtime::Handle::current().id());
    assert!(
        tree.roots()
            .iter()
            .any(|scope| scope.name() == Some("pool")),
        "the pool is a root of the task tree:\n{tree}"
    );
    pool.cancel();
    within(STEP_LIMIT, "joining the pool", pool.join())
        .await
        .expect("the reaper stopped when asked");
    baseline.assert_restored().await;
}

/// A client whose connection task lives as long as the client.
struct Client {
    _scope: TaskScope,
    requests: mpsc::Sender<(u32, oneshot::Sender<u32>)>,
}

impl Client {
    async fn double(&self, n: u32) -> Option<u32> {
        let (reply, answer) = oneshot::channel();
        self.requests.send((n, reply)).await.ok()?;
        answer.await.ok()
    }
}

/// The client's connection task: answers until every sender is gone or its
/// scope is cancelled.
async fn connection(mut requests: mpsc::Receiver<(u32, oneshot::Sender<u32>)>) {
    loop {
        tokio::select! {
            biased;
            () = taskscope::cancelled() => return,
            request = requests.recv() => match request {
                Some((n, reply)) => {
                    let _ = reply.send(n * 2);
                }
                None => return,
            },
        }
    }
}

/// A start-up fn with a background child of its own (a metrics loop that
/// stops when start-up is done), which builds the client's scope as a root.
#[taskscope::scoped]
async fn start() -> Result<Client, ScopeError> {
    taskscope::spawn_background(async { taskscope::cancelled().await })
        .expect("inside the fn's scope");
    let scope = TaskScope::root();
    let (requests, incoming) = mpsc::channel(8);
    scope.spawn_background(connection(incoming));
    Ok(Client {
        _scope: scope,
        requests,
    })
}

/// Before root scopes, the client's scope was nested in `start`'s, whose
/// background shutdown cancelled it as `start` returned: the next call
/// failed.
async fn a_client_returned_from_a_scoped_start_up_fn_keeps_working() {
    let baseline = TaskBaseline::take();
    let client = within(STEP_LIMIT, "starting", start())
        .await
        .expect("start-up succeeded");
    for n in 0..10 {
        let doubled = within(STEP_LIMIT, "a call", client.double(n)).await;
        assert_eq!(doubled, Some(n * 2), "call {n} after start-up returned");
    }
    drop(client); // aborts the connection task
    baseline.assert_restored().await;
}

/// A nested scope stays nested wherever it is moved: returned out of the
/// child that built it, it is cancelled with the scope it was built in.
async fn a_nested_scope_moved_out_of_its_scope_is_still_cancelled_with_it() {
    let baseline = TaskBaseline::take();
    let outer = TaskScope::new();
    let built =
        outer.spawn(async { Ok::<_, Infallible>(TaskScope::builder().name("moved").build()) });
    let moved = built.await.expect("the child built it");
    let parked = moved.spawn(async { taskscope::cancelled().await });
    outer.cancel();
    within(
        STEP_LIMIT,
        "the moved scope's cancellation",
        moved.cancelled(),
    )
    .await;
    within(STEP_LIMIT, "joining the moved scope", moved.join())
        .await
        .expect("cancelled, not failed");
    assert_eq!(parked.await, Ok(()));
    within(STEP_LIMIT, "joining the outer scope", outer.join())
        .await
        .expect("cancelled, not failed");
    baseline.assert_restored().await;
}

/// A child's cleanup after its cancellation takes this long: more than the
/// default grace period (1 s), less than the grace the cases give.
const SLOW_CLEANUP: Duration = Duration::from_millis(1_200);

/// A grace period longer than [`SLOW_CLEANUP`].
const LONG_GRACE: Duration = Duration::from_millis(2_500);

/// Waits for the scope's cancellation, then cleans up for [`SLOW_CLEANUP`].
async fn slow_to_stop() -> &'static str {
    taskscope::cancelled().await;
    tokio::time::sleep(SLOW_CLEANUP).await;
    "cleaned up"
}

/// A server built with a long grace period: its worker pool's scope, nested
/// and without a grace period of its own, lets its jobs finish a slow
/// cleanup too. Before, nested scopes took the 1 s default and aborted them.
async fn a_nested_scope_without_a_grace_period_takes_its_parents() {
    let baseline = TaskBaseline::take();
    let server = TaskScope::builder().grace_period(LONG_GRACE).build();
    let (started, has_started) = oneshot::channel();
    let pool = server.spawn(async move {
        let pool = TaskScope::new(); // no grace of its own
        let job = pool.spawn(slow_to_stop());
        let _ = started.send(());
        pool.join().await?;
        Ok::<_, ScopeError>(job.await)
    });
    has_started.await.expect("the pool started its job");
    let cancelled_at = Instant::now();
    server.cancel();
    within(STEP_LIMIT, "joining the server", server.join())
        .await
        .expect("cancelled, not failed");
    assert!(cancelled_at.elapsed() >= SLOW_CLEANUP);
    assert_eq!(
        pool.await,
        Ok(Ok("cleaned up")),
        "the job finished its cleanup inside the server's grace period"
    );
    baseline.assert_restored().await;
}

/// `#[scoped(grace_period = ..)]` sets its scope's grace period.
#[taskscope::scoped(name = scope, grace_period = LONG_GRACE)]
async fn stop_slowly() -> Result<Result<&'static str, TaskError>, ScopeError> {
    let job = taskscope::spawn(slow_to_stop()).expect("inside the fn's scope");
    tokio::task::yield_now().await;
    scope.cancel();
    Ok(job.await)
}

async fn a_scoped_fn_sets_the_grace_period_of_its_scope() {
    let baseline = TaskBaseline::take();
    let stopped = within(STEP_LIMIT, "the scoped fn", stop_slowly())
        .await
        .expect("cancelled, not failed");
    assert_eq!(stopped, Ok("cleaned up"));
    baseline.assert_restored().await;
}

/// A connection handler whose trait fixes the return type to `io::Result`.
trait Handler {
    async fn handle(&self, fail: bool) -> std::io::Result<&'static str>;
}

struct Echo;

impl Handler for Echo {
    #[taskscope::scoped(timeout = Duration::from_millis(if fail { 5_000 } else { 20 }))]
    async fn handle(&self, fail: bool) -> std::io::Result<&'static str> {
        if fail {
            tokio::spawn(async {
                Err::<(), _>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "peer went away",
                ))
            });
        } else {
            tokio::spawn(async { taskscope::cancelled().await }); // cut off by the deadline
        }
        Ok("handled")
    }
}

/// `From<ScopeError> for io::Error` lets the scope's failure through `?`:
/// a child's failure is `Other`, a deadline `TimedOut`.
async fn a_scoped_trait_method_returning_io_result_passes_failures_on() {
    let baseline = TaskBaseline::take();
    let failed = Echo.handle(true).await.expect_err("the child failed");
    assert_eq!(failed.kind(), std::io::ErrorKind::Other);
    let scope_error = failed
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ScopeError>())
        .expect("the scope's error is inside");
    let reset = scope_error
        .downcast_ref::<std::io::Error>()
        .expect("the child's own error is in the scope's");
    assert_eq!(reset.kind(), std::io::ErrorKind::ConnectionReset);
    let timed_out = Echo.handle(false).await.expect_err("the deadline passed");
    assert_eq!(timed_out.kind(), std::io::ErrorKind::TimedOut);
    baseline.assert_restored().await;
}

/// A connection pool: `Clone`, its reaper living as long as the last clone.
#[derive(Clone)]
struct Pool {
    idle: Arc<std::sync::Mutex<Vec<u32>>>,
    tasks: taskscope::SharedScope,
}

impl Pool {
    fn new(reaper_gone: &Flag, reaps: &Arc<AtomicUsize>) -> Self {
        let idle = Arc::new(std::sync::Mutex::new(Vec::new()));
        let tasks = TaskScope::builder()
            .name("pool")
            .root()
            .build()
            .into_shared();
        let gone = reaper_gone.set_on_drop();
        let reaps = Arc::clone(reaps);
        // The reaper holds the connections, not the pool: no cycle.
        let connections = Arc::clone(&idle);
        tasks.spawn_background(async move {
            let _gone = gone;
            while !taskscope::is_cancelled() {
                connections.lock().expect("not poisoned").clear();
                reaps.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
        Pool { idle, tasks }
    }
}

/// Built while a request is served and cloned into two users, the pool's
/// reaper survives the request's cancellation and every clone but the last;
/// dropping the last stops it.
async fn a_pools_reaper_outlives_its_request_and_stops_with_the_last_clone() {
    let baseline = TaskBaseline::take();
    let reaper_gone = Flag::default();
    let reaps = Arc::new(AtomicUsize::new(0));
    let request = TaskScope::new();
    let built = request.spawn({
        let reaper_gone = reaper_gone.clone();
        let reaps = Arc::clone(&reaps);
        async move { Ok::<_, Infallible>(Pool::new(&reaper_gone, &reaps)) }
    });
    let pool = built.await.expect("the request built the pool");
    request.cancel();
    within(STEP_LIMIT, "joining the request", request.join())
        .await
        .expect("cancelled, not failed");
    let users: Vec<Pool> = (0..2).map(|_| pool.clone()).collect();
    drop(pool);
    assert_eq!(users[0].tasks.owners(), 2);
    for user in &users {
        user.idle.lock().expect("not poisoned").push(1);
    }
    let seen = reaps.load(Ordering::SeqCst);
    within(STEP_LIMIT, "the reaper running on", async {
        while reaps.load(Ordering::SeqCst) < seen + 3 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert!(!reaper_gone.is_set(), "the reaper stopped with clones left");
    let mut users = users.into_iter();
    drop(users.next());
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(
        !reaper_gone.is_set(),
        "the reaper stopped with a clone left"
    );
    drop(users.next()); // the last clone
    within(STEP_LIMIT, "the reaper stopping", async {
        while !reaper_gone.is_set() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    baseline.assert_restored().await;
}

/// A server started with `start`: the starter gets its port once it is
/// ready, and the server keeps running until the scope is cancelled; a
/// failure after readiness is the scope's, as any child's.
async fn start_waits_for_readiness_and_the_child_runs_on() {
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let served = Flag::default();
    let port = within(
        STEP_LIMIT,
        "starting",
        scope.start({
            let served = served.clone();
            move |ready| async move {
                tokio::task::yield_now().await; // binding, say
                ready.ready(8080_u16);
                taskscope::cancelled().await;
                served.set();
                Err::<(), _>("the listener closed") // after readiness: the scope's
            }
        }),
    )
    .await
    .expect("the server got ready");
    assert_eq!(port, 8080);
    assert!(!served.is_set(), "the server runs on after it was ready");
    scope.cancel();
    let error = within(STEP_LIMIT, "joining", scope.join())
        .await
        .expect_err("the failure after readiness is the scope's");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"the listener closed"));
    assert!(served.is_set());
    baseline.assert_restored().await;
}

/// A child that fails before it is ready fails the start with its error,
/// which the scope does not record; one that returns or panics first makes
/// it `Ended` (the panic is still the scope's); a closed scope refuses.
async fn start_fails_with_the_childs_error_or_its_early_end() {
    silence_expected_panics();
    let baseline = TaskBaseline::take();
    let scope = TaskScope::new();
    let failed = scope
        .start(|_ready: Ready<u16, &str>| async { Err("address in use") })
        .await;
    assert_eq!(failed, Err(StartError::Failed("address in use")));
    let returned = scope
        .start(|_ready: Ready<u16, &str>| async { Ok(()) })
        .await;
    assert_eq!(returned, Err(StartError::Ended));
    let handle = scope.handle();
    within(STEP_LIMIT, "joining", scope.join())
        .await
        .expect("the errors were the starter's, not the scope's");
    let closed = handle
        .start(|_ready: Ready<u16, &str>| async { Ok(()) })
        .await;
    assert_eq!(closed, Err(StartError::Closed));

    let token = Arc::new(());
    let panicking = TaskScope::new();
    let started = panicking
        .start({
            let token = Arc::clone(&token);
            move |_ready: Ready<u16, &str>| async move {
                panic_on_purpose(3, token);
                Ok(())
            }
        })
        .await;
    assert_eq!(started, Err(StartError::Ended));
    let joined = tokio::spawn(panicking.join()).await;
    let payload = joined
        .expect_err("join resumed the panic")
        .into_panic()
        .downcast::<ExpectedPanic>()
        .expect("the payload keeps its type");
    assert!(Arc::ptr_eq(&payload.token, &token));
    baseline.assert_restored().await;
}
