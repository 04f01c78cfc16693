//! Attribute macros of [taskscope](https://docs.rs/taskscope). Depend on
//! `taskscope`, which re-exports them; this crate is not used directly.
//!
//! The macros themselves land with their own issues; until then this crate
//! compiles and exports nothing.
