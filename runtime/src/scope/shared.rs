//! `ScopeShared`: the part of a scope its owner, its children and its
//! handles share. It spawns admitted children, records their failures,
//! waits for them (`settle`) and reports the outcome.

use std::any::Any;
use std::future::{Future, poll_fn};
use std::num::NonZeroU64;
use std::pin::pin;
use std::sync::{Arc, Weak};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::ChildCounts;
use super::builder::FailurePolicy;
use super::child::{ChildGuard, ChildInfo, ChildTask, FirstPoll};
use super::children::{ChildEntry, ChildList};
use super::error::{Failure, TaskInfo};
use super::limit::{Gate, Limit, take_slot};
use super::output::{ChildError, Outcome};
use super::phase::{OwnerShares, Phase, Phases, Share};
use super::task_handle::TaskHandle;
use crate::ScopeError;
use crate::cancel::CancelSignal;
use crate::clock::Now;
use crate::launch::{self, ScopeSpan, Spawning};
use crate::registry::{Listed, ScopeOrigin, ScopeSnapshot, TaskSnapshot};
use crate::sync::{AtomicBool, Mutex, Ordering, lock};

/// A failure as the scope records it: a child's error, or its panic, which
/// `join` resumes in the parent instead of returning it.
pub(crate) enum Recorded {
    Error(ChildError),
    Panic(Box<dyn Any + Send>),
}

/// How many of its children's errors a scope keeps for `join` to report;
/// the others are counted. A long-lived scope with a million failed
/// children thus holds a hundred.
pub const MAX_KEPT_FAILURES: usize = 100;

/// What a scope has recorded of its children's failures: the first
/// [`MAX_KEPT_FAILURES`] errors, how many more there were, and the first
/// panic (`join` resumes that one; later panics are dropped at once).
#[derive(Default)]
struct FailureRecord {
    kept: Vec<Failure>,
    more: usize,
    panic: Option<Box<dyn Any + Send>>,
}

impl FailureRecord {
    fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.more == 0 && self.panic.is_none()
    }

    /// Keeps `payload` if it is the first panic; hands it back otherwise,
    /// for the caller to drop outside the lock.
    fn keep_first_panic(&mut self, payload: Box<dyn Any + Send>) -> Option<Box<dyn Any + Send>> {
        if self.panic.is_none() {
            self.panic = Some(payload);
            None
        } else {
            Some(payload)
        }
    }
}

/// A hook that receives each child's error instead of the scope keeping it
/// (`ScopeBuilder::on_failure`).
#[derive(Clone)]
pub(crate) struct FailureHook(pub(crate) Arc<dyn Fn(Failure) + Send + Sync>);

impl std::fmt::Debug for FailureHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FailureHook")
    }
}

/// How a scope was configured.
pub(crate) struct ScopeConfig {
    pub(crate) name: Option<Arc<str>>,
    pub(crate) policy: FailurePolicy,
    pub(crate) on_failure: Option<FailureHook>,
    pub(crate) limit: Option<Arc<Limit>>,
    pub(crate) deadline: Option<Instant>,
    pub(crate) grace: Duration,
    /// Whether `grace` was asked for (`grace_period`) rather than inherited
    /// or the default: only an asked-for grace holds off the aborts when
    /// the deadline passes.
    pub(crate) grace_is_explicit: bool,
}

impl ScopeConfig {
    /// The grace the children get once the scope is cancelled: none after
    /// the deadline unless the grace period was asked for, since a deadline
    /// that waits a second longer for children that ignore it is no bound.
    fn grace_after(&self, deadline_passed: bool) -> Duration {
        if deadline_passed && !self.grace_is_explicit {
            Duration::ZERO
        } else {
            self.grace
        }
    }
}

/// The part of a scope its children and handles share.
pub(crate) struct ScopeShared {
    pub(crate) phases: Phases,
    pub(crate) signal: Arc<CancelSignal>,
    deadline_passed: AtomicBool,
    /// Set once the grace period ran out and the children were aborted.
    gave_up_waiting: AtomicBool,
    pub(super) children: Mutex<ChildList>,
    failures: Mutex<FailureRecord>,
    pub(super) config: ScopeConfig,
    pub(super) origin: ScopeOrigin,
    /// The scope this one is nested in, if any: a scope dropped unjoined
    /// keeps it open until its own children are gone.
    pub(super) parent: Option<Weak<ScopeShared>>,
    span: ScopeSpan,
}

/// A child admitted into its scope, not yet handed to tokio.
pub(crate) struct Admitted {
    guard: ChildGuard,
    first_poll: FirstPoll,
    /// For the child's handle (see `TaskHandle::is_finished`).
    held: Weak<Share>,
    info: ChildInfo,
}

impl ScopeShared {
    pub(crate) fn new(
        signal: Arc<CancelSignal>,
        config: ScopeConfig,
        origin: ScopeOrigin,
        parent: Option<Weak<ScopeShared>>,
    ) -> Arc<Self> {
        let scope = Arc::new(ScopeShared {
            phases: Phases::new(),
            signal,
            deadline_passed: AtomicBool::new(false),
            gave_up_waiting: AtomicBool::new(false),
            children: Mutex::new(ChildList::new()),
            failures: Mutex::new(FailureRecord::default()),
            span: ScopeSpan::new(config.name.as_deref(), origin.location),
            config,
            origin,
            parent,
        });
        crate::registry::register(&scope);
        scope
    }

    pub(crate) fn record_failure(&self, task: TaskInfo, failure: Recorded) {
        let dropped = match failure {
            Recorded::Error(error) => {
                let failure = Failure::new(task, error);
                match &self.config.on_failure {
                    Some(hook) => self.hand_to(hook, failure),
                    None => {
                        let mut record = lock(&self.failures);
                        if record.kept.len() < MAX_KEPT_FAILURES {
                            record.kept.push(failure);
                            None
                        } else {
                            record.more += 1;
                            Some(Box::new(failure) as Box<dyn Any + Send>)
                        }
                    }
                }
            }
            Recorded::Panic(payload) => lock(&self.failures).keep_first_panic(payload),
        };
        // Outside the lock: dropping a user's error runs the user's code.
        drop(dropped);
        if self.config.policy == FailurePolicy::FailFast {
            self.signal.cancel();
        }
    }

    /// Takes the failures of a scope that ended inside this one (a
    /// `taskscope::timeout`'s) as failures of this scope's: kept or handed
    /// to the hook, and cancelling it unless it supervises.
    pub(crate) fn adopt_failures(&self, error: ScopeError) {
        let (failures, more) = error.into_counted_failures();
        if failures.is_empty() && more == 0 {
            return;
        }
        for failure in failures {
            let (task, error) = failure.into_parts();
            self.record_failure(task, Recorded::Error(error));
        }
        if more > 0 {
            lock(&self.failures).more += more;
            if self.config.policy == FailurePolicy::FailFast {
                self.signal.cancel();
            }
        }
    }

    /// Gives a child's error to the scope's hook; a panic in the hook is
    /// recorded as a panic of the scope's, which `join` resumes.
    fn hand_to(&self, hook: &FailureHook, failure: Failure) -> Option<Box<dyn Any + Send>> {
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (hook.0)(failure)));
        match panicked {
            Ok(()) => None,
            Err(payload) => lock(&self.failures).keep_first_panic(payload),
        }
    }

    fn track(&self, abort: AbortHandle, info: ChildInfo) {
        let mut children = lock(&self.children);
        if children.aborting {
            // Admitted after the scope gave up on its children (a straggler
            // spawning, say): it is aborted at once, or join could wait on it
            // for ever.
            abort.abort();
        }
        let entry = ChildEntry {
            abort,
            info,
            started_ms: self.origin.clock.stamp(),
        };
        children.push(entry, || {
            let (foreground, background) = self.phases.shares_held();
            foreground + background
        });
    }

    /// Whether the grace period ran out and the children were aborted.
    pub(crate) fn gave_up_waiting(&self) -> bool {
        // Acquire pairs with the store in `give_up_waiting`, made before the
        // aborts this child's drop follows.
        self.gave_up_waiting.load(Ordering::Acquire)
    }

    /// The grace period ran out: aborts every child. A child that has not
    /// been polled yet is polled once as tokio drops it (see `FirstPoll`).
    pub(super) fn give_up_waiting(&self) {
        // Release, before the aborts: an aborted child's drop reads it.
        self.gave_up_waiting.store(true, Ordering::Release);
        self.abort_all();
    }

    /// What a child spawned now is owed if it is aborted before its first
    /// poll.
    fn first_poll(&self) -> FirstPoll {
        // Relaxed: a child spawned as the scope gives up may read `false`
        // and be polled once as it is aborted; its own spawns then read
        // `true`, so that chain ends there.
        if self.gave_up_waiting.load(Ordering::Relaxed) {
            FirstPoll::NotOwed
        } else {
            FirstPoll::Owed
        }
    }

    /// Aborts every child, and every child admitted from now on.
    pub(super) fn abort_all(&self) {
        let mut children = lock(&self.children);
        children.aborting = true;
        for entry in &children.entries {
            entry.abort.abort();
        }
    }

    /// How a child described by `info` is introduced to tokio and tracing.
    fn spawning<'a>(&'a self, info: &'a ChildInfo) -> Spawning<'a> {
        Spawning {
            name: info.name(),
            location: info.location(),
            background: info.phase() == Phase::Background,
            scope: &self.span,
        }
    }

    /// Hands a child admitted by [`admitted`](Self::admitted) to tokio: the
    /// only part of a spawn that depends on the child's future, which the
    /// user's build instantiates once per child future type.
    pub(crate) fn launch<F, T>(self: &Arc<Self>, child: Admitted, future: F) -> TaskHandle<T>
    where
        F: Future + Send + 'static,
        F::Output: Outcome<T>,
        T: Send + 'static,
    {
        let join = launch::spawn(
            ChildTask::new(future, child.guard, child.first_poll),
            &self.spawning(&child.info),
        );
        self.track(join.abort_handle(), child.info);
        TaskHandle::new(join, child.held)
    }

    /// Everything of a spawn that does not depend on the child's future
    /// (kept out of the generic `launch`).
    pub(crate) fn admitted(
        &self,
        share: Arc<Share>,
        info: ChildInfo,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Admitted {
        let info = self.gated(info, permit);
        let held = Arc::downgrade(&share);
        Admitted {
            guard: ChildGuard::new(share, info.clone()),
            first_poll: self.first_poll(),
            held,
            info,
        }
    }

    /// A child of a scope with a limit (a foreground one) runs holding a
    /// slot: the one `permit` reserved, or one it waits for.
    fn gated(&self, info: ChildInfo, permit: Option<OwnedSemaphorePermit>) -> ChildInfo {
        match (self.limit_for(info.phase()), permit) {
            (None, _) => info,
            (Some(_), Some(permit)) => info.gated(Gate::holding(permit)),
            // A free slot is taken at the spawn: nothing to wait for, so no
            // wait to box. (Taken at the first poll instead, as a waiting
            // child's is, it cost a free-slot child 1 200 instructions.)
            (Some(limit), None) => match limit.try_take() {
                Some(permit) => info.gated(Gate::holding(permit)),
                None => info.gated(Gate::waiting(Arc::clone(limit), Arc::clone(&self.signal))),
            },
        }
    }

    pub(crate) fn spawn_local_admitted<F, T>(
        self: &Arc<Self>,
        share: Arc<Share>,
        info: ChildInfo,
        future: F,
    ) -> TaskHandle<T>
    where
        F: Future + 'static,
        F::Output: Outcome<T>,
        T: 'static,
    {
        let child = self.admitted(share, info, None);
        let join = launch::spawn_local(
            ChildTask::new(future, child.guard, child.first_poll),
            &self.spawning(&child.info),
        );
        self.track(join.abort_handle(), child.info);
        TaskHandle::new(join, child.held)
    }

    pub(crate) fn spawn_blocking_admitted<F, O, T>(
        self: &Arc<Self>,
        share: Arc<Share>,
        info: ChildInfo,
        work: F,
    ) -> TaskHandle<T>
    where
        F: FnOnce() -> O + Send + 'static,
        O: Outcome<T>,
        T: Send + 'static,
    {
        let info = info.blocking();
        let held = Arc::downgrade(&share);
        let mut guard = ChildGuard::new(share, info.clone());
        let limit = self.limit_for(info.phase()).cloned();
        let signal = Arc::clone(&self.signal);
        let join = launch::spawn_blocking(
            move || {
                let ended = guard.run_in_scope(|| {
                    let _permit = match limit {
                        Some(limit) => {
                            let slot = take_slot(&limit, &signal);
                            Some(tokio::runtime::Handle::current().block_on(slot)?)
                        }
                        None => None,
                    };
                    Some(work())
                });
                guard.settle(ended)
            },
            &self.spawning(&info),
        );
        let handle = TaskHandle::new(join, held);
        self.track(handle.abort_handle(), info);
        handle
    }

    /// Lets go of the owner's shares and waits until every child has
    /// finished: then both phases have ended and the scope is closed.
    ///
    /// Foreground children are awaited first; then background children are
    /// cancelled and awaited. Once the scope is cancelled (by a failure, a
    /// deadline, the owner, a parent, or the background shutdown), children
    /// have the grace period to finish on their own before the rest are
    /// aborted.
    pub(super) async fn settle(&self, shares: &mut OwnerShares) {
        let mut deadline = pin!(self.config.deadline.map(tokio::time::sleep_until));
        let mut grace = pin!(None::<tokio::time::Sleep>);
        let mut cancelled = pin!(self.signal.cancelled());
        let mut cancel_seen = false;
        let mut aborted = false;
        self.phases.owner_lets_go(Phase::Foreground);
        drop(shares.foreground.take());
        let mut waiting_for = Phase::Foreground;
        poll_fn(|cx| {
            loop {
                if self.phases.poll_ended(cx, waiting_for).is_pending() {
                    // The work is looked at before the clock (as
                    // `tokio::time::timeout` does): a deadline that passed
                    // after the foreground work was done cut nothing off,
                    // and is not an error.
                    let mut deadline_now = false;
                    if waiting_for == Phase::Foreground {
                        if let Some(sleep) = deadline.as_mut().as_pin_mut() {
                            if sleep.poll(cx).is_ready() {
                                deadline.set(None);
                                self.deadline_reached();
                                deadline_now = true;
                            }
                        }
                    }
                    // Only a scope that has to wait listens for its cancellation
                    // (a registration with the signal's `Notify`, and a timer).
                    let cancel_now = !cancel_seen && cancelled.as_mut().poll(cx).is_ready();
                    if !aborted && (cancel_now || deadline_now) {
                        cancel_seen = true;
                        // Acquire pairs with `deadline_reached`'s store.
                        let passed = self.deadline_passed.load(Ordering::Acquire);
                        let period = self.config.grace_after(passed);
                        let ends = tokio::time::Instant::now() + period;
                        let sooner = grace
                            .as_ref()
                            .as_pin_ref()
                            .is_none_or(|running| ends < running.deadline());
                        if period.is_zero() {
                            aborted = true;
                            self.give_up_waiting();
                        } else if sooner {
                            grace.set(Some(tokio::time::sleep_until(ends)));
                        }
                    }
                    if let Some(sleep) = grace.as_mut().as_pin_mut() {
                        if !aborted && sleep.poll(cx).is_ready() {
                            aborted = true;
                            self.give_up_waiting();
                        }
                    }
                    return Poll::Pending;
                }
                match waiting_for {
                    Phase::Foreground => {
                        waiting_for = Phase::Background;
                        if self.phases.shares_held().1 > 1 {
                            // Only background children (beside the owner's
                            // share) are left: their work is done when
                            // everything else is.
                            self.signal.cancel();
                        }
                        self.phases.owner_lets_go(Phase::Background);
                        drop(shares.background.take());
                    }
                    Phase::Background => return Poll::Ready(()),
                }
            }
        })
        .await;
        // The finished tasks' memory is held by these handles.
        lock(&self.children).entries = Vec::new();
    }

    pub(super) fn deadline_reached(&self) {
        // Release, before the cancel: whoever is woken by the cancellation
        // and reads the mark with Acquire sees it set.
        self.deadline_passed.store(true, Ordering::Release);
        self.signal.cancel();
    }

    /// Everything that went wrong, once the scope has settled; resumes the
    /// first child panic instead.
    pub(super) fn report(&self) -> ScopeError {
        let record = std::mem::take(&mut *lock(&self.failures));
        if let Some(payload) = record.panic {
            drop(record.kept);
            std::panic::resume_unwind(payload);
        }
        // Acquire pairs with `deadline_reached`'s store.
        let elapsed = self.deadline_passed.load(Ordering::Acquire);
        ScopeError::new(self.config.name.clone(), record.kept, record.more, elapsed)
    }

    /// The scope's result once it has settled.
    pub(super) fn outcome(&self) -> Result<(), ScopeError> {
        // Acquire pairs with `deadline_reached`'s store.
        if !self.deadline_passed.load(Ordering::Acquire) && lock(&self.failures).is_empty() {
            return Ok(());
        }
        let report = self.report();
        if report.failure_count() == 0 && !report.is_elapsed() {
            Ok(())
        } else {
            Err(report)
        }
    }

    pub(super) fn discard_failures(&self) {
        let record = std::mem::take(&mut *lock(&self.failures));
        drop(record);
    }

    pub(crate) fn name(&self) -> Option<&str> {
        self.config.name.as_deref()
    }

    /// How many children are alive, and how many of the foreground ones
    /// wait for a slot of the limit.
    pub(super) fn children_alive(&self) -> ChildCounts {
        let (foreground, background) = self.phases.held_by_children();
        let waiting = self
            .config
            .limit
            .as_ref()
            .map_or(0, |limit| limit.usage().1.min(foreground));
        ChildCounts::new(foreground, background, waiting)
    }

    /// The scope's span: the parent of its children's spans.
    pub(super) fn span(&self) -> &ScopeSpan {
        &self.span
    }

    pub(crate) fn limit(&self) -> Option<&Arc<Limit>> {
        self.config.limit.as_ref()
    }

    /// The limit a child of `phase` takes a slot of: background children
    /// take none. They end only once the foreground work is done, so a slot
    /// they held could be one a foreground child waits for, and `join`
    /// would never return.
    fn limit_for(&self, phase: Phase) -> Option<&Arc<Limit>> {
        match phase {
            Phase::Foreground => self.config.limit.as_ref(),
            Phase::Background => None,
        }
    }
}

impl Listed for ScopeShared {
    fn runtime(&self) -> Option<tokio::runtime::Id> {
        self.origin.runtime
    }

    fn snapshot(&self, now: Now) -> Option<ScopeSnapshot> {
        let cancelled = self.signal.is_cancelled();
        let tasks: Vec<TaskSnapshot> = lock(&self.children)
            .entries
            .iter()
            .filter(|entry| !entry.abort.is_finished())
            .map(|entry| {
                let task = entry.info.task_info();
                TaskSnapshot {
                    id: entry.abort.id(),
                    name: task.name().map(Arc::from),
                    location: task.location(),
                    age: self.origin.clock.age(entry.started_ms, now),
                    background: entry.info.phase() == Phase::Background,
                    blocking: entry.info.is_blocking(),
                    cancelled,
                    scopes: Vec::new(),
                }
            })
            .collect();
        if tasks.is_empty() && self.phases.is_closed() {
            return None;
        }
        let origin = &self.origin;
        Some(ScopeSnapshot {
            id: origin.id,
            name: self.config.name.clone(),
            location: origin.location,
            age: origin.clock.scope_age(now),
            cancelled,
            runtime: origin.runtime,
            tasks,
            scopes: Vec::new(),
            parent: origin.parent.map(NonZeroU64::get),
            created_in_task: origin.created_in_task,
        })
    }
}
