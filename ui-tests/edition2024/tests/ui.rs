//! trybuild, edition 2024: every misuse of `../tests/fail/` fails with the
//! message in its `.stderr`, as on edition 2021 (one `.stderr` per case
//! serves both editions).
//!
//! After a change: `TRYBUILD=overwrite cargo test -p taskscope-ui-tests-2024`,
//! and read each diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/fail/*.rs");
}
