//! Native async fns in traits: a `#[scoped]` impl method (also where the
//! trait demands a `Send` future), and a `#[scoped]` default method.

use std::future::Future;

use taskscope::scoped;

trait Fetch {
    async fn fetch(&self, id: u32) -> Result<u32, taskscope::ScopeError>;

    #[scoped]
    async fn fetch_two(&self) -> Result<u32, taskscope::ScopeError> {
        let first = tokio::spawn(async { 1u32 });
        Ok(self.fetch(first.await.unwrap()).await? + 1)
    }
}

trait SendFetch: Sync {
    fn fetch(&self, id: u32) -> impl Future<Output = u32> + Send;

    fn try_fetch(&self, id: u32)
        -> impl Future<Output = Result<u32, taskscope::ScopeError>> + Send;
}

struct Client {
    offset: u32,
}

impl Fetch for Client {
    #[scoped]
    async fn fetch(&self, id: u32) -> Result<u32, taskscope::ScopeError> {
        let offset = self.offset;
        let child = tokio::spawn(async move { id + offset });
        Ok(child.await.unwrap())
    }
}

impl SendFetch for Client {
    #[scoped(supervise)]
    async fn fetch(&self, id: u32) -> u32 {
        tokio::spawn(async move { id }).await.unwrap() + self.offset
    }

    #[scoped(timeout = std::time::Duration::from_secs(5))]
    async fn try_fetch(&self, id: u32) -> Result<u32, taskscope::ScopeError> {
        tokio::task::yield_now().await;
        Ok(tokio::spawn(async move { id }).await.unwrap() + self.offset)
    }
}

fn require_send<F: Future + Send>(future: F) -> F {
    future
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = Client { offset: 10 };
        assert_eq!(Fetch::fetch(&client, 1).await.unwrap(), 11);
        assert_eq!(client.fetch_two().await.unwrap(), 12);
        assert_eq!(require_send(SendFetch::fetch(&client, 2)).await, 12);
        assert_eq!(require_send(client.try_fetch(3)).await.unwrap(), 13);
        // The future of a `#[scoped]` fn is `Send` when its body is: it can
        // be spawned (outside any `#[scoped]` body, `tokio::spawn` is tokio's).
        let spawned = tokio::spawn(async move { SendFetch::fetch(&Client { offset: 0 }, 3).await });
        assert_eq!(spawned.await.unwrap(), 3);
    });
}
