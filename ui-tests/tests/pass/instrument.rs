//! `#[scoped]` with tracing's `#[instrument]`, in both orders.

use taskscope::scoped;
use tracing::instrument;

#[scoped]
#[instrument(skip(ids), err)]
async fn scoped_outside(ids: Vec<u32>) -> Result<u32, taskscope::ScopeError> {
    let handles: Vec<_> = ids
        .into_iter()
        .map(|id| tokio::spawn(async move { id }))
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.unwrap();
    }
    Ok(sum)
}

#[instrument(ret)]
#[scoped(supervise)]
async fn scoped_inside(n: u32) -> u32 {
    tokio::spawn(async move { n + 1 }).await.unwrap()
}

struct Handler;

impl Handler {
    #[instrument(skip(self))]
    #[scoped]
    async fn handle(&self, request: u8) -> u8 {
        tokio::spawn(async move { request }).await.unwrap()
    }
}

#[tokio::main]
pub(crate) async fn main() {
    assert_eq!(scoped_outside(vec![1, 2]).await.unwrap(), 3);
    assert_eq!(scoped_inside(1).await, 2);
    assert_eq!(Handler.handle(4).await, 4);
}
