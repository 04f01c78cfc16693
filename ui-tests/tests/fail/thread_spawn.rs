use taskscope::scoped;

#[scoped]
async fn threads() {
    std::thread::spawn(|| {});
    let handle = thread::spawn(|| {});
    ::std::thread::Builder::new().name(String::from("worker")).spawn(|| {}).unwrap();
    let spawn = std::thread::spawn::<fn(), ()>;
    drop((handle, spawn));
}

mod thread {
    pub use std::thread::spawn;
}

fn main() {}
