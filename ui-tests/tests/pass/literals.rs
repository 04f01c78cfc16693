//! Integer and float literals infer through a child's output as they do
//! through `tokio::spawn`: the type the caller asks of the handle's value
//! is the literal's type.

use std::error::Error;

use taskscope::TaskScope;

type BoxError = Box<dyn Error + Send + Sync>;

#[taskscope::scoped]
async fn redirected() -> Result<u32, BoxError> {
    let count = tokio::spawn(async { 1 });
    let count: u32 = count.await?;
    let ratio = tokio::spawn(async { 0.5 });
    let ratio: f32 = ratio.await?;
    let blocking = tokio::task::spawn_blocking(|| 2);
    let blocking: u64 = blocking.await?;
    let pair = tokio::spawn(async { (3, 4.0) });
    let (three, four): (u8, f64) = pair.await?;
    let list = tokio::spawn(async { vec![5, 6] });
    let list: Vec<u16> = list.await?;
    let maybe = tokio::spawn(async { Some(7) });
    let maybe: Option<i64> = maybe.await?;
    let sum = count
        + (ratio * 2.0) as u32
        + blocking as u32
        + u32::from(three)
        + four as u32
        + list.iter().map(|n| u32::from(*n)).sum::<u32>()
        + maybe.map_or(0, |n| n as u32);
    Ok(sum)
}

async fn runtime_api() -> u64 {
    let scope = TaskScope::new();
    let small: u8 = scope.spawn(async { 1 }).await.unwrap();
    let wide: u64 = scope.handle().spawn(async { 2 }).unwrap().await.unwrap();
    let half: f32 = scope.spawn_blocking(|| 0.5).await.unwrap();
    let value: i16 = scope.spawn_value(async { 3 }).await.unwrap();
    let named: u32 = scope
        .task_builder()
        .name("n")
        .spawn(async { 4 })
        .await
        .unwrap();
    scope.join().await.unwrap();
    u64::from(small) + wide + (half * 2.0) as u64 + value as u64 + u64::from(named)
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(redirected().await.unwrap(), 1 + 1 + 2 + 3 + 4 + 11 + 7);
        assert_eq!(runtime_api().await, 1 + 2 + 1 + 3 + 4);
    });
}
