//! The list of live scopes: every scope registers once, weakly, when it is
//! created, and a dump walks the list. Nothing here is on a child's path.

use std::num::NonZeroU64;
use std::panic::Location;
use std::sync::{Arc, Mutex, Weak};

use crate::clock::{Now, ScopeClock};
use crate::sync::lock;

use super::ScopeSnapshot;

/// What the registry asks of a live scope: what it looks like now. The
/// scope implements it, so the registry needs to know nothing else of it.
pub(crate) trait Listed: Send + Sync {
    /// The scope as a dump shows it, without its nested scopes; `None` once
    /// it has closed and its last child is gone.
    fn snapshot(&self, now: Now) -> Option<ScopeSnapshot>;

    /// The tokio runtime the scope was created on.
    fn runtime(&self) -> Option<tokio::runtime::Id>;
}

struct LiveScopes {
    scopes: Vec<Weak<dyn Listed>>,
    sweep_at: usize,
}

/// A `std` mutex even under loom: a `static` cannot hold loom's, and the
/// registry is not part of the model.
static LIVE_SCOPES: Mutex<LiveScopes> = Mutex::new(LiveScopes {
    scopes: Vec::new(),
    sweep_at: 64,
});

/// Records a new scope. Scopes that have been dropped are forgotten whenever
/// the list has doubled since the last sweep.
pub(crate) fn register<S: Listed + 'static>(scope: &Arc<S>) {
    let weak: Weak<dyn Listed> = Arc::downgrade(scope) as Weak<dyn Listed>;
    let mut live = lock(&LIVE_SCOPES);
    if live.scopes.len() >= live.sweep_at {
        live.scopes.retain(|scope| scope.strong_count() > 0);
        live.sweep_at = (live.scopes.len() * 2).max(64);
    }
    live.scopes.push(weak);
}

/// The scopes alive right now.
pub(super) fn live_scopes() -> Vec<Arc<dyn Listed>> {
    lock(&LIVE_SCOPES)
        .scopes
        .iter()
        .filter_map(Weak::upgrade)
        .collect()
}

/// Where a scope sits: what it is nested in and which task created it.
pub(crate) struct ScopeOrigin {
    pub(crate) id: u64,
    pub(crate) location: &'static Location<'static>,
    pub(crate) clock: ScopeClock,
    /// The id of the scope it is nested in (ids start at 1; `NonZeroU64`
    /// keeps the field at 8 bytes, which keeps a scope's allocation in the
    /// size class it had before the registry stopped holding the parent).
    pub(crate) parent: Option<NonZeroU64>,
    pub(crate) runtime: Option<tokio::runtime::Id>,
    pub(crate) created_in_task: Option<tokio::task::Id>,
}

impl ScopeOrigin {
    pub(crate) fn here(location: &'static Location<'static>, parent: Option<u64>) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let runtime = tokio::runtime::Handle::try_current()
            .ok()
            .map(|handle| handle.id());
        ScopeOrigin {
            // Relaxed: the counter only has to hand out distinct ids; it
            // orders nothing else.
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            location,
            clock: ScopeClock::start(runtime),
            parent: parent.and_then(NonZeroU64::new),
            runtime,
            created_in_task: tokio::task::try_id(),
        }
    }
}
