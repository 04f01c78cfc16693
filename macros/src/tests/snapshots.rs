//! Expansion snapshots: representative inputs, their expansion
//! pretty-printed (prettyplease), compared with the files in
//! `macros/tests/snapshots/`. A changed rewrite shows up as a line diff.
//!
//! Regenerate after an intended change, then review the diff in git:
//!
//! ```text
//! SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots
//! ```

use std::path::PathBuf;

use proc_macro2::TokenStream;

use super::diff::line_diff;

/// Where an fn stands, for printing (a method is printed inside an `impl`).
#[derive(Clone, Copy)]
enum Context {
    Free,
    Impl,
    Trait,
}

fn pretty(tokens: TokenStream, context: Context) -> String {
    let wrapped = match context {
        Context::Free => tokens,
        Context::Impl => quote::quote!(impl Snapshot { #tokens }),
        Context::Trait => quote::quote!(trait Snapshot { #tokens }),
    };
    match syn::parse2::<syn::File>(wrapped.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(error) => format!("// does not parse as a file: {error}\n{wrapped}\n"),
    }
}

fn commented(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::from("//\n")
            } else {
                format!("// {line}\n")
            }
        })
        .collect()
}

#[track_caller]
fn check(name: &str, context: Context, args: &str, item: &str) {
    check_macro(name, context, Macro::Scoped, args, item);
}

/// Which attribute a snapshot expands.
#[derive(Clone, Copy)]
enum Macro {
    Scoped,
    CancellableLoop,
}

#[track_caller]
fn check_macro(name: &str, context: Context, which: Macro, args: &str, item: &str) {
    let args_tokens: TokenStream = args.parse().expect("the args are tokens");
    let item_tokens: TokenStream = item.parse().expect("the item is tokens");
    let (macro_name, output) = match which {
        Macro::Scoped => (
            "scoped",
            crate::scoped::expand(args_tokens, item_tokens.clone()),
        ),
        Macro::CancellableLoop => (
            "cancellable_loop",
            crate::cancellable_loop::expand(args_tokens, item_tokens.clone()),
        ),
    };
    let attribute = if args.is_empty() {
        format!("#[{macro_name}]")
    } else {
        format!("#[{macro_name}({args})]")
    };
    let actual = format!(
        "// Snapshot of `{attribute}` on:\n//\n{}//\n// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots\n\n{}",
        commented(&pretty(item_tokens, context)),
        pretty(output, context),
    );
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.rs"));
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::write(&path, &actual).expect("the snapshot is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        panic!(
            "the expansion of snapshot `{name}` changed ({}):\n{}\nIf the change is intended: \
             SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots",
            path.display(),
            line_diff(&expected, &actual)
        );
    }
}

#[test]
fn snapshot_value_fn() {
    check(
        "value_fn",
        Context::Free,
        "",
        r#"
        /// Counts the pages.
        pub async fn count(urls: Vec<String>) -> usize {
            #![allow(clippy::needless_collect)]
            let handles: Vec<_> = urls.into_iter().map(|url| tokio::spawn(fetch(url))).collect();
            tokio::spawn(async { audit().await });
            let mut total = 0;
            for handle in handles {
                total += handle.await.unwrap();
            }
            total
        }
        "#,
    );
}

#[test]
fn snapshot_result_fn() {
    check(
        "result_fn",
        Context::Free,
        "",
        r#"
        async fn load(path: &str) -> Result<Config, AppError> {
            let raw = tokio::task::spawn_blocking(move || std::fs::read_to_string(path));
            if path.is_empty() {
                return Err(AppError::NoPath);
            }
            let text = raw.await.map_err(AppError::from)?;
            Ok(parse(&text)?)
        }
        "#,
    );
}

#[test]
fn snapshot_unspelled_result_and_impl_trait() {
    check(
        "inferred_route",
        Context::Free,
        "",
        r#"
        async fn render(id: u32) -> AppResult<impl std::fmt::Display + Send> {
            let page = tokio::spawn(async move { id * 2 });
            Ok(page.await.unwrap())
        }
        "#,
    );
}

#[test]
fn snapshot_never_returns() {
    check(
        "never_returns",
        Context::Free,
        "",
        r#"
        async fn serve(listener: Listener) -> ! {
            #[uncancellable(reason = "the server accepts until the process exits")]
            loop {
                let conn = listener.accept().await;
                tokio::spawn(handle(conn));
            }
        }
        "#,
    );
}

#[test]
fn snapshot_method_with_generics() {
    check(
        "method_generics",
        Context::Impl,
        "",
        r#"
        pub(crate) async fn process<'a, T>(&'a mut self, items: &'a [T]) -> Result<Vec<T>, Box<dyn std::error::Error + Send + Sync>>
        where
            T: Clone + Send + 'static,
        {
            for item in items {
                let item = item.clone();
                tokio::spawn(async move { self::work(item).await });
            }
            Ok(self.collect().await?)
        }
        "#,
    );
}

#[test]
fn snapshot_trait_default_method() {
    check(
        "trait_default",
        Context::Trait,
        "",
        r#"
        async fn refresh(&self) -> Result<(), Self::Error> {
            tokio::spawn(Self::ping());
            Ok(())
        }
        "#,
    );
}

/// What `#[async_trait]` hands `#[scoped]` (async-trait 0.1's expansion of
/// `async fn call(&self, n: u32) -> Result<u32, Error>`): scoped inside the
/// box, which keeps its shape.
#[test]
fn snapshot_async_trait() {
    check(
        "async_trait",
        Context::Impl,
        "",
        r#"
        fn call<'life0, 'async_trait>(
            &'life0 self,
            n: u32,
        ) -> ::core::pin::Pin<Box<dyn ::core::future::Future<Output = Result<u32, Error>> + ::core::marker::Send + 'async_trait>>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move {
                if let ::core::option::Option::Some(__ret) = ::core::option::Option::None::<Result<u32, Error>> {
                    #[allow(unreachable_code)]
                    return __ret;
                }
                let __self = self;
                let n = n;
                let __ret: Result<u32, Error> = {
                    let child = tokio::spawn(async move { n * 2 });
                    Ok(child.await?)
                };
                #[allow(unreachable_code)]
                __ret
            })
        }
        "#,
    );
}

#[test]
fn snapshot_all_arguments() {
    check(
        "all_arguments",
        Context::Free,
        r#"name = scope, crate = "my_runtime::taskscope", supervise, limit = 8, timeout = Duration::from_millis(ms), grace_period = Duration::from_millis(ms / 10)"#,
        r#"
        async fn crawl(ms: u64, seeds: Vec<Url>) -> Result<(), CrawlError> {
            for seed in seeds {
                scope.spawn(visit(seed))?;
            }
            Ok(())
        }
        "#,
    );
}

#[test]
fn snapshot_redirections() {
    check(
        "redirections",
        Context::Free,
        "limit = self.limit",
        r#"
        async fn all_forms(&self) {
            tokio::spawn(a());
            ::tokio::spawn(b());
            tokio::task::spawn(c());
            ::tokio::task::spawn(d());
            task::spawn(e());
            let f = tokio::spawn::<_>(f());
            let g = tokio::task::spawn_blocking(|| g());
            task::spawn_blocking(|| h());
            tokio::task::spawn_local(i());
            let js: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
            let closure = || tokio::spawn(j());
            let fut = async move {
                tokio::spawn(k());
            };
            let (x, y) = tokio::join!(tokio::spawn(l()), async { tokio::spawn(m()); });
            tokio::select! {
                biased;
                r = tokio::spawn(n()) => { tokio::spawn(o()); }
                _ = tokio::time::sleep(d) => {}
            }
            let v = vec![tokio::spawn(p()); 1];
            println!("{}", tokio::spawn(q()).is_finished());
        }
        "#,
    );
}

#[test]
fn snapshot_left_alone() {
    check(
        "left_alone",
        Context::Free,
        "",
        r#"
        async fn untouched() {
            fn helper() -> tokio::task::JoinHandle<()> {
                tokio::spawn(async {})
            }
            struct Worker;
            impl Worker {
                fn start(&self) { std::thread::spawn(|| {}); }
            }
            macro_rules! detach {
                ($e:expr) => { tokio::spawn($e) };
            }
            #[detached(reason = "the metrics flusher must outlive the request")]
            std::thread::spawn(flush_metrics);
            #[detached(reason = "handed to the runtime on purpose")]
            let handle = tokio::spawn(background());
            let spawn = my::spawn(x());
            self::spawn_blocking(|| y());
            scope.spawn(z());
        }
        "#,
    );
}

#[test]
fn snapshot_enforcement_errors() {
    check(
        "enforcement_errors",
        Context::Free,
        "",
        r#"
        async fn detaches() {
            std::thread::spawn(|| {});
            thread::spawn(|| {});
            std::thread::Builder::new().name("x".into()).spawn(|| {}).unwrap();
            tokio::task::Builder::new().name("y").spawn(async {}).unwrap();
            tokio::runtime::Handle::current().spawn(async {});
            rt.spawn_blocking(|| {});
            tokio::runtime::Handle::spawn(&handle, async {});
            std::mem::forget(scope);
            tokio::join!(async { std::thread::spawn(|| {}); });
        }
        "#,
    );
}

#[test]
fn snapshot_bad_arguments_still_expand() {
    check(
        "bad_arguments",
        Context::Free,
        "limit = 0, timeout = 5, supervise = true, bogus, limit = 2, name = \"scope\"",
        r#"
        async fn f() -> u8 {
            tokio::spawn(async {});
            1
        }
        "#,
    );
}

#[test]
fn snapshot_unfit_items_are_emitted_as_written() {
    check(
        "unfit_item",
        Context::Free,
        "",
        r#"
        fn not_async() {
            tokio::spawn(async {});
        }
        "#,
    );
}

// ---------------------------------------------------------------------------
// `#[cancellable_loop]`: on loops of a `#[scoped]` body, and on an fn.

#[test]
fn snapshot_cancellable_loops_break_rule() {
    check(
        "cancellable_loop_break",
        Context::Free,
        "",
        r#"
        async fn pump(mut rx: Receiver<u64>, tx: Sender<u64>) {
            #[cancellable_loop]
            while let Some(item) = rx.recv().await {
                if item == 0 {
                    continue;
                }
                tx.send(item).await.ok();
            }
            #[cancellable_loop]
            'outer: loop {
                let batch = next_batch().await;
                for item in batch {
                    if item == 0 {
                        break 'outer;
                    }
                    while !ready(item) {
                        tokio::time::sleep(TICK).await;
                    }
                }
            }
            cleanup().await;
        }
        "#,
    );
}

#[test]
fn snapshot_cancellable_loops_return_rule() {
    check(
        "cancellable_loop_return",
        Context::Free,
        "",
        r#"
        async fn first_big(mut rx: Receiver<u64>) -> Option<u64> {
            let small = #[cancellable_loop] loop {
                let n = rx.recv().await?;
                if n < 10 {
                    break n;
                }
            };
            #[cancellable_loop(return)]
            while let Some(n) = rx.recv().await {
                if n == small {
                    break;
                }
            }
            #[cancellable_loop]
            loop {
                let n = rx.recv().await?;
                if n > 100 {
                    return Some(n);
                }
            }
        }
        "#,
    );
}

#[test]
fn snapshot_cancellable_loops_select_and_join() {
    check(
        "cancellable_loop_select",
        Context::Free,
        "",
        r#"
        async fn relay(mut rx: Receiver<u64>, tx: Sender<u64>, token: CancellationToken) {
            #[cancellable_loop]
            loop {
                tokio::select! {
                    Some(v) = rx.recv() => { tx.send(v).await.ok(); }
                    () = tokio::time::sleep(TICK) => continue,
                    else => break,
                }
                select! {
                    biased;
                    v = rx.recv() => drop(v),
                }
                let (a, b) = tokio::join!(ping(), pong());
                tokio::select! {
                    _ = token.cancelled() => break,
                    v = rx.recv() => drop(v),
                }
            }
        }
        "#,
    );
}

#[test]
fn snapshot_cancellable_loops_nested_futures_and_opt_out() {
    check(
        "cancellable_loop_nested",
        Context::Free,
        "",
        r#"
        async fn spawns(mut rx: Receiver<Job>) {
            #[cancellable_loop]
            while let Some(job) = rx.recv().await {
                tokio::spawn(async move {
                    #[cancellable_loop]
                    loop {
                        job.step().await;
                    }
                });
                let run = async { job.finish().await };
                run.await;
            }
            #[uncancellable(reason = "drains what is left; the senders are gone by now")]
            while let Some(job) = rx.recv().await {
                job.finish().await;
            }
            loop {
                tokio::select! {
                    _ = taskscope::cancelled() => break,
                    job = rx.recv() => drop(job),
                }
            }
        }
        "#,
    );
}

#[test]
fn snapshot_cancellable_loops_enforcement_errors() {
    check(
        "cancellable_loop_errors",
        Context::Free,
        "",
        r#"
        async fn unarmed(mut rx: Receiver<u64>) {
            loop {
                rx.recv().await;
            }
            while ready().await {}
            while let Some(v) = rx.recv().await {
                while let Some(w) = rx.recv().await {}
            }
            for v in 0..3 {
                rx.recv().await;
            }
            #[uncancellable]
            loop {
                rx.recv().await;
            }
            #[cancellable_loop(retrun, token)]
            loop {
                rx.recv().await;
            }
            #[cancellable_loop]
            let x = 1;
        }
        "#,
    );
}

#[test]
fn snapshot_cancellable_loop_on_an_fn() {
    check_macro(
        "cancellable_loop_fn",
        Context::Free,
        Macro::CancellableLoop,
        "token = &self.scope",
        r#"
        async fn run(&self, mut rx: Receiver<u64>) -> Option<u64> {
            let mut total = 0;
            while let Some(n) = rx.recv().await {
                total += n;
                let tick = || async {
                    loop {
                        sleep(TICK).await;
                    }
                };
            }
            loop {
                total += rx.recv().await?;
            }
        }
        "#,
    );
}

#[test]
fn snapshot_cancellable_loop_above_scoped() {
    check_macro(
        "cancellable_loop_above_scoped",
        Context::Free,
        Macro::CancellableLoop,
        "return",
        r#"
        #[scoped(limit = 2)]
        #[doc = "x"]
        async fn run(mut rx: Receiver<u64>) -> Option<u64> {
            while let Some(n) = rx.recv().await {
                tokio::spawn(work(n));
            }
            None
        }
        "#,
    );
}

#[test]
fn snapshot_scoped_above_cancellable_loop() {
    check(
        "scoped_above_cancellable_loop",
        Context::Free,
        "limit = 2",
        r#"
        #[cancellable_loop(return)]
        #[doc = "x"]
        async fn run(mut rx: Receiver<u64>) -> Option<u64> {
            while let Some(n) = rx.recv().await {
                tokio::spawn(work(n));
            }
            None
        }
        "#,
    );
}
