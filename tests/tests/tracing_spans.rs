//! With the `tracing` feature, every scope and every child has a span that
//! carries its name and location, and the spans nest as the tasks do; the
//! default build opens none. The file runs in both builds: `cargo test
//! --workspace` is the default one, `.ci/run` adds a run with
//! `--features taskscope-tests/tracing`.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use taskscope::TaskScope;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A span as the recording subscriber saw it open.
/// (The default build reads only `name`.)
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
#[derive(Clone, Debug)]
struct SeenSpan {
    name: &'static str,
    fields: HashMap<&'static str, String>,
    parent: Option<u64>,
}

/// Records every span with its fields and parent. Single-threaded use only:
/// the stack of entered spans is one for the whole subscriber.
#[derive(Default)]
struct Recorder {
    next_id: AtomicU64,
    spans: Mutex<HashMap<u64, SeenSpan>>,
    entered: Mutex<Vec<u64>>,
}

struct FieldText<'a>(&'a mut HashMap<&'static str, String>);

impl Visit for FieldText<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_string());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = HashMap::new();
        attributes.record(&mut FieldText(&mut fields));
        let parent = if let Some(parent) = attributes.parent() {
            Some(parent.into_u64())
        } else if attributes.is_contextual() {
            self.entered.lock().expect("not poisoned").last().copied()
        } else {
            None
        };
        let seen = SeenSpan {
            name: attributes.metadata().name(),
            fields,
            parent,
        };
        self.spans.lock().expect("not poisoned").insert(id, seen);
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, span: &Id) {
        self.entered
            .lock()
            .expect("not poisoned")
            .push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().expect("not poisoned");
        if let Some(position) = entered.iter().rposition(|id| *id == span.into_u64()) {
            entered.remove(position);
        }
    }
}

#[cfg(feature = "tracing")]
fn find<'a>(
    spans: &'a HashMap<u64, SeenSpan>,
    name: &str,
    field: &str,
    value: &str,
) -> (u64, &'a SeenSpan) {
    spans
        .iter()
        .find(|(_, span)| {
            span.name == name && span.fields.get(field).map(String::as_str) == Some(value)
        })
        .map(|(id, span)| (*id, span))
        .unwrap_or_else(|| panic!("no {name} span with {field} = {value} in {spans:#?}"))
}

/// The lines, in this file, where `server_spans` builds its scope and
/// spawns its task.
#[cfg(feature = "tracing")]
const SCOPE_LINE: u32 = line!() + 14;
#[cfg(feature = "tracing")]
const TASK_LINE: u32 = line!() + 13;

/// Runs a server scope whose one task builds a nested scope, under a
/// recording subscriber, and returns the spans it saw.
fn server_spans() -> HashMap<u64, SeenSpan> {
    let dispatch = tracing::Dispatch::new(Recorder::default());
    tracing::dispatcher::with_default(&dispatch, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(async {
                let server = TaskScope::builder().name("server").build();
                server.task_builder().name("accept").spawn(async {
                    let connection = TaskScope::builder().name("connection").build();
                    connection.spawn(async {});
                    connection.join().await
                });
                server.join().await.expect("nothing failed");
            });
    });
    let recorder = dispatch
        .downcast_ref::<Recorder>()
        .expect("the dispatch wraps the recorder");
    let spans = recorder.spans.lock().expect("not poisoned").clone();
    spans
}

#[cfg(not(feature = "tracing"))]
#[test]
fn the_default_build_opens_no_spans() {
    let spans = server_spans();
    let ours: Vec<_> = spans
        .values()
        .filter(|span| span.name.starts_with("taskscope."))
        .collect();
    assert!(
        ours.is_empty(),
        "without `tracing`, taskscope opens no span: {ours:#?}"
    );
}

#[cfg(feature = "tracing")]
#[test]
fn scopes_and_tasks_have_nested_spans_with_name_and_location() {
    let spans = server_spans();
    let (scope_line, task_line) = (SCOPE_LINE, TASK_LINE);
    let (server_id, server) = find(&spans, "taskscope.scope", "scope.name", "server");
    let location = server
        .fields
        .get("scope.location")
        .cloned()
        .unwrap_or_default();
    assert!(
        location.starts_with(&format!("{}:{scope_line}:", file!())),
        "the scope span carries where it was built, got {location}"
    );
    let (accept_id, accept) = find(&spans, "taskscope.task", "task.name", "accept");
    assert_eq!(
        accept.parent,
        Some(server_id),
        "a task's span is under its scope's"
    );
    let location = accept
        .fields
        .get("task.location")
        .cloned()
        .unwrap_or_default();
    assert!(
        location.starts_with(&format!("{}:{task_line}:", file!())),
        "the task span carries its spawn location, got {location}"
    );
    assert_eq!(
        accept.fields.get("task.background").map(String::as_str),
        Some("false")
    );
    let (connection_id, connection) = find(&spans, "taskscope.scope", "scope.name", "connection");
    assert_eq!(
        connection.parent,
        Some(accept_id),
        "a nested scope's span is under the task that made it"
    );
    let nested_tasks = spans
        .values()
        .filter(|span| span.name == "taskscope.task" && span.parent == Some(connection_id))
        .count();
    assert_eq!(nested_tasks, 1);
}
