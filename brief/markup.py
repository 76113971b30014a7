"""Content text as HTML: one markdown-it renderer with raw HTML off, glossary tooltips, source text cut at passages.

Pages carry this HTML in raw HTML blocks, which Python-Markdown leaves alone, so
nothing an editor writes is parsed a second time.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup

from .briefing import Passage, Source
from .models import GlossaryTerm

SAFE_SCHEMES = ("http://", "https://", "mailto:")


def content_markdown() -> MarkdownIt:
    """The one renderer for content text: CommonMark, no raw HTML, no images, web links only."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = lambda url: url.lower().startswith(SAFE_SCHEMES) or url.startswith("#")
    return md


_MD = content_markdown()


# Where no inline rule of the renderer can start (emphasis, code, links, escapes, entities,
# autolinks, line breaks), markdown-it returns the text with only `>` and `"` escaped.
_MARKDOWN_SYNTAX = re.compile(r"[\n\r\0\\`*_\[<&]")


def inline(text: str | None) -> Markup:
    """Inline Markdown of a content field as safe HTML."""
    text = text or ""
    if _MARKDOWN_SYNTAX.search(text) is None:  # most texts: no need to ask markdown-it
        return Markup(text.replace(">", "&gt;").replace('"', "&quot;"))
    return Markup(_MD.renderInline(text))


class GlossaryTooltips:
    """Wraps each glossary term in rendered HTML in an <abbr> whose title is its definition."""

    def __init__(self, terms: Iterable[GlossaryTerm]):
        self._definitions = {html.escape(name, quote=False): term.definition for term in terms for name in (term.term, *term.aliases)}
        names = sorted(self._definitions, key=len, reverse=True)  # longest first: "New START" before "START"
        # A term followed by a number or a capitalised word is the start of a longer name ("Power of Siberia 2"),
        # which the shorter term's definition does not describe.
        longer_name = r"(?![ \u00a0\-–]+(?:\d|[IVX]+\b|[A-Z][a-z]))"
        self._pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b" + longer_name) if names else None

    def __call__(self, rendered: Markup) -> Markup:
        if self._pattern is None:
            return rendered
        parts = re.split(r"(<[^>]*>)", str(rendered))
        inside_code = False
        for index, part in enumerate(parts):
            if part.startswith("<"):
                inside_code = part.startswith("<code") or (inside_code and part != "</code>")
            elif not inside_code:
                parts[index] = self._pattern.sub(self._tooltip, part)
        return Markup("".join(parts))

    def _tooltip(self, match: re.Match) -> str:
        definition = html.escape(self._definitions[match.group(0)])
        return f'<abbr class="brief-term" title="{definition}">{match.group(0)}</abbr>'


def text_fragment(quote: str) -> str:
    """A `#:~:text=` directive that highlights the quote in the original article.

    Long quotes use a start,end range so a small edit in the middle of the
    original does not break the link. `-`, `,` and `&` are directive syntax and
    must be percent-encoded; urllib's quote(safe="") would leave `-` as it is.
    """
    words = quote.split()
    parts = [" ".join(words)] if len(words) <= 8 else [" ".join(words[:4]), " ".join(words[-4:])]
    return "#:~:text=" + ",".join("".join(map(_FRAGMENT_BYTES.__getitem__, part.encode())) for part in parts)


# How each byte of a quote's UTF-8 is written in a text fragment: letters, digits and `_.~` as they are,
# any other byte percent-encoded: a table lookup per byte in C, where urllib's quote runs Python per byte.
_FRAGMENT_BYTES = [chr(byte) if chr(byte) in string.ascii_letters + string.digits + "_.~" else f"%{byte:02X}" for byte in range(256)]


@dataclass(frozen=True)
class Segment:
    """A run of source text, marked when it lies inside cited passages."""

    text: str
    passages: tuple[Passage, ...]
    opens: tuple[Passage, ...]  # passages that start here, for their anchors


@dataclass(frozen=True)
class Block:
    kind: str  # "p" or "h2"
    segments: tuple[Segment, ...]


def source_blocks(source: Source) -> list[Block]:
    """The source text as paragraphs and subheadings, cut where cited passages begin and end."""
    text = source.text.original
    blocks = []
    for start, end in _paragraph_spans(text):
        kind = "p"
        if text.startswith("## ", start):
            kind, start = "h2", start + 3
        blocks.append(Block(kind, tuple(_segments(text, start, end, source.passages))))
    return blocks


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    offset = 0
    for chunk in text.split("\n\n"):
        stripped = chunk.strip()
        if stripped:
            start = offset + chunk.index(stripped)
            yield start, start + len(stripped)
        offset += len(chunk) + 2


def _segments(text: str, start: int, end: int, passages: Iterable[Passage]) -> Iterator[Segment]:
    inside = [p for p in passages if p.start < end and p.end > start]
    cuts = sorted({start, end} | {max(start, min(end, edge)) for p in inside for edge in (p.start, p.end)})
    for left, right in zip(cuts, cuts[1:]):
        covering = tuple(p for p in inside if p.start <= left and p.end >= right)
        opens = tuple(p for p in inside if p.start == left)
        yield Segment(text[left:right], covering, opens)


# Python-Markdown (run by MkDocs) looks for fenced code before it sets raw HTML
# blocks aside, so a content line starting with ``` inside our HTML would open a
# code block and swallow the rest of the page. Content therefore reaches a page
# without line breaks: in HTML a line break and a space read the same.
_LINE_BREAKS = re.compile(r"[\r\n]+")


def one_line(value: object) -> object:
    """A text value with its line breaks made spaces; Markup stays Markup, anything else is left as it is."""
    # Every value a template prints passes here; most have no line break, and `in` is far cheaper than sub.
    if not isinstance(value, str) or ("\n" not in value and "\r" not in value):
        return value
    joined = _LINE_BREAKS.sub(" ", value)
    return Markup(joined) if isinstance(value, Markup) else joined
