use taskscope::scoped;

#[scoped(limit = 4, supervise, limit = 8, supervise)]
async fn duplicated() {}

fn main() {}
