//! `ChildCounts`: how many children a scope has alive.

/// How many children a scope has alive right now, by phase. Read by
/// [`TaskScope::children`](crate::TaskScope::children).
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
}

impl ChildCounts {
    pub(super) fn new(foreground: usize, background: usize) -> Self {
        ChildCounts {
            foreground,
            background,
        }
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
