"""Hawkes estimator speed: fit time for a two-stream model, forecast time for many continuations (not a test).

    python benchmarks/bench_hawkes.py                       # 10,000 events; 10,000 paths of 28 days
    python benchmarks/bench_hawkes.py --events 50000 --paths 2000

Simulates about --events events from a two-stream model (militia attacks, US strikes), times
`redline.calibrate.hawkes.fit` on them and prints the estimates against the truth (target: under 5 s for
10,000 events). Then takes the excitation state at the end of that history and times `simulate_counts` for
--paths continuations of --days days, against exact `simulate` (Ogata thinning) on --exact-paths paths
extrapolated to --paths, and prints the ratio and the mean counts of both beside `expected_counts`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import redline
from redline.calibrate.hawkes import (
    HawkesParams,
    excitation_state,
    expected_counts,
    fit,
    simulate,
    simulate_counts,
)

TRUTH = HawkesParams(mu=[0.3, 0.1], alpha=[[0.3, 0.2], [0.4, 0.1]], beta=[1.0, 0.5])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--paths", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--exact-paths", type=int, default=500, help="paths of exact simulation to time")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"redline {redline.__version__}, {os.cpu_count()} cores, python {sys.version.split()[0]}, "
          f"numpy {np.__version__}")

    T = args.events / TRUTH.stationary_rate().sum()
    t0 = time.perf_counter()
    times, marks = simulate(TRUTH, T, args.seed)
    sim = time.perf_counter() - t0
    print(f"simulated {times.size:,} events over {T:,.0f} days (exact thinning) in {sim:.2f} s")
    t0 = time.perf_counter()
    result = fit(times, marks, T, rng=args.seed)
    took = time.perf_counter() - t0
    print(f"fit of {times.size:,} events ({np.bincount(marks).tolist()} per stream), 3 starts: {took:.2f} s "
          f"(target < 5 s); converged: {result.converged}, log-likelihood {result.loglik:,.1f}")
    table = result.table(names=["militia", "us"]).set_index("parameter")
    table.insert(0, "truth", np.concatenate([TRUTH.mu, TRUTH.alpha.ravel(), TRUTH.beta]))
    table["within_2se"] = (table.truth - table.estimate).abs() < 2 * table.stderr
    print(table.round(4).to_string())

    state = excitation_state(times, marks, result.params, at=T)
    print(f"\nforecast from the fitted model, state at day {T:,.0f} = {np.round(state, 3).tolist()}")
    simulate_counts(result.params, state, 2, 10, rng=0)  # warm-up
    t0 = time.perf_counter()
    counts = simulate_counts(result.params, state, args.days, args.paths, rng=args.seed)
    fast = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    exact = [simulate(result.params, args.days, rng, state=state)[1] for _ in range(args.exact_paths)]
    per_path = (time.perf_counter() - t0) / args.exact_paths
    print(f"simulate_counts: {args.paths:,} paths x {args.days} days in {fast:.2f} s "
          f"({counts.shape}, {counts.sum():,} events)")
    print(f"exact simulate:  {per_path * 1e3:.3f} ms per path -> {per_path * args.paths:.2f} s for "
          f"{args.paths:,} paths (timed on {args.exact_paths}); simulate_counts is {per_path * args.paths / fast:.1f}x "
          "faster")
    expected = expected_counts(result.params, state, args.days, 1)[0]
    exact_mean = np.mean([np.bincount(m, minlength=2) for m in exact], axis=0)
    print(f"mean events per path over {args.days} days: expected {np.round(expected, 3).tolist()}, "
          f"simulate_counts {np.round(counts.sum(1).mean(0), 3).tolist()}, exact {np.round(exact_mean, 3).tolist()}")


if __name__ == "__main__":
    main()
