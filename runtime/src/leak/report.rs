//! What a failed leak check found, task by task.

use std::fmt;
use std::time::Duration;

use super::sites::UntrackedTask;
use crate::registry::TaskTree;

/// One task spawned through taskscope that outlived its test.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::builder().name("cache").build();
/// scope.task_builder().name("refresher").spawn(std::future::pending::<()>());
/// let check = taskscope::leak::LeakCheck::new().settle_time(Duration::from_millis(10));
/// let report = check.run().await.expect_err("the refresher is still alive");
/// let leaked: &taskscope::leak::LeakedTask = report.leaked().first().expect("one leaked task");
/// assert_eq!((leaked.name(), leaked.scope_path()), (Some("refresher"), "cache"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct LeakedTask {
    name: Option<String>,
    location: &'static std::panic::Location<'static>,
    scope_path: String,
    age: Duration,
}

impl LeakedTask {
    /// The task's name, if it was given one.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// scope.task_builder().name("poller").spawn(std::future::pending::<()>());
    /// scope.spawn(std::future::pending::<()>());
    /// let check = taskscope::leak::LeakCheck::new().settle_time(Duration::from_millis(10));
    /// let report = check.run().await.expect_err("both are still alive");
    /// let names: Vec<_> = report.leaked().iter().map(|task| task.name()).collect();
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
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let line = line!() + 1;
    /// scope.spawn(std::future::pending::<()>());
    /// let check = taskscope::leak::LeakCheck::new().settle_time(Duration::from_millis(10));
    /// let report = check.run().await.expect_err("the child is still alive");
    /// let location = report.leaked().first().expect("one leaked task").location();
    /// assert_eq!((location.file(), location.line()), (file!(), line));
    /// # }
    /// ```
    pub fn location(&self) -> &'static std::panic::Location<'static> {
        self.location
    }

    /// The scopes above it, outermost first, joined by `/`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let server = taskscope::TaskScope::builder().name("server").build();
    /// server.spawn(async {
    ///     let conn = taskscope::TaskScope::builder().name("conn").build(); // nested in `server`
    ///     conn.spawn(std::future::pending::<()>());
    ///     conn.join().await
    /// });
    /// let check = taskscope::leak::LeakCheck::new().settle_time(Duration::from_millis(10));
    /// let report = check.run().await.expect_err("both children are still alive");
    /// let paths: Vec<_> = report.leaked().iter().map(|task| task.scope_path()).collect();
    /// assert_eq!(paths, ["server", "server/conn"]);
    /// # }
    /// ```
    pub fn scope_path(&self) -> &str {
        &self.scope_path
    }

    /// How long it had been alive when the check gave up.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(std::future::pending::<()>());
    /// tokio::time::sleep(Duration::from_secs(5)).await;
    /// let check = taskscope::leak::LeakCheck::new().settle_time(Duration::from_secs(1));
    /// let report = check.run().await.expect_err("the child is still alive");
    /// let age = report.leaked().first().expect("one leaked task").age();
    /// assert!(age >= Duration::from_secs(6)); // 5 s before the check, 1 s during it
    /// # }
    /// ```
    pub fn age(&self) -> Duration {
        self.age
    }
}

/// What a failed [`LeakCheck`](super::LeakCheck) found: the taskscope tasks still alive (named,
/// with spawn location, scope path and age), and how many other tasks are.
///
/// Displayed, it lists every leaked task on a line of its own.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::builder().name("jobs").build();
/// scope.task_builder().name("stuck").spawn(std::future::pending::<()>());
/// let check = taskscope::leak::LeakCheck::new().settle_time(Duration::from_millis(10));
/// let report: taskscope::leak::LeakReport = check.run().await.expect_err("the job is still alive");
/// let text = report.to_string();
/// assert!(text.starts_with("1 task still alive"));
/// assert!(text.contains("task `stuck` spawned at "));
/// assert!(text.contains(" in scope jobs, "));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct LeakReport {
    leaked: Vec<LeakedTask>,
    untracked: usize,
    /// `None`: the runtime does not record spawn sites.
    untracked_tasks: Option<Vec<UntrackedTask>>,
    waited: Duration,
}

impl LeakReport {
    pub(super) fn new(
        tree: TaskTree,
        alive: usize,
        untracked_tasks: Option<Vec<UntrackedTask>>,
        waited: Duration,
    ) -> Self {
        let leaked: Vec<LeakedTask> = tree
            .tasks()
            .map(|(path, task)| LeakedTask {
                name: task.name().map(String::from),
                location: task.location(),
                scope_path: path
                    .iter()
                    .map(|scope| scope.label())
                    .collect::<Vec<_>>()
                    .join("/"),
                age: task.age(),
            })
            .collect();
        // tokio counts the tasks on its blocking pool nowhere, so only the
        // async children are part of `alive`.
        let counted_by_tokio = tree.tasks().filter(|(_, task)| !task.is_blocking()).count();
        // The two sources are read a moment apart: take the larger.
        let located = untracked_tasks.as_ref().map_or(0, Vec::len);
        LeakReport {
            untracked: alive.saturating_sub(counted_by_tokio).max(located),
            leaked,
            untracked_tasks,
            waited,
        }
    }

    /// The taskscope tasks still alive.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(async { "finishes at once" });
    /// scope.spawn(std::future::pending::<()>());
    /// scope.spawn(std::future::pending::<()>());
    /// let check = taskscope::leak::LeakCheck::new().settle_time(Duration::from_millis(10));
    /// let report = check.run().await.expect_err("two children never end");
    /// assert_eq!(report.leaked().len(), 2);
    /// # }
    /// ```
    pub fn leaked(&self) -> &[LeakedTask] {
        &self.leaked
    }

    /// How many other tasks (a raw `tokio::spawn`, a `JoinSet`, ...) are still
    /// alive on the runtime.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(std::future::pending::<()>());
    /// let raw = tokio::spawn(std::future::pending::<()>()); // not through taskscope
    /// let check = taskscope::leak::LeakCheck::new().settle_time(Duration::from_millis(10));
    /// let report = check.run().await.expect_err("both tasks are still alive");
    /// assert_eq!((report.leaked().len(), report.untracked()), (1, 1));
    /// # raw.abort();
    /// # }
    /// ```
    pub fn untracked(&self) -> usize {
        self.untracked
    }

    /// The tasks spawned outside taskscope that are still alive, each with
    /// the line that spawned it: known on a runtime built by
    /// [`build_runtime`](super::build_runtime) (as `#[taskscope::test]`'s
    /// is) with `--cfg tokio_unstable`, empty otherwise (then only
    /// [`untracked`](LeakReport::untracked) counts them).
    ///
    /// (See [`UntrackedTask`] for an example.)
    pub fn untracked_tasks(&self) -> &[UntrackedTask] {
        self.untracked_tasks.as_deref().unwrap_or_default()
    }
}

impl fmt::Display for LeakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.leaked.len() + self.untracked;
        writeln!(
            f,
            "{total} task{} still alive {:.1?} after the test's body returned",
            if total == 1 { "" } else { "s" },
            self.waited
        )?;
        for task in &self.leaked {
            match &task.name {
                Some(name) => write!(f, "  task `{name}`")?,
                None => f.write_str("  task")?,
            }
            writeln!(
                f,
                " spawned at {} in scope {}, alive for {:.1?}",
                task.location, task.scope_path, task.age
            )?;
        }
        let located = self.untracked_tasks();
        for task in located {
            writeln!(
                f,
                "  task spawned outside taskscope at {} (tokio task {}): await or abort its \
                 handle before the test returns, or spawn it into a TaskScope",
                task.location(),
                task.id()
            )?;
        }
        let unlocated = self.untracked - located.len();
        if unlocated > 0 {
            let (count, them) = if unlocated == 1 {
                (String::from("1 task"), "it")
            } else {
                (format!("{unlocated} tasks"), "them")
            };
            let more = if located.is_empty() { "" } else { " more" };
            write!(
                f,
                "  {count}{more} spawned outside taskscope (a raw tokio::spawn, a JoinSet, ...): \
                 spawn {them} into a TaskScope to see where it started, or await or abort its \
                 handle before the test returns"
            )?;
            if self.untracked_tasks.is_none() {
                f.write_str(
                    "; build with RUSTFLAGS=\"--cfg tokio_unstable\" and #[taskscope::test] \
                     (or taskscope::leak::build_runtime) names the line that spawned it",
                )?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for LeakReport {}
