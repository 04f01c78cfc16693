#[test]
#[ignore]
fn profile_expansion() {
    use std::str::FromStr;
    let source = std::fs::read_to_string("../target/compile-cost/scoped/src/lib.rs").unwrap();
    let file = syn::parse_file(&source).unwrap();
    let items: Vec<proc_macro2::TokenStream> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) => {
                let mut f = f.clone();
                f.attrs.retain(|a| {
                    !a.path().is_ident("scoped")
                        && !a
                            .path()
                            .segments
                            .last()
                            .is_some_and(|s| s.ident == "scoped")
                });
                Some(quote::quote!(#f))
            }
            _ => None,
        })
        .collect();
    let started = std::time::Instant::now();
    for _ in 0..1 {
        for item in &items {
            let out = crate::scoped::expand(
                proc_macro2::TokenStream::from_str("").unwrap(),
                item.clone(),
            );
            std::hint::black_box(out);
        }
    }
    eprintln!("{} fns x5: {:?}", items.len(), started.elapsed());
}
