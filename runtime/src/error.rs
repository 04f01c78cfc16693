//! The errors a scope reports.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use crate::output::ChildError;

/// Who a task is: its name (if it was given one) and where it was spawned.
#[derive(Clone, Debug)]
pub struct TaskInfo {
    name: Option<Arc<str>>,
    location: &'static Location<'static>,
}

impl TaskInfo {
    pub(crate) fn new(name: Option<Arc<str>>, location: &'static Location<'static>) -> Self {
        TaskInfo { name, location }
    }

    /// The name given at spawn, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The source location of the `spawn` call.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

impl fmt::Display for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "task `{name}` spawned at {}", self.location),
            None => write!(f, "task spawned at {}", self.location),
        }
    }
}

/// One child's failure: which task, and the error it returned.
#[derive(Debug)]
pub struct Failure {
    task: TaskInfo,
    error: ChildError,
}

impl Failure {
    pub(crate) fn new(task: TaskInfo, error: ChildError) -> Self {
        Failure { task, error }
    }

    /// The task that failed.
    pub fn task(&self) -> &TaskInfo {
        &self.task
    }

    /// The error it returned.
    pub fn error(&self) -> &ChildError {
        &self.error
    }

    /// The error, taking it out of the failure.
    pub fn into_error(self) -> ChildError {
        self.error
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.task, self.error)
    }
}

impl std::error::Error for Failure {}

/// Why [`join`](crate::TaskScope::join) did not return `Ok`: children failed,
/// the scope's deadline passed, or both.
///
/// The failures are kept in the order they happened; the first is usually the
/// cause and the rest its fallout. A child's panic is not kept here: `join`
/// resumes it in the parent.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(async { Err::<(), _>(std::io::Error::other("disk full")) });
/// let error = scope.join().await.expect_err("the child failed");
/// assert_eq!(error.failures().len(), 1);
/// assert!(error.to_string().contains("disk full"));
/// let io = error.downcast::<std::io::Error>().expect("the first failure is an io::Error");
/// assert_eq!(io.kind(), std::io::ErrorKind::Other);
/// # }
/// ```
#[derive(Debug)]
pub struct ScopeError {
    scope: Option<Arc<str>>,
    failures: Vec<Failure>,
    elapsed: bool,
}

impl ScopeError {
    pub(crate) fn new(scope: Option<Arc<str>>, failures: Vec<Failure>, elapsed: bool) -> Self {
        ScopeError {
            scope,
            failures,
            elapsed,
        }
    }

    /// Every failure, first first.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// The first failure, if any child failed (a scope whose deadline passed
    /// may have none).
    pub fn first(&self) -> Option<&Failure> {
        self.failures.first()
    }

    /// Whether the scope's deadline passed before its children finished.
    pub fn is_elapsed(&self) -> bool {
        self.elapsed
    }

    /// The scope's name, if it was given one.
    pub fn scope_name(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The first failure's error as its own type.
    pub fn downcast_ref<E: 'static>(&self) -> Option<&E> {
        self.first()?.error.downcast_ref()
    }

    /// The first failure's error as its own type, or `self` back if there is
    /// none of that type.
    pub fn downcast<E: 'static>(mut self) -> Result<E, Self> {
        if self.downcast_ref::<E>().is_none() {
            return Err(self);
        }
        let first = self.failures.remove(0);
        first.error.downcast().map_err(|error| {
            self.failures.insert(0, Failure::new(first.task, error));
            self
        })
    }

    /// Every failure, by value.
    pub fn into_failures(self) -> Vec<Failure> {
        self.failures
    }
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.scope {
            Some(name) => write!(f, "scope `{name}`")?,
            None => f.write_str("scope")?,
        }
        if self.elapsed {
            f.write_str(" passed its deadline")?;
            if !self.failures.is_empty() {
                f.write_str(" and")?;
            }
        }
        if let Some(first) = self.failures.first() {
            write!(f, " failed: {first}")?;
            match self.failures.len() - 1 {
                0 => {}
                1 => f.write_str(" (and 1 more failure)")?,
                more => write!(f, " (and {more} more failures)")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScopeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.failures
            .first()
            .map(|first| first as &(dyn std::error::Error + 'static))
    }
}

/// A spawn through a [`ScopeHandle`](crate::ScopeHandle) after the scope was
/// joined or dropped. No task was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the scope has closed: it was joined or dropped, and takes no more tasks")
    }
}

impl std::error::Error for Closed {}

/// Why [`taskscope::spawn`](crate::spawn) did not start a task. No task was
/// created either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpawnError {
    /// The caller is not running inside a scope (not a child of one, nor the
    /// body of [`TaskScope::run`](crate::TaskScope::run)). taskscope never
    /// falls back to a detached `tokio::spawn`.
    NoScope,
    /// The current scope has closed.
    Closed,
}

impl From<Closed> for SpawnError {
    fn from(_: Closed) -> Self {
        SpawnError::Closed
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::NoScope => f.write_str(
                "no current scope: taskscope::spawn was called outside any TaskScope \
                 (spawn through a scope or a ScopeHandle instead)",
            ),
            SpawnError::Closed => fmt::Display::fmt(&Closed, f),
        }
    }
}

impl std::error::Error for SpawnError {}

/// Why awaiting a [`TaskHandle`](crate::TaskHandle) gave no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskError {
    /// The child returned an `Err` or panicked. The error (or panic) went to
    /// the scope, whose [`join`](crate::TaskScope::join) reports it.
    Failed,
    /// The child was aborted: through its handle, after the scope's grace
    /// period, or because the scope was dropped without being joined.
    Aborted,
    /// The child was cancelled while it waited for a free slot in a scope with
    /// a [`limit`](crate::ScopeBuilder::limit), so it never ran.
    NotStarted,
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskError::Failed => "the task failed; its scope's join reports the failure",
            TaskError::Aborted => "the task was aborted",
            TaskError::NotStarted => "the task was cancelled before a concurrency slot freed up",
        })
    }
}

impl std::error::Error for TaskError {}
