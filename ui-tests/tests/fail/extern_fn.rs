use taskscope::scoped;

#[scoped]
extern "C" fn callback() {}

fn main() {}
