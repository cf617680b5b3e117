"""How long a Sobol analysis of the default scenario takes, locally and on a 2-worker Dask LocalCluster.

    python benchmarks/bench_sobol.py                      # N=1024, 200 runs per point (the issue's figures)
    python benchmarks/bench_sobol.py --samples 64         # a quick look
    python benchmarks/bench_sobol.py --json sobol.json    # also keep the indices

Saltelli's design without second-order terms has N x (U + 2) points for U
uncertain parameters (46 in iraq-2020: 49,152 points at N = 1024); each point
is simulated ``--runs-per-point`` times over the scenario's horizon.  Prints
the wall time and run-days per second on each executor, their ratio, the
estimated time of the per-run reference engine on the same work (measured on
a few runs), and the most influential parameters with what they say.  Both
executors must give identical indices: the script exits with status 1 if
they do not.  The Dask time includes starting the LocalCluster; the start-up
alone is timed and printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

import redline
from redline.analysis.sensitivity import sensitivity
from redline.engine.executors import dask_client
from redline.engine.reference import simulate_reference


def reference_rate(scenario: str, runs: int) -> float:
    """Run-days per second of the plain per-run reference engine."""
    t0 = time.perf_counter()
    res = simulate_reference(scenario, runs=runs, seed=1)
    return runs * res.model.horizon / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="iraq-2020")
    ap.add_argument("--outcome", default="direct_us_iran")
    ap.add_argument("--samples", type=int, default=1024)
    ap.add_argument("--runs-per-point", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reference-runs", type=int, default=100)
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--json", help="write the indices and timings to this file")
    args = ap.parse_args()
    print(f"redline {redline.__version__}, scenario {args.scenario}, outcome {args.outcome}, "
          f"{os.cpu_count()} cores, python {sys.version.split()[0]}")
    common = {"samples": args.samples, "runs_per_point": args.runs_per_point, "seed": args.seed,
              "workers": args.workers}
    runs = {}
    for executor in ("local",) if args.skip_dask else ("local", "dask"):
        t0 = time.perf_counter()
        res = sensitivity(args.scenario, args.outcome, executor=executor, **common)
        wall = time.perf_counter() - t0
        ev = res.evaluation
        runs[executor] = res
        label = f"{executor} ({args.workers} worker processes{', LocalCluster' if executor == 'dask' else ''})"
        print(f"{label:<44} {len(ev.y):>7,} points x {args.runs_per_point} runs x {res.target.model.horizon} days = "
              f"{ev.run_days / 1e9:.2f} G run-days: {wall:7.1f} s in all, {ev.seconds:7.1f} s sweeping, "
              f"{ev.rate / 1e6:.2f} M run-days/s")
    local = runs["local"]
    same = True
    if "dask" in runs:
        t0 = time.perf_counter()
        client, cluster = dask_client(None, args.workers)
        client.close()
        cluster.close()
        print(f"LocalCluster start-up and shut-down alone: {time.perf_counter() - t0:.1f} s (inside the dask time)")
        other = runs["dask"]
        same = (np.array_equal(local.evaluation.y, other.evaluation.y)
                and local.indices().drop(columns="description").equals(other.indices().drop(columns="description")))
        print(f"dask / local throughput: {other.evaluation.rate / local.evaluation.rate:.2f}; "
              f"identical outcome at every point and identical indices: {same}")
    ref = reference_rate(args.scenario, args.reference_runs)
    print(f"per-run reference engine: {ref:,.0f} run-days/s, so the same work would take "
          f"{local.evaluation.run_days / ref / 3600:,.1f} h ({local.evaluation.rate / ref:,.0f}x slower than local)")
    df = local.indices()
    print("\nmost influential parameters (total index ST, first-order S1, 95% half-widths):")
    for name, r in df.head(8).iterrows():
        print(f"  {name:<20} ST {r.ST:6.3f} ± {r.ST_conf:5.3f}   S1 {r.S1:6.3f} ± {r.S1_conf:5.3f}   {r.description}")
    print("\n" + local.summary())
    if args.json:
        out = local.to_dict()
        out["timings"] = {k: {"seconds": v.evaluation.seconds, "run_days_per_second": v.evaluation.rate}
                          for k, v in runs.items()}
        out["reference_run_days_per_second"] = ref
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2, allow_nan=False)
    if not same:
        sys.exit("the executors disagree")


if __name__ == "__main__":  # Dask's worker processes re-import this file
    main()
