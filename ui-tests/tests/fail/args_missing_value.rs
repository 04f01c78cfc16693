use taskscope::scoped;

#[scoped(limit)]
async fn no_limit() {}

#[scoped(timeout =)]
async fn no_timeout() {}

#[scoped(name, crate)]
async fn no_name() {}

#[scoped(limit = 4 supervise)]
async fn no_comma() {}

fn main() {}
