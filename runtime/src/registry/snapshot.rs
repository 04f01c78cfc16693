//! What a dump shows of a live scope and of a live task.

use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

/// What a live child looks like in a dump.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::builder().name("server").build();
/// scope.task_builder().name("accept").spawn(std::future::pending::<()>());
/// let tree = taskscope::dump();
/// let (path, task) = tree.tasks().next().expect("one live task");
/// assert_eq!(task.name(), Some("accept"));
/// assert_eq!(path.first().and_then(|scope| scope.name()), Some("server"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TaskSnapshot {
    pub(crate) id: tokio::task::Id,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) age: Duration,
    pub(crate) background: bool,
    pub(crate) blocking: bool,
    pub(crate) cancelled: bool,
    pub(crate) scopes: Vec<ScopeSnapshot>,
}

impl TaskSnapshot {
    /// The tokio task id.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let child = scope.spawn(std::future::pending::<()>());
    /// let tree = taskscope::dump();
    /// let ids: Vec<_> = tree.tasks().map(|(_, task)| task.id()).collect();
    /// assert_eq!(ids, [child.id()]);
    /// # }
    /// ```
    pub fn id(&self) -> tokio::task::Id {
        self.id
    }

    /// The name given at spawn, if any.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// scope.task_builder().name("poller").spawn(std::future::pending::<()>());
    /// scope.spawn(std::future::pending::<()>());
    /// let tree = taskscope::dump();
    /// let names: Vec<_> = tree.tasks().map(|(_, task)| task.name()).collect();
    /// assert_eq!(names, [Some("poller"), None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where it was spawned.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let line = line!() + 1;
    /// scope.spawn(std::future::pending::<()>());
    /// let tree = taskscope::dump();
    /// let (_, task) = tree.tasks().next().expect("one live task");
    /// assert_eq!((task.location().file(), task.location().line()), (file!(), line));
    /// # }
    /// ```
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// How long ago it was spawned.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(std::future::pending::<()>());
    /// tokio::time::sleep(Duration::from_secs(3)).await;
    /// let tree = taskscope::dump();
    /// let (_, task) = tree.tasks().next().expect("one live task");
    /// assert_eq!(task.age(), Duration::from_secs(3));
    /// # }
    /// ```
    pub fn age(&self) -> Duration {
        self.age
    }

    /// Whether it is a background child.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(std::future::pending::<()>());
    /// scope.spawn_background(std::future::pending::<()>());
    /// let tree = taskscope::dump();
    /// let background: Vec<bool> = tree.tasks().map(|(_, task)| task.is_background()).collect();
    /// assert_eq!(background, [false, true]);
    /// # }
    /// ```
    pub fn is_background(&self) -> bool {
        self.background
    }

    /// Whether it runs on the blocking pool (`spawn_blocking`). tokio does
    /// not count such tasks in `num_alive_tasks`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let (release, released) = std::sync::mpsc::channel::<()>();
    /// scope.spawn_blocking(move || released.recv().is_ok());
    /// let tree = taskscope::dump();
    /// let (_, task) = tree.tasks().next().expect("still running");
    /// assert!(task.is_blocking());
    /// release.send(()).expect("the blocking child waits");
    /// scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn is_blocking(&self) -> bool {
        self.blocking
    }

    /// Whether its scope has been cancelled (so it should be winding down).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(std::future::pending::<()>()); // ignores cancellation
    /// scope.cancel();
    /// let tree = taskscope::dump();
    /// let (_, task) = tree.tasks().next().expect("still running");
    /// assert!(task.is_cancelled());
    /// # }
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// Scopes this task created that are still alive.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outer = taskscope::TaskScope::new();
    /// outer.spawn(async {
    ///     let inner = taskscope::TaskScope::builder().name("inner").build();
    ///     inner.spawn(std::future::pending::<()>());
    ///     inner.join().await
    /// });
    /// tokio::task::yield_now().await; // let the child create its scope
    /// let tree = taskscope::dump();
    /// let root = tree.roots().first().expect("`outer` is alive");
    /// let child = root.tasks().first().expect("its child is alive");
    /// let created: Vec<_> = child.scopes().iter().map(|scope| scope.name()).collect();
    /// assert_eq!(created, [Some("inner")]);
    /// # }
    /// ```
    pub fn scopes(&self) -> &[ScopeSnapshot] {
        &self.scopes
    }
}

/// What a live scope looks like in a dump.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::builder().name("ingest").build();
/// scope.spawn(std::future::pending::<()>());
/// let tree = taskscope::dump();
/// let root: &taskscope::registry::ScopeSnapshot = tree.roots().first().expect("one live scope");
/// assert_eq!(root.name(), Some("ingest"));
/// assert_eq!(root.tasks().len(), 1);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ScopeSnapshot {
    pub(crate) id: u64,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) age: Duration,
    pub(crate) cancelled: bool,
    pub(crate) runtime: Option<tokio::runtime::Id>,
    pub(crate) tasks: Vec<TaskSnapshot>,
    /// Nested scopes not created by one of `tasks` (for example by the
    /// scope's owner, in the scope's body).
    pub(crate) scopes: Vec<ScopeSnapshot>,
    pub(crate) parent: Option<u64>,
    pub(crate) created_in_task: Option<tokio::task::Id>,
}

impl ScopeSnapshot {
    /// The scope's name, if it was given one.
    ///
    /// ```
    /// let _named = taskscope::TaskScope::builder().name("ingest").build();
    /// let _unnamed = taskscope::TaskScope::new();
    /// let tree = taskscope::dump();
    /// let names: Vec<_> = tree.roots().iter().map(|scope| scope.name()).collect();
    /// assert_eq!(names, [Some("ingest"), None]);
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the scope was created.
    ///
    /// ```
    /// let line = line!() + 1;
    /// let _scope = taskscope::TaskScope::new();
    /// let tree = taskscope::dump();
    /// let location = tree.roots().first().expect("one live scope").location();
    /// assert_eq!((location.file(), location.line()), (file!(), line));
    /// ```
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// How long ago it was created.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let _scope = taskscope::TaskScope::new();
    /// tokio::time::sleep(Duration::from_secs(2)).await;
    /// let tree = taskscope::dump();
    /// let age = tree.roots().first().expect("one live scope").age();
    /// assert_eq!(age, Duration::from_secs(2));
    /// # }
    /// ```
    pub fn age(&self) -> Duration {
        self.age
    }

    /// Whether it has been cancelled.
    ///
    /// ```
    /// let scope = taskscope::TaskScope::new();
    /// scope.cancel();
    /// let tree = taskscope::dump();
    /// assert!(tree.roots().first().expect("the scope is alive").is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// The id of the tokio runtime it was created on, if it was created on one.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let _outside = taskscope::TaskScope::new(); // no runtime here
    /// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    /// let _inside = runtime.block_on(async { taskscope::TaskScope::new() });
    /// let tree = taskscope::dump();
    /// let runtimes: Vec<_> = tree.roots().iter().map(|scope| scope.runtime()).collect();
    /// assert_eq!(runtimes, [None, Some(runtime.handle().id())]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Option<tokio::runtime::Id> {
        self.runtime
    }

    /// Its live children.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// scope.task_builder().name("quick").spawn(async {});
    /// scope.task_builder().name("slow").spawn(std::future::pending::<()>());
    /// tokio::task::yield_now().await; // `quick` finishes
    /// let tree = taskscope::dump();
    /// let root = tree.roots().first().expect("the scope is alive");
    /// let live: Vec<_> = root.tasks().iter().map(|task| task.name()).collect();
    /// assert_eq!(live, [Some("slow")]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn tasks(&self) -> &[TaskSnapshot] {
        &self.tasks
    }

    /// Scopes nested in it that none of its live children created.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::ScopeError> {
    /// let outer = taskscope::TaskScope::builder().name("outer").build();
    /// outer.run(async {
    ///     // Created by the body of `run`, not by a child: nested in `outer`.
    ///     let _inner = taskscope::TaskScope::builder().name("inner").build();
    ///     let tree = taskscope::dump();
    ///     let root = tree.roots().first().expect("`outer` is alive");
    ///     assert_eq!(root.scopes().first().and_then(|scope| scope.name()), Some("inner"));
    ///     Ok::<_, taskscope::ScopeError>(())
    /// }).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn scopes(&self) -> &[ScopeSnapshot] {
        &self.scopes
    }

    /// How it is called in paths: its name, or where it was created.
    ///
    /// ```
    /// let _named = taskscope::TaskScope::builder().name("ingest").build();
    /// let _unnamed = taskscope::TaskScope::new();
    /// let tree = taskscope::dump();
    /// let labels: Vec<String> = tree.roots().iter().map(|scope| scope.label()).collect();
    /// assert_eq!(labels.first().map(String::as_str), Some("ingest"));
    /// assert!(labels.last().is_some_and(|label| label.starts_with("scope@")));
    /// ```
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => name.to_string(),
            None => format!("scope@{}", self.location),
        }
    }
}
