// Values the macro cannot check are checked by the compiler, at the value.
use taskscope::scoped;

#[scoped(timeout = secs)]
async fn timeout_not_a_duration(secs: u64) -> Result<(), taskscope::ScopeError> {
    Ok(())
}

#[scoped(limit = width)]
async fn limit_not_a_usize(width: u32) {}

#[scoped(grace_period = millis)]
async fn grace_not_a_duration(millis: u64) {}

fn main() {}
