use taskscope::scoped;

#[scoped]
struct Worker;

fn main() {}
