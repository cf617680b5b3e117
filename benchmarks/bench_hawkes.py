"""Hawkes estimator speed: fit time for a two-stream model, forecast time for many continuations (not a test).

    python benchmarks/bench_hawkes.py                       # 10,000 events; 10,000 paths of 28 days
    python benchmarks/bench_hawkes.py --events 50000 --paths 2000

Simulates about --events events from a two-stream model (militia attacks, US strikes), times
`redline.calibrate.hawkes.fit` on them and prints the estimates against the truth (target: under 5 s for
10,000 events). Then takes the excitation state at the end of that history and times `simulate_counts` for
--paths continuations of --days days, against exact `simulate` (Ogata thinning) on --exact-paths paths
extrapolated to --paths, and prints the ratio and the mean counts of both beside `expected_counts`.
Last, the forecast redline itself makes (`redline forecast`): the iraq-2020 scenario calibrated to a
two-stream record and run on for --paths continuations of --days days from the record's excitation state,
timed whole (calibration included) and for the simulation alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import numpy as np
import pandas as pd

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


    scenario_forecast(args)


def scenario_forecast(args: argparse.Namespace) -> None:
    """Time `redline.forecast` on iraq-2020 from a simulated record of attacks and strikes (about 3 years)."""
    from redline.calibrate.forecast import simulate_from

    record = HawkesParams(mu=[0.25, 0.03], alpha=[[0.2, 0.5], [0.05, 0.0]], beta=[0.5, 0.1])
    times, marks = simulate(record, 1100.0, args.seed)
    start = dt.date(2019, 10, 1)
    names = ["militia_attack_us", "us_strike_militia"]
    events = pd.DataFrame({"event_id": np.arange(times.size), "action": [names[m] for m in marks],
                           "event_date": [start + dt.timedelta(days=int(t)) for t in times], "time_precision": 1,
                           "actor1": "", "actor2": "", "location": "", "admin1": "", "country": "", "fatalities": 0})
    origin = start + dt.timedelta(days=1100)
    redline.forecast("iraq-2020", events, origin=origin, horizon=7, runs=100, seed=0)  # warm-up: imports, caches
    t0 = time.perf_counter()
    f = redline.forecast("iraq-2020", events, origin=origin, horizon=args.days, runs=args.paths, seed=args.seed)
    whole = time.perf_counter() - t0
    loaded = redline.load_scenario("iraq-2020")  # the calibration's draws set its calibrated parameters
    t0 = time.perf_counter()
    simulate_from(loaded, f.calibration.series, origin, args.days, args.paths, args.seed, f.calibration)
    alone = time.perf_counter() - t0
    print(f"\nredline forecast, iraq-2020 ({len(loaded.scenario.actions)} actions) from {origin} after {times.size:,} "
          f"recorded events: {args.paths:,} continuations of {args.days} days in {whole:.2f} s with calibration, "
          f"{alone:.2f} s for the simulation alone ({args.paths * args.days / alone / 1e6:.2f} M run-days/s)")


if __name__ == "__main__":
    main()
