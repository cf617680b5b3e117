"""Global sensitivity: which uncertain parameters decide an outcome (SALib's Sobol and Morris).

The design is drawn by SALib in quantile space (each parameter's quantile in
[0, 1], mapped through its own distribution), the target is computed at every
point by a sweep, and SALib estimates the indices:

- ``sobol``: first-order (S1) and total (ST) indices with bootstrap 95%
  intervals, from Saltelli's scheme without second-order terms:
  ``samples * (U + 2)`` points for U uncertain parameters.
- ``morris``: elementary effects, mu* (mean absolute effect of moving a
  parameter across its quantile range, 0.001 to 0.999) with a bootstrap
  interval, and sigma (their spread: non-linearity or interactions);
  ``samples * (U + 1)`` points.

Points share random numbers (``docs/design/sweeps.md``): a parameter that the
outcome does not read changes nothing, so its indices come out as exactly zero
rather than as noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from redline.analysis.design import Evaluation, Progress, Target, check_count, evaluate, target
from redline.engine.executors import check_executor
from redline.engine.runner import resolve_seed
from redline.errors import RedlineError
from redline.scenario.load import LoadedScenario

METHODS = ("sobol", "morris")
NEGLIGIBLE = 0.02  # total index (or share of the largest mu*) below which a parameter "barely matters"
MORRIS_RANGE = (0.001, 0.999)  # quantiles spanned by the Morris grid
MAX_POINTS = 2_000_000  # parameter points in one analysis


@dataclass
class Sensitivity:
    """Sensitivity indices of one outcome to every uncertain parameter of a scenario."""

    target: Target
    method: str
    samples: int
    runs_per_point: int
    seed: int
    evaluation: Evaluation
    raw: dict[str, Any]  # SALib's answer

    @property
    def outcome(self) -> str:
        return self.target.outcome

    @property
    def constant(self) -> bool:
        """True when the outcome took the same value at every sampled point."""
        return bool(np.ptp(self.evaluation.y) == 0)

    def indices(self) -> pd.DataFrame:
        """One row per uncertain parameter, most influential first."""
        names = self.target.names
        if self.method == "sobol":
            cols = {"S1": "S1", "S1_conf": "S1_conf", "ST": "ST", "ST_conf": "ST_conf"}
            key = "ST"
        else:
            cols = {"mu_star": "mu_star", "mu_star_conf": "mu_star_conf", "sigma": "sigma", "mu": "mu"}
            key = "mu_star"
        df = pd.DataFrame({c: np.asarray(self.raw[k], dtype=float) for c, k in cols.items()}, index=names)
        if self.method == "sobol":  # the interval of a bootstrap estimate, as low and high
            for c in ("S1", "ST"):
                df[f"{c}_low"], df[f"{c}_high"] = df[c] - df[f"{c}_conf"], df[c] + df[f"{c}_conf"]
        df["description"] = [self.target.describe(n) for n in names]
        df.index.name = "parameter"
        return df.sort_values(key, ascending=False, kind="stable")

    def summary(self) -> str:
        """One plain-language paragraph naming the assumptions that drive the outcome."""
        t, ev = self.target, self.evaluation
        where = f"{t.label} under {t.policy}"
        if self.constant:
            return (f"{where} was {_fmt(ev.y[0], t.kind)} at every one of the {len(ev.y):,} sampled points, "
                    f"so no uncertain parameter moves it within the {t.model.horizon}-day horizon "
                    f"(with {self.runs_per_point} runs per point).")
        df = self.indices()
        n = len(df)
        if self.method == "sobol":
            top = df[df.ST >= NEGLIGIBLE].head(3)
            named = "; ".join(f"{p} — {r.description} (total index {r.ST:.2f} ± {r.ST_conf:.2f})"
                              for p, r in top.iterrows())
            small = int((df.ST < NEGLIGIBLE).sum())
            first = float(df.S1.clip(lower=0).sum())
            lead = (f"Across the sampled uncertainty, {where} (mean {_fmt(ev.y.mean(), t.kind)}, "
                    f"from {_fmt(ev.y.min(), t.kind)} to {_fmt(ev.y.max(), t.kind)} between points) "
                    f"depends most on {named or 'no single parameter'}.")
            tail = (f" Each parameter acting alone explains {min(first, 1):.0%} of the variance; the rest comes "
                    f"from interactions (and Monte Carlo noise at {self.runs_per_point} runs per point)."
                    if first < 0.9 else " Parameters acting alone explain nearly all of it.")
            return lead + tail + f" {small} of {n} parameters have a total index below {NEGLIGIBLE}: their " \
                                 "uncertainty barely matters for this outcome."
        biggest = float(df.mu_star.iloc[0])
        top = df[df.mu_star >= NEGLIGIBLE * biggest].head(3)
        named = "; ".join(f"{p} — {r.description} (mu* {r.mu_star:.3g})" for p, r in top.iterrows())
        small = int((df.mu_star < NEGLIGIBLE * biggest).sum())
        return (f"Moving one parameter at a time, {where} moves most with {named}; mu* is the typical change in "
                f"{t.label} per move of a parameter across its whole range (in quantiles). "
                f"{small} of {n} parameters have less than {NEGLIGIBLE:.0%} of the largest effect.")

    def to_dict(self) -> dict[str, Any]:
        t, ev = self.target, self.evaluation
        rows = self.indices().reset_index()
        return {
            "scenario": t.loaded.scenario.id,
            "outcome": t.outcome,
            "statistic": t.label,
            "policy": t.policy,
            "policies_applied": list(t.model.policies),
            "method": self.method,
            "samples": self.samples,
            "points": len(ev.y),
            "runs_per_point": self.runs_per_point,
            "horizon": t.model.horizon,
            "seed": self.seed,
            "seconds": round(ev.seconds, 3),
            "run_days_per_second": round(ev.rate),
            "outcome_mean": float(ev.y.mean()),
            "summary": self.summary(),
            "indices": [{k: _json(v) for k, v in r.items()} for r in rows.to_dict(orient="records")],
        }

    def write_report(self, path: str) -> str:
        from redline.report.sweeps import write_sensitivity

        return write_sensitivity(self, path)


def _fmt(value: float, kind: str) -> str:
    return f"{value:.1%}" if kind == "probability" else f"{value:.3g}"


def _json(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def sensitivity(
    scenario: str | LoadedScenario,
    outcome: str,
    *,
    policy: str | None = None,
    method: str = "sobol",
    samples: int = 256,
    runs_per_point: int = 100,
    horizon: int | None = None,
    seed: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Sensitivity:
    """Global sensitivity of ``outcome`` (a first-passage outcome's probability or a quantity's mean)
    to the scenario's uncertain parameters, under course of action ``policy``.

    ``samples`` is SALib's N: the base sample size (a power of two for Sobol),
    or the number of Morris trajectories.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in METHODS:
        raise RedlineError(f"unknown method {method!r}\n  expected: one of {', '.join(METHODS)}")
    check_executor(executor, scheduler, workers)
    check_count(samples, "samples", 2, 1 << 20)
    if method == "sobol" and samples & (samples - 1):
        raise RedlineError(f"samples must be a power of two for Sobol sampling (64, 128, 256, ...), found {samples}")
    check_count(runs_per_point, "runs per point", 1, 16384)
    t = target(scenario, outcome, policy, horizon, analysis="sensitivity analysis")
    seed = resolve_seed(seed)
    u_n = len(t.names)
    # Sobol points fill the open unit cube; Morris's grid includes its faces, so its quantiles are kept
    # within [0.001, 0.999] (the range `redline show` describes) rather than the far tails of unbounded laws.
    lo, hi = (0.0, 1.0) if method == "sobol" else MORRIS_RANGE
    problem = {"num_vars": u_n, "names": t.names, "bounds": [[lo, hi]] * u_n}
    points = samples * (u_n + (2 if method == "sobol" else 1))
    if points > MAX_POINTS:
        raise RedlineError(f"{method} with samples={samples:,} and {u_n} uncertain parameters needs {points:,} points\n"
                           f"  expected: at most {MAX_POINTS:,} points; lower --samples")
    if method == "sobol":
        design = sobol_sample.sample(problem, samples, calc_second_order=False, seed=np.random.default_rng(seed))
    else:
        design = morris_sample.sample(problem, samples, num_levels=4, seed=np.random.default_rng(seed))
    ev = evaluate(t, design, runs_per_point=runs_per_point, seed=seed, executor=executor, scheduler=scheduler,
                  workers=workers, progress=progress)
    if np.ptp(ev.y) == 0:  # SALib would divide by a zero variance
        raw = ({"S1": np.zeros(u_n), "S1_conf": np.zeros(u_n), "ST": np.zeros(u_n), "ST_conf": np.zeros(u_n)}
               if method == "sobol" else
               {"mu_star": np.zeros(u_n), "mu_star_conf": np.zeros(u_n), "sigma": np.zeros(u_n), "mu": np.zeros(u_n)})
    elif method == "sobol":
        # a Generator, not the int: SALib 1.6 falls back to numpy's global state for a falsy seed (0)
        raw = dict(sobol_analyze.analyze(problem, ev.y, calc_second_order=False, conf_level=0.95,
                                         seed=np.random.default_rng(seed)))
    else:
        raw = dict(morris_analyze.analyze(problem, design, ev.y, conf_level=0.95, num_levels=4, seed=seed))
    return Sensitivity(t, method, samples, runs_per_point, seed, ev, raw)


__all__ = ["METHODS", "Sensitivity", "sensitivity"]
