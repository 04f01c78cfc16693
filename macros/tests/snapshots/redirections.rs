// Snapshot of `#[scoped(limit = self.limit)]` on:
//
// async fn all_forms(&self) {
//     tokio::spawn(a());
//     ::tokio::spawn(b());
//     tokio::task::spawn(c());
//     ::tokio::task::spawn(d());
//     task::spawn(e());
//     let f = tokio::spawn::<_>(f());
//     let g = tokio::task::spawn_blocking(|| g());
//     task::spawn_blocking(|| h());
//     tokio::task::spawn_local(i());
//     let js: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
//     let closure = || tokio::spawn(j());
//     let fut = async move {
//         tokio::spawn(k());
//     };
//     let (x, y) = tokio::join!(tokio::spawn(l()), async { tokio::spawn(m()); });
//     tokio::select! {
//         biased; r = tokio::spawn(n()) => { tokio::spawn(o()); } _ = tokio::time::sleep(d)
//         => {}
//     }
//     let v = vec![tokio::spawn(p()); 1];
//     println!("{}", tokio::spawn(q()).is_finished());
// }
//
// Regenerate: SNAPSHOTS=overwrite cargo test -p taskscope-macros tests::snapshots

async fn all_forms(&self) {
    let __taskscope_scope = ::taskscope::__private::builder("all_forms")
        .limit(::taskscope::__private::limit(self.limit))
        .build();
    let __taskscope_body = async move {
        if false {
            return ::taskscope::__private::never::<()>();
        }
        #[allow(unused_imports)]
        use task as _;
        ::taskscope::__private::discard(::taskscope::__private::spawn(a()));
        ::taskscope::__private::discard(::taskscope::__private::spawn(b()));
        ::taskscope::__private::discard(::taskscope::__private::spawn(c()));
        ::taskscope::__private::discard(::taskscope::__private::spawn(d()));
        ::taskscope::__private::discard(::taskscope::__private::spawn(e()));
        let f = ::taskscope::__private::spawn::<_, _>(f());
        let g = ::taskscope::__private::spawn_blocking(|| g());
        ::taskscope::__private::discard(::taskscope::__private::spawn_blocking(|| h()));
        ::taskscope::__private::discard(::taskscope::__private::spawn_local(i()));
        let js: Vec<_> = futures
            .into_iter()
            .map(::taskscope::__private::spawn)
            .collect();
        let closure = || ::taskscope::__private::spawn(j());
        let fut = async move {
            ::taskscope::__private::discard(::taskscope::__private::spawn(k()));
        };
        let (x, y) = tokio::join!(
            ::taskscope::__private::spawn(l()), async {
            ::taskscope::__private::discard(::taskscope::__private::spawn(m())); }
        );
        tokio::select! {
            biased; r = ::taskscope::__private::spawn(n()) => {
            ::taskscope::__private::discard(::taskscope::__private::spawn(o())); } _ =
            tokio::time::sleep(d) => {}
        }
        let v = vec![::taskscope::__private::spawn(p()); 1];
        println!("{}", ::taskscope::__private::spawn(q()).is_finished());
    };
    ::taskscope::__private::ValueRunner.run(__taskscope_scope, __taskscope_body).await
}
