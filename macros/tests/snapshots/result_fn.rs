// Snapshot of `#[scoped]` on:
//
// async fn load(path: &str) -> Result<Config, AppError> {
//     let raw = tokio::task::spawn_blocking(move || std::fs::read_to_string(path));
//     if path.is_empty() {
//         return Err(AppError::NoPath);
//     }
//     let text = raw.await.map_err(AppError::from)?;
//     Ok(parse(&text)?)
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn load(path: &str) -> Result<Config, AppError> {
    let __taskscope_scope = ::taskscope::__private::builder("load").build();
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<Result<Config, AppError>>();
        }
        let raw = ::taskscope::__private::spawn_blocking(move || std::fs::read_to_string(
            path,
        ));
        if path.is_empty() {
            return Err(AppError::NoPath);
        }
        let text = raw.await.map_err(AppError::from)?;
        Ok(parse(&text)?)
    };
    let __taskscope_runner = ::taskscope::__private::result_runner(&__taskscope_body);
    __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
}
