//! Configuring and observing a scope: its builder
//! ([`ScopeBuilder`], from [`TaskScope::builder`](crate::TaskScope::builder)),
//! its default grace period ([`DEFAULT_GRACE_PERIOD`]), a slot of its
//! concurrency limit taken ahead of a spawn ([`Reservation`]) and how many
//! children it has alive ([`ChildCounts`]).
//!
//! The scope itself, [`TaskScope`](crate::TaskScope), and its handles are at
//! the crate root.
//
// Module map, for maintainers:
//
// The scope and its children: everything that spawns, tracks, joins,
// cancels and reports.
//
// Who holds what:
//
// - `TaskScope` (`task_scope.rs`) is the owner, the one value that can
//   `join` (or `run`) the scope; dropping it unjoined aborts the children.
//   It holds the `Arc<ScopeShared>` and its `OwnerShares`.
// - `ScopeShared` (`shared.rs`) is what the owner, the children and the
//   handles share: the configuration, the cancellation signal, the child
//   list (`children.rs`, under a lock spawners, the joiner and the registry
//   take; never a child on its way out), the recorded failures, and the
//   phases. It spawns admitted children, waits for them (`settle`) and
//   reports the outcome. It is listed in the registry through
//   `registry::Listed`.
// - The phases (`phase.rs`): a child belongs to the foreground or the
//   background `Phase`. Every child holds a `Share` of its phase
//   (an `Arc`), the owner one of each until it joins; a phase ends when its
//   last share drops, which wakes the joiner. Only the drop that ends a
//   phase and the joiner touch the joiner's waker.
// - A child (`child.rs`) is the user's future inside a `ChildTask`, which
//   holds the child's `ChildGuard` (its share and its `ChildInfo`), makes the
//   scope current around each poll (`current.rs`), catches a panic and
//   records a failure with the scope. Its spawner gets a `TaskHandle`
//   (`task_handle.rs`), which never detaches nor aborts on drop.
// - `ScopeHandle` (`handle.rs`) holds the `ScopeShared` but no share: its
//   spawns upgrade a weak reference to a phase, which fails once the scope
//   closed. `TaskBuilder` (`task_builder.rs`) is one spawn with options,
//   from the owner, a member or a handle.
// - A scope's `limit` (`limit.rs`) is a semaphore a child takes a slot of
//   before it runs; a `Reservation` takes one before the spawn.
// - `SharedScope` (`shared_owner.rs`): a `TaskScope` behind an `Arc`, for
//   `Clone` owners; the last clone's drop drops the scope.
// - `start.rs`: `start`, a spawn that waits for the child's readiness.
// - `current.rs`: the thread-local current scope and what reads it
//   (`taskscope::spawn`, `cancelled`, `current`, `Cancellation::current`);
//   `body.rs`: the body of `run`, polled in its scope like a child.
// - What a child's output means (`output.rs`: `TaskOutput`,
//   `ChildError`) and the errors a scope reports (`error.rs`).
//
// This module uses `cancel` (the signal), `registry` (to be listed),
// `launch` (to hand children to tokio), `clock` and `sync`; none of them
// uses it.

mod body;
pub(crate) mod bounded;
mod builder;
mod child;
mod children;
mod counts;
pub(crate) mod current;
pub(crate) mod error;
pub(crate) mod handle;
mod limit;
pub(crate) mod name;
pub(crate) mod output;
pub(crate) mod phase;
mod shared;
pub(crate) mod shared_owner;
mod start;
pub(crate) mod task_builder;
pub(crate) mod task_handle;
pub(crate) mod task_scope;

pub use builder::{DEFAULT_GRACE_PERIOD, ScopeBuilder};
pub use counts::ChildCounts;
pub use limit::{Reservation, ReserveError};
pub use shared::MAX_KEPT_FAILURES;
pub use start::{Ready, StartError};
