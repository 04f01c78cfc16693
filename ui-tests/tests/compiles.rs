//! Every supported form of `#[scoped]`, `#[cancellable_loop]`,
//! `#[taskscope::test]` and `#[taskscope::main]` compiles and runs. Each file of `pass/` is a module of
//! this one test binary (so trybuild, with only compile-fail cases left,
//! checks rather than builds), and its `main` is run by a test named after it.

// The forms are written as users write them: `unwrap()`, and loops that
// exist to show a form (a labelled break, a `select!`) and never loop.
#![allow(clippy::unwrap_used, clippy::never_loop)]

#[path = "pass/arguments.rs"]
mod arguments;
#[path = "pass/async_trait.rs"]
mod async_trait;
#[path = "pass/bare_spawn_by_path.rs"]
mod bare_spawn_by_path;
#[path = "pass/cancellable_loops.rs"]
mod cancellable_loops;
#[path = "pass/detached.rs"]
mod detached;
#[path = "pass/forms.rs"]
mod forms;
#[path = "pass/hygiene.rs"]
mod hygiene;
#[path = "pass/instrument.rs"]
mod instrument;
#[path = "pass/literals.rs"]
mod literals;
#[path = "pass/main_forms.rs"]
mod main_forms;
#[path = "pass/never_returning.rs"]
mod never_returning;
#[path = "pass/redirections.rs"]
mod redirections;
#[path = "pass/test_attr_forms.rs"]
mod test_attr_forms;
#[path = "pass/tokio_main.rs"]
mod tokio_main;
#[path = "pass/trait_methods.rs"]
mod trait_methods;

#[test]
fn arguments() {
    arguments::main();
}

#[test]
fn literals() {
    literals::main();
}

#[test]
fn main_forms() {
    main_forms::main();
}

#[test]
fn async_trait() {
    async_trait::main();
}

#[test]
fn bare_spawn_by_path() {
    bare_spawn_by_path::main();
}

#[test]
fn cancellable_loops() {
    cancellable_loops::main();
}

#[test]
fn detached() {
    detached::main();
}

#[test]
fn forms() {
    forms::main();
}

#[test]
fn hygiene() {
    hygiene::main();
}

#[test]
fn instrument() {
    instrument::main();
}

#[test]
fn never_returning() {
    never_returning::main();
}

#[test]
fn redirections() {
    redirections::main();
}

#[test]
fn tokio_main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    tokio_main::main()
}

#[test]
fn trait_methods() {
    trait_methods::main();
}
