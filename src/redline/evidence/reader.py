"""A learned second reader: which of the scenario's actions a sentence reports.

The phrase rules of :mod:`redline.evidence.extract` are exact where they fit and
blind where a writer words things their own way.  This reader scores each
sentence with one logistic regression per action over generic features: the
word stems and stem pairs of the sentence, the cues the rules look for (actors
named or implied, target words, trigger words of each kind, a hypothetical cue,
a running total, a date) and every pair of those cues, so that "a trigger of
attacks near a US target" weighs as a whole.  The pipeline adds what the reader
is sure of and the rules missed.

It is trained on the labelled corpora (``benchmarks/train_reader.py``, with
scikit-learn) and ships as plain weights in ``data/reader.json``; applying it
is a sparse dot product, no pickle, no model download.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import snowballstemmer

from redline.evidence.actors import ActorMention
from redline.evidence.extract import _us_subject, lexicon

FEATURES_VERSION = 1
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*")
_DATEISH = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|overnight|today|"
                      r"january|february|march|april|june|july|august|september|october|november|december|"
                      r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b|\b(?:days?|hours?|weeks?) (?:later|after|ago|earlier)",
                      re.IGNORECASE)
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if word[0].isdigit():
        return "<num>"
    return str(_STEMMER.stemWord(word.lower().replace("'s", "").strip("'")))


def cues(text: str, mentioned: Sequence[ActorMention]) -> list[str]:
    """The rules' cues present in a sentence, as feature names."""
    lex = lexicon()
    out = {f"a:{m.actor}" for m in mentioned if m.actor and not m.backer}
    out |= {f"i:{k}" for k, p in lex["implied"].items() if p.search(text)}
    out |= {f"t:{k}" for k, p in lex["targets"].items() if p.search(text)}
    out |= {f"g:{k}" for k, p in lex["triggers"].items() if p.search(text)}
    for name, key in (("modal", "m:modal"), ("trend", "m:trend"), ("background", "m:background")):
        if lex[name].search(text):
            out.add(key)
    if _us_subject(text):
        out.add("s:us")
    if _DATEISH.search(text):
        out.add("d:date")
    return sorted(out)


def features(text: str, mentioned: Sequence[ActorMention]) -> set[str]:
    """Word stems, stem pairs, the rules' cues and every pair of cues."""
    stems = [_stem(w) for w in _TOKEN.findall(text)]
    found = {f"w:{s}" for s in stems}
    found.update(f"b:{a}_{b}" for a, b in pairwise(stems))
    c = cues(text, mentioned)
    found.update(c)
    found.update(f"{a}&{b}" for a, b in combinations(c, 2))
    return found


@dataclass(frozen=True)
class Reader:
    actions: tuple[str, ...]
    vocabulary: dict[str, int]
    weights: np.ndarray  # (features, actions)
    bias: np.ndarray  # (actions,)
    threshold: float  # an action is added above this probability where the rules found nothing
    threshold_beside: float  # and above this one beside what the rules found
    trained_on: tuple[str, ...] = ()

    def scores(self, text: str, mentioned: Sequence[ActorMention]) -> dict[str, float]:
        """The probability that the sentence reports each action."""
        rows = [self.vocabulary[f] for f in features(text, mentioned) if f in self.vocabulary]
        z = self.bias + (self.weights[rows].sum(axis=0) if rows else 0.0)
        return dict(zip(self.actions, (1.0 / (1.0 + np.exp(-z))).tolist(), strict=True))

    def to_dict(self) -> dict[str, Any]:
        return {"features_version": FEATURES_VERSION, "actions": list(self.actions), "threshold": self.threshold,
                "threshold_beside": self.threshold_beside, "trained_on": list(self.trained_on), "bias": [round(float(b), 5) for b in self.bias],
                "weights": {f: [round(float(w), 5) for w in self.weights[i]] for f, i in self.vocabulary.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reader:
        if data.get("features_version") != FEATURES_VERSION:
            raise ValueError(f"reader weights are for features version {data.get('features_version')!r}, "
                             f"expected {FEATURES_VERSION}: retrain with benchmarks/train_reader.py")
        names = list(data["weights"])
        return cls(tuple(data["actions"]), {f: i for i, f in enumerate(names)},
                   np.array([data["weights"][f] for f in names], dtype=float).reshape(len(names), len(data["actions"])),
                   np.array(data["bias"], dtype=float), float(data["threshold"]), float(data["threshold_beside"]),
                   tuple(data.get("trained_on", ())))

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), separators=(",", ":")), encoding="utf-8")


@lru_cache(maxsize=1)
def shipped_reader() -> Reader | None:
    """The reader trained on the project's labelled corpora, or None if the package ships none."""
    path = resources.files("redline.evidence") / "data" / "reader.json"
    if not path.is_file():
        return None
    return Reader.from_dict(json.loads(path.read_text(encoding="utf-8")))


def train(examples: Iterable[tuple[set[str], set[str]]], actions: Sequence[str], *, c: float = 1.0,
          min_count: int = 2, threshold: float = 0.25, threshold_beside: float = 0.6,
          trained_on: Sequence[str] = ()) -> Reader:
    """Fit one L2-regularised logistic regression per action on (features, actions reported) pairs.
    Features seen fewer than ``min_count`` times are left out; actions with no positive example get a
    bias that never fires."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    data = list(examples)
    counts: dict[str, int] = {}
    for feats, _ in data:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    vec = DictVectorizer()
    x = vec.fit_transform([{f: 1 for f in feats if counts[f] >= min_count} for feats, _ in data])
    x = x.tocsr()
    x.indices, x.indptr = x.indices.astype(np.int32), x.indptr.astype(np.int32)  # liblinear wants 32-bit indices
    names = list(vec.get_feature_names_out())
    weights = np.zeros((len(names), len(actions)))
    bias = np.full(len(actions), -20.0)
    for j, action in enumerate(actions):
        y = np.array([action in labels for _, labels in data])
        if y.sum() == 0:
            continue
        model = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
        model.fit(x, y)
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    keep = np.abs(weights).max(axis=1) >= 1e-4
    kept = [n for n, k in zip(names, keep, strict=True) if k]
    return Reader(tuple(actions), {f: i for i, f in enumerate(kept)}, weights[keep], bias, threshold,
                  threshold_beside, tuple(trained_on))


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def corpus_examples(folder: Path, pipeline: Any) -> list[tuple[set[str], set[str]]]:
    """(features, actions reported) for every sentence of a labelled corpus that the reader would score:
    a sentence reports the actions of the gold events whose sentence it is (or overlaps)."""
    import yaml

    from redline.evidence.extract import sentences, worth_reading
    from redline.evidence.read import Document, read_file

    gold = yaml.safe_load((folder / "gold.yaml").read_text(encoding="utf-8"))["articles"]
    out = []
    for path in sorted(p for p in folder.iterdir() if p.name != "gold.yaml"):
        for doc in read_file(path):
            if not isinstance(doc, Document):
                continue
            name, _, line = doc.source.partition("#")
            g = gold.get(Path(name).name + (f"#{line}" if line else "")) or {}
            events = [(_plain(e["sentence"]), e["action"]) for e in g.get("events") or []]
            art = pipeline.process(doc)
            if art.status != "ok":
                continue
            for s in sentences(art.text):
                if not worth_reading(s.text):
                    continue
                plain = _plain(s.text)
                labels = {a for sent, a in events if sent in plain or plain in sent}
                out.append((features(s.text, [m for m in art.actors if s.start <= m.start < s.end]), labels))
    return out
