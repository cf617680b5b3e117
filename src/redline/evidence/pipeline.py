"""One article through the stages: clean, language, sentences, actors, events, dates, counts, places.

:func:`process` is pure: a :class:`~redline.evidence.read.Document` in, an
:class:`Article` out (its event mentions, flagged statements and actor
mentions, each with character offsets into the cleaned text).  The store
saves it; deduplication across articles happens there.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from redline.evidence.actors import ActorMention, ActorResolver, normalise
from redline.evidence.clean import SUPPORTED_LANGUAGES, clean_text, detect_language
from redline.evidence.dates import EventDate, count_word, find_date
from redline.evidence.extract import (
    TRIGGER_OF,
    Found,
    Sentence,
    find_events,
    is_background,
    lexicon,
    modal_cue,
    sentences,
    worth_reading,
)
from redline.evidence.numbers import find_counts
from redline.evidence.places import find_place
from redline.evidence.read import Document
from redline.evidence.reader import Reader, shipped_reader
from redline.scenario.model import Scenario

BACKGROUND_DAYS = 45  # an event this long before publication, mentioned in passing, is background
_DEFINITE = re.compile(r"\b(?P<one>(?:[Oo]ne|[Tt]he (?:deadliest|worst|first|last|largest|biggest|heaviest)) of "
                       r"(?:those|these|the) |[Tt]hose |[Tt]hese |[Tt]he\s+)(?:[\w.'-]+\s+){0,3}?(?P<noun>raids?|strikes?|"
                       r"air[- ]?strikes?|air[- ]?raids?|bombing|attacks?|storming|assault)\b")
_DAYISH = re.compile(r"\d|New Year's|Christmas|yesterday|overnight|last night|today|monday|tuesday|wednesday|thursday|friday|saturday|"
                     r"sunday|days? (?:ago|earlier|before)", re.IGNORECASE)  # sentences that can set the day
_AFTER_THE = re.compile(r"\W*(?:\w+ )?(?:days?|hours?|weeks?) (?:after|later)(?:,| the| that)", re.IGNORECASE)
_GAP = re.compile(r"(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|\d+) "
                  r"(?P<u>hours?|days?|weeks?) (?:after|following)$", re.IGNORECASE)
_PASSIVE = re.compile(r"\b(?:was|were) (?:also |later )?(?:struck|bombed|hit|targeted)\b")  # after a strike
_ATTACKS = ("militia_attack_us", "militia_attack_israel", "lh_attack_israel", "iran_strike_us")
_STRIKES = ("us_strike_militia", "israel_strike_iraq", "us_decapitation", "us_strike_iran")
_REFERS_TO = {"raid": _STRIKES, "strike": _STRIKES, "airstrike": _STRIKES, "airraid": _STRIKES, "bombing": _STRIKES,
              "attack": _ATTACKS,
              "assault": ("militia_attack_us", "embassy_storming"), "storming": ("embassy_storming",)}


@dataclass(frozen=True)
class Mention:
    action: str
    actor1: str
    actor2: str
    date: dt.date
    time_precision: int
    date_phrase: str
    location: str
    admin1: str
    country: str
    iso: int
    latitude: float | None
    longitude: float | None
    geo_precision: int
    fatalities_low: int | None
    fatalities_high: int | None
    injured: int | None
    sentence: str
    start: int
    end: int
    background: bool
    trigger: str


@dataclass(frozen=True)
class Statement:
    action: str
    cue: str
    sentence: str
    start: int
    end: int


@dataclass
class Article:
    document: Document
    text: str  # cleaned
    language: str
    status: str  # "ok" or "skipped"
    reason: str = ""
    mentions: list[Mention] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)


_SHIPPED = object()


class Pipeline:
    """``reader``: the learned reader that adds what the rules miss (default: the one the package ships;
    None: the rules alone)."""

    def __init__(self, scenario: Scenario, reader: Reader | None | object = _SHIPPED) -> None:
        self.scenario = scenario
        self.resolver = ActorResolver(scenario)
        self.actions = set(scenario.actions)
        self.reader: Reader | None = shipped_reader() if reader is _SHIPPED else reader  # type: ignore[assignment]

    def process(self, doc: Document) -> Article:
        text = normalise(clean_text(doc.text).text)
        lang, prob = detect_language(text)
        declared = doc.language.lower()[:2] if doc.language else ""
        if (declared and declared not in SUPPORTED_LANGUAGES) or (lang not in SUPPORTED_LANGUAGES and prob > 0.5):
            found = declared if declared and declared not in SUPPORTED_LANGUAGES else lang
            return Article(doc, text, found, "skipped",
                           f"language {found!r} is not supported (supported: {', '.join(SUPPORTED_LANGUAGES)})")
        if doc.date is None:
            return Article(doc, text, lang, "skipped", "no publication date: relative dates cannot be resolved "
                                                       "(give date: in the front matter)")
        art = Article(doc, text, lang, "ok", actors=self.resolver.find(text))
        last_date: dict[str, tuple[dt.date, int, str]] = {}
        anchor: EventDate | None = None  # the last date the text named: "two days earlier" counts back from it
        for s in sentences(text):
            if _AFTER_THE.match(s.text) and art.mentions:  # "Two days after the strike, parliament voted": from
                last = max((m for m in art.mentions if m.sentence == art.mentions[-1].sentence),  # the latest event
                           key=lambda m: m.date)  # of the last sentence that reported any
                anchor = EventDate(last.date, last.time_precision, "")
            self._read(art, s, doc.date, last_date, anchor)
            named = find_date(s.text, doc.date, anchor) if _DAYISH.search(s.text) else None
            if named is not None and named.date <= doc.date and (named.precision == 1 or anchor is None
                                                                  or named.precision <= anchor.precision):
                anchor = named
        return art

    def _read(self, art: Article, s: Sentence, published: dt.date, last_date: dict[str, tuple[dt.date, int, str]],
              anchor: EventDate | None) -> None:
        """Add what one sentence reports to ``art``: event mentions, or a flagged statement."""
        if not worth_reading(s.text):
            return  # no word of any action (nor of a follow-up: "the raids", "were struck" are trigger words)
        mentioned = [a for a in art.actors if s.start <= a.start < s.end]
        found_all = find_events(s.text, mentioned, self.actions)
        follow_up = False
        if not found_all:
            again = self._follow_up(s.text, art.mentions)
            found_all = [(again, s.text)] if again else []
            own = again is not None and (again.trigger.startswith(("was", "were")) or again.lead == "one of")
            follow_up = again is not None and not own  # "four facilities in Syria were struck", "the deadliest of
            # those raids, in November": an event of the kind already reported, with its own date and place
        if self.reader is not None:
            have = {f.action for f, _ in found_all}  # the reader adds what the rules missed, and beside their
            found_all += self._learned(s.text, mentioned, have)  # events (or follow-ups) only what it is surer of
        mine: list[Mention] = []  # this sentence's mentions
        for found, view in found_all:
            if (found.action == "militia_attack_us" and art.mentions and art.mentions[-1].action == "iran_strike_us"
                    and re.search(r"missile", view, re.IGNORECASE)):
                found = Found("iran_strike_us", found.trigger, found.trigger_start, found.modal)  # the same salvo
            if found.modal:
                art.statements.append(Statement(found.action, found.modal, s.text, s.start, s.end))
                continue
            when = self._clause_date(found, s.text, view, published, anchor, mine, art.mentions)
            mention = self._mention(found.action, found.trigger, s.text, s.start, s.end, published, last_date, anchor,
                                    follow_up=follow_up, near=found.trigger_start, view=view, when=when,
                                    clause=(found.clause_start, found.clause_end or len(s.text)) if found.lead else None)
            if mention is not None and any(m.action == mention.action for m in mine) and (
                    not mention.date_phrase or any(m.date == mention.date for m in mine if m.action == mention.action)):
                mention = None  # the same action again in this sentence, not dated apart: the same event
            if mention is not None:
                art.mentions.append(mention)
                mine.append(mention)

    def _learned(self, text: str, mentioned: list[ActorMention], have: set[str]) -> list[tuple[Found, str]]:
        """What the learned reader finds beside the rules' actions ``have``: each other action it scores above
        its threshold (the higher one if the rules found any), at that action's trigger word (a hypothetical
        cue after it makes it a statement)."""
        assert self.reader is not None
        threshold = self.reader.threshold_beside if have else self.reader.threshold
        out = []
        for action, p in sorted(self.reader.scores(text, mentioned).items(), key=lambda kv: -kv[1]):
            if p < threshold or action in have or action not in self.actions:
                continue
            lex = lexicon()
            m = lex["triggers"][TRIGGER_OF[action]].search(text) or lex["any_trigger"].search(text) or lex[
                "broad"].search(text)
            if m is not None:
                out.append((Found(action, m.group(0), m.start(), modal_cue(text, m.end())), text))
        return out

    @staticmethod
    def _clause_date(found: Found, sentence: str, view: str, published: dt.date, anchor: EventDate | None,
                     here: list[Mention], earlier: list[Mention]) -> EventDate | None:
        """The date a subordinate clause gives its own event, or None to read the view as for a main clause.
        "...since Dec. 29, when ...; two days later, crowds stormed": counted from the day named before the clause;
        "The spiral began on Dec. 27, when a rocket attack killed...": that day; "the barrage came five days after
        a US drone strike killed Soleimani": five days before the event the sentence reported, or else the day it
        named before the clause, or else the date the text last named; "parliament voted in January 2020, after a US
        drone killed Soleimani": by then."""
        if not found.clause_start:
            return None
        before = find_date(sentence[:found.clause_start], published, anchor)
        day_before = before if before is not None and before.precision == 1 and before.date <= published else None
        gap = _GAP.match(found.lead)
        start = found.clause_start + (len(found.lead) if gap else 0)
        end = found.clause_end or len(sentence)
        own = " " * start + view[start:end] + " " * (len(view) - end)
        when = find_date(own, published, day_before or anchor, near=found.trigger_start)
        if when is not None:
            return when if day_before is not None or gap else None
        last = earlier[-1] if earlier else None
        base = (EventDate(here[-1].date, here[-1].time_precision, "") if here else day_before or anchor
                or (EventDate(last.date, last.time_precision, "") if last else None))
        if gap and base is not None:
            n = count_word(gap.group("n"))
            days = 0 if gap.group("u").startswith("hour") else n * (7 if gap.group("u").startswith("week") else 1)
            return EventDate(base.date - dt.timedelta(days=days), base.precision, found.lead)
        if found.lead == "when" and before is not None and before.date <= published:
            return before  # "<a date>, when <an event>"
        if found.lead in ("after", "following") and before is not None and before.date <= published:
            return EventDate(before.date, max(before.precision, 2), before.phrase)  # shortly before that date
        return None

    @staticmethod
    def _follow_up(sentence: str, earlier: list[Mention]) -> Found | None:
        """"The December 29 raid killed at least two dozen": a definite reference to an event the article
        has already reported (the latest one of a matching kind)."""
        m = _DEFINITE.search(sentence)
        passive = _PASSIVE.search(sentence) if m is None else None
        if passive is not None:
            previous = next((e for e in reversed(earlier) if e.action in _STRIKES + _ATTACKS), None)
            if previous is None or lexicon()["trend"].search(sentence):
                return None
            return Found(previous.action, passive.group(0), passive.start(), modal_cue(sentence, passive.end()))
        if m is None:
            return None
        kinds = _REFERS_TO[m.group("noun").lower().rstrip("s").replace(" ", "").replace("-", "")]
        previous = next((e for e in reversed(earlier) if e.action in kinds), None)
        if previous is None or lexicon()["trend"].search(sentence):
            return None
        one = "one of" if (m.group("one") or "").rstrip().endswith(("those", "these", "the")) and " of " in (
            m.group("one") or "") else ""
        return Found(previous.action, m.group("noun"), m.start(), modal_cue(sentence, m.end()), one)

    def _mention(self, action: str, trigger: str, sentence: str, start: int, end: int, published: dt.date,
                 last_date: dict[str, tuple[dt.date, int, str]], anchor: EventDate | None, *, follow_up: bool = False,
                 near: int | None = None, view: str | None = None, when: EventDate | None = None,
                 clause: tuple[int, int] | None = None) -> Mention | None:
        """The mention a sentence makes, or None for a generic one (no date, place, figure, and no
        earlier mention of the same action in the article to follow up on).  Its date, figures and place
        are read from ``view``: the sentence with the clauses of its other events blanked out."""
        spec = self.scenario.actions[action]
        view = sentence if view is None else view
        when = when or find_date(view, published, anchor, near=near)
        counts = find_counts(view)
        place = None if follow_up else (clause and find_place(view[clause[0]:clause[1]])) or find_place(view)
        # a follow-up names the event, its places are context; a subordinate clause's event is placed by its own
        # clause first ("the attack near al-Qaim came a day after Israeli jets struck ... outside Damascus")
        if action == "israel_strike_iraq" and place is not None and place.place.country not in ("Iraq", ""):
            return None  # an Israeli strike placed in Syria or Lebanon is not one on Iraq
        if follow_up and action in last_date:  # "the raids" are the raids already reported, whatever else is dated
            date, precision, phrase = last_date[action]
        elif when is not None and when.date <= published:
            date, precision, phrase = when.date, when.precision, when.phrase
        elif action in last_date:  # a follow-up sentence about the same event
            date, precision, phrase = last_date[action]
        elif (place is None or place.geo_precision >= 3) and not counts.killed and not counts.wounded:
            return None  # "militias keep attacking US forces": a trend, not an event
        else:
            date, precision, phrase = published, 2, ""
        last_date[action] = (date, precision, phrase)
        background = (published - date).days > BACKGROUND_DAYS or (
            is_background(sentence) and (published - date).days > 7)
        return Mention(
            action=action, actor1=spec.actor, actor2=spec.target, date=date, time_precision=precision,
            date_phrase=phrase, location=place.place.name if place else "", admin1=place.place.admin1 if place else "",
            country=place.place.country if place else "", iso=place.place.iso if place else 0,
            latitude=place.place.latitude if place else None, longitude=place.place.longitude if place else None,
            geo_precision=place.geo_precision if place else 0, fatalities_low=counts.killed_low,
            fatalities_high=counts.killed_high, injured=counts.wounded_max, sentence=sentence, start=start, end=end,
            background=background, trigger=trigger)
