#!/usr/bin/env python3
"""Summarizes criterion results of the `core` bench as markdown tables.

Usage: summarize.py CRITERION_DIR BASELINE [BASELINE ...]

CRITERION_DIR is `$CARGO_TARGET_DIR/criterion`; each BASELINE is a name given
to `cargo bench -- --save-baseline NAME` (`new` is the latest run). For every
row it prints the median time per child of each run and the ratio to the
reference row of the same run and group (per run, then the range).
"""

import json
import os
import sys

SPAWN_ROWS = ["tokio_spawn", "join_set", "task_tracker", "task_scope"]
CANCEL_ROWS = ["join_set_shutdown", "token_tracker", "task_scope_cancel"]
FLAVORS = ["current_thread", "multi_thread_2"]


def median_ns(root, group, row, n, baseline):
    path = os.path.join(root, group, row, str(n), baseline, "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def span(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    low, high = min(values), max(values)
    if fmt.format(low) == fmt.format(high):
        return fmt.format(low)
    return (fmt + "–" + fmt).format(low, high)


def table(root, baselines, group, rows, n, reference):
    print("| row | ns/child, per run | ratio to `{}`, per run | range |".format(reference))
    print("|---|---:|---:|---:|")
    for row in rows:
        per_child = []
        ratios = []
        for baseline in baselines:
            total = median_ns(root, group, row, n, baseline)
            ref = median_ns(root, group, reference, n, baseline)
            per_child.append(None if total is None else total / n)
            ratios.append(None if total is None or ref is None else total / ref)
        ns = ", ".join("-" if v is None else "{:.0f}".format(v) for v in per_child)
        per_run = ", ".join("-" if v is None else "{:.2f}".format(v) for v in ratios)
        print("| `{}` | {} | {} | {} |".format(row, ns, per_run, span(ratios, "{:.2f}")))
    print()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root, baselines = sys.argv[1], sys.argv[2:]
    print("Runs: " + ", ".join(baselines) + "\n")
    for flavor in FLAVORS:
        for n in [1000, 100000]:
            print("### spawn+join, {}, N = {}\n".format(flavor, n))
            table(root, baselines, "spawn_join_" + flavor, SPAWN_ROWS, n, "tokio_spawn")
    for flavor in FLAVORS:
        print("### cancel+join of 100 000 parked children, {}\n".format(flavor))
        table(root, baselines, "cancel_" + flavor, CANCEL_ROWS, 100000, "join_set_shutdown")


if __name__ == "__main__":
    main()
