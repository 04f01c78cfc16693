//! The cases of `taskscope-ui-tests` (in `../tests/`), built again as
//! edition 2024: the never type falls back to `!`, `impl Trait` captures
//! every lifetime, `if let` and tail-expression temporaries drop sooner.
//! This crate has no code of its own.

#![forbid(unsafe_code)]
