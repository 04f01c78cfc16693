// Snapshot of `#[scoped]` on:
//
// impl Snapshot {
//     pub(crate) async fn process<'a, T>(
//         &'a mut self,
//         items: &'a [T],
//     ) -> Result<Vec<T>, Box<dyn std::error::Error + Send + Sync>>
//     where
//         T: Clone + Send + 'static,
//     {
//         for item in items {
//             let item = item.clone();
//             tokio::spawn(async move { self::work(item).await });
//         }
//         Ok(self.collect().await?)
//     }
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

impl Snapshot {
    pub(crate) async fn process<'a, T>(
        &'a mut self,
        items: &'a [T],
    ) -> Result<Vec<T>, Box<dyn std::error::Error + Send + Sync>>
    where
        T: Clone + Send + 'static,
    {
        let __taskscope_scope = ::taskscope::__private::builder("process").build();
        let __taskscope_body = async move {
            if false {
                return ::taskscope::__private::never::<
                    Result<Vec<T>, Box<dyn std::error::Error + Send + Sync>>,
                >();
            }
            for item in items {
                let item = item.clone();
                ::taskscope::__private::discard(
                    ::taskscope::__private::spawn(async move { self::work(item).await }),
                );
            }
            Ok(self.collect().await?)
        };
        let __taskscope_runner = ::taskscope::__private::result_runner(
            &__taskscope_body,
        );
        __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
    }
}
