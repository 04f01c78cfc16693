//! `TaskName`: a child's name, kept without an allocation when it is a
//! string literal.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// The name of a child task, as given to
/// [`TaskBuilder::name`](crate::task::TaskBuilder::name): a `&'static str`
/// (a literal, the common case) is kept as it is, with no allocation per
/// spawn; a `String`, `Box<str>` or `Arc<str>` is shared.
///
/// ```
/// use taskscope::task::TaskName;
///
/// let literal = TaskName::from("accept");
/// let made = TaskName::from(format!("conn-{}", 7));
/// assert_eq!((literal.as_str(), made.as_str()), ("accept", "conn-7"));
/// ```
#[derive(Clone)]
pub struct TaskName(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl TaskName {
    /// The name.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(name) => name,
            Repr::Shared(name) => name,
        }
    }
}

impl From<&'static str> for TaskName {
    fn from(name: &'static str) -> Self {
        TaskName(Repr::Static(name))
    }
}

impl From<String> for TaskName {
    fn from(name: String) -> Self {
        TaskName(Repr::Shared(Arc::from(name)))
    }
}

impl From<Box<str>> for TaskName {
    fn from(name: Box<str>) -> Self {
        TaskName(Repr::Shared(Arc::from(name)))
    }
}

impl From<Arc<str>> for TaskName {
    fn from(name: Arc<str>) -> Self {
        TaskName(Repr::Shared(name))
    }
}

impl From<Cow<'static, str>> for TaskName {
    fn from(name: Cow<'static, str>) -> Self {
        match name {
            Cow::Borrowed(name) => TaskName::from(name),
            Cow::Owned(name) => TaskName::from(name),
        }
    }
}

impl fmt::Debug for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
