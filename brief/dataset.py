"""The briefing as a dataset in the site's data/ folder: all of it as JSON, that JSON's schema, and facts and figures as CSV.

The export's shape is the models below. The JSON is dumped from them by pydantic (a topic's
facts when its records are made, spliced into the rest) and the schema made from them
(schema.json_schema), so the two cannot drift; where a content model fits as
it is (a fact, a figure, a citation, a source's metadata, a judgement), a record extends it and
keeps its fields and their descriptions. Bytes are deterministic: model order, no time but the
edition's, so an unchanged briefing writes unchanged files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from pydantic import Field, TypeAdapter

from .briefing import Briefing, Source, Topic, fact_page, source_page, topic_page
from .export import statuses
from .models import Citation, Fact, Figure, Judgement, Model, Slug, SourceMeta, Status
from .numbers import stating_amount
from .render import Page
from .schema import schema_text

JSON_FILE = "data/briefing.json"
SCHEMA_FILE = "data/briefing.schema.json"
FACTS_CSV = "data/facts.csv"
FIGURES_CSV = "data/figures.csv"
GENERATED_BY = "brief, the source-verified briefing generator (python build.py build)"


class CitationRecord(Citation):
    passage: str = Field(description="The quote's anchor on its source's page: sources/<source>.html#<passage> highlights it.")


class CitedRecord(Model):
    """What a fact's and a figure's records add alike: the passages of their citations, and their topic."""

    cite: list[CitationRecord] = Field(min_length=1)
    confirmed_in: tuple[CitationRecord, ...] = Field((), description="Where confirmed_by confirms it: the citations of the confirmation.")
    topic: Slug = Field(description="The id of the topic (fact sheet) it belongs to.")


class FactRecord(CitedRecord, Fact):
    """A fact as its sheet gives it (text and notes as inline Markdown), with its citations' passages."""

    date_inferred: bool = Field(description="true when no cited source states the date: by the fact's date_basis, or its source's inferred date.")
    page: str = Field(description="Where the site shows the fact, relative to the site's root.")


class FigureRecord(CitedRecord, Figure):
    """A key figure as its sheet gives it, with the words of its quote that state its value."""

    stated_as: str = Field(description="The amount as a quote writes it, read by check as this value, scale and qualifier, e.g. 'more than $220 billion'.")
    page: str = Field(description="Where the site shows the figure, relative to the site's root.")


class TopicRecord(Model):
    id: Slug
    title: str
    order: int = Field(description="Position of the topic in the navigation, smallest first.")
    as_of: date
    summary: list[Judgement] = Field(description="The key judgement: its sentences, each with the ids of the facts it rests on.")
    themes: list[str] = Field(description="The headings the topic page groups its facts under, in order; empty when it lists them by date alone.")
    page: str


class SourceRecord(SourceMeta):
    """An archived article's front matter as written (unknown is null), with its id and page."""

    id: Slug
    date_inferred: bool = Field(description="true when the article does not state its date: date_basis says how it was inferred.")
    page: str


class StatusRecord(Model):
    name: Status
    meaning: str


class MetricRecord(Model):
    metric: Slug
    label: str
    values: int = Field(description="How many figures give the metric.")
    verdict: str | None = Field(description="Whether the values agree, as the site states it; null for a metric given once.")


class DisputeRecord(Model):
    facts: tuple[Slug, Slug] = Field(description="Two facts the content marks as contradicting each other; the site shows both.")


class Verification(Model):
    """What the build checked. It refuses to build otherwise, so the checks are true of every published briefing."""

    quotes_found_verbatim: Literal[True] = Field(
        description="Every quote is in its source word for word, after Unicode NFKC, curly quotes read as straight and runs of white space as one."
    )
    figure_values_stated_by_quotes: Literal[True] = Field(description="Each figure's value, scale and qualifier are read from its quotes (stated_as).")
    fact_numbers_stated_by_quotes: Literal[True] = Field(description="Every number in a fact's text is in one of its quotes.")
    metrics: list[MetricRecord] = Field(description="Each metric's figures set side by side: whether their values agree.")
    disputes: list[DisputeRecord]


class Edition(Model):
    as_of: date = Field(description="The date the briefing is current as of: its latest sheet's.")
    commit: str = Field(description="The git commit the site is built from, as every page names it.")


class BriefingData(Model):
    """A source-verified briefing: every fact and figure names who says it and cites the exact words of an archived source."""

    subject: str
    site_url: str | None = Field(description="Where the site is published; pages are relative to it. null when not set.")
    edition: Edition
    generated_by: str
    statuses: list[StatusRecord]
    topics: list[TopicRecord]
    facts: list[FactRecord]
    figures: list[FigureRecord]
    sources: list[SourceRecord]
    verification: Verification


@dataclass(frozen=True)
class TopicShare:
    """A topic's records and its rows of facts.csv, with what they were made from (made_from): a later export
    whose topic is made from the same keeps them, so in serve an edit makes again only its own topic's.

    Its facts are kept as their JSON text, as briefing.json holds them: 10,000 fact records kept whole
    between serve's rebuilds were a fifth of what its garbage collector walked, and dumped again on each.
    """

    made_from: tuple
    topic: TopicRecord
    facts_json: str
    figures: tuple[FigureRecord, ...]
    fact_rows: str


@dataclass(frozen=True)
class Dataset:
    """The data files, and each topic's and source's records: where the next export can start."""

    topics: dict[str, TopicShare]
    sources: dict[str, tuple[SourceMeta, SourceRecord]]
    pages: list[Page]


def dataset(briefing: Briefing, subject: str, commit: str, site_url: str | None, previous: Dataset | None = None) -> Dataset:
    """The data files of the site, as pages MkDocs copies as they are; topics and sources made as in previous are kept from it."""
    topics = {topic.id: _topic_share(briefing, topic, previous.topics.get(topic.id) if previous else None) for topic in briefing.topics}
    kept = previous.sources if previous else {}
    sources = {
        source.id: kept[source.id] if source.id in kept and kept[source.id][0] == source.meta else (source.meta, SourceRecord.model_validate(_source(source)))
        for source in briefing.sources.values()
    }
    # Records already made are taken as they are: pydantic does not validate an instance of the field's model again.
    data = BriefingData.model_validate(
        {
            "subject": subject,
            "site_url": site_url,
            "edition": {"as_of": briefing.as_of, "commit": commit},
            "generated_by": GENERATED_BY,
            "statuses": statuses(),
            "topics": [share.topic for share in topics.values()],
            "facts": [],  # spliced in below, as text
            "figures": [figure for share in topics.values() for figure in share.figures],
            "sources": [record for _, record in sources.values()],
            "verification": {
                "quotes_found_verbatim": True,
                "figure_values_stated_by_quotes": True,
                "fact_numbers_stated_by_quotes": True,
                "metrics": [
                    {"metric": group.metric, "label": group.label, "values": group.count, "verdict": group.verdict or None}
                    for group in briefing.figure_groups
                ],
                "disputes": [{"facts": (dispute.first[1].id, dispute.second[1].id)} for dispute in briefing.disputes],
            },
        }
    )
    pages = [
        Page(JSON_FILE, _with_facts(_JSON.dump_json(data, indent=1), [share.facts_json for share in topics.values()]) + b"\n"),
        Page(SCHEMA_FILE, _schema()),
        Page(FACTS_CSV, _table(FACT_COLUMNS, "".join(share.fact_rows for share in topics.values()))),
        Page(FIGURES_CSV, _table(FIGURE_COLUMNS, _rows(FIGURE_COLUMNS, _figure_rows(data)))),
    ]
    return Dataset(topics, sources, pages)


# Bytes straight from pydantic's serializer, which model_dump_json would decode into a str, to be encoded again.
_JSON = TypeAdapter(BriefingData)
_FACTS = TypeAdapter(tuple[FactRecord, ...])
_NO_FACTS = b'\n "facts": []'  # as the briefing's JSON at indent 1 holds an empty list of facts: one space deep


def _facts_json(facts: tuple[FactRecord, ...]) -> str:
    """The records as elements of briefing.json's list of facts, indented as they stand there, two spaces deep.

    JSON text holds a line break only between values (one inside a string is written \\n), so
    indenting every line is a matter of the line breaks.
    """
    listed = _FACTS.dump_json(facts, indent=1).decode()  # "[\n {\n  ...\n }\n]", or "[]"
    return " " + listed[2:-2].replace("\n", "\n ") if facts else ""


def _with_facts(document: bytes, parts: list[str]) -> bytes:
    """The briefing's JSON, dumped with no facts, with the topics' facts in their list."""
    facts = ",\n".join(part for part in parts if part)
    return document.replace(_NO_FACTS, b'\n "facts": [\n' + facts.encode() + b"\n ]", 1) if facts else document


@cache
def _schema() -> bytes:
    return schema_text(BriefingData).encode("utf-8")


def _topic_share(briefing: Briefing, topic: Topic, previous: TopicShare | None) -> TopicShare:
    """The topic's records, kept from previous when made from the same: the topic, where its quotes are, which of its dates are inferred.

    A quote's passage is numbered among all the passages of its source, so an edit elsewhere can move it.
    """
    items = (*topic.sheet.figures, *topic.sheet.facts)
    anchors = tuple(briefing.passage(citation).anchor for item in items for citation in item.citations)
    made_from = (topic, anchors, tuple(briefing.date_inferred(fact) for fact in topic.sheet.facts))
    if previous is not None and previous.made_from == made_from:
        return previous
    facts = tuple(FactRecord.model_validate(_fact(briefing, topic, fact)) for fact in topic.sheet.facts)
    figures = tuple(FigureRecord.model_validate(_figure(briefing, topic, figure)) for figure in topic.sheet.figures)
    return TopicShare(made_from, TopicRecord.model_validate(_topic(topic)), _facts_json(facts), figures, _rows(FACT_COLUMNS, map(_fact_row, facts)))


def _topic(topic: Topic) -> dict:
    themes = [theme for theme, _ in topic.fact_groups if theme is not None]
    summary = [sentence.model_dump() for sentence in topic.sheet.summary]
    sheet = topic.sheet
    return {"id": topic.id, "title": sheet.title, "order": sheet.order, "as_of": sheet.as_of, "summary": summary, "themes": themes, "page": topic_page(topic.id)}


def _citations(briefing: Briefing, item: Fact | Figure) -> dict:
    return {
        "cite": [_citation(briefing, citation) for citation in item.cite],
        "confirmed_in": [_citation(briefing, citation) for citation in item.confirmed_in],
    }


def _citation(briefing: Briefing, citation: Citation) -> dict:
    return {"source": citation.source, "quote": citation.quote, "passage": briefing.passage(citation).anchor}


def _fact(briefing: Briefing, topic: Topic, fact: Fact) -> dict:
    return fact.model_dump(mode="json") | _citations(briefing, fact) | {
        "topic": topic.id,
        "date_inferred": briefing.date_inferred(fact),
        "page": fact_page(topic.id, fact.id),
    }


def _figure(briefing: Briefing, topic: Topic, figure: Figure) -> dict:
    # check refuses a figure whose quotes do not state its value, so an amount is always found.
    amount = stating_amount(figure.value, figure.unit, figure.qualifier, [citation.quote for citation in figure.cite])
    return figure.model_dump(mode="json") | _citations(briefing, figure) | {
        "topic": topic.id,
        "stated_as": amount.written if amount else "",
        "page": topic_page(topic.id),
    }


def _source(source: Source) -> dict:
    return source.meta.model_dump() | {"id": source.id, "date_inferred": source.date_inferred, "page": source_page(source.id)}


# CSV columns, in order: documented on the methodology page and in README; a change there is a change here.
FACT_COLUMNS = ("id", "topic", "date", "date_inferred", "said_by", "status", "confirmed_by", "text", "contradicts", "theme", "sources", "quotes", "page")
FIGURE_COLUMNS = (
    "metric", "topic", "label", "value", "unit", "qualifier", "period", "said_by", "status", "confirmed_by", "stated_as", "agreement", "sources", "quotes", "page",
)
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection"): it is prefixed with '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTES_SEPARATOR = " | "


def _cell(value: object) -> object:
    """A value as a CSV cell: text that a spreadsheet would run as a formula made inert; booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _number(value: float) -> str:
    """220.0 as 220, 7.5 as 7.5: as a spreadsheet reads a number, without separators."""
    return str(int(value)) if value.is_integer() else repr(value)


def _cited(record: FactRecord | FigureRecord) -> dict[str, str]:
    return {
        "sources": " ".join(citation.source for citation in record.cite),
        "quotes": QUOTES_SEPARATOR.join(citation.quote for citation in record.cite),
    }


def _rows(columns: tuple[str, ...], rows: Iterable[dict]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([_cell(row[column]) for column in columns] for row in rows)
    return text.getvalue()


def _table(columns: tuple[str, ...], rows: str) -> bytes:
    """A header and rows as CSV, UTF-8 with a byte order mark: without one, Excel reads a UTF-8 file in the system's code page."""
    return (_rows(columns, [dict(zip(columns, columns))]) + rows).encode("utf-8-sig")


def _fact_row(fact: FactRecord) -> dict:
    row = fact.model_dump(include={"id", "topic", "date_inferred", "said_by", "status", "confirmed_by", "text", "theme", "page"})
    return row | {"date": str(fact.date) if fact.date else None, "contradicts": " ".join(fact.contradicts)} | _cited(fact)


def _figure_rows(data: BriefingData) -> Iterator[dict]:
    verdicts = {metric.metric: metric.verdict for metric in data.verification.metrics}
    for figure in data.figures:
        row = figure.model_dump(include={"metric", "topic", "label", "unit", "qualifier", "period", "said_by", "status", "confirmed_by", "stated_as", "page"})
        yield row | {"value": _number(figure.value), "agreement": verdicts[figure.metric]} | _cited(figure)
