"""Resolve actor mentions to the scenario's actors, with the context rules this theatre needs.

- Every alias of the scenario's actors is matched case-sensitively on word
  boundaries, longest first, with typographic apostrophes normalised
  ("Kata’ib" is "Kata'ib").
- A bare "Hezbollah" (any spelling) is Lebanese Hezbollah; "Kata'ib
  Hezbollah", "Hezbollah Brigades" and "Iraqi Hezbollah" are KH.
- A short abbreviation ("KH", "IRI", "PMU") counts only after the text has
  named the actor in full; well-known ones (US, IRGC, IDF, PMF, CENTCOM) count
  anywhere.
- "Baghdad" used as a place ("in Baghdad", "Baghdad airport") is not an actor; Washington and Tehran
  stand for their governments.
- A country before "-backed", "-led", "-aligned" ("Iran-backed") is named: the backer is mentioned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.scenario.model import Scenario

KNOWN_ABBREVIATIONS = frozenset({"US", "U.S.", "USA", "IRGC", "IDF", "PMF", "CENTCOM", "IRGC-QF"})
_HEZBOLLAH = r"H[ie]zb(?:o|u|a)ll(?:a|ah)h?"
_COMPOUND = r"(?:backed|aligned|allied|led|funded|sponsored|supported|armed|trained|made|built|supplied|controlled)\b"
_PLACE_PREPOSITION = re.compile(r"\b(?:in|near|to|from|at|outside|around|over|across|into|toward|towards|via|of)\s+$")
_EXTRA = {  # spellings, demonyms and office-holders seen in this theatre's press beyond the scenario's aliases
    "kh": [f"Iraqi {_HEZBOLLAH}", f"{_HEZBOLLAH} Brigades?", f"K[ae]t[a']*'?[ie]?b {_HEZBOLLAH}",
           f"Harakat {_HEZBOLLAH} al-Nujaba", "Harakat al-Nujaba", "Nujaba", "Kata'?ib Sayyid al-Shuhada", "Asa'?ib Ahl al-Haq",
           # front names that claimed attacks for the established factions
           "Saraya Awliya al-Dam", "Ashab al-Kahf", "Usbat al-Tha'?ireen", "Qasim al-Jabbarin"],
    "us": ["Americans?", "U\\.S\\.-led coalition", "State Department", "82nd Airborne(?: Division)?", "(?:Donald )?Trump",
           "(?:Joe )?Biden", "Lloyd Austin", "Mark Esper", "Mike Pompeo", "Pompeo", "White House", "Pentagon",
           "Marines", "Marine Corps", "Army Reserve", "National Guard", "National Security Council",
           "Defense Department", "Department of Defense"],
    "iran": ["Iranian", "Iranians", "(?:Hassan )?Rouhani", "(?:Ebrahim )?Raisi", "(?:Masoud )?Pezeshkian"],
    "iraq": ["Iraq", "Iraqi", "Iraqis", "parliament", "Parliament", "Council of Representatives",
             "Counter[- ]Terrorism Service"],
    "israel": ["Israeli", "Israelis", "Golani Brigade", "(?:Benjamin )?Netanyahu"],
    "sadr": ["Sadrists?", "Sadrist"],
}


def _literal_starts(scenario: Scenario) -> set[str]:
    return {normalise(a)[0] for actor in scenario.actors.values() for a in (actor.name, *actor.aliases) if a}


@dataclass(frozen=True)
class ActorMention:
    text: str
    actor: str | None  # None: a name the pipeline recognised but that is no scenario actor
    start: int
    end: int
    backer: bool = False  # "Iran" in "Iran-backed", "Iranian-made": named, but not the one acting


def normalise(text: str) -> str:
    """Typographic quotes to ASCII, keeping every offset (one character for one)."""
    return text.translate(str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"'}))


class ActorResolver:
    def __init__(self, scenario: Scenario) -> None:
        entries: list[tuple[str, str, bool]] = []  # (regex, actor, needs definition)
        for aid, actor in scenario.actors.items():
            for alias in {actor.name, *actor.aliases}:
                short = len(alias) <= 4 and alias.replace(".", "").isupper()
                pattern = re.escape(normalise(alias))
                if alias.startswith("the "):  # "the Pentagon" also opens a sentence
                    pattern = "[Tt]he" + pattern[3:]
                entries.append((pattern, aid, short and alias not in KNOWN_ABBREVIATIONS))
            entries += [(p, aid, False) for p in _EXTRA.get(aid, [])]
        self.actors = set(scenario.actors)
        entries.sort(key=lambda e: -len(e[0]))
        self._entries = entries
        alternation = "|".join(f"(?P<a{i}>{p})" for i, (p, _, _) in enumerate(entries))
        firsts = "".join(sorted({re.escape(a[0]) for a in _literal_starts(scenario)} | set("IKHkTpDJMLGSAN8")))
        # the lookahead on first letters lets the scan skip most positions without trying every alias
        # "Iran-backed", "US-led": a country before such a hyphen is still named (the gold conventions' rule)
        self._pattern = re.compile(rf"(?=[{firsts}])(?<![\w'-])(?:{alternation})(?!\w)(?!-(?!{_COMPOUND}))")
        self._bare_hezbollah = re.compile(rf"(?<![\w'-]){_HEZBOLLAH}(?![\w-])")

    def find(self, text: str) -> list[ActorMention]:
        """Actor mentions in ``text`` (normalised first), in order."""
        text = normalise(text)
        out: list[ActorMention] = []
        defined: set[str] = set()
        taken: list[tuple[int, int]] = []
        for m in self._pattern.finditer(text):
            i = int(m.lastgroup[1:])  # type: ignore[index]
            _, aid, needs_definition = self._entries[i]
            s, e = m.span()
            if needs_definition and aid not in defined:
                continue
            if aid == "iraq" and m.group(0) == "Baghdad" and (  # Washington and Tehran stand for governments
                    _PLACE_PREPOSITION.search(text[max(0, s - 12):s])
                    or re.match(r"\s*(?:'s\s+)?(?:airport|International|Green Zone|province|embassy)", text[e:e + 20])):
                continue
            if not needs_definition:
                defined.add(aid)
            out.append(ActorMention(m.group(0), aid, s, e, backer=text[e:e + 1] == "-"))
            taken.append((s, e))
        if "lh" in self.actors:
            for m in self._bare_hezbollah.finditer(text):
                s, e = m.span()
                if any(a <= s < b for a, b in taken):
                    continue
                before = text[max(0, s - 12):s]
                aid = "kh" if re.search(r"(?:Kata'?ib|Ketaeb|Iraqi|Iraq's)\s*$", before) else "lh"
                out.append(ActorMention(m.group(0), aid, s, e))
        return sorted(out, key=lambda a: a.start)
