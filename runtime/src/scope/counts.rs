//! `ChildCounts`: how many children a scope has alive.

/// How many children a scope has alive right now, by phase, and how many
/// wait for a slot of its limit. Read by
/// [`TaskScope::children`](crate::TaskScope::children) and
/// [`ScopeHandle::children`](crate::ScopeHandle::children); the body of
/// [`TaskScope::run`](crate::TaskScope::run) (or of a `#[scoped]` fn), and
/// a handle's reservation not used yet, count as foreground children.
///
/// A count is a moment's look: on the multi-thread runtime a child may end
/// (or another be spawned) as soon as it is read.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(std::future::pending::<()>());
/// scope.spawn_background(std::future::pending::<()>());
/// let alive = scope.children();
/// assert_eq!((alive.foreground(), alive.background(), alive.total()), (1, 1, 2));
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChildCounts {
    foreground: usize,
    background: usize,
    waiting: usize,
}

impl ChildCounts {
    pub(super) fn new(foreground: usize, background: usize, waiting: usize) -> Self {
        ChildCounts {
            foreground,
            background,
            waiting,
        }
    }

    /// Foreground children that wait for a slot of the scope's
    /// [`limit`](crate::scope::ScopeBuilder::limit), and reservations that
    /// wait for one (a slot reserved and not yet used counts as taken): what
    /// a stats endpoint shows as queued.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().limit(NonZeroUsize::MIN).build();
    /// for _ in 0..3 {
    ///     scope.spawn(std::future::pending::<()>());
    /// }
    /// tokio::task::yield_now().await; // the first takes the slot
    /// let counts = scope.handle().children();
    /// assert_eq!((counts.running(), counts.waiting()), (1, 2));
    /// # }
    /// ```
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Foreground children running: those not [`waiting`](ChildCounts::waiting).
    pub fn running(&self) -> usize {
        self.foreground - self.waiting
    }

    /// Children that keep the scope open (spawned with `spawn`), including
    /// those still waiting for a slot of the scope's limit.
    pub fn foreground(&self) -> usize {
        self.foreground
    }

    /// Background children (spawned with `spawn_background`).
    pub fn background(&self) -> usize {
        self.background
    }

    /// Every child alive.
    pub fn total(&self) -> usize {
        self.foreground + self.background
    }
}
