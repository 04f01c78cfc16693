//! trybuild: every supported form of `#[scoped]` compiles (and runs), and
//! every misuse fails with the message in its `.stderr`.
//!
//! The `.stderr` files are a contract: after a change, regenerate with
//! `TRYBUILD=overwrite cargo test -p taskscope-ui-tests` and read each diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/pass/*.rs");
    cases.compile_fail("tests/fail/*.rs");
}
