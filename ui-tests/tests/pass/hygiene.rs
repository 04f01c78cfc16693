//! Hygiene: the expansion compiles next to modules named `core` and
//! `taskscope`, a user trait with a blanket `route` method, locals and
//! functions named like the glue, under `#![deny(warnings)]` and
//! `unused_qualifications`, and inside a `#[no_implicit_prelude]` module.

#![deny(warnings, unused_qualifications, unused_results, unreachable_pub)]
#![allow(dead_code)]

mod core {}

mod taskscope {
    pub(crate) fn spawn() {}
    pub(crate) mod __private {}
}

trait Route {
    fn route(&self) -> u8 {
        0
    }
    fn run(&self) {}
}

impl<T: ?Sized> Route for T {}

fn builder() {}
fn never() {}

struct ViaResult;

#[::taskscope::scoped]
async fn shadowing(
    __taskscope_scope: u8,
    __taskscope_body: u8,
) -> Result<u8, ::taskscope::ScopeError> {
    let __taskscope_runner = 1u8;
    let child = tokio::spawn(async { 1u8 });
    builder();
    never();
    Ok(__taskscope_scope + __taskscope_body + __taskscope_runner + child.await.unwrap())
}

#[::taskscope::scoped]
async fn value_route() -> u8 {
    tokio::spawn(async {});
    1
}

#[::taskscope::scoped]
async fn ends_in_return(fail: bool) -> Result<(), ::taskscope::ScopeError> {
    if fail {
        return Ok(());
    }
    tokio::spawn(async {});
    return Ok(());
}

#[::taskscope::scoped(name = scope)]
async fn unused_name_is_used() {
    let _scope = scope;
}

#[no_implicit_prelude]
mod no_prelude {
    #[::taskscope::scoped]
    pub(crate) async fn bare() -> ::std::primitive::u8 {
        ::tokio::spawn(async {});
        1
    }
}

pub(crate) fn main() {
    let runtime = ::tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        assert_eq!(shadowing(1, 1).await.unwrap(), 4);
        assert_eq!(value_route().await, 1);
        ends_in_return(true).await.unwrap();
        ends_in_return(false).await.unwrap();
        unused_name_is_used().await;
        assert_eq!(no_prelude::bare().await, 1);
    });
    taskscope::spawn();
    assert_eq!(().route(), 0);
}
