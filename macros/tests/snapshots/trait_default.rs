// Snapshot of `#[scoped]` on:
//
// trait Snapshot {
//     async fn refresh(&self) -> Result<(), Self::Error> {
//         tokio::spawn(Self::ping());
//         Ok(())
//     }
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

trait Snapshot {
    async fn refresh(&self) -> Result<(), Self::Error> {
        let __taskscope_scope = ::taskscope::__private::builder("refresh").build();
        let __taskscope_body = async move {
            if false {
                return ::taskscope::__private::never::<Result<(), Self::Error>>();
            }
            ::taskscope::__private::discard(::taskscope::__private::spawn(Self::ping()));
            Ok(())
        };
        let __taskscope_runner = ::taskscope::__private::result_runner(
            &__taskscope_body,
        );
        __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
    }
}
