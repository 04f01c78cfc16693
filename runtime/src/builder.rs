//! Configuring a scope.

use std::num::NonZeroUsize;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::cancel::CancelSignal;
use crate::current::with_current_scope;
use crate::registry::ScopeOrigin;
use crate::scope::{ScopeConfig, ScopeShared, TaskScope};

/// How long `join` lets cancelled children finish on their own before it
/// aborts them, unless configured.
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(1);

/// What a child's failure does to its siblings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// The first failure cancels the scope (the default).
    #[default]
    FailFast,
    /// Failures are collected; siblings keep running.
    Supervise,
}

/// Configures a [`TaskScope`]; made by [`TaskScope::builder`].
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let scope = taskscope::TaskScope::builder()
///     .name("health-update")
///     .timeout(Duration::from_secs(1))
///     .build();
/// scope.spawn(std::future::pending::<()>()); // an update that hangs
/// let error = scope.join().await.expect_err("the deadline passed");
/// assert!(error.is_elapsed());
/// # }
/// ```
#[derive(Debug, Default)]
#[must_use = "a ScopeBuilder does nothing until `build` is called"]
pub struct ScopeBuilder {
    name: Option<Arc<str>>,
    policy: Policy,
    limit: Option<NonZeroUsize>,
    deadline: Option<Instant>,
    grace: Option<Duration>,
}

impl ScopeBuilder {
    pub(crate) fn new() -> Self {
        ScopeBuilder::default()
    }

    /// Names the scope (shown in its errors).
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// At most `n` children run at once. Further children wait for a slot
    /// (a child cancelled while it waits never starts); the slot is given back
    /// on every exit, panic and abort included. Use
    /// [`TaskScope::reserve`] to wait for a slot before spawning.
    pub fn limit(mut self, n: NonZeroUsize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Cancels the scope at `deadline`; its `join` then reports an elapsed
    /// [`ScopeError`](crate::ScopeError). The deadline is kept while the
    /// owner is in [`TaskScope::join`] or [`TaskScope::run`].
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// A [`deadline`](Self::deadline) `timeout` from now.
    pub fn timeout(self, timeout: Duration) -> Self {
        let deadline = Instant::now() + timeout;
        self.deadline(deadline)
    }

    /// The first failure cancels the siblings (the default).
    pub fn fail_fast(mut self) -> Self {
        self.policy = Policy::FailFast;
        self
    }

    /// Failures are collected; siblings keep running.
    pub fn supervise(mut self) -> Self {
        self.policy = Policy::Supervise;
        self
    }

    /// Sets the failure policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// How long `join` waits for cancelled children to finish on their own
    /// before aborting them ([`DEFAULT_GRACE_PERIOD`] unless set).
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.grace = Some(grace);
        self
    }

    /// The scope: nested in the current scope if there is one (cancelling
    /// that one cancels this one), a root otherwise.
    #[track_caller]
    pub fn build(self) -> TaskScope {
        let location = Location::caller();
        let (signal, origin) = with_current_scope(|current| {
            let signal = match current {
                Some(parent) => CancelSignal::nested_in(&parent.signal),
                None => CancelSignal::root(),
            };
            (signal, ScopeOrigin::here(location, current))
        });
        let limit = self
            .limit
            .map(|n| Arc::new(Semaphore::new(n.get().min(Semaphore::MAX_PERMITS))));
        let config = ScopeConfig {
            name: self.name,
            policy: self.policy,
            limit,
            deadline: self.deadline,
            grace: self.grace.unwrap_or(DEFAULT_GRACE_PERIOD),
        };
        TaskScope::from_shared(ScopeShared::new(signal, config, origin))
    }
}
