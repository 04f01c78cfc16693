//! A function of one's own named `spawn` is called by a path; a scope's
//! `spawn` method and `taskscope::spawn` are not bare names.
use taskscope::{scoped, TaskScope};

fn spawn(work: u32) -> u32 {
    work * 2
}

#[scoped]
async fn own_helper(scope: &TaskScope) -> u32 {
    let doubled = self::spawn(21);
    let child = scope.spawn(async { 1u32 });
    let _ = taskscope::spawn(async {});
    #[detached(reason = "a helper of this module, not tokio's")]
    let _ = spawn(0);
    doubled + child.await.unwrap_or(0)
}

#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() {
    let scope = TaskScope::new();
    assert_eq!(own_helper(&scope).await, 43);
    scope.join().await.expect("nothing failed");
}
