use taskscope::scoped;

#[scoped]
async fn on_an_expression() {
    let handle = (#[detached(reason = "a tuple element is not a statement")] std::thread::spawn(|| {}), 1);
    drop(handle);
}

fn main() {}
