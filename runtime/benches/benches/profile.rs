//! Runs rows of the `core` bench outside criterion, a fixed number of times:
//! for a profiler, and for an interleaved comparison that holds up on a
//! shared machine.
//!
//! - `profile ROW FLAVOR N ITERS`, e.g. `profile task_scope current_thread 100000 20`:
//!   one row, for `perf record` or `valgrind --tool=callgrind` (a fixed count
//!   of iterations makes instruction counts comparable between rows).
//! - `profile --rounds R FLAVOR N ITERS ROW...`, e.g.
//!   `profile --rounds 15 multi_thread_2 100000 3 tokio_spawn task_scope`:
//!   R rounds; each round runs every ROW (in an order rotated from round to
//!   round) for ITERS iterations. It prints each row's median time per child
//!   and its ratio to the first ROW *within each round* (median and range
//!   over the rounds): a load burst from another process slows one round of
//!   every row, not one row of every round, so these ratios stay put where
//!   criterion's row-after-row ratios do not.
//!
//! ROW is a row of the `core` bench or of `rows::time` (the
//! `time_and_channels` bench: `channel_scope_1`, `ticks_scope_every`, ...; the
//! list is `rows::drive_by_name`), FLAVOR `current_thread` or `multi_thread_2`.
//! Through cargo: `cargo bench -p taskscope-benches --bench profile -- --rounds 15 ...`.
//! Like the `core` bench, every measurement gets a fresh runtime and one
//! untimed warm-up iteration, and only the timed part of each row counts.
//! Without arguments (as `cargo bench` and `cargo test -p taskscope-benches --benches` run it) it
//! does nothing.

mod rows;

use rows::Flavor;

fn flavor(name: &str) -> Flavor {
    Flavor::ALL
        .into_iter()
        .find(|flavor| flavor.name() == name)
        .expect("FLAVOR is current_thread or multi_thread_2")
}

/// Nanoseconds per child of `iters` iterations of `row` with `n` children.
fn per_child(flavor: Flavor, row: &str, n: usize, iters: u64) -> f64 {
    let total =
        rows::drive_by_name(flavor, row, iters, n).expect("ROW is a row of rows::drive_by_name");
    total.as_nanos() as f64 / (iters as f64 * n as f64)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

fn interleaved(rounds: usize, flavor: Flavor, n: usize, iters: u64, rows: &[String]) {
    let mut times = vec![Vec::with_capacity(rounds); rows.len()];
    for round in 0..rounds {
        for offset in 0..rows.len() {
            let index = (round + offset) % rows.len();
            times[index].push(per_child(flavor, &rows[index], n, iters));
        }
    }
    println!(
        "interleaved: {rounds} rounds x {iters} iterations, {} N={n}",
        flavor.name()
    );
    println!(
        "| row | ns/child (median over rounds) | ratio to `{}` (median of per-round ratios) | range |",
        rows[0]
    );
    println!("|---|---:|---:|---:|");
    for (row, row_times) in rows.iter().zip(&times) {
        let mut ratios: Vec<f64> = row_times
            .iter()
            .zip(&times[0])
            .map(|(time, reference)| time / reference)
            .collect();
        let ratio = median(&mut ratios);
        let (low, high) = (ratios[0], ratios[ratios.len() - 1]);
        let mut own = row_times.clone();
        println!(
            "| `{row}` | {:.0} | {ratio:.2} | {low:.2}–{high:.2} |",
            median(&mut own)
        );
    }
}

fn main() {
    // `cargo bench` appends `--bench`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--rounds") {
        let [_, rounds, flavor_name, n, iters, rows @ ..] = &args[..] else {
            panic!("usage: profile --rounds R FLAVOR N ITERS ROW...");
        };
        assert!(!rows.is_empty(), "give at least one ROW");
        interleaved(
            rounds.parse().expect("R is a number of rounds"),
            flavor(flavor_name),
            n.parse().expect("N is a number of children"),
            iters.parse().expect("ITERS is a number of iterations"),
            rows,
        );
        return;
    }
    let positional: Vec<&String> = args.iter().filter(|arg| !arg.starts_with("--")).collect();
    let [row, flavor_name, n, iters] = positional[..] else {
        println!("profile: nothing to do without ROW FLAVOR N ITERS (see the doc comment)");
        return;
    };
    let flavor = flavor(flavor_name);
    let n: usize = n.parse().expect("N is a number of children");
    let iters: u64 = iters.parse().expect("ITERS is a number of iterations");
    let ns = per_child(flavor, row, n, iters);
    println!(
        "{row} {} N={n} x{iters}: {ns:.0} ns/child (timed part)",
        flavor.name()
    );
}
