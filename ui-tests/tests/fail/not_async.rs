use taskscope::scoped;

#[scoped]
fn not_async() {
    tokio::spawn(async {});
}

fn main() {}
