"""Read articles from files: .txt (optional YAML front matter), .html, .jsonl (news-please fields), folders.

Every input becomes either a :class:`Document` or a :class:`Skipped` with the
reason, so that a batch with a bad file still takes the rest.  Nothing here
interprets the text: that is the pipeline's job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 10 * 1024 * 1024  # a news article is kilobytes; anything above this is not one
MIN_HTML_CHARS = 80  # less main text than this is a menu, an error page or broken markup
SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # front matter is a few lines: the C loader is 20x faster


@dataclass(frozen=True)
class Document:
    source: str  # path, or path#line for a .jsonl record
    text: str
    title: str = ""
    date: dt.date | None = None  # publication date
    url: str = ""
    outlet: str = ""
    language: str = ""  # as declared by the source, if any
    kind: str = "txt"

    @property
    def article_id(self) -> str:
        """Content address: the same article read twice (or from two paths) has one id."""
        key = f"{self.url}\n{self.title}\n{self.date}\n{self.text}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def discover_files(paths: list[str | Path]) -> Iterator[Path | Skipped]:
    """The readable files under ``paths`` (folders recursively, in sorted order)."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES:
                    yield f
        elif p.is_file():
            yield p
        else:
            yield Skipped(str(p), "no such file or folder")


def read_file(path: Path) -> list[Document | Skipped]:
    """One file's documents (a .jsonl file may hold many), or why it was skipped."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            return [Skipped(source, "empty file")]
        if size > MAX_BYTES:
            return [Skipped(source, f"file too large for an article: {size:,} bytes (limit {MAX_BYTES:,})")]
        data = path.read_bytes()
    except OSError as exc:
        return [Skipped(source, f"cannot read: {exc.strerror or exc}")]
    if b"\x00" in data[:8192]:
        return [Skipped(source, "binary file (NUL bytes), not text")]
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Skipped(source, f"undecodable bytes: not UTF-8 at byte {exc.start} ({exc.reason})")]
    if not raw.strip():
        return [Skipped(source, "no text (only whitespace)")]
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return [_read_html(source, raw)]
    if suffix == ".jsonl":
        return list(_read_jsonl(source, raw))
    return [_read_text(source, raw)]


def _read_text(source: str, raw: str) -> Document | Skipped:
    meta: dict[str, Any] = {}
    body = raw
    if raw.startswith("---"):
        end = raw.find("\n---", 3)
        if end < 0:
            return Skipped(source, "front matter opened with '---' on line 1 but never closed with '---'")
        try:
            loaded = yaml.load(raw[3:end], Loader=_LOADER)
        except yaml.YAMLError as exc:
            return Skipped(source, f"front matter is not valid YAML: {str(exc).splitlines()[0]}")
        if loaded is not None and not isinstance(loaded, dict):
            return Skipped(source, "front matter must be a mapping (title:, date:, url:, outlet:)")
        meta = loaded or {}
        body = raw[end + 4:].lstrip("\n")
    date = _as_date(meta.get("date"))
    if meta.get("date") is not None and date is None:
        return Skipped(source, f"front matter date {meta.get('date')!r} is not a date (expected YYYY-MM-DD)")
    if not body.strip():
        return Skipped(source, "no article text after the front matter")
    return Document(source, body, title=str(meta.get("title") or ""), date=date, url=str(meta.get("url") or ""),
                    outlet=str(meta.get("outlet") or ""), language=str(meta.get("language") or ""), kind="txt")


def _read_html(source: str, raw: str) -> Document | Skipped:
    import trafilatura
    from htmldate import find_date

    try:
        text = trafilatura.extract(raw, include_comments=False, include_tables=False, favor_precision=True)
        meta = trafilatura.extract_metadata(raw)
        found = find_date(raw, extensive_search=False, original_date=True)
    except Exception as exc:  # noqa: BLE001 - a broken page is skipped with the parser's reason
        return Skipped(source, f"HTML could not be parsed: {type(exc).__name__}: {exc}")
    if not text or len(text.strip()) < MIN_HTML_CHARS:
        return Skipped(source, f"HTML page without article text (broken markup or no main content: "
                               f"{len((text or '').strip())} characters extracted)")
    return Document(source, text, title=(meta.title if meta and meta.title else ""), date=_as_date(found),
                    url=(meta.url if meta and meta.url else ""), outlet=(meta.sitename if meta and meta.sitename else ""),
                    kind="html")


def _read_jsonl(source: str, raw: str) -> Iterator[Document | Skipped]:
    for n, line in enumerate(raw.splitlines(), 1):
        where = f"{source}#{n}"
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(where, f"line {n} is not JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(rec, dict) or not str(rec.get("maintext") or "").strip():
            yield Skipped(where, f"line {n}: expected a JSON object with a non-empty 'maintext'")
            continue
        yield Document(where, str(rec["maintext"]), title=str(rec.get("title") or ""),
                       date=_as_date(rec.get("date_publish")), url=str(rec.get("url") or ""),
                       outlet=str(rec.get("source_domain") or ""), language=str(rec.get("language") or ""),
                       kind="jsonl")


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None
