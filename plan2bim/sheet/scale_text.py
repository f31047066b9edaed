"""Printed drawing scales ("SCALE 1:100", "SKALA 1 : 50", "1/200") read from text."""

from __future__ import annotations

import re

# A ratio "1:N" or "1/N"; N between 1 and 10000. The leading 1 must stand alone so that
# dimensions such as "11:30" or dates "21/100" are not read as scales.
_RATIO = re.compile(r"(?<![\d.,])1\s*[:/]\s*(\d{1,5}(?:[.,]\d+)?)(?![\d])")
_WORDS = ("SCALE", "SKALA", "ECHELLE", "ÉCHELLE", "MASSSTAB", "MAßSTAB", "ESCALA", "MITTAKAAVA",
          "SKALE", "SCALA", "SCHAAL")


def parse_scale(text: str, *, need_word: bool = False) -> float | None:
    """The N of a printed 1:N in ``text``, or None.

    With ``need_word``, a scale word (SCALE, SKALA, ...) must precede the ratio, for text that is
    not known to be a scale field (a title block's free text, a caption)."""
    up = text.upper()
    for m in _RATIO.finditer(up):
        if need_word and not any(w in up[: m.start()] for w in _WORDS):
            continue
        n = float(m.group(1).replace(",", "."))
        if 1 <= n <= 10000:
            return n
    return None
