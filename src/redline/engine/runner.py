"""Replication around the kernel: blocks of runs, seeds, workers, streaming aggregates.

Runs are cut into fixed blocks of ``BLOCK_SIZE``.  Block ``b`` draws all its
randomness from ``SeedSequence(seed, spawn_key=(b,))``, so a run's numbers do
not depend on how blocks are spread over worker processes; aggregates are
added up in block order, so floating-point sums are bit-identical too.
Per-day aggregates (event counts, state histograms) have a fixed size; per
run only a few summary numbers are kept (first-passage days, quantities,
highest rung, event totals, uncertain parameter draws).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from redline.engine.executors import ignore_sigint
from redline.engine.kernel import Streams, initial_state, make_context, quantities, sample_params, step
from redline.engine.model import Model, build_model
from redline.engine.results import Results
from redline.errors import RedlineError, SimulationInterrupted
from redline.scenario.load import LoadedScenario, load_scenario

BLOCK_SIZE = 16384  # runs per random stream; part of what a seed means
N_BINS = 64  # histogram bins per state variable and day

Progress = Callable[[int, int], None]  # (runs done, runs total)


@dataclass
class BlockResult:
    index: int
    start: int
    stop: int
    first_passage: np.ndarray  # (O, r)
    quantities: np.ndarray  # (Q, r)
    max_rung: np.ndarray  # (r,)
    totals: np.ndarray  # (A, r) events per run
    params: np.ndarray  # (U, r) draws of uncertain parameters
    daily_counts: np.ndarray  # (H, A)
    daily_fatalities: np.ndarray  # (H, A)
    hist: np.ndarray  # (H, V, N_BINS) counts
    hist_sum: np.ndarray  # (H, V, N_BINS) sum of the values in each bin
    sums: np.ndarray  # (H, V)
    events: list[tuple[int, int, int, int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Bins:
    """Histogram bins per state variable: linear, or log1p-spaced for wide non-negative ranges."""

    lo: np.ndarray
    scale: np.ndarray
    log: np.ndarray

    @classmethod
    def of(cls, model: Model) -> Bins:
        lo = model.lower.copy()
        hi = model.upper.copy()
        log = np.zeros(len(lo), dtype=bool)
        for i in range(len(lo)):
            init = model.initial[i]
            if not math.isfinite(lo[i]):
                lo[i] = min(init, 0.0) - 1000.0
            if not math.isfinite(hi[i]):
                hi[i] = max(lo[i] + 1e4, init)
            if lo[i] >= 0 and hi[i] - lo[i] > 100:
                log[i] = True
        width = np.where(log, np.log1p(hi - lo), hi - lo)
        return cls(lo, N_BINS / width, log)

    def index(self, x: np.ndarray) -> np.ndarray:
        """Flat histogram cell of every value: variable i's bins are cells i*N_BINS .. i*N_BINS+N_BINS-1."""
        pos = np.subtract(x, self.lo[:, None])
        if self.log.any():
            rows = np.flatnonzero(self.log)
            pos[rows] = np.log1p(np.maximum(pos[rows], 0.0))
        np.multiply(pos, self.scale[:, None], out=pos)
        np.clip(pos, 0, N_BINS - 1, out=pos)
        pos += (np.arange(len(self.lo)) * N_BINS)[:, None]  # offsets added in float: one cast, no int pass
        return pos.astype(np.intp).ravel()

    def index_of(self, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cells of scattered values, ``rows[k]`` being the variable of ``values[k]``."""
        pos = values - self.lo[rows]
        logged = self.log[rows]
        if logged.any():
            pos[logged] = np.log1p(np.maximum(pos[logged], 0.0))
        pos *= self.scale[rows]
        np.clip(pos, 0, N_BINS - 1, out=pos)
        pos += rows * N_BINS
        return pos.astype(np.intp)

    def edges(self, i: int) -> np.ndarray:
        pos = np.arange(N_BINS + 1) / self.scale[i]
        return self.lo[i] + (np.expm1(pos) if self.log[i] else pos)


def run_block(model: Model, seed: int, index: int, start: int, stop: int, keep_events: int) -> BlockResult:
    """Simulate runs ``start..stop`` (block ``index``) over the model's horizon."""
    r = stop - start
    streams = Streams(seed, index, len(model.actions))
    k = model.replicates  # runs k*j .. k*j+k-1 share one parameter draw (blocks hold whole groups)
    u = np.repeat(streams.params.random((len(model.param_names), -(-r // k))), k, axis=1)[:, :r]
    pm = sample_params(model, u)
    ctx = make_context(model, pm, run_offset=start)
    state = initial_state(model, ctx)
    h, a_n, v_n = model.horizon, len(model.actions), len(model.state_names)
    bins = Bins.of(model)
    daily_counts = np.zeros((h, a_n), dtype=np.int64)
    daily_fat = np.zeros((h, a_n))
    hist = np.zeros((h, v_n, N_BINS), dtype=np.int64)
    hist_sum = np.zeros((h, v_n, N_BINS))
    sums = np.zeros((h, v_n))
    n_keep = max(0, min(keep_events - start, r))
    events: list[tuple[int, int, int, int, float]] = []
    totals = np.zeros((a_n, r), dtype=np.int32)
    previous = state.x.ravel()  # histogram of the initial state, then updated day by day
    cells = bins.index(state.x)
    counts = np.bincount(cells, minlength=v_n * N_BINS)
    cell_sums = np.bincount(cells, weights=previous, minlength=v_n * N_BINS)
    with np.errstate(all="ignore"):
        for t in range(h):
            state, day = step(model, ctx, state, streams)
            occurred, fatal = day.occurred, day.fatalities
            n = occurred[day.acts, day.runs]
            totals[day.acts, day.runs] += n
            daily_counts[t] = np.bincount(day.acts, weights=n, minlength=a_n)
            for a, (_, values) in fatal.items():
                daily_fat[t, a] = values.sum()
            sums[t] = state.x.sum(axis=1)
            flat = state.x.ravel()
            # update the histogram with the values that changed today: most did not
            changed = np.flatnonzero(flat != previous)
            if changed.size:
                old, new = cells[changed], bins.index_of(flat[changed], changed // r)
                counts += np.bincount(new, minlength=v_n * N_BINS) - np.bincount(old, minlength=v_n * N_BINS)
                cell_sums += np.bincount(new, weights=flat[changed], minlength=v_n * N_BINS)
                cell_sums -= np.bincount(old, weights=previous[changed], minlength=v_n * N_BINS)
                cells[changed] = new
            previous = flat
            hist[t] = counts.reshape(v_n, N_BINS)
            hist_sum[t] = cell_sums.reshape(v_n, N_BINS)
            if n_keep:
                acts, runs = np.nonzero(occurred[:, :n_keep])
                for a, k in zip(acts.tolist(), runs.tolist(), strict=True):
                    f = 0.0
                    if a in fatal:
                        idx, values = fatal[a]
                        f = float(values[np.searchsorted(idx, k)])
                    events.append((t, a, start + k, int(occurred[a, k]), f))
        q = quantities(model, ctx, state)
    return BlockResult(
        index=index,
        start=start,
        stop=stop,
        first_passage=state.first_passage,
        quantities=q,
        max_rung=state.max_rung,
        totals=totals,
        params=pm[model.uncertain],
        daily_counts=daily_counts,
        daily_fatalities=daily_fat,
        hist=hist,
        hist_sum=hist_sum,
        sums=sums,
        events=events,
    )


# Worker processes build the model once, from the picklable scenario.
_WORKER_MODEL: Model | None = None


def _init_worker(loaded: LoadedScenario, policies: tuple[str, ...], horizon: int, fixed: bool, replicates: int) -> None:
    global _WORKER_MODEL
    ignore_sigint()  # Ctrl-C is the parent's to handle: it stops the pool
    _WORKER_MODEL = build_model(loaded, policies, horizon, fixed=fixed, replicates=replicates)


def _worker_block(seed: int, index: int, start: int, stop: int, keep_events: int) -> BlockResult:
    assert _WORKER_MODEL is not None  # set by _init_worker; not user input
    return run_block(_WORKER_MODEL, seed, index, start, stop, keep_events)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def resolve_seed(seed: int | None) -> int:
    """``seed`` checked, or fresh entropy for None (recorded with the results, so a run can be repeated)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if not _is_int(seed) or seed < 0:
        raise RedlineError(f"seed must be a non-negative integer, found {seed!r}")
    return seed


def default_workers(runs: int) -> int:
    blocks = math.ceil(runs / BLOCK_SIZE)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, blocks if runs >= 4 * BLOCK_SIZE else 1))


def simulate(
    scenario: str | LoadedScenario,
    policies: Sequence[str] | None = None,
    *,
    runs: int = 10_000,
    horizon: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    keep_events: int = 100,
    progress: Progress | None = None,
    fixed: bool = False,
    replicates: int = 1,
) -> Results:
    """Run the scenario ``runs`` times and return aggregated :class:`Results`.

    ``seed=None`` draws fresh entropy and records it in the results, so every
    result can be reproduced.  ``keep_events`` full event logs are kept (runs
    0..keep_events-1).  ``workers`` processes share the blocks (default: one
    per core for large jobs).  ``fixed=True`` sets every uncertain parameter
    to its median (chance is then the only source of spread); ``replicates=k``
    gives every parameter draw to k consecutive runs, for
    :func:`redline.analysis.spread_sources`.
    """
    if not _is_int(runs) or runs <= 0:
        raise RedlineError(f"runs must be a positive integer, found {runs!r}")
    if not _is_int(keep_events) or keep_events < 0:
        raise RedlineError(f"keep_events must be an integer >= 0, found {keep_events!r}")
    if workers is not None and (not _is_int(workers) or workers < 1):
        raise RedlineError(f"workers must be an integer >= 1, found {workers!r}")
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    model = build_model(loaded, policies, horizon, fixed=fixed, replicates=replicates)
    seed = resolve_seed(seed)
    n_blocks = math.ceil(runs / BLOCK_SIZE)
    workers = min(default_workers(runs) if workers is None else workers, n_blocks)  # idle processes help no one
    blocks = [(b, b * BLOCK_SIZE, min(runs, (b + 1) * BLOCK_SIZE)) for b in range(math.ceil(runs / BLOCK_SIZE))]
    results = Results.empty(model, runs=runs, seed=seed, block_size=BLOCK_SIZE, n_bins=N_BINS, bins=Bins.of(model))
    done = 0
    try:
        if workers == 1:
            for b, start, stop in blocks:
                results.absorb(run_block(model, seed, b, start, stop, keep_events))
                done += stop - start
                if progress:
                    progress(done, runs)
        else:
            _run_pool(loaded, model, seed, blocks, keep_events, workers, results, progress)
    except KeyboardInterrupt:
        raise SimulationInterrupted("simulation interrupted; no results were kept") from None
    results.finish()
    return results


def _run_pool(
    loaded: LoadedScenario,
    model: Model,
    seed: int,
    blocks: list[tuple[int, int, int]],
    keep_events: int,
    workers: int,
    results: Results,
    progress: Progress | None,
) -> None:
    # fork where the platform has it: no re-import of __main__, so the pool also
    # works from notebooks, stdin and scripts without a main guard.
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(loaded, model.policies, model.horizon, model.fixed, model.replicates),
    )
    pending: dict[int, BlockResult | BaseException] = {}
    next_block = 0
    done = 0
    total = results.runs
    queue = iter(blocks)
    index_of: dict[Future[BlockResult], int] = {}

    def submit_next() -> None:
        item = next(queue, None)
        if item is not None:
            b, start, stop = item
            index_of[pool.submit(_worker_block, seed, b, start, stop, keep_events)] = b

    try:
        for _ in range(2 * workers):  # a bounded window: finished blocks wait at most this many deep
            submit_next()
        while index_of:
            finished, _ = wait(list(index_of), return_when=FIRST_COMPLETED)
            for fut in finished:
                b = index_of.pop(fut)
                try:
                    block: BlockResult | BaseException = fut.result()
                    done += block.stop - block.start  # type: ignore[union-attr]
                except RedlineError as exc:
                    block = exc
                pending[b] = block
                submit_next()
            while next_block in pending:  # reduce in block order: identical sums, and the same
                item = pending.pop(next_block)  # error (the first block's) whatever the timing
                if isinstance(item, BaseException):
                    raise item
                results.absorb(item)
                next_block += 1
            if progress:
                progress(done, total)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
