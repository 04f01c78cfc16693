//! `#[scoped]` on the methods of an `#[async_trait]` impl or trait: the
//! impl's attribute expands first and hands `#[scoped]` a fn returning
//! `Pin<Box<dyn Future<..>>>` around `Box::pin(async move { .. })`, which
//! `#[scoped]` recognises and scopes inside the box. With
//! `#[tracing::instrument]` in either order, with `?Send`, and through a
//! re-export (`#[tonic::async_trait]` is async-trait's macro).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use taskscope::scoped;
use tracing::instrument;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What tonic re-exports as `tonic::async_trait`.
mod tonic {
    pub(crate) use async_trait::async_trait;
}

#[async_trait]
trait Service {
    async fn call(&self, n: u32) -> Result<u32, BoxError>;

    async fn value(&self, n: u32) -> u32;

    async fn traced(&self, n: u32) -> u32;

    async fn traced_inside(&self, n: u32) -> u32;

    /// A default body, scoped in the trait.
    #[scoped]
    async fn twice(&self, n: u32) -> Result<u32, BoxError> {
        let first = tokio::spawn(async move { n });
        let first = first.await?;
        Ok(self.call(first).await? + first)
    }
}

struct Doubler {
    /// Set by a child after a delay: the call does not return before.
    child_done: Arc<AtomicBool>,
}

#[async_trait]
impl Service for Doubler {
    #[scoped]
    async fn call(&self, n: u32) -> Result<u32, BoxError> {
        let done = Arc::clone(&self.child_done);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            done.store(true, Ordering::SeqCst);
        });
        let child = tokio::spawn(async move { n * 2 });
        Ok(child.await?)
    }

    #[scoped(supervise)]
    #[cancellable_loop]
    async fn value(&self, n: u32) -> u32 {
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            for i in 0..n {
                tx.send(i).await.unwrap();
            }
        });
        let mut sum = 0;
        while let Some(i) = rx.recv().await {
            sum += i;
        }
        sum
    }

    #[scoped]
    #[instrument(skip(self))]
    async fn traced(&self, n: u32) -> u32 {
        tokio::spawn(async move { n + 1 }).await.unwrap()
    }

    #[instrument(skip(self))]
    #[scoped]
    async fn traced_inside(&self, n: u32) -> u32 {
        tokio::spawn(async move { n + 2 }).await.unwrap()
    }
}

#[async_trait(?Send)]
trait LocalService {
    async fn call(&self) -> u8;
}

struct Local;

#[async_trait(?Send)]
impl LocalService for Local {
    #[scoped]
    async fn call(&self) -> u8 {
        let shared = std::rc::Rc::new(3u8);
        let local = tokio::task::spawn_local(async move { *shared });
        local.await.unwrap()
    }
}

#[tonic::async_trait]
trait Greeter {
    async fn greet(&self, name: String) -> Result<String, taskscope::ScopeError>;
}

#[tonic::async_trait]
impl Greeter for Local {
    #[scoped]
    async fn greet(&self, name: String) -> Result<String, taskscope::ScopeError> {
        Ok(tokio::spawn(async move { format!("hello {name}") })
            .await
            .unwrap())
    }
}

/// A child's failure is the method's `Err`, as for any `#[scoped]` fn.
struct Failing;

#[async_trait]
impl Service for Failing {
    #[scoped]
    async fn call(&self, _n: u32) -> Result<u32, BoxError> {
        tokio::spawn(async { Err::<(), _>("the child failed") });
        Ok(0)
    }

    async fn value(&self, n: u32) -> u32 {
        n
    }

    async fn traced(&self, n: u32) -> u32 {
        n
    }

    async fn traced_inside(&self, n: u32) -> u32 {
        n
    }
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let doubler = Doubler {
            child_done: Arc::new(AtomicBool::new(false)),
        };
        assert_eq!(doubler.call(21).await.unwrap(), 42);
        assert!(
            doubler.child_done.load(Ordering::SeqCst),
            "the method returned after every child it spawned"
        );
        assert_eq!(doubler.twice(2).await.unwrap(), 6);
        assert_eq!(doubler.value(4).await, 6);
        assert_eq!(doubler.traced(1).await, 2);
        assert_eq!(doubler.traced_inside(1).await, 3);
        let service: Box<dyn Service + Send + Sync> = Box::new(Failing);
        let error = service.call(1).await.unwrap_err();
        assert!(error.to_string().contains("the child failed"), "{error}");
        assert_eq!(Local.greet(String::from("you")).await.unwrap(), "hello you");
        let local = tokio::task::LocalSet::new();
        assert_eq!(local.run_until(Local.call()).await, 3);
    });
}
