"""Dates in news prose, resolved against the publication date, with ACLED's time_precision.

1 = the day is known ("on Friday", "Dec. 29", "yesterday"), 2 = the week
("last week", "earlier this week"), 3 = the month ("earlier this month",
"last summer", "in January").  Calendar dates go through dateparser with
``PREFER_DATES_FROM: past`` and the publication date as ``RELATIVE_BASE``,
so "December 29" in a January article lands in the year before; the
relative phrases dateparser does not know are resolved here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_SEASONS = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1}
_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "a": 1, "an": 1, "a few": 3, "several": 3}


def count_word(word: str) -> int:
    """A small count as written in a date phrase: "3", "three", "a", "a few"."""
    return int(word) if word.isdigit() else _NUM[word.lower()]

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(k, re.compile(p, re.IGNORECASE)) for k, p in [
    ("calendar", rf"\b{_MONTH}\s+{_DAY}(?:,?\s+(?:19|20)\d\d)?\b|\b{_DAY}\s+{_MONTH}(?:,?\s+(?:19|20)\d\d)?\b"),
    ("weekday", (r"\b(?:on|last|this|late|early)?\s*(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
                r"(?:\s+(?:morning|afternoon|evening|night))?\b")),
    ("yesterday", r"\b(?:yesterday|last night|overnight)\b"),
    ("today", r"\b(?:today|this morning|earlier today|tonight)\b"),
    ("days_ago", r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+days?\s+(?:ago|earlier|before)\b"),
    ("then", r"^\W*(?:Then|Soon after(?:wards)?|Shortly after(?:wards)?|Afterwards)\b"),
    ("next_day", r"\b(?:the next day|the following day|a day later|the day after)\b"),
    ("later_period", r"\blater (?:that|the same) (?P<p>month|week)\b"),
    ("later", r"\b(?:hours|minutes|moments) (?:later|afterwards?)\b|\blater that (?:day|night|evening)\b|"
              r"\b(?:that(?: same| very)?|the same) (?:day|night|evening|morning|afternoon)\b"),
    ("holiday", r"\b(?:on )?(?:New Year's (?P<ny>Eve|Day)|Christmas (?P<xm>Eve|Day))\b"),
    ("days_after", r"\b(?:(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+)?days? (?:after|later)\b"),
    ("years_ago", r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+(?P<u>years?|months?)\s+ago\b"),
    ("week", r"\b(?:last week|earlier this week|this week|the previous week|past week)\b"),
    ("month_rel", r"\b(?:earlier this month|this month|last month|the previous month|past month)\b"),
    ("season", r"\b(?:(?:last|this|in the|during the)\s+(?P<s>spring|summer|autumn|fall|winter)(?:\s+of\s+(?:"
               r"(?P<y>(?:19|20)\d\d)|(?P<ly>last year)))?|the\s+(?P<s2>spring|summer|autumn|fall|winter)\s+of\s+(?:"
               r"(?P<y2>(?:19|20)\d\d)|(?P<ly2>last year)))\b"),
    ("month_year", rf"\b(?:in|since|during|of|late|early|mid-?)?\s*{_MONTH}(?:\s+(?:19|20)\d\d)?\b"),
    ("year", r"\b(?:in|since|during|throughout|back in|of)\s+(?P<y>(?:19|20)\d\d)\b"),
]]


_REPORTED = re.compile(r"\b(?:(?:said|says|told (?:\w+ ){0,2}?|announced|confirmed|reported|stated|added|acknowledged|"
                       r"disclosed|admitted|claimed)\s*(?:late |early )?(?:on\s*)?|(?:by|until|till|no later than)\s+)$",
                       re.IGNORECASE)
_DURATION = re.compile(r"\bsince\s+(?:(?:late|early|mid-?)\s*)?", re.IGNORECASE)
_ANY = re.compile(r"\d|day\b|New Year|Christmas|days\b|next day|following day|night|week|month|years? ago|later|then|after|today|tonight|morning|spring|summer|autumn|fall|winter|"
                  rf"{_MONTH}", re.IGNORECASE)  # a cheap test before the full patterns


@dataclass(frozen=True)
class EventDate:
    date: dt.date
    precision: int  # ACLED time_precision: 1 day, 2 week, 3 month
    phrase: str  # the words in the text ("" when the publication date was used)


def _parse_calendar(phrase: str, published: dt.date) -> dt.date | None:
    import dateparser

    base = dt.datetime.combine(published, dt.time(23, 59))
    parsed = dateparser.parse(phrase.replace(".", ""), languages=["en"],
                              settings={"PREFER_DATES_FROM": "past", "RELATIVE_BASE": base,
                                        "REQUIRE_PARTS": ["month"]})
    return parsed.date() if parsed else None


def find_date(sentence: str, published: dt.date, anchor: EventDate | dt.date | None = None,
              near: int | None = None) -> EventDate | None:
    """The first date phrase in ``sentence``, resolved; None if it has none.  ``anchor`` is the date the
    text last named: "two days earlier", "hours later", "days after that vote" count from it, with its
    precision at best ("two days ago" counts from publication)."""
    if not _ANY.search(sentence):
        return None
    if isinstance(anchor, dt.date):
        anchor = EventDate(anchor, 1, "")
    found = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(sentence):
            if m.group(0).strip():
                found.append((m.start() + len(m.group(0)) - len(m.group(0).lstrip()), kind, m))
    found = [f for f in found if not any(g is not f and g[2].start() <= f[2].start() and f[2].end() <= g[2].end()
                                         and g[2].end() - g[2].start() > f[2].end() - f[2].start() for g in found)]
    # "5 March" is a day: its "March" alone is no second phrase
    order = [k for k, _ in _PATTERNS]

    def reported(f: tuple[int, str, re.Match[str]]) -> bool:  # "the military said on Wednesday that ...": when it
        return bool(_REPORTED.search(sentence[max(0, f[0] - 40):f[0]]))  # was said, not when it happened; "by
        # Jan. 15", "until March": a deadline

    key = (lambda f: (reported(f), f[0], order.index(f[1]))) if near is None else (
        lambda f: (reported(f), abs(f[0] - near), order.index(f[1])))  # the phrase closest to the trigger
    for _, kind, m in sorted(found, key=key):
        if kind in ("year", "month_year", "season") and _DURATION.search(sentence[max(0, m.start() - 8):m.end()]) and (
                near is None or near < m.start() or not re.match(r",? when\b", sentence[m.end():])):
            continue  # "a role it has played since 2017": when something began, not when the event happened;
            # but "since last summer, when American jets bombed ..." dates the bombing
        resolved = _resolve(kind, m, published, anchor)
        if resolved is not None:
            return resolved
    return None


def _resolve(kind: str, m: re.Match[str], published: dt.date, anchor: EventDate | None) -> EventDate | None:
    phrase = m.group(0).strip()
    low = phrase.lower()
    if kind == "calendar":
        d = _parse_calendar(phrase, published)
        return EventDate(d, 1, phrase) if d else None
    if kind == "weekday":
        day = next(i for i, w in enumerate(_WEEKDAYS) if w in low)
        back = (published.weekday() - day) % 7  # the last such day, publication day included (wire copy),
        if back == 0 and low.startswith("last"):  # but "last Wednesday" in a Wednesday paper is a week ago
            back = 7
        return EventDate(published - dt.timedelta(days=back), 1, phrase)
    if kind == "yesterday":
        return EventDate(published - dt.timedelta(days=1), 1, phrase)
    if kind == "today":
        return EventDate(published, 1, phrase)
    if kind == "days_ago":
        n = m.group("n").lower()
        base = EventDate(published, 1, "") if low.endswith("ago") or anchor is None else anchor
        return EventDate(base.date - dt.timedelta(days=count_word(n)), base.precision, phrase)
    if kind == "then":  # "Then, Tehran launched missiles": soon after the date the text last named
        return EventDate(anchor.date, max(anchor.precision, 2), phrase) if anchor else None
    if kind == "next_day":  # "Washington answered the next day": the day after the one last named
        return EventDate(min(anchor.date + dt.timedelta(days=1), published), anchor.precision, phrase) if anchor else None
    if kind == "later_period":  # "later that month": in the month (week) last named
        return EventDate(anchor.date, max(anchor.precision, 3 if m.group("p") == "month" else 2), phrase) if anchor else None
    if kind == "later":  # "hours later": the day the text last named
        return EventDate(anchor.date, anchor.precision, phrase) if anchor else None
    if kind == "days_after":  # "two days after that vote", "days later": counted from the day last named
        if anchor is None:
            return None
        n = (m.group("n") or "").lower()
        days = count_word(n) if n else 3
        return EventDate(min(anchor.date + dt.timedelta(days=days), published),
                         max(anchor.precision, 1 if n else 2), phrase)
    if kind == "years_ago":
        n = m.group("n").lower()
        k = count_word(n)
        months = published.year * 12 + published.month - 1 - (12 * k if m.group("u").startswith("year") else k)
        return EventDate(dt.date(months // 12, months % 12 + 1, 15 if published.day >= 15 else 1), 3, phrase)
    if kind == "year":
        year = int(m.group("y"))
        return EventDate(dt.date(year, 7, 1), 3, phrase) if year < published.year else None
    if kind == "week":
        back = 7 if ("last" in low or "previous" in low or "past" in low) else 2
        return EventDate(published - dt.timedelta(days=back), 2, phrase)
    if kind == "month_rel":
        if "last" in low or "previous" in low or "past" in low:
            first = (published.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
            return EventDate(first, 3, phrase)
        return EventDate(published.replace(day=min(15, published.day)), 3, phrase)
    if kind == "holiday":
        month, day = (12, 31) if m.group("ny") == "Eve" else (1, 1) if m.group("ny") else (
            (12, 24) if m.group("xm") == "Eve" else (12, 25))
        d = dt.date(published.year, month, day)
        return EventDate(d if d <= published else d.replace(year=d.year - 1), 1, phrase)
    if kind == "season":
        month = _SEASONS[(m.group("s") or m.group("s2")).lower()]
        given = m.group("y") or m.group("y2")
        last_year = bool(m.group("ly") or m.group("ly2"))
        year = int(given) if given else published.year - (1 if last_year else 0)
        d = dt.date(year, month, 15)
        if not last_year and (d > published or (low.startswith("last") and year == published.year and not given)):
            d = d.replace(year=d.year - 1)
        return EventDate(d, 3, phrase)
    if kind == "month_year":
        d = _parse_calendar(re.sub(r"^(in|since|during|of|late|early|mid-?)\s*", "", phrase, flags=re.IGNORECASE),
                            published)
        if d is None or not re.search(_MONTH, phrase) or phrase.lower() in ("may", "in may"):  # "march" the verb
            return None
        return EventDate(d.replace(day=15) if d.replace(day=15) <= published else d.replace(day=1), 3, phrase)
    return None  # pragma: no cover - every kind is handled above
