//! Before/after of one leak; the story and the code are in `examples/src/startup_failure.rs`.

use taskscope_examples::{show, startup_failure};

fn main() -> std::io::Result<()> {
    show(
        startup_failure::TITLE,
        startup_failure::COUNTS,
        startup_failure::before,
        startup_failure::after,
    )
}
