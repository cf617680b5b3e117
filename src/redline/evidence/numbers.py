"""Counts in news prose: killed, wounded, rockets, drones.

"at least two dozen" is 24, "dozens" 12, "several" 3, "30-plus" 30, "a
handful" 3, "scores" 20, "between 15 and 25" gives 15 and 25.  A hand-written
parser: the PyPI packages that turn words into numbers are unmaintained
(word2number) or pull in a whole NLP stack, and this theatre needs only
cardinals up to the thousands plus the vague quantifiers above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])}
_VAGUE = {"a dozen": 12, "dozens": 12, "dozens of": 12, "several": 3, "a handful": 3, "a handful of": 3,
          "a few": 3, "few": 3, "scores": 20, "scores of": 20, "hundreds": 100, "a couple of": 2, "a couple": 2,
          "a": 1, "an": 1, "another": 1, "a single": 1}

_WORD = r"(?:\d[\d,]*|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred)"
NUMBER = (rf"\b(?:(?:at least|more than|over|nearly|almost|about|around|some|up to|roughly|as many as)\s+)?"
          rf"(?:{_WORD}(?:\s+dozen)?(?:-plus|\+)?|a dozen|dozens(?: of)?|several|a handful(?: of)?|a few|scores(?: of)?"
          rf"|hundreds|a couple(?: of)?)\b")
_PEOPLE = (r"(?:(?:U\.?S\.?|American|Iraqi|Iranian|Israeli|Jordanian|Syrian|militia|KH|security|coalition|civilian|"
           r"private|military|service|Army|Air Force|Navy|Marine|senior|Kata'ib Hezbollah|Hezbollah)\s+)*"
           r"(?:people|persons|soldiers|troops|service ?members|servicemen|fighters|members|militiamen|militants|"
           r"civilians|contractors?|personnel|officers|guards|commanders?|men|Americans|Iraqis|others|"
           r"(?:U\.?S\.? )?(?:citizens?))")
_KILLED = re.compile(
    rf"(?P<n>{NUMBER})\s+(?:{_PEOPLE}\s+)?(?:(?!\d|killed\b|wounded\b|injured\b|and\b|while\b)[A-Za-z.'-]+\s+){{0,3}}?(?:were|was|have been|had been|are)?\s*(?:killed|dead|died|slain)"
    rf"|(?:killed|killing|kills|left)\s+(?P<n2>{NUMBER})(?:\s+{_PEOPLE})?"
    rf"|death toll (?:of|at|rose to|reached|stood at|climbed to)\s+(?P<n3>{NUMBER})"
    rf"|(?P<n4>{NUMBER})\s+deaths?"
    rf"|(?:killed|killing|kills)\s+(?P<n5>an?|another|a single)\s+{_PEOPLE}"
    rf"|\b(?P<n6>an?|one)\s+{_PEOPLE}\s+(?:was|has been|had been)\s+killed", re.IGNORECASE)
_WOUNDED = re.compile(
    rf"(?P<n>{NUMBER})\s+(?:{_PEOPLE}\s+)?(?:(?!\d|killed\b|wounded\b|injured\b|and\b|while\b)[A-Za-z.'-]+\s+){{0,3}}?(?:were|was|have been)?\s*(?:wounded|injured|hurt)"
    rf"|(?:wounding|injuring|wounded|injured)\s+(?P<n2>{NUMBER})", re.IGNORECASE)
_RANGE = re.compile(rf"between\s+(?P<a>{_WORD})\s+and\s+(?P<b>{_WORD})", re.IGNORECASE)


def parse_number(text: str) -> int | None:
    """The value of one number phrase, or None."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    t = re.sub(r"^(at least|more than|over|nearly|almost|about|around|some|up to|roughly|as many as) ", "", t)
    t = t.removesuffix("-plus").removesuffix("+").strip()
    if t in _VAGUE:
        return _VAGUE[t]
    dozen = t.endswith(" dozen")
    if dozen:
        t = t[: -len(" dozen")]
    value: int | None
    if re.fullmatch(r"\d[\d,]*", t):
        value = int(t.replace(",", ""))
    elif t in _UNITS:
        value = _UNITS[t]
    elif t == "hundred":
        value = 100
    else:
        m = re.fullmatch(r"(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](\w+))?", t)
        value = (_TENS[m.group(1)] + (_UNITS.get(m.group(2), 0) if m.group(2) else 0)) if m else None
    if value is None:
        return None
    return value * 12 if dozen else value


@dataclass(frozen=True)
class Counts:
    killed: tuple[int, ...] = ()
    wounded: tuple[int, ...] = ()

    @property
    def killed_low(self) -> int | None:
        return min(self.killed) if self.killed else None

    @property
    def killed_high(self) -> int | None:
        return max(self.killed) if self.killed else None

    @property
    def wounded_max(self) -> int | None:
        return max(self.wounded) if self.wounded else None


def _values(pattern: re.Pattern[str], text: str) -> list[int]:
    out = []
    for m in pattern.finditer(text):
        phrase = next((g for g in m.groups() if g), None)
        if phrase is None:
            continue
        v = parse_number(phrase)
        if v is not None and v < 100_000:
            out.append(v)
    return out


_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_NOT_COUNTS = re.compile(
    rf"{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?:\s+\d{{4}})?"
    rf"|\b(?:19|20)\d\d\b|\b{_WORD}\s+(?:days?|weeks?|months?|years?|hours?|nights?)\b", re.IGNORECASE)


def find_counts(sentence: str) -> Counts:
    """All killed and wounded figures a sentence gives (several when reports conflict).  Dates and
    durations ("December 29", "two days earlier") are masked first: they are not counts."""
    sentence = _NOT_COUNTS.sub(lambda m: "_" * len(m.group(0)), sentence)
    killed = _values(_KILLED, sentence)
    for m in _RANGE.finditer(sentence):
        if re.search(r"killed|dead|died|deaths", sentence[m.end():m.end() + 60], re.IGNORECASE):
            killed += [v for v in (parse_number(m.group("a")), parse_number(m.group("b"))) if v is not None]
    return Counts(tuple(sorted(set(killed))), tuple(sorted(set(_values(_WOUNDED, sentence)))))
