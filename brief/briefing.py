"""The validated briefing, read-only, and the views of it the site and the PDF both show, made once."""

from __future__ import annotations

import typing
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from types import MappingProxyType

from .compare import agreement
from .errors import Warnings
from .models import Citation, Fact, Figure, FactSheet, Glossary, GlossaryTerm, Overview, PartialDate, SourceMeta, WatchItem
from .quotes import SourceText


@dataclass(frozen=True, slots=True)  # one per cited passage: no __dict__ each for the collector to walk
class Passage:
    """A cited stretch of a source's text, numbered in reading order: the target of citation links."""

    source_id: str
    number: int
    start: int
    end: int

    @property
    def anchor(self) -> str:
        return f"q-{self.number}"


@dataclass(frozen=True)
class Source:
    id: str
    name: str  # the file as editors know it, sources/<id>.md
    meta: SourceMeta
    text: SourceText
    passages: tuple[Passage, ...] = field(compare=False)
    # The passages as plain numbers, for comparing: serve compares each page's sources with the new briefing's,
    # and comparing the Passages one by one, in Python, was most of that (0.1 s an edit at 10,000 facts).
    spans: tuple[tuple[int, int, int], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spans", tuple((passage.number, passage.start, passage.end) for passage in self.passages))

    @property
    def display_title(self) -> str:
        """What readers see: the title, or for an untitled article the editor's label (check requires one)."""
        return self.meta.title or self.meta.label or ""

    @property
    def date_inferred(self) -> bool:
        return self.meta.date_basis is not None


# Above this many facts a topic page groups its facts by theme: a long list by date alone hides what matters.
THEMED_ABOVE = 12
OTHER_THEME = "Other"


@dataclass(frozen=True)
class Topic:
    id: str
    name: str  # briefings/<id>.yaml
    sheet: FactSheet

    @cached_property
    def ref(self) -> TopicRef:
        """The topic as views across topics name it: one for all its facts."""
        return TopicRef(self.id, self.sheet.title)

    @cached_property
    def facts_newest_first(self) -> tuple[Fact, ...]:
        undated = PartialDate(0)
        return tuple(sorted(self.sheet.facts, key=lambda fact: fact.date or undated, reverse=True))

    @cached_property
    def fact_groups(self) -> tuple[tuple[str | None, tuple[Fact, ...]], ...]:
        """The facts as the topic page lists them: newest first under one untitled group, or, past
        THEMED_ABOVE facts, under each theme in the order themes first appear, newest first inside
        each, and the facts without a theme last, under "Other"."""
        if len(self.sheet.facts) <= THEMED_ABOVE:
            return ((None, self.facts_newest_first),)
        themes: dict[str, list[Fact]] = {fact.theme: [] for fact in self.sheet.facts if fact.theme}
        other = []
        for fact in self.facts_newest_first:
            (themes[fact.theme] if fact.theme else other).append(fact)
        groups = [(theme, tuple(facts)) for theme, facts in themes.items()]
        return tuple(groups + ([(OTHER_THEME, tuple(other))] if other else []))


@dataclass(frozen=True, slots=True)
class TopicRef:
    """A topic as a view across topics names it: its id and title. Such a view holds no more of a topic, so a
    page showing it does not render again when something else in the topic is edited."""

    id: str
    title: str


def topic_page(topic_id: str) -> str:
    """A topic's page in the built site, from the site's root."""
    return f"topics/{topic_id}.html"


def source_page(source_id: str) -> str:
    """An archived source's page in the built site, from the site's root."""
    return f"sources/{source_id}.html"


def fact_page(topic_id: str, fact_id: str) -> str:
    """Where a fact stands in the built site, from the site's root: on its topic's page, at the fact."""
    return f"{topic_page(topic_id)}#fact-{fact_id}"


@dataclass(frozen=True)
class FigureGroup:
    """All figures given for one metric, across topics and periods: kept side by side, never merged."""

    metric: str
    entries: tuple[tuple[TopicRef, Figure], ...]

    @property
    def compared(self) -> bool:
        """Whether the group has more than one value to set side by side."""
        return len(self.entries) > 1

    @cached_property
    def verdict(self) -> str:
        """A plain statement of whether the values agree, or why they cannot be compared (compare.agreement)."""
        return agreement([figure for _, figure in self.entries])

    @property
    def label(self) -> str:
        """What the comparison is headed: its first figure's label."""
        return self.entries[0][1].label

    @property
    def count(self) -> int:
        """How many values the group holds, all shown."""
        return len(self.entries)

    @property
    def home(self) -> TopicRef:
        """The topic that shows every value: its first figure's."""
        return self.entries[0][0]


# Values of a metric a topic shows from other topics, besides its own, when its group lives elsewhere.
OTHER_VALUES_SHOWN = 8


@dataclass(frozen=True)
class Comparison:
    """A figure group as one of its topics shows it; read as a FigureGroup is.

    The group's home topic shows every value. Any other shows its own values and the first few of
    the rest, and points home for all of them: so a metric given in many topics is not repeated
    whole in each, which would make the site and the PDF grow with the square of its figures.
    """

    metric: str
    label: str
    count: int  # values in the whole group
    verdict: str  # on the whole group
    home: TopicRef
    entries: tuple[tuple[TopicRef, Figure], ...]  # the values shown, in the group's order

    compared = True


@dataclass(frozen=True)
class Dispute:
    """Two facts the content marks as contradicting each other: both shown, neither dropped."""

    first: tuple[Topic, Fact]
    second: tuple[Topic, Fact]


@dataclass(frozen=True)
class Briefing:
    """The validated content, read-only: what every later stage receives."""

    topics: tuple[Topic, ...]
    sources: MappingProxyType[str, Source]
    passages: MappingProxyType[tuple[str, str], Passage]  # (source id, normalised quote) -> passage
    figure_groups: tuple[FigureGroup, ...]
    disputes: tuple[Dispute, ...]
    glossary: tuple[GlossaryTerm, ...]
    # Facts whose date is inferred: by their own date_basis, or as the inferred date of a source they cite.
    inferred_dates: frozenset[str]
    warnings: Warnings = Warnings()
    overview: Overview | None = None  # overview.yaml, when the project has one

    # Cached: every page's heading shows the date, and there are as many pages as topics and sources.
    @cached_property
    def as_of(self) -> date:
        return max(topic.sheet.as_of for topic in self.topics)

    @cached_property
    def fact_count(self) -> int:
        return sum(len(topic.sheet.facts) for topic in self.topics)

    def passage(self, citation: Citation) -> Passage:
        return self.passages[citation.quote_key]

    @cached_property
    def facts_by_id(self) -> MappingProxyType[str, tuple[Topic, Fact]]:
        return MappingProxyType({fact.id: (topic, fact) for topic in self.topics for fact in topic.sheet.facts})

    def date_inferred(self, fact: Fact) -> bool:
        return fact.id in self.inferred_dates

    @property
    def _dated(self) -> list[tuple[Topic, Fact]]:
        # The pairs of facts_by_id, not new ones: serve makes a briefing on every edit, and each pair is one more object to collect.
        return [pair for pair in self.facts_by_id.values() if pair[1].date]

    @cached_property
    def watch(self) -> tuple[WatchItem, ...]:
        """The overview's coming events the as-of date has not passed, soonest first; the rest drop off (check warns)."""
        items = self.overview.watch if self.overview else []
        return tuple(sorted((item for item in items if item.date.latest >= self.as_of), key=lambda item: item.date.latest))

    @cached_property
    def latest(self) -> tuple[tuple[Topic, Fact], ...]:
        """Dated facts as the overview leads with them: those editors mark key first, then the rest, newest first within each."""
        dated = self._dated
        # Facts of one day in the order of their ids, so the order never depends on the order files are read.
        dated.sort(key=lambda pair: pair[1].id)
        # Sorted on plain tuples: PartialDate's generated comparisons run in Python. Stable: ids stay in order within a day.
        dated.sort(key=lambda pair: (not pair[1].key, -pair[1].date.year, -pair[1].date.month, -pair[1].date.day))
        return tuple(dated)

    @cached_property
    def dated_newest_first(self) -> tuple[tuple[Topic, Fact], ...]:
        """Dated facts as the timeline and the feed list them: newest first, facts of one date by id, from the last."""
        # Sorted on plain tuples: PartialDate's generated comparisons run in Python.
        return tuple(sorted(self._dated, key=lambda pair: (pair[1].date.year, pair[1].date.month, pair[1].date.day, pair[1].id), reverse=True))

    # Views the site and the PDF both show, made once here.
    @cached_property
    def comparisons_by_topic(self) -> MappingProxyType[str, tuple[Comparison, ...]]:
        """By topic id, the groups of more than one figure of a metric that hold one of the topic's figures, as it shows them."""
        shown: dict[str, list[Comparison]] = defaultdict(list)
        for group in self.figure_groups:
            if group.compared:
                for topic_id, comparison in _comparisons(group):
                    shown[topic_id].append(comparison)
        return MappingProxyType({topic_id: tuple(comparisons) for topic_id, comparisons in shown.items()})

    @cached_property
    def disputes_by_topic(self) -> MappingProxyType[str, tuple[Dispute, ...]]:
        """By topic id, the pairs of contradicting facts that hold one of the topic's facts."""
        return _by_topic(self.disputes, lambda dispute: (dispute.first[0], dispute.second[0]))

    @cached_property
    def contradictions_by_fact(self) -> MappingProxyType[str, tuple[tuple[Topic, Fact], ...]]:
        """By fact id, the facts it contradicts or that contradict it, either way round."""
        counterparts: dict[str, list[tuple[Topic, Fact]]] = defaultdict(list)
        for dispute in self.disputes:
            counterparts[dispute.first[1].id].append(dispute.second)
            counterparts[dispute.second[1].id].append(dispute.first)
        return MappingProxyType({fact_id: tuple(others) for fact_id, others in counterparts.items()})


T = typing.TypeVar("T")


def _by_topic(items: typing.Iterable[T], topics_of: typing.Callable[[T], typing.Iterable[Topic]]) -> MappingProxyType[str, tuple[T, ...]]:
    """Items grouped under each topic they involve, each once per topic, in their own order."""
    grouped: dict[str, list[T]] = defaultdict(list)
    for item in items:
        for topic_id in dict.fromkeys(topic.id for topic in topics_of(item)):
            grouped[topic_id].append(item)
    return MappingProxyType({topic_id: tuple(entries) for topic_id, entries in grouped.items()})


def briefing_from(
    topics: list[Topic],
    sources: dict[str, tuple[str, SourceMeta]],
    texts: dict[str, SourceText],
    found: dict[tuple[str, str], tuple[int, int]],
    glossary: Glossary | None,
    warnings: Warnings,
    overview: Overview | None = None,
) -> Briefing:
    """The Briefing of validated topics and sources, its passages numbered from where each quote was found."""
    ordered = tuple(sorted(topics, key=lambda t: (t.sheet.order, t.sheet.title, t.id)))
    cited: dict[str, list[tuple[tuple[int, int], tuple[str, str]]]] = defaultdict(list)
    for key, span in found.items():
        cited[key[0]].append((span, key))
    built: dict[str, Source] = {}
    lookup: dict[tuple[str, str], Passage] = {}
    for source_id in sorted(sources):
        name, meta = sources[source_id]
        # One passage for each stretch of words: quotes that normalise differently can still cover the same one.
        by_span = {span: Passage(source_id, n, *span) for n, span in enumerate(sorted({span for span, _ in cited[source_id]}), 1)}
        lookup.update((key, by_span[span]) for span, key in cited[source_id])
        built[source_id] = Source(source_id, name, meta, texts[source_id], tuple(by_span.values()))
    return Briefing(
        ordered,
        MappingProxyType(built),
        MappingProxyType(lookup),
        _figure_groups(ordered),
        _disputes(ordered),
        glossary.terms if glossary else (),
        _inferred_dates(ordered, built),
        warnings,
        overview,
    )


def _disputes(topics: tuple[Topic, ...]) -> tuple[Dispute, ...]:
    """Each pair of facts the content marks as contradicting, once, in the order they are written."""
    where = {fact.id: (topic, fact) for topic in topics for fact in topic.sheet.facts}
    pairs: dict[frozenset[str], Dispute] = {}
    for topic in topics:
        for fact in topic.sheet.facts:
            for other in fact.contradicts:
                pairs.setdefault(frozenset((fact.id, other)), Dispute((topic, fact), where[other]))
    return tuple(pairs.values())


def _comparisons(group: FigureGroup) -> typing.Iterator[tuple[str, Comparison]]:
    """The group as each topic holding one of its figures shows it (see Comparison), by topic id."""
    own: dict[str, list[int]] = defaultdict(list)
    for index, (topic, _) in enumerate(group.entries):
        own[topic.id].append(index)
    for topic_id, indexes in own.items():
        if topic_id == group.home.id:
            entries = group.entries
        else:
            # Of the group's first len(indexes) + OTHER_VALUES_SHOWN values, at most len(indexes) are this topic's.
            first = range(min(group.count, len(indexes) + OTHER_VALUES_SHOWN))
            others = [index for index in first if group.entries[index][0].id != topic_id][:OTHER_VALUES_SHOWN]
            entries = tuple(group.entries[index] for index in sorted(others + indexes))
        yield topic_id, Comparison(group.metric, group.label, group.count, group.verdict, group.home, entries)


def _figure_groups(topics: tuple[Topic, ...]) -> tuple[FigureGroup, ...]:
    groups: dict[str, list[tuple[TopicRef, Figure]]] = defaultdict(list)
    for topic in topics:
        ref = topic.ref
        for figure in topic.sheet.figures:
            groups[figure.metric].append((ref, figure))
    return tuple(FigureGroup(metric, tuple(entries)) for metric, entries in groups.items())


def _inferred_dates(topics: tuple[Topic, ...], sources: dict[str, Source]) -> frozenset[str]:
    """Ids of facts whose date is inferred: marked so by a date_basis, or the inferred publication date of a source they cite."""
    inferred = set()
    for topic in topics:
        for fact in topic.sheet.facts:
            if fact.date is None:
                continue
            cited = (sources[citation.source].meta for citation in fact.cite)
            if fact.date_basis or any(meta.date_basis and meta.published and PartialDate.parse(meta.published) == fact.date for meta in cited):
                inferred.add(fact.id)
    return frozenset(inferred)
