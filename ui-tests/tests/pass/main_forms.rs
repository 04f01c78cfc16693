//! `#[taskscope::main]` on the `main`s a program may have: nothing
//! returned, or a `Result` whose error can hold a `ScopeError`, on either
//! runtime. Each is called here as the program would be, with no signal
//! sent: it ends when its work does, with the exit status that says how.

use std::process::ExitCode;

#[taskscope::main(flavor = "current_thread", shutdown_grace_ms = 100)]
async fn returns_nothing() {
    taskscope::spawn(async { 6 * 7 }).unwrap();
}

#[taskscope::main(worker_threads = 2)]
async fn returns_a_boxed_error() -> Result<(), Box<dyn std::error::Error>> {
    taskscope::spawn(async { Err::<(), _>("a child failed") })?;
    Ok(())
}

#[taskscope::main(flavor = "current_thread")]
async fn returns_an_io_result() -> std::io::Result<()> {
    let nested = taskscope::TaskScope::new(); // in the program's root scope
    nested.spawn(async {});
    nested.join().await?;
    Ok(())
}

pub(crate) fn main() {
    let code = |exit: ExitCode| format!("{exit:?}");
    assert_eq!(code(returns_nothing()), code(ExitCode::SUCCESS));
    assert_eq!(code(returns_a_boxed_error()), code(ExitCode::from(1)));
    assert_eq!(code(returns_an_io_result()), code(ExitCode::SUCCESS));
}
