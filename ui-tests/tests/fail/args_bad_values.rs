use taskscope::scoped;

#[scoped(limit = 0)]
async fn zero() {}

#[scoped(limit = "8")]
async fn string_limit() {}

#[scoped(limit = -1)]
async fn negative() {}

#[scoped(timeout = 5)]
async fn seconds() {}

#[scoped(grace_period = 500)]
async fn grace_in_what() {}

#[scoped(supervise = true)]
async fn supervise_value() {}

#[scoped(name = "scope")]
async fn string_name() {}

#[scoped(name = self)]
async fn keyword_name() {}

#[scoped(name = my::scope)]
async fn path_name() {}

#[scoped(crate = "not a path")]
async fn bad_crate() {}

#[scoped(crate = 5)]
async fn number_crate() {}

fn main() {}
