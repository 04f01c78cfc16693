use taskscope::scoped;

trait Service {
    #[scoped]
    async fn call(&self) -> u8;
}

fn main() {}
