//! Support for the code `#[taskscope::main]` generates, reached as
//! `taskscope::__private::main`. **Not a public API.**
//!
//! `#[taskscope::main(shutdown_grace_ms = 5000)] async fn main() -> R { body }`
//! expands to (roughly):
//!
//! ```text
//! fn main() -> ExitCode {
//!     async fn main() -> R { body }     // the user's fn, as written
//!     let runtime = test::tokio::runtime::Builder::new_multi_thread().enable_all().build();
//!     main::run(runtime, Duration::from_millis(5000), main())
//! }
//! ```

use std::fmt::Display;
use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use crate::ScopeError;

/// What a `#[taskscope::main]` fn may return.
#[diagnostic::on_unimplemented(
    message = "a `#[taskscope::main]` fn cannot return `{Self}`",
    label = "`main` returns `{Self}`",
    note = "return nothing, or a `Result<(), E>` whose `E: From<taskscope::ScopeError> + Display`, such as `Box<dyn std::error::Error>`"
)]
pub trait MainOutput {
    type Error: From<ScopeError> + Display;

    fn into_result(self) -> Result<(), Self::Error>;
}

impl MainOutput for () {
    type Error = ScopeError;

    fn into_result(self) -> Result<(), ScopeError> {
        Ok(())
    }
}

impl<E: From<ScopeError> + Display> MainOutput for Result<(), E> {
    type Error = E;

    fn into_result(self) -> Result<(), E> {
        self
    }
}

/// Runs the program's `body` on `runtime` through
/// [`shutdown::run`](crate::shutdown::run).
pub fn run<F>(
    runtime: std::io::Result<tokio::runtime::Runtime>,
    grace: Duration,
    body: F,
) -> ExitCode
where
    F: Future,
    F::Output: MainOutput,
{
    match runtime {
        Ok(runtime) => runtime.block_on(crate::shutdown::run(grace, async move {
            body.await.into_result()
        })),
        Err(error) => {
            eprintln!("#[taskscope::main] could not build the tokio runtime: {error}");
            ExitCode::FAILURE
        }
    }
}
