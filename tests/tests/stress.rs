//! A randomized, seeded stress test of `TaskScope`.
//!
//! Each seed generates a random tree of scopes and children, then runs it.
//! Scopes get random options (`supervise` or fail-fast, sometimes a `limit`,
//! a name, or a short grace period). Sometimes the owner cancels a scope part
//! way through its spawns, and a nested scope is sometimes dropped without
//! being joined. The children are:
//!
//! - values returned after a few `yield_now`s;
//! - `Err`s and panics, both on the first poll;
//! - cooperative loops that stop early when cancelled;
//! - children parked on `taskscope::cancelled()` that then ignore the
//!   cancellation for a few yields;
//! - background loops, and stubborn background children that only an abort
//!   ends, in scopes with a limit too (background children take no slot);
//! - children whose future panics when it is dropped: after returning, or,
//!   stubborn, when the short grace of their scope runs out and they are
//!   aborted;
//! - chains of 20-300 nested scopes with a child parked at the bottom;
//! - children that spawn siblings through `taskscope::spawn` or a
//!   `ScopeHandle`;
//! - children that run a nested scope (at most three levels deep) and
//!   either join it, passing its result on, or drop it unjoined.
//!
//! Every child carries a guard. Creating the child counts it as started, in
//! its own scope and in every scope above it, and dropping the guard counts
//! it as ended. The test checks:
//!
//! 1. When `join` returns, or resumes a panic, every child created under
//!    that scope has ended, nested scopes' children included, and the
//!    children of nested scopes that were dropped unjoined (which tokio
//!    stops a little after the drop) too.
//! 2. `join`'s outcome is the one the plan predicts. If a panic reaches the
//!    scope, `join` resumes one of the planned panics. Otherwise, if a child
//!    failed, it returns an `Err` with exactly one failure per failing child
//!    (a nested scope that failed counts as one). Otherwise it returns `Ok`:
//!    cancellation alone is not an error. Each child's `TaskHandle` must
//!    also yield what that child did. A spawn through the handle of a
//!    closed scope must be refused as `Closed`, and must create no task.
//! 3. At the end of the seed, every child has ended, the runtime's alive-task
//!    count is back where it started, and `taskscope::dump()` shows no live
//!    task on this runtime.
//!
//! The generator builds only trees whose outcome does not depend on
//! scheduling:
//!
//! - A failing child fails on its first poll, before any await (or panics
//!   as its future is dropped). Each scope
//!   allows no failures, only errors, or errors and panics, and never more
//!   than the scope above it allows.
//! - Grace periods are the default (1 s, far longer than any child needs)
//!   except in "short grace" scopes. Those scopes have no nested scopes, and
//!   no failing children but a stubborn one that panics as it is aborted,
//!   so the aborts there change no other outcome.
//! - A scope with a `limit` that may be cancelled has no failing children: a
//!   child still waiting for a slot would never start. A fail-fast limited
//!   scope has at most one failing child.
//! - A child parks on `cancelled()` (or at the bottom of a deep nest) only
//!   in a scope that will be cancelled whatever the scheduling.
//! - Under a scope dropped unjoined, anything goes. Only the counts are
//!   checked there.
//!
//! The overloaded seeds add hogs, children that block their thread for
//! 8-20 ms, longer than the short grace; half their roots have a short
//! grace, a hog first and 90-130 children, more than tokio polls between two
//! looks at its timers, so the grace runs out while most children still wait
//! for their first poll. The rule that makes this certain: every child
//! accepted before the grace ran out is polled at least once, so a short
//! grace scope may have failing children (spawned by its owner), and every
//! failure must be reported.
//!
//! Every failure message names its seed. To replay a seed, run
//! `TASKSCOPE_STRESS_SEED=<seed> cargo test -p taskscope-tests --test stress`:
//! every case then runs that seed alone, on both runtimes. Set
//! `TASKSCOPE_STRESS_PLAN=1` and pass `-- --nocapture` to print the
//! generated tree. The tree is the same on every run; the interleaving of the
//! multi-thread runtime is not.

use std::fmt;
use std::future::{poll_fn, Future};
use std::num::NonZeroUsize;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;
use std::time::Duration;

use taskscope::{ScopeError, ScopeHandle, SpawnError, TaskError, TaskHandle, TaskScope};
use tokio::task::yield_now;
use tokio::time::Instant;

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::{
    alive_tasks, panic_on_purpose, silence_expected_panics, ExpectedPanic, ALIVE_TASKS_GRACE,
};

on_both_runtimes!(
    seeds_1_to_8,
    seeds_9_to_16,
    seeds_17_to_24,
    seeds_25_to_32,
    overloaded_seeds_1_to_8,
    overloaded_seeds_9_to_16,
);

/// How many seeds each case runs, one after the other.
const SEEDS_PER_CASE: u64 = 8;

/// How long one seed may take before it fails. A scope that never finishes
/// fails with its seed named, before the harness's `CASE_LIMIT` would fail
/// the case without it.
const SEED_LIMIT: Duration = Duration::from_secs(5);

/// The grace period of the scopes that have one of their own: short, so a
/// stubborn child is aborted soon.
const SHORT_GRACE: Duration = Duration::from_millis(5);

/// The deepest nesting of scopes: the root is at depth 0.
const MAX_DEPTH: usize = 3;

/// At most this many children (of every scope) per seed.
const CHILD_BUDGET: usize = 450;

async fn seeds_1_to_8() {
    run_seeds(1, SEEDS_PER_CASE, Load::Moderate).await;
}

async fn seeds_9_to_16() {
    run_seeds(9, SEEDS_PER_CASE, Load::Moderate).await;
}

async fn seeds_17_to_24() {
    run_seeds(17, SEEDS_PER_CASE, Load::Moderate).await;
}

async fn seeds_25_to_32() {
    run_seeds(25, SEEDS_PER_CASE, Load::Moderate).await;
}

async fn overloaded_seeds_1_to_8() {
    run_seeds(1, SEEDS_PER_CASE, Load::Overloaded).await;
}

async fn overloaded_seeds_9_to_16() {
    run_seeds(9, SEEDS_PER_CASE, Load::Overloaded).await;
}

/// How busy a seed keeps its runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Load {
    /// Children wait for their first poll far less than any grace period.
    Moderate,
    /// Some children block their worker (`Kind::Hog`) for longer than the
    /// short grace period, so other children wait longer than that for
    /// their first poll; scopes with a short grace may then have failing
    /// children too, whose failures must all be reported (every child
    /// accepted before the grace ran out is polled at least once).
    Overloaded,
}

/// Runs `count` seeds from `first` on, or only the seed named by
/// `TASKSCOPE_STRESS_SEED`.
async fn run_seeds(first: u64, count: u64, load: Load) {
    match std::env::var("TASKSCOPE_STRESS_SEED") {
        Ok(text) => {
            let seed = text
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("TASKSCOPE_STRESS_SEED={text:?} is not a u64"));
            stress(seed, load).await;
        }
        Err(_) => {
            for seed in first..first + count {
                stress(seed, load).await;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The generator

/// splitmix64: the whole tree follows from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    fn between(&mut self, low: u32, high: u32) -> u32 {
        low + (self.next() % u64::from(high - low + 1)) as u32
    }

    /// True `times` in `out_of`.
    fn chance(&mut self, times: u64, out_of: u64) -> bool {
        self.next() % out_of < times
    }

    /// One of `options`, each as likely as its weight.
    fn pick<T: Copy>(&mut self, options: &[(u64, T)]) -> T {
        let total: u64 = options.iter().map(|(weight, _)| weight).sum();
        let mut ticket = self.next() % total;
        for &(weight, option) in options {
            if ticket < weight {
                return option;
            }
            ticket -= weight;
        }
        unreachable!("the ticket is below the total weight")
    }
}

/// One scope of the tree: its options, what its owner does, its children.
#[derive(Debug)]
struct ScopePlan {
    id: usize,
    name: Option<String>,
    supervise: bool,
    limit: Option<NonZeroUsize>,
    short_grace: bool,
    /// The owner cancels the scope before spawning this child (the number of
    /// children: after the last one).
    cancel_at: Option<usize>,
    /// Yields of the owner between its last spawn and its join.
    pre_join: u32,
    /// The owner drops the scope unjoined after this many yields.
    drop_after: Option<u32>,
    /// A child may have never started (`TaskError::NotStarted`): the scope
    /// has a limit and may be cancelled.
    may_not_start: bool,
    /// What the owner spawns, in order.
    children: Vec<Arc<ChildPlan>>,
    expect: Expect,
}

/// One child: what it does, how it is spawned.
#[derive(Debug)]
struct ChildPlan {
    id: usize,
    name: Option<String>,
    background: bool,
    /// Yields of the spawner just before it spawns this child.
    pause: u32,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// Yields this many times, then returns the count.
    Value { yields: u32 },
    /// Returns `Err` on its first poll.
    Fail { code: u32 },
    /// Panics on its first poll.
    Panic { code: u32 },
    /// Yields up to this many times, leaving early when cancelled.
    Cooperative { yields: u32 },
    /// Parks on `taskscope::cancelled()`, then ignores the cancellation for
    /// `then` yields.
    Park { then: u32 },
    /// A background loop: yields until cancelled.
    UntilCancelled,
    /// A background child that ignores cancellation: only an abort ends it.
    Stubborn,
    /// Returns at once (or, stubborn, ignores cancellation until aborted in
    /// a scope with a short grace), and its future panics when dropped.
    DropPanic { code: u32, stubborn: bool },
    /// A chain of this many nested scopes, each a child creating a scope
    /// and spawning the next level into it, with a child parked on its
    /// cancellation at the bottom; returns the depth.
    DeepNest { depth: u32 },
    /// Blocks its thread for this many milliseconds, then returns them: the
    /// runtime is overloaded while it runs.
    Hog { millis: u32 },
    /// Spawns siblings into its own scope, by `taskscope::spawn` or through
    /// the scope's `ScopeHandle`.
    Spawner {
        via_handle: bool,
        children: Vec<Arc<ChildPlan>>,
    },
    /// Runs a nested scope: joins it (passing its failure on) or drops it.
    Nested(Arc<ScopePlan>),
}

impl ChildPlan {
    /// Whether the child fails (an `Err` or a panic) whatever the scheduling.
    fn fails(&self) -> bool {
        match &self.kind {
            Kind::Fail { .. } | Kind::Panic { .. } | Kind::DropPanic { .. } => true,
            Kind::Nested(scope) => scope.drop_after.is_none() && scope.expect.fails(),
            _ => false,
        }
    }

    /// Whether its failure is a panic (its handle says `Panicked`), not an
    /// `Err` (`Failed`): a nested scope's owner panics with the panic its
    /// join resumes.
    fn panics(&self) -> bool {
        match &self.kind {
            Kind::Panic { .. } | Kind::DropPanic { .. } => true,
            Kind::Nested(scope) => scope.drop_after.is_none() && !scope.expect.panics.is_empty(),
            _ => false,
        }
    }

    /// The child's kind, without its subtree.
    fn kind_name(&self) -> String {
        let kind = match &self.kind {
            Kind::Value { yields } => format!("value after {yields} yields"),
            Kind::Fail { code } => format!("error {code}"),
            Kind::Panic { code } => format!("panic {code}"),
            Kind::Cooperative { yields } => format!("cooperative loop of {yields}"),
            Kind::Park { then } => format!("parked, then {then} yields"),
            Kind::UntilCancelled => String::from("loop until cancelled"),
            Kind::Stubborn => String::from("stubborn"),
            Kind::DropPanic { code, stubborn } => {
                let when = if *stubborn {
                    "stubborn, panics when aborted"
                } else {
                    "panics when dropped"
                };
                format!("{when} with code {code}")
            }
            Kind::DeepNest { depth } => format!("nest {depth} scopes deep"),
            Kind::Hog { millis } => format!("hog of {millis} ms"),
            Kind::Spawner {
                via_handle,
                children,
            } => format!(
                "spawner of {} through {}",
                children.len(),
                if *via_handle {
                    "a handle"
                } else {
                    "taskscope::spawn"
                }
            ),
            Kind::Nested(scope) => format!(
                "owner of scope {} ({})",
                scope.id,
                if scope.drop_after.is_some() {
                    "dropped"
                } else {
                    "joined"
                }
            ),
        };
        if self.background {
            format!("background {kind}")
        } else {
            kind
        }
    }
}

/// What `join` must give, from the plan alone.
#[derive(Debug, Default)]
struct Expect {
    /// The codes of the panics that reach the scope: `join` resumes one.
    panics: Vec<u32>,
    /// Failing children, if no panic reaches the scope: `join`'s `Err` has
    /// exactly this many failures.
    errors: usize,
}

impl Expect {
    fn of(children: &[Arc<ChildPlan>]) -> Self {
        let mut expect = Expect::default();
        expect.add(children);
        expect
    }

    fn add(&mut self, children: &[Arc<ChildPlan>]) {
        for child in children {
            match &child.kind {
                Kind::Fail { .. } => self.errors += 1,
                Kind::Panic { code } | Kind::DropPanic { code, .. } => self.panics.push(*code),
                Kind::Nested(scope) if scope.drop_after.is_none() => {
                    if !scope.expect.panics.is_empty() {
                        self.panics.extend(&scope.expect.panics);
                    } else if scope.expect.errors > 0 {
                        self.errors += 1;
                    }
                }
                // Its children are children of the same scope.
                Kind::Spawner { children, .. } => self.add(children),
                _ => {}
            }
        }
    }

    fn fails(&self) -> bool {
        !self.panics.is_empty() || self.errors > 0
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.panics.is_empty() {
            write!(f, "a panic with one of the codes {:?}", self.panics)
        } else if self.errors > 0 {
            write!(f, "an Err with {} failures", self.errors)
        } else {
            f.write_str("Ok")
        }
    }
}

/// What the children of one scope may do, so that the outcome is certain.
struct Rules {
    depth: usize,
    /// This scope, or one above it, is dropped unjoined: only the counts are
    /// checked in it, so anything goes.
    doomed: bool,
    /// The scope is cancelled whatever the scheduling: its owner cancels it,
    /// its first child fails at once in a fail-fast scope, or a scope above
    /// it is cancelled for sure.
    surely_cancelled: bool,
    /// The scope may be cancelled (nested scopes inherit it).
    maybe_cancelled: bool,
    short_grace: bool,
    /// A stubborn child whose future panics when it is aborted may be
    /// planted: the scope has a short grace, and its panic may reach it.
    abort_panics: bool,
    load: Load,
    /// Which failures the scope's children may have.
    failures: Failures,
    /// How many more children may fail (`None`: any number).
    failures_left: Option<usize>,
}

/// Which failures a scope's children may have: the failures a nested scope
/// may have are capped by its parent's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Failures {
    None,
    Errors,
    ErrorsAndPanics,
}

#[derive(Clone, Copy)]
enum Choice {
    Value,
    Fail,
    Panic,
    Cooperative,
    Park,
    Background,
    Spawner,
    Nested,
    DropPanic,
    DeepNest,
    Hog,
}

struct Generator {
    rng: Rng,
    next_id: usize,
    /// Children that may still be planned.
    budget: usize,
    load: Load,
}

impl Generator {
    fn new(seed: u64, load: Load) -> Self {
        Generator {
            rng: Rng(seed),
            next_id: 0,
            budget: CHILD_BUDGET,
            load,
        }
    }

    fn id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    fn root(&mut self) -> ScopePlan {
        self.scope(None, Failures::ErrorsAndPanics)
    }

    fn scope(&mut self, parent: Option<&Rules>, cap: Failures) -> ScopePlan {
        let id = self.id();
        let nested = parent.is_some();
        let rng = &mut self.rng;
        let drop_after = (nested && rng.chance(1, 6)).then(|| rng.between(0, 3));
        let doomed = drop_after.is_some() || parent.is_some_and(|parent| parent.doomed);
        let name = rng.chance(1, 2).then(|| format!("scope-{id}"));
        let supervise = rng.chance(1, 3);
        let limit = rng
            .chance(1, 4)
            .then(|| NonZeroUsize::new(rng.between(1, 3) as usize))
            .flatten();
        // Under overload, half the roots have a short grace and a hog as
        // their first child, then more children than tokio polls between
        // two looks at its timers: the grace runs out while most of them
        // still wait for their first poll, and the root's `join` (polled
        // by `block_on`, ahead of the run queue) aborts them.
        let overloaded_root = !nested && self.load == Load::Overloaded && rng.chance(1, 2);
        let short_grace = overloaded_root || (nested && rng.chance(1, 8));
        let count = if nested {
            (rng.between(2, 9) as usize).min(self.budget)
        } else if overloaded_root {
            rng.between(90, 130) as usize
        } else {
            rng.between(24, 36) as usize
        };
        let cancel_at = rng
            .chance(1, 3)
            .then(|| rng.between(0, count as u32) as usize);
        let cancelled_from_outside =
            cancel_at.is_some() || parent.is_some_and(|parent| parent.maybe_cancelled);
        // A short grace aborts children that have not finished; under
        // overload, children that fail on their first poll still report it.
        let short_grace_failures = short_grace && self.load == Load::Moderate;
        let failures = if doomed {
            Failures::ErrorsAndPanics
        } else if short_grace_failures || (limit.is_some() && cancelled_from_outside) {
            Failures::None
        } else {
            // The root fails more often than not, a nested scope less often.
            let weights = if nested { [2, 1, 1] } else { [1, 1, 2] };
            let picked = rng.pick(&[
                (weights[0], Failures::None),
                (weights[1], Failures::Errors),
                (weights[2], Failures::ErrorsAndPanics),
            ]);
            picked.min(cap)
        };
        let fails_allowed = failures != Failures::None;
        let failures_left = match (doomed, fails_allowed) {
            (true, _) => None,
            (false, false) => Some(0),
            (false, true) if limit.is_some() && !supervise => Some(1),
            (false, true) => None,
        };
        // A fail-fast scope without a limit whose first child fails at once
        // is cancelled for sure.
        let certain_failure = !doomed
            && fails_allowed
            && !supervise
            && limit.is_none()
            && count > 0
            && rng.chance(1, 4);
        let may_be_cancelled = cancelled_from_outside || (!supervise && fails_allowed) || doomed;
        let mut rules = Rules {
            depth: parent.map_or(0, |parent| parent.depth + 1),
            doomed,
            surely_cancelled: cancel_at.is_some()
                || certain_failure
                || parent.is_some_and(|parent| parent.surely_cancelled),
            maybe_cancelled: may_be_cancelled,
            short_grace,
            abort_panics: short_grace && !doomed && cap == Failures::ErrorsAndPanics,
            load: self.load,
            failures,
            failures_left,
        };
        let pre_join = rng.between(0, 2);
        let mut children = Vec::with_capacity(count);
        for index in 0..count {
            let child = if index == 0 && overloaded_root {
                self.budget = self.budget.saturating_sub(1);
                ChildPlan {
                    id: self.id(),
                    name: None,
                    background: false,
                    pause: 0,
                    kind: Kind::Hog { millis: 20 },
                }
            } else if index == 0 && certain_failure {
                self.failing_leaf(failures)
            } else {
                self.child(&mut rules, 0)
            };
            children.push(Arc::new(child));
        }
        let expect = Expect::of(&children);
        ScopePlan {
            id,
            name,
            supervise,
            limit,
            short_grace,
            cancel_at,
            pre_join,
            drop_after,
            may_not_start: limit.is_some() && may_be_cancelled,
            children,
            expect,
        }
    }

    fn failing_leaf(&mut self, failures: Failures) -> ChildPlan {
        self.budget = self.budget.saturating_sub(1);
        let id = self.id();
        let code = id as u32;
        let kind = if failures == Failures::Errors || self.rng.chance(1, 2) {
            Kind::Fail { code }
        } else {
            Kind::Panic { code }
        };
        ChildPlan {
            id,
            name: None,
            background: false,
            pause: 0,
            kind,
        }
    }

    /// A child of the scope `rules` describes; `spawned` is how many
    /// spawners lie between it and the scope's owner.
    fn child(&mut self, rules: &mut Rules, spawned: usize) -> ChildPlan {
        self.budget = self.budget.saturating_sub(1);
        let id = self.id();
        // Under a short grace, a spawner may be aborted before it spawns its
        // children: only the owner's own children may be planned to fail.
        let cap = if rules.failures_left == Some(0) || (rules.short_grace && spawned > 0) {
            Failures::None
        } else {
            rules.failures
        };
        let mut options = vec![(6, Choice::Value), (4, Choice::Cooperative)];
        if cap >= Failures::Errors {
            options.push((2, Choice::Fail));
        }
        if cap >= Failures::ErrorsAndPanics {
            options.push((1, Choice::Panic));
            options.push((1, Choice::DropPanic));
        }
        if rules.surely_cancelled || rules.doomed {
            options.push((3, Choice::Park));
            if !rules.short_grace && self.budget > 0 {
                options.push((1, Choice::DeepNest));
            }
        }
        // Background children take no slot of a limit: they may be planned
        // in any scope.
        options.push((2, Choice::Background));
        if rules.load == Load::Overloaded {
            options.push((1, Choice::Hog));
        }
        if spawned < 2 && self.budget > 0 {
            options.push((2, Choice::Spawner));
        }
        if rules.depth < MAX_DEPTH && !rules.short_grace && self.budget > 0 {
            options.push((4, Choice::Nested));
        }
        let mut background = false;
        let kind = match self.rng.pick(&options) {
            Choice::Value => Kind::Value {
                yields: self.rng.between(0, 4),
            },
            Choice::Fail => Kind::Fail { code: id as u32 },
            Choice::Panic => Kind::Panic { code: id as u32 },
            Choice::Cooperative => Kind::Cooperative {
                yields: self.rng.between(1, 20),
            },
            Choice::Park => Kind::Park {
                then: self.rng.between(0, 3),
            },
            Choice::DropPanic => Kind::DropPanic {
                code: id as u32,
                stubborn: false,
            },
            Choice::DeepNest => Kind::DeepNest {
                depth: self.rng.between(20, 300),
            },
            Choice::Hog => Kind::Hog {
                millis: self.rng.between(8, 20),
            },
            Choice::Background => {
                background = true;
                let stubborn_allowed = rules.short_grace || rules.doomed;
                match self.rng.between(0, 2) {
                    0 if rules.abort_panics && spawned == 0 && self.rng.chance(1, 2) => {
                        Kind::DropPanic {
                            code: id as u32,
                            stubborn: true,
                        }
                    }
                    0 if stubborn_allowed => Kind::Stubborn,
                    0 | 1 => Kind::UntilCancelled,
                    _ => Kind::Park {
                        then: self.rng.between(0, 3),
                    },
                }
            }
            Choice::Spawner => {
                let via_handle = self.rng.chance(1, 2);
                let count = (self.rng.between(1, 4) as usize).min(self.budget);
                let children = (0..count)
                    .map(|_| Arc::new(self.child(rules, spawned + 1)))
                    .collect();
                Kind::Spawner {
                    via_handle,
                    children,
                }
            }
            Choice::Nested => Kind::Nested(Arc::new(self.scope(Some(&*rules), cap))),
        };
        let name = self.rng.chance(1, 3).then(|| format!("child-{id}"));
        let pause = if self.rng.chance(1, 4) {
            self.rng.between(1, 3)
        } else {
            0
        };
        let child = ChildPlan {
            id,
            name,
            background,
            pause,
            kind,
        };
        // A spawner's children counted themselves.
        if child.fails() {
            if let Some(left) = &mut rules.failures_left {
                *left = left.saturating_sub(1);
            }
        }
        child
    }
}

/// How big a plan is.
#[derive(Debug, Default)]
struct Stats {
    children: usize,
    scopes: usize,
    dropped_scopes: usize,
    failing_leaves: usize,
    owner_cancels: usize,
    drop_panics: usize,
    deep_nests: usize,
    hogs: usize,
    /// Background children in scopes with a limit.
    limited_background: usize,
}

impl Stats {
    fn of(plan: &ScopePlan) -> Self {
        let mut stats = Stats::default();
        stats.scope(plan);
        stats
    }

    fn scope(&mut self, plan: &ScopePlan) {
        self.scopes += 1;
        self.dropped_scopes += usize::from(plan.drop_after.is_some());
        self.owner_cancels += usize::from(plan.cancel_at.is_some());
        if plan.limit.is_some() {
            self.limited_background += plan
                .children
                .iter()
                .filter(|child| child.background)
                .count();
        }
        self.children(&plan.children);
    }

    fn children(&mut self, children: &[Arc<ChildPlan>]) {
        for child in children {
            self.children += 1;
            match &child.kind {
                Kind::Fail { .. } | Kind::Panic { .. } => self.failing_leaves += 1,
                Kind::DropPanic { .. } => {
                    self.failing_leaves += 1;
                    self.drop_panics += 1;
                }
                Kind::DeepNest { .. } => self.deep_nests += 1,
                Kind::Hog { .. } => self.hogs += 1,
                Kind::Spawner { children, .. } => self.children(children),
                Kind::Nested(scope) => self.scope(scope),
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Running a plan

/// Children started and ended, under one scope or in the whole seed.
#[derive(Debug, Default)]
struct Counts {
    started: AtomicUsize,
    ended: AtomicUsize,
}

impl Counts {
    fn read(&self) -> (usize, usize) {
        let started = self.started.load(Ordering::SeqCst);
        (started, self.ended.load(Ordering::SeqCst))
    }
}

/// What one seed's children share.
struct Case {
    seed: u64,
    violations: Mutex<Vec<String>>,
    /// Every child of the seed, under dropped scopes too.
    all: Arc<Counts>,
    /// Handles that gave `NotStarted`, handles that gave `Aborted`, and
    /// spawns refused as `Closed`: the paths the seed took.
    not_started: AtomicUsize,
    aborted: AtomicUsize,
    closed: AtomicUsize,
}

impl Case {
    fn violation(&self, what: String) {
        lock(&self.violations).push(what);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a child knows of the scope it is spawned into.
#[derive(Clone)]
struct Place {
    case: Arc<Case>,
    scope: Arc<ScopePlan>,
    /// The counts of this scope and of every scope above it, up to the root.
    chain: Arc<Vec<Arc<Counts>>>,
    handle: ScopeHandle,
    /// This scope, or one above it, is dropped unjoined.
    doomed: bool,
}

/// Counts a child as started where it is made (with the child's future), and
/// as ended when it is dropped.
struct Alive {
    chain: Arc<Vec<Arc<Counts>>>,
    all: Arc<Counts>,
}

impl Alive {
    fn new(place: &Place) -> Self {
        let all = Arc::clone(&place.case.all);
        all.started.fetch_add(1, Ordering::SeqCst);
        for counts in place.chain.iter() {
            counts.started.fetch_add(1, Ordering::SeqCst);
        }
        Alive {
            chain: Arc::clone(&place.chain),
            all,
        }
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        for counts in self.chain.iter() {
            counts.ended.fetch_add(1, Ordering::SeqCst);
        }
        self.all.ended.fetch_add(1, Ordering::SeqCst);
    }
}

/// A child's error: its own, or its nested scope's.
#[derive(Debug)]
enum ChildFail {
    Rejected(u32),
    Nested(ScopeError),
}

impl fmt::Display for ChildFail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildFail::Rejected(code) => write!(f, "rejected with code {code}"),
            ChildFail::Nested(error) => write!(f, "nested {error}"),
        }
    }
}

type ChildFuture = Pin<Box<dyn Future<Output = Result<u64, ChildFail>> + Send>>;

/// What `join` gave: its result, or the panic it resumed.
type Joined = std::thread::Result<Result<(), ScopeError>>;

/// The future of one child, counted as started from now on.
fn child_future(plan: Arc<ChildPlan>, place: Place) -> ChildFuture {
    let alive = Alive::new(&place);
    Box::pin(async move {
        let _alive = alive;
        run_child(&plan, &place).await
    })
}

async fn run_child(plan: &ChildPlan, place: &Place) -> Result<u64, ChildFail> {
    match &plan.kind {
        Kind::Value { yields } => {
            for _ in 0..*yields {
                yield_now().await;
            }
            Ok(u64::from(*yields))
        }
        Kind::Fail { code } => Err(ChildFail::Rejected(*code)),
        Kind::Panic { code } => {
            panic_on_purpose(*code, Arc::new(()));
            Ok(0)
        }
        Kind::Cooperative { yields } => {
            for done in 0..*yields {
                tokio::select! {
                    biased;
                    () = taskscope::cancelled() => return Ok(u64::from(done)),
                    () = yield_now() => {}
                }
            }
            Ok(u64::from(*yields))
        }
        Kind::Park { then } => {
            taskscope::cancelled().await;
            for _ in 0..*then {
                yield_now().await;
            }
            Ok(u64::from(*then))
        }
        Kind::UntilCancelled => {
            let mut laps = 0;
            while !taskscope::is_cancelled() {
                yield_now().await;
                laps += 1;
            }
            Ok(laps)
        }
        Kind::Stubborn => {
            std::future::pending::<()>().await;
            Ok(0)
        }
        Kind::DropPanic { code, stubborn } => {
            let _panics = PanicsWhenDropped(*code);
            if *stubborn {
                std::future::pending::<()>().await;
            }
            Ok(0)
        }
        Kind::DeepNest { depth } => {
            deep_nest(*depth).await;
            Ok(u64::from(*depth))
        }
        Kind::Hog { millis } => {
            // Blocking the thread is the point: the runtime is overloaded.
            std::thread::sleep(Duration::from_millis(u64::from(*millis)));
            Ok(u64::from(*millis))
        }
        Kind::Spawner {
            via_handle,
            children,
        } => Ok(spawn_siblings(plan, *via_handle, children, place).await),
        Kind::Nested(scope) => run_nested(scope, place).await,
    }
}

/// Panics (with an [`ExpectedPanic`] of its code) when dropped.
struct PanicsWhenDropped(u32);

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        panic_on_purpose(self.0, Arc::new(()));
    }
}

/// `depth` nested scopes, each created by a child of the one above, with a
/// child parked on its cancellation at the bottom: done once the scope the
/// nest is in is cancelled.
fn deep_nest(depth: u32) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        let scope = TaskScope::new();
        if depth == 0 {
            scope.spawn(async { taskscope::cancelled().await });
        } else {
            scope.spawn(deep_nest(depth - 1));
        }
        // A cancellation is not an error: every level passes `Ok` up.
        let _ = scope.join().await;
    })
}

/// Spawns `children` into the spawner's own scope; returns how many it
/// spawned.
async fn spawn_siblings(
    spawner: &ChildPlan,
    via_handle: bool,
    children: &[Arc<ChildPlan>],
    place: &Place,
) -> u64 {
    let mut spawned = 0;
    for child in children {
        for _ in 0..child.pause {
            yield_now().await;
        }
        let future = child_future(Arc::clone(child), place.clone());
        let result = if via_handle {
            let mut task = place.handle.task_builder();
            if let Some(name) = &child.name {
                task = task.name(name.clone());
            }
            if child.background {
                task = task.background();
            }
            task.spawn(future).map_err(SpawnError::from)
        } else if child.background {
            taskscope::spawn_background(future)
        } else {
            taskscope::spawn(future)
        };
        match result {
            Ok(_handle) => spawned += 1,
            // The scope was dropped: no task was created.
            Err(SpawnError::Closed) if place.doomed => {
                place.case.closed.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => place.case.violation(format!(
                "scope {}: child {} could not spawn child {} into its open scope: {error}",
                place.scope.id, spawner.id, child.id
            )),
        }
    }
    spawned
}

fn build_scope(plan: &ScopePlan) -> TaskScope {
    let mut builder = TaskScope::builder();
    if let Some(name) = &plan.name {
        builder = builder.name(name.as_str());
    }
    if plan.supervise {
        builder = builder.supervise();
    }
    if let Some(limit) = plan.limit {
        builder = builder.limit(limit);
    }
    if plan.short_grace {
        builder = builder.grace_period(SHORT_GRACE);
    }
    builder.build()
}

/// A child that owns a nested scope: runs it, and passes its failure on (a
/// panic by resuming it).
async fn run_nested(plan: &Arc<ScopePlan>, outer: &Place) -> Result<u64, ChildFail> {
    let scope = build_scope(plan);
    let mut chain = vec![Arc::new(Counts::default())];
    chain.extend(outer.chain.iter().cloned());
    let place = Place {
        case: Arc::clone(&outer.case),
        scope: Arc::clone(plan),
        chain: Arc::new(chain),
        handle: scope.handle(),
        doomed: outer.doomed || plan.drop_after.is_some(),
    };
    let owned = own_scope(scope, &place).await;
    spawn_after_close(&place);
    match owned {
        None => Ok(0),
        Some(Err(panic)) => resume_unwind(panic),
        Some(Ok(joined)) => {
            joined.map_err(ChildFail::Nested)?;
            Ok(0)
        }
    }
}

/// Does what the owner of `place.scope` does: spawns its children, cancels
/// it where the plan says so, and drops or joins it. Once it has joined the
/// scope, it checks the scope's counts, its outcome and its children's
/// handles. Returns what `join` gave, or `None` if it dropped the scope.
async fn own_scope(scope: TaskScope, place: &Place) -> Option<Joined> {
    let plan = &place.scope;
    let mut handles = Vec::with_capacity(plan.children.len());
    for (index, child) in plan.children.iter().enumerate() {
        if plan.cancel_at == Some(index) {
            scope.cancel();
        }
        for _ in 0..child.pause {
            yield_now().await;
        }
        let future = child_future(Arc::clone(child), place.clone());
        let handle = match (&child.name, child.background) {
            (None, false) => scope.spawn(future),
            (None, true) => scope.spawn_background(future),
            (Some(name), background) => {
                let mut task = scope.task_builder().name(name.clone());
                if background {
                    task = task.background();
                }
                task.spawn(future)
            }
        };
        handles.push((child, handle));
    }
    if plan.cancel_at == Some(plan.children.len()) {
        scope.cancel();
    }
    if let Some(yields) = plan.drop_after {
        for _ in 0..yields {
            yield_now().await;
        }
        drop(scope);
        return None;
    }
    for _ in 0..plan.pre_join {
        yield_now().await;
    }

    let joined = catch_panic(scope.join()).await;

    let (started, ended) = place.chain[0].read();
    if started != ended {
        place.case.violation(format!(
            "scope {}: join gave {} with {} of the {started} children under the scope \
             (children of scopes dropped unjoined included) still alive",
            plan.id,
            describe(&joined),
            started.saturating_sub(ended),
        ));
    }
    if !place.doomed {
        if let Err(wrong) = check_outcome(plan, &joined) {
            place.case.violation(wrong);
        }
        for (child, handle) in handles {
            check_handle(plan, child, handle, &place.case).await;
        }
    }
    Some(joined)
}

/// Spawns through the handle of a scope its owner has joined or dropped:
/// refused as `Closed`, with no task created.
fn spawn_after_close(place: &Place) {
    let late = Arc::new(ChildPlan {
        id: 0,
        name: None,
        background: false,
        pause: 0,
        kind: Kind::Value { yields: 0 },
    });
    match place.handle.spawn(child_future(late, place.clone())) {
        Err(taskscope::Closed) => {
            place.case.closed.fetch_add(1, Ordering::Relaxed);
        }
        Ok(_) => place.case.violation(format!(
            "scope {}: a handle spawned into it after its owner had closed it",
            place.scope.id
        )),
    }
}

/// Awaits `future`, catching a panic that escapes its `poll`: the panic
/// `join` resumes.
async fn catch_panic<F: Future>(future: F) -> std::thread::Result<F::Output> {
    let mut future = pin!(future);
    poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(panic) => Poll::Ready(Err(panic)),
        },
    )
    .await
}

fn describe(joined: &Joined) -> String {
    match joined {
        Ok(Ok(())) => String::from("Ok"),
        Ok(Err(error)) => format!("an Err with {} failures ({error})", error.failures().len()),
        Err(panic) => {
            if let Some(expected) = panic.downcast_ref::<ExpectedPanic>() {
                format!("a panic with code {}", expected.code)
            } else if let Some(message) = panic.downcast_ref::<&str>() {
                format!("an unplanned panic: {message}")
            } else if let Some(message) = panic.downcast_ref::<String>() {
                format!("an unplanned panic: {message}")
            } else {
                String::from("a panic with an unknown payload")
            }
        }
    }
}

/// Whether `join` gave what the plan predicts.
fn check_outcome(plan: &ScopePlan, joined: &Joined) -> Result<(), String> {
    let expect = &plan.expect;
    let right = match joined {
        Err(panic) => panic
            .downcast_ref::<ExpectedPanic>()
            .is_some_and(|panic| expect.panics.contains(&panic.code)),
        Ok(Err(error)) => {
            expect.panics.is_empty()
                && error.failures().len() == expect.errors
                && !error.is_elapsed()
                && error.scope_name() == plan.name.as_deref()
                && error
                    .failures()
                    .iter()
                    .all(|failure| failure.error().downcast_ref::<ChildFail>().is_some())
        }
        Ok(Ok(())) => !expect.fails(),
    };
    if right {
        Ok(())
    } else {
        Err(format!(
            "scope {}: join gave {}, expected {expect}",
            plan.id,
            describe(joined)
        ))
    }
}

/// Whether a child's handle yields what the child did.
async fn check_handle(scope: &ScopePlan, child: &ChildPlan, handle: TaskHandle<u64>, case: &Case) {
    let result = handle.await;
    match result {
        Err(TaskError::NotStarted) => case.not_started.fetch_add(1, Ordering::Relaxed),
        Err(TaskError::Aborted) => case.aborted.fetch_add(1, Ordering::Relaxed),
        _ => 0,
    };
    let right = match result {
        Ok(value) => {
            !child.fails()
                && match &child.kind {
                    Kind::Value { yields } => value == u64::from(*yields),
                    Kind::Cooperative { yields } => value <= u64::from(*yields),
                    Kind::Park { then } => value == u64::from(*then),
                    Kind::Spawner { children, .. } => value == children.len() as u64,
                    Kind::DeepNest { depth } => value == u64::from(*depth),
                    Kind::Hog { millis } => value == u64::from(*millis),
                    _ => true,
                }
        }
        Err(TaskError::Failed) => child.fails() && !child.panics(),
        Err(TaskError::Panicked(_)) => child.panics(),
        // A stubborn child, or one still running when the short grace ran out.
        Err(TaskError::Aborted) => scope.short_grace,
        // Background children take no slot, so they always start.
        Err(TaskError::NotStarted) => scope.may_not_start && !child.fails() && !child.background,
        Err(_) => false,
    };
    if !right {
        case.violation(format!(
            "scope {}: the handle of child {} ({}) gave {result:?}",
            scope.id,
            child.id,
            child.kind_name()
        ));
    }
}

/// Waits (a bounded time) until `done` holds.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let since = Instant::now();
    while !done() {
        if since.elapsed() > ALIVE_TASKS_GRACE {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    true
}

/// Generates the tree of `seed`, runs it, and checks it.
async fn stress(seed: u64, load: Load) {
    silence_expected_panics();
    let replay = format!(
        "(replay: TASKSCOPE_STRESS_SEED={seed} cargo test -p taskscope-tests --test stress, {load:?} load)"
    );
    let baseline = alive_tasks();
    let plan = Arc::new(Generator::new(seed, load).root());
    let stats = Stats::of(&plan);
    if std::env::var_os("TASKSCOPE_STRESS_PLAN").is_some() {
        println!("seed {seed}: {plan:#?}");
    }
    let case = Arc::new(Case {
        seed,
        violations: Mutex::new(Vec::new()),
        all: Arc::new(Counts::default()),
        not_started: AtomicUsize::new(0),
        aborted: AtomicUsize::new(0),
        closed: AtomicUsize::new(0),
    });
    let scope = build_scope(&plan);
    let place = Place {
        case: Arc::clone(&case),
        scope: Arc::clone(&plan),
        chain: Arc::new(vec![Arc::new(Counts::default())]),
        handle: scope.handle(),
        doomed: false,
    };
    let started = Instant::now();

    let joined = tokio::time::timeout(SEED_LIMIT, own_scope(scope, &place))
        .await
        .unwrap_or_else(|_| {
            panic!("seed {seed}: the root scope was not joined within {SEED_LIMIT:?} {replay}")
        });

    spawn_after_close(&place);
    let outcome = joined
        .as_ref()
        .map_or_else(|| String::from("nothing"), describe);
    let violations = std::mem::take(&mut *lock(&case.violations));
    assert!(
        violations.is_empty(),
        "seed {}: {} violation(s), the root's join gave {outcome}:\n  {}\n{replay}",
        case.seed,
        violations.len(),
        violations.join("\n  ")
    );
    assert!(
        eventually(|| alive_tasks() == baseline).await,
        "seed {seed}: {} tasks alive, {baseline} at the start: a task outlived its scope {replay}",
        alive_tasks()
    );
    let tree = taskscope::dump().on_runtime(tokio::runtime::Handle::current().id());
    assert!(
        tree.has_no_tasks(),
        "seed {seed}: taskscope::dump() still shows tasks:\n{tree}{replay}"
    );
    println!(
        "seed {seed} ({load:?} load): {} child futures made ({} planned, plus the refused late spawns) in {} scopes ({} dropped unjoined), \
         {} failing leaves ({} panicking when dropped), {} owner cancels, {} deep nests, {} hogs, \
         {} background children of limited scopes; {} handles not started, {} aborted, \
         {} spawns refused; the root's join gave {outcome} in {:?}",
        case.all.read().0,
        stats.children,
        stats.scopes,
        stats.dropped_scopes,
        stats.failing_leaves,
        stats.drop_panics,
        stats.owner_cancels,
        stats.deep_nests,
        stats.hogs,
        stats.limited_background,
        case.not_started.load(Ordering::Relaxed),
        case.aborted.load(Ordering::Relaxed),
        case.closed.load(Ordering::Relaxed),
        started.elapsed(),
    );
}
