//! The errors a scope reports.

use std::any::Any;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use super::name::TaskName;
use super::output::ChildError;

/// Who a task is: its name (if it was given one) and where it was spawned.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::new();
/// scope.task_builder().name("upload").spawn(async { Err::<(), _>("quota exceeded") });
/// let error = scope.join().await.expect_err("the upload failed");
/// let task: &taskscope::task::TaskInfo = error.first().expect("one failure").task();
/// assert_eq!(task.name(), Some("upload"));
/// assert!(task.to_string().starts_with("task `upload` spawned at "));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TaskInfo {
    name: Option<TaskName>,
    location: &'static Location<'static>,
}

impl TaskInfo {
    pub(crate) fn new(name: Option<TaskName>, location: &'static Location<'static>) -> Self {
        TaskInfo { name, location }
    }

    /// The name given at spawn, if any.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::builder().supervise().build();
    /// scope.task_builder().name("named").spawn(async { Err::<(), _>("a") });
    /// scope.spawn(async { Err::<(), _>("b") });
    /// let error = scope.join().await.expect_err("both failed");
    /// let names: Vec<_> = error.failures().iter().map(|f| f.task().name()).collect();
    /// assert_eq!(names, [Some("named"), None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_ref().map(TaskName::as_str)
    }

    /// The source location of the `spawn` call.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let line = line!() + 1;
    /// scope.spawn(async { Err::<(), _>("bad input") });
    /// let error = scope.join().await.expect_err("the child failed");
    /// let location = error.first().expect("one failure").task().location();
    /// assert_eq!((location.file(), location.line()), (file!(), line));
    /// # }
    /// ```
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
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), taskscope::Closed> {
/// let scope = taskscope::TaskScope::new();
/// scope.task_builder().name("resize").spawn(async { Err::<(), _>("disk full") });
/// let error = scope.join().await.expect_err("the resize failed");
/// let failure: &taskscope::task::Failure = error.first().expect("one failure");
/// assert!(failure.to_string().starts_with("task `resize` spawned at "));
/// assert!(failure.to_string().ends_with(" failed: disk full"));
/// # Ok(())
/// # }
/// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), taskscope::Closed> {
    /// let scope = taskscope::TaskScope::new();
    /// scope.task_builder().name("thumbnail").spawn(async { Err::<(), _>("bad image") });
    /// let error = scope.join().await.expect_err("the thumbnail failed");
    /// let failure = error.first().expect("one failure");
    /// assert_eq!(failure.task().name(), Some("thumbnail"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn task(&self) -> &TaskInfo {
        &self.task
    }

    /// The error it returned.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(async { "12x".parse::<u32>() });
    /// let error = scope.join().await.expect_err("the parse failed");
    /// let failure = error.first().expect("one failure");
    /// assert_eq!(failure.error().to_string(), "invalid digit found in string");
    /// assert!(failure.error().downcast_ref::<std::num::ParseIntError>().is_some());
    /// # }
    /// ```
    pub fn error(&self) -> &ChildError {
        &self.error
    }

    /// The error, taking it out of the failure.
    ///
    /// ```
    /// use std::io;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(async { Err::<(), _>(io::Error::new(io::ErrorKind::NotFound, "no config")) });
    /// let error = scope.join().await.expect_err("the child failed");
    /// let failure = error.into_failures().into_iter().next().expect("one failure");
    /// let io_error: io::Error = failure.into_error().downcast().expect("an io::Error");
    /// assert_eq!(io_error.kind(), io::ErrorKind::NotFound);
    /// # }
    /// ```
    pub fn into_error(self) -> ChildError {
        self.error
    }

    pub(crate) fn into_parts(self) -> (TaskInfo, ChildError) {
        (self.task, self.error)
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
    /// Failures past the ones kept, counted only.
    more: usize,
    elapsed: bool,
}

impl ScopeError {
    pub(crate) fn new(
        scope: Option<Arc<str>>,
        failures: Vec<Failure>,
        more: usize,
        elapsed: bool,
    ) -> Self {
        ScopeError {
            scope,
            failures,
            more,
            elapsed,
        }
    }

    /// How many children failed: the [`failures`](ScopeError::failures)
    /// kept, and those past the first
    /// [`MAX_KEPT_FAILURES`](crate::scope::MAX_KEPT_FAILURES), which a scope
    /// counts without keeping them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().supervise().build();
    /// for n in 0..150u32 {
    ///     scope.spawn(async move { Err::<(), _>(n) });
    /// }
    /// let error = scope.join().await.expect_err("every child failed");
    /// assert_eq!(error.failure_count(), 150);
    /// assert_eq!(error.failures().len(), taskscope::scope::MAX_KEPT_FAILURES);
    /// # }
    /// ```
    pub fn failure_count(&self) -> usize {
        self.failures.len() + self.more
    }

    /// The failures kept, first first: every one, up to
    /// [`MAX_KEPT_FAILURES`](crate::scope::MAX_KEPT_FAILURES) (see
    /// [`failure_count`](ScopeError::failure_count)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().supervise().build();
    /// for n in 0..4 {
    ///     scope.spawn(async move { if n % 2 == 1 { Err(format!("odd {n}")) } else { Ok(n) } });
    /// }
    /// let error = scope.join().await.expect_err("two children failed");
    /// let messages: Vec<String> = error.failures().iter().map(|f| f.error().to_string()).collect();
    /// assert_eq!(messages, ["odd 1", "odd 3"]);
    /// # }
    /// ```
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// The first failure, if any child failed (a scope whose deadline passed
    /// may have none).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(async { Err::<(), _>("root cause") });
    /// scope.spawn(async { taskscope::cancelled().await; Err::<(), _>("fallout") });
    /// let error = scope.join().await.expect_err("both children failed");
    /// assert_eq!(error.failures().len(), 2);
    /// let first = error.first().map(|f| f.error().to_string());
    /// assert_eq!(first.as_deref(), Some("root cause"));
    /// # }
    /// ```
    pub fn first(&self) -> Option<&Failure> {
        self.failures.first()
    }

    /// Whether the scope's deadline cut its work off: it passed while a
    /// foreground child (or the body of [`TaskScope::run`](crate::TaskScope::run))
    /// was still running, and the scope was cancelled for it. A deadline
    /// that passes after the work is done is not an error, even when `join`
    /// comes later: as `tokio::time::timeout` does, the scope looks at the
    /// work before the clock.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().timeout(Duration::from_secs(1)).build();
    /// scope.spawn(async { taskscope::cancelled().await });
    /// let error = scope.join().await.expect_err("the deadline passed");
    /// assert!(error.is_elapsed());
    /// assert!(error.first().is_none()); // and no child failed
    /// # }
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.elapsed
    }

    /// The scope's name, if it was given one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().name("billing").build();
    /// scope.spawn(async { Err::<(), _>("card declined") });
    /// let error = scope.join().await.expect_err("the charge failed");
    /// assert_eq!(error.scope_name(), Some("billing"));
    /// assert!(error.to_string().starts_with("scope `billing` failed: "));
    /// # }
    /// ```
    pub fn scope_name(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The first failure's error as its own type.
    ///
    /// ```
    /// use std::num::ParseIntError;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(async { "12x".parse::<u32>() });
    /// let error = scope.join().await.expect_err("the parse failed");
    /// assert!(error.downcast_ref::<ParseIntError>().is_some());
    /// assert!(error.downcast_ref::<std::io::Error>().is_none());
    /// # }
    /// ```
    pub fn downcast_ref<E: 'static>(&self) -> Option<&E> {
        self.first()?.error.downcast_ref()
    }

    /// The first failure's error as its own type, or `self` back if there is
    /// none of that type.
    ///
    /// ```
    /// use std::num::{IntErrorKind, ParseIntError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// scope.spawn(async { "12x".parse::<u32>() });
    /// let error = scope.join().await.expect_err("the parse failed");
    /// let error = error.downcast::<std::io::Error>().expect_err("not an io::Error");
    /// let parse: ParseIntError = error.downcast().expect("the first failure");
    /// assert_eq!(parse.kind(), &IntErrorKind::InvalidDigit);
    /// # }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::builder().supervise().build();
    /// scope.spawn(async { Err::<(), _>(String::from("a")) });
    /// scope.spawn(async { Err::<(), _>(String::from("b")) });
    /// let error = scope.join().await.expect_err("both failed");
    /// let errors: Vec<String> = error
    ///     .into_failures()
    ///     .into_iter()
    ///     .filter_map(|failure| failure.into_error().downcast::<String>().ok())
    ///     .collect();
    /// assert_eq!(errors, ["a", "b"]);
    /// # }
    /// ```
    pub fn into_failures(self) -> Vec<Failure> {
        self.failures
    }

    /// The failures kept and how many more were only counted.
    pub(crate) fn into_counted_failures(self) -> (Vec<Failure>, usize) {
        (self.failures, self.more)
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
            match self.failure_count() - 1 {
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

/// A scope's failure as an I/O error, so that a `#[scoped]` fn returning
/// `io::Result` (a trait impl whose signature is not the user's to change)
/// can pass it on with `?`. The kind is [`TimedOut`](std::io::ErrorKind::TimedOut)
/// if the deadline cut work off, [`Other`](std::io::ErrorKind::Other)
/// otherwise; the `ScopeError` is the error's inner error.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// async fn serve() -> std::io::Result<()> {
///     let scope = taskscope::TaskScope::new();
///     scope.spawn(async { Err::<(), _>("connection reset") });
///     scope.join().await?;
///     Ok(())
/// }
/// let error = serve().await.expect_err("a child failed");
/// assert_eq!(error.kind(), std::io::ErrorKind::Other);
/// let inner = error.get_ref().and_then(|inner| inner.downcast_ref::<taskscope::ScopeError>());
/// assert_eq!(inner.map(|scope| scope.failures().len()), Some(1));
/// # }
/// ```
impl From<ScopeError> for std::io::Error {
    fn from(error: ScopeError) -> Self {
        let kind = if error.is_elapsed() {
            std::io::ErrorKind::TimedOut
        } else {
            std::io::ErrorKind::Other
        };
        std::io::Error::new(kind, error)
    }
}

/// A spawn through a [`ScopeHandle`](crate::ScopeHandle) after the scope was
/// joined or dropped. No task was created.
///
/// ```
/// let scope = taskscope::TaskScope::new();
/// let handle = scope.handle();
/// drop(scope); // a joined scope closes the same way
/// let refused = handle.spawn(async {}).expect_err("the scope is gone");
/// assert_eq!(refused, taskscope::Closed);
/// assert!(refused.to_string().starts_with("the scope has closed"));
/// ```
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
///
/// ```
/// use taskscope::SpawnError;
///
/// // Not inside any scope: nothing to spawn into.
/// let error = taskscope::spawn(async {}).expect_err("no current scope");
/// assert_eq!(error, SpawnError::NoScope);
/// assert!(error.to_string().starts_with("no current scope"));
/// assert_eq!(SpawnError::from(taskscope::Closed), SpawnError::Closed);
/// ```
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
///
/// ```
/// use taskscope::TaskError;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let failed = scope.spawn(async { Err::<(), _>("bad input") });
/// let stuck = scope.spawn(std::future::pending::<()>());
/// stuck.abort();
/// assert_eq!(failed.await, Err(TaskError::Failed));
/// assert_eq!(stuck.await, Err(TaskError::Aborted));
/// let error = scope.join().await.expect_err("the failure itself goes to join");
/// assert_eq!(error.downcast_ref::<&str>(), Some(&"bad input"));
/// # }
/// ```
///
/// A panic is told apart from a returned `Err`, as tokio's `JoinError`
/// does ([`is_panic`](TaskError::is_panic),
/// [`into_panic`](TaskError::into_panic)); the panic itself goes to the
/// scope, whose `join` resumes it, and the handle gets its message:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let child = scope.spawn(async { panic!("out of range") });
/// let error = child.await.expect_err("it panicked");
/// assert!(error.is_panic());
/// assert_eq!(error.panic_message(), Some("out of range"));
/// drop(scope); // unjoined: the panic is dropped with it (`join` would resume it)
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskError {
    /// The child returned an `Err`. The error went to the scope, whose
    /// [`join`](crate::TaskScope::join) reports it.
    Failed,
    /// The child panicked. The panic went to the scope, whose
    /// [`join`](crate::TaskScope::join) resumes it; this is its message
    /// (a panic with a payload other than a string has none).
    Panicked(Option<Arc<str>>),
    /// The child was aborted: through its handle, after the scope's grace
    /// period, or because the scope was dropped without being joined.
    Aborted,
    /// The child was cancelled while it waited for a free slot in a scope with
    /// a [`limit`](crate::scope::ScopeBuilder::limit), so it never ran.
    NotStarted,
}

impl TaskError {
    /// The error of a child that panicked with `payload`.
    pub(crate) fn panicked(payload: &(dyn Any + Send)) -> Self {
        let message = match payload.downcast_ref::<&'static str>() {
            Some(message) => Some(Arc::from(*message)),
            None => payload
                .downcast_ref::<String>()
                .map(|message| Arc::from(message.as_str())),
        };
        TaskError::Panicked(message)
    }

    /// Whether the child panicked.
    ///
    /// ```
    /// assert!(!taskscope::TaskError::Failed.is_panic());
    /// assert!(taskscope::TaskError::Panicked(None).is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, TaskError::Panicked(_))
    }

    /// Whether the child was aborted (tokio's `JoinError::is_cancelled`).
    ///
    /// ```
    /// assert!(taskscope::TaskError::Aborted.is_aborted());
    /// ```
    pub fn is_aborted(&self) -> bool {
        matches!(self, TaskError::Aborted)
    }

    /// The message of the child's panic, if it panicked with a string.
    ///
    /// ```
    /// let error = taskscope::TaskError::Panicked(Some("boom".into()));
    /// assert_eq!(error.panic_message(), Some("boom"));
    /// ```
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            TaskError::Panicked(message) => message.as_deref(),
            _ => None,
        }
    }

    /// The child's panic as a payload to resume with
    /// [`std::panic::resume_unwind`], as tokio's `JoinError::into_panic`;
    /// `self` back if the child did not panic. The payload is a `String`
    /// holding the panic's message: the original payload went to the scope,
    /// whose `join` resumes it.
    ///
    /// ```
    /// let error = taskscope::TaskError::Panicked(Some("boom".into()));
    /// let payload = error.try_into_panic().expect("a panic");
    /// assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("boom"));
    /// assert!(taskscope::TaskError::Aborted.try_into_panic().is_err());
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, TaskError> {
        match self {
            TaskError::Panicked(message) => Ok(Box::new(match message {
                Some(message) => String::from(&*message),
                None => String::from("a child task panicked with a payload that is not a string"),
            })),
            other => Err(other),
        }
    }

    /// [`try_into_panic`](TaskError::try_into_panic), for an error known to
    /// be a panic.
    ///
    /// # Panics
    ///
    /// If the child did not panic, as tokio's `JoinError::into_panic`.
    ///
    /// ```
    /// let error = taskscope::TaskError::Panicked(None);
    /// assert!(error.into_panic().is::<String>());
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self.try_into_panic() {
            Ok(payload) => payload,
            Err(other) => {
                panic!("`TaskError::into_panic` on an error that is not a panic: {other}")
            }
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Failed => {
                f.write_str("the task failed; its scope's join reports the failure")
            }
            TaskError::Panicked(Some(message)) => write!(f, "the task panicked: {message}"),
            TaskError::Panicked(None) => f.write_str("the task panicked"),
            TaskError::Aborted => f.write_str("the task was aborted"),
            TaskError::NotStarted => {
                f.write_str("the task was cancelled before a concurrency slot freed up")
            }
        }
    }
}

impl std::error::Error for TaskError {}
