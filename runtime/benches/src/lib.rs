//! The benchmarks of taskscope, side by side with `tokio::spawn`, tokio's
//! `JoinSet` and tokio-util's `TaskTracker`: `runtime/benches/benches/*.rs`, run with
//! `cargo bench -p taskscope-benches`. The figures, the method and the
//! machine are in this crate's `README.md`. A crate of its own so that
//! `cargo test` does not build criterion.
#![forbid(unsafe_code)]

/// A size field of this process's `/proc/self/status` (`"VmRSS:"`,
/// `"VmHWM:"`), in bytes: what the memory benches read before and after
/// their children exist.
///
/// ```
/// let resident = taskscope_benches::proc_status_bytes("VmRSS:");
/// assert!(resident > 0);
/// ```
pub fn proc_status_bytes(field: &str) -> u64 {
    let status =
        std::fs::read_to_string("/proc/self/status").expect("/proc/self/status is readable");
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .unwrap_or_else(|| panic!("{field} is in /proc/self/status"));
    let kib: u64 = line
        .trim_start_matches(field)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("a size in kB");
    kib * 1024
}
