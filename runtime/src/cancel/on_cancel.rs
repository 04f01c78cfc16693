//! `OnCancel`: the value a function returns when a cancellable loop in it
//! is cancelled and leaves the function.

use crate::Cancelled;

/// What a function returns when a cancellable loop in it is cancelled and
/// leaves the function: `()` for `()`, `None` for `Option<T>`,
/// `Err(E::from(Cancelled))` for `Result<T, E>`.
///
/// ```
/// use taskscope::Cancelled;
/// use taskscope::cancel::OnCancel;
///
/// assert_eq!(<Option<u8> as OnCancel>::on_cancel(), None);
/// assert_eq!(<Result<u8, Cancelled> as OnCancel>::on_cancel(), Err(Cancelled));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no value that means \"cancelled\"",
    label = "a cancelled loop would have to return this",
    note = "return `()`, an `Option`, or a `Result` whose error type implements `From<taskscope::Cancelled>`, or implement `taskscope::cancel::OnCancel` for `{Self}`"
)]
pub trait OnCancel {
    /// The value that means "cancelled".
    fn on_cancel() -> Self;
}

impl OnCancel for () {
    fn on_cancel() {}
}

impl<T> OnCancel for Option<T> {
    fn on_cancel() -> Self {
        None
    }
}

impl<T, E: From<Cancelled>> OnCancel for Result<T, E> {
    fn on_cancel() -> Self {
        Err(E::from(Cancelled))
    }
}
