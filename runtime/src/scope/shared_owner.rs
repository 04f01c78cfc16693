//! `SharedScope`: one scope owned by every clone of a value (a pool, a
//! client), cancelled and aborted when the last clone is dropped.

use std::sync::Arc;

use super::task_scope::TaskScope;

/// A scope with many owners: clone it into every clone of a `Clone` type
/// (a connection pool, a client) whose tasks must live exactly as long as
/// the last of them. When the last `SharedScope` is dropped, the scope is
/// dropped: its cancellation is signalled and its children are aborted at
/// once, as for a [`TaskScope`] dropped unjoined.
///
/// It dereferences to the [`TaskScope`], so every clone can spawn,
/// cancel and count children; [`try_into_scope`](SharedScope::try_into_scope)
/// gets the scope back from the last clone, to `join` it for a graceful end.
///
/// # The cycle to avoid
///
/// A child must not hold a `SharedScope` of its own scope, directly or
/// through the state it shares with the owners (a `Pool` that holds the
/// scope, moved into the pool's reaper): the child then keeps its scope
/// alive, and the scope keeps the child running, for ever. Give children
/// what they use and nothing that holds the scope: the state apart from
/// the scope (an `Arc` of the connections, not of the pool), a
/// [`ScopeHandle`](crate::ScopeHandle) if they spawn (it does not keep the
/// scope alive), or a `Weak` of the shared state. `#[taskscope::test]` and
/// [`LeakCheck`](crate::leak::LeakCheck) report such a child as leaked once
/// the test has dropped every clone it knows of.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// #[derive(Clone)]
/// struct Pool {
///     idle: Arc<Mutex<Vec<u32>>>,
///     tasks: taskscope::SharedScope, // the reaper lives as long as the last clone
/// }
///
/// impl Pool {
///     fn new() -> Self {
///         let idle = Arc::new(Mutex::new(vec![1, 2, 3]));
///         let tasks = taskscope::TaskScope::builder().name("pool").root().build().into_shared();
///         let reaped = Arc::clone(&idle); // the connections, not the pool: no cycle
///         tasks.spawn_background(async move {
///             while !taskscope::is_cancelled() {
///                 reaped.lock().expect("not poisoned").pop();
///                 tokio::time::sleep(Duration::from_millis(10)).await;
///             }
///         });
///         Pool { idle, tasks }
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let pool = Pool::new();
/// let other = pool.clone();
/// drop(pool);
/// assert!(other.idle.lock().expect("not poisoned").len() <= 3);
/// assert_eq!(other.tasks.children().background(), 1); // still reaping
/// drop(other); // the last clone: the reaper is aborted
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SharedScope {
    scope: Arc<TaskScope>,
}

impl SharedScope {
    pub(crate) fn new(scope: TaskScope) -> Self {
        SharedScope {
            scope: Arc::new(scope),
        }
    }

    /// The scope itself, if this is the last clone (so that it can be
    /// joined, for an end with the grace period); the same `SharedScope`
    /// back otherwise.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let shared = taskscope::TaskScope::root().into_shared();
    /// shared.spawn(async { "done" });
    /// let other = shared.clone();
    /// let shared = shared.try_into_scope().expect_err("`other` still owns it");
    /// drop(other);
    /// let scope = shared.try_into_scope().expect("the last clone");
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn try_into_scope(self) -> Result<TaskScope, SharedScope> {
        Arc::try_unwrap(self.scope).map_err(|scope| SharedScope { scope })
    }

    /// How many clones own the scope.
    ///
    /// ```
    /// let shared = taskscope::TaskScope::root().into_shared();
    /// let other = shared.clone();
    /// assert_eq!(shared.owners(), 2);
    /// drop(other);
    /// assert_eq!(shared.owners(), 1);
    /// ```
    pub fn owners(&self) -> usize {
        Arc::strong_count(&self.scope)
    }
}

impl std::ops::Deref for SharedScope {
    type Target = TaskScope;

    fn deref(&self) -> &TaskScope {
        &self.scope
    }
}

impl TaskScope {
    /// Makes the scope's ownership shared: see [`SharedScope`]. Usually a
    /// [root](crate::scope::ScopeBuilder::root) scope, since the object that
    /// owns it outlives the call that builds it.
    ///
    /// ```
    /// let shared = taskscope::TaskScope::root().into_shared();
    /// assert_eq!(shared.owners(), 1);
    /// ```
    pub fn into_shared(self) -> SharedScope {
        SharedScope::new(self)
    }
}
