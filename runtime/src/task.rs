//! One child task: its builder, what its output means to its scope, and how
//! its failure is reported.
//!
//! These types are implemented with the scope (`scope/`), which owns its
//! children; this module only gathers them under one name.

pub use crate::scope::error::{Failure, TaskInfo};
pub use crate::scope::name::TaskName;
pub use crate::scope::output::{ChildError, Outcome, TaskOutput, Value};
pub use crate::scope::task_builder::{OwnerTaskBuilder, TaskBuilder};
