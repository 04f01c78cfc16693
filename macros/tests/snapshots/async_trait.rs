// Snapshot of `#[scoped]` on:
//
// impl Snapshot {
//     fn call<'life0, 'async_trait>(
//         &'life0 self,
//         n: u32,
//     ) -> ::core::pin::Pin<
//         Box<
//             dyn ::core::future::Future<
//                 Output = Result<u32, Error>,
//             > + ::core::marker::Send + 'async_trait,
//         >,
//     >
//     where
//         'life0: 'async_trait,
//         Self: 'async_trait,
//     {
//         Box::pin(async move {
//             if let ::core::option::Option::Some(__ret) = ::core::option::Option::None::<
//                 Result<u32, Error>,
//             > {
//                 #[allow(unreachable_code)] return __ret;
//             }
//             let __self = self;
//             let n = n;
//             let __ret: Result<u32, Error> = {
//                 let child = tokio::spawn(async move { n * 2 });
//                 Ok(child.await?)
//             };
//             #[allow(unreachable_code)] __ret
//         })
//     }
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

impl Snapshot {
    fn call<'life0, 'async_trait>(
        &'life0 self,
        n: u32,
    ) -> ::core::pin::Pin<
        Box<
            dyn ::core::future::Future<
                Output = Result<u32, Error>,
            > + ::core::marker::Send + 'async_trait,
        >,
    >
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let __taskscope_scope = ::taskscope::__private::builder("call").build();
            let __taskscope_body = async move {
                if false {
                    return ::taskscope::__private::never::<Result<u32, Error>>();
                }
                if let ::core::option::Option::Some(__ret) = ::core::option::Option::None::<
                    Result<u32, Error>,
                > {
                    #[allow(unreachable_code)] return __ret;
                }
                let __self = self;
                let n = n;
                let __ret: Result<u32, Error> = {
                    let child = ::taskscope::__private::spawn(async move { n * 2 });
                    Ok(child.await?)
                };
                #[allow(unreachable_code)] __ret
            };
            let __taskscope_runner = ::taskscope::__private::result_runner(
                &__taskscope_body,
            );
            __taskscope_runner.run(__taskscope_scope, __taskscope_body).await
        })
    }
}
