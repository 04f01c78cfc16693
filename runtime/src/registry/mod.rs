//! What [`dump`](crate::dump) returns: the live task tree ([`TaskTree`]), a
//! scope in it ([`ScopeSnapshot`]) and a child task ([`TaskSnapshot`]).
//
// Module map, for maintainers:
//
// The live task registry: every scope that is alive, and through it every
// child that has not finished, with its name, spawn location and age.
//
// - `live.rs`: the global list of live scopes (weak references, one
//   registration per scope, swept as it grows) and `ScopeOrigin`, where a
//   scope sits (its id, its parent's id, its runtime, the task that created
//   it, its clock). A scope is listed through the `Listed` trait, which the
//   scope module implements: the registry knows nothing else of scopes.
// - `snapshot.rs`: `ScopeSnapshot` and `TaskSnapshot`, what a dump shows.
//   The scope module fills them in, from its own child list, under its lock.
// - `tree.rs`: `dump` and `TaskTree`, the snapshots assembled into a tree
//   and printed.
//
// Nothing here is on a child's hot path: a child is already recorded in its
// scope's child list (the scope needs it to abort the child), and the entry
// there carries its location and spawn time.

mod live;
mod snapshot;
pub(crate) mod tree;

pub(crate) use live::{Listed, ScopeOrigin, register};
pub use snapshot::{ScopeSnapshot, TaskSnapshot};
pub use tree::{TaskTree, dump_on_runtime};
