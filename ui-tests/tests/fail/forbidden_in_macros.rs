use taskscope::scoped;

#[scoped]
async fn in_macros() {
    let _ = tokio::join!(async { std::thread::spawn(|| {}) }, async {});
    tokio::select! {
        biased;
        _ = async {} => { std::mem::forget(String::new()); }
        _ = tokio::runtime::Handle::current().spawn(async {}) => {}
    }
}

fn main() {}
