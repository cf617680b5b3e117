"""Backtest: rolling-origin forecasts scored against what happened, and against naive baselines.

From each origin (every ``step`` days after the training window) the scenario is recalibrated on the
record up to the origin and forecasts the next ``horizon`` days; the record then scores it.  The
same weekly counts are scored for every model with proper scoring rules (``scoringrules``):

- CRPS of the weekly count per stream (lower is better);
- the 90% interval score (width plus a penalty for misses) and the coverage of the 90% interval;
- the Brier score of "at least one event of this stream in the week".

Baselines, each a predictive distribution scored the same way:

- ``no_change``: next week as the last complete week before the origin (a point forecast);
- ``poisson_recent``: Poisson at the rate of the last 28 days before the origin;
- ``historical_mean``: Poisson at the mean weekly rate of the whole record before the origin;
- ``hawkes``: the fitted Hawkes process alone, run on from its own excitation state (no scenario);
- ``scenario_prior``: the scenario as written (its priors, not calibrated), from the same excitation state:
  what calibration adds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from redline.calibrate.calibration import calibrate, streams_of
from redline.calibrate.forecast import simulate_from
from redline.calibrate.hawkes import HawkesParams, excitation_state, simulate_counts
from redline.calibrate.series import EventSeries, event_series, load_events
from redline.errors import RedlineError
from redline.scenario.load import LoadedScenario, load_scenario

BASELINES = ("no_change", "poisson_recent", "historical_mean", "hawkes", "scenario_prior")
LEVEL = 0.9


def score(obs: np.ndarray, samples: np.ndarray) -> dict[str, np.ndarray]:
    """Scores of predictive samples (..., n) against observations (...): crps, interval score, covered, brier."""
    import scoringrules as sr

    lo, hi = np.quantile(samples, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], axis=-1)
    out = {"crps": sr.crps_ensemble(obs, samples, estimator="pwm", backend="numpy"),
           "interval_score": sr.interval_score(obs, lo, hi, 1 - LEVEL, backend="numpy"),
           "covered": ((obs >= lo) & (obs <= hi)).astype(float),
           "brier": sr.brier_score((obs >= 0.5).astype(float), (samples >= 1).mean(axis=-1), backend="numpy")}
    return {k: np.reshape(np.asarray(v, dtype=float), np.shape(obs)) for k, v in out.items()}  # (scoringrules
    # squeezes axes of length 1)


@dataclass
class Backtest:
    scenario_id: str
    streams: tuple[str, ...]
    train_until: dt.date
    step: int
    horizon: int
    runs: int
    seed: int
    scores: pd.DataFrame  # one row per model, origin, stream and week: crps, interval_score, covered, brier
    failed: list[dict[str, str]] = field(default_factory=list)  # origins that could not be fitted, with why
    rows_skipped: list[str] = field(default_factory=list)  # rows of the event file no action fits

    def summary(self) -> pd.DataFrame:
        """Mean scores per model over every origin, stream and week (coverage90 = share covered)."""
        g = self.scores.groupby("model", sort=False)[["crps", "interval_score", "covered", "brier"]].mean()
        g = g.rename(columns={"covered": "coverage90"})
        g.index.name = None
        return g.loc[[m for m in ("model", *BASELINES) if m in g.index]]

    def by_origin(self) -> pd.DataFrame:
        return self.scores.groupby(["origin", "model"], sort=True)[["crps", "interval_score", "covered",
                                                                    "brier"]].mean().reset_index()

    def verdict(self) -> str:
        """One sentence: did the model beat every baseline on CRPS, and by how much (relative to each)."""
        s = self.summary()
        if "model" not in s.index or len(s) < 2:
            return "no origin could be scored"
        m = s.loc["model", "crps"]
        base = s.drop(index="model").crps

        def rel(b: str) -> str:
            return f"{b} {base[b]:.3f} ({100 * (m - base[b]) / base[b]:+.1f}%)"

        beaten = [b for b in base.index if m < base[b]]
        lost = [b for b in base.index if m >= base[b]]
        if not lost:
            return (f"The calibrated scenario beat every baseline on mean CRPS ({m:.3f}; lower is better): "
                    f"{', '.join(rel(b) for b in beaten)}.")
        return (f"The calibrated scenario (mean CRPS {m:.3f}; lower is better) did not beat every baseline: it lost "
                f"to {', '.join(rel(b) for b in lost)} and beat {', '.join(rel(b) for b in beaten) or 'none'} "
                "(in brackets: the model's CRPS relative to each).")

    def to_dict(self) -> dict[str, Any]:
        s = self.summary()
        names = {"crps": "crps", "interval_score": "interval_score", "coverage90": "coverage90", "brier": "brier"}

        def row(name: str) -> dict[str, float]:
            return {k: _num(s.loc[name, c]) for c, k in names.items()}

        origins = []
        for origin, g in self.scores.groupby("origin", sort=True):
            per = g.groupby("model", sort=False)[["crps", "interval_score", "covered", "brier"]].mean()
            origins.append({"origin": str(origin), "models": {
                m: {"crps": _num(r.crps), "interval_score": _num(r.interval_score), "coverage90": _num(r.covered),
                    "brier": _num(r.brier)} for m, r in per.iterrows()}})
        return {"scenario": self.scenario_id, "streams": list(self.streams), "train_until": str(self.train_until),
                "step_days": self.step, "horizon_days": self.horizon, "runs": self.runs, "seed": self.seed,
                "model": row("model") if "model" in s.index else None,
                "baselines": {b: row(b) for b in s.index if b != "model"},
                "verdict": self.verdict(), "origins": origins, "failed_origins": self.failed,
                "rows_skipped": self.rows_skipped}


    def write_report(self, path: str) -> str:
        from redline.report.forecast import backtest_page

        Path(path).write_text(backtest_page(self), encoding="utf-8")
        return path


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def _baselines(past: EventSeries, weeks: int, runs: int, fit_params: HawkesParams,
               rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Samples (streams, weeks, runs) of each baseline's forecast."""
    daily = past.daily()
    m = len(past.streams)
    last_week = daily[-7:].sum(axis=0)
    recent = daily[-28:].sum(axis=0) / max(1, min(28, len(daily))) * 7
    mean = daily.sum(axis=0) / max(1, len(daily)) * 7
    out = {"no_change": np.broadcast_to(last_week[:, None, None], (m, weeks, runs)).astype(float),
           "poisson_recent": rng.poisson(recent[:, None, None], (m, weeks, runs)).astype(float),
           "historical_mean": rng.poisson(mean[:, None, None], (m, weeks, runs)).astype(float)}
    times, marks = past.times(int(rng.integers(2**31)))
    state = excitation_state(times, marks, fit_params, float(past.days))
    sims = simulate_counts(fit_params, state, 7 * weeks, runs, rng)  # (runs, days, streams)
    out["hawkes"] = sims.reshape(runs, weeks, 7, m).sum(axis=2).transpose(2, 1, 0).astype(float)
    return out


def backtest(scenario: str | Path | LoadedScenario, events: str | Path | pd.DataFrame, *, train_until: dt.date,
             step: int = 7, horizon: int = 28, runs: int = 2000, seed: int = 0, history_from: dt.date | None = None,
             until: dt.date | None = None, place: str | None = None, streams: Sequence[str] | None = None,
             progress: Callable[[int, int], None] | None = None) -> Backtest:
    """Rolling origins every ``step`` days from the day after ``train_until`` while ``horizon`` days of record
    remain (to ``until``, default the last recorded event); at each, recalibrate and forecast, then score."""
    if step < 1 or horizon < 7 or horizon % 7 or runs < 10:
        raise RedlineError(f"backtest needs step >= 1, a horizon of whole weeks (7, 14, 28, ... days: forecasts are "
                           f"scored week by week) and runs >= 10; found step {step}, horizon {horizon}, runs {runs}")
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    sc = loaded.scenario
    fitted = streams_of(sc, streams)
    table = events if isinstance(events, pd.DataFrame) else load_events(events, sc)
    source = "an events table" if isinstance(events, pd.DataFrame) else Path(events).name
    full = event_series(table, sc, fitted, start=history_from, end=until, place=place, source=source)
    weeks = horizon // 7
    first = train_until + dt.timedelta(days=1)
    origins = []
    o = first
    while o + dt.timedelta(days=7 * weeks - 1) <= full.end:
        origins.append(o)
        o += dt.timedelta(days=step)
    if not origins:
        raise RedlineError(f"no backtest origin: the record ends {full.end}, and the first origin {first} needs "
                           f"{7 * weeks} days of record after it\n  expected: --train-until at least {7 * weeks} days "
                           "before the last recorded event")
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    for k, origin in enumerate(origins):
        if progress:
            progress(k, len(origins))
        past = full.until(origin - dt.timedelta(days=1))
        try:
            cal = calibrate(loaded, table, start=full.start, end=past.end, seed=seed + k, place=place, streams=fitted,
                            source=source)
        except RedlineError as exc:  # too few events, or not stationary, before this origin: reported
            failed.append({"origin": origin.isoformat(), "reason": str(exc).splitlines()[0]})
            continue
        weekly, _ = simulate_from(loaded, full, origin, 7 * weeks, runs, seed + k, cal)
        prior, _ = simulate_from(loaded, full, origin, 7 * weeks, runs, seed + k)  # the scenario as written
        models = {"model": weekly.transpose(2, 1, 0), "scenario_prior": prior.transpose(2, 1, 0)}  # (streams, weeks, runs)
        models.update(_baselines(past, weeks, runs, cal.fit.params, rng))
        obs = replace(full, start=origin, end=origin + dt.timedelta(days=7 * weeks - 1)).counts(7).to_numpy().T
        # (streams, weeks)
        for name, samples in models.items():
            sc_ = score(obs, samples)
            for j, s in enumerate(full.streams):
                for w in range(weeks):
                    rows.append({"model": name, "origin": origin, "stream": s, "week": w + 1,
                                 "observed": float(obs[j, w]),
                                 **{key: float(v[j, w]) for key, v in sc_.items()}})
    if progress:
        progress(len(origins), len(origins))
    if not rows:
        raise RedlineError(f"no backtest origin could be fitted ({len(failed)} tried); the first failed with: "
                           f"{failed[0]['reason']}")
    return Backtest(sc.id, full.streams, train_until, step, 7 * weeks, runs, seed, pd.DataFrame(rows), failed,
                    list(table.attrs.get("skipped", [])))
