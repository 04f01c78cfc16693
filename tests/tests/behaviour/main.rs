//! The behaviour suite of taskscope: one test per case, each run under the
//! current-thread runtime and the multi-thread runtime (two workers), each
//! ending with no task left alive beyond what was alive when it started.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod cancellation;
mod channel_property;
mod channels;
mod deadlines;
mod failures;
mod handles;
mod lifecycle;
mod limits;
mod long_lived;
mod promises;
mod races;
mod spawning;
mod time_bounds;
mod timers;
