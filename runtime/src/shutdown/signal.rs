//! The signals that ask a program to stop.

use std::future::Future;

/// Completes at the first SIGINT (Ctrl-C) or SIGTERM (what `kill`, systemd
/// and Kubernetes send) this process receives after the call; on other
/// platforms than Unix, at the first Ctrl-C.
///
/// The handlers are installed when `signal()` is called, not when the
/// future is first polled, so a signal that arrives in between is not
/// missed (nor does it kill the process). It needs a tokio runtime with its
/// I/O driver (the default of `#[tokio::main]`); if the process cannot
/// listen for the signals, the future never completes and the program runs
/// until its work is done, as it would without a handler.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let scope = taskscope::TaskScope::root();
/// scope.spawn(async { taskscope::cancelled().await }); // a server, say
/// taskscope::shutdown::signal().await;
/// scope.cancel();
/// scope.join().await.expect("stopped cleanly");
/// # }
/// ```
pub fn signal() -> impl Future<Output = ()> + Send + 'static {
    let mut signals = Signals::listen();
    async move { signals.next().await }
}

/// Listeners for SIGINT and SIGTERM, installed when made, that can be
/// awaited more than once.
pub(super) struct Signals {
    #[cfg(unix)]
    listening: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    pub(super) fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listening = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(interrupt), Ok(terminate)) => Some((interrupt, terminate)),
                _ => None,
            };
            Signals { listening }
        }
        #[cfg(not(unix))]
        {
            Signals {}
        }
    }

    /// The next SIGINT or SIGTERM; never, if they cannot be listened for.
    pub(super) async fn next(&mut self) {
        #[cfg(unix)]
        match &mut self.listening {
            Some((interrupt, terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            None => std::future::pending().await,
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
