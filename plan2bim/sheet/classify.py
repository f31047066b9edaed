"""A drawing's kind, storey name and level from its title text (the word tables in ``words``)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from plan2bim.sheet.model import PageKind
from plan2bim.sheet.words import KIND_WORDS, LEVEL_NUMBER_WORDS, LEVEL_WORDS, NOT_ROOM_WORDS

_ORDINALS = {"1": "First", "2": "Second", "3": "Third", "4": "Fourth", "5": "Fifth"}


def normalise(text: str) -> str:
    """Upper case, accents removed, one space between words."""
    t = unicodedata.normalize("NFKD", text.upper())
    t = "".join(c for c in t if not unicodedata.combining(c))
    # OCR reads O as 0 inside words ("FL0OR").
    t = re.sub(r"(?<=[A-Z])0|0(?=[A-Z]{2})", "O", t)
    return " ".join(t.split())


@cache
def _word(phrase: str) -> re.Pattern:
    # A word ends at a non-letter, but not at digits that run on into letters: "PLAN2BIM" (a
    # project name in a title block) names no plan, "PLAN 2" and "PLAN2" do.
    return re.compile(rf"(?<![A-Z]){re.escape(phrase)}(?![A-Z]|\d+[A-Z])")


def _has(phrase: str, norm: str, squashed: str) -> bool:
    if _word(phrase).search(norm):
        return True
    # OCR often drops the spaces of a spaced-out caption ("PELANLANTAI").
    p = phrase.replace(" ", "")
    if len(p) >= 8 and p in squashed:
        return True
    # One letter off in a long word: CAD fonts with a shifted glyph ("ELEtATION").
    if " " not in phrase and len(phrase) >= 7:
        return any(len(w) == len(phrase) and sum(a != b for a, b in zip(w, phrase, strict=True)) <= 1
                   for w in re.findall(r"[A-Z]+", norm))
    return False


def kind_of_title(text: str) -> tuple[PageKind, str] | None:
    """The drawing kind a title names, with the phrase that decided; None if it names none."""
    norm = normalise(text)
    squashed = norm.replace(" ", "")
    best: tuple[int, PageKind, str] | None = None
    for kind, phrases in KIND_WORDS.items():
        for ph in phrases:
            if len(ph) > (best[0] if best else 0) and _has(ph, norm, squashed):
                best = (len(ph), kind, ph)  # type: ignore[assignment]
    return (best[1], best[2]) if best else None


def level_of_title(text: str) -> tuple[str, float] | None:
    """(storey name, sort order) a floor-plan title names ("ARAS DUA" -> ("Level 2", 2))."""
    norm = normalise(text)
    m = re.search(rf"\b(?:{'|'.join(LEVEL_NUMBER_WORDS)})\s*(-?\d{{1,2}})\b", norm) or \
        re.search(r"\b(-?\d{1,2})\s*(?:ST|ND|RD|TH|\.)?\s*(?:FLOOR|OG|KERROS|ETAGE)\b", norm)
    if m:
        n = int(m.group(1))
        return (f"Level {n}", float(n))
    best: tuple[int, str, float] | None = None
    for word, order in LEVEL_WORDS.items():
        if _word(word).search(norm) and \
                len(word) > (best[0] if best else 0):
            best = (len(word), word, order)
    if best is None:
        return None
    _, word, order = best
    if order == 0:
        name = "Ground floor"
    elif order < 0:
        name = "Basement"
    elif word == "ELEVATED":
        name = "Elevated floor"
    else:
        name = f"{_ORDINALS.get(str(int(order)), f'Level {order:g}')} floor" \
            if order == int(order) else "Mezzanine"
    return name, float(order)


_LEVEL_MARK = re.compile(
    r"(?<![A-Z])(?:F\.?F\.?L|F\.?L|S\.?S\.?L|A\.?L|T\.?O\.?S|LEVEL|ARAS|NIV|OK\s*FFB|\+/-)"
    r"\.?\s*[:=]?\s*([+-]?\s*\d{1,3}[.,]\d{2,3})(?!\d)")


def level_marks(texts: list[str]) -> list[float]:
    """The heights in metres of the level marks ("FL +1.200", "A.L 01.200") among ``texts``."""
    out = []
    for t in texts:
        for m in _LEVEL_MARK.finditer(normalise(t)):
            v = float(m.group(1).replace(" ", "").replace(",", "."))
            if -50 <= v <= 500:
                out.append(v)
    return out


def is_room_name(text: str) -> bool:
    """Whether a text inside a room can be its name: words, not a dimension, level, area or tag."""
    t = normalise(text)
    if len(t) < 3 or not re.search(r"[A-Z]{3}", t):
        return False
    if _LEVEL_MARK.search(t) or re.search(r"\d+\s*(?:MM|M2|M²|SQ)\b", t):
        return False
    letters = sum(c.isalpha() for c in t)
    if letters < 0.6 * len(t.replace(" ", "")):
        return False
    squashed = t.replace(" ", "")
    return not any(_has(w, t, squashed) for w in NOT_ROOM_WORDS)
