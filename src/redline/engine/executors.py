"""Where sweep chunks run: this process, a local process pool, or a Dask cluster.

Every executor runs the same chunks (fixed groups of consecutive points) with
:func:`redline.engine.sweep.run_chunk` and puts each chunk's answers in its
own rows, so the numbers do not depend on the executor, the number of workers
or the order in which chunks finish.  If chunks fail, the error of the first
failing chunk is raised, whatever the timing.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

import numpy as np

from redline.engine.sweep import PointResults, SweepJob, points_per_chunk, run_chunk
from redline.errors import ExecutorError, RedlineError, SimulationInterrupted

EXECUTORS = ("local", "dask")
CONNECT_TIMEOUT = 5  # seconds to reach a Dask scheduler before giving up

# Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which stops glibc from raising its mmap
# threshold: every array of a chunk (about 130 kB) is then mapped and unmapped afresh, and the kernel ran
# 2.4 times slower in a worker than in a plain process.  A fixed 32 MB mmap threshold (and a trim threshold
# above it) brings the LocalCluster's workers back to the local pool's speed; see docs/design/sweeps.md.
WORKER_MALLOC = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 128 << 20,
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 32 << 20,
}

Progress = Callable[[int, int], None]  # (points done, points total)
Chunk = tuple[int, int]  # first point, stop


def chunks_of(n_points: int, runs_per_point: int) -> list[Chunk]:
    size = points_per_chunk(runs_per_point)
    return [(a, min(n_points, a + size)) for a in range(0, n_points, size)]


def run_sweep(
    job: SweepJob,
    values: np.ndarray,
    *,
    executor: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> PointResults:
    """Simulate every row of ``values`` (n, U) on the chosen executor."""
    check_executor(executor, scheduler, workers)
    chunks = chunks_of(values.shape[0], job.runs_per_point)
    try:
        if executor == "dask":
            parts = _run_dask(job, values, chunks, scheduler, workers, progress)
        else:
            parts = _run_local(job, values, chunks, workers, progress)
    except KeyboardInterrupt:
        raise SimulationInterrupted("sweep interrupted; no results were kept") from None
    return PointResults(
        probabilities=np.concatenate([p.probabilities for p in parts]),
        means=np.concatenate([p.means for p in parts]),
    )


def check_executor(executor: str, scheduler: str | None, workers: int | None) -> None:
    """Reject inconsistent executor options before any work is done."""
    if executor not in EXECUTORS:
        raise RedlineError(f"unknown executor {executor!r}\n  expected: one of {', '.join(EXECUTORS)}")
    if scheduler is not None and executor != "dask":
        raise RedlineError("--scheduler is only used with --executor dask\n  expected: --executor dask --scheduler ADDRESS")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise RedlineError(f"workers must be an integer >= 1, found {workers!r}")
    if workers is not None and scheduler is not None:
        raise RedlineError("--workers cannot be combined with --scheduler: a running cluster has the workers it has\n"
                           "  expected: --scheduler ADDRESS alone, or --workers N for a LocalCluster")


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class _Collector:
    """Answers by chunk index; remembers the first failing chunk and counts progress."""

    def __init__(self, chunks: list[Chunk], progress: Progress | None) -> None:
        self.chunks, self.progress = chunks, progress
        self.parts: dict[int, PointResults] = {}
        self.errors: dict[int, RedlineError] = {}
        self.done = 0
        self.total = chunks[-1][1] if chunks else 0

    def add(self, i: int, get: Callable[[], PointResults]) -> None:
        try:
            self.parts[i] = get()
        except RedlineError as exc:
            self.errors[i] = exc
        except Exception as exc:  # noqa: BLE001 - a worker killed (out of memory...), a broken pool
            a, b = self.chunks[i]
            self.errors[i] = ExecutorError(f"points {a}-{b - 1} could not be simulated: {type(exc).__name__}: {exc}")
            self.errors[i].__cause__ = exc
        a, b = self.chunks[i]
        self.done += b - a
        if self.progress:
            self.progress(self.done, self.total)

    def result(self) -> list[PointResults]:
        if self.errors:
            raise self.errors[min(self.errors)]
        return [self.parts[i] for i in range(len(self.chunks))]


def _run_local(job: SweepJob, values: np.ndarray, chunks: list[Chunk], workers: int | None,
               progress: Progress | None) -> list[PointResults]:
    workers = min(workers or _cpus(), len(chunks))
    out = _Collector(chunks, progress)
    if workers <= 1:
        for i, (a, b) in enumerate(chunks):
            out.add(i, lambda a=a, b=b: run_chunk(job, values[a:b], a))
            if out.errors:
                break
        return out.result()
    # fork where the platform has it: no re-import of __main__ (notebooks, stdin, scripts)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=ignore_sigint)
    queue = iter(enumerate(chunks))
    index_of: dict[Future[PointResults], int] = {}

    def submit_next() -> None:
        item = next(queue, None)
        if item is not None and not out.errors:  # after a failure, only chunks already sent finish
            i, (a, b) = item
            index_of[pool.submit(run_chunk, job, values[a:b], a)] = i

    try:
        for _ in range(2 * workers):  # a bounded window of chunks in flight
            submit_next()
        while index_of:
            finished, _ = wait(list(index_of), return_when=FIRST_COMPLETED)
            for fut in finished:
                out.add(index_of.pop(fut), fut.result)
                submit_next()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return out.result()


def ignore_sigint() -> None:
    """In a worker process: leave Ctrl-C to the process that owns the pool, which stops the work; a worker
    interrupted mid-task would only print a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """Start worker processes with Ctrl-C ignored (a disposition they keep across exec): the terminal
    sends SIGINT to the whole process group, and the workers should be shut down by this process,
    not die mid-task with tracebacks of their own."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def dask_client(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    """A connected ``distributed.Client`` and the LocalCluster it owns (None for a remote scheduler).

    An address that cannot be reached fails within ``CONNECT_TIMEOUT`` seconds."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise ExecutorError(f"the Dask executor needs the 'distributed' package: {exc}") from None
    if scheduler is None:
        import dask

        try:
            with dask.config.set(WORKER_MALLOC), _workers_ignore_sigint():
                cluster = LocalCluster(n_workers=workers or min(2, _cpus()) or 1, threads_per_worker=1,
                                       processes=True, dashboard_address=None, worker_dashboard_address=None,
                                       silence_logs=logging.CRITICAL)  # errors reach us through futures
        except Exception as exc:  # noqa: BLE001 - any failure to start is reported as the executor's
            hint = ("\n  its worker processes re-import the script that started them: in a script, call redline "
                    "from under `if __name__ == \"__main__\":`" if isinstance(exc, RuntimeError) else "")
            raise ExecutorError(f"could not start a Dask LocalCluster: {type(exc).__name__}: {exc}{hint}") from None
        return Client(cluster, set_as_default=False), cluster
    address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    try:
        client = Client(address, timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - refused, timed out, malformed, or not a scheduler that answered
        raise ExecutorError(
            f"could not connect to a Dask scheduler at {scheduler!r} within {CONNECT_TIMEOUT} s\n"
            f"  expected: the address of a running scheduler, such as tcp://HOST:8786 (start one with `dask scheduler`)\n"
            f"  found: {type(exc).__name__}: {exc}"
        ) from None
    return client, None


def _run_dask(job: SweepJob, values: np.ndarray, chunks: list[Chunk], scheduler: str | None, workers: int | None,
              progress: Progress | None) -> list[PointResults]:
    from distributed import as_completed

    client, cluster = dask_client(scheduler, None if workers is None else min(workers, len(chunks)))
    futures: list[Any] = []
    try:
        try:
            shared = client.scatter(job, broadcast=True)  # the scenario travels once per worker
        except Exception as exc:  # noqa: BLE001 - e.g. a scheduler with no workers
            raise ExecutorError(f"the Dask scheduler at {scheduler or 'the LocalCluster'} could not take the work\n"
                                f"  expected: a scheduler with at least one worker\n"
                                f"  found: {type(exc).__name__}: {exc}") from None
        futures = [client.submit(run_chunk, shared, values[a:b], a, pure=False) for a, b in chunks]
        index = {f.key: i for i, f in enumerate(futures)}
        out = _Collector(chunks, progress)
        with client.as_current():  # as_completed looks for the current client
            for fut in as_completed(futures):
                out.add(index[fut.key], fut.result)
        return out.result()
    finally:
        # Shutting down with work in flight makes the scheduler log CRITICAL tracebacks about a client
        # that is already gone: noise, not news, so the 'distributed' loggers are muted meanwhile.
        logs = [logging.getLogger(name) for name in ("distributed", "asyncio")]  # asyncio: tasks cut short
        levels = [log.level for log in logs]
        for log in logs:
            log.setLevel(logging.CRITICAL + 1)
        try:
            if futures:
                client.cancel(futures)
            client.close()
            if cluster is not None:
                cluster.close()
        finally:
            for log, level in zip(logs, levels, strict=True):
                log.setLevel(level)
