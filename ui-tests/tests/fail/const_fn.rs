use taskscope::scoped;

#[scoped]
const fn constant() -> u8 {
    1
}

fn main() {}
