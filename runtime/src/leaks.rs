//! The leak check: after a test, every task it started must be gone.

use std::fmt;
use std::time::Duration;

use crate::registry::{dump, TaskTree};

/// How long a leak check waits, by default, for tasks to finish before it
/// calls them leaked.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(std::future::pending::<()>()); // never ends: a leak
/// let started = tokio::time::Instant::now();
/// taskscope::LeakCheck::new().run().await.expect_err("the child is still alive");
/// assert_eq!(started.elapsed(), taskscope::DEFAULT_SETTLE_TIME); // it kept looking until then
/// # }
/// ```
pub const DEFAULT_SETTLE_TIME: Duration = Duration::from_secs(1);

/// Checks that the current tokio runtime has no task left: none spawned
/// through taskscope (those are named, with their spawn location), and none
/// spawned any other way (those are counted).
///
/// The runtime's task count lags behind tasks that just ended, and an aborted
/// task ends at its next poll, so the check looks again with a growing pause
/// (1 ms, 2 ms, 4 ms, ... at most 100 ms) until the settle time is up, as
/// goleak retries.
///
/// `#[taskscope::test]` runs this after the test's body. A test that builds
/// its own runtime runs it at the end of its `block_on`, or calls
/// [`assert_no_leaks`].
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(async {});
/// scope.join().await.expect("nothing failed");
/// taskscope::LeakCheck::new()
///     .settle_time(Duration::from_millis(200))
///     .run()
///     .await
///     .expect("nothing leaked");
///
/// let forgotten = taskscope::TaskScope::new();
/// forgotten.spawn(std::future::pending::<()>());
/// std::mem::forget(forgotten);
/// let report = taskscope::LeakCheck::new()
///     .settle_time(Duration::from_millis(10))
///     .run()
///     .await
///     .expect_err("the forgotten scope's task leaked");
/// assert_eq!(report.leaked().len(), 1);
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a LeakCheck does nothing until it is run"]
pub struct LeakCheck {
    settle: Duration,
}

impl Default for LeakCheck {
    fn default() -> Self {
        LeakCheck::new()
    }
}

impl LeakCheck {
    /// A check with the [default settle time](DEFAULT_SETTLE_TIME).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(async { "done" });
    /// scope.join().await.expect("nothing failed");
    /// assert!(taskscope::LeakCheck::new().run().await.is_ok()); // a joined scope leaves nothing
    /// # }
    /// ```
    pub fn new() -> Self {
        LeakCheck {
            settle: DEFAULT_SETTLE_TIME,
        }
    }

    /// How long to wait for tasks to finish before calling them leaked.
    ///
    /// ```
    /// use std::time::Duration;
    /// use taskscope::LeakCheck;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(tokio::time::sleep(Duration::from_millis(50)));
    /// let impatient = LeakCheck::new().settle_time(Duration::from_millis(10)).run().await;
    /// assert_eq!(impatient.expect_err("the child still sleeps").leaked().len(), 1);
    /// let patient = LeakCheck::new().settle_time(Duration::from_millis(100)).run().await;
    /// assert!(patient.is_ok()); // the child ended within 100 ms
    /// # scope.join().await.expect("nothing failed");
    /// # }
    /// ```
    pub fn settle_time(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// Runs the check on the current runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// ```
    /// use taskscope::LeakCheck;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let worker = scope.spawn(std::future::pending::<()>());
    /// let report = LeakCheck::new().run().await.expect_err("the worker is still alive");
    /// assert_eq!(report.leaked().len(), 1);
    /// worker.abort();
    /// assert!(LeakCheck::new().run().await.is_ok()); // an aborted task is gone by its next poll
    /// # }
    /// ```
    pub async fn run(self) -> Result<(), LeakReport> {
        let runtime = tokio::runtime::Handle::current();
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let alive = runtime.metrics().num_alive_tasks();
            let tree = dump().on_runtime(runtime.id());
            if alive == 0 && tree.has_no_tasks() {
                return Ok(());
            }
            let waited = started.elapsed();
            if waited >= self.settle {
                return Err(LeakReport::new(tree, alive, waited));
            }
            tokio::time::sleep(pause.min(self.settle - waited)).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}

/// Runs a [`LeakCheck`] on `runtime` and panics with its report if anything
/// leaked: the function form of `#[taskscope::test]`, for tests that build
/// their own runtime.
///
/// ```
/// let runtime = tokio::runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .enable_all()
///     .build()
///     .expect("a runtime");
/// runtime.block_on(async {
///     let scope = taskscope::TaskScope::new();
///     scope.spawn(async { 1 + 1 });
///     scope.join().await.expect("nothing failed");
/// });
/// taskscope::assert_no_leaks(&runtime);
/// ```
#[track_caller]
pub fn assert_no_leaks(runtime: &tokio::runtime::Runtime) {
    if let Err(report) = runtime.block_on(LeakCheck::new().run()) {
        panic!("{report}");
    }
}

/// One task spawned through taskscope that outlived its test.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::builder().name("cache").build();
/// scope.task().name("refresher").spawn(std::future::pending::<()>())?;
/// let check = taskscope::LeakCheck::new().settle_time(Duration::from_millis(10));
/// let report = check.run().await.expect_err("the refresher is still alive");
/// let leaked: &taskscope::LeakedTask = report.leaked().first().expect("one leaked task");
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
    /// scope.task().name("poller").spawn(std::future::pending::<()>())?;
    /// scope.spawn(std::future::pending::<()>());
    /// let check = taskscope::LeakCheck::new().settle_time(Duration::from_millis(10));
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
    /// let check = taskscope::LeakCheck::new().settle_time(Duration::from_millis(10));
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
    /// let check = taskscope::LeakCheck::new().settle_time(Duration::from_millis(10));
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
    /// let check = taskscope::LeakCheck::new().settle_time(Duration::from_secs(1));
    /// let report = check.run().await.expect_err("the child is still alive");
    /// let age = report.leaked().first().expect("one leaked task").age();
    /// assert!(age >= Duration::from_secs(6)); // 5 s before the check, 1 s during it
    /// # }
    /// ```
    pub fn age(&self) -> Duration {
        self.age
    }
}

/// What a failed [`LeakCheck`] found: the taskscope tasks still alive (named,
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
/// scope.task().name("stuck").spawn(std::future::pending::<()>())?;
/// let check = taskscope::LeakCheck::new().settle_time(Duration::from_millis(10));
/// let report: taskscope::LeakReport = check.run().await.expect_err("the job is still alive");
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
    waited: Duration,
}

impl LeakReport {
    fn new(tree: TaskTree, alive: usize, waited: Duration) -> Self {
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
        LeakReport {
            untracked: alive.saturating_sub(counted_by_tokio),
            leaked,
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
    /// let check = taskscope::LeakCheck::new().settle_time(Duration::from_millis(10));
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
    /// let check = taskscope::LeakCheck::new().settle_time(Duration::from_millis(10));
    /// let report = check.run().await.expect_err("both tasks are still alive");
    /// assert_eq!((report.leaked().len(), report.untracked()), (1, 1));
    /// # raw.abort();
    /// # }
    /// ```
    pub fn untracked(&self) -> usize {
        self.untracked
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
        if self.untracked > 0 {
            writeln!(
                f,
                "  {} task{} spawned outside taskscope (a raw tokio::spawn, a JoinSet, ...): \
                 spawn {} into a TaskScope to see where it started, or await or abort its handle \
                 before the test returns",
                self.untracked,
                if self.untracked == 1 { "" } else { "s" },
                if self.untracked == 1 { "it" } else { "them" },
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for LeakReport {}
