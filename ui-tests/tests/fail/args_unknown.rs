use taskscope::scoped;

#[scoped(limits = 4)]
async fn misspelled() {}

#[scoped(supervise, grace = std::time::Duration::from_secs(1))]
async fn unsupported() {}

#[scoped(4)]
async fn not_a_key() {}

fn main() {}
