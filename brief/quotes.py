"""Quote matching: is a quote in its source, where, and what is the closest passage if not.

A quote matches when it equals a stretch of the source after Unicode NFKC,
curly-to-straight quotes and whitespace folding, and nothing looser.
"""

from __future__ import annotations

import difflib
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

CLOSEST_CANDIDATES = 24  # stretches compared exactly when looking for the closest passage
ANCHORS = 32  # pieces of a quote of each size looked for in its source, to find where its closest passage may be
PIECE = 16  # characters in a piece at most: long enough to be found in few places
TOO_COMMON = 64  # a piece found more often than this is not looked at
EXACT_COMPARISON = 300  # characters of quote up to which the likely stretches are compared exactly (most quotes are a sentence)
_QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})
_ASCII = bytes(range(128))
_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"  # what str.isspace() counts as white space in ASCII, besides " "


def normalize(text: str) -> str:
    """The form quotes and sources are compared in (what SourceText.normalized holds, without the map back)."""
    translated = text if text.isascii() else _translate(text)[0]
    return " ".join(translated.split())


@dataclass(frozen=True)
class _Folding:
    """A normalised text, and anchors that map its positions back to the original's."""

    text: str
    # Between fold anchors, positions in the normalised text and in the translated text advance together.
    fold_at: tuple[int, ...]
    fold_to: tuple[int, ...]
    # Characters whose normal form is longer than one character, in the translated text.
    expansions: tuple[tuple[int, int, int, int], ...]  # (start, end, original index, characters added so far)
    expansion_starts: tuple[int, ...]

    def origin(self, position: int) -> int:
        """The index in the original text of the character at position in the normalised text."""
        anchor = bisect_right(self.fold_at, position) - 1
        translated = self.fold_to[anchor] + position - self.fold_at[anchor]
        number = bisect_right(self.expansion_starts, translated) - 1
        if number < 0:
            return translated
        start, end, index, added = self.expansions[number]
        return index if translated < end else translated - added


@dataclass(frozen=True)
class SourceText:
    """A source's text with its normalised form, computed once, and a map back to the original.

    Per character, the normal form is NFKC with curly quotes made straight; then runs of
    white space fold into one space, and none is kept at either end. The work is done with
    str methods that run in C: plain ASCII prose, nearly all of a source, is its own normal
    form, so only the few non-ASCII characters and irregular white space are visited in Python.
    """

    original: str

    @cached_property
    def _folding(self) -> _Folding:
        translated, expansions = _translate(self.original)
        text, fold_at, fold_to = _fold(translated)
        return _Folding(text, fold_at, fold_to, expansions, tuple(start for start, *_ in expansions))

    @property
    def normalized(self) -> str:
        return self._folding.text

    def find(self, quote: str) -> tuple[int, int] | None:
        """The span of the original text the quote matches, or None."""
        return self.find_normalized(normalize(quote))

    def find_normalized(self, needle: str) -> tuple[int, int] | None:
        """find, for a quote already normalised; each is looked for once in the life of this text."""
        if needle not in self._found:
            self._found[needle] = self._span(needle)
        return self._found[needle]

    @cached_property
    def _found(self) -> dict[str, tuple[int, int] | None]:
        return {}

    def _span(self, needle: str) -> tuple[int, int] | None:
        if not needle:
            return None
        start = self.normalized.find(needle)
        if start < 0:
            return None
        folding = self._folding
        return folding.origin(start), folding.origin(start + len(needle) - 1) + 1

    def closest_passage(self, quote: str) -> str:
        """The stretch of the source most like the quote, to show the editor what differs."""
        needle = normalize(quote)
        haystack = self.normalized
        if not needle or not haystack:
            return ""
        starts = _likely_starts(haystack, needle) or [0]
        if len(needle) > EXACT_COMPARISON:
            best = _start_near(haystack, needle, starts[0])
        else:
            best = _most_similar(haystack, needle, starts)
        return haystack[best : best + len(needle)]


def _likely_starts(haystack: str, needle: str, keep: int = CLOSEST_CANDIDATES) -> list[int]:
    """Where the stretch most like the needle may begin (at a word, where the text has words), the likeliest first.

    Pieces of the needle are looked for in the haystack, each by a search that runs in C;
    each place a piece is found says where the needle would begin, and the starts most pieces
    agree on come first. So the work is at most 2 × ANCHORS passes over the haystack, whatever
    the needle's length. A typo spoils only the pieces it falls in, and the short pieces past a
    word added or dropped still say where the quote would begin with it.
    """
    votes: Counter[int] = Counter()
    for size in _piece_sizes(len(needle)):
        for piece, offsets in _pieces(needle, size).items():
            found = list(islice(_positions(haystack, piece), TOO_COMMON + 1))
            if len(found) <= TOO_COMMON:  # a piece found everywhere says nothing about where
                votes.update(_word_start(haystack, position - offset) for position in found for offset in offsets)
    return sorted(votes, key=lambda start: (-votes[start], start))[:keep]


def _word_start(text: str, position: int) -> int:
    """The start of the word at position (of the next word, at a space), if a space comes within PIECE characters
    before it; else position itself.

    A passage shown from the middle of a word reads badly; but a text without spaces, as Chinese is
    written, has no word to go back to.
    """
    position = max(0, position)
    space = text.rfind(" ", max(0, position - PIECE), position + 1)
    return space + 1 if space >= 0 else position


def _piece_sizes(length: int) -> list[int]:
    """Lengths of the pieces to look for: a quarter of the needle, at most PIECE; and half that, if 3 or more."""
    size = min(length, PIECE, max(3, length // 4))
    return [size, size // 2] if size >= 6 else [size]


def _pieces(needle: str, size: int) -> dict[str, list[int]]:
    """At most ANCHORS pieces of the needle, evenly spread over it, each with where it sits in the needle."""
    last = len(needle) - size
    pieces: dict[str, list[int]] = {}
    for offset in range(0, last + 1, -(-(last + 1) // ANCHORS)):
        pieces.setdefault(needle[offset : offset + size], []).append(offset)
    return pieces


def _start_near(haystack: str, needle: str, around: int) -> int:
    """Where the needle's beginning fits best within EXACT_COMPARISON characters of around.

    Comparing a long needle exactly with a stretch costs about the product of their lengths. Its
    pieces say where it is; but a word added or changed near its beginning moves the place most
    pieces agree on, so its beginning alone is compared with the text around there.
    """
    head = needle[:EXACT_COMPARISON]
    low = max(0, around - EXACT_COMPARISON)
    near = haystack[low : around + 2 * EXACT_COMPARISON]
    return low + _most_similar(near, head, _likely_starts(near, head) or [around - low])


def _most_similar(haystack: str, needle: str, starts: list[int]) -> int:
    """The start whose stretch is most like the needle by difflib's ratio; the earliest of equals."""
    best, best_ratio = 0, -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle)
    for start in starts:
        matcher.set_seq1(haystack[start : start + len(needle)])
        ratio = matcher.ratio()
        if ratio > best_ratio or (ratio == best_ratio and start < best):
            best, best_ratio = start, ratio
    return best


def _non_ascii(text: str) -> set[str]:
    """The distinct non-ASCII characters in text, found by dropping ASCII bytes in C rather than looping in Python."""
    return set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass"))


def _translate(text: str) -> tuple[str, tuple[tuple[int, int, int, int], ...]]:
    """The text with each character in its normal form, and where a form is longer than its character."""
    if text.isascii():
        return text, ()
    forms = {char: unicodedata.normalize("NFKC", char).translate(_QUOTE_MARKS) for char in _non_ascii(text)}
    where = sorted((index, len(form)) for char, form in forms.items() if len(form) != 1 for index in _positions(text, char))
    expansions, added = [], 0
    for index, length in where:
        start = index + added
        added += length - 1
        expansions.append((start, start + length, index, added))
    # A form holds only characters that are their own form, so one replace per character is one pass.
    for char, form in forms.items():
        if form != char:
            text = text.replace(char, form)
    return text, tuple(expansions)


def _fold(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """Runs of white space folded into one space, none kept at the ends; with the anchors that map back."""
    pieces: list[str] = []
    fold_at, fold_to = [0], [0]
    position = folded = 0
    for start, end in _irregular_runs(text):
        if start == 0:
            fold_to[0] = position = end
            continue
        pieces.append(text[position:start])
        folded += start - position
        position = end
        if end == len(text):
            break
        pieces.append(" ")
        folded += 1
        fold_at.append(folded)
        fold_to.append(end)
    pieces.append(text[position:])
    return "".join(pieces), tuple(fold_at), tuple(fold_to)


def _irregular_runs(text: str) -> list[tuple[int, int]]:
    """The white space runs that folding changes: all but a single space between words, in order."""
    marks = [char for char in _ASCII_SPACES if char in text]
    marks += [char for char in _non_ascii(text) if char.isspace()] if not text.isascii() else []
    marks.append("  ")
    runs = {run for mark in marks for run in _runs_with(text, mark)}
    for edge in (0, len(text) - 1):
        if text and text[edge].isspace():
            runs.add(_space_run(text, edge))
    return sorted(runs)


def _positions(text: str, needle: str) -> Iterator[int]:
    index = text.find(needle)
    while index >= 0:
        yield index
        index = text.find(needle, index + len(needle))


def _runs_with(text: str, mark: str) -> Iterator[tuple[int, int]]:
    """Each white space run that holds mark, searching on after each run so a long run is walked once."""
    index = text.find(mark)
    while index >= 0:
        run = _space_run(text, index)
        yield run
        index = text.find(mark, run[1])


def _space_run(text: str, index: int) -> tuple[int, int]:
    start, end = index, index + 1
    while start > 0 and text[start - 1].isspace():
        start -= 1
    while end < len(text) and text[end].isspace():
        end += 1
    return start, end
