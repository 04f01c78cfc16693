//! Support for the code `#[taskscope::test]` generates, reached as
//! `taskscope::__private::test`. **Not a public API**: hidden from the docs,
//! changed without notice, not for hand-written code.
//!
//! `#[taskscope::test(flavor = "multi_thread", worker_threads = 2)] async fn
//! name() -> R { body }` expands to (roughly):
//!
//! ```text
//! #[test]
//! fn name() -> impl Termination {          // no return type when the fn has none
//!     async fn name() -> R { body }        // the user's fn, as written
//!     let runtime = test::build_runtime(
//!         test::tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all(),
//!     );
//!     test::run(runtime, test::DEFAULT_SETTLE_TIME, name())
//! }
//! ```
//!
//! The runtime is built in the generated code, not here, because the
//! multi-thread scheduler and paused time exist only when the test crate
//! enables tokio's `rt-multi-thread` and `test-util` features, which this
//! crate cannot test for.

use std::fmt::Debug;
use std::future::Future;
use std::process::Termination;
use std::time::Duration;

use crate::leak::{LeakCheck, LeakReport};

/// The settle time of a test that does not set `settle_ms`; the runtime's
/// builder (with `--cfg tokio_unstable`, it records where each task was
/// spawned, for the leak report).
pub use crate::leak::{DEFAULT_SETTLE_TIME, build_runtime};

/// The tokio the generated code builds its runtime with: taskscope's own, so
/// a test crate need not name tokio (nor enable its `macros` feature).
pub use tokio;

/// What a `#[taskscope::test]` body may return: what a `#[test]` fn may,
/// with a way to show an `Err` beside a leak report.
#[diagnostic::on_unimplemented(
    message = "a `#[taskscope::test]` fn cannot return `{Self}`",
    label = "the test's body returns `{Self}`",
    note = "return nothing, or a `Result<(), E>` whose `E: Debug`, as a `#[test]` fn does"
)]
pub trait Outcome: Termination {
    /// The error, if the body returned one, as `Err(..)` with its `Debug`.
    fn error(&self) -> Option<String>;
}

impl Outcome for () {
    fn error(&self) -> Option<String> {
        None
    }
}

impl<T: Termination, E: Debug> Outcome for Result<T, E> {
    fn error(&self) -> Option<String> {
        self.as_ref().err().map(|error| format!("Err({error:?})"))
    }
}

/// Runs `body` on `runtime`, then the leak check with the given settle time,
/// on the same runtime.
///
/// Returns the body's output when nothing leaked: an `Err` then fails the
/// test through the harness, as in a `#[test]` fn. A panic of the body is
/// not caught: it fails the test as it is, without a leak check (the tasks
/// it left are dropped with the runtime).
///
/// # Panics
///
/// With the [`LeakReport`] as the message, if a task was left (followed by
/// the body's `Err`, if it returned one); if the runtime could not be built.
#[track_caller]
pub fn run<F>(
    runtime: std::io::Result<tokio::runtime::Runtime>,
    settle: Duration,
    body: F,
) -> F::Output
where
    F: Future,
    F::Output: Outcome,
{
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            panic!("#[taskscope::test] could not build the test's tokio runtime: {error}")
        }
    };
    let checked = runtime.block_on(async move {
        let output = body.await;
        let leaks = LeakCheck::new().settle_time(settle).run().await;
        (output, leaks)
    });
    match checked {
        (output, Ok(())) => output,
        (output, Err(report)) => fail(&report, output.error()),
    }
}

#[track_caller]
fn fail(report: &LeakReport, error: Option<String>) -> ! {
    match error {
        None => panic!("{report}"),
        Some(error) => panic!("{report}and the test's body returned {error}"),
    }
}
