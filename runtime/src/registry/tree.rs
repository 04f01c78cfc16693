//! The tree of live scopes and tasks: `dump()` assembles it from the live
//! list, `TaskTree` walks it and prints it.

use std::collections::HashMap;
use std::fmt;

use crate::clock::Now;

use super::live::live_scopes;
use super::{ScopeSnapshot, TaskSnapshot};

/// The live scopes and tasks, as a tree: made by [`dump`].
///
/// Displayed, it is an indented tree of scopes and the tasks under them,
/// each with its name, location and age.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::builder().name("server").build();
/// scope.task_builder().name("accept").spawn(std::future::pending::<()>());
/// scope.task_builder().name("metrics").background().spawn(std::future::pending::<()>());
/// let tree: taskscope::registry::TaskTree = taskscope::dump();
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
    /// outer.task_builder().name("conn").spawn(async {
    ///     let inner = taskscope::TaskScope::builder().name("inner").build();
    ///     inner.task_builder().name("read").spawn(std::future::pending::<()>());
    ///     inner.join().await
    /// });
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
/// scope.task_builder().name("accept").spawn(std::future::pending::<()>());
/// let shown = taskscope::dump().to_string();
/// assert!(shown.contains("scope `server`"));
/// assert!(shown.contains("task `accept`"));
/// # }
/// ```
pub fn dump() -> TaskTree {
    let now = Now::read();
    assemble(
        live_scopes()
            .iter()
            .filter_map(|scope| scope.snapshot(now))
            .collect(),
    )
}

/// [`dump`], of the scopes created on `runtime` only (as
/// [`TaskTree::on_runtime`] keeps them), without snapshotting any other:
/// what the leak check of one test needs, whatever other tests (a tree of
/// 100 000 nested scopes, say) run beside it on other runtimes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::builder().name("here").build();
/// let here = tokio::runtime::Handle::current().id();
/// let tree = taskscope::registry::dump_on_runtime(here);
/// assert!(tree.roots().iter().any(|root| root.name() == Some("here")));
/// # drop(scope);
/// # }
/// ```
pub fn dump_on_runtime(runtime: tokio::runtime::Id) -> TaskTree {
    let now = Now::read();
    assemble(
        live_scopes()
            .iter()
            .filter(|scope| scope.runtime() == Some(runtime))
            .filter_map(|scope| scope.snapshot(now))
            .collect(),
    )
}

/// Puts every scope under its parent, in the list of the task that created
/// it (or of the parent itself), in creation order, in time linear in the
/// number of scopes and tasks (plus a sort of their ids). A scope whose
/// parent is not among `flat` is a root. The snapshots are large, so they
/// are sorted by index and each is moved only into its place.
fn assemble(flat: Vec<ScopeSnapshot>) -> TaskTree {
    // A nested scope is created after its parent, so it has a larger id:
    // attaching the largest ids first moves every scope with its own nested
    // scopes already in place.
    let mut by_id: Vec<(u64, usize)> = flat
        .iter()
        .enumerate()
        .map(|(index, scope)| (scope.id, index))
        .collect();
    by_id.sort_unstable();
    let index_of = |id: u64| {
        by_id
            .binary_search_by_key(&id, |&(id, _)| id)
            .ok()
            .map(|position| by_id[position].1)
    };
    let tasks = flat.iter().map(|scope| scope.tasks.len()).sum();
    let mut task_at: HashMap<tokio::task::Id, (usize, usize)> = HashMap::with_capacity(tasks);
    for (scope_index, scope) in flat.iter().enumerate() {
        for (task_index, task) in scope.tasks.iter().enumerate() {
            task_at.insert(task.id, (scope_index, task_index));
        }
    }
    // Where each scope goes: under which scope, and under which of its tasks.
    let places: Vec<Option<(usize, Option<usize>)>> = flat
        .iter()
        .map(|scope| {
            let parent = scope.parent.and_then(index_of)?;
            let creator = scope
                .created_in_task
                .and_then(|task| task_at.get(&task))
                .filter(|(scope_index, _)| *scope_index == parent)
                .map(|&(_, task_index)| task_index);
            Some((parent, creator))
        })
        .collect();
    let mut placed: Vec<Option<ScopeSnapshot>> = flat.into_iter().map(Some).collect();
    let mut roots = Vec::new();
    for &(_, index) in by_id.iter().rev() {
        let Some(mut scope) = placed[index].take() else {
            continue;
        };
        // Its lists were filled largest id first.
        scope.scopes.reverse();
        for task in &mut scope.tasks {
            task.scopes.reverse();
        }
        let parent = places[index]
            .and_then(|(parent, creator)| placed[parent].as_mut().map(|parent| (parent, creator)));
        match parent {
            Some((parent, Some(task_index))) => parent.tasks[task_index].scopes.push(scope),
            Some((parent, None)) => parent.scopes.push(scope),
            None => roots.push(scope),
        }
    }
    roots.reverse();
    TaskTree { roots }
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
