"""Read an ACLED export (CSV) into the event store, beside the events found in news.

Each row becomes one mention under a pseudo-article ``acled:<event_id_cnty>``: ACLED's actor names resolve
through the scenario's aliases ("Military Forces of the United States (2017-2021)", "Kataib Hezbollah"),
and the row's actors and event type choose the scenario action.  Rows no action fits are reported, not
dropped silently.  Deduplication then merges ACLED rows with news reports of the same events.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from redline.errors import RedlineError
from redline.evidence.actors import ActorResolver
from redline.evidence.pipeline import Article, Mention
from redline.evidence.read import Document, Skipped
from redline.evidence.store import IngestReport, Store
from redline.scenario.model import Scenario

REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2")


def _action_for(scenario: Scenario, a1: str | None, a2: str | None, event_type: str, sub: str) -> str | None:
    """The scenario action of an ACLED row: same actors and sub-event type, then same actors and event type (a
    drone attack by KH on US forces is the attack on US forces, not the drone attack on Iraqi leaders), then
    actor1 with the sub-event type, then actor1 with the event type."""
    tests = ((True, True), (True, False), (False, True), (False, False))
    for same_target, same_sub in tests:
        for k, spec in scenario.actions.items():
            if spec.actor != a1 or (same_target and spec.target != a2):
                continue
            if (spec.acled.sub_event_type == sub) if same_sub else (spec.acled.event_type == event_type):
                return k
    return None


def import_acled(path: str | Path, store: Store, scenario: Scenario) -> IngestReport:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RedlineError(f"cannot read ACLED file {path}: {exc}\n  expected: a CSV export from ACLED") from None
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise RedlineError(f"{path} is not an ACLED export: missing column(s) {', '.join(missing)}\n"
                           f"  expected: ACLED's columns, including {', '.join(REQUIRED)}")
    resolver = ActorResolver(scenario)
    known = store.known_ids()
    report = IngestReport()
    arts: list[Article] = []
    for n, row in enumerate(frame.itertuples(index=False), 2):  # line 1 is the header
        where = f"{path}:{n}"

        def actor(name: str) -> str | None:
            found = [m.actor for m in resolver.find(name) if m.actor]
            return found[0] if found else None

        a1, a2 = actor(row.actor1), actor(row.actor2)
        own = str(getattr(row, "action", ""))  # a file redline exported names its actions: keep them
        action = own if own in scenario.actions else _action_for(scenario, a1, a2, row.event_type, row.sub_event_type)
        try:
            date = dt.date.fromisoformat(row.event_date[:10])
        except ValueError:
            report.skipped.append(Skipped(where, f"event_date {row.event_date!r} is not a date (expected YYYY-MM-DD)"))
            continue
        if action is None:
            report.skipped.append(Skipped(where, f"no scenario action for {row.actor1!r} -> {row.actor2!r} "
                                                 f"({row.event_type} / {row.sub_event_type})"))
            continue
        spec = scenario.actions[action]
        doc = Document(f"acled:{row.event_id_cnty}", str(getattr(row, "notes", "")) or row.event_id_cnty,
                       title=f"ACLED {row.event_id_cnty}", date=date, outlet=str(getattr(row, "source", "")) or "ACLED",
                       kind="acled")
        if doc.article_id in known:
            report.already += 1
            continue
        known.add(doc.article_id)
        fat = int(row.fatalities) if str(getattr(row, "fatalities", "")).isdigit() else None

        def num(v: object) -> float | None:
            try:
                return float(v)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return None

        m = Mention(action, spec.actor, spec.target, date, int(getattr(row, "time_precision", "1") or 1), "", 
                    str(getattr(row, "location", "")), str(getattr(row, "admin1", "")), str(getattr(row, "country", "")),
                    int(num(getattr(row, "iso", "")) or 0), num(getattr(row, "latitude", "")),
                    num(getattr(row, "longitude", "")), int(num(getattr(row, "geo_precision", "")) or 0), fat, fat, None,
                    doc.text, 0, len(doc.text), False, "acled")
        arts.append(Article(doc, doc.text, "en", "ok", mentions=[m]))
        report.added += 1
        report.mentions += 1
    store.save(arts)
    report.events = store.rebuild_events()
    return report
