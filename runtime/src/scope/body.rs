//! The body of a scope (`TaskScope::run`), polled with its scope as the
//! current scope and with its panic caught, so the scope can be joined before
//! the panic goes on.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::current::Entered;
use super::phase::Share;

pin_project! {
    pub(crate) struct InScope<F> {
        #[pin]
        body: F,
        share: Option<Arc<Share>>,
    }
}

impl<F> InScope<F> {
    /// The body holds a foreground share, as a child would, while it runs.
    pub(crate) fn new(share: Arc<Share>, body: F) -> Self {
        InScope {
            body,
            share: Some(share),
        }
    }
}

impl<F: Future> Future for InScope<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let body = this.body;
        let _entered = this
            .share
            .as_ref()
            .map(|share| share.scope().span().entered());
        let polled = {
            let _current = Entered::new(this.share);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body.poll(cx)))
        };
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
