// `#[tokio::main]` expands first and turns the fn synchronous: `#[scoped]`
// must be written above it.
use taskscope::scoped;

#[tokio::main]
#[scoped]
async fn main() {
    tokio::spawn(async {});
}
