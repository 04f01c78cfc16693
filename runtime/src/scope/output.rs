//! What a child's output means to its scope: a value, or a failure.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// What a child's output means to its scope: a success `T` for its
/// [`TaskHandle`], or a failure the scope must hear about.
///
/// A scope needs to know whether a child failed without the child's handle
/// being awaited, so the output is read inside the task: a [`Result`]'s `Err`
/// is a failure, which goes to the scope (and from there to
/// [`join`](crate::TaskScope::join)), and its `Ok` value to the handle. Every
/// other output is a value for the handle:
///
/// - `()`, the numbers, `bool`, `char`, `String`, `&'static str`,
///   [`Duration`](std::time::Duration), `Vec`, `Option`, `Arc`, `Box<str>`,
///   `Box<[T]>`, and tuples of up to four (a `Box` of a type of your own is
///   yours: implement [`TaskOutput`] for it);
/// - `!`, the output of a child that never returns (`loop` without `break`,
///   `panic!`), on either edition, as `tokio::spawn` takes it;
/// - [`Value<T>`]: any `T`, with an `Err` kept as a value (what
///   [`TaskScope::spawn_value`](crate::TaskScope::spawn_value) spawns);
/// - your own type, once it implements [`TaskOutput`].
///
/// The success type is a parameter rather than an associated type so that a
/// literal infers through it as through `tokio::spawn`:
/// `let n: u32 = scope.spawn(async { 1 }).await?` makes the `1` a `u32`.
///
/// This trait is sealed: implement [`TaskOutput`] for your own types.
///
/// [`TaskHandle`]: crate::TaskHandle
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a task output taskscope can classify",
    label = "the output of this child task",
    note = "a child returns `()`, a `Result` (its `Err` is a failure of the scope, and must be `Display + Debug + Send + Sync`), a standard value type, or never returns",
    note = "for a value of your own type, implement `taskscope::task::TaskOutput` for `{Self}`, or spawn with `spawn_value`, which takes any output as a value"
)]
pub trait Outcome<T>: sealed::Sealed<T> + Sized + 'static {
    /// Splits the output into a success for the handle or a failure for the
    /// scope.
    fn into_child_result(self) -> Result<T, ChildError>;
}

mod sealed {
    /// Keeps [`Outcome`](super::Outcome) taskscope's own: a type of a user's
    /// crate could not implement it beside the impl for `!` (coherence in
    /// another crate cannot see through the projection `!` is named by).
    pub trait Sealed<T> {}
}

/// How a child's output of your own type is classified: turn it into a
/// success for the child's handle, or a failure of the scope.
///
/// Outputs of the standard types, `Result` and `!` need nothing (see
/// [`Outcome`]); a type of your own implements this (or the child returns
/// `Ok::<_, std::convert::Infallible>(value)`, or is spawned with
/// [`spawn_value`](crate::TaskScope::spawn_value)):
///
/// ```
/// struct Report { rows: usize }
///
/// impl taskscope::task::TaskOutput for Report {
///     type Success = Report;
///     fn into_outcome(self) -> Result<Report, taskscope::task::ChildError> {
///         Ok(self)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let report = scope.spawn(async { Report { rows: 3 } });
/// assert_eq!(report.await.map(|r| r.rows), Ok(3));
/// scope.join().await.expect("no child failed");
/// # }
/// ```
///
/// A type of your own can be a failure too: return `Err` from
/// `into_outcome`, and the scope records it as a child's error.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a task output taskscope can classify",
    label = "the output of this child task",
    note = "a child returns `()`, a `Result` (its `Err` is a failure of the scope, and must be `Display + Debug + Send + Sync`), a standard value type, or never returns",
    note = "for a value of your own type, implement `taskscope::task::TaskOutput` for `{Self}`, or spawn with `spawn_value`, which takes any output as a value"
)]
pub trait TaskOutput: Sized + 'static {
    /// What the child's [`TaskHandle`](crate::TaskHandle) yields when the
    /// child succeeds.
    type Success: 'static;

    /// Splits the output into a success for the handle or a failure for the
    /// scope.
    fn into_outcome(self) -> Result<Self::Success, ChildError>;
}

impl<O: TaskOutput> sealed::Sealed<O::Success> for O {}

impl<O: TaskOutput> Outcome<O::Success> for O {
    fn into_child_result(self) -> Result<O::Success, ChildError> {
        self.into_outcome()
    }
}

impl<T: 'static, E> sealed::Sealed<T> for Result<T, E> {}

impl<T: 'static, E> Outcome<T> for Result<T, E>
where
    E: fmt::Display + fmt::Debug + Send + Sync + 'static,
{
    fn into_child_result(self) -> Result<T, ChildError> {
        self.map_err(ChildError::new)
    }
}

/// Names the output of a function pointer type, for [`Never`].
pub trait FnOutput {
    /// The output type.
    type Output;
}

impl<T> FnOutput for fn() -> T {
    type Output = T;
}

/// `!`, nameable on stable Rust (`!` itself is not accepted as a type
/// argument there): the output of a child that never returns, and what
/// `#[scoped]` writes wherever a return type says `!`.
pub type Never = <fn() -> ! as FnOutput>::Output;

impl sealed::Sealed<Never> for Never {}

/// A child that never returns is as `tokio::spawn` takes it. With an
/// outcome for both of the types the compiler may give such a child (`()`
/// on edition 2021 by fallback, `!` on 2024), its code compiles on both
/// editions. Its handle yields only a `TaskError`.
#[diagnostic::do_not_recommend]
impl Outcome<Never> for Never {
    fn into_child_result(self) -> Result<Never, ChildError> {
        self
    }
}

/// A child's output taken as a value, whatever it is: an `Err` in it goes to
/// the child's handle, not to the scope. What
/// [`TaskScope::spawn_value`](crate::TaskScope::spawn_value) wraps a
/// future's output in; wrap one yourself for the other spawns (a named task,
/// `spawn_blocking`).
///
/// ```
/// use taskscope::task::Value;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let parse = scope.spawn_blocking(|| Value("x".parse::<u8>()));
/// assert!(parse.await.expect("it ran").is_err(), "the Err is the handle's");
/// scope.join().await.expect("and not a failure of the scope");
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Value<T>(pub T);

impl<T: 'static> sealed::Sealed<T> for Value<T> {}

impl<T: 'static> Outcome<T> for Value<T> {
    fn into_child_result(self) -> Result<T, ChildError> {
        Ok(self.0)
    }
}

pin_project! {
    /// A future whose output is taken as a [`Value`]: what `spawn_value`
    /// spawns (a wrapper of its own rather than an `async` block, which
    /// would store the future twice).
    pub(crate) struct AsValue<F> {
        #[pin]
        future: F,
    }
}

impl<F> AsValue<F> {
    pub(crate) fn new(future: F) -> Self {
        AsValue { future }
    }
}

impl<F: Future> Future for AsValue<F> {
    type Output = Value<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().future.poll(cx).map(Value)
    }
}

macro_rules! value_outputs {
    ($([$($generics:tt)*] $ty:ty),* $(,)?) => {
        $(
            impl<$($generics)*> sealed::Sealed<$ty> for $ty {}

            impl<$($generics)*> Outcome<$ty> for $ty {
                fn into_child_result(self) -> Result<$ty, ChildError> {
                    Ok(self)
                }
            }
        )*
    };
}

value_outputs!(
    [] (), [] bool, [] char, [] String, [] &'static str, [] std::time::Duration,
    [] u8, [] u16, [] u32, [] u64, [] u128, [] usize,
    [] i8, [] i16, [] i32, [] i64, [] i128, [] isize, [] f32, [] f64,
    [T: 'static] Vec<T>, [T: 'static] Option<T>, [] Box<str>, [T: 'static] Box<[T]>,
    [T: ?Sized + 'static] std::sync::Arc<T>,
    [A: 'static, B: 'static] (A, B), [A: 'static, B: 'static, C: 'static] (A, B, C),
    [A: 'static, B: 'static, C: 'static, D: 'static] (A, B, C, D),
);

/// The error a child failed with, as its scope keeps it: type-erased, still
/// printable, and recoverable with [`downcast`](ChildError::downcast).
///
/// ```
/// use std::io;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// scope.spawn(async { Err::<(), _>(io::Error::new(io::ErrorKind::NotFound, "no config")) });
/// let error = scope.join().await.expect_err("the child failed");
/// let child_error: &taskscope::task::ChildError = error.first().expect("one failure").error();
/// assert_eq!(child_error.to_string(), "no config");
/// let kind = child_error.downcast_ref::<io::Error>().map(io::Error::kind);
/// assert_eq!(kind, Some(io::ErrorKind::NotFound));
/// # }
/// ```
pub struct ChildError {
    inner: Box<dyn ErasedError>,
}

trait ErasedError: fmt::Display + fmt::Debug + Send + Sync + 'static {
    fn as_any(&self) -> &dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
}

impl<E: fmt::Display + fmt::Debug + Send + Sync + 'static> ErasedError for E {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
}

impl ChildError {
    /// Wraps a child's error.
    ///
    /// ```
    /// let error = taskscope::task::ChildError::new(std::io::Error::other("disk full"));
    /// assert_eq!(error.to_string(), "disk full");
    /// ```
    pub fn new<E>(error: E) -> Self
    where
        E: fmt::Display + fmt::Debug + Send + Sync + 'static,
    {
        ChildError {
            inner: Box::new(error),
        }
    }

    /// The error as its own type, if it is an `E`.
    ///
    /// ```
    /// let error = taskscope::task::ChildError::new("x".parse::<u8>().unwrap_err());
    /// assert!(error.downcast_ref::<std::num::ParseIntError>().is_some());
    /// assert!(error.downcast_ref::<std::io::Error>().is_none());
    /// ```
    pub fn downcast_ref<E: 'static>(&self) -> Option<&E> {
        (*self.inner).as_any().downcast_ref()
    }

    /// The error as its own type, or `self` back if it is not an `E`.
    ///
    /// ```
    /// let error = taskscope::task::ChildError::new(String::from("gone"));
    /// assert_eq!(error.downcast::<String>().ok().as_deref(), Some("gone"));
    /// ```
    pub fn downcast<E: 'static>(self) -> Result<E, Self> {
        if (*self.inner).as_any().is::<E>() {
            match self.inner.into_any().downcast::<E>() {
                Ok(error) => Ok(*error),
                Err(_) => unreachable!("the type was checked just above"),
            }
        } else {
            Err(self)
        }
    }
}

impl fmt::Debug for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

#[cfg(all(test, not(taskscope_loom)))]
mod tests {
    use super::*;

    #[test]
    fn result_errors_are_failures_and_values_are_successes() {
        let failed: Result<u8, std::io::Error> = Err(std::io::Error::other("boom"));
        let error = failed.into_child_result().expect_err("an Err is a failure");
        assert_eq!(error.to_string(), "boom");
        assert_eq!(Ok::<u8, String>(7).into_child_result().ok(), Some(7));
        assert_eq!(42u64.into_child_result().ok(), Some(42));
        assert_eq!(
            None::<u8>.into_child_result().ok(),
            Some(None),
            "None is a value"
        );
        let kept = Value(Err::<u8, _>("kept")).into_child_result();
        assert_eq!(kept.ok(), Some(Err("kept")), "a Value's Err is a value");
    }

    #[test]
    fn downcast_gives_the_error_back_when_the_type_is_wrong() {
        let error = ChildError::new(String::from("x"));
        let error = error
            .downcast::<std::io::Error>()
            .expect_err("not an io::Error");
        assert_eq!(error.downcast::<String>().ok().as_deref(), Some("x"));
    }
}
