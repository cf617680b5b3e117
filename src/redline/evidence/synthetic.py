"""Synthetic news articles for benchmarks and robustness tests (like scikit-learn's ``make_*`` helpers).

Each article is about 5 KB: a lead reporting one event of the theatre with
a date phrase, a place and a toll, follow-up paragraphs, a hypothetical
statement, background and boilerplate.  The sentences are templates written
for redline, not text from any outlet.
"""

from __future__ import annotations

import datetime as dt
import random

_LEADS = [
    ("Iran-backed militias fired {n} rockets at {base} on {weekday}, killing {k} American service members, US officials said.",
     "militia_attack_us"),
    ("US aircraft struck {n} Kata'ib Hezbollah weapons depots near {place} on {weekday}, killing {k} fighters, the Pentagon said.",
     "us_strike_militia"),
    ("Supporters of the Popular Mobilization Forces stormed the outer wall of the US embassy in Baghdad on {weekday}.",
     "embassy_storming"),
    ("The Islamic Resistance in Iraq launched {n} drones at Eilat on {weekday}, the Israeli military said.",
     "militia_attack_israel"),
]
_BASES = ["Ain al-Asad", "K-1 Air Base", "Erbil International Airport", "Camp Taji", "Tower 22"]
_PLACES = ["al-Qaim", "Abu Kamal", "Jurf al-Sakhar", "Karbala"]
_FILLER = [
    "Officials in Baghdad said they were studying the consequences for the country's fragile politics.",
    "Analysts said the episode fitted a pattern of tit-for-tat exchanges that neither side seemed able to stop.",
    "The prime minister's office called for calm and for respect of Iraqi sovereignty.",
    "Lawmakers from several blocs met late into the evening to discuss the situation.",
    "Diplomats in the region said the risk of a wider war had grown over the past months.",
    "Local residents described hearing loud explosions and seeing smoke rise from the area.",
    "A spokesman declined to say whether more operations were planned.",
]
_HYPOTHETICAL = "If the talks collapse, the militias could strike US forces across the region, one official warned."
_BOILERPLATE = "Sign up for our daily newsletter.\n\nRelated: Militia leaders meet in Baghdad\n\nShare this article"


def make_article(i: int, rng: random.Random, published: dt.date) -> str:
    """The text of one article (with YAML front matter), about 5 KB."""
    template, _ = rng.choice(_LEADS)
    weekday = (published - dt.timedelta(days=rng.randint(1, 6))).strftime("%A")
    lead = template.format(n=rng.randint(2, 9), base=rng.choice(_BASES), place=rng.choice(_PLACES), weekday=weekday,
                           k=rng.randint(1, 5))
    paragraphs = [lead]
    while sum(len(p) for p in paragraphs) < 4600:
        paragraphs.append(" ".join(rng.sample(_FILLER, 3)))
        if rng.random() < 0.2:
            paragraphs.append(_HYPOTHETICAL)
    head = f"---\ntitle: Report {i}\ndate: {published.isoformat()}\nurl: https://example-news.test/{i}\noutlet: Wire {i % 7}\n---\n"
    return head + "\n\n".join(paragraphs) + "\n\n" + _BOILERPLATE + "\n"


def make_articles(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    return [make_article(i, rng, start + dt.timedelta(days=rng.randint(0, 300))) for i in range(n)]
