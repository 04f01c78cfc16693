use taskscope::scoped;

#[scoped]
async fn forgets() {
    let child = tokio::spawn(async {});
    std::mem::forget(child);
    core::mem::forget(taskscope::TaskScope::new());
    let leak = std::mem::forget::<String>;
    leak(String::new());
}

fn main() {}
