"""The event store: an embedded DuckDB file with articles, mentions, statements, actors and events.

Each article goes in with its mentions in one transaction, under a content
address (:attr:`Document.article_id`): re-ingesting the same text adds
nothing, and an ingest killed midway leaves only whole articles behind.  The
``events`` table is rebuilt from all mentions in one transaction at the end of
every ingest, so it never mixes two states; a rerun after a kill completes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Self

import pandas as pd

from redline.errors import RedlineError
from redline.evidence.dedup import Key, cluster
from redline.evidence.pipeline import Article, Pipeline
from redline.evidence.read import Document, Skipped, discover_files, read_file

DEFAULT_DB = "redline-events.duckdb"

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS mention_ids;
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY, source VARCHAR, url VARCHAR, title VARCHAR, outlet VARCHAR, published DATE,
    language VARCHAR, status VARCHAR, reason VARCHAR, text VARCHAR, ingested_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS skipped (source VARCHAR PRIMARY KEY, reason VARCHAR, seen_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS mentions (
    mention_id BIGINT PRIMARY KEY, article_id VARCHAR, action VARCHAR, actor1 VARCHAR, actor2 VARCHAR,
    date DATE, time_precision INTEGER, date_phrase VARCHAR, location VARCHAR, admin1 VARCHAR, country VARCHAR,
    iso INTEGER, latitude DOUBLE, longitude DOUBLE, geo_precision INTEGER, fatalities_low INTEGER,
    fatalities_high INTEGER, injured INTEGER, sentence VARCHAR, start_char INTEGER, end_char INTEGER,
    background BOOLEAN, trigger VARCHAR, event_id BIGINT);
CREATE TABLE IF NOT EXISTS statements (
    article_id VARCHAR, action VARCHAR, cue VARCHAR, sentence VARCHAR, start_char INTEGER, end_char INTEGER);
CREATE TABLE IF NOT EXISTS actor_mentions (
    article_id VARCHAR, text VARCHAR, actor VARCHAR, start_char INTEGER, end_char INTEGER);
CREATE TABLE IF NOT EXISTS events (
    event_id BIGINT PRIMARY KEY, action VARCHAR, actor1 VARCHAR, actor2 VARCHAR, event_date DATE,
    time_precision INTEGER, location VARCHAR, admin1 VARCHAR, country VARCHAR, iso INTEGER, latitude DOUBLE,
    longitude DOUBLE, geo_precision INTEGER, fatalities_low INTEGER, fatalities_high INTEGER, fatalities INTEGER,
    injured INTEGER, n_sources INTEGER, n_mentions INTEGER, outlets VARCHAR, source_urls VARCHAR,
    background_only BOOLEAN, confidence DOUBLE);
"""


@dataclass
class IngestReport:
    added: int = 0
    already: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    mentions: int = 0
    events: int = 0


Progress = Callable[[int, int, str], None]  # (files done, files total, current file)


class Store:
    def __init__(self, path: str | Path = DEFAULT_DB) -> None:
        import duckdb

        self.path = str(path)
        try:
            self.con = duckdb.connect(self.path)
            self.con.execute(SCHEMA)
        except (duckdb.Error, OSError) as exc:
            raise RedlineError(f"cannot open the event store {self.path}: {exc}\n"
                               "  expected: a DuckDB file written by redline (or a new path)") from None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- writing ---------------------------------------------------------------------------
    def known_ids(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT article_id FROM articles").fetchall()}

    def save(self, arts: list[Article]) -> None:
        """Save whole articles with their mentions, statements and actor mentions in one transaction."""
        if not arts:
            return
        now = dt.datetime.now()
        articles = pd.DataFrame([[a.document.article_id, a.document.source, a.document.url, a.document.title,
                                  a.document.outlet, a.document.date, a.language, a.status, a.reason, a.text, now]
                                 for a in arts])
        mentions = pd.DataFrame([[a.document.article_id, m.action, m.actor1, m.actor2, m.date, m.time_precision,
                                  m.date_phrase, m.location, m.admin1, m.country, m.iso, m.latitude, m.longitude,
                                  m.geo_precision, m.fatalities_low, m.fatalities_high, m.injured, m.sentence, m.start,
                                  m.end, m.background, m.trigger] for a in arts for m in a.mentions],
                                columns=[f"c{i}" for i in range(22)])
        statements = pd.DataFrame([[a.document.article_id, st.action, st.cue, st.sentence, st.start, st.end]
                                   for a in arts for st in a.statements], columns=[f"c{i}" for i in range(6)])
        actors = pd.DataFrame([[a.document.article_id, m.text, m.actor, m.start, m.end] for a in arts for m in a.actors],
                              columns=[f"c{i}" for i in range(5)])
        c = self.con
        c.execute("BEGIN TRANSACTION")
        try:
            c.register("b_articles", articles)
            c.execute("INSERT INTO articles SELECT * FROM b_articles")
            if len(mentions):
                c.register("b_mentions", mentions)
                c.execute("INSERT INTO mentions SELECT nextval('mention_ids'), *, NULL FROM b_mentions")
            if len(statements):
                c.register("b_statements", statements)
                c.execute("INSERT INTO statements SELECT * FROM b_statements")
            if len(actors):
                c.register("b_actors", actors)
                c.execute("INSERT INTO actor_mentions SELECT * FROM b_actors")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        finally:
            for name in ("b_articles", "b_mentions", "b_statements", "b_actors"):
                c.unregister(name)

    def note_skipped(self, s: Skipped) -> None:
        self.con.execute("INSERT OR REPLACE INTO skipped VALUES (?, ?, ?)", [s.source, s.reason, dt.datetime.now()])

    def rebuild_events(self) -> int:
        """Cluster every mention into events and rewrite the events table, in one transaction."""
        m = self.con.execute("SELECT m.*, a.outlet, a.url, a.source FROM mentions m JOIN articles a USING (article_id)").df()
        keys = [Key(int(r.mention_id), r.action, pd.Timestamp(r.date).date(), int(r.time_precision), r.admin1 or "",
                    r.article_id, r.country or "", str(r.source).startswith("acled:")) for r in m.itertuples()]
        ids = cluster(keys)
        m["event_id"] = m.mention_id.map(ids).astype("int64") + 1
        groups: dict[int, list[Any]] = {}
        for r in m.itertuples(index=False):  # plain records: a pandas group per event is 20x slower
            groups.setdefault(int(r.event_id), []).append(r)
        rows = []
        for eid in sorted(groups):
            g = groups[eid]
            best = min(g, key=lambda r: (r.time_precision, bool(r.background), r.geo_precision))
            placed = [r for r in g if r.geo_precision > 0]
            p = min(placed, key=lambda r: r.geo_precision) if placed else best
            lows = [int(r.fatalities_low) for r in g if not pd.isna(r.fatalities_low)]
            highs = [int(r.fatalities_high) for r in g if not pd.isna(r.fatalities_high)]
            injured = [int(r.injured) for r in g if not pd.isna(r.injured)]
            n_sources = len({r.article_id for r in g})
            background_only = all(bool(r.background) for r in g)
            rows.append({
                "event_id": eid, "action": best.action, "actor1": best.actor1, "actor2": best.actor2,
                "event_date": best.date, "time_precision": int(best.time_precision), "location": p.location,
                "admin1": p.admin1, "country": p.country, "iso": int(p.iso) if p.iso else None,
                "latitude": p.latitude, "longitude": p.longitude, "geo_precision": int(p.geo_precision),
                "fatalities_low": min(lows) if lows else None,
                "fatalities_high": max(highs) if highs else None,
                "fatalities": min(lows) if lows else 0,  # ACLED: the most conservative report
                "injured": max(injured) if injured else None,
                "n_sources": n_sources, "n_mentions": len(g),
                "outlets": "; ".join(sorted({r.outlet for r in g if r.outlet})),
                "source_urls": " ".join(sorted({r.url for r in g if r.url})),
                "background_only": background_only,
                "confidence": round(min(0.95, 0.5 + 0.2 * (n_sources - 1)) * (0.7 if background_only else 1.0), 2),
            })
        events = pd.DataFrame(rows, columns=[c[0] for c in self.con.execute("SELECT * FROM events LIMIT 0").description])
        c = self.con
        c.execute("BEGIN TRANSACTION")
        try:
            c.execute("DELETE FROM events")
            if len(events):
                c.register("new_events", events)
                c.execute("INSERT INTO events SELECT * FROM new_events")
                c.unregister("new_events")
                c.register("ids", m[["mention_id", "event_id"]])
                c.execute("UPDATE mentions SET event_id = ids.event_id FROM ids WHERE mentions.mention_id = ids.mention_id")
                c.unregister("ids")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return len(events)

    # ----- reading ----------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        if name not in ("articles", "skipped", "mentions", "statements", "actor_mentions", "events"):
            raise RedlineError(f"unknown table {name!r}")
        return self.con.execute(f"SELECT * FROM {name}").df()

    def events(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM events ORDER BY event_date, event_id").df()


BATCH = 64  # articles saved per transaction: a kill loses at most this many, never part of one


def ingest(paths: Iterable[str | Path], pipeline: Pipeline, store: Store, progress: Progress | None = None,
           published: dt.date | None = None) -> IngestReport:
    """Read, process and save every article under ``paths``; skip and report bad inputs; rebuild events.
    ``published`` is the publication date of articles that carry none (otherwise they are skipped)."""
    report = IngestReport()
    files = list(discover_files(list(paths)))
    known = store.known_ids()
    pending: list[Article] = []
    for i, f in enumerate(files, 1):
        items: list[Document | Skipped] = [f] if isinstance(f, Skipped) else read_file(f)
        for item in items:
            if isinstance(item, Skipped):
                report.skipped.append(item)
                store.note_skipped(item)
                continue
            if item.date is None and published is not None:
                item = replace(item, date=published)
            if item.article_id in known:
                report.already += 1
                continue
            known.add(item.article_id)
            art = pipeline.process(item)
            pending.append(art)
            if art.status != "ok":
                report.skipped.append(Skipped(item.source, art.reason))
                continue
            report.added += 1
            report.mentions += len(art.mentions)
        if len(pending) >= BATCH:
            store.save(pending)
            pending = []
        if progress:
            progress(i, len(files), str(f if not isinstance(f, Skipped) else f.source))
    store.save(pending)
    report.events = store.rebuild_events()
    return report
