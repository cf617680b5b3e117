"""Accuracy of the evidence pipeline on the labelled corpus in tests/data/corpus (gold.yaml).

    python benchmarks/eval_corpus.py                   # prints the scores
    python benchmarks/eval_corpus.py --details         # also every miss and false alarm
    python benchmarks/eval_corpus.py --corpus tests/data/heldout   # articles the rules were not tuned on

Scores, each against the gold annotations written with the corpus:
- events: an article's event is found when the pipeline reports, in that article, the same action on a date
  within what the two precisions allow (a day for exact dates, a week, a month); precision, recall, F1 over
  (article, real event) pairs;
- actors: the share of gold actor mentions (surface text in an article) that the resolver gives the gold actor
  (or, for names that are no scenario actor, leaves unresolved);
- duplicates: over pairs of found article-events, whether "same real event" in gold agrees with "same event in
  the store" (pairwise precision and recall of merging);
- statements: gold hypothetical/negated sentences that were wrongly coded as events;
- language: articles in another language that were skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from redline.evidence import DEFAULT_SCENARIO, Pipeline, Store, ingest
from redline.evidence.actors import normalise
from redline.evidence.dedup import SLACK_DAYS
from redline.scenario import load_scenario

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus"


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    actor_accuracy: float
    merge_precision: float
    merge_recall: float
    statements_coded: int
    statements: int
    languages_skipped: int
    languages: int
    details: list[str]


def _key(source: str) -> str:
    path, _, line = source.partition("#")
    return Path(path).name + (f"#{line}" if line else "")


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if hasattr(value, "date") and callable(value.date):  # a pandas Timestamp
        return value.date()  # type: ignore[no-any-return]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(corpus: Path = CORPUS, db: Path | None = None, pipeline: Pipeline | None = None) -> Scores:
    """Scores of ``pipeline`` (default: the built-in scenario's, with the shipped reader) on ``corpus``."""
    gold = yaml.safe_load((corpus / "gold.yaml").read_text(encoding="utf-8"))
    pipeline = pipeline or Pipeline(load_scenario(DEFAULT_SCENARIO).scenario)
    with tempfile.TemporaryDirectory() as tmp:
        path = db or Path(tmp) / "corpus.duckdb"
        with Store(path) as store:
            ingest([corpus], pipeline, store)
        with Store(path) as store:
            articles = store.table("articles")
            mentions = store.table("mentions")
            actors = store.table("actor_mentions")
    by_source = {_key(s): a for s, a in zip(articles.source, articles.article_id, strict=True)}
    details: list[str] = []
    tp, n_pred, n_gold = 0, 0, 0
    found: list[tuple[str, str, int]] = []  # (article, gold event id, predicted event id)
    act_ok = act_n = 0
    st_coded = st_n = 0
    lang_ok = lang_n = 0
    for name, g in gold["articles"].items():
        aid = by_source.get(name)
        status = articles.set_index("article_id").status.get(aid) if aid else None
        if g.get("language", "en") != "en":
            lang_n += 1
            lang_ok += int(status == "skipped")
            continue
        if aid is None:
            details.append(f"{name}: not ingested")
        m = mentions[mentions.article_id == aid] if aid else mentions.iloc[0:0]
        pred = {int(e): g_ for e, g_ in m.groupby("event_id")}  # predicted article-events
        n_pred += len(pred)
        gold_events = {}
        for ev in g.get("events") or []:
            gold_events.setdefault(ev["event"], ev)
        n_gold += len(gold_events)
        used: set[int] = set()
        for gid, ev in gold_events.items():
            gd = _date(ev["date"])
            match = None
            for eid, rows in pred.items():
                if eid in used:
                    continue
                for r in rows.itertuples():
                    slack = SLACK_DAYS.get(max(int(ev.get("time_precision", 1)), int(r.time_precision)), 31)
                    if r.action == ev["action"] and abs((_date(r.date) - gd).days) <= slack:
                        match = eid
                        break
                if match is not None:
                    break
            if match is None:
                details.append(f"{name}: missed {gid} {ev['action']} {gd} | {ev.get('sentence', '')[:90]}")
                continue
            used.add(match)
            tp += 1
            found.append((name, gid, match))
        for eid, rows in pred.items():
            if eid not in used:
                r = rows.iloc[0]
                details.append(f"{name}: false alarm {r.action} {r.date} | {r.sentence[:90]}")
        a = actors[actors.article_id == aid] if aid else actors.iloc[0:0]
        resolved = {}
        for r in a.itertuples():
            resolved.setdefault(normalise(r.text), set()).add(r.actor)
        for am in g.get("actors") or []:
            act_n += 1
            want = normalise(str(am["text"])).lower()
            # the same mention may be delimited differently ("Pentagon" / "the Pentagon"): containment counts
            got = set().union(*([v for k, v in resolved.items() if want in k.lower() or k.lower() in want] or [set()]))
            ok = (am["actor"] in got) if am["actor"] else not (got - {None})
            act_ok += int(ok)
            if not ok:
                details.append(f"{name}: actor {am['text']!r} should be {am['actor']}, resolved {sorted(map(str, got))}")
        for st in g.get("statements") or []:
            st_n += 1
            coded = any(normalise(str(st)).strip() in normalise(s) or normalise(s) in normalise(str(st))
                        for s in m.sentence)
            st_coded += int(coded)
            if coded:
                details.append(f"{name}: statement coded as an event | {str(st)[:90]}")
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    pairs = [(a, b) for a, b in itertools.combinations(found, 2) if a[0] != b[0]]
    same_gold = [a[1] == b[1] for a, b in pairs]
    same_pred = [a[2] == b[2] for a, b in pairs]
    both = sum(g and p for g, p in zip(same_gold, same_pred, strict=True))
    merge_p = both / sum(same_pred) if sum(same_pred) else 1.0
    merge_r = both / sum(same_gold) if sum(same_gold) else 1.0
    return Scores(precision, recall, _f1(precision, recall), act_ok / act_n if act_n else 0.0, merge_p, merge_r,
                  st_coded, st_n, lang_ok, lang_n, details)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="folder with the articles and gold.yaml")
    ap.add_argument("--rules-only", action="store_true", help="without the learned reader")
    args = ap.parse_args()
    pipeline = Pipeline(load_scenario(DEFAULT_SCENARIO).scenario, **({"reader": None} if args.rules_only else {}))
    s = evaluate(args.corpus, pipeline=pipeline)
    print(f"corpus: {args.corpus}" + (" (rules only)" if args.rules_only else ""))
    print(f"events: precision {s.precision:.3f}, recall {s.recall:.3f}, F1 {s.f1:.3f}")
    print(f"actor resolution accuracy: {s.actor_accuracy:.3f}")
    print(f"duplicates merged: pairwise precision {s.merge_precision:.3f}, recall {s.merge_recall:.3f}")
    print(f"hypothetical/negated statements coded as events: {s.statements_coded} of {s.statements}")
    print(f"non-English articles skipped: {s.languages_skipped} of {s.languages}")
    if args.details:
        print("\n".join(s.details))


if __name__ == "__main__":
    main()
