"""Throughput and memory of the engine on the default scenario (not a test: prints figures).

    python benchmarks/bench_engine.py                 # 100,000 runs, reference on 200 runs
    python benchmarks/bench_engine.py --memory-runs 1000000   # peak memory at 1M runs

Prints run-days per second of the vectorised engine (1 and N workers), of the
plain per-run reference on the same scenario, and their ratio; then the peak
resident memory of a separate process simulating --memory-runs runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import redline
from redline.engine.reference import simulate_reference


def engine(scenario: str, runs: int, workers: int, seed: int, repeat: int = 3) -> tuple[float, int]:
    """Best of ``repeat`` timings (the machine is shared: the best is the least disturbed)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = redline.simulate(scenario, runs=runs, seed=seed, workers=workers, keep_events=0)
        best = min(best, time.perf_counter() - t0)
    return best, runs * res.horizon


def peak_memory(scenario: str, runs: int, workers: int) -> dict:
    """Simulate in a fresh process and report its peak RSS (ru_maxrss of itself and its children)."""
    code = (
        "import json, resource, time, redline\n"
        f"t = time.perf_counter(); r = redline.simulate({scenario!r}, runs={runs}, seed=1, workers={workers}, keep_events=0)\n"
        "dt = time.perf_counter() - t\n"
        "me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'seconds': dt, 'run_days': r.runs * r.horizon, 'main_mb': me / 1024, 'worker_mb': kids / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="iraq-2020")
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--reference-runs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--memory-runs", type=int, default=1_000_000)
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    print(f"redline {redline.__version__}, scenario {args.scenario}, {os.cpu_count()} cores, python {sys.version.split()[0]}")
    redline.simulate(args.scenario, runs=500, seed=0, workers=1)  # warm imports and caches

    t_ref0 = time.perf_counter()
    ref = simulate_reference(args.scenario, runs=args.reference_runs, seed=1)
    t_ref = time.perf_counter() - t_ref0
    ref_rate = args.reference_runs * ref.model.horizon / t_ref
    print(f"reference (per run, scalar)  {args.reference_runs:>9,} runs  {t_ref:7.2f} s  {ref_rate:>13,.0f} run-days/s")

    t_same, rd_same = engine(args.scenario, args.reference_runs, 1, 1)
    print(f"engine, same work, 1 worker  {args.reference_runs:>9,} runs  {t_same:7.2f} s  {rd_same / t_same:>13,.0f} run-days/s"
          f"  ratio {rd_same / t_same / ref_rate:,.0f}x")
    for workers in sorted({1, args.workers}):
        t, rd = engine(args.scenario, args.runs, workers, 1)
        print(f"engine, {workers} worker(s)          {args.runs:>9,} runs  {t:7.2f} s  {rd / t:>13,.0f} run-days/s"
              f"  ratio {rd / t / ref_rate:,.0f}x")
    if not args.skip_memory:
        m = peak_memory(args.scenario, args.memory_runs, args.workers)
        print(f"peak memory at {args.memory_runs:,} runs ({args.workers} workers): main process {m['main_mb']:.0f} MB, "
              f"largest worker {m['worker_mb']:.0f} MB; {m['run_days'] / m['seconds']:,.0f} run-days/s")
    print(f"(this process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
