//! Behaviour tests of taskscope live in `tests/`; this crate has no code of its own.

#![forbid(unsafe_code)]
