use taskscope::scoped;

#[scoped]
#[scoped(supervise)]
async fn twice() {}

fn main() {}
