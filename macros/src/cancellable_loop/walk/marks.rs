//! The loop attributes: `#[cancellable_loop]` and `#[uncancellable]`,
//! taken off the loops they mark and rejected anywhere else.

use syn::Attribute;

use super::Walker;
use crate::cancellable_loop::args::{LoopArgs, Position};
use crate::reason::UNCANCELLABLE;

/// `#[cancellable_loop]` and `#[uncancellable]` found on one loop.
#[derive(Default)]
pub(super) struct Marks {
    pub(super) cancellable: Option<(Attribute, LoopArgs)>,
    pub(super) opt_out: Option<Attribute>,
}

fn last_segment_is(attr: &Attribute, name: &str) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == name)
}

pub(super) fn is_mark(attr: &Attribute) -> bool {
    last_segment_is(attr, "cancellable_loop") || last_segment_is(attr, "uncancellable")
}

impl Walker {
    /// Removes `#[cancellable_loop]` and `#[uncancellable]` from `attrs`,
    /// checking them.
    pub(super) fn take_marks(&mut self, attrs: &mut Vec<Attribute>) -> Marks {
        let mut marks = Marks::default();
        if !attrs.iter().any(is_mark) {
            return marks;
        }
        self.changes += 1;
        let mut kept = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            if last_segment_is(&attr, "cancellable_loop") {
                if marks.cancellable.is_some() {
                    self.errors.push(syn::Error::new_spanned(
                        &attr,
                        "`#[cancellable_loop]` is given twice on this loop: keep one",
                    ));
                    continue;
                }
                let args = LoopArgs::from_attr(&attr, Position::Loop, &mut self.errors);
                marks.cancellable = Some((attr, args));
            } else if last_segment_is(&attr, "uncancellable") {
                if marks.opt_out.is_some() {
                    self.errors.push(syn::Error::new_spanned(
                        &attr,
                        "`#[uncancellable]` is given twice on this loop: keep one",
                    ));
                    continue;
                }
                self.errors
                    .take(crate::reason::check(&attr, &UNCANCELLABLE));
                marks.opt_out = Some(attr);
            } else {
                kept.push(attr);
            }
        }
        *attrs = kept;
        marks
    }

    /// Reports (and removes) marks on something that is not a loop.
    pub(super) fn reject_marks(&mut self, attrs: &mut Vec<Attribute>) {
        if !attrs.iter().any(is_mark) {
            return;
        }
        self.changes += 1;
        let mut kept = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            if last_segment_is(&attr, "cancellable_loop") {
                self.errors.push(syn::Error::new_spanned(
                    &attr,
                    "`#[cancellable_loop]` goes on a loop (`loop`, `while`, `while let`, `for`) \
                     of a `#[scoped]` fn, or on an `async fn`: there is no loop here",
                ));
            } else if last_segment_is(&attr, "uncancellable") {
                self.errors.push(syn::Error::new_spanned(
                    &attr,
                    "`#[uncancellable]` goes on a loop (`loop`, `while`, `while let`): there is \
                     no loop here",
                ));
            } else {
                kept.push(attr);
            }
        }
        *attrs = kept;
    }
}
