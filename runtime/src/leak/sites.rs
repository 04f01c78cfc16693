//! Where the tasks a leak check cannot name were spawned: with
//! `--cfg tokio_unstable`, a runtime built by [`build_runtime`] records each
//! task's spawn location (tokio's task hooks, `TaskMeta::spawned_at`) until
//! the task ends, so a raw `tokio::spawn` left behind is reported with its
//! file and line like a scope's child. Without the cfg, tokio has no hooks
//! and the report says how to get them.

#[cfg(tokio_unstable)]
use std::collections::HashMap;
use std::panic::Location;
#[cfg(tokio_unstable)]
use std::sync::{Arc, Mutex, PoisonError, Weak};

use tokio::runtime::{Builder, Runtime};

/// A task spawned outside taskscope (a raw `tokio::spawn`, a `JoinSet`'s)
/// that was still alive when a leak check gave up, and where it was
/// spawned (tokio runs no hooks for `spawn_blocking`, whose tasks it does
/// not count either). Known only on a runtime built by [`build_runtime`]
/// with `--cfg tokio_unstable`.
///
/// ```
/// # fn main() {
/// let mut builder = tokio::runtime::Builder::new_current_thread();
/// let runtime = taskscope::leak::build_runtime(builder.enable_all()).expect("a runtime");
/// runtime.block_on(async {
///     let raw = tokio::spawn(std::future::pending::<()>());
///     let check = taskscope::leak::LeakCheck::new().settle_time(std::time::Duration::from_millis(10));
///     let report = check.run().await.expect_err("the raw task is alive");
///     assert_eq!(report.untracked(), 1);
///     // With `--cfg tokio_unstable`, its spawn line too:
///     for task in report.untracked_tasks() {
///         assert_eq!(task.location().file(), file!());
///         assert_eq!(task.id(), raw.id());
///     }
///     raw.abort();
/// });
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct UntrackedTask {
    id: tokio::task::Id,
    location: &'static Location<'static>,
}

impl UntrackedTask {
    /// Its tokio task id.
    ///
    /// (See [`UntrackedTask`] for an example.)
    pub fn id(&self) -> tokio::task::Id {
        self.id
    }

    /// Where it was spawned: the `tokio::spawn` (or other spawn) call.
    ///
    /// (See [`UntrackedTask`] for an example.)
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

/// Builds `builder`'s runtime so that a [`LeakCheck`](super::LeakCheck) on
/// it can say where each task spawned outside taskscope started: with
/// `--cfg tokio_unstable` (`RUSTFLAGS="--cfg tokio_unstable"`), it installs
/// tokio's `on_task_spawn` and `on_task_terminate` hooks (replacing any set
/// on `builder` before), which record every task's spawn location until it
/// ends; without it, this is `builder.build()`. `#[taskscope::test]` builds
/// its runtime with it.
///
/// The hooks take a lock on every spawn and every task's end: a cost for
/// tests, not for production runtimes.
///
/// # Errors
///
/// As [`Builder::build`].
///
/// ```
/// let mut builder = tokio::runtime::Builder::new_multi_thread();
/// builder.worker_threads(2).enable_all();
/// let runtime = taskscope::leak::build_runtime(&mut builder).expect("a runtime");
/// runtime.block_on(async { tokio::spawn(async {}).await.expect("it ran") });
/// taskscope::leak::assert_no_leaks(&runtime);
/// ```
pub fn build_runtime(builder: &mut Builder) -> std::io::Result<Runtime> {
    #[cfg(tokio_unstable)]
    {
        let sites = Arc::new(SpawnSites::default());
        let spawned = Arc::clone(&sites);
        let ended = Arc::clone(&sites);
        builder
            .on_task_spawn(move |task| spawned.spawned(task.id(), task.spawned_at()))
            .on_task_terminate(move |task| ended.ended(task.id()));
        let runtime = builder.build()?;
        register(runtime.handle().id(), &sites);
        Ok(runtime)
    }
    #[cfg(not(tokio_unstable))]
    {
        builder.build()
    }
}

/// The tasks alive on `runtime` that are not among `known` (the tasks the
/// registry names), with their spawn locations; `None` if the runtime does
/// not record them.
pub(super) fn untracked_on(
    runtime: tokio::runtime::Id,
    known: &[tokio::task::Id],
) -> Option<Vec<UntrackedTask>> {
    #[cfg(tokio_unstable)]
    {
        let sites = lookup(runtime)?;
        let live = sites.live.lock().unwrap_or_else(PoisonError::into_inner);
        let mut untracked: Vec<UntrackedTask> = live
            .iter()
            .filter(|(id, _)| !known.contains(id))
            .map(|(&id, &location)| UntrackedTask { id, location })
            .collect();
        untracked.sort_by_key(|task| (task.location.file(), task.location.line(), task.id));
        Some(untracked)
    }
    #[cfg(not(tokio_unstable))]
    {
        let _ = (runtime, known);
        None
    }
}

/// The live tasks of one runtime and where each was spawned.
#[cfg(tokio_unstable)]
#[derive(Default)]
struct SpawnSites {
    live: Mutex<HashMap<tokio::task::Id, &'static Location<'static>>>,
}

#[cfg(tokio_unstable)]
impl SpawnSites {
    fn spawned(&self, id: tokio::task::Id, location: &'static Location<'static>) {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.insert(id, location);
    }

    fn ended(&self, id: tokio::task::Id) {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.remove(&id);
    }
}

/// The runtimes that record spawn sites: weakly, so a dropped runtime's
/// entry goes (with its hooks, which hold the sites).
#[cfg(tokio_unstable)]
static RECORDING: Mutex<Vec<(tokio::runtime::Id, Weak<SpawnSites>)>> = Mutex::new(Vec::new());

#[cfg(tokio_unstable)]
fn register(runtime: tokio::runtime::Id, sites: &Arc<SpawnSites>) {
    let mut recording = RECORDING.lock().unwrap_or_else(PoisonError::into_inner);
    recording.retain(|(_, sites)| sites.strong_count() > 0);
    recording.push((runtime, Arc::downgrade(sites)));
}

#[cfg(tokio_unstable)]
fn lookup(runtime: tokio::runtime::Id) -> Option<Arc<SpawnSites>> {
    let recording = RECORDING.lock().unwrap_or_else(PoisonError::into_inner);
    recording
        .iter()
        .find(|(id, _)| *id == runtime)
        .and_then(|(_, sites)| sites.upgrade())
}
