use taskscope::scoped;

#[scoped]
async fn reasons() {
    #[detached]
    std::thread::spawn(|| {});
    #[detached()]
    std::thread::spawn(|| {});
    #[detached = "flusher"]
    std::thread::spawn(|| {});
    #[detached(reason = "")]
    std::thread::spawn(|| {});
    #[detached(reason = "   ")]
    std::thread::spawn(|| {});
    #[detached(reason = 5)]
    std::thread::spawn(|| {});
    #[detached(why = "flusher")]
    std::thread::spawn(|| {});
    #[detached(reason = "a", reason = "b")]
    std::thread::spawn(|| {});
    #[detached(reason = "flusher")]
    #[detached(reason = "flusher")]
    std::thread::spawn(|| {});
}

fn main() {}
