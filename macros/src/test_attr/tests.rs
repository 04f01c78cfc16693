//! The expansion of `#[taskscope::test]` as a plain function: snapshots of
//! representative inputs (pretty-printed, compared with
//! `macros/tests/snapshots/test_attr_*.rs`) and checks of its errors.
//!
//! Regenerate the snapshots after an intended change, then review the diff:
//!
//! ```text
//! SNAPSHOTS=overwrite cargo test -p taskscope-macros snapshot
//! ```

#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use proc_macro2::TokenStream;

fn tokens(source: &str) -> TokenStream {
    source.parse().expect("valid tokens")
}

fn expand(args: &str, item: &str) -> TokenStream {
    super::expand(tokens(args), tokens(item))
}

fn pretty(tokens: TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(error) => format!("// does not parse as a file: {error}\n{tokens}\n"),
    }
}

/// The messages of the `compile_error!`s in an expansion, in order.
fn errors(output: &TokenStream) -> Vec<String> {
    let file: syn::File = syn::parse2(output.clone()).expect("the expansion is a file");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(item)
                if item.mac.path.is_ident("compile_error")
                    || item
                        .mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|segment| segment.ident == "compile_error") =>
            {
                let message: syn::LitStr = item.mac.parse_body().expect("a string");
                Some(message.value())
            }
            _ => None,
        })
        .collect()
}

#[track_caller]
fn check_snapshot(name: &str, args: &str, item: &str) {
    let item_text = pretty(tokens(item));
    let commented: String = item_text
        .lines()
        .map(|line| {
            if line.is_empty() {
                String::from("//\n")
            } else {
                format!("// {line}\n")
            }
        })
        .collect();
    let actual = format!(
        "// Snapshot of `#[taskscope::test({args})]` on:\n//\n{commented}//\n// Regenerate: \
         SNAPSHOTS=overwrite cargo test -p taskscope-macros snapshot\n\n{}",
        pretty(expand(args, item)),
    );
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.rs"));
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::write(&path, &actual).expect("the snapshot is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "the expansion of snapshot `{name}` changed ({}).\n--- expected\n{expected}\n--- \
         actual\n{actual}\nIf the change is intended: SNAPSHOTS=overwrite cargo test -p \
         taskscope-macros snapshot",
        path.display(),
    );
}

#[test]
fn snapshot_test_attr_default() {
    check_snapshot(
        "test_attr_default",
        "",
        "/// Documented.\n#[ignore]\nasync fn plain() { \
         #![allow(unused_variables)] let unused = 1; }",
    );
}

#[test]
fn snapshot_test_attr_all_arguments() {
    check_snapshot(
        "test_attr_all_arguments",
        "flavor = \"multi_thread\", worker_threads = 4, settle_ms = 250, crate = \
         ::reexport::taskscope",
        "pub async fn threaded() -> Result<(), std::io::Error> { Ok(()) }",
    );
}

#[test]
fn snapshot_test_attr_paused() {
    check_snapshot(
        "test_attr_paused",
        "start_paused = true, crate = \"my_taskscope\"",
        "#[should_panic(expected = \"boom\")]\nasync fn paused() -> () { panic!(\"boom\") }",
    );
}

#[test]
fn snapshot_test_attr_bad_arguments() {
    check_snapshot(
        "test_attr_bad_arguments",
        "flavor = \"multi_thread\", start_paused = true, bogus = 1, flavor = \"current_thread\", \
         settle_ms = 2s",
        "async fn bad() {}",
    );
}

#[test]
fn snapshot_test_attr_unfit_item() {
    check_snapshot(
        "test_attr_unfit_item",
        "settle = 10",
        "fn not_async<T>(value: T) {}",
    );
}

#[test]
fn every_bad_argument_is_reported_and_the_good_ones_kept() {
    let output = expand(
        "worker_threads = 0, start_paused = yes, settle_ms = \"1s\", flavor = \"local\", nope, \
         crate = 1 + 1, settle_ms = 5",
        "async fn t() {}",
    );
    let errors = errors(&output);
    assert_eq!(errors.len(), 6, "{errors:#?}");
    assert!(errors[0].contains("`worker_threads` must be at least 1"));
    assert!(errors[1].contains("`start_paused` takes `true` or `false`"));
    assert!(errors[2].contains("`settle_ms` takes a whole number of milliseconds"));
    assert!(errors[3].contains("unknown runtime flavor `local`"));
    assert!(errors[4].contains("unknown `#[taskscope::test]` argument `nope`"));
    assert!(errors[5].contains("`crate` takes the path of the taskscope crate"));
    // The second `settle_ms` was the first good one: it is used.
    assert!(
        output
            .to_string()
            .contains(":: core :: time :: Duration :: from_millis (5)")
    );
}

#[test]
fn unknown_and_duplicate_keys_list_the_valid_keys() {
    for args in [
        "unhandled_panic = \"ignore\"",
        "flavor = \"multi_thread\", flavor = \"multi_thread\"",
    ] {
        let errors = errors(&expand(args, "async fn t() {}"));
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(
            errors[0].contains("`flavor`, `worker_threads`, `start_paused`, `settle_ms`, `crate`"),
            "{}",
            errors[0]
        );
    }
}

#[test]
fn a_second_test_attribute_is_an_error_and_is_dropped() {
    let output = expand("", "#[tokio::test]\nasync fn twice() {}");
    let errors = errors(&output);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("a second test attribute"));
    assert!(!output.to_string().contains("tokio :: test"));
}

#[test]
fn an_item_that_is_not_a_fn_is_emitted_as_written() {
    let output = expand("", "struct NotAFn;");
    assert!(output.to_string().starts_with("struct NotAFn ;"));
    let errors = errors(&output);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("goes on an `async fn`"));
}

#[test]
fn garbage_does_not_panic() {
    for (args, item) in [
        ("=", "async fn t() {}"),
        (",,,", "async fn t() {}"),
        ("flavor =", "async fn t() {}"),
        (
            "flavor = \"multi_thread\" worker_threads = 2",
            "async fn t() {}",
        ),
        ("crate = \"not a path\"", "async fn t() {}"),
        ("", ""),
        ("", "async fn"),
        ("", "async fn t(self) {}"),
    ] {
        let output = expand(args, item);
        assert!(
            output.to_string().contains("compile_error"),
            "{args} / {item}: {output}"
        );
    }
}

#[test]
fn one_trailing_comma_is_fine() {
    let output = expand(
        "flavor = \"multi_thread\", worker_threads = 2,",
        "async fn t() {}",
    );
    assert_eq!(errors(&output), Vec::<String>::new());
    assert!(output.to_string().contains(". worker_threads (2)"));
}
