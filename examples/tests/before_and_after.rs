//! Every example must show what it claims: the naive code leaks, the taskscope
//! code does not. Each phase gets a fresh runtime, as in the tour.

use std::future::Future;

use taskscope_examples::{
    blocked_producer, connection_limit, health_timeout, pool_cleanup, startup_failure,
};

fn on_fresh_runtime<F: Future<Output = usize>>(phase: fn() -> F) -> usize {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(phase())
}

fn assert_fixed<B, A>(before: fn() -> B, after: fn() -> A, leaked_by_naive_code: usize)
where
    B: Future<Output = usize>,
    A: Future<Output = usize>,
{
    assert_eq!(
        on_fresh_runtime(before),
        leaked_by_naive_code,
        "the naive code leaks"
    );
    assert_eq!(
        on_fresh_runtime(after),
        0,
        "the taskscope code leaks nothing"
    );
}

#[test]
fn health_timeout_leaks_one_task_per_call_until_scoped() {
    assert_fixed(health_timeout::before, health_timeout::after, 5);
}

#[test]
fn startup_failure_leaks_one_metrics_loop_per_retry_until_scoped() {
    assert_fixed(startup_failure::before, startup_failure::after, 3);
}

#[test]
fn pool_cleanup_leaks_one_loop_per_unclosed_pool_until_scoped() {
    assert_fixed(pool_cleanup::before, pool_cleanup::after, 3);
}

#[test]
fn connection_limit_counter_drifts_once_per_rejection_until_scoped() {
    assert_fixed(connection_limit::before, connection_limit::after, 10);
}

#[test]
fn blocked_producer_leaks_one_sender_per_failed_stream_until_scoped() {
    assert_fixed(blocked_producer::before, blocked_producer::after, 3);
}
