//! The analysis behind taskscope's macros and its audit, in one crate that
//! both use (a proc-macro crate can export nothing but macros).
//!
//! - [`spawn`]: what is a spawn, which spawns `#[scoped]` redirects into the
//!   fn's scope and which forms detach (threads, builders, runtime handles).
//! - [`scan`] and [`select`]: what an awaiting loop is and what counts as a
//!   cancellation arm.
//! - [`reason`]: the escape hatches (`#[detached]`, `#[uncancellable]`) and
//!   their mandatory reasons.
//! - `audit` (feature `audit`): the same rules over a whole file, as `cargo
//!   taskscope audit` runs them: [`Finding`]s with a stable [`Rule`] id
//!   each. The macros leave it out, so a user's build does not compile it.
//!
//! The macros turn what this crate finds into `compile_error!`s; the audit
//! prints it. A test in the macros' crate runs both on the same inputs.
//!
//! ```
//! # #[cfg(feature = "audit")] {
//! use taskscope_analysis::{Rule, audit};
//!
//! let source = "
//!     async fn serve() {
//!         tokio::spawn(async { work().await });
//!     }
//! ";
//! let findings = audit::audit_source(source).expect("the source parses");
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].rule, Rule::DetachedSpawn);
//! assert_eq!(findings[0].rule.id(), "detached-spawn");
//! assert_eq!(findings[0].span.start().line, 3);
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_debug_implementations, unreachable_pub)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(feature = "audit")]
pub mod audit;
pub mod reason;
pub mod scan;
pub mod select;
pub mod spawn;

use proc_macro2::Span;

/// What a finding is about. Each rule has a stable id ([`Rule::id`]), used
/// by `--allow`, allow comments, and the JSON and SARIF reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A tokio spawn whose `JoinHandle` is dropped where it is made
    /// (`tokio::spawn(..);`, `let _ = spawn(..);`): the task is detached.
    DetachedSpawn,
    /// A spawn in a constructor (`fn new`, a fn returning `Self`) of a type
    /// that does not abort the task when it is dropped.
    SpawnInConstructor,
    /// A spawn inside work wrapped by `tokio::time::timeout` or raced in a
    /// `select!` against a sleep: the task outlives the timeout.
    SpawnUnderTimeout,
    /// A `JoinHandle` awaited under a timeout or in a `select!` branch that
    /// can lose: the handle is dropped on that path and the task detaches.
    HandleUnderTimeout,
    /// An awaiting loop, in a spawned task or a `#[scoped]` fn, that nothing
    /// ends when the scope is cancelled.
    UncancellableLoop,
    /// A bounded `send(..).await` in an awaiting loop of a spawned task or a
    /// `#[scoped]` fn, not raced against a cancellation: a producer blocked
    /// on a full channel never sees the cancellation.
    BlockedSend,
    /// `std::thread::spawn(..)` (or a thread `Builder`) whose `JoinHandle`
    /// is dropped.
    DetachedThread,
    /// A form that `#[scoped]` rejects in its body (a thread, a task
    /// `Builder`, a runtime handle's spawn, a bare `spawn`, `mem::forget`).
    ScopedDetachingForm,
    /// An escape hatch without its reason: `#[detached]`,
    /// `#[uncancellable]`, or an allow comment of the audit.
    EscapeHatchReason,
}

impl Rule {
    /// Every rule, in report order.
    pub const ALL: [Rule; 9] = [
        Rule::DetachedSpawn,
        Rule::SpawnInConstructor,
        Rule::SpawnUnderTimeout,
        Rule::HandleUnderTimeout,
        Rule::UncancellableLoop,
        Rule::BlockedSend,
        Rule::DetachedThread,
        Rule::ScopedDetachingForm,
        Rule::EscapeHatchReason,
    ];

    /// The rule's stable id.
    ///
    /// ```
    /// use taskscope_analysis::Rule;
    /// assert_eq!(Rule::from_id("uncancellable-loop"), Some(Rule::UncancellableLoop));
    /// assert_eq!(Rule::UncancellableLoop.id(), "uncancellable-loop");
    /// ```
    pub fn id(self) -> &'static str {
        match self {
            Rule::DetachedSpawn => "detached-spawn",
            Rule::SpawnInConstructor => "spawn-in-constructor",
            Rule::SpawnUnderTimeout => "spawn-under-timeout",
            Rule::HandleUnderTimeout => "handle-under-timeout",
            Rule::UncancellableLoop => "uncancellable-loop",
            Rule::BlockedSend => "blocked-send",
            Rule::DetachedThread => "detached-thread",
            Rule::ScopedDetachingForm => "scoped-detaching-form",
            Rule::EscapeHatchReason => "escape-hatch-reason",
        }
    }

    /// The rule of an id, if it is one.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.id() == id)
    }

    /// One line: what the rule finds.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::DetachedSpawn => "a spawned task whose handle is dropped: nothing joins it",
            Rule::SpawnInConstructor => {
                "a task spawned by a constructor outlives the value it was made for"
            }
            Rule::SpawnUnderTimeout => {
                "a task spawned in work under a timeout outlives the timeout"
            }
            Rule::HandleUnderTimeout => {
                "a JoinHandle dropped when a timeout or another select! branch wins detaches its task"
            }
            Rule::UncancellableLoop => "an awaiting loop that no cancellation ends",
            Rule::BlockedSend => "a bounded send awaited in a loop, not raced against cancellation",
            Rule::DetachedThread => "a thread whose JoinHandle is dropped: nothing joins it",
            Rule::ScopedDetachingForm => "a form that detaches work from a #[scoped] fn",
            Rule::EscapeHatchReason => "an escape hatch without its reason",
        }
    }

    /// How to fix it, in taskscope's terms.
    pub fn help(self) -> &'static str {
        match self {
            Rule::DetachedSpawn => {
                "spawn it into a scope: make the fn `#[scoped]` (its spawns join before it \
                 returns), or spawn on a `TaskScope` that the owner joins; if it must outlive its \
                 caller, keep it in the program's root scope (`taskscope::shutdown::run`)"
            }
            Rule::SpawnInConstructor => {
                "let the value own its tasks: keep a `TaskScope::root()` (or `SharedScope`) in a \
                 field and spawn on it, so dropping the value aborts them; or keep the \
                 `JoinHandle` and abort it in `impl Drop`"
            }
            Rule::SpawnUnderTimeout => {
                "make the work under the timeout `#[scoped]` (dropping it at the deadline \
                 aborts its children), or use `#[scoped(timeout = ..)]`"
            }
            Rule::HandleUnderTimeout => {
                "await `&mut handle` so that the handle survives the losing branch, and abort or \
                 join it there; or spawn into a `#[scoped]` fn's scope, whose children are \
                 aborted with it"
            }
            Rule::UncancellableLoop => {
                "put `#[cancellable_loop]` on the loop (each `.await` is raced against the \
                 scope's cancellation), add a `select!` arm on `taskscope::cancelled()`, or mark \
                 it `#[uncancellable(reason = \"...\")]`"
            }
            Rule::BlockedSend => {
                "race the send against the cancellation: `#[cancellable_loop]` on the loop, or \
                 `select!` with an arm on `taskscope::cancelled()`"
            }
            Rule::DetachedThread => {
                "use `std::thread::scope`, keep the handle and join it, or run the blocking work \
                 with `tokio::task::spawn_blocking` in a `#[scoped]` fn"
            }
            Rule::ScopedDetachingForm => {
                "use the form the message names, or mark the statement \
                 `#[detached(reason = \"...\")]`"
            }
            Rule::EscapeHatchReason => "say why: `reason = \"...\"`",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// One thing found: the rule, where, and what to say.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// The first token it is about.
    pub span: Span,
    /// The last token it is about.
    pub end_span: Span,
    /// Where it starts (line from 1, column from 0, in characters). Read
    /// from `span` when the tokens were parsed from a string (with
    /// proc-macro2's `span-locations`, which the `audit` feature turns on);
    /// set by hand for what is not a token (an allow comment).
    #[cfg(feature = "audit")]
    pub start: LineColumn,
    /// Where it ends.
    #[cfg(feature = "audit")]
    pub end: LineColumn,
    /// What is wrong and what to write instead (for the rules the macros
    /// enforce, the macros' own error message).
    pub message: String,
}

impl Finding {
    /// A finding of `rule` about one token.
    pub fn new(rule: Rule, span: Span, message: impl Into<String>) -> Self {
        Finding::between(rule, span, span, message)
    }

    /// A finding of `rule` about `tokens`, from their first token to their
    /// last, as `syn::Error::new_spanned` spans an error.
    pub fn spanned(rule: Rule, tokens: impl quote::ToTokens, message: impl Into<String>) -> Self {
        let mut trees = tokens.into_token_stream().into_iter();
        let first = trees
            .next()
            .map_or_else(Span::call_site, |tree| tree.span());
        let last = trees.last().map_or(first, |tree| tree.span());
        Finding::between(rule, first, last, message)
    }

    /// A finding of `rule` from `span` to `end_span`.
    pub fn between(rule: Rule, span: Span, end_span: Span, message: impl Into<String>) -> Self {
        Finding {
            rule,
            span,
            end_span,
            #[cfg(feature = "audit")]
            start: span.start(),
            #[cfg(feature = "audit")]
            end: end_span.end(),
            message: message.into(),
        }
    }

    /// The findings of a `syn::Error` (one per message it holds).
    pub fn from_error(rule: Rule, error: &syn::Error) -> Vec<Finding> {
        error
            .clone()
            .into_iter()
            .map(|one| Finding::spanned(rule, one.to_compile_error(), one.to_string()))
            .collect()
    }

    /// The finding as the error a macro emits: the same message, spanned
    /// from the first token to the last.
    pub fn to_error(&self) -> syn::Error {
        let first = proc_macro2::Ident::new("first", self.span);
        let last = proc_macro2::Ident::new("last", self.end_span);
        syn::Error::new_spanned(quote::quote!(#first #last), &self.message)
    }
}

#[cfg(feature = "audit")]
pub use proc_macro2::LineColumn;
