//! Before/after of one leak; the story and the code are in `examples/src/health_timeout.rs`.

use taskscope_examples::{health_timeout, show};

fn main() -> std::io::Result<()> {
    show(
        health_timeout::TITLE,
        health_timeout::COUNTS,
        health_timeout::before,
        health_timeout::after,
    )
}
