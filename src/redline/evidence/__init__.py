"""Evidence: news articles in, deduplicated, sourced events out (DuckDB store, ACLED and PLOVER export).

    from redline.evidence import ingest_paths, open_store
    report = ingest_paths(["articles/"], db="events.duckdb", scenario="iraq-2024")
    open_store("events.duckdb").events()      # DataFrame, one row per deduplicated event
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from redline.evidence.export import ACLED_COLUMNS, FORMATS, REDLINE_COLUMNS, acled_frame, export, plover_records
from redline.evidence.pipeline import Article, Mention, Pipeline, Statement
from redline.evidence.read import Document, Skipped, read_file
from redline.evidence.store import DEFAULT_DB, IngestReport, Progress, Store, ingest
from redline.scenario.load import LoadedScenario, load_scenario

DEFAULT_SCENARIO = "iraq-2024"  # the preset whose actors and actions cover every period of the theatre


def open_store(db: str | Path = DEFAULT_DB) -> Store:
    return Store(db)


def ingest_paths(paths: Iterable[str | Path], *, db: str | Path = DEFAULT_DB,
                 scenario: str | LoadedScenario = DEFAULT_SCENARIO, progress: Progress | None = None,
                 published: dt.date | None = None) -> IngestReport:
    """Ingest files and folders into the store at ``db``; bad inputs are skipped and reported.
    ``published`` dates the articles that carry no publication date of their own."""
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    with Store(db) as store:
        return ingest(paths, Pipeline(loaded.scenario), store, progress, published)


__all__ = [
    "ACLED_COLUMNS", "DEFAULT_DB", "DEFAULT_SCENARIO", "FORMATS", "REDLINE_COLUMNS", "Article", "Document",
    "IngestReport", "Mention", "Pipeline", "Skipped", "Statement", "Store", "acled_frame", "export", "ingest",
    "ingest_paths", "open_store", "plover_records", "read_file",
]
