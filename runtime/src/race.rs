//! `race`: the first success among several children wins; the others are
//! stopped before it returns.

use std::fmt;
use std::future::Future;
use std::panic::Location;

use tokio::sync::mpsc;

use crate::TaskScope;
use crate::scope::bounded::Enclosing;
use crate::task::{ChildError, TaskOutput};

/// The error of [`race`]: every racer failed. Their errors are in the order
/// the racers were given.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let lookups = ["a.example", "b.example"].map(|host| async move { Err::<u32, _>(format!("{host}: refused")) });
/// let error: taskscope::AllFailed<String> = taskscope::race(lookups).await.expect_err("both refused");
/// assert_eq!(error.failures(), ["a.example: refused", "b.example: refused"]);
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AllFailed<E> {
    failures: Vec<E>,
}

impl<E> AllFailed<E> {
    /// Every racer's error, in the order the racers were given (empty if
    /// there was no racer).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let none: Vec<std::future::Ready<Result<(), ()>>> = Vec::new();
    /// let error = taskscope::race(none).await.expect_err("nobody ran");
    /// assert!(error.failures().is_empty());
    /// # }
    /// ```
    pub fn failures(&self) -> &[E] {
        &self.failures
    }

    /// The errors, taken out.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let error = taskscope::race([1, 2].map(|n| async move { Err::<(), _>(n) }))
    ///     .await
    ///     .expect_err("both failed");
    /// assert_eq!(error.into_failures(), [1, 2]);
    /// # }
    /// ```
    pub fn into_failures(self) -> Vec<E> {
        self.failures
    }
}

impl<E: fmt::Debug> fmt::Debug for AllFailed<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AllFailed")
            .field("failures", &self.failures)
            .finish()
    }
}

impl<E: fmt::Display> fmt::Display for AllFailed<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.failures.first() {
            None => f.write_str("the race had no racer"),
            Some(first) => write!(
                f,
                "all {} racers failed; the first: {first}",
                self.failures.len()
            ),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for AllFailed<E> {}

/// A racer's child: its result goes to the race, never to the scope.
struct Raced;

impl TaskOutput for Raced {
    type Success = ();

    fn into_outcome(self) -> Result<(), ChildError> {
        Ok(())
    }
}

/// Runs every future as a child of a scope of its own and returns the first
/// `Ok`; the other children are aborted, and have ended when it returns
/// (as the losing branches of `tokio::select!` are dropped, but also what
/// they spawned). If every racer fails, [`AllFailed`] holds every error.
///
/// For hedged requests and happy eyeballs: start the next racer late by
/// sleeping at the top of its future. The racers start when the race is
/// first polled, as children of a scope nested in the scope current there.
/// A racer's panic is resumed in the caller once every racer has ended,
/// even if another one won. Dropping the race aborts every racer.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// async fn fetch(replica: &'static str, delay_ms: u64) -> Result<&'static str, String> {
///     tokio::time::sleep(Duration::from_millis(delay_ms)).await;
///     if replica == "eu" { Err("eu is down".to_owned()) } else { Ok(replica) }
/// }
///
/// let started = tokio::time::Instant::now();
/// let fastest = taskscope::race([fetch("eu", 5), fetch("us", 20), fetch("ap", 300)]).await;
/// assert_eq!(fastest, Ok("us")); // the fast failure does not win
/// assert_eq!(started.elapsed(), Duration::from_millis(20)); // "ap" was stopped
/// # }
/// ```
#[track_caller]
pub fn race<I, F, T, E>(racers: I) -> impl Future<Output = Result<T, AllFailed<E>>>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let location = Location::caller();
    async move {
        // Built and started at the first poll, in the scope current there.
        let enclosing = Enclosing::current();
        let scope = TaskScope::builder()
            .name("taskscope::race")
            .supervise()
            .build_at(location);
        let (results, mut finished) = mpsc::unbounded_channel();
        let mut entered = 0;
        for (index, racer) in racers.into_iter().enumerate() {
            let results = results.clone();
            scope.spawn_at(location, async move {
                // The race may have ended: then nobody wants the result.
                drop(results.send((index, racer.await)));
                Raced
            });
            entered += 1;
        }
        drop(results);
        let mut failures: Vec<Option<E>> = std::iter::repeat_with(|| None).take(entered).collect();
        let mut winner = None;
        while let Some((index, result)) = finished.recv().await {
            match result {
                Ok(value) => {
                    winner = Some(value);
                    break;
                }
                Err(error) => {
                    if let Some(slot) = failures.get_mut(index) {
                        *slot = Some(error);
                    }
                }
            }
        }
        if winner.is_some() {
            scope.abort_children();
        }
        // Failures of what the racers spawned are the enclosing scope's; a
        // panic is resumed here.
        if let Err(error) = enclosing.adopt(scope.join().await) {
            panic!("{error} (a child of a taskscope::race outside any scope failed)");
        }
        match winner {
            Some(value) => Ok(value),
            None => Err(AllFailed {
                failures: failures.into_iter().flatten().collect(),
            }),
        }
    }
}
