// `#[scoped(timeout = ..)]` reports the elapsed deadline as the fn's `Err`:
// a fn whose return type has no `Err` cannot carry it. Before, it compiled
// and panicked at the deadline.
use std::time::Duration;

use taskscope::scoped;

#[scoped(timeout = Duration::from_secs(1))]
async fn refresh_unit() {}

#[scoped(timeout = Duration::from_secs(1))]
async fn refresh_spelled_unit() -> () {}

type Count = u32;

#[scoped(timeout = Duration::from_secs(1))]
async fn refresh_alias() -> Count {
    3
}

fn main() {}
