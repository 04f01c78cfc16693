//! Runs one row of the `core` bench a fixed number of times, without
//! criterion, for a profiler: `perf record` or `valgrind --tool=callgrind`
//! (a fixed count of iterations makes instruction counts comparable).
//!
//! `profile ROW FLAVOR N ITERS`, e.g. `profile task_scope current_thread 100000 20`,
//! with ROW one of the `core` rows and FLAVOR `current_thread` or `multi_thread_2`.
//! It runs one untimed warm-up iteration first, then prints the time per child.
//! Without those arguments (as `cargo bench` and `cargo test --benches` run
//! it) it does nothing.

mod rows;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let [row, flavor, n, iters] = &args[..] else {
        println!("profile: nothing to do without ROW FLAVOR N ITERS");
        return;
    };
    let n: usize = n.parse().expect("N is a number of children");
    let iters: u64 = iters.parse().expect("ITERS is a number of iterations");
    let (_, rt) = rows::runtimes()
        .into_iter()
        .find(|(name, _)| name == flavor)
        .expect("FLAVOR is current_thread or multi_thread_2");
    rows::drive_by_name(&rt, row, 1, n).expect("ROW is a row of the core bench");
    let total = rows::drive_by_name(&rt, row, iters, n).expect("the row ran once already");
    let per_child = total.as_nanos() as f64 / (iters as f64 * n as f64);
    println!("{row} {flavor} N={n} x{iters}: {per_child:.0} ns/child (timed part)");
}
