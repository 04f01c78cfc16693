//! Before/after of one leak; the story and the code are in `examples/src/connection_limit.rs`.

use taskscope_examples::{connection_limit, show};

fn main() -> std::io::Result<()> {
    show(
        connection_limit::TITLE,
        connection_limit::COUNTS,
        connection_limit::before,
        connection_limit::after,
    )
}
