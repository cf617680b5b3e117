"""Courses of action side by side, with paired differences (common random numbers).

Every policy is simulated with the same seed, so run *i* of every policy has
the same parameter quantiles and the same daily uniforms for every action
(see ``docs/design/random-streams.md``).  A difference between two policies is
then estimated from per-run differences, whose spread is much smaller than
that of two independent samples; both intervals are reported so the gain is
visible.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from redline.engine.results import Results
from redline.engine.runner import resolve_seed, simulate
from redline.errors import RedlineError, UnknownNameError
from redline.scenario.load import LoadedScenario, load_scenario

Z95 = 1.959963984540054


@dataclass
class Comparison:
    """Results of several courses of action on one scenario, run with common random numbers."""

    scenario_id: str
    baseline: str
    policy_sets: dict[str, tuple[str, ...]]  # course of action -> policies actually applied
    results: dict[str, Results]

    @property
    def policies(self) -> list[str]:
        return list(self.results)

    @property
    def runs(self) -> int:
        return next(iter(self.results.values())).runs

    @property
    def seed(self) -> int:
        return next(iter(self.results.values())).seed

    @property
    def horizon(self) -> int:
        return next(iter(self.results.values())).horizon

    def probabilities(self) -> pd.DataFrame:
        """Each first-passage outcome's probability (Wilson 95% interval) and median days, per policy."""
        frames = []
        for pol, res in self.results.items():
            df = res.outcomes().drop(columns="description").reset_index()
            df.insert(0, "policy", pol)
            frames.append(df)
        return pd.concat(frames, ignore_index=True).set_index(["outcome", "policy"]).sort_index(
            level=0, sort_remaining=False
        )

    def differences(self) -> pd.DataFrame:
        """Probability of each outcome under each policy minus under the baseline, with paired and
        unpaired 95% intervals (normal approximation on per-run differences / on two proportions)."""
        base = self.results[self.baseline]
        rows = []
        for pol, res in self.results.items():
            if pol == self.baseline:
                continue
            for o, (oid, _) in enumerate(res.model.first_passage):
                hit = (res.first_passage[o] >= 0).astype(float)
                ref = (base.first_passage[o] >= 0).astype(float)
                rows.append({"outcome": oid, "policy": pol, **_paired(hit, ref)})
        cols = ["outcome", "policy", "difference", "paired_low", "paired_high", "unpaired_low", "unpaired_high",
                "paired_se", "unpaired_se"]
        return pd.DataFrame(rows, columns=cols).set_index(["outcome", "policy"])

    def quantities(self) -> pd.DataFrame:
        """Mean of each tracked quantity per policy, and the paired difference from the baseline."""
        base = self.results[self.baseline]
        rows = []
        for pol, res in self.results.items():
            for q, (qid, _) in enumerate(res.model.quantities):
                v, ref = res.quantity_values[q], base.quantity_values[q]
                d = _paired(v, ref)
                rows.append({"quantity": qid, "policy": pol, "mean": float(v.mean()),
                             "difference": d["difference"], "paired_low": d["paired_low"],
                             "paired_high": d["paired_high"]})
        cols = ["quantity", "policy", "mean", "difference", "paired_low", "paired_high"]
        return pd.DataFrame(rows, columns=cols).set_index(["quantity", "policy"]).sort_index(
            level=0, sort_remaining=False
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document of ``redline compare``."""
        probs, diffs = self.probabilities(), self.differences()
        out: dict[str, Any] = {
            "scenario": self.scenario_id,
            "baseline": self.baseline,
            "policies": {p: list(s) for p, s in self.policy_sets.items()},
            "runs": self.runs,
            "horizon_days": self.horizon,
            "seed": self.seed,
            "outcomes": {},
        }
        for (oid, pol), row in probs.iterrows():
            entry = out["outcomes"].setdefault(oid, {})
            item: dict[str, Any] = {
                "probability": _num(row.probability),
                "ci95": [_num(row.ci95_low), _num(row.ci95_high)],
                "median_days": _num(row.median_days),
            }
            if (oid, pol) in diffs.index:
                d = diffs.loc[(oid, pol)]
                item["difference"] = _num(d.difference)
                item["difference_ci95_paired"] = [_num(d.paired_low), _num(d.paired_high)]
                item["difference_ci95_unpaired"] = [_num(d.unpaired_low), _num(d.unpaired_high)]
            entry[pol] = item
        return out

    def write_report(self, path: str) -> str:
        from redline.report.compare import write_comparison

        return write_comparison(self, path)


def _paired(x: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    n = x.size
    d = x - ref
    diff = float(d.mean())
    se_p = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    se_u = float(math.sqrt(x.var(ddof=1) / n + ref.var(ddof=1) / n)) if n > 1 else math.nan
    return {
        "difference": diff,
        "paired_low": diff - Z95 * se_p,
        "paired_high": diff + Z95 * se_p,
        "unpaired_low": diff - Z95 * se_u,
        "unpaired_high": diff + Z95 * se_u,
        "paired_se": se_p,
        "unpaired_se": se_u,
    }


def _num(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def compare(
    scenario: str | LoadedScenario,
    policies: Sequence[str] | None = None,
    *,
    baseline: str | None = None,
    runs: int = 10_000,
    seed: int | None = None,
    horizon: int | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    fixed: bool = False,
) -> Comparison:
    """Simulate each course of action with common random numbers.

    ``policies`` default to every policy of the scenario's principal actor.
    Each is applied in place of the baseline policies of the same actor; the
    baseline policies of other actors stay.  ``baseline`` (default: the
    scenario's baseline policy of that actor, else the first listed) is the
    reference for differences.
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    sc = loaded.scenario
    chosen = list(dict.fromkeys(policies)) if policies else [p for p, pol in sc.policies.items()
                                                               if pol.actor == sc.principal]
    for p in chosen:
        if p not in sc.policies:
            raise UnknownNameError("policy", p, sc.policies)
    if not chosen:
        raise RedlineError(f"scenario {sc.id!r} has no policies for its principal actor {sc.principal!r}; "
                           "name them with --policies")
    if baseline is None:
        baseline = next((p for p in sc.baseline if p in chosen), chosen[0])
    elif baseline not in chosen:
        if baseline not in sc.policies:
            raise UnknownNameError("policy", baseline, sc.policies)
        chosen.insert(0, baseline)
    seed = resolve_seed(seed)
    sets: dict[str, tuple[str, ...]] = {}
    results: dict[str, Results] = {}
    for pol in chosen:
        actor = sc.policies[pol].actor
        applied = (*(b for b in sc.baseline if sc.policies[b].actor != actor), pol)
        sets[pol] = applied
        report = (lambda done, total, _p=pol: progress(_p, done, total)) if progress else None
        results[pol] = simulate(loaded, applied, runs=runs, seed=seed, horizon=horizon, workers=workers,
                                keep_events=0, progress=report, fixed=fixed)
    return Comparison(sc.id, baseline, sets, results)


__all__ = ["Comparison", "compare"]
