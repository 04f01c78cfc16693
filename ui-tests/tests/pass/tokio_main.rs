//! `#[scoped]` above `#[tokio::main]`: it sees the `async fn main` (the other
//! order is an error, see `fail/tokio_main_above_scoped.rs`).

use taskscope::scoped;

#[scoped(timeout = std::time::Duration::from_secs(5))]
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let child = tokio::spawn(async { 1u8 });
    assert_eq!(child.await?, 1);
    tokio::spawn(async {});
    Ok(())
}
