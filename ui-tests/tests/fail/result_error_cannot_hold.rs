use taskscope::scoped;

// `std::io::Result` can: taskscope implements `From<ScopeError>` for
// `std::io::Error`.
#[scoped]
async fn message() -> Result<(), String> {
    Ok(())
}

fn main() {}
