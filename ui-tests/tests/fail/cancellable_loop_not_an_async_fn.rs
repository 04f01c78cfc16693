use taskscope::cancellable_loop;

#[cancellable_loop]
struct Worker;

#[cancellable_loop]
fn synchronous() {
    loop {}
}

trait Service {
    #[cancellable_loop]
    async fn run(&self);
}

fn main() {
    let _ = Worker;
}
