"""Place events with a small gazetteer shipped as package data (``data/gazetteer.csv``).

The most specific place a sentence names wins (a base over its city, a city
over its province); "near X" or "outside X" lowers ACLED's geo_precision to 2.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    iso: int
    region: str
    admin1: str
    admin2: str
    latitude: float
    longitude: float
    geo_precision: int
    kind: str


@lru_cache(maxsize=1)
def gazetteer() -> tuple[list[Place], re.Pattern[str], dict[str, int]]:
    """The places, one pattern matching every name and alias, and the place index of each lower-cased name."""
    text = (resources.files("redline.evidence") / "data" / "gazetteer.csv").read_text(encoding="utf-8")
    places: list[Place] = []
    index: dict[str, int] = {}
    for row in csv.DictReader(text.splitlines()):
        p = Place(row["name"], row["country"], int(row["iso"]), row["region"], row["admin1"], row.get("admin2") or "",
                  float(row["latitude"]), float(row["longitude"]), int(row["geo_precision"]), row["kind"])
        for n in [row["name"], *(a for a in (row.get("aliases") or "").split("|") if a.strip())]:
            index.setdefault(n.strip().replace("’", "'"), len(places))
        places.append(p)
    names = sorted(index, key=len, reverse=True)
    # case-sensitive: place names are proper nouns, and "Hit" (a town in Anbar) is also an English verb
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
    return places, pattern, index


_LOCATIVE = re.compile(r"(?:\b(?:in|inside|into|across|within|throughout|at|near|over|of|to|from|western|eastern|"
                       r"northern|southern|central)\s+|, )$")
_SPECIFIC = {"base": 0, "facility": 0, "border_crossing": 1, "town": 2, "city": 3, "district": 4, "province": 5,
             "region": 6, "country": 7}


@dataclass(frozen=True)
class Located:
    place: Place
    phrase: str
    geo_precision: int


def find_place(sentence: str) -> Located | None:
    places, pattern, index = gazetteer()
    best: tuple[int, int, Located] | None = None
    for m in pattern.finditer(sentence.replace("’", "'")):
        p = places[index[m.group(0)]]
        if p.kind == "country" and not _LOCATIVE.search(sentence[max(0, m.start() - 12):m.start()]):
            continue  # "Iran launched missiles", "Iraq's parliament": the state, not the place
        near = bool(re.search(r"\b(?:near|outside|close to|north of|south of|east of|west of|around)\s+(?:the\s+)?$",
                              sentence[max(0, m.start() - 20):m.start()], re.IGNORECASE))
        precision = max(p.geo_precision, 2) if near else p.geo_precision
        rank = (_SPECIFIC.get(p.kind, 5), m.start())
        if best is None or rank < best[:2]:
            best = (*rank, Located(p, m.group(0), precision))
    return best[2] if best else None
