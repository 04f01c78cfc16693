// The attribute goes on an `async fn`.

#[taskscope::test]
struct NotATest;

fn main() {}
