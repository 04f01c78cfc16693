// `#[taskscope::main]` on what cannot be a program's `main`, and with
// arguments it does not take.

#[taskscope::main]
fn not_async() {}

#[taskscope::main]
async fn with_arguments(_port: u16) {}

#[taskscope::main(shutdown_grace = 5, flavor = "current_thread", worker_threads = 2)]
async fn bad_arguments() {}

#[taskscope::main(shutdown_grace_ms = 5s)]
async fn grace_with_a_unit() {}

#[taskscope::main]
async fn returns_a_number() -> u8 {
    1
}

fn main() {}
