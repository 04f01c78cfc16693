//! Before/after of one leak; the story and the code are in `examples/src/blocked_producer.rs`.

use taskscope_examples::{blocked_producer, show};

fn main() -> std::io::Result<()> {
    show(
        blocked_producer::TITLE,
        blocked_producer::COUNTS,
        blocked_producer::before,
        blocked_producer::after,
    )
}
