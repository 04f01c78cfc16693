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

use tokio::time::Instant;

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
    pub(crate) created: Instant,
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
        ScopeOrigin {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            location,
            created: Instant::now(),
            parent: parent.map(Arc::downgrade),
            runtime: tokio::runtime::Handle::try_current()
                .ok()
                .map(|handle| handle.id()),
            created_in_task: tokio::task::try_id(),
        }
    }
}

/// What a live child looks like in a dump.
#[derive(Clone, Debug)]
pub struct TaskSnapshot {
    pub(crate) id: tokio::task::Id,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) age: Duration,
    pub(crate) background: bool,
    pub(crate) cancelled: bool,
    pub(crate) scopes: Vec<ScopeSnapshot>,
}

impl TaskSnapshot {
    /// The tokio task id.
    pub fn id(&self) -> tokio::task::Id {
        self.id
    }

    /// The name given at spawn, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where it was spawned.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// How long ago it was spawned.
    pub fn age(&self) -> Duration {
        self.age
    }

    /// Whether it is a background child.
    pub fn is_background(&self) -> bool {
        self.background
    }

    /// Whether its scope has been cancelled (so it should be winding down).
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// Scopes this task created that are still alive.
    pub fn scopes(&self) -> &[ScopeSnapshot] {
        &self.scopes
    }
}

/// What a live scope looks like in a dump.
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
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the scope was created.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// How long ago it was created.
    pub fn age(&self) -> Duration {
        self.age
    }

    /// Whether it has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// The id of the tokio runtime it was created on, if it was created on one.
    pub fn runtime(&self) -> Option<tokio::runtime::Id> {
        self.runtime
    }

    /// Its live children.
    pub fn tasks(&self) -> &[TaskSnapshot] {
        &self.tasks
    }

    /// Scopes nested in it that none of its live children created.
    pub fn scopes(&self) -> &[ScopeSnapshot] {
        &self.scopes
    }

    /// How it is called in paths: its name, or where it was created.
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
#[derive(Clone, Debug, Default)]
pub struct TaskTree {
    roots: Vec<ScopeSnapshot>,
}

impl TaskTree {
    /// The scopes that are not nested in another live scope.
    pub fn roots(&self) -> &[ScopeSnapshot] {
        &self.roots
    }

    /// Only the scopes created on the given tokio runtime.
    pub fn on_runtime(self, runtime: tokio::runtime::Id) -> TaskTree {
        TaskTree {
            roots: self
                .roots
                .into_iter()
                .filter(|scope| scope.runtime == Some(runtime))
                .collect(),
        }
    }

    /// Whether no scope has a live task.
    pub fn has_no_tasks(&self) -> bool {
        self.tasks().next().is_none()
    }

    /// Every live task with the path of scopes above it (outermost first).
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
    let now = Instant::now();
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
