//! A child task as its scope sees it: what is known of it (`ChildInfo`), its
//! share in the scope (`ChildGuard`), and the wrapper future tokio runs for
//! it (`ChildTask`), which keeps the scope's books around each poll.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};

use pin_project_lite::pin_project;

use super::current::Entered;
use super::error::{TaskError, TaskInfo};
use super::limit::Gate;
use super::name::TaskName;
use super::output::{ChildError, Outcome};
use super::phase::{Phase, Share};
use super::shared::Recorded;

/// What a child's wrapper (and the scope's registry) knows about it. The
/// common case (an unnamed foreground child) is one pointer; anything more is
/// shared behind one, so the wrapper adds as few bytes as possible to every
/// task.
#[derive(Clone)]
pub(crate) enum ChildInfo {
    Plain(&'static Location<'static>),
    Detailed(Arc<ChildDetails>),
}

pub(crate) struct ChildDetails {
    task: TaskInfo,
    phase: Phase,
    /// Runs on the blocking pool, where tokio does not count it as alive.
    blocking: bool,
    /// A child of a scope with a limit: its slot, or its wait for one.
    gate: Option<Gate>,
}

impl ChildInfo {
    pub(crate) fn new(
        name: Option<TaskName>,
        phase: Phase,
        location: &'static Location<'static>,
    ) -> Self {
        match (name, phase) {
            (None, Phase::Foreground) => ChildInfo::Plain(location),
            (name, phase) => ChildInfo::Detailed(Arc::new(ChildDetails {
                task: TaskInfo::new(name, location),
                phase,
                blocking: false,
                gate: None,
            })),
        }
    }

    /// The same child, admitted by `gate` (a scope with a limit).
    pub(crate) fn gated(self, gate: Gate) -> Self {
        let (task, phase, blocking) = self.parts();
        ChildInfo::Detailed(Arc::new(ChildDetails {
            task,
            phase,
            blocking,
            gate: Some(gate),
        }))
    }

    fn parts(&self) -> (TaskInfo, Phase, bool) {
        match self {
            ChildInfo::Plain(location) => (TaskInfo::new(None, location), Phase::Foreground, false),
            ChildInfo::Detailed(details) => (details.task.clone(), details.phase, details.blocking),
        }
    }

    fn gate(&self) -> Option<&Gate> {
        match self {
            ChildInfo::Plain(_) => None,
            ChildInfo::Detailed(details) => details.gate.as_ref(),
        }
    }

    /// The same child, marked as running on the blocking pool.
    pub(crate) fn blocking(self) -> Self {
        let (task, phase, _) = self.parts();
        ChildInfo::Detailed(Arc::new(ChildDetails {
            task,
            phase,
            blocking: true,
            gate: None,
        }))
    }

    pub(crate) fn phase(&self) -> Phase {
        match self {
            ChildInfo::Plain(_) => Phase::Foreground,
            ChildInfo::Detailed(details) => details.phase,
        }
    }

    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            ChildInfo::Plain(_) => None,
            ChildInfo::Detailed(details) => details.task.name(),
        }
    }

    pub(crate) fn location(&self) -> &'static Location<'static> {
        match self {
            ChildInfo::Plain(location) => location,
            ChildInfo::Detailed(details) => details.task.location(),
        }
    }

    pub(crate) fn is_blocking(&self) -> bool {
        match self {
            ChildInfo::Plain(_) => false,
            ChildInfo::Detailed(details) => details.blocking,
        }
    }

    pub(crate) fn task_info(&self) -> TaskInfo {
        match self {
            ChildInfo::Plain(location) => TaskInfo::new(None, location),
            ChildInfo::Detailed(details) => details.task.clone(),
        }
    }
}

/// A child's share in its scope, held from spawn until it is dropped: when
/// the child finishes, is aborted, or was never started because spawning
/// failed.
pub(crate) struct ChildGuard {
    /// Empty only while it is the current share, during a poll.
    share: Option<Arc<Share>>,
    info: ChildInfo,
}

impl ChildGuard {
    pub(crate) fn new(share: Arc<Share>, info: ChildInfo) -> Self {
        ChildGuard {
            share: Some(share),
            info,
        }
    }

    /// Runs part of the child with its scope as the current scope, catching a
    /// panic so the scope can report it.
    pub(crate) fn run_in_scope<R>(&mut self, f: impl FnOnce() -> R) -> std::thread::Result<R> {
        let _current = Entered::new(&mut self.share);
        catch_unwind(AssertUnwindSafe(f))
    }

    /// Ready with `true` once the child may run: at once, or once it holds
    /// a slot of its scope's limit; `false` if it never will.
    fn poll_admitted(&self, cx: &mut Context<'_>) -> Poll<bool> {
        match self.info.gate() {
            None => Poll::Ready(true),
            Some(gate) => gate.poll_admitted(cx),
        }
    }

    /// Whether the child's scope gave up waiting for its children (its
    /// grace period ran out) and aborted them.
    fn scope_gave_up_waiting(&self) -> bool {
        self.share
            .as_ref()
            .is_some_and(|share| share.scope().gave_up_waiting())
    }

    /// Turns the child's end into what its handle yields, reporting a failure
    /// to the scope. `None` is a child that never started.
    pub(crate) fn settle<T, O: Outcome<T>>(
        &self,
        ended: std::thread::Result<Option<O>>,
    ) -> Result<T, TaskError> {
        match ended {
            Ok(None) => Err(TaskError::NotStarted),
            Ok(Some(output)) => output
                .into_child_result()
                .map_err(|error| self.fail_with_error(error)),
            Err(panic) => Err(self.fail_with_panic(panic)),
        }
    }

    /// Reports the child's `Err` to its scope: what its handle says.
    fn fail_with_error(&self, error: ChildError) -> TaskError {
        self.record(Recorded::Error(error));
        TaskError::Failed
    }

    /// Reports the child's panic to its scope: what its handle says.
    fn fail_with_panic(&self, panic: Box<dyn Any + Send>) -> TaskError {
        let error = TaskError::panicked(&*panic);
        self.record(Recorded::Panic(panic));
        error
    }

    fn record(&self, failure: Recorded) {
        if let Some(share) = &self.share {
            share.scope().record_failure(self.info.task_info(), failure);
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // The slot comes back before the share goes (which may end the
        // phase), and on every exit: finished, aborted, never admitted.
        if let Some(gate) = self.info.gate() {
            gate.release();
        }
    }
}

/// Whether a child has been polled, and whether it is owed a first poll if
/// it is aborted before one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirstPoll {
    /// Not polled yet. Aborted because its scope's grace period ran out, it
    /// is polled once as it is dropped: every child accepted before then
    /// runs up to its first `.await`, so a failure it meets there is
    /// reported however long it waited in the run queue.
    Owed,
    /// Not polled yet, and admitted after the scope gave up on its
    /// children: it is dropped unpolled.
    NotOwed,
    Done,
}

pin_project! {
    /// Where a child keeps its future: until it finished or was dropped,
    /// with whether it has been polled. One enum, so that its tag and that
    /// byte share one word beside the future.
    #[project = SlotProj]
    enum Slot<F> {
        Live {
            #[pin]
            future: F,
            first_poll: FirstPoll,
        },
        Gone,
    }
}

pin_project! {
    /// The future tokio runs for a child: the user's future plus the
    /// child's guard.
    ///
    /// The user's future is dropped here, not by tokio, so that a panic in
    /// its `Drop` is the child's failure like any other: after it finished,
    /// in `poll`; when it is aborted, in this type's `Drop`.
    pub(crate) struct ChildTask<F, T>
    where
        F: Future,
        F::Output: Outcome<T>,
    {
        #[pin]
        slot: Slot<F>,
        guard: ChildGuard,
        // What the handle yields; `fn() -> T` keeps the task `Send` and
        // `Sync` whatever `T` is.
        success: PhantomData<fn() -> T>,
    }

    impl<F, T> PinnedDrop for ChildTask<F, T>
    where
        F: Future,
        F::Output: Outcome<T>,
    {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if matches!(this.slot.as_ref().get_ref(), Slot::Live { .. }) {
                drop_unfinished::<F, T>(this.slot, this.guard);
            }
            // Otherwise it finished: its future went in `poll`.
        }
    }
}

impl<F> Slot<F> {
    /// Whether the child's future has not been polled yet.
    fn before_first_poll(&self) -> bool {
        matches!(self, Slot::Live { first_poll, .. } if *first_poll != FirstPoll::Done)
    }
}

/// Drops the future of a child that did not finish (it was aborted, or its
/// runtime shut down): see [`drop_unfinished_erased`]. The only generic
/// part: polling the future once (its output read as the failure it may
/// be) and dropping it, handed over as two `dyn` callbacks, so that this
/// cold path is compiled once rather than once per child future type.
#[cold]
#[inline(never)]
fn drop_unfinished<F, T>(mut slot: Pin<&mut Slot<F>>, guard: &mut ChildGuard)
where
    F: Future,
    F::Output: Outcome<T>,
{
    let first_poll_owed = match slot.as_mut().project() {
        SlotProj::Live { first_poll, .. } => *first_poll == FirstPoll::Owed,
        SlotProj::Gone => false,
    };
    let mut future = FutureInSlot(slot, PhantomData::<fn() -> T>);
    drop_unfinished_erased(guard, first_poll_owed, &mut future);
}

/// The future of an unfinished child, for [`drop_unfinished_erased`].
trait Unfinished {
    /// Polls it once: its failure, if it ended with one (its value, if any,
    /// is dropped: nobody can see it).
    fn poll_once(&mut self, cx: &mut Context<'_>) -> Poll<Option<ChildError>>;
    /// Drops it.
    fn drop_future(&mut self);
}

struct FutureInSlot<'a, F, T>(Pin<&'a mut Slot<F>>, PhantomData<fn() -> T>);

impl<F, T> Unfinished for FutureInSlot<'_, F, T>
where
    F: Future,
    F::Output: Outcome<T>,
{
    fn poll_once(&mut self, cx: &mut Context<'_>) -> Poll<Option<ChildError>> {
        match self.0.as_mut().project() {
            SlotProj::Live { future, .. } => future
                .poll(cx)
                .map(|output| output.into_child_result().err()),
            SlotProj::Gone => Poll::Pending,
        }
    }

    fn drop_future(&mut self) {
        self.0.set(Slot::Gone);
    }
}

/// Polled once first if it is owed that (see [`FirstPoll`]) and may run
/// (it holds its slot of a limit, or takes a free one now), then dropped;
/// a failure or panic in either is the child's failure, and the first of
/// them is what its handle says.
fn drop_unfinished_erased(
    guard: &mut ChildGuard,
    first_poll_owed: bool,
    future: &mut dyn Unfinished,
) {
    let first_poll_owed = first_poll_owed
        && guard.scope_gave_up_waiting()
        && guard.poll_admitted(&mut Context::from_waker(Waker::noop())) == Poll::Ready(true);
    let first = if first_poll_owed {
        guard.run_in_scope(|| future.poll_once(&mut Context::from_waker(Waker::noop())))
    } else {
        Ok(Poll::Pending)
    };
    let dropped = guard.run_in_scope(|| future.drop_future());
    let mut failed = None;
    match first {
        Ok(Poll::Ready(Some(error))) => failed = Some(guard.fail_with_error(error)),
        Ok(Poll::Ready(None) | Poll::Pending) => {}
        Err(panic) => failed = Some(guard.fail_with_panic(panic)),
    }
    if let Err(panic) = dropped {
        let error = guard.fail_with_panic(panic);
        failed = failed.or(Some(error));
    }
    match failed {
        // tokio catches this, and the child's handle says what the scope
        // heard; the failure itself is recorded above.
        Some(error) if !std::thread::panicking() => {
            std::panic::resume_unwind(Box::new(FailedAsItWasAborted(error)))
        }
        _ => {}
    }
}

/// The panic a child's wrapper raises, once the child's own failure is
/// recorded with its scope, when the child failed as it was aborted: tokio
/// reports the task as panicked, and the child's handle says this.
pub(crate) struct FailedAsItWasAborted(pub(crate) TaskError);

impl<F, T> ChildTask<F, T>
where
    F: Future,
    F::Output: Outcome<T>,
{
    pub(crate) fn new(future: F, guard: ChildGuard, first_poll: FirstPoll) -> Self {
        ChildTask {
            slot: Slot::Live { future, first_poll },
            guard,
            success: PhantomData,
        }
    }
}

impl<F, T> Future for ChildTask<F, T>
where
    F: Future,
    F::Output: Outcome<T>,
{
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut slot = this.slot;
        // A child of a scope with a limit waits for a slot before it runs;
        // `false`: the scope was cancelled first, and it never runs.
        let admitted = if slot.as_ref().get_ref().before_first_poll() {
            ready!(this.guard.poll_admitted(cx))
        } else {
            true
        };
        let polled = this.guard.run_in_scope(|| {
            let polled = match slot.as_mut().project() {
                SlotProj::Live { future, first_poll } if admitted => {
                    *first_poll = FirstPoll::Done;
                    future.poll(cx).map(Some)
                }
                SlotProj::Live { .. } => Poll::Ready(None),
                SlotProj::Gone => unreachable!("tokio polls a finished task no more"),
            };
            if polled.is_ready() {
                // In here, so that a panic in its `Drop` is the child's.
                slot.set(Slot::Gone);
            }
            polled
        });
        let ended = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(panic) => Err(panic),
        };
        Poll::Ready(this.guard.settle(ended))
    }
}

#[cfg(all(test, not(taskscope_loom)))]
mod tests {
    use super::*;

    fn wrapper_bytes<F: Future<Output = ()>>(future: &F) -> usize {
        std::mem::size_of::<ChildTask<F, ()>>() - std::mem::size_of_val(future)
    }

    async fn parked<const PAD: usize>() {
        let pad = [0u8; PAD];
        crate::cancelled().await;
        std::hint::black_box(pad);
    }

    #[test]
    fn the_wrapper_adds_32_bytes_to_a_child() {
        // The guard (its share and what is known of it, 24 bytes) and one
        // word for the slot's tag and the first-poll byte: the memory bench
        // measures what that costs in tokio's 128-byte task cells.
        assert_eq!(wrapper_bytes(&parked::<0>()), 32);
        assert_eq!(wrapper_bytes(&parked::<16>()), 32);
        // A one-byte future shares the slot's word.
        assert_eq!(wrapper_bytes(&std::future::ready(())), 31);
    }
}
