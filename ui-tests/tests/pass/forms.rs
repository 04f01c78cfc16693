//! Every fn form `#[scoped]` takes: free fns, values and `Result`s, `?` and
//! `return`, unsize coercions, `impl Trait`, aliases, generics with where
//! clauses and lifetimes, methods with every receiver, `unsafe`, raw names,
//! inner attributes, and `-> !`.

// An `unsafe fn` is one of the forms; its two blocks say why they are sound.
#![allow(unsafe_code)]

use std::error::Error;
use std::fmt::Display;
use std::time::Duration;

use taskscope::scoped;

#[derive(Debug)]
struct AppError(String);

impl Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for AppError {}

impl From<taskscope::ScopeError> for AppError {
    fn from(error: taskscope::ScopeError) -> Self {
        AppError(error.to_string())
    }
}

impl From<std::num::ParseIntError> for AppError {
    fn from(error: std::num::ParseIntError) -> Self {
        AppError(error.to_string())
    }
}

type AppResult<T> = Result<T, AppError>;
type BoxError = Box<dyn Error + Send + Sync>;

#[scoped]
async fn unit() {
    tokio::spawn(async {});
}

#[scoped]
async fn value(n: u32) -> u32 {
    let doubled = tokio::spawn(async move { n * 2 });
    doubled.await.unwrap()
}

#[scoped]
async fn result_with_question_mark(text: &str) -> Result<u32, AppError> {
    let child = tokio::spawn(async { 1u32 });
    // `?` converts `ParseIntError` into `AppError`.
    let parsed: u32 = text.parse()?;
    if parsed == 0 {
        return Err(AppError(String::from("zero")));
    }
    Ok(parsed + child.await.unwrap())
}

#[scoped]
async fn unsize_coercions(fail: bool) -> Result<u8, BoxError> {
    tokio::spawn(async {});
    if fail {
        // `Box<AppError>` coerces to `Box<dyn Error + Send + Sync>` at `return`.
        return Err(Box::new(AppError(String::from("failed"))));
    }
    let n: u8 = "7".parse()?;
    Ok(n)
}

#[scoped]
async fn unsize_tail() -> Box<dyn Display + Send> {
    Box::new(5u8)
}

#[scoped]
async fn opaque(n: u8) -> impl Display {
    let child = tokio::spawn(async move { n });
    child.await.unwrap()
}

#[scoped]
async fn opaque_in_result() -> Result<impl Display + Send, AppError> {
    Ok(tokio::spawn(async { 3u8 }).await.unwrap())
}

#[scoped]
async fn opaque_in_tuple() -> (impl Display + Send, Option<impl Display>) {
    (tokio::spawn(async { 4u8 }).await.unwrap(), Some("five"))
}

#[scoped]
async fn alias() -> AppResult<u8> {
    tokio::spawn(async { Ok::<(), AppError>(()) });
    Ok(1)
}

#[scoped]
async fn io_style() -> std::result::Result<(), BoxError> {
    tokio::task::spawn_blocking(|| ());
    Ok(())
}

#[scoped]
async fn generic<'a, T, U: Send + 'static>(borrowed: &'a T, owned: U) -> (&'a T, U)
where
    T: Sync + ?Sized,
{
    let owned = tokio::spawn(async move { Ok::<U, AppError>(owned) })
        .await
        .unwrap();
    (borrowed, owned)
}

#[scoped]
async fn generic_result<T, E>(value: T) -> Result<T, E>
where
    T: Send + 'static,
    E: From<taskscope::ScopeError>,
{
    Ok(value)
}

#[scoped]
async fn destructured((a, b): (u8, u8), mut c: Vec<u8>) -> usize {
    c.push(a + b);
    tokio::spawn(async {});
    c.len()
}

#[scoped]
async unsafe fn unsafe_fn(pointer: *const u8) -> u8 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *pointer }
}

#[scoped]
async fn r#type() -> &'static str {
    "raw"
}

#[scoped]
async fn inner_attributes() -> u8 {
    #![allow(clippy::identity_op)]
    1 + 0
}

#[scoped]
async fn diverges() -> ! {
    #[uncancellable(reason = "it never returns: there is no value to leave with")]
    loop {
        tokio::spawn(async {});
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

struct Service<T> {
    state: T,
}

impl<T: Clone + Send + Sync + 'static> Service<T> {
    #[scoped]
    async fn by_ref(&self) -> T {
        let state = self.state.clone();
        tokio::spawn(async move { Ok::<T, AppError>(state) })
            .await
            .unwrap()
    }

    #[scoped]
    async fn by_mut(&mut self, state: T) -> &mut Self {
        self.state = state;
        self
    }

    #[scoped]
    pub async fn by_value(self) -> T {
        self.state
    }

    #[scoped]
    async fn typed_self(self: Box<Self>) -> Self {
        *self
    }
}

pub(crate) fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        unit().await;
        assert_eq!(value(2).await, 4);
        assert_eq!(result_with_question_mark("2").await.unwrap(), 3);
        assert!(result_with_question_mark("x").await.is_err());
        assert!(result_with_question_mark("0").await.is_err());
        assert!(unsize_coercions(true).await.is_err());
        assert_eq!(unsize_coercions(false).await.unwrap(), 7);
        assert_eq!(unsize_tail().await.to_string(), "5");
        assert_eq!(opaque(4).await.to_string(), "4");
        assert_eq!(opaque_in_result().await.unwrap().to_string(), "3");
        let (four, five) = opaque_in_tuple().await;
        assert_eq!(
            (four.to_string(), five.map(|five| five.to_string())),
            ("4".to_owned(), Some("five".to_owned()))
        );
        assert_eq!(alias().await.unwrap(), 1);
        io_style().await.unwrap();
        assert_eq!(generic("a", 5u8).await, ("a", 5));
        assert_eq!(generic_result::<u8, AppError>(1).await.unwrap(), 1);
        assert_eq!(destructured((1, 2), vec![]).await, 1);
        let byte = 9u8;
        // SAFETY: `byte` outlives the call.
        assert_eq!(unsafe { unsafe_fn(&byte).await }, 9);
        assert_eq!(r#type().await, "raw");
        assert_eq!(inner_attributes().await, 1);
        assert!(tokio::time::timeout(Duration::from_millis(20), diverges())
            .await
            .is_err());
        let mut service = Service { state: 1u8 };
        assert_eq!(service.by_ref().await, 1);
        assert_eq!(service.by_mut(2).await.state, 2);
        assert_eq!(Box::new(service).typed_self().await.by_value().await, 2);
    });
}
