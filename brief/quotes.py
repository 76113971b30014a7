"""Quote matching: is a quote in its source, where, and what is the closest passage if not.

A quote matches when it equals a stretch of the source after Unicode NFKC,
curly-to-straight quotes and whitespace folding, and nothing looser.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cached_property

_QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})


def normalize(text: str) -> str:
    """The form quotes and sources are compared in."""
    return SourceText(text).normalized


@dataclass(frozen=True)
class SourceText:
    """A source's text with its normalised form, computed once, and a map back to the original."""

    original: str

    @cached_property
    def _folded(self) -> tuple[str, tuple[int, ...]]:
        chars: list[str] = []
        origin: list[int] = []
        pending_space = False
        for index, char in enumerate(self.original):
            for out in unicodedata.normalize("NFKC", char).translate(_QUOTE_MARKS):
                if out.isspace():
                    pending_space = bool(chars)
                    continue
                if pending_space:
                    chars.append(" ")
                    origin.append(index)
                    pending_space = False
                chars.append(out)
                origin.append(index)
        origin.append(len(self.original))
        return "".join(chars), tuple(origin)

    @property
    def normalized(self) -> str:
        return self._folded[0]

    def find(self, quote: str) -> tuple[int, int] | None:
        """The span of the original text the quote matches, or None."""
        needle = normalize(quote)
        if not needle:
            return None
        start = self.normalized.find(needle)
        if start < 0:
            return None
        origin = self._folded[1]
        end = origin[start + len(needle) - 1] + 1
        return origin[start], end

    def closest_passage(self, quote: str) -> str:
        """The stretch of the source most like the quote, to show the editor what differs."""
        needle = normalize(quote)
        haystack = self.normalized
        if not needle or not haystack:
            return ""
        starts = [0] + [i + 1 for i, char in enumerate(haystack) if char == " "]
        best, best_ratio = 0, -1.0
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(needle)
        for start in starts:
            matcher.set_seq1(haystack[start : start + len(needle)])
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = start, ratio
        return haystack[best : best + len(needle)]
