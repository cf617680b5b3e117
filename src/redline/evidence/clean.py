"""Clean article text: drop what is not the story, and detect the language of what is left.

Dropped lines: navigation, share and follow prompts, newsletter blurbs,
"related stories" lists, image credits and file names, bylines' social
handles, and everything from a comment thread's heading on.  The cleaned
text is what the pipeline reads and what provenance offsets point into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SUPPORTED_LANGUAGES = ("en",)
MIN_CHARS_FOR_LANGUAGE = 40

_DROP_LINE = [
    r"^(sign up|subscribe)\b.*(newsletter|updates|inbox|email)",
    r"\bnewsletter\b",
    r"^(share|share this( article| story)?|tweet|email|print|follow us( on social)?|follow)\b.{0,40}$",
    r"^(read more|read next|more from|recommended|see also|you may also like|trending|most read|also read|"
    r"read also|further reading|more on this( story| topic)?|more stories|top stories|latest)\b",
    r"^read (?:[\w'’]+ ){0,4}?(?:digest|coverage|story|report|analysis|live ?blog|briefing|explainer)\b.{0,200}:",
    r"^related( stories| articles| coverage| content)?\s*:?",
    r"^(photo|image|picture|file photo|credit|caption)s?\b.{0,200}(/|\|)\s*\w+",
    r"^(photo|image|picture)( credit)?s?\s*:",
    r"\b(getty images|reuters|afp|associated press|ap photo)\s*$",
    r"^[\w-]*\d[\w-]*(\.(jpe?g|png|webp|gif))?$",  # an image file name left behind by a scraper
    r"^(home|news|world|politics|opinion|analysis|video|sport|business)(\s*[|>/•·]\s*\w[\w ]*){2,}$",
    r"^advertisement$",
    r"^(copyright|©)",
    r"^(all rights reserved|terms of (use|service)|privacy policy|cookie)",
]
_STOP_AT = re.compile(r"^(\d+\s+)?(comments?|reader comments|join the conversation|leave a (comment|reply))\s*:?\s*$",
                      re.IGNORECASE)
_DROP = [re.compile(p, re.IGNORECASE) for p in _DROP_LINE]


@dataclass(frozen=True)
class Cleaned:
    text: str
    dropped: int  # lines removed


def clean_text(text: str) -> Cleaned:
    """The story's paragraphs, one blank line between them."""
    kept: list[str] = []
    dropped = 0
    in_related = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        s = line.strip()
        if not s:
            in_related = False
            kept.append("")
            continue
        if _STOP_AT.match(s):
            dropped += 1
            break
        if in_related and len(s) < 140 and not s.endswith("."):  # the headlines under "Related:"
            dropped += 1
            continue
        if any(p.search(s) for p in _DROP) and len(s) < 300:
            dropped += 1
            in_related = s.lower().startswith(("related", "read more", "more from", "recommended", "see also"))
            continue
        kept.append(s)
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return Cleaned(out, dropped)


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code and its probability (py3langid, normalised over its 97 languages);
    ``("und", 0.0)`` for text too short to tell."""
    if len(text.strip()) < MIN_CHARS_FOR_LANGUAGE:
        return "und", 0.0
    code, prob = _identifier().classify(text[:1000])  # a thousand characters decide it
    return str(code), float(prob)


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)  # the model ships in the wheel
