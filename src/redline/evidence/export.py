"""Export the event store: ACLED's 31 columns (then redline's own), PLOVER JSON, CSV and parquet.

ACLED columns are filled the way ACLED codes this theatre: foreign state
forces as "Military Forces of X" with inter code 8 (external/other forces),
Iraqi state forces 1, militias 3 (political militia), rioters 5, protesters
6; ``fatalities`` is the most conservative figure reported, and the range
lives in redline's ``fatalities_low``/``fatalities_high`` columns.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from redline.errors import RedlineError
from redline.scenario.model import Scenario

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
REDLINE_COLUMNS = ["actor1_id", "actor2_id", "action", "plover_type", "fatalities_low", "fatalities_high", "injured",
                   "n_sources", "source_urls", "confidence"]
FORMATS = ("acled", "plover", "csv", "parquet")

_ACLED_NAMES = {"us": "Military Forces of the United States", "iran": "Military Forces of Iran",
                "iraq": "Military Forces of Iraq", "israel": "Military Forces of Israel", "kh": "Kataib Hezbollah",
                "pmf": "Popular Mobilization Forces", "sadr": "Sadrist Movement", "lh": "Hezbollah"}
_INTER = {"us": 8, "iran": 8, "israel": 8, "iraq": 1, "kh": 3, "pmf": 3, "lh": 3, "sadr": 6}
_ISO3 = {368: "IRQ", 760: "SYR", 400: "JOR", 364: "IRN", 376: "ISR", 422: "LBN"}


def _disorder(event_type: str) -> str:
    if event_type in ("Protests", "Riots"):
        return "Demonstrations"
    if event_type == "Strategic developments":
        return "Strategic developments"
    return "Political violence"


def acled_frame(events: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """One row per event, ACLED's 31 columns in ACLED's order, then redline's."""
    rows = []
    stamp = int(dt.datetime.now(dt.UTC).timestamp())
    for e in events.itertuples():
        spec = scenario.actions.get(e.action)
        event_type = spec.acled.event_type if spec else ""
        sub = spec.acled.sub_event_type if spec else ""
        a2 = e.actor2
        inter1 = 5 if event_type == "Riots" else 6 if event_type == "Protests" else _INTER.get(e.actor1, 0)
        inter2 = _INTER.get(a2, 0) if event_type not in ("Protests", "Strategic developments") else 0
        date = pd.Timestamp(e.event_date).date()
        iso = int(e.iso) if pd.notna(e.iso) and e.iso else 0
        notes = (f"On {date:%d %B %Y}, {scenario.actors[e.actor1].name} -> {scenario.actors[a2].name}: "
                 f"{spec.description if spec else e.action} Reported by {e.n_sources} source(s)"
                 + (f"; fatalities reported {e.fatalities_low}-{e.fatalities_high}" if pd.notna(e.fatalities_low) else "")
                 + ". [redline]")
        rows.append({
            # UNK: the reports name no place
            "event_id_cnty": f"{_ISO3.get(iso, 'UNK')}RL{int(e.event_id)}", "event_date": date.isoformat(),
            "year": date.year, "time_precision": int(e.time_precision), "disorder_type": _disorder(event_type),
            "event_type": event_type, "sub_event_type": sub, "actor1": _ACLED_NAMES.get(e.actor1, e.actor1),
            "assoc_actor_1": "", "inter1": inter1, "actor2": _ACLED_NAMES.get(a2, a2) if inter2 else "",
            "assoc_actor_2": "", "inter2": inter2 or "", "interaction": int(f"{min(inter1, inter2 or 0)}{max(inter1, inter2 or 0)}")
            if inter2 else inter1 * 10, "civilian_targeting": "", "iso": iso or "", "region": "Middle East" if iso else "",
            "country": e.country or "", "admin1": e.admin1 or "", "admin2": "", "admin3": "", "location": e.location or "",
            "latitude": e.latitude if pd.notna(e.latitude) else "", "longitude": e.longitude if pd.notna(e.longitude) else "",
            "geo_precision": int(e.geo_precision) if e.geo_precision else "", "source": e.outlets or "",
            "source_scale": "International" if e.n_sources > 1 else "National", "notes": notes,
            "fatalities": int(e.fatalities) if pd.notna(e.fatalities) else 0, "tags": "", "timestamp": stamp,
            "actor1_id": e.actor1, "actor2_id": a2, "action": e.action, "plover_type": spec.plover if spec else "",
            "fatalities_low": e.fatalities_low, "fatalities_high": e.fatalities_high, "injured": e.injured,
            "n_sources": int(e.n_sources), "source_urls": e.source_urls or "", "confidence": float(e.confidence),
        })
    return pd.DataFrame(rows, columns=ACLED_COLUMNS + REDLINE_COLUMNS)


def plover_records(events: pd.DataFrame, scenario: Scenario) -> list[dict[str, object]]:
    """PLOVER-style JSON records (event type, actors, date, location, provenance)."""
    out = []
    for e in events.itertuples():
        spec = scenario.actions.get(e.action)
        out.append({
            "id": f"redline-{int(e.event_id)}", "date": pd.Timestamp(e.event_date).date().isoformat(),
            "date_precision": {1: "day", 2: "week", 3: "month"}.get(int(e.time_precision), "unknown"),
            "event": spec.plover if spec else "", "mode": "", "context": [e.action],
            "actor": scenario.actors[e.actor1].name, "actor_id": e.actor1,
            "recipient": scenario.actors[e.actor2].name, "recipient_id": e.actor2,
            "location": {"name": e.location or None, "admin1": e.admin1 or None, "country": e.country or None,
                         "lat": e.latitude if pd.notna(e.latitude) else None,
                         "lon": e.longitude if pd.notna(e.longitude) else None},
            "fatalities": {"best": int(e.fatalities) if pd.notna(e.fatalities) else 0,
                           "low": None if pd.isna(e.fatalities_low) else int(e.fatalities_low),
                           "high": None if pd.isna(e.fatalities_high) else int(e.fatalities_high)},
            "sources": (e.source_urls or "").split(), "n_sources": int(e.n_sources), "confidence": float(e.confidence),
        })
    return out


def export(events: pd.DataFrame, scenario: Scenario, fmt: str, path: str | Path) -> int:
    """Write ``events`` in ``fmt`` to ``path``; returns the number of records."""
    if fmt not in FORMATS:
        raise RedlineError(f"unknown export format {fmt!r}\n  expected: one of {', '.join(FORMATS)}")
    out = Path(path)
    if fmt == "plover":
        records = plover_records(events, scenario)
        out.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
        return len(records)
    frame = acled_frame(events, scenario)
    if fmt == "parquet":  # typed columns: "" (ACLED's blank) becomes a null
        frame.replace("", None).convert_dtypes().to_parquet(out, index=False)
    else:
        frame.to_csv(out, index=False)
    return len(frame)
