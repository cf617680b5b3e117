"""Scenario discovery: the regions of parameter space where an outcome becomes likely (PRIM).

A Latin hypercube of parameter points (in quantile space, mapped through each
parameter's distribution) is simulated; a point is a *case of interest* when
the target reaches ``threshold`` there (the outcome's probability, or a
quantity's mean).  EMA Workbench's PRIM then peels the parameter space down
to a box that holds mostly cases of interest, as in Bryant and Lempert
(2010).  Of the boxes on PRIM's peeling trajectory the one chosen has the
best harmonic mean of coverage and density among those whose density reaches
``min_density`` (or among all, if none does); a limit whose quasi-p value
(PRIM's one-sided binomial test) is above ``max_qp`` is dropped as not
supported by the data, and the box's coverage and density are recomputed
after that.

- coverage: share of all cases of interest that fall inside the box;
- density: share of the points inside the box that are cases of interest;
- mass: share of all points inside the box.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from redline.analysis.design import Evaluation, Progress, Target, check_count, evaluate, target
from redline.engine.executors import check_executor
from redline.engine.runner import resolve_seed
from redline.errors import RedlineError
from redline.scenario.distributions import frozen
from redline.scenario.load import LoadedScenario

MIN_CASES = 10  # fewer cases of interest than this cannot support a box
COLUMNS = ["low", "high", "sampled_min", "sampled_max", "qp", "reads"]  # qp: the larger quasi-p of the kept limits


@dataclass
class Discovery:
    """A PRIM box for one outcome, or the reason there is none."""

    target: Target
    threshold: float
    threshold_rule: str  # how the threshold was chosen
    samples: int
    runs_per_point: int
    seed: int
    evaluation: Evaluation
    limits: pd.DataFrame  # restricted parameters: low, high, the sampled range, qp values
    coverage: float
    density: float
    mass: float
    trajectory: pd.DataFrame  # PRIM's peeling trajectory (coverage, density, mass, res_dim)
    min_density: float = 0.8
    dense_enough: bool = False  # some box on the trajectory reached min_density
    reason: str = ""  # why there is no box, if there is none

    @property
    def cases(self) -> int:
        return int((self.evaluation.y >= self.threshold).sum())

    @property
    def found(self) -> bool:
        return not self.reason

    def box(self) -> pd.DataFrame:
        """The box: one row per restricted parameter, with its limits and how it reads."""
        return self.limits

    def inside(self, values: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Which rows of ``values`` (parameter values, columns in the order of ``target.names``) lie in the box."""
        x = pd.DataFrame(np.asarray(values), columns=self.target.names) if not isinstance(values, pd.DataFrame) \
            else values
        keep = np.ones(len(x), dtype=bool)
        for name, row in self.limits.iterrows():
            keep &= (x[name] >= row.low).to_numpy() & (x[name] <= row.high).to_numpy()
        return keep

    def summary(self) -> str:
        t, ev = self.target, self.evaluation
        goal = f"{t.label} under {t.policy} is at least {_fmt(self.threshold, t.kind)}"
        if not self.found:
            return f"No box: {self.reason}"
        if self.limits.empty:
            return f"{goal} at {self.cases:,} of {len(ev.y):,} sampled points, and no parameter range singles them out."
        parts = [str(r.reads) for _, r in self.limits.iterrows()]
        cond = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        base = self.cases / len(ev.y)
        note = ("" if self.dense_enough else
                f" No box along PRIM's trajectory reached the density asked for ({self.min_density:.0%}): "
                "this one balances coverage and density best.")
        base_text = f"{base:.1%}" if base < 0.1 else f"{base:.0%}"
        return (f"{goal} ({self.threshold_rule}) when {cond}. "
                f"Inside this box it is so at {self.density:.0%} of the sampled points (density), against "
                f"{base_text} over all of them ({self.density / base:.1f} times as often); the box holds "
                f"{self.coverage:.0%} of all such points (coverage) and {self.mass:.0%} of the sampled space "
                f"(mass).{note}")

    def to_dict(self) -> dict[str, Any]:
        t, ev = self.target, self.evaluation
        return {
            "scenario": t.loaded.scenario.id,
            "outcome": t.outcome,
            "statistic": t.label,
            "policy": t.policy,
            "policies_applied": list(t.model.policies),
            "threshold": self.threshold,
            "threshold_rule": self.threshold_rule,
            "samples": self.samples,
            "runs_per_point": self.runs_per_point,
            "horizon": t.model.horizon,
            "seed": self.seed,
            "cases_of_interest": self.cases,
            "found": self.found,
            "coverage": _num(self.coverage),
            "density": _num(self.density),
            "mass": _num(self.mass),
            "min_density": self.min_density,
            "box": [{"parameter": name, **{k: _num(v) if isinstance(v, float) else v for k, v in row.items()}}
                    for name, row in self.limits.iterrows()],
            "summary": self.summary(),
            "seconds": round(ev.seconds, 3),
            "run_days_per_second": round(ev.rate),
        }

    def write_report(self, path: str) -> str:
        from redline.report.sweeps import write_discovery

        return write_discovery(self, path)


def _fmt(value: float, kind: str) -> str:
    return f"{value:.0%}" if kind == "probability" else f"{value:.3g}"


def _num(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _with_percentile(t: Target, name: str, row: pd.Series) -> str:
    """'x above 0.26' becomes 'x above 0.26 (its 62nd percentile)': where the limit sits in the prior."""
    dist = t.model.param_dists[t.model.param_names.index(name)]
    cuts = [float(frozen(dist).cdf(v)) for v in (row.low, row.high) if math.isfinite(v)]
    where = " to ".join(_ordinal(round(100 * c)) for c in cuts)
    return f"{row.reads} (its {where} percentile{'s' if len(cuts) > 1 else ''})"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _sig(value: float) -> str:
    return f"{value:.3g}"


def find_box(x: pd.DataFrame, interest: np.ndarray, *, min_density: float = 0.8, max_qp: float = 0.05,
             mass_min: float = 0.05) -> tuple[pd.DataFrame, float, float, float, pd.DataFrame, bool]:
    """Run PRIM on points ``x`` (one column per parameter) with boolean ``interest``.

    Returns the limits of the restricted parameters (``low``, ``high``, the
    sampled ``min``/``max``, ``qp``: the larger quasi-p value of the limits
    kept, and a reading such as "obedience below 0.62"), then coverage,
    density, mass, the peeling trajectory, and whether some box on it reached
    ``min_density``.
    """
    y = np.asarray(interest, dtype=bool)
    if y.shape != (len(x),) or not y.any() or y.all():
        raise RedlineError(f"PRIM needs a mark for every point, some of interest and some not\n"
                           f"  found: {int(y.sum())} of {y.size} marked, for {len(x)} points")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional parallel back-ends on import,
        from ema_workbench.analysis import prim  # and about pandas deprecations it has not caught up with

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _prim(prim, x, y, min_density, max_qp, mass_min)


def _prim(prim: Any, x: pd.DataFrame, y: np.ndarray, min_density: float, max_qp: float,
          mass_min: float) -> tuple[pd.DataFrame, float, float, float, pd.DataFrame, bool]:
    # PRIM's threshold both marks the cases of interest (y >= threshold: any value in (0, 1] picks the
    # true ones) and is the density its final box must reach, else it hands back the whole space.  A tiny
    # threshold keeps PRIM's box whatever its density; min_density is applied below, along the trajectory.
    p = prim.Prim(x.reset_index(drop=True), y, threshold=1e-9, mass_min=mass_min)
    box = p.find_box()
    traj = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].astype(float)
    # the box that best balances coverage and density (their harmonic mean), among those dense enough
    f = (2 * traj.coverage * traj.density / (traj.coverage + traj.density)).fillna(0).to_numpy()
    dense = traj.density.to_numpy() >= min_density
    chosen = int(np.argmax(np.where(dense, f, -1.0))) if dense.any() else int(np.argmax(f))
    lims = box.box_lims[chosen]
    _, table = box.inspect(chosen, style="data")[0]  # restricted parameters: min, max, qp lower, qp upper
    qp = {name: (float(r.iloc[2]), float(r.iloc[3])) for name, r in table.iterrows()}
    rows = {}
    for name in x.columns:
        lo, hi = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        q_lo, q_hi = qp.get(name, (math.nan, math.nan))
        cut_lo = lo > x[name].min() and (q_lo <= max_qp)  # NaN qp (unrestricted side) keeps no limit
        cut_hi = hi < x[name].max() and (q_hi <= max_qp)
        if not (cut_lo or cut_hi):
            continue
        low = lo if cut_lo else -math.inf
        high = hi if cut_hi else math.inf
        reads = (f"{name} between {_sig(lo)} and {_sig(hi)}" if cut_lo and cut_hi
                 else f"{name} above {_sig(lo)}" if cut_lo else f"{name} below {_sig(hi)}")
        kept = [q for q, cut in ((q_lo, cut_lo), (q_hi, cut_hi)) if cut]
        rows[name] = {"low": low, "high": high, "sampled_min": float(x[name].min()),
                      "sampled_max": float(x[name].max()), "qp": max(kept), "reads": reads}
    limits = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    limits.index.name = "parameter"
    keep = np.ones(len(x), dtype=bool)
    for name, row in limits.iterrows():
        keep &= (x[name] >= row.low).to_numpy() & (x[name] <= row.high).to_numpy()
    inside = int(keep.sum())
    coverage = float((y & keep).sum() / y.sum()) if y.any() else math.nan
    density = float(y[keep].mean()) if inside else math.nan
    return limits, coverage, density, inside / len(y), traj, bool(dense.any())


def discover(
    scenario: str | LoadedScenario,
    outcome: str,
    *,
    policy: str | None = None,
    threshold: float | None = None,
    samples: int = 2000,
    runs_per_point: int = 100,
    min_density: float = 0.8,
    horizon: int | None = None,
    seed: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Discovery:
    """Find where in parameter space ``outcome`` reaches ``threshold``.

    ``threshold`` defaults to 0.5 for a first-passage outcome ("more likely
    than not within the horizon") and to the 90th percentile of the sampled
    means for a quantity.
    """
    check_count(samples, "samples", 100, 2_000_000)
    check_count(runs_per_point, "runs per point", 1, 16384)
    check_executor(executor, scheduler, workers)
    if not (_is_number(min_density) and 0 < min_density <= 1):
        raise RedlineError(f"min_density must be a number in (0, 1], found {min_density!r}")
    if threshold is not None and not (_is_number(threshold) and math.isfinite(threshold)):
        raise RedlineError(f"threshold must be a finite number, found {threshold!r}")
    t = target(scenario, outcome, policy, horizon, analysis="scenario discovery")
    if threshold is not None and t.kind == "probability" and not 0 < threshold <= 1:
        raise RedlineError(f"threshold for the probability of {outcome!r} must be in (0, 1], found {threshold!r}")
    seed = resolve_seed(seed)
    design = qmc.LatinHypercube(d=len(t.names), seed=np.random.default_rng(seed)).random(samples)
    ev = evaluate(t, design, runs_per_point=runs_per_point, seed=seed, executor=executor, scheduler=scheduler,
                  workers=workers, progress=progress)
    if threshold is not None:
        rule = "the threshold asked for"
    elif t.kind == "probability":
        threshold, rule = 0.5, "more likely than not"
    else:
        threshold, rule = float(np.quantile(ev.y, 0.9)), "the highest tenth of sampled points"
    interest = ev.y >= threshold
    x = pd.DataFrame(ev.values, columns=t.names)
    empty = pd.DataFrame(columns=COLUMNS)
    if interest.sum() < MIN_CASES or interest.all():
        q90 = float(np.quantile(ev.y, 0.9))
        reason = (f"{t.label} under {t.policy} reached {_fmt(threshold, t.kind)} at {int(interest.sum()):,} of "
                  f"{samples:,} sampled points (at least {MIN_CASES} are needed, and not all of them); it ranged from "
                  f"{_fmt(ev.y.min(), t.kind)} to {_fmt(ev.y.max(), t.kind)}, with a tenth of points at "
                  f"{_fmt(q90, t.kind)} or more. Choose a threshold in that range with --threshold, or sample more "
                  f"points with --samples.")
        return Discovery(t, threshold, rule, samples, runs_per_point, seed, ev, empty, math.nan, math.nan, math.nan,
                         pd.DataFrame(), min_density=min_density, reason=reason)
    limits, coverage, density, mass, traj, dense = find_box(x, interest, min_density=min_density)
    limits["reads"] = [_with_percentile(t, name, r) for name, r in limits.iterrows()]
    return Discovery(t, threshold, rule, samples, runs_per_point, seed, ev, limits, coverage, density, mass, traj,
                     min_density=min_density, dense_enough=dense)


__all__ = ["Discovery", "discover", "find_box"]
