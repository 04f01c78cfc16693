//! The live task registry: every scope that is alive, and through it every
//! child that has not finished, with its name, spawn location and age.
//!
//! Nothing here is on a child's hot path. A scope registers itself once, in a
//! global list of weak references; its children are already recorded in the
//! scope's own child list (which the scope needs anyway, to abort them), and
//! an entry there carries the child's location and start time. A dump walks
//! those lists under their locks.

use std::fmt;
use std::panic::Location;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use crate::clock::{Now, ScopeClock};
use crate::scope::ScopeShared;
use crate::sync::lock;

struct LiveScopes {
    scopes: Vec<Weak<ScopeShared>>,
    sweep_at: usize,
}

static LIVE_SCOPES: Mutex<LiveScopes> = Mutex::new(LiveScopes {
    scopes: Vec::new(),
    sweep_at: 64,
});

/// Records a new scope. Scopes that have been dropped are forgotten whenever
/// the list has doubled since the last sweep.
pub(crate) fn register(scope: &Arc<ScopeShared>) {
    let mut live = lock(&LIVE_SCOPES);
    if live.scopes.len() >= live.sweep_at {
        live.scopes.retain(|scope| scope.strong_count() > 0);
        live.sweep_at = (live.scopes.len() * 2).max(64);
    }
    live.scopes.push(Arc::downgrade(scope));
}

fn live_scopes() -> Vec<Arc<ScopeShared>> {
    lock(&LIVE_SCOPES)
        .scopes
        .iter()
        .filter_map(Weak::upgrade)
        .collect()
}

/// Where a scope sits: what it is nested in and which task created it.
pub(crate) struct ScopeOrigin {
    pub(crate) id: u64,
    pub(crate) location: &'static Location<'static>,
    pub(crate) clock: ScopeClock,
    pub(crate) parent: Option<Weak<ScopeShared>>,
    pub(crate) runtime: Option<tokio::runtime::Id>,
    pub(crate) created_in_task: Option<tokio::task::Id>,
}

impl ScopeOrigin {
    pub(crate) fn here(
        location: &'static Location<'static>,
        parent: Option<&Arc<ScopeShared>>,
    ) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let runtime = tokio::runtime::Handle::try_current()
            .ok()
            .map(|handle| handle.id());
        ScopeOrigin {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            location,
            clock: ScopeClock::start(runtime),
            parent: parent.map(Arc::downgrade),
            runtime,
            created_in_task: tokio::task::try_id(),
        }
    }
}

/// What a live child looks like in a dump.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::builder().name("server").build();
/// scope.task().name("accept").spawn(std::future::pending::<()>())?;
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
    /// scope.task().name("poller").spawn(std::future::pending::<()>())?;
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
/// let root: &taskscope::ScopeSnapshot = tree.roots().first().expect("one live scope");
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
    /// Places a nested scope under the child that created it, or directly
    /// under this scope. Scopes are adopted largest id first, so each list
    /// is reversed into creation order as it fills.
    fn adopt(&mut self, nested: ScopeSnapshot) {
        let creator = nested
            .created_in_task
            .and_then(|task| self.tasks.iter_mut().find(|child| child.id == task));
        let list = match creator {
            Some(task) => &mut task.scopes,
            None => &mut self.scopes,
        };
        list.insert(0, nested);
    }

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
    /// scope.task().name("quick").spawn(async {})?;
    /// scope.task().name("slow").spawn(std::future::pending::<()>())?;
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

/// The live scopes and tasks, as a tree: made by [`dump`].
///
/// Displayed, it is an indented tree of scopes and the tasks under them,
/// each with its name, location and age.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::builder().name("server").build();
/// scope.task().name("accept").spawn(std::future::pending::<()>())?;
/// scope.task().name("metrics").background().spawn(std::future::pending::<()>())?;
/// let tree: taskscope::TaskTree = taskscope::dump();
/// let shown = tree.to_string();
/// let lines: Vec<&str> = shown.lines().collect();
/// assert_eq!(lines.len(), 3);
/// assert!(lines[0].starts_with("scope `server` created at "));
/// assert!(lines[1].starts_with("├── task `accept` spawned at "));
/// assert!(lines[2].starts_with("└── task `metrics` spawned at "));
/// assert!(lines[2].ends_with(", background)"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct TaskTree {
    roots: Vec<ScopeSnapshot>,
}

impl TaskTree {
    /// The scopes that are not nested in another live scope.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let a = taskscope::TaskScope::builder().name("a").build();
    /// a.spawn(async {
    ///     let nested = taskscope::TaskScope::builder().name("nested").build();
    ///     nested.cancelled().await;
    /// });
    /// let _b = taskscope::TaskScope::builder().name("b").build();
    /// tokio::task::yield_now().await; // let the child create `nested`
    /// let tree = taskscope::dump();
    /// let roots: Vec<_> = tree.roots().iter().map(|scope| scope.name()).collect();
    /// assert_eq!(roots, [Some("a"), Some("b")]); // `nested` sits under a's child
    /// # }
    /// ```
    pub fn roots(&self) -> &[ScopeSnapshot] {
        &self.roots
    }

    /// Only the scopes created on the given tokio runtime, at any depth. A
    /// scope created on another runtime is left out with its tasks, and the
    /// scopes of `runtime` nested in it take its place.
    ///
    /// ```
    /// use tokio::runtime::Builder;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let first = Builder::new_current_thread().build()?;
    /// let second = Builder::new_current_thread().build()?;
    /// let _a = first.block_on(async { taskscope::TaskScope::builder().name("a").build() });
    /// let _b = second.block_on(async { taskscope::TaskScope::builder().name("b").build() });
    /// let tree = taskscope::dump().on_runtime(second.handle().id());
    /// let names: Vec<_> = tree.roots().iter().map(|scope| scope.name()).collect();
    /// assert_eq!(names, [Some("b")]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn on_runtime(self, runtime: tokio::runtime::Id) -> TaskTree {
        TaskTree {
            roots: created_on(self.roots, runtime),
        }
    }

    /// Whether no scope has a live task.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// assert!(taskscope::dump().has_no_tasks()); // a live scope, but no child yet
    /// let child = scope.spawn(std::future::pending::<()>());
    /// assert!(!taskscope::dump().has_no_tasks());
    /// # child.abort();
    /// # }
    /// ```
    pub fn has_no_tasks(&self) -> bool {
        self.tasks().next().is_none()
    }

    /// Every live task with the path of scopes above it (outermost first).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let outer = taskscope::TaskScope::builder().name("outer").build();
    /// outer.task().name("conn").spawn(async {
    ///     let inner = taskscope::TaskScope::builder().name("inner").build();
    ///     inner.task().name("read").spawn(std::future::pending::<()>()).expect("open");
    ///     inner.join().await
    /// })?;
    /// tokio::task::yield_now().await; // let `conn` start `read`
    /// let tree = taskscope::dump();
    /// let found: Vec<(String, Option<&str>)> = tree
    ///     .tasks()
    ///     .map(|(path, task)| {
    ///         let path: Vec<String> = path.iter().map(|scope| scope.label()).collect();
    ///         (path.join("/"), task.name())
    ///     })
    ///     .collect();
    /// assert_eq!(
    ///     found,
    ///     [(String::from("outer"), Some("conn")), (String::from("outer/inner"), Some("read"))]
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn tasks(&self) -> impl Iterator<Item = (Vec<&ScopeSnapshot>, &TaskSnapshot)> + '_ {
        let mut found = Vec::new();
        for root in &self.roots {
            collect_tasks(root, &mut Vec::new(), &mut found);
        }
        found.into_iter()
    }
}

fn collect_tasks<'a>(
    scope: &'a ScopeSnapshot,
    path: &mut Vec<&'a ScopeSnapshot>,
    found: &mut Vec<(Vec<&'a ScopeSnapshot>, &'a TaskSnapshot)>,
) {
    path.push(scope);
    for task in &scope.tasks {
        found.push((path.clone(), task));
        for nested in &task.scopes {
            collect_tasks(nested, path, found);
        }
    }
    for nested in &scope.scopes {
        collect_tasks(nested, path, found);
    }
    path.pop();
}

/// The live scopes and tasks of the whole process, as a tree.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::builder().name("server").build();
/// scope.task().name("accept").spawn(std::future::pending::<()>()).expect("open");
/// let shown = taskscope::dump().to_string();
/// assert!(shown.contains("scope `server`"));
/// assert!(shown.contains("task `accept`"));
/// # }
/// ```
pub fn dump() -> TaskTree {
    let now = Now::read();
    let mut flat: Vec<ScopeSnapshot> = live_scopes()
        .iter()
        .filter_map(|scope| scope.snapshot(now))
        .collect();
    // A nested scope is created after its parent, so it has a larger id:
    // attaching the largest ids first moves every scope with its own nested
    // scopes already in place.
    flat.sort_by_key(|scope| scope.id);
    let mut placed: Vec<Option<ScopeSnapshot>> = flat.into_iter().map(Some).collect();
    for index in (0..placed.len()).rev() {
        let Some(scope) = placed[index].take() else {
            continue;
        };
        let parent = scope.parent.and_then(|parent| {
            placed[..index]
                .iter_mut()
                .flatten()
                .find(|candidate| candidate.id == parent)
        });
        match parent {
            Some(parent) => parent.adopt(scope),
            None => placed[index] = Some(scope),
        }
    }
    TaskTree {
        roots: placed.into_iter().flatten().collect(),
    }
}

/// The scopes among `scopes` (and nested in them) created on `runtime`.
fn created_on(scopes: Vec<ScopeSnapshot>, runtime: tokio::runtime::Id) -> Vec<ScopeSnapshot> {
    let mut kept = Vec::new();
    for mut scope in scopes {
        if scope.runtime == Some(runtime) {
            scope.scopes = created_on(std::mem::take(&mut scope.scopes), runtime);
            for task in &mut scope.tasks {
                task.scopes = created_on(std::mem::take(&mut task.scopes), runtime);
            }
            kept.push(scope);
        } else {
            let nested = scope
                .scopes
                .into_iter()
                .chain(scope.tasks.into_iter().flat_map(|task| task.scopes))
                .collect();
            kept.extend(created_on(nested, runtime));
        }
    }
    kept
}

impl fmt::Display for TaskTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.roots.is_empty() {
            return f.write_str("no live scopes\n");
        }
        for root in &self.roots {
            writeln!(f, "{}", ScopeLine(root))?;
            write_scope_contents(f, root, "")?;
        }
        Ok(())
    }
}

struct ScopeLine<'a>(&'a ScopeSnapshot);

impl fmt::Display for ScopeLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scope = self.0;
        match &scope.name {
            Some(name) => write!(f, "scope `{name}`")?,
            None => f.write_str("scope")?,
        }
        write!(f, " created at {} ({:.1?} ago", scope.location, scope.age)?;
        if scope.cancelled {
            f.write_str(", cancelled")?;
        }
        f.write_str(")")
    }
}

struct TaskLine<'a>(&'a TaskSnapshot);

impl fmt::Display for TaskLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let task = self.0;
        match &task.name {
            Some(name) => write!(f, "task `{name}`")?,
            None => f.write_str("task")?,
        }
        write!(f, " spawned at {} ({:.1?} ago", task.location, task.age)?;
        if task.background {
            f.write_str(", background")?;
        }
        if task.cancelled {
            f.write_str(", cancelled")?;
        }
        f.write_str(")")
    }
}

enum Node<'a> {
    Task(&'a TaskSnapshot),
    Scope(&'a ScopeSnapshot),
}

fn write_scope_contents(
    f: &mut fmt::Formatter<'_>,
    scope: &ScopeSnapshot,
    prefix: &str,
) -> fmt::Result {
    let nodes: Vec<Node<'_>> = scope
        .tasks
        .iter()
        .map(Node::Task)
        .chain(scope.scopes.iter().map(Node::Scope))
        .collect();
    write_nodes(f, &nodes, prefix)
}

fn write_nodes(f: &mut fmt::Formatter<'_>, nodes: &[Node<'_>], prefix: &str) -> fmt::Result {
    for (index, node) in nodes.iter().enumerate() {
        let last = index + 1 == nodes.len();
        let (branch, indent) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        let inner = format!("{prefix}{indent}");
        match node {
            Node::Task(task) => {
                writeln!(f, "{prefix}{branch}{}", TaskLine(task))?;
                let nested: Vec<Node<'_>> = task.scopes.iter().map(Node::Scope).collect();
                write_nodes(f, &nested, &inner)?;
            }
            Node::Scope(scope) => {
                writeln!(f, "{prefix}{branch}{}", ScopeLine(scope))?;
                write_scope_contents(f, scope, &inner)?;
            }
        }
    }
    Ok(())
}
