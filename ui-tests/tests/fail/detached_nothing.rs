use taskscope::scoped;

#[scoped]
async fn nothing_to_detach() {
    #[detached(reason = "stale: the spawn below was removed")]
    let answer = 42;
    drop(answer);
}

fn main() {}
