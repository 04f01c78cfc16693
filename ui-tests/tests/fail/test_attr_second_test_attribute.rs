// `#[taskscope::test]` makes the fn a test: another test attribute after it
// would make it a second one.

#[taskscope::test]
#[tokio::test]
async fn with_tokio_test() {}

#[taskscope::test]
#[test]
async fn with_plain_test() {}

fn main() {}
