// Type errors in the body point at the user's code.
use taskscope::scoped;

#[scoped]
async fn wrong_tail() -> u32 {
    tokio::spawn(async {});
    "not a number"
}

#[scoped]
async fn wrong_return(flag: bool) -> Result<u8, taskscope::ScopeError> {
    if flag {
        return Ok("text");
    }
    Ok(1)
}

#[scoped]
async fn wrong_question_mark() -> Result<u8, taskscope::ScopeError> {
    let n: u8 = "1".parse()?;
    Ok(n)
}

fn main() {}
