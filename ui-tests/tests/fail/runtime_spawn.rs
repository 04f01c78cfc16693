use taskscope::scoped;
use tokio::runtime::{Handle, Runtime};

#[scoped]
async fn runtimes(rt: &Runtime) {
    Handle::current().spawn(async {});
    tokio::runtime::Handle::try_current().unwrap().spawn_blocking(|| {});
    rt.spawn(async {});
    rt.handle().spawn(async {});
    Handle::spawn(&Handle::current(), async {});
    Runtime::spawn_blocking(rt, || {});
}

fn main() {}
