"""Forecast from a date: the scenario, calibrated to the record before that date, run on from the
excitation state the record leaves behind.

The scenario's ``recent(action, half_life)`` memories are its excitation state.  At the forecast
origin each memory is set to what the recorded events before the origin leave of it (each event
decays by its half-life from the day it happened; an event known only to the week or month counts
spread over its window), and ``days_since()`` to the last recorded day.  Counts (``count()``) and
outcomes start from zero: the outcome probabilities are for the forecast window.  Other state
variables start at the scenario's initial values (a documented limit).

Each run draws its parameters from the calibrated scenario (estimation uncertainty) and its events
by chance, so the weekly counts are a predictive distribution.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from redline.calibrate.calibration import Calibration, calibrate, streams_of
from redline.calibrate.series import EventSeries, event_series, load_events
from redline.engine.kernel import Streams, initial_state, make_context, sample_params, step
from redline.engine.model import build_model
from redline.engine.results import wilson
from redline.errors import RedlineError
from redline.scenario.load import LoadedScenario, load_scenario


@dataclass
class Forecast:
    """Predictive weekly counts per stream, outcome probabilities, and the record where it continues."""

    scenario_id: str
    origin: dt.date
    horizon: int
    runs: int
    seed: int
    streams: tuple[str, ...]
    weekly: np.ndarray  # (runs, weeks, streams) simulated events per week
    outcomes: pd.DataFrame  # outcome, probability, low, high
    observed: pd.DataFrame | None  # weekly counts of the record after the origin, where it continues
    calibration: Calibration | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)  # weekly counts of the record before the origin
    rows_skipped: list[str] = field(default_factory=list)  # rows of the event file no action fits

    @property
    def week_starts(self) -> list[dt.date]:
        return [self.origin + dt.timedelta(days=7 * w) for w in range(self.weekly.shape[1])]

    def quantiles(self, levels: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> pd.DataFrame:
        """One row per stream and week: mean, quantiles and, where the record continues, what happened."""
        rows = []
        for j, s in enumerate(self.streams):
            for w, start in enumerate(self.week_starts):
                x = self.weekly[:, w, j]
                row: dict[str, Any] = {"stream": s, "week_start": start, "days": self._days(w), "mean": float(x.mean())}
                row.update({f"p{round(100 * q):02d}": float(v) for q, v in zip(levels, np.quantile(x, levels),
                                                                             strict=True)})
                row["p_any"] = float((x >= 1).mean())
                obs = self.observed
                row["observed"] = float(obs.iloc[w][s]) if obs is not None and w < len(obs) else None
                rows.append(row)
        return pd.DataFrame(rows)

    def _days(self, w: int) -> int:
        return min(7, self.horizon - 7 * w)

    def to_dict(self) -> dict[str, Any]:
        q = self.quantiles()
        q["week_start"] = q.week_start.astype(str)
        return {"scenario": self.scenario_id, "origin": self.origin.isoformat(), "horizon_days": self.horizon,
                "runs": self.runs, "seed": self.seed, "streams": list(self.streams),
                "weekly": q.to_dict(orient="records"), "outcomes": self.outcomes.to_dict(orient="records"),
                "calibration": None if self.calibration is None else _json_table(self.calibration.table),
                "rows_skipped": self.rows_skipped}

    def write_report(self, path: str) -> str:
        from redline.report.forecast import forecast_page

        Path(path).write_text(forecast_page(self), encoding="utf-8")
        return path


def _json_table(t: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in r.items()}
            for r in t.to_dict(orient="records")]


def simulate_from(loaded: LoadedScenario, series: EventSeries, origin: dt.date, horizon: int, runs: int,
                  seed: int, calibration: Calibration | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """Run ``loaded`` from ``origin`` with its memories set by the record in ``series`` before the origin.
    ``calibration``: its parameters come from its joint draws, run by run (:meth:`Calibration.values`).
    Returns weekly counts per run (runs, weeks, streams) for the series' streams, and outcome probabilities."""
    model = build_model(loaded, horizon=horizon)
    ids = [a.id for a in model.actions]
    streams = Streams(seed, 0, len(model.actions))
    pm = sample_params(model, streams.params.random((len(model.param_names), runs)))
    if calibration is not None:
        own = calibration.values(dict(zip(model.param_names, pm, strict=True)), runs)
        for name, values in own.items():
            pm[model.param_names.index(name)] = values
    ctx = make_context(model, pm)
    state = initial_state(model, ctx)
    past = series.until(origin - dt.timedelta(days=1))
    daily = past.daily()  # (days, streams) events per day of the record, up to the day before the origin
    age = (origin - past.start).days - np.arange(daily.shape[0])  # days from each recorded day to the origin
    traces = state.traces.copy()
    for k, mem in enumerate(model.memories):
        name = ids[mem.action]
        if name in series.streams and daily.size:
            decay = np.asarray(ctx.memory_decay[k], dtype=float)  # float or (runs,)
            w = daily[:, series.streams.index(name)]
            hit = w > 0
            traces[k] = (w[hit][:, None] * np.power(np.reshape(decay, (1, -1)), (age[hit] - 1)[:, None])).sum(axis=0)
    last = state.last.copy()
    for k, a in enumerate(model.days_since):
        name = ids[a]
        if name in series.streams and daily.size and (col := daily[:, series.streams.index(name)]).any():
            last[k] = -int(age[np.flatnonzero(col)[-1]])
    state = type(state)(state.x, traces, state.counts, last, state.first_passage, state.max_rung, 0)
    weeks = -(-horizon // 7)
    cols = [ids.index(s) for s in series.streams]
    weekly = np.zeros((runs, weeks, len(cols)))
    with np.errstate(all="ignore"):
        for t in range(horizon):
            state, day = step(model, ctx, state, streams)
            weekly[:, t // 7, :] += day.occurred[cols].T
    fp = state.first_passage
    rows = []
    for i, (name, _) in enumerate(model.first_passage):
        k = int((fp[i] >= 0).sum())
        lo, hi = wilson(k, runs)
        rows.append({"outcome": name, "probability": k / runs, "low": lo, "high": hi})
    return weekly, pd.DataFrame(rows)


def forecast(scenario: str | Path | LoadedScenario, events: str | Path | pd.DataFrame, *, origin: dt.date,
             horizon: int = 28, runs: int = 10000, seed: int = 0, history_from: dt.date | None = None,
             calibrate_first: bool = True, place: str | None = None,
             streams: Sequence[str] | None = None) -> Forecast:
    """Forecast ``horizon`` days from ``origin``: calibrate the scenario to the record before the origin
    (from ``history_from``, default the first event), set its excitation state from that record, simulate
    ``runs`` continuations.  Where the record goes on past the origin, the forecast shows what happened."""
    if horizon < 1 or runs < 1:
        raise RedlineError(f"forecast needs a horizon and runs of at least 1, found horizon {horizon}, runs {runs}")
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    sc = loaded.scenario
    fitted = streams_of(sc, streams)
    table = events if isinstance(events, pd.DataFrame) else load_events(events, sc)
    source = "an events table" if isinstance(events, pd.DataFrame) else Path(events).name
    full = event_series(table, sc, fitted, start=history_from, place=place, source=source)
    if origin <= full.start:
        raise RedlineError(f"the forecast origin {origin} is not after the start of the record ({full.start})\n"
                           "  expected: an origin with recorded history before it")
    last = origin + dt.timedelta(days=horizon - 1)
    record_end = pd.to_datetime(table["event_date"]).max().date()  # how far the record goes (any action)
    full = replace(full, end=max(full.end, last))  # every event is in already: only the window grows
    # the calibrated parameters come from the calibration's joint draws, run by run (simulate_from)
    cal = calibrate(loaded, table, start=full.start, end=origin - dt.timedelta(days=1), seed=seed, place=place,
                    streams=fitted, source=source) if calibrate_first else None
    weekly, outcomes = simulate_from(loaded, full, origin, horizon, runs, seed, cal)
    observed = replace(full, start=origin, end=last).counts(7).reset_index(drop=True) if record_end >= last else None
    before = full.until(origin - dt.timedelta(days=1)).counts(7)
    return Forecast(sc.id, origin, horizon, runs, seed, full.streams, weekly, outcomes, observed, cal, before,
                    list(table.attrs.get("skipped", [])))


__all__ = ["Forecast", "forecast", "simulate_from"]
