"""Ingestion speed: articles per second into a fresh event store (not a test: prints figures).

    python benchmarks/bench_ingest.py                 # 1,000 synthetic articles of about 5 KB
    python benchmarks/bench_ingest.py --articles 200

Writes the articles to a temporary folder, ingests them with `redline.evidence.ingest_paths` into a new
DuckDB file, and prints articles per second for the whole run (reading, cleaning, language detection,
extraction, saving, deduplication) and the share spent in each part.  The target in issue 4 is >= 100/s.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import redline
from redline.evidence import ingest_paths
from redline.evidence.synthetic import make_articles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--profile", action="store_true", help="also print the 15 most expensive functions")
    args = ap.parse_args()
    print(f"redline {redline.__version__}, {os.cpu_count()} cores, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        texts = make_articles(args.articles, seed=1)
        for i, t in enumerate(texts):
            (folder / f"{i:05d}.txt").write_text(t, encoding="utf-8")
        size = sum(len(t.encode()) for t in texts) / len(texts)
        ingest_paths([folder / "00000.txt"], db=Path(tmp) / "warm.duckdb")  # imports, models, gazetteer
        prof = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        report = ingest_paths([folder], db=Path(tmp) / "events.duckdb")
        if prof:
            prof.disable()
        dt = time.perf_counter() - t0
        print(f"{report.added:,} articles of {size / 1024:.1f} KB on average in {dt:.2f} s: "
              f"{report.added / dt:,.0f} articles per second (target >= 100); "
              f"{report.mentions:,} event mentions, {report.events:,} events after deduplication")
        again = time.perf_counter()
        second = ingest_paths([folder], db=Path(tmp) / "events.duckdb")
        print(f"re-ingesting the same folder: {second.added} added, {second.already:,} already there, "
              f"{time.perf_counter() - again:.2f} s")
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(15)


if __name__ == "__main__":
    main()
