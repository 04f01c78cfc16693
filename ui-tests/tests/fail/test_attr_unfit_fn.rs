// A test fn takes no arguments and has no generic parameters, as with
// `#[test]`; every problem is reported at once.

#[taskscope::test]
async fn with_an_argument(count: usize) {
    let _ = count;
}

#[taskscope::test]
async fn generic<T: Default>() {
    let _ = T::default();
}

#[taskscope::test(settle = 100)]
fn everything_wrong<T>(value: T) {
    let _ = value;
}

fn main() {}
