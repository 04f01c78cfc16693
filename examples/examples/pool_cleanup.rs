//! Before/after of one leak; the story and the code are in `examples/src/pool_cleanup.rs`.

use taskscope_examples::{pool_cleanup, show};

fn main() -> std::io::Result<()> {
    show(
        pool_cleanup::TITLE,
        pool_cleanup::COUNTS,
        pool_cleanup::before,
        pool_cleanup::after,
    )
}
