//! The tour: every leak from the field, first as naive tokio code (which
//! leaks), then with taskscope (which cannot). Each example's code is in
//! `examples/src/`.

use taskscope_examples::{
    blocked_producer, connection_limit, health_timeout, pool_cleanup, show, startup_failure,
};

fn main() -> std::io::Result<()> {
    println!("taskscope: a tour of task leaks and their fixes\n");
    show(
        health_timeout::TITLE,
        health_timeout::COUNTS,
        health_timeout::before,
        health_timeout::after,
    )?;
    show(
        startup_failure::TITLE,
        startup_failure::COUNTS,
        startup_failure::before,
        startup_failure::after,
    )?;
    show(
        pool_cleanup::TITLE,
        pool_cleanup::COUNTS,
        pool_cleanup::before,
        pool_cleanup::after,
    )?;
    show(
        connection_limit::TITLE,
        connection_limit::COUNTS,
        connection_limit::before,
        connection_limit::after,
    )?;
    show(
        blocked_producer::TITLE,
        blocked_producer::COUNTS,
        blocked_producer::before,
        blocked_producer::after,
    )?;
    Ok(())
}
