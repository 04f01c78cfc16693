//! Compile-fail and compile-pass cases live in `tests/`; this crate has no code of its own.

#![forbid(unsafe_code)]
