//! A scope whose body may have any output, not only a `Result` that can
//! carry the children's failures: the scope `taskscope::timeout` runs its
//! future in.

use std::future::Future;
use std::sync::Arc;

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

impl TaskScope {
    /// Runs `body` with this scope as the current scope, dropping it if the
    /// deadline passes first, then joins the scope. A panic of the body or
    /// of a child is resumed once every child has ended, as with `run`.
    pub(crate) async fn run_bounded<F: Future>(mut self, body: F) -> Bounded<F::Output> {
        let body = InScope::new(self.shares.share(Phase::Foreground), body);
        let ended = match self.shared.config.deadline {
            None => Some(body.await),
            Some(deadline) => tokio::select! {
                biased;
                ended = body => Some(ended),
                () = tokio::time::sleep_until(deadline) => None,
            },
        };
        match ended {
            Some(Ok(output)) => Bounded {
                output: Some(output),
                outcome: self.join().await,
            },
            Some(Err(panic)) => {
                self.cancel();
                self.shared.settle(&mut self.shares).await;
                self.shared.discard_failures();
                std::panic::resume_unwind(panic)
            }
            None => {
                self.shared.deadline_reached();
                self.shared.settle(&mut self.shares).await;
                Bounded {
                    output: None,
                    outcome: Err(self.shared.report()),
                }
            }
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
