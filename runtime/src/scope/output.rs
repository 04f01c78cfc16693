//! What a child's output means to its scope: a value, or a failure.

use std::any::Any;
use std::fmt;

/// The output of a child task, split into the value its [`TaskHandle`]
/// returns and a failure that its scope must hear about.
///
/// A scope needs to know whether a child failed without the child's handle
/// being awaited, so the classification happens inside the task: an `Err` is a
/// failure, which goes to the scope (and from there to
/// [`join`](crate::TaskScope::join)), while an `Ok` value goes to the handle.
/// This plays the part [`std::process::Termination`] plays for `main`.
///
/// Implemented for `()`, [`Result`] (whose `Err` is a failure), and the
/// standard value types (numbers, `bool`, `char`, `String`, `&'static str`,
/// `Vec`, `Option`, `Box`, `Arc`, `Duration`, tuples of up to four). A child
/// that produces a value of your own type either returns
/// `Ok::<_, std::convert::Infallible>(value)` or implements this trait:
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
/// [`TaskHandle`]: crate::TaskHandle
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a task output taskscope can classify",
    label = "the output of this child task",
    note = "a child returns `()`, a `Result` (its `Err` is a failure of the scope), or a standard value type",
    note = "return `Ok::<_, std::convert::Infallible>(value)`, or implement `taskscope::task::TaskOutput` for `{Self}`"
)]
pub trait TaskOutput: Sized + 'static {
    /// What the child's [`TaskHandle`](crate::TaskHandle) yields when the
    /// child succeeds.
    type Success: 'static;

    /// Splits the output into a success for the handle or a failure for the
    /// scope.
    fn into_outcome(self) -> Result<Self::Success, ChildError>;
}

impl<T: 'static, E> TaskOutput for Result<T, E>
where
    E: fmt::Display + fmt::Debug + Send + Sync + 'static,
{
    type Success = T;

    fn into_outcome(self) -> Result<T, ChildError> {
        self.map_err(ChildError::new)
    }
}

macro_rules! value_outputs {
    ($([$($generics:tt)*] $ty:ty),* $(,)?) => {
        $(
            impl<$($generics)*> TaskOutput for $ty {
                type Success = Self;

                fn into_outcome(self) -> Result<Self, ChildError> {
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
    [T: 'static] Vec<T>, [T: 'static] Option<T>, [T: ?Sized + 'static] Box<T>,
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
        let error = failed.into_outcome().expect_err("an Err is a failure");
        assert_eq!(error.to_string(), "boom");
        assert_eq!(Ok::<u8, String>(7).into_outcome().ok(), Some(7));
        assert_eq!(42u64.into_outcome().ok(), Some(42));
        assert_eq!(
            None::<u8>.into_outcome().ok(),
            Some(None),
            "None is a value"
        );
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
