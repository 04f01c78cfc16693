//! `Cancelled`: the error of work that stopped because its scope was
//! cancelled.

/// Work that stopped because its scope was cancelled.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::new();
/// let cancellation = taskscope::cancel::Cancellation::from(&scope);
/// scope.cancel();
/// let outcome = cancellation.guard(std::future::pending::<()>()).await;
/// assert_eq!(outcome, Err(taskscope::Cancelled));
/// assert_eq!(taskscope::Cancelled.to_string(), "the scope was cancelled");
/// # scope.join().await.expect("nothing failed");
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the scope was cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// A cancellation as an I/O error, for code that returns `io::Result`: of
/// kind [`Other`](std::io::ErrorKind::Other), not `Interrupted`, which
/// callers retry.
///
/// ```
/// let error = std::io::Error::from(taskscope::Cancelled);
/// assert_eq!(error.kind(), std::io::ErrorKind::Other);
/// assert_eq!(error.to_string(), "the scope was cancelled");
/// ```
impl From<Cancelled> for std::io::Error {
    fn from(cancelled: Cancelled) -> Self {
        std::io::Error::other(cancelled)
    }
}
