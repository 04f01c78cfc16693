//! Tests of the expansions as plain functions of token streams: snapshots
//! of representative inputs, and the expansion of every `async fn` in the
//! cargo registry.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod adversarial;
mod agreement;
mod diff;
mod registry;
mod rules;
mod snapshots;
