//! The benchmarks of taskscope, side by side with `tokio::spawn`, tokio's
//! `JoinSet` and tokio-util's `TaskTracker`: `runtime/benches/benches/*.rs`, run with
//! `cargo bench -p taskscope-benches`. The figures, the method and the
//! machine are in this crate's `README.md`. A crate of its own so that
//! `cargo test` does not build criterion.
#![forbid(unsafe_code)]
