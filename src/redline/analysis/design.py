"""What sensitivity analysis and scenario discovery share: the target of a sweep and its evaluation.

A *target* is one outcome of one scenario under one course of action, seen as
a function of the scenario's uncertain parameters: the probability of a
first-passage outcome, or the mean of a tracked quantity, over
``runs_per_point`` runs at each parameter point.  Designs are drawn in
quantile space (every parameter's quantile between 0 and 1) and mapped through
each parameter's own distribution, so every law a scenario can declare is
sampled as declared.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from redline.engine.executors import run_sweep
from redline.engine.model import Model, build_model
from redline.engine.sweep import SweepJob, uncertain_names, values_at
from redline.errors import RedlineError, UnknownNameError
from redline.scenario.load import LoadedScenario, load_scenario
from redline.scenario.model import Scenario

Progress = Callable[[int, int], None]


def course_of_action(sc: Scenario, policy: str | None) -> tuple[str, ...]:
    """The policies applied for course of action ``policy``: it replaces the baseline policies of its
    own actor; other actors keep theirs.  ``None`` is the scenario's baseline."""
    if policy is None:
        return tuple(sc.baseline)
    if policy not in sc.policies:
        raise UnknownNameError("policy", policy, sc.policies)
    actor = sc.policies[policy].actor
    return (*(b for b in sc.baseline if sc.policies[b].actor != actor), policy)


@dataclass(frozen=True)
class Target:
    loaded: LoadedScenario
    model: Model
    outcome: str
    kind: str  # "probability" of a first-passage outcome or "mean" of a quantity
    column: int
    policy: str  # the course of action, as the user named it (or the baseline's)

    @property
    def names(self) -> list[str]:
        return uncertain_names(self.model)

    @property
    def label(self) -> str:
        return f"P({self.outcome})" if self.kind == "probability" else f"mean {self.outcome}"

    def describe(self, name: str) -> str:
        """A parameter's description, else its unit, for plain-language summaries."""
        p = self.loaded.scenario.parameters[name]
        return p.description or p.unit


def target(scenario: str | LoadedScenario, outcome: str, policy: str | None = None, horizon: int | None = None,
           *, analysis: str = "this analysis") -> Target:
    """Resolve names and check that the scenario has something to vary."""
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    sc = loaded.scenario
    model = build_model(loaded, course_of_action(sc, policy), horizon)
    first = [o for o, _ in model.first_passage]
    quantity = [q for q, _ in model.quantities]
    if outcome in first:
        kind, column = "probability", first.index(outcome)
    elif outcome in quantity:
        kind, column = "mean", quantity.index(outcome)
    else:
        raise UnknownNameError("outcome", outcome, first + quantity)
    if not model.uncertain:
        raise RedlineError(
            f"scenario {sc.id!r} has no uncertain parameters, so {analysis} has nothing to vary\n"
            f"  expected: at least one parameter given as a distribution (dist: {{kind: ...}})\n"
            f"  found: {len(model.param_names)} parameters, all with a fixed value"
        )
    name = policy if policy is not None else "+".join(model.policies) or "(no policy)"
    return Target(loaded, model, outcome, kind, column, name)


def check_count(value: object, what: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RedlineError(f"{what} must be an integer from {low:,} to {high:,}, found {value!r}")
    return value


@dataclass(frozen=True)
class Evaluation:
    quantiles: np.ndarray  # (n, U) design in quantile space
    values: np.ndarray  # (n, U) the same points in parameter units
    y: np.ndarray  # (n,) the target at each point
    seconds: float
    run_days: int

    @property
    def rate(self) -> float:
        return self.run_days / self.seconds if self.seconds > 0 else math.inf


def evaluate(t: Target, quantiles: np.ndarray, *, runs_per_point: int, seed: int, executor: str = "local",
             scheduler: str | None = None, workers: int | None = None, progress: Progress | None = None) -> Evaluation:
    """The target at every row of ``quantiles`` (n, U)."""
    values = values_at(t.model, quantiles)
    job = SweepJob(t.loaded, t.model.policies, t.model.horizon, runs_per_point, seed)
    start = time.perf_counter()
    out = run_sweep(job, values, executor=executor, scheduler=scheduler, workers=workers, progress=progress)
    seconds = time.perf_counter() - start
    y = (out.probabilities if t.kind == "probability" else out.means)[:, t.column]
    return Evaluation(quantiles, values, y, seconds, values.shape[0] * runs_per_point * t.model.horizon)
