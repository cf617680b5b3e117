"""Results of a simulation, with pandas views for notebooks and JSON for tools."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from redline.scenario.distributions import describe

if TYPE_CHECKING:
    from redline.engine.model import Model
    from redline.engine.runner import Bins, BlockResult

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score 95% interval for a binomial proportion."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class Results:
    """Everything a run produced. Build with :func:`redline.simulate`."""

    model: Model
    runs: int
    seed: int
    block_size: int
    bins: Bins
    first_passage: np.ndarray  # (O, R) int32, -1 = never
    quantity_values: np.ndarray  # (Q, R)
    max_rung: np.ndarray  # (R,)
    totals: np.ndarray  # (A, R)
    params: np.ndarray  # (U, R)
    daily_counts: np.ndarray  # (H, A)
    daily_fatalities: np.ndarray  # (H, A)
    hist: np.ndarray  # (H, V, B) counts per bin
    hist_sum: np.ndarray  # (H, V, B) sum of values per bin
    sums: np.ndarray  # (H, V)
    event_rows: list[tuple[int, int, int, int, float]] = field(default_factory=list)

    @classmethod
    def empty(cls, model: Model, *, runs: int, seed: int, block_size: int, n_bins: int, bins: Bins) -> Results:
        h, a, v = model.horizon, len(model.actions), len(model.state_names)
        return cls(
            model=model,
            runs=runs,
            seed=seed,
            block_size=block_size,
            bins=bins,
            first_passage=np.full((len(model.first_passage), runs), -1, dtype=np.int32),
            quantity_values=np.zeros((len(model.quantities), runs)),
            max_rung=np.full(runs, -1, dtype=np.int16),
            totals=np.zeros((a, runs), dtype=np.int32),
            params=np.zeros((len(model.uncertain), runs)),
            daily_counts=np.zeros((h, a), dtype=np.int64),
            daily_fatalities=np.zeros((h, a)),
            hist=np.zeros((h, v, n_bins), dtype=np.int64),
            hist_sum=np.zeros((h, v, n_bins)),
            sums=np.zeros((h, v)),
        )

    def absorb(self, block: BlockResult) -> None:
        """Add one block's results (callers add blocks in block order)."""
        s = slice(block.start, block.stop)
        self.first_passage[:, s] = block.first_passage
        self.quantity_values[:, s] = block.quantities
        self.max_rung[s] = block.max_rung
        self.totals[:, s] = block.totals
        self.params[:, s] = block.params
        self.daily_counts += block.daily_counts
        self.daily_fatalities += block.daily_fatalities
        self.hist += block.hist
        self.hist_sum += block.hist_sum
        self.sums += block.sums
        self.event_rows.extend(block.events)

    def finish(self) -> None:
        self.event_rows.sort(key=lambda e: (e[2], e[0], e[1]))

    # ----- identity -------------------------------------------------------
    @property
    def scenario_id(self) -> str:
        return self.model.scenario.id

    @property
    def horizon(self) -> int:
        return self.model.horizon

    @property
    def policies(self) -> tuple[str, ...]:
        return self.model.policies

    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.model.scenario.time.start, periods=self.horizon, freq="D")

    # ----- outcomes --------------------------------------------------------
    def outcomes(self) -> pd.DataFrame:
        """Probability (with Wilson 95% interval) and median day of each first-passage outcome."""
        rows = []
        sc = self.model.scenario
        for o, (oid, _) in enumerate(self.model.first_passage):
            days = self.first_passage[o]
            hit = days >= 0
            k = int(hit.sum())
            lo, hi = wilson(k, self.runs)
            rows.append(
                {
                    "outcome": oid,
                    "description": sc.outcomes[oid].description,
                    "probability": k / self.runs,
                    "ci95_low": lo,
                    "ci95_high": hi,
                    "median_days": float(np.median(days[hit]) + 1) if k else math.nan,
                }
            )
        cols = ["outcome", "description", "probability", "ci95_low", "ci95_high", "median_days"]
        return pd.DataFrame(rows, columns=cols).set_index("outcome")

    def quantities(self) -> pd.DataFrame:
        """Mean and 5/50/95% quantiles over runs of each tracked quantity."""
        rows = []
        sc = self.model.scenario
        for q, (qid, _) in enumerate(self.model.quantities):
            v = self.quantity_values[q]
            p05, p50, p95 = np.quantile(v, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "quantity": qid,
                    "description": sc.outcomes[qid].description,
                    "unit": sc.outcomes[qid].unit or "",
                    "mean": float(v.mean()),
                    "p05": float(p05),
                    "p50": float(p50),
                    "p95": float(p95),
                }
            )
        cols = ["quantity", "description", "unit", "mean", "p05", "p50", "p95"]
        return pd.DataFrame(rows, columns=cols).set_index("quantity")

    def outcome_curves(self) -> pd.DataFrame:
        """Share of runs in which each outcome has happened by the end of each day."""
        data = {}
        for o, (oid, _) in enumerate(self.model.first_passage):
            days = self.first_passage[o]
            counts = np.bincount(days[days >= 0], minlength=self.horizon)[: self.horizon]
            data[oid] = np.cumsum(counts) / self.runs
        return pd.DataFrame(data, index=self.dates().rename("date"))

    def rungs(self) -> pd.DataFrame:
        """Distribution of the highest escalation rung reached per run."""
        sc = self.model.scenario
        counts = np.bincount(self.max_rung.astype(np.int64) + 1, minlength=len(self.model.rung_names) + 1)
        rows = [{"rung": "(none)", "order": -1, "hostility": 1, "share": counts[0] / self.runs}]
        for i, name in enumerate(self.model.rung_names):
            rung = sc.ladder[name]
            rows.append({"rung": name, "order": rung.order, "hostility": rung.hostility, "share": counts[i + 1] / self.runs})
        return pd.DataFrame(rows).set_index("rung")

    # ----- state over time -------------------------------------------------
    def state_quantiles(self, variable: str | None = None) -> pd.DataFrame:
        """Per-day mean and quantiles of state variables, from merged histograms.

        Each quantile is the mean of the values in the histogram bin that
        holds it: exact when the bin holds one value (counts, flags, values
        that did not move), otherwise within one bin (1/64 of the range).
        """
        names = self.model.state_names if variable is None else [variable]
        frames = []
        dates = self.dates()
        days = np.arange(self.horizon)
        for name in names:
            i = self.model.state_names.index(name)
            counts = self.hist[:, i, :]
            cum = np.cumsum(counts, axis=1) / self.runs  # (H, B)
            cols: dict[str, Any] = {"date": dates, "variable": name, "mean": self.sums[:, i] / self.runs}
            for q in QUANTILES:
                j = np.argmax(cum >= q - 1e-12, axis=1)
                value = self.hist_sum[days, i, j] / np.maximum(counts[days, j], 1)
                cols[f"p{int(q * 100):02d}"] = np.clip(value, self.model.lower[i], self.model.upper[i])
            frames.append(pd.DataFrame(cols))
        if not frames:
            return pd.DataFrame(columns=["date", "variable", "mean", *(f"p{int(q * 100):02d}" for q in QUANTILES)])
        return pd.concat(frames, ignore_index=True)

    def daily_events(self) -> pd.DataFrame:
        """Mean number of events per run per day, by action."""
        ids = [a.id for a in self.model.actions]
        return pd.DataFrame(self.daily_counts / self.runs, index=self.dates().rename("date"), columns=ids)

    # ----- per run ---------------------------------------------------------
    def per_run(self) -> pd.DataFrame:
        """One row per run: outcome days (NaN if never), quantities, event totals, parameter draws."""
        data: dict[str, Any] = {}
        for o, (oid, _) in enumerate(self.model.first_passage):
            d = self.first_passage[o].astype(float) + 1
            data[f"days_to_{oid}"] = np.where(self.first_passage[o] >= 0, d, np.nan)
        for q, (qid, _) in enumerate(self.model.quantities):
            data[qid] = self.quantity_values[q]
        data["max_rung"] = [self.model.rung_names[r] if r >= 0 else None for r in self.max_rung]
        for a in self.model.actions:
            data[f"n_{a.id}"] = self.totals[a.index]
        for j, p in enumerate(self.model.uncertain):
            data[f"param_{self.model.param_names[p]}"] = self.params[j]
        return pd.DataFrame(data, index=pd.RangeIndex(self.runs, name="run"))

    def events(self) -> pd.DataFrame:
        """Simulated events of the sample runs, in ACLED's vocabulary (one row per action-day)."""
        start = self.model.scenario.time.start
        acts = self.model.actions
        actors = self.model.scenario.actors
        rows = [
            {
                "event_date": (start + dt.timedelta(days=t)).isoformat(),
                "actor1": actors[acts[a].actor].name,
                "actor2": actors[acts[a].target].name,
                "event_type": acts[a].acled_event_type,
                "sub_event_type": acts[a].acled_sub_event_type,
                "fatalities": fat,
                "run": run,
                "action": acts[a].id,
                "actor1_id": acts[a].actor,
                "actor2_id": acts[a].target,
                "plover_type": acts[a].plover,
                "events": n,
            }
            for t, a, run, n, fat in self.event_rows
        ]
        cols = ["event_date", "actor1", "actor2", "event_type", "sub_event_type", "fatalities", "run",
                "action", "actor1_id", "actor2_id", "plover_type", "events"]
        return pd.DataFrame(rows, columns=cols)

    # ----- provenance ------------------------------------------------------
    def assumptions(self) -> pd.DataFrame:
        """Every parameter as used in this run (after policies), with its sources or assumption."""
        sc = self.model.scenario
        rows = []
        for name, dist in zip(self.model.param_names, self.model.param_dists, strict=True):
            p = sc.parameters[name]
            overridden = [pid for pid in self.model.policies if name in sc.policies[pid].parameters]
            rows.append(
                {
                    "parameter": name,
                    "value": describe(dist),
                    "unit": p.unit,
                    "sources": ", ".join(p.sources),
                    "why": p.why or "",
                    "assumption": p.assumption or "",
                    "set_by_policy": ", ".join(overridden),
                }
            )
        cols = ["parameter", "value", "unit", "sources", "why", "assumption", "set_by_policy"]
        return pd.DataFrame(rows, columns=cols).set_index("parameter")

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document (strict JSON: a number that is not finite becomes null)."""
        outs = self.outcomes()
        quants = self.quantities()
        return {
            "scenario": self.scenario_id,
            "policy": list(self.policies),
            "runs": self.runs,
            "horizon_days": self.horizon,
            "seed": self.seed,
            "outcomes": {
                oid: {
                    "probability": _num(row.probability),
                    "ci95": [_num(row.ci95_low), _num(row.ci95_high)],
                    "median_days": _num(row.median_days),
                }
                for oid, row in outs.iterrows()
            },
            "quantities": {
                qid: {"mean": _num(row["mean"]), "p05": _num(row.p05), "p50": _num(row.p50), "p95": _num(row.p95)}
                for qid, row in quants.iterrows()
            },
        }

    def write_report(self, path: str) -> str:
        """Write the self-contained HTML report; returns the path."""
        from redline.report import write_report

        return write_report(self, path)


def _num(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None
