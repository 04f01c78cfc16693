//! trybuild: every misuse fails with the message in its `.stderr`. (The
//! forms that must compile are in `forms.rs`, one ordinary test binary.)
//!
//! The `.stderr` files are a contract: after a change, regenerate with
//! `TRYBUILD=overwrite cargo test -p taskscope-ui-tests` and read each diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/fail/*.rs");
}
