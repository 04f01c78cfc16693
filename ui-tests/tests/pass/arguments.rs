//! Every argument: `name` (a `ScopeHandle`), `crate` as a path and as a
//! string, `supervise`, `limit` (literal or expression), `timeout` (any
//! `Duration` expression, evaluated with the fn's arguments in scope).

use std::time::Duration;

use taskscope::scoped;

mod reexport {
    pub use taskscope;
}

#[scoped(name = scope)]
async fn named() -> bool {
    let scope: taskscope::ScopeHandle = scope;
    let child = scope.spawn(async { 1u8 }).unwrap();
    child.await.unwrap();
    scope.is_cancelled()
}

#[scoped(crate = ::taskscope)]
async fn crate_path() {}

#[scoped(crate = "reexport::taskscope")]
async fn crate_string() {
    tokio::spawn(async {});
}

#[scoped(supervise)]
async fn supervised() -> Result<u8, taskscope::ScopeError> {
    tokio::spawn(async { Err::<(), _>("this child fails") });
    let sibling = tokio::spawn(async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        2u8
    });
    // Under `supervise` the failure does not cancel the sibling.
    Ok(sibling.await.unwrap())
}

#[scoped(limit = 2)]
async fn limited_literal() {
    for _ in 0..5 {
        tokio::spawn(async {});
    }
}

struct Pool {
    width: usize,
    patience: Duration,
}

impl Pool {
    #[scoped(limit = self.width, timeout = self.patience)]
    async fn run(&self) -> Result<(), taskscope::ScopeError> {
        tokio::spawn(async {});
        Ok(())
    }
}

#[scoped(timeout = Duration::from_millis(ms))]
async fn deadline(ms: u64) -> Result<(), taskscope::ScopeError> {
    tokio::spawn(std::future::pending::<()>());
    Ok(())
}

#[scoped(name = s, supervise, limit = 1, timeout = Duration::from_secs(5), crate = taskscope)]
async fn everything() -> Result<(), taskscope::ScopeError> {
    s.spawn(async {}).unwrap();
    Ok(())
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        assert!(!named().await);
        crate_path().await;
        crate_string().await;
        let error = supervised().await.unwrap_err();
        assert_eq!(error.failures().len(), 1);
        assert_eq!(error.scope_name(), Some("supervised"));
        limited_literal().await;
        let pool = Pool {
            width: 3,
            patience: Duration::from_secs(5),
        };
        pool.run().await.unwrap();
        assert!(deadline(10).await.unwrap_err().is_elapsed());
        everything().await.unwrap();
    });
}
