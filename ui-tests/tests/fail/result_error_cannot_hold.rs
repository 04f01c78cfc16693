use taskscope::scoped;

#[scoped]
async fn io() -> std::io::Result<u8> {
    tokio::spawn(async {});
    Ok(1)
}

#[scoped]
async fn message() -> Result<(), String> {
    Ok(())
}

fn main() {}
