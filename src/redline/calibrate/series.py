"""Event series: the recorded events of some scenario actions, as point times or binned counts.

The events come from a redline event store (``.duckdb``, written by ``redline ingest`` or
``redline events import``) or straight from an ACLED export (``.csv``, read through the same
importer into a store in memory).  Each event keeps ACLED's ``time_precision``: an event known
to the day is spread over that day, one known to the week over seven days around its date, one
known to the month over the whole calendar month.  So a month-precision event is never a spike on
the 15th: binned counts share its weight out over the month, and point times draw its time from
the month (reproducibly, from a seed).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from redline.errors import RedlineError
from redline.scenario.model import Scenario


def builtin_series() -> list[str]:
    """Names of the event series shipped with redline (ACLED-format CSV files in package data)."""
    folder = resources.files("redline.calibrate") / "data"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".csv")) if folder.is_dir() else []


def load_events(source: str | Path, scenario: Scenario) -> pd.DataFrame:
    """The events table of a redline store (.duckdb), of an ACLED export (.csv) read into memory, or of a
    built-in series named by :func:`builtin_series`.  Rows of a CSV that no scenario action fits are left
    out and listed in ``attrs["skipped"]`` ("file:line: reason")."""
    from redline.evidence.acled import import_acled
    from redline.evidence.store import Store

    path = Path(source)
    if not path.is_file() and str(source) in builtin_series():
        path = Path(str(resources.files("redline.calibrate") / "data" / f"{source}.csv"))
    if not path.is_file():
        raise RedlineError(f"event file {path} does not exist\n"
                           "  expected: a redline event store (.duckdb), an ACLED export (.csv) or a built-in "
                           f"series ({', '.join(builtin_series()) or 'none installed'})")
    if path.suffix.lower() == ".csv":
        with Store(":memory:") as store:
            report = import_acled(path, store, scenario)
            events = store.events()
        # rows no scenario action fits (or without a date) are left out and reported, never fatal
        events.attrs["skipped"] = [f"{s.source}: {s.reason}" for s in report.skipped]
        return events
    if path.suffix.lower() in (".duckdb", ".db"):
        with Store(path) as store:
            return store.events()
    raise RedlineError(f"cannot read events from {path}: unknown file type {path.suffix or '(none)'}\n"
                       "  expected: a redline event store (.duckdb) or an ACLED export (.csv)")


def _window(date: dt.date, precision: int) -> tuple[dt.date, int]:
    """First day and length in days of the span an event of this precision may have happened in."""
    if precision >= 3:
        return date.replace(day=1), calendar.monthrange(date.year, date.month)[1]
    if precision == 2:
        return date - dt.timedelta(days=3), 7
    return date, 1


@dataclass(frozen=True)
class EventSeries:
    """Events of ``streams`` (scenario action ids) in the window ``start``..``end`` (both included)."""

    streams: tuple[str, ...]
    events: pd.DataFrame  # one row per event: stream, date, time_precision, fatalities, location, ...
    start: dt.date
    end: dt.date
    source: str  # where the events came from, for citations

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def n_events(self) -> dict[str, int]:
        return {s: int((self.events.stream == s).sum()) for s in self.streams}

    def daily(self) -> np.ndarray:
        """Expected events per day and stream, shape (days, streams): each event's weight spread evenly
        over its precision window, the part outside the series window dropped."""
        out = np.zeros((self.days, len(self.streams)))
        for row in self.events.itertuples(index=False):
            first, length = _window(row.date, int(row.time_precision))
            offsets = (first - self.start).days + np.arange(length)
            inside = offsets[(offsets >= 0) & (offsets < self.days)]
            out[inside, self.streams.index(row.stream)] += 1.0 / length
        return out

    def counts(self, days: int = 7) -> pd.DataFrame:
        """Expected counts per bin of ``days`` days (the last bin may be shorter), one column a stream."""
        daily = self.daily()
        edges = np.arange(0, self.days, days)
        sums = np.add.reduceat(daily, edges, axis=0) if len(daily) else np.zeros((0, len(self.streams)))
        index = pd.DatetimeIndex([self.start + dt.timedelta(days=int(e)) for e in edges], name="bin_start")
        return pd.DataFrame(sums, index=index, columns=list(self.streams))

    def times(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Point times (days since ``start``) and stream indices, sorted: each event drawn uniformly within
        its precision window, clipped to the series window.  The same seed gives the same times."""
        rng = np.random.default_rng(seed)
        times, marks = [], []
        for row in self.events.itertuples(index=False):
            first, length = _window(row.date, int(row.time_precision))
            lo = max(0.0, float((first - self.start).days))
            hi = min(float(self.days), float((first - self.start).days + length))
            if hi <= lo:
                continue
            times.append(rng.uniform(lo, hi))
            marks.append(self.streams.index(row.stream))
        t, m = np.asarray(times, dtype=float), np.asarray(marks, dtype=np.int64)
        order = np.argsort(t, kind="stable")
        return t[order], m[order]

    def until(self, end: dt.date) -> EventSeries:
        """The same series cut at ``end`` (included): what was known then."""
        return EventSeries(self.streams, self.events[self.events.date <= end], self.start, end, self.source)


def event_series(events: pd.DataFrame, scenario: Scenario, streams: list[str] | tuple[str, ...], *,
                 start: dt.date | None = None, end: dt.date | None = None, actor1: str | None = None,
                 actor2: str | None = None, place: str | None = None, source: str = "") -> EventSeries:
    """Select events of the scenario actions ``streams`` (and optionally actors and a place: a location,
    province or country name) between ``start`` and ``end`` (default: the first and last event)."""
    unknown = [s for s in streams if s not in scenario.actions]
    if unknown:
        raise RedlineError(f"unknown action(s) {', '.join(map(repr, unknown))} for an event series\n"
                           f"  expected one of: {', '.join(scenario.actions)}")
    for role, name in (("actor1", actor1), ("actor2", actor2)):
        if name is not None and name not in scenario.actors:
            raise RedlineError(f"unknown {role} {name!r}\n  expected one of: {', '.join(scenario.actors)}")
    if not streams:
        raise RedlineError("an event series needs at least one action\n"
                           f"  expected some of: {', '.join(scenario.actions)}")
    ev = events.copy()
    ev["date"] = pd.to_datetime(ev["event_date"]).dt.date
    keep = ev.action.isin(streams)
    if actor1:
        keep &= ev.actor1 == actor1
    if actor2:
        keep &= ev.actor2 == actor2
    if place:
        low = place.lower()
        keep &= (ev.location.fillna("").str.lower() == low) | (ev.admin1.fillna("").str.lower() == low) | (
            ev.country.fillna("").str.lower() == low)
    ev = ev[keep]
    if start is None or end is None:
        if ev.empty:
            left = events.attrs.get("skipped", [])
            note = (f"; {len(left)} row(s) of the file were left out because no action of the scenario fits them, "
                    f"e.g. {left[0]}") if left else ""
            raise RedlineError(f"no events of {', '.join(streams)} in the event data"
                               + (f" at {place!r}" if place else "") + note
                               + "\n  expected: at least one matching event, or give --from and --to")
        start = start or min(ev.date)
        end = end or max(ev.date)
    if end < start:
        raise RedlineError(f"the series window ends ({end}) before it starts ({start})")
    ev = ev[(ev.date >= start) & (ev.date <= end)]
    cols = ["event_id", "action", "date", "time_precision", "fatalities", "location", "admin1", "country"]
    ev = ev[[c for c in cols if c in ev.columns]].rename(columns={"action": "stream"}).sort_values(
        ["date", "event_id"]).reset_index(drop=True)
    return EventSeries(tuple(streams), ev, start, end, source)
