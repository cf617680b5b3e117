"""A plain per-run reference implementation of the model's semantics.

One run at a time, one day at a time, one action at a time, with scalar
floats and the tree-walking evaluator.  It shares no code with the
vectorised kernel beyond the parsed model, so agreement between the two
(checked statistically by the tests) is evidence that the kernel is right.
It is slow on purpose: clarity over speed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from redline.engine.model import MAX_RATE, NEVER, Model, build_model
from redline.errors import NumericalError, ScenarioError
from redline.expr import evaluate_scalar
from redline.scenario.distributions import ppf
from redline.scenario.load import LoadedScenario


@dataclass
class ReferenceResults:
    model: Model
    first_passage: np.ndarray  # (O, R), -1 = never
    quantity_values: np.ndarray  # (Q, R)
    totals: np.ndarray  # (A, R)
    max_rung: np.ndarray  # (R,)


def _decay(half_life: float, what: str) -> float:
    if not (half_life > 0 and np.isfinite(half_life)):
        raise ScenarioError(f"half-life of {what} must be a positive number of days", expected="> 0", found=str(half_life))
    return 0.5 ** (1.0 / half_life)


def _finite_check(value: float, name: str, action: str, text: str, run: int, day: int) -> None:
    if not math.isfinite(value):
        raise NumericalError(f"effect on {name!r}", action, text, run, day, value)


def simulate_reference(
    scenario: str | LoadedScenario,
    policies: Sequence[str] | None = None,
    *,
    runs: int = 100,
    horizon: int | None = None,
    seed: int = 0,
) -> ReferenceResults:
    """Simulate ``runs`` runs one by one (same model semantics as :func:`redline.simulate`)."""
    model = build_model(scenario, policies, horizon)
    rng = np.random.default_rng(seed)
    n_a = len(model.actions)
    fp = np.full((len(model.first_passage), runs), -1, dtype=np.int32)
    qv = np.zeros((len(model.quantities), runs))
    totals = np.zeros((n_a, runs), dtype=np.int64)
    max_rung = np.full(runs, -1, dtype=np.int64)
    with np.errstate(all="ignore"):
        for r in range(runs):
            _one_run(model, rng, r, fp, qv, totals, max_rung)
    return ReferenceResults(model, fp, qv, totals, max_rung)


def _one_run(model: Model, rng: np.random.Generator, r: int, fp: np.ndarray, qv: np.ndarray,
             totals: np.ndarray, max_rung: np.ndarray) -> None:
    params = {name: float(ppf(d, np.array([rng.random()]))[0]) for name, d in zip(model.param_names, model.param_dists, strict=True)}
    state = {name: float(v) for name, v in zip(model.state_names, model.initial, strict=True)}
    relax = {}
    for i, f in enumerate(model.relax_half_life):
        if f is not None:
            name = model.state_names[i]
            relax[name] = (float(model.relax_to[i]), _decay(float(evaluate_scalar(f.expr.tree, params)), name))
    mem_decay = [_decay(float(evaluate_scalar(m.half_life.expr.tree, params)), m.key) for m in model.memories]
    traces = [0.0] * len(model.memories)
    counts = [0.0] * len(model.actions)
    last = {a: -NEVER for a in model.days_since}
    lower = dict(zip(model.state_names, model.lower, strict=True))
    upper = dict(zip(model.state_names, model.upper, strict=True))

    def env_for(t: int) -> dict:
        env: dict = {**params, **state, "t": float(t), "horizon": float(model.horizon), "__rng__": rng, "__size__": None}
        for m, value in zip(model.memories, traces, strict=True):
            env[m.key] = value
        for a in model.actions:
            env[f"count({a.id})"] = counts[a.index]
        for a, day in last.items():
            env[f"days_since({model.actions[a].id})"] = t - day
        return env

    for t in range(model.horizon):
        if t > 0:
            for name, (to, d) in relax.items():
                state[name] = to + (state[name] - to) * d
        env = env_for(t)
        occurred = [0] * len(model.actions)
        for a in model.actions:
            h = float(evaluate_scalar(a.hazard.expr.tree, env))
            limit = 1.0 if a.kind == "probability" else MAX_RATE
            if not (0.0 <= h <= limit):
                raise NumericalError(f"{a.kind} hazard", a.id, a.hazard.text, r, t, h)
            occurred[a.index] = int(rng.random() < h) if a.kind == "probability" else int(rng.poisson(h))
        for a in model.actions:
            if not occurred[a.index] or not a.has_effects:
                continue
            sub = {**env_for(t), "n": float(occurred[a.index])}
            for name, f in a.draws:
                sub[name] = float(evaluate_scalar(f.expr.tree, sub))
            sets = [(model.state_names[row], float(evaluate_scalar(f.expr.tree, sub))) for row, f in a.set]
            adds = [(model.state_names[row], float(evaluate_scalar(f.expr.tree, sub))) for row, f in a.add]
            for (name, value), (_, f) in zip(sets, a.set, strict=True):
                _finite_check(value, name, a.id, f.text, r, t)
                state[name] = min(max(value, lower[name]), upper[name])
            for (name, delta), (_, f) in zip(adds, a.add, strict=True):
                _finite_check(state[name] + delta, name, a.id, f.text, r, t)
                state[name] = min(max(state[name] + delta, lower[name]), upper[name])
        for a in model.actions:
            counts[a.index] += occurred[a.index]
            if occurred[a.index]:
                max_rung[r] = max(max_rung[r], a.rung_rank)
                if a.index in last:
                    last[a.index] = float(t)
        for j, m in enumerate(model.memories):
            traces[j] = traces[j] * mem_decay[j] + occurred[m.action]
        end = env_for(t)
        for o, (oid, f) in enumerate(model.first_passage):
            hit = float(evaluate_scalar(f.expr.tree, end))
            if math.isnan(hit):
                raise NumericalError("condition", oid, f.text, r, t, hit, owner="outcome")
            if fp[o, r] < 0 and hit:
                fp[o, r] = t
    end = env_for(model.horizon - 1)
    for q, (_, f) in enumerate(model.quantities):
        qv[q, r] = float(evaluate_scalar(f.expr.tree, end))
    totals[:, r] = counts
