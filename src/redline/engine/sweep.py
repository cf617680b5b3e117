"""Parameter sweeps: many points in parameter space, a few hundred runs at each.

Sensitivity analysis and scenario discovery ask the same question many times:
"at these parameter values, how likely is the outcome?".  A point is a vector
of values for the scenario's uncertain parameters; every point is simulated
``runs_per_point`` times with the other parameters at their fixed values.

Common random numbers across points: run j of every point reads the same
random numbers, those of run j of ``simulate(runs=runs_per_point, seed=seed)``
(block 0).  Two points therefore differ only through their parameters, which
takes most of the sampling noise out of the differences that Sobol and Morris
estimators are built from, and a point's answer does not depend on which
chunk or process computed it: every executor gives the same numbers (on
machines with the same numpy build, whose exp and log agree to the last bit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redline.engine.kernel import Streams, initial_state, make_context, quantities, step
from redline.engine.model import Model, build_model
from redline.errors import NumericalError, RedlineError
from redline.sampling import indexed_uniforms, stream_seed
from redline.scenario.distributions import central, ppf
from redline.scenario.load import LoadedScenario

POINT_RUNS = 16384  # runs simulated together in one chunk (points x runs per point)


class PointStreams(Streams):
    """The random numbers of ``k`` runs, handed to every point of a chunk alike.

    Every day each action's stream moves on by exactly ``k`` numbers, whether
    the action could happen that day or not, as the block streams of
    :func:`redline.simulate` do for a block of ``k`` runs.
    """

    def __init__(self, seed: int, n_actions: int, k: int) -> None:
        super().__init__(seed, 0, n_actions)
        self.k = k

    def uniforms(self, action: int, runs: int) -> np.ndarray:
        return np.tile(self._uniform[action].random(self.k), runs // self.k)

    def skip(self, action: int, runs: int) -> None:
        self._bits[action].advance(self.k)

    def effect_uniforms(self, action: int, day: int, call: int, idx: np.ndarray) -> np.ndarray:
        return indexed_uniforms(stream_seed(self._effect_keys[action], call, day), idx % self.k)


@dataclass(frozen=True)
class SweepJob:
    """Everything a worker needs to simulate points: picklable (scattered once per worker on Dask,
    sent with each chunk to the local pool)."""

    loaded: LoadedScenario
    policies: tuple[str, ...]
    horizon: int
    runs_per_point: int
    seed: int

    def model(self) -> Model:
        return build_model(self.loaded, self.policies, self.horizon)


@dataclass(frozen=True)
class PointResults:
    """Per point: the share of runs in which each first-passage outcome happened, and the
    mean of each tracked quantity."""

    probabilities: np.ndarray  # (n, O)
    means: np.ndarray  # (n, Q)


def uncertain_names(model: Model) -> list[str]:
    return [model.param_names[i] for i in model.uncertain]


def values_at(model: Model, quantiles: np.ndarray) -> np.ndarray:
    """Values (n, U) of the uncertain parameters at quantiles (n, U) of their distributions."""
    q = np.clip(np.asarray(quantiles, dtype=float), 1e-12, 1 - 1e-12)  # unbounded laws stay finite
    return np.column_stack([ppf(model.param_dists[i], q[:, j]) for j, i in enumerate(model.uncertain)]).reshape(
        q.shape[0], len(model.uncertain))


def points_per_chunk(runs_per_point: int) -> int:
    return max(1, POINT_RUNS // runs_per_point)


def run_points(model: Model, values: np.ndarray, runs_per_point: int, seed: int, first_point: int = 0) -> PointResults:
    """Simulate ``runs_per_point`` runs at each row of ``values`` (n, U): the uncertain
    parameters' values, in the order of ``model.uncertain``."""
    n, k = values.shape[0], runs_per_point
    if values.shape[1] != len(model.uncertain):
        raise RedlineError(f"expected {len(model.uncertain)} parameter values per point, found {values.shape[1]}")
    fixed = np.array([central(d) for d in model.param_dists]).reshape(-1, 1)
    pm = np.repeat(fixed, n * k, axis=1)
    if model.uncertain:
        pm[model.uncertain] = np.repeat(values.T, k, axis=1)
    ctx = make_context(model, pm, run_offset=first_point * k)
    state = initial_state(model, ctx)
    streams = PointStreams(seed, len(model.actions), k)
    with np.errstate(all="ignore"):
        for _ in range(model.horizon):
            state, _day = step(model, ctx, state, streams)
        q = quantities(model, ctx, state)
    hit = (state.first_passage >= 0).reshape(len(model.first_passage), n, k).mean(axis=2)
    return PointResults(probabilities=hit.T, means=q.reshape(len(model.quantities), n, k).mean(axis=2).T)


def run_chunk(job: SweepJob, values: np.ndarray, first_point: int) -> PointResults:
    """One task of a sweep, as executors run it.  A numerical error names the parameter point."""
    model = job.model()
    try:
        return run_points(model, values, job.runs_per_point, job.seed, first_point)
    except NumericalError as exc:
        point, run = divmod(exc.run, job.runs_per_point)
        at = ", ".join(f"{n}={v:.6g}" for n, v in zip(uncertain_names(model), values[point - first_point], strict=True))
        raise NumericalError(*exc._args[:3], run, *exc._args[4:], owner=exc.owner,
                             context=f"parameter point {point} ({at}), run {run} of {job.runs_per_point}") from None
