//! `start`: spawn a child and wait until it says it is ready (Trio's
//! `nursery.start`): a server that has bound its port, a worker that has
//! connected. The child keeps running in the scope afterwards.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::error::Closed;
use super::handle::ScopeHandle;
use super::task_scope::TaskScope;
use crate::sync::{Mutex, lock};

/// The channel a started child reports on: its value when ready, or the
/// error it failed with before that.
type Report<T, E> = Arc<Mutex<Option<oneshot::Sender<Result<T, E>>>>>;

/// The starter's end of the report channel.
type Awaited<T, E> = oneshot::Receiver<Result<T, E>>;

/// What a child given to [`TaskScope::start`] reports its readiness with,
/// once: [`ready`](Ready::ready) takes it by value, so a second report does
/// not compile. Dropping it unused (the child ends or panics first) makes
/// the start fail with [`StartError::Ended`].
#[must_use = "the starter waits until `ready` is called"]
pub struct Ready<T, E> {
    report: Report<T, E>,
}

impl<T, E> Ready<T, E> {
    /// Tells the starter the child is ready, handing it `value`; the child
    /// goes on running.
    pub fn ready(self, value: T) {
        if let Some(sender) = lock(&*self.report).take() {
            // The starter may have gone (its `start` future was dropped):
            // then nobody waits for the value.
            let _ = sender.send(Ok(value));
        }
    }
}

impl<T, E> fmt::Debug for Ready<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ready")
    }
}

/// Why a start failed.
#[derive(Debug, PartialEq, Eq)]
pub enum StartError<E> {
    /// The child returned this error before it was ready. The error is the
    /// starter's: the scope does not record it as a failure.
    Failed(E),
    /// The child ended before it was ready without an error: it returned
    /// `Ok`, panicked (the panic is the scope's, as any child's) or was
    /// aborted.
    Ended,
    /// The scope was closed (a start through a [`ScopeHandle`]).
    Closed,
}

impl<E: fmt::Display> fmt::Display for StartError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Failed(error) => write!(f, "the child failed before it was ready: {error}"),
            StartError::Ended => f.write_str("the child ended before it was ready"),
            StartError::Closed => f.write_str("the scope is closed"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for StartError<E> {}

/// The report channel: the `Ready` for the child, the child's own end of
/// it (for an error before readiness), and the starter's receiver.
fn channel<T, E>() -> (Ready<T, E>, Report<T, E>, Awaited<T, E>) {
    let (sender, receiver) = oneshot::channel();
    let report: Report<T, E> = Arc::new(Mutex::new(Some(sender)));
    let ready = Ready {
        report: Arc::clone(&report),
    };
    (ready, report, receiver)
}

/// The child as spawned: its error before readiness goes to the starter,
/// after it to the scope.
async fn child<T, E, Fut>(future: Fut, report: Report<T, E>) -> Result<(), E>
where
    Fut: Future<Output = Result<(), E>>,
{
    let ended = future.await;
    match ended {
        Err(error) => match lock(&*report).take() {
            // Not ready yet: the start fails with the error.
            Some(sender) => {
                let _ = sender.send(Err(error));
                Ok(())
            }
            None => Err(error),
        },
        Ok(()) => Ok(()),
    }
}

/// What the starter waits for.
async fn readiness<T, E>(receiver: Awaited<T, E>) -> Result<T, StartError<E>> {
    match receiver.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(StartError::Failed(error)),
        Err(_) => Err(StartError::Ended),
    }
}

impl TaskScope {
    /// Spawns the child `make` returns, given a [`Ready`] to report with,
    /// and waits until it reports: returns its value, while the child goes
    /// on running in the scope. If the child fails before it is ready, the
    /// start returns that error (and the scope does not record it); if it
    /// ends otherwise, [`StartError::Ended`].
    ///
    /// ```
    /// use std::net::TcpListener;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let scope = taskscope::TaskScope::new();
    /// let port = scope
    ///     .start(|ready| async move {
    ///         let listener = TcpListener::bind("127.0.0.1:0")?; // a failure here fails the start
    ///         ready.ready(listener.local_addr()?.port());
    ///         taskscope::cancelled().await; // serve until the scope is cancelled
    ///         Ok::<_, std::io::Error>(())
    ///     })
    ///     .await?;
    /// assert_ne!(port, 0); // the server is listening: connect to it
    /// scope.cancel();
    /// scope.join().await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// The child is spawned when `start` is called (its spawn location is
    /// the caller's); the returned future only waits for its report.
    #[track_caller]
    pub fn start<T, E, F, Fut>(&self, make: F) -> impl Future<Output = Result<T, StartError<E>>>
    where
        F: FnOnce(Ready<T, E>) -> Fut,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        T: Send + 'static,
        E: fmt::Display + fmt::Debug + Send + Sync + 'static,
    {
        let (ready, report, receiver) = channel();
        drop(self.spawn(child(make(ready), report)));
        readiness(receiver)
    }
}

impl ScopeHandle {
    /// [`TaskScope::start`] through a handle: also fails with
    /// [`StartError::Closed`] if the scope has closed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let scope = taskscope::TaskScope::new();
    /// let handle = scope.handle();
    /// let failed = handle
    ///     .start(|_ready: taskscope::scope::Ready<u16, &str>| async { Err("no such host") })
    ///     .await;
    /// assert_eq!(failed, Err(taskscope::scope::StartError::Failed("no such host")));
    /// scope.join().await.expect("the error was the starter's, not the scope's");
    /// # }
    /// ```
    #[track_caller]
    pub fn start<T, E, F, Fut>(&self, make: F) -> impl Future<Output = Result<T, StartError<E>>>
    where
        F: FnOnce(Ready<T, E>) -> Fut,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        T: Send + 'static,
        E: fmt::Display + fmt::Debug + Send + Sync + 'static,
    {
        let (ready, report, receiver) = channel();
        let spawned = self
            .spawn(child(make(ready), report))
            .map(drop)
            .map_err(|Closed| StartError::Closed);
        async move {
            spawned?;
            readiness(receiver).await
        }
    }
}
