//! A program's body in a root scope, until it ends or a signal stops it.

use std::fmt::Display;
use std::future::Future;
use std::pin::pin;
use std::process::ExitCode;
use std::time::Duration;

use super::signal::Signals;
use crate::{ScopeError, TaskScope};

/// The exit status when the body returned an `Err` (printed to stderr).
pub const EXIT_BODY_FAILED: u8 = 1;

/// The exit status when the shutdown's grace period ran out and children
/// that were still running were aborted.
pub const EXIT_ABORTED: u8 = 2;

/// The exit status when a second signal came during the shutdown and
/// everything was aborted at once (128 + SIGINT, as a shell reports it).
pub const EXIT_INTERRUPTED_TWICE: u8 = 130;

/// Runs a program's `body` in a root scope (so that `taskscope::spawn` and
/// `TaskScope::new()` in it and in its children reach that scope) until the
/// body and every child are done, or a signal stops it:
///
/// 1. The first SIGINT or SIGTERM ([`signal`](super::signal)) cancels the
///    scope: the body and every child see `taskscope::cancelled()`.
/// 2. They get `grace` to finish; what still runs then is aborted, and the
///    exit status is [`EXIT_ABORTED`].
/// 3. A second signal during that time aborts everything at once: the exit
///    status is [`EXIT_INTERRUPTED_TWICE`].
///
/// Otherwise the status is success, or [`EXIT_BODY_FAILED`] if the body (or,
/// through `E: From<ScopeError>`, a child) failed: the error is printed to
/// stderr. A panic in the body or a child is resumed, as a panic in `main`.
///
/// For a program with its own runtime; `#[tokio::main]` programs write the
/// same `main`:
///
/// ```no_run
/// use std::time::Duration;
///
/// fn main() -> std::process::ExitCode {
///     let runtime = tokio::runtime::Runtime::new().expect("a runtime");
///     runtime.block_on(taskscope::shutdown::run(Duration::from_secs(5), async {
///         taskscope::spawn(async { taskscope::cancelled().await }).expect("in the root scope");
///         Ok::<_, taskscope::ScopeError>(())
///     }))
/// }
/// ```
pub async fn run<F, E>(grace: Duration, body: F) -> ExitCode
where
    F: Future<Output = Result<(), E>>,
    E: From<ScopeError> + Display,
{
    // Listening before the body runs: a signal sent as soon as the program
    // says it is ready is not missed.
    let mut signals = Signals::listen();
    let scope = TaskScope::builder()
        .name("main")
        .root()
        .grace_period(grace)
        .build();
    let handle = scope.handle();
    let mut program = pin!(scope.run(body));
    let signalled = tokio::select! {
        ended = program.as_mut() => Some(ended),
        () = signals.next() => None,
    };
    let ended = match signalled {
        Some(ended) => ended,
        None => {
            handle.cancel();
            tokio::select! {
                ended = program.as_mut() => ended,
                () = signals.next() => return ExitCode::from(EXIT_INTERRUPTED_TWICE),
            }
        }
    };
    match ended {
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_BODY_FAILED)
        }
        Ok(()) if handle.shared.gave_up_waiting() => ExitCode::from(EXIT_ABORTED),
        Ok(()) => ExitCode::SUCCESS,
    }
}
