//! Running a scope's body to its end, then joining the scope: what
//! `TaskScope::run`, `#[scoped]` fns, `taskscope::timeout`, timers and
//! `produce` share. The body may have any output, not only a `Result` that
//! can carry the children's failures.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tokio::time::Sleep;

use super::body::InScope;
use super::current::with_current_scope;
use super::phase::Phase;
use super::shared::ScopeShared;
use super::task_scope::TaskScope;
use crate::ScopeError;

/// How a bounded body ended.
pub(crate) struct Bounded<T> {
    /// The body's output; `None` if the deadline passed first (the body was
    /// then dropped).
    pub(crate) output: Option<T>,
    /// The scope's outcome once every child has ended.
    pub(crate) outcome: Result<(), ScopeError>,
}

/// How a body ended, as the join that follows needs to know it.
enum BodyEnd {
    /// With a value: the children are joined.
    Value,
    /// With an output its runner calls a failure (a `Result`'s `Err`): the
    /// scope is cancelled and joined; the children's errors are fallout.
    Failure,
    /// With a panic: the scope is cancelled and joined, then the panic is
    /// resumed.
    Panic(Box<dyn Any + Send>),
    /// Cut off by the deadline.
    Deadline,
}

impl TaskScope {
    /// Runs `body` with this scope as the current scope, dropping it if the
    /// deadline passes first, then joins the scope: cancelled first if
    /// `is_failure` says the output is one. A panic of the body or of a
    /// child is resumed once every child has ended.
    ///
    /// Every `run` (`TaskScope::run`, each `#[scoped]` fn, `timeout`, timers,
    /// `produce`) comes here. Only the wait for the body is generic; the
    /// join after it (`finish`) is compiled once, not once per body type,
    /// which is most of what a `#[scoped]` fn used to cost a user's build.
    pub(crate) async fn run_bounded<F: Future>(
        self,
        body: F,
        is_failure: fn(&F::Output) -> bool,
    ) -> Bounded<F::Output> {
        let body = InScope::new(self.shares.share(Phase::Foreground), body);
        let deadline = self.shared.config.deadline.map(tokio::time::sleep_until);
        let (end, output) = match (UntilDeadline { body, deadline }).await {
            Some(Ok(output)) if is_failure(&output) => (BodyEnd::Failure, Some(output)),
            Some(Ok(output)) => (BodyEnd::Value, Some(output)),
            Some(Err(panic)) => (BodyEnd::Panic(panic), None),
            None => (BodyEnd::Deadline, None),
        };
        let outcome = self.finish(end).await;
        Bounded { output, outcome }
    }

    /// Joins the scope after its body ended as `end`.
    async fn finish(mut self, end: BodyEnd) -> Result<(), ScopeError> {
        match end {
            BodyEnd::Value => self.join().await,
            BodyEnd::Failure => {
                self.cancel();
                self.shared.settle(&mut self.shares).await;
                // Resumes a child's panic; the children's errors are fallout.
                drop(self.shared.report());
                Ok(())
            }
            BodyEnd::Panic(panic) => {
                self.cancel();
                self.shared.settle(&mut self.shares).await;
                self.shared.discard_failures();
                std::panic::resume_unwind(panic)
            }
            BodyEnd::Deadline => {
                self.shared.deadline_reached();
                self.shared.settle(&mut self.shares).await;
                Err(self.shared.report())
            }
        }
    }
}

pin_project! {
    /// A body raced against its scope's deadline, the body first (as
    /// `tokio::time::timeout` polls its future before its timer).
    struct UntilDeadline<F> {
        #[pin]
        body: InScope<F>,
        #[pin]
        deadline: Option<Sleep>,
    }
}

impl<F: Future> Future for UntilDeadline<F> {
    /// `None`: the deadline passed first.
    type Output = Option<std::thread::Result<F::Output>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(ended) = this.body.poll(cx) {
            return Poll::Ready(Some(ended));
        }
        match this.deadline.as_pin_mut() {
            Some(deadline) => deadline.poll(cx).map(|()| None),
            None => Poll::Pending,
        }
    }
}

/// The `Result` a body of `Result` output gives after its scope's join: the
/// body's `Err` wins (the children's errors were fallout of the
/// cancellation it caused); after an `Ok`, the children's failures or the
/// deadline, converted.
pub(crate) fn result_of<T, E>(
    bounded: Bounded<Result<T, E>>,
    convert: fn(ScopeError) -> E,
) -> Result<T, E> {
    match bounded {
        Bounded {
            output: Some(Err(error)),
            ..
        } => Err(error),
        Bounded {
            outcome: Err(error),
            ..
        } => Err(convert(error)),
        Bounded {
            output: Some(Ok(value)),
            outcome: Ok(()),
        } => Ok(value),
        Bounded {
            output: None,
            outcome: Ok(()),
        } => {
            unreachable!("a body cut off by the deadline leaves an elapsed ScopeError")
        }
    }
}

/// The scope current where a bounded scope was made, which takes over the
/// failures the bounded scope's children report.
pub(crate) struct Enclosing(Option<Arc<ScopeShared>>);

impl Enclosing {
    pub(crate) fn current() -> Self {
        Enclosing(with_current_scope(|scope| scope.cloned()))
    }

    /// `scope` as the enclosing scope.
    pub(crate) fn of(scope: &TaskScope) -> Self {
        Enclosing(Some(Arc::clone(&scope.shared)))
    }

    /// Hands the children's failures (if any) to the enclosing scope;
    /// gives them back when there is none.
    pub(crate) fn adopt(&self, outcome: Result<(), ScopeError>) -> Result<(), ScopeError> {
        let Err(error) = outcome else {
            return Ok(());
        };
        if error.failure_count() == 0 {
            return Ok(());
        }
        match &self.0 {
            Some(scope) => {
                scope.adopt_failures(error);
                Ok(())
            }
            None => Err(error),
        }
    }
}
