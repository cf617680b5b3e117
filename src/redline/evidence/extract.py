"""Find event mentions in sentences and map them to the scenario's actions.

A sentence reports an action when it holds a trigger of that action (from
``data/lexicon.yaml``) and cues of both sides: the actor that acts (named,
or implied: "Iran-backed militias" for KH) and what it acts on (a US base, a
militia site, Israel...).  A sentence whose trigger sits after a modal,
conditional, negated or threatening cue ("could", "if", "denied",
"threatened to") is kept as a flagged statement, never coded as an event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from redline.evidence.actors import ActorMention

_ABBREV = re.compile(r"(?:\b(?:U\.S|U\.K|U\.N|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Brig|Sen|Rep|Gov|St|No|Jan|Feb|"
                     r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|a\.m|p\.m|res|vs|etc|approx)|\b[A-Z])\.$")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def sentences(text: str) -> list[Sentence]:
    """Split into sentences with offsets (abbreviations such as "U.S." and "Dec." do not end one)."""
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.group(0)[0] == "." and _ABBREV.search(text[max(0, m.start() - 8):m.start() + 1]):
            continue  # "U.S. forces", "Dec. 29": not the end of a sentence
        chunk = text[pos:m.start() + 1]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append(Sentence(chunk.strip(), pos + lead, pos + lead + len(chunk.strip())))
        pos = m.end()
    chunk = text[pos:]
    if chunk.strip():
        lead = len(chunk) - len(chunk.lstrip())
        out.append(Sentence(chunk.strip(), pos + lead, pos + lead + len(chunk.strip())))
    return out


_WORD = re.compile(r"\w+")
_LOOKBEHIND = re.compile(r"^\(\?<[!=][^)]*\)")
_LITERAL = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def _starts(text: str) -> frozenset[str]:
    """The first one, two and three letters of every word of a text, lower-case."""
    words = _WORD.findall(text.lower())
    return frozenset(w[:n] for w in words for n in (1, 2, 3))


def _split_top(pattern: str) -> tuple[list[str], int]:
    """The top-level alternatives of a pattern, up to the parenthesis that closes it, and where that is."""
    parts, depth, escaped, last = [], 0, False, 0
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            if depth == 0:
                return parts + [pattern[last:i]], i
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[last:i])
            last = i + 1
    return parts + [pattern[last:]], len(pattern)


def _sure_starts(pattern: str) -> set[str] | None:
    """Up to three letters that every match of the pattern starts with (one set per alternative), or None when
    some match may start otherwise ("\\d+", "a?b", an optional group)."""
    alternatives, _ = _split_top(pattern)
    if len(alternatives) > 1:
        found = [_sure_starts(a) for a in alternatives]
        return None if any(f is None for f in found) else set().union(*found)  # type: ignore[arg-type]
    while (m := _LOOKBEHIND.match(pattern)) is not None:  # "(?<!heart )attacks?": starts with "attack"
        pattern = pattern[m.end():]
    if pattern.startswith("(?:"):
        inner, end = _split_top(pattern[3:])
        if pattern[3 + end + 1:3 + end + 2] in ("?", "*", "{"):
            return None  # an optional group
        found = [_sure_starts(a) for a in inner]
        return None if any(f is None for f in found) else set().union(*found)  # type: ignore[arg-type]
    literal = _LITERAL.match(pattern.lower())
    known = literal.group(0) if literal else ""
    if literal is not None and pattern[literal.end():literal.end() + 1] in ("?", "*", "{"):
        known = known[:-1]  # "ab?c": only "a" is sure
    return {known[:3]} if known else None


class Words:
    """A list of lexicon entries matched as one case-insensitive pattern on word boundaries.  A text none of whose
    words starts as an entry does is not searched at all: most sentences hold few of the lexicon's words."""

    def __init__(self, words: list[str]) -> None:
        self.pattern = re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.IGNORECASE)
        starts = _sure_starts("|".join(words))
        self.starts = frozenset(starts) if starts is not None else None
        self._first = lru_cache(maxsize=256)(self._search)  # the rules and the reader ask again of one sentence

    def _may_match(self, text: str) -> bool:
        return self.starts is None or not self.starts.isdisjoint(_starts(text))

    def _search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self._may_match(text) else None

    def search(self, text: str) -> re.Match[str] | None:
        return self._first(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self._may_match(text) else iter(())


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    text = (resources.files("redline.evidence") / "data" / "lexicon.yaml").read_text(encoding="utf-8")
    data = YAML(typ="safe").load(text)
    triggers = [w for words in data["triggers"].values() for w in words]
    return {
        "implied": {k: Words(v) for k, v in data["implied"].items()},
        "targets": {k: Words(v) for k, v in data["targets"].items()},
        "triggers": {k: Words(v) for k, v in data["triggers"].items()},
        "any_trigger": Words(triggers),
        "broad": Words(data["broad"]),
        "modal": Words(data["modal"]),
        "trend": Words(data["trend"]),
        "iraq_leaders": Words(data["iraq_leaders"]),
        "background": Words(data["background"]),
    }


def worth_reading(text: str) -> bool:
    """A sentence with a word of any action or of the broader vocabulary of force and politics (the rest of an
    article is not read for events)."""
    lex = lexicon()
    return lex["any_trigger"].search(text) is not None or lex["broad"].search(text) is not None


TRIGGER_OF = {  # the trigger word that places each action in a sentence
    "embassy_storming": "storm", "militia_overreach": "attack", "iraq_crackdown": "arrest", "sadr_protest": "protest",
    "iraq_demand_withdrawal": "demand", "us_decapitation": "kill", "iran_strike_us": "missile",
    "israel_strike_iraq": "strike", "us_strike_militia": "strike", "us_strike_iran": "strike",
    "lh_attack_israel": "attack", "militia_attack_israel": "attack", "militia_attack_us": "attack",
    "us_reinforce": "deploy", "us_drawdown": "withdraw"}


@dataclass(frozen=True)
class Found:
    action: str
    trigger: str
    trigger_start: int  # within the sentence
    modal: str  # the cue that makes it a statement, "" for an event
    lead: str = ""  # the words opening the clause it was found in ("two days after"), "" for the main clause
    clause_start: int = 0  # where that clause starts in the sentence
    clause_end: int = 0  # and where it ends (0: the sentence's end)


def _has(kind: str, key: str, text: str, actors: set[str]) -> bool:
    """An actor plays a part when it is named or implied; a target when one of its cues is there."""
    lex = lexicon()
    if kind == "actor":
        return key in actors or (key in lex["implied"] and bool(lex["implied"][key].search(text)))
    return bool(lex["targets"][key].search(text))


def _first(name: str, text: str) -> re.Match[str] | None:
    return lexicon()["triggers"][name].search(text)


def classify(text: str, mentioned: list[ActorMention], scenario_actions: set[str], *,
             allow_trend: bool = False) -> Found | None:
    """The action a sentence reports, if any (rules in order of specificity).  A running total ("a string of
    attacks") is no event unless it names one, or ``allow_trend`` (its "including one on Saturday" clause)."""
    if not lexicon()["any_trigger"].search(text):
        return None
    actors = {m.actor for m in mentioned if m.actor and not m.backer}
    t = text
    has = {k: _has("actor", k, t, actors) for k in ("us", "iran", "kh", "pmf", "iraq", "sadr", "israel", "lh")}
    tgt = {k: _has("target", k, t, actors) for k in ("us", "kh", "israel", "iran_leaders")}
    lh_named = "lh" in actors
    us_subject = _us_subject(t)
    iraq_subject = bool(re.search(r"(?:(?:Iraqi|[Hh]is|Kadhimi's|Sudani's|government) (?:security |counter-terrorism |federal |special )?(?:forces|police|troops|"
                                  r"authorities|army|units)|commandos|counter-terrorism (?:forces|service|units?))"
                                  r"(?:\s+\w+){0,3}?\s+(?:arrested|detained|raided|seized|"
                                  r"rounded up|captured)|(?:arrested|detained) by Iraqi", t, re.IGNORECASE)
                        or (has["iraq"] and bool(re.search(r"\bordered (?:a|an|the) (?:[\w-]+ )?raid", t))))
    against_us = tgt["us"] or bool(_first("expel", t)) or bool(re.search(
        r"against (?:the )?(?:U\.?S\.?|American|foreign)|foreign (?:troops|forces)|(?:U\.?S\.?|American|coalition) "
        r"(?:forces|troops) (?:to )?leave|(?:U\.?S\.?|American|foreign) (?:exit|withdrawal|departure)", t, re.IGNORECASE))
    if not allow_trend and lexicon()["trend"].search(t) and not re.search(
            r"including|most recently|the latest|among them", t):
        return None  # a running total, unless it goes on to name one event
    overreach = bool(lexicon()["iraq_leaders"].search(t))
    acts = re.search(r"Israel(?:i)?(?:'s)?\s+(?:[\w-]+\s+){0,2}?(?:killed|struck|hit|bombed|attacked|assassinated|"
                     r"targeted)\b", t)  # Israel acting before Hezbollah is named: "after Israel killed a Hezbollah
    hezbollah = re.search(r"H[ie]zb", t)  # commander", not "Hezbollah fired ... after Israeli jets struck"
    israel_subject = bool(acts and (hezbollah is None or acts.start() < hezbollah.start()))
    reinforce = bool(re.search(r"(?:sen[dt]|sending|dispatch\w*|deploy\w*|order\w*|airlift\w*|rush\w*)\s+(?:\w+\s+){0,4}?"
                               r"(?:additional|more|extra|another|(?:about |some )?\d[\d,]*\s+(?:more\s+)?(?:troops|soldiers|"
                               r"Marines|paratroopers|personnel)|hundreds of|thousands of)\b|"
                               r"reinforcements|additional (?:[\w-]+ ){0,2}?(?:troops|forces|Marines|soldiers)|"
                               r"(?:troops|forces|Marines|soldiers|paratroopers)(?:\s+[\w-]+){0,4}?\s+(?:had been |were |was )?"
                               r"(?:flown|airlifted|rushed) in\b|"
                               r"\d[\d,]* (?:more )?(?:troops|soldiers|Marines|paratroopers)(?:\s+[\w-]+){0,8}?\s+"
                               r"(?:would |will |to )?(?:deploy|be(?:ing)? sent|(?:were|are) sent|head(?:ing)? to)", t,
                               re.IGNORECASE))
    rules: list[tuple[str, str | None, bool]] = [
        ("embassy_storming", "storm", bool(re.search(r"embassy|compound|consulate", t, re.IGNORECASE))),
        ("militia_overreach", "attack", overreach and not tgt["us"] and not us_subject),
        ("iraq_crackdown", "arrest", iraq_subject and (has["kh"] or tgt["kh"] or has["pmf"])),
        ("sadr_protest", "protest", has["sadr"] and against_us),
        ("iraq_demand_withdrawal", "demand", has["iraq"] and bool(_first("expel", t))),
        ("us_decapitation", "kill", has["us"] and tgt["iran_leaders"] and bool(_first("strike", t) or us_subject)),
        ("us_decapitation", "kill", not has["israel"] and bool(re.search(r"Soleimani|Suleimani|Muhandis", t))
         and bool(_first("strike", t))),  # "the strike near Baghdad's airport killed Soleimani": the US's
        ("iran_strike_us", "missile", has["iran"] and tgt["us"] and not has["kh"]),
        ("israel_strike_iraq", "strike", has["israel"] and (has["kh"] or tgt["kh"]) and bool(
            re.search(r"Israel(?:i)?(?:\s+\w+){0,3}?\s+(?:air ?strikes?|strikes?|struck|bombed|warplanes|jets|drone)|"
                      r"(?:blam\w*|accus\w*|attributed to|by|suspected)(?: it)?(?: on)? Israel\b|"
                      r"Israel (?:\w+ ){0,2}?(?:carried out|was behind|conducted)", t))),
        ("us_strike_militia", "strike", us_subject and (tgt["kh"] or has["kh"] or bool(re.search(
            r"(?:U\.?S\.?|American)(?:'s)?\s+(?:air ?|drone )?(?:strikes|raids|airstrikes|bombardment)", t)) or bool(
            re.search(r"\b(?:targets|sites|facilities|positions|depots)\b", t) and re.search(r"\b(?:Iraq|Syria)\b", t)
            and not has["israel"]))),
        ("us_strike_militia", "strike", has["us"] and not has["israel"] and bool(re.search(  # no subject: "since
            r"(?:air ?strikes?|airstrikes|air[- ]raids?|raids|bombing) (?:on|against) (?:the )?(?:[\w'-]+ ){0,3}?"  # the
            r"(?:Kata'?ib|Ketaeb|Hezbollah Brigades|KH\b|militia)", t) or re.search(  # Dec. 29 air raids on KH"
            r"(?:warplanes|jets|aircraft|bombers|gunships)\s+(?:hit|struck|bombed|attacked|targeted)\s+(?:[\w'-]+\s+){0,3}?"
            r"(?:Kata'?ib|Ketaeb|Hezbollah Brigades|KH\b|militia)", t))),  # the US named in the sentence

        ("us_strike_militia", "attack", us_subject and (tgt["kh"] or has["kh"])),
        ("lh_attack_israel", "attack", lh_named and tgt["israel"] and not israel_subject),
        ("militia_attack_israel", "attack", (has["kh"] or bool(re.search(r"\bIraq\b", t))) and tgt["israel"]
         and not lh_named and not has["lh"] and not re.search(r"Israel(?:i)?\s+(?:air ?strikes?|jets|warplanes)", t)),
        ("militia_attack_us", "attack", tgt["us"] and not us_subject and not (has["iran"] and not has["kh"]
                                                                                and bool(_first("missile", t)))),
        ("us_reinforce", "deploy", has["us"] and reinforce and bool(
            re.search(r"troops|forces|Marines|soldiers|paratroopers|personnel", t, re.IGNORECASE))),
        ("us_drawdown", "withdraw", has["us"] and bool(re.search(r"troops?|forces|soldiers|personnel|presence|base",
                                                                 t, re.IGNORECASE))),
    ]
    for action, trigger, ok in rules:
        if not ok or action not in scenario_actions:
            continue
        m = _first(trigger, t) if trigger else None
        if m is None and action == "us_decapitation":
            m = _first("strike", t)
        if m is None:
            continue
        modal = modal_cue(t, m.end())
        if action in ("us_drawdown", "us_reinforce") and modal in ("would", "will") and re.search(
                r"\b(?:said|announced|confirmed)\b", t[:m.start()]):
            modal = ""  # "the Pentagon said it would shrink the force": a decision announced, coded that day
        return Found(action, m.group(0), m.start(), modal)
    return None


_BOUNDARY = re.compile(
    r"(?:,\s*|\s+)(?=(?P<lead>(?:(?:a|one|two|three|four|five|six|several|a few|\d+) (?:days?|weeks?|hours?|months?) )?"
    r"(?:after|following|followed|since|when|in (?:retaliation|reprisal|response) (?:for|to)))\b)"
    r"|,\s*(?=(?P<which>which|who|including|answer(?:ed|ing)|avenging)\b)|;\s*"
    r"|\s+(?=(?P<answered>answer(?:ed|ing)|avenging)\s+(?:the|a|an)\s(?!next|following|same))"  # "the strikes answered the Jan. 28 attack"
    r"|,?\s+and\s+(?=(?:the\s+)?(?-i:[A-Z])[\w'.-]+(?:\s+(?-i:[A-Z])[\w'.-]+)*(?:'s)?\s+(?:[\w-]+\s+){0,2}?"
    r"(?:[a-z]+ed|struck|hit|shot|sent|took|blew|threw|flew|fought|stormed|began|led|made|left|went)\b)"
    r"|,\s+and\s+(?=(?:later|then|the next day|days later|(?:early |late )?on (?:\d|(?-i:[A-Z])))\b)",
    re.IGNORECASE)


_CAUSE_LEADS = ("in retaliation for", "in reprisal for", "in response to", "answered", "answering", "avenging")
_US_STRIKES = ("us_strike_militia", "us_decapitation", "us_strike_iran")
_ATTACKS_ON_US = ("militia_attack_us", "iran_strike_us")
_MODAL_VERB = re.compile(r"\b(?:could|would|might|may|will) (?:be|have been)\s*$")


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    lead: str  # the words that open a subordinate clause ("a day after", "which", ";"), "" for the first


def clauses(text: str) -> list[Clause]:
    """Split a sentence where a second event can start: "X struck Y on Sunday, answering a rocket attack
    that killed Z on Friday", "... the raids, which Washington blames for Friday's barrage".  Each part
    is read alone as well as the whole sentence, so one sentence can report two events."""
    out, pos, lead, skip = [], 0, "", 0
    for m in _BOUNDARY.finditer(text):
        if m.start() < skip:  # inside the lead words of the previous boundary ("a day after")
            continue
        if m.start() > pos:
            out.append(Clause(pos, m.start(), lead))
        lead = (m.group("lead") or m.group("which") or m.group("answered")
                or ("and" if "and" in m.group(0) else ";")).lower()
        pos = m.end()
        skip = pos + len(m.group("lead") or "")
    out.append(Clause(pos, len(text), lead))
    return out


def _tells_how(parts: list[Clause], c: Clause, home: Clause) -> bool:
    """"Soleimani was killed when a US drone fired missiles at his convoy": a when-clause right after the main
    event's clause tells how it happened.  Not after "since Dec. 29, when ..." nor "began on Dec. 27, when ..."
    (an earlier event at that date)."""
    i = parts.index(c)
    return c.lead.endswith("when") and i > 0 and parts[i - 1] is home and parts[i - 1].lead != "since"


def find_events(text: str, mentioned: list[ActorMention], scenario_actions: set[str]) -> list[tuple[Found, str]]:
    """Every action a sentence reports, each with the view of the sentence its date, place and figures
    are read from (the sentence with the clauses of its other events blanked out), the main one first."""
    if not lexicon()["any_trigger"].search(text):
        return []  # no word of any action: nothing to split or read (most sentences of an article)
    whole = classify(text, mentioned, scenario_actions)
    parts = clauses(text)
    if len(parts) == 1:
        return [(whole, text)] if whole else []
    found: list[tuple[Clause, Found]] = []
    for i, c in enumerate(parts):
        f = classify(text[c.start:c.end], [m for m in mentioned if c.start <= m.start < c.end], scenario_actions)
        if f is None and c.lead == "including" and i:  # "a string of drone attacks on US sites, including one on
            prev = parts[i - 1]  # Saturday near Erbil": the running total names its kind, this clause the event
            g = classify(text[prev.start:c.end], [m for m in mentioned if prev.start <= m.start < c.end],
                         scenario_actions, allow_trend=True)
            f = g and Found(g.action, g.trigger, g.trigger_start - (c.start - prev.start), "")
        if f is None and c.lead == "and" and found and found[-1][1].action in _ATTACKS_ON_US and not found[-1][1].modal:
            m = _first("attack", text[c.start:c.end])  # "drones were downed near Ain al-Asad on March 4, and on
            f = m and Found(found[-1][1].action, m.group(0), m.start(), "")  # 5 March rockets landed in the same
            # base": the clause goes on with another attack of the same kind, with its own date
        striking = (whole.action in _US_STRIKES) if whole is not None else bool(  # "the strike answered ...":
            _first("strike", text[:c.start]) and not lexicon()["implied"]["israel"].search(text))  # a follow-up
        if f is None and c.lead in _CAUSE_LEADS and striking and "militia_attack_us" in scenario_actions:
            m = _first("attack", text[c.start:c.end])  # "US jets struck KH sites in retaliation for Friday's rocket
            f = m and Found("militia_attack_us", m.group(0), m.start(), "")  # attack": the attack a US strike
            # answers is one on US forces
        if f is not None:  # a subordinate clause states its own facts: only its own cues make it hypothetical,
            at = c.start + f.trigger_start  # or a modal verb right before it ("a closure could be followed by")
            inherited = _MODAL_VERB.search(text[max(0, c.start - 24):c.start]) if c.lead else None
            modal = (f.modal or (inherited.group(0) if inherited else "")) if c.lead else modal_cue(text, at + len(f.trigger))
            found.append((c, Found(f.action, f.trigger, at, modal, c.lead, c.start, c.end)))
    if whole is not None:
        home = next((c for c in parts if c.start <= whole.trigger_start < c.end), parts[0])
        own = next((f for c, f in found if c is home), None)
        if own is None or own.action == whole.action:
            inherited = _MODAL_VERB.search(text[max(0, home.start - 24):home.start]) if home.lead else None
            modal = (modal_cue(text[home.start:], whole.trigger_start - home.start + len(whole.trigger))
                     or (inherited.group(0) if inherited else "")) if home.lead else whole.modal
            found = [(home, Found(whole.action, whole.trigger, whole.trigger_start, modal, home.lead, home.start,
                                  home.end))] + [
                (c, f) for c, f in found if c is not home and not _tells_how(parts, c, home)]
            # "X was killed when a US drone fired missiles at his convoy": a when-clause tells how, not a second event
    events = found  # the same action twice ("the first deadly attack since rockets killed two Americans last
    # March") is two events only if the second clause gives its own date: the pipeline decides
    out = []
    for c, f in events:
        view = text
        for i, other in enumerate(parts):  # blank the clauses of the other events, and "since ..." clauses (when
            # something began), except "since June 27, when US warplanes struck": that date is the strike's
            since = other.lead == "since" and not (i + 1 < len(parts) and parts[i + 1] is c and c.lead == "when")
            if other is not c and (since or any(o is other and not g.modal for o, g in events)):
                view = view[:other.start] + " " * (other.end - other.start) + view[other.end:]
        out.append((f, view))
    return out


_US = r"(?<![\w-])(?:U\.?S\.?|American|Pentagon|CENTCOM|Washington|coalition|Biden|Trump)"
_US_ACTS = re.compile(_US + r"(?:'s)?(?P<between>(?:[\s,.]+[\w-]+){0,6}?)[\s-]+(?:air[ -]?strikes?|strikes?|struck|bomb|"
                      r"bombed|launched|carried out|hit|attack|attacks|raids?|air-raids?|operation|warplanes|jets|"
                      r"aircraft|drone strikes?|bombardment|bombers|fighter jets|retaliation)\b", re.IGNORECASE)
_US_WEAPON = re.compile(r"(?<![\w-])(?:(?:U\.?S\.?|American)\s+(?:[\w-]+\s+)?(?:drones?|missiles?|gunships?)|"
                        r"AC-130\w*|B-1B?|MQ-9|Reaper drones?)(?![\w-])")
_NOT_ACTING = re.compile(r"\b(?:blam\w*|accus\w*|condemn\w*|denounc\w*|mourn\w*|investigat\w*|suffered|"
                         r"survived|was|were|died|dead|killed|wounded|injured|hurt|shelter\w*)\b", re.IGNORECASE)


def _us_subject(text: str) -> bool:
    """The US acts in the sentence: "US jets struck", "the Pentagon said its strikes", "a US drone".
    "Washington blames the Jordan attack on..." and "US troops were hit" are not the US acting."""
    return any(not _NOT_ACTING.search(m.group("between")) for m in _US_ACTS.finditer(text)) or bool(
        _US_WEAPON.search(text))


_CEASED = re.compile(r"(?:[\w'-]+\s+){0,5}?(?:largely |mostly |all but |effectively )?(?:stopped|ceased|halted|paused|"
                     r"subsided|dried up|came to a halt|(?:would|will|could|may|might) (?:continue|resume|go on))\b",
                     re.IGNORECASE)


def modal_cue(text: str, trigger_end: int) -> str:
    """The hypothetical, conditional, negated or threatening word that governs the trigger, or "".
    "announced that 750 soldiers would deploy" reports a decision taken: its "would" is no hypothesis;
    "attacks on US forces largely stopped" reports that no attack happened."""
    ceased = _CEASED.match(text, trigger_end + 1) if text[trigger_end:trigger_end + 1].isspace() else None
    if ceased:
        return ceased.group(0).split()[-1]
    for m in lexicon()["modal"].finditer(text[:trigger_end]):
        if m.group(0).lower() in ("would", "will") and re.search(r"\b(?:announced|ordered|approved|decided)\b",
                                                                 text[max(0, m.start() - 80):m.start()]):
            continue
        return m.group(0)
    return ""


def is_background(text: str) -> bool:
    return bool(lexicon()["background"].search(text))
