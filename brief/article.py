"""An article as add-source archives it: what it states about itself, and its text as paragraphs without page furniture."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import REFUSED_CHARACTER


class ArchiveError(Exception):
    """The article cannot be archived; the message says why and what to do."""


@dataclass(frozen=True)
class Article:
    """What a saved article states about itself; None where it states nothing."""

    text: str
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD as the page states it
    url: str | None = None

    def unknown(self) -> list[str]:
        """The metadata fields the article does not state, written as null."""
        return [name for name in ("title", "publisher", "author", "published", "url") if getattr(self, name) is None]


# Furniture is a whole short paragraph that starts like one of these, never a sentence that merely holds the words.
# A label that leads to another article ("Read also: <its headline>"), in English, Russian and Ukrainian:
_LINK_LABEL = re.compile(
    r"(read (also|more|next)|also read|see also|related( articles?| stories| news)?|more on (this|the) topic"
    r"|читайте (также|еще|ещё|тоже)|читайте також|дивіться також)\s*([:：|»›>–—-]|$)",
    re.IGNORECASE,
)
_LINK_LABEL_MAX_WORDS = 30  # a label and a headline; a longer paragraph is the article's own
# A call to the reader ("Subscribe to our newsletter ...", "Follow us on Telegram"):
_CALL = re.compile(r"(subscribe|sign up|follow us|join us on|подписывайтесь|подпишитесь|підписуйтесь)\b", re.IGNORECASE)
_CALL_MAX_WORDS = 20
# A button's label left as a paragraph of its own:
_BUTTON = re.compile(r"(share( (this|on)( \w+)?)?|advertisement|реклама)\W*", re.IGNORECASE)


def is_furniture(paragraph: str) -> bool:
    """Whether the paragraph is page furniture (a link to another article, a call to subscribe, share or follow)."""
    words = len(paragraph.split())
    return bool(
        (_LINK_LABEL.match(paragraph) and words <= _LINK_LABEL_MAX_WORDS)
        or (_CALL.match(paragraph) and words <= _CALL_MAX_WORDS)
        or _BUTTON.fullmatch(paragraph)
    )


def article_text(paragraphs: list[str]) -> str:
    """The archived text: the paragraphs that are not furniture, separated by blank lines."""
    kept = [paragraph for paragraph in paragraphs if not is_furniture(paragraph)]
    if not kept:
        raise ArchiveError("no article text found, only page furniture such as \"Read also\" or \"Subscribe\" lines")
    return "\n\n".join(kept) + "\n"


def text_paragraphs(text: str) -> list[str]:
    """A text file's paragraphs: its blank-line-separated blocks, their line breaks joined; without blank lines, its lines."""
    body = "\n".join(line.strip() for line in text.splitlines()).strip()
    if "\n\n" not in body:
        return body.splitlines()
    return [block.replace("\n", " ") for block in re.split(r"\n{2,}", body)]


def without_invisible(text: str) -> str:
    """The text without the invisible controls check refuses (web pages carry direction marks): they hold no words."""
    return REFUSED_CHARACTER.sub("", text)
