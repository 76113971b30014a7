"""The vocabulary: typed, frozen models of what editors write and readers see."""

from __future__ import annotations

import calendar
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, GetCoreSchemaHandler, StringConstraints
from pydantic_core import core_schema

from .quotes import normalize

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# How a summary or note names another fact: [[fact-id]], shown to readers by that fact's text.
FACT_REFERENCE = re.compile(r"\[\[([^\[\]\s]*)\]\]")
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Status = Literal["stated", "reported", "confirmed", "disputed", "denied"]
STATUSES: tuple[str, ...] = Status.__args__
STATUS_MEANING = {
    "stated": "asserted by the named speaker; not independently verified",
    "reported": "reported by the outlet in its own voice",
    "confirmed": "confirmed by a party other than the speaker, who is named and cited",
    "disputed": "contested by another party in the sources",
    "denied": "denied by the party it concerns",
}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True, slots=True)
class PartialDate:
    """A real date known to the day, the month or only the year."""

    year: int
    month: int = 0
    day: int = 0

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # YAML reads a bare year such as 2025 as a number
        return _parsed_date(value) if isinstance(value, str) else cls.from_text(value)

    @classmethod
    def from_text(cls, value: Any) -> PartialDate:
        match = _DATE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = (int(part) if part else 0 for part in match.groups())
        if year < 1:
            raise ValueError(f"{value} is not a real date: there is no year 0; correct it")
        if match.group(2) and not 1 <= month <= 12:
            raise ValueError(f"{value} is not a real date: month {month} does not exist; correct it")
        if match.group(3) and not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"{value} is not a real date: {calendar.month_name[month]} {year} has no day {day}; correct it")
        return cls(year, month, day)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            json_schema_input_schema=core_schema.str_schema(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @property
    def latest(self) -> date:
        """The last day the date could mean, for comparing with full dates."""
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    @property
    def month_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)

    @property
    def month_label(self) -> str:
        """The month as a reader reads it (May 2024), or the year alone when that is all there is."""
        return f"{calendar.month_name[self.month]} {self.year}" if self.month else str(self.year)

    def display(self) -> str:
        """The date as a reader reads it: 21 January 2025, May 2024, 2022."""
        return f"{self.day} {self.month_label}" if self.day else self.month_label


@functools.lru_cache(maxsize=4096)
def _parsed_date(text: str) -> PartialDate:
    # Many facts share a date; a PartialDate is immutable, so one serves them all.
    return PartialDate.from_text(text)


def _full_date(value: Any) -> Any:
    parsed = PartialDate.parse(value) if _DATE.match(str(value)) else None
    if parsed is None or not parsed.day:
        raise ValueError(f"{value!r} is not a full date: write YYYY-MM-DD")
    return date(parsed.year, parsed.month, parsed.day)


def format_number(value: float) -> str:
    """220.0 as 220, 7.5 as 7.5, 1200000 as 1,200,000."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def long_date(day: date) -> str:
    """A full date as a reader reads it: 21 January 2025."""
    return f"{day.day} {day:%B %Y}"


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise ValueError(f"{value!r} is not a number: write digits only, e.g. 220 or 7.5, and put the unit in `unit:`")
    return value


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large to be a float
        return False


def _web_address(value: Any) -> Any:
    if not isinstance(value, str) or not re.match(r"^https?://[^\s<>\"'`]+$", value):
        raise ValueError(f"{value!r} is not a web address: write an http:// or https:// URL, or null when unknown")
    if len(host_scripts(value)) > 1:
        try:
            _ascii_host(url_host(value))
        except UnicodeError:
            raise ValueError(f"{value!r} has a host that is not a valid domain name: copy the address from the original again") from None
    return value


# The host of an http(s) address: after the scheme and any user@, up to the port, path, query or fragment.
_HOST = re.compile(r"^https?://(?:[^/?#@]*@)?([^/?#:]*)")
# Scripts one language writes together: Japanese mixes Han, hiragana and katakana; Korean, Hangul and Han.
_SCRIPT_FAMILY = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "KATAKANA-HIRAGANA": "CJK", "HANGUL": "CJK", "BOPOMOFO": "CJK"}


def url_host(url: str) -> str:
    """The host of an address that passed _web_address, as written."""
    return _HOST.match(url).group(1)  # type: ignore[union-attr]


def host_scripts(url: str) -> list[str]:
    """The scripts the letters of the address's host are written in, e.g. ["CYRILLIC", "LATIN"] for reuters.сom (a Cyrillic с).

    A script is read from the letter's Unicode name (CYRILLIC SMALL LETTER ES); a host of more
    than one is how a look-alike of another site's address is made.
    """
    host = url_host(url)
    if host.isascii():
        return ["LATIN"] if any(char.isalpha() for char in host) else []
    scripts = {unicodedata.name(char, "?").split(" ")[0] for char in host if char.isalpha()}
    return sorted({_SCRIPT_FAMILY.get(script, script) for script in scripts})


def _ascii_host(host: str) -> str:
    """The host as DNS reads it (IDNA: each label not in ASCII as xn--...); UnicodeError when it is no domain name."""
    return host.lower().encode("idna").decode("ascii")


def displayed_url(url: str) -> str:
    """The address as readers see it: a host of mixed scripts in its ASCII form (reuters.xn--om-nmc), so that a look-alike shows."""
    if len(host_scripts(url)) < 2:
        return url
    match = _HOST.match(url)
    return url[: match.start(1)] + _ascii_host(match.group(1)) + url[match.end(1) :]  # type: ignore[union-attr]


MIN_QUOTE_WORDS = 3
# A word holds a letter or a digit: "." or "—" alone is none.
_WORD = re.compile(r"\S*[^\W_]\S*")


def _long_enough(quote: str) -> str:
    # Fewer words ("the", "C") are found in almost any article and show nothing of what it says.
    if len(list(islice(_WORD.finditer(quote), MIN_QUOTE_WORDS))) < MIN_QUOTE_WORDS:  # the first few words settle it
        raise ValueError(f"{quote!r} is too short to show what the source says: quote at least {MIN_QUOTE_WORDS} words")
    return quote


Day = Annotated[date, BeforeValidator(_full_date)]
Number = Annotated[float, BeforeValidator(_number)]
WebAddress = Annotated[str, BeforeValidator(_web_address)]
Quote = Annotated[Text, AfterValidator(_long_enough)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Model):
    """Where a claim is written: a source id and the exact words."""

    source: Slug
    quote: Quote = Field(description=f"The source's exact words, at least {MIN_QUOTE_WORDS} of them.")

    @functools.cached_property
    def quote_key(self) -> tuple[str, str]:
        """The quote as check finds it and the site numbers its passage: its source and its normalised words (quotes.normalize).

        Made where the sheet is read and kept with it: every check and every page looks quotes up by it.
        """
        return (self.source, normalize(self.quote))


class Claim(Model):
    """What facts and figures share: who says it, how far it stands, who else confirms it, and where it is written."""

    said_by: Text
    status: Status
    confirmed_by: Text | None = Field(None, description="Who, other than said_by, confirms it; required when status is confirmed.")
    confirmed_in: tuple[Citation, ...] = Field((), description="Where confirmed_by confirms it: the citations of the confirmation.")
    note: Text | None = None
    cite: list[Citation] = Field(min_length=1)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every citation the claim shows: its own, then its confirmation's."""
        return (*self.cite, *self.confirmed_in)


class Figure(Claim):
    """A key figure: one value for one metric and period, as one party states it."""

    metric: Slug = Field(description="Names the measured quantity; every figure of a metric is shown beside the others.")
    label: Text
    value: Number
    qualifier: Text | None = Field(None, description='How the quote hedges the value, e.g. "more than"; it must say the same.')
    unit: Text
    period: Text | None = Field(None, description="The period as the source states it; null when it does not.")


class Fact(Claim):
    """One claim: what is said, who says it, how far it stands, and where it is written."""

    id: Slug
    date: PartialDate | None = Field(description="Date of the event or statement: YYYY-MM-DD, YYYY-MM or YYYY; null when undated.")
    date_basis: Text | None = Field(None, description="How the date was inferred, when no cited source states it.")
    text: Text
    # A tuple: pydantic deep-copies a default list for every fact made without the field, and shares a tuple.
    contradicts: tuple[Slug, ...] = Field((), description="Ids of facts this one contradicts; the site shows both side by side.")
    key: bool = Field(False, strict=True, description="true for a fact editors choose to lead: shown first in the overview's latest developments.")
    theme: Text | None = Field(None, description="The heading the fact stands under on its topic page, once the sheet holds more than 12 facts.")


class Judgement(Model):
    """One sentence of assessment and the facts it rests on: shown with links to them, checked like a citation."""

    text: Text = Field(description="One sentence of inline Markdown; a number in it must be in the quotes of the facts it is based on.")
    based_on: list[Slug] = Field(min_length=1, description="Ids of the facts the sentence rests on, from any sheet.")


def _sentences(value: Any) -> Any:
    # The summary was one text before it became sentences; say how to rewrite it rather than "must be a list".
    if isinstance(value, str):
        raise ValueError("write it as a list of sentences, each with the facts it rests on: `- text: ...` and `based_on: [fact-id]` for each")
    return value


Judgements = Annotated[list[Judgement], BeforeValidator(_sentences), Field(min_length=1, max_length=3)]


class FactSheet(Model):
    """One topic's fact sheet, `briefings/<topic>.yaml`."""

    title: Text
    order: int = Field(100, strict=True, description="Position of the topic in the navigation, smallest first.")
    summary: Judgements = Field(description="The key judgement: one to three sentences, each with the ids of the facts it rests on.")
    as_of: Day
    figures: list[Figure] = []
    facts: list[Fact] = Field(min_length=1)


class GlossaryTerm(Model):
    """A term defined once, from the sources, and explained wherever it appears."""

    term: Text
    aliases: list[Text] = Field([], description="Other spellings that get the same tooltip, e.g. the long form.")
    definition: Text = Field(description="Plain text, shown as the term's tooltip.")
    cite: list[Citation] = Field(min_length=1)


class Glossary(Model):
    """`glossary.yaml`: the terms a reader may not know."""

    terms: list[GlossaryTerm] = Field(min_length=1)


class WatchItem(Model):
    """A coming event or deadline a fact states; shown until the briefing's as-of date has passed it."""

    date: PartialDate = Field(description="The event's date: YYYY-MM-DD, YYYY-MM or YYYY.")
    date_basis: Text | None = Field(None, description="How the date was inferred, when no cited source states it.")
    event: Text
    based_on: list[Slug] = Field(min_length=1, description="Ids of the facts that state the event; their citations are shown with it.")


class Overview(Model):
    """`overview.yaml`: what the overview page says first: the bottom line and what to watch."""

    bottom_line: list[Judgement] = Field(min_length=2, max_length=4, description="Two to four sentences of assessment, each with the facts it rests on.")
    watch: list[WatchItem] = []


class SourceMeta(Model):
    """The front matter of an archived article, `sources/<id>.md`: unknown is null, never guessed."""

    title: Text | None
    label: Text | None = Field(None, description="What readers see for an article without a title; required when title is null.")
    publisher: Text | None
    author: Text | None
    published: Day | None
    date_basis: Text | None = Field(None, description="How the date was inferred when the article does not state it.")
    url: WebAddress | None
    archived: Day
    note: Text | None = None
    awaiting_review: bool = Field(
        False, strict=True, description="true while the text and front matter await an editor's review; build and pdf refuse to publish until the line is deleted."
    )

    @property
    def display_url(self) -> str | None:
        """url as readers see it (see displayed_url)."""
        return displayed_url(self.url) if self.url else None
