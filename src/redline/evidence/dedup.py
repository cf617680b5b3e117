"""Mentions of one real event become one event: within an article and across articles.

Two mentions are the same event when they report the same action and their
dates agree within what their precision allows (a day's slack for exact
dates, the week or month for vaguer ones), and their places do not
contradict (same province, or one of them unplaced).  Within one article, one
action on one day is one event, except that a wave of air strikes is an event
per country (ACLED codes the Iraq and Syria parts of one operation apart).
Rows imported from an ACLED export are events already: two of them never merge,
though news reports of the same event join them.  A background mention
("the January 2020 strike that killed Soleimani") whose date is only
approximate joins the event it recalls.  Clusters are built greedily, most
precise mentions first: a mention joins the first event whose founding mention
it agrees with (a vague one: any of its mentions); the event's date is that of
its most precise mention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SLACK_DAYS = {1: 1, 2: 7, 3: 31}
CAMPAIGNS = frozenset({"us_strike_militia", "israel_strike_iraq", "us_strike_iran"})  # one wave, many countries


@dataclass(frozen=True)
class Key:
    """What deduplication reads of a mention."""

    mention_id: int
    action: str
    date: dt.date
    precision: int
    admin1: str
    article: str = ""
    country: str = ""
    record: bool = False  # a row of an event dataset (ACLED import), not a report


def _compatible(a: Key, b: Key) -> bool:
    if a.action != b.action:
        return False
    if a.record and b.record and a.article != b.article:
        return False  # two rows of an event dataset are two events, however close: only reports get merged
    slack = max(SLACK_DAYS.get(a.precision, 31), SLACK_DAYS.get(b.precision, 31))
    if abs((a.date - b.date).days) > slack:
        return False
    if a.precision == b.precision == 3 and (a.date.year, a.date.month) != (b.date.year, b.date.month):
        return False  # "in February" and "last month" (March): two months named, two events
    if a.article and a.article == b.article and a.date == b.date:
        # one article, one action, one day: one event, unless its sentences place it in two provinces (rockets on
        # the embassy in Baghdad and on Ain al-Asad in Anbar the same day), or a wave of strikes in two countries
        if a.admin1 and b.admin1 and a.admin1 != b.admin1:
            return False
        return a.action not in CAMPAIGNS or not (a.country and b.country and a.country != b.country)
    return not (a.admin1 and b.admin1 and a.admin1 != b.admin1)


def cluster(keys: list[Key]) -> dict[int, int]:
    """Mention id -> cluster number (0, 1, ...), stable for the same input."""
    order = sorted(keys, key=lambda k: (k.precision, k.date, k.mention_id))  # precise mentions found events first
    clusters: list[list[Key]] = []
    out: dict[int, int] = {}
    for k in order:
        home = next((i for i, c in enumerate(clusters) if _compatible(k, c[0])  # the founding, most precise mention
                     or (k.precision > 1 and any(_compatible(k, o) for o in c))), None)
        if home is None:
            clusters.append([k])
            home = len(clusters) - 1
        else:
            clusters[home].append(k)
        out[k.mention_id] = home
    return out
