"""Stage 2, validate: typed models for every file, then the checks across files.

Returns a read-only Briefing with its warnings, or every problem found in one pass.
"""

from __future__ import annotations

import difflib
import re
import typing
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import MappingProxyType

from pydantic import BaseModel, ValidationError

from .errors import ContentError, Warnings
from .load import GLOSSARY_FILE, SHEETS_DIR, Document, Loc, RawProject, SourceFile
from .models import SLUG_PATTERN, STATUSES, Citation, Fact, FactSheet, Figure, Glossary, GlossaryTerm, PartialDate, SourceMeta
from .compare import agreement
from .numbers import figure_problem, numbers_missing
from .quotes import SourceText

M = typing.TypeVar("M", bound=BaseModel)
SLUG_HINT = "ids use lowercase letters a-z, digits and single hyphens, e.g. `power-of-siberia`"
# Page names the site uses itself; a topic may not take them.
RESERVED_TOPIC_IDS = frozenset({"index", "timeline", "sources", "methodology", "glossary", "assets", "pdf", "search"})


@dataclass(frozen=True)
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
    passages: tuple[Passage, ...]

    @property
    def display_title(self) -> str:
        """What readers see: the title, or for an untitled article the editor's label (check requires one)."""
        return self.meta.title or self.meta.label or ""

    @property
    def date_inferred(self) -> bool:
        return self.meta.date_basis is not None


@dataclass(frozen=True)
class Topic:
    id: str
    name: str  # briefings/<id>.yaml
    sheet: FactSheet

    @cached_property
    def facts_newest_first(self) -> tuple[Fact, ...]:
        undated = PartialDate(0)
        return tuple(sorted(self.sheet.facts, key=lambda fact: fact.date or undated, reverse=True))


@dataclass(frozen=True)
class FigureGroup:
    """All figures given for one metric, across topics and periods: kept side by side, never merged."""

    metric: str
    entries: tuple[tuple[Topic, Figure], ...]

    @property
    def compared(self) -> bool:
        """Whether the group has more than one value to set side by side."""
        return len(self.entries) > 1

    @cached_property
    def verdict(self) -> str:
        """A plain statement of whether the values agree, or why they cannot be compared (compare.agreement)."""
        return agreement([figure for _, figure in self.entries])


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

    # Cached: every page's heading shows the date, and there are as many pages as topics and sources.
    @cached_property
    def as_of(self) -> date:
        return max(topic.sheet.as_of for topic in self.topics)

    @cached_property
    def fact_count(self) -> int:
        return sum(len(topic.sheet.facts) for topic in self.topics)

    def passage(self, citation: Citation) -> Passage:
        return self.passages[(citation.source, citation.normalized_quote)]

    @cached_property
    def facts_by_id(self) -> MappingProxyType[str, tuple[Topic, Fact]]:
        return MappingProxyType({fact.id: (topic, fact) for topic in self.topics for fact in topic.sheet.facts})

    def date_inferred(self, fact: Fact) -> bool:
        return fact.id in self.inferred_dates

    # Views the site and the PDF both show, made once here.
    @cached_property
    def comparisons_by_topic(self) -> MappingProxyType[str, tuple[FigureGroup, ...]]:
        """By topic id, the groups of more than one figure of a metric that hold one of the topic's figures."""
        return _by_topic((group for group in self.figure_groups if group.compared), lambda group: [topic for topic, _ in group.entries])

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


def validate(raw: RawProject) -> tuple[Briefing | None, list[ContentError]]:
    """The Briefing built from the loaded files (its warnings with it), or None and every problem found."""
    errors: list[ContentError] = []
    sources = {}
    for source_file in raw.sources:
        meta = _model(SourceMeta, source_file.front, errors)
        errors += _check_source(source_file, meta)
        if meta is not None:
            sources[source_file.id] = (source_file, meta)
    topics = []
    salvaged = []
    for doc in raw.sheets:
        sheet = _model(FactSheet, doc, errors)
        errors += _check_topic_id(doc)
        if sheet is not None:
            topics.append((doc, Topic(doc.path.stem, doc.name, sheet)))
        else:
            salvaged += _salvaged_citations(doc)
    errors += _check_fact_ids(topics)
    errors += _check_dates(topics)
    errors += _check_metric_units(topics)
    errors += _check_contradictions(topics)
    errors += _check_confirmations(topics)
    errors += _check_fact_references(topics)
    glossary = _model(Glossary, raw.glossary, errors) if raw.glossary else None
    cited = _all_citations(topics, raw.glossary, glossary) + salvaged
    texts = {source_file.id: source_file.text for source_file in raw.sources}
    found, citation_errors = _find_citations(cited, texts, raw.broken_source_ids)
    errors += citation_errors
    errors += _check_numbers(topics, found)
    if errors or not topics or raw.broken_source_ids:
        # A source that failed to load has its errors from load, and its citations could not be placed.
        return None, errors
    return _briefing(topics, sources, texts, found, glossary, _warnings(sources, found)), []


_FILE_MODELS: dict[str, type[BaseModel]] = {SHEETS_DIR: FactSheet, GLOSSARY_FILE: Glossary}


def prepare_file(kind: str, parsed: Document | SourceFile) -> None:
    """What validation makes of one file alone, made as soon as it is parsed (see load_project):
    its model, its citations' normalised quotes, and for a source its normalised text. validate() then finds them made.
    The data the model was made from is let go (Document.release_data)."""
    if isinstance(parsed, SourceFile):
        _model(SourceMeta, parsed.front, [])
        parsed.text.normalized  # noqa: B018 - made once, here, and kept
        parsed.front.release_data()
    else:
        for _, citation in _citations(_model(_FILE_MODELS[kind], parsed, [])):
            citation.normalized_quote  # noqa: B018 - made once, here, and kept
        parsed.release_data()


def _model(cls: type[M], doc: Document, errors: list[ContentError]) -> M | None:
    """The document as a cls, or None with its problems added to errors; made once per document."""
    if cls not in doc.models:
        doc.models[cls] = _validated(cls, doc)
    model, problems = doc.models[cls]
    errors += problems
    return model


def _validated(cls: type[M], doc: Document) -> tuple[M | None, list[ContentError]]:
    try:
        return cls.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors()
        misspelt = _misspelt_fields(cls, errors)
        return None, [_describe(e, doc, cls) for e in errors if not (e["type"] == "missing" and (tuple(e["loc"][:-1]), e["loc"][-1]) in misspelt)]


def _misspelt_fields(cls: type[BaseModel], errors: list) -> set[tuple[Loc, str | None]]:
    """(where, field) for each unknown key close to an allowed field: that field's "missing" error is the same mistake,
    and "unknown field `sayd_by`: did you mean `said_by`?" says it all."""
    return {(tuple(e["loc"][:-1]), _close_field(cls, tuple(e["loc"]))) for e in errors if e["type"] == "extra_forbidden"}


def _describe(error: dict, doc: Document, cls: type[BaseModel]) -> ContentError:
    """A pydantic error as an editor's message at the place it concerns."""
    loc: Loc = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    field = str(loc[-1]) if loc else ""
    if kind == "missing":
        return doc.error(loc[:-1], f"missing field `{field}:`: add it{_missing_hint(cls, loc)}")
    if kind == "extra_forbidden":
        guess = _close_field(cls, loc)
        hint = f"did you mean `{guess}`?" if guess else "allowed here: " + ", ".join(sorted(_fields_at(cls, loc[:-1])))
        return doc.error(loc, f"unknown field `{field}`: {hint}", key=True)
    if kind == "string_pattern_mismatch":
        return doc.error(loc, f"{value!r} is not a valid id: {_slug_problem(value)}")
    if kind == "string_type" and value is None:
        return doc.error(loc, f"`{field}` has no value: write it after `{field}:`")
    if kind == "string_type" and isinstance(value, list | dict):
        return doc.error(loc, f"`{field}` must be text, not {_yaml_kind(value)}: write one line of text, in quotes if it holds `: `")
    if kind == "string_type":
        return doc.error(loc, f"`{field}` must be text, not {_yaml_kind(value)}: put the value in quotes")
    if kind == "string_too_short":
        return doc.error(loc, f"`{field}` is empty: write it, or remove the field if it is optional")
    if kind == "literal_error":
        return doc.error(loc, f"{value!r} is not a status: use one of {', '.join(STATUSES)}")
    if kind == "too_short":
        return doc.error(loc, f"`{field}` needs at least one entry: add one")
    if kind in ("list_type", "model_type", "dict_type", "model_attributes_type"):
        shape = "a list (lines starting with `- `)" if kind == "list_type" else "fields (`key: value` lines)"
        return doc.error(loc, f"`{field}` must be {shape}, not {_yaml_kind(value)}: rewrite it so")
    if kind.startswith("int"):
        return doc.error(loc, f"`{field}` must be a whole number, not {_yaml_kind(value)}: write digits only, e.g. 3")
    message = error["msg"].removeprefix("Value error, ")
    return doc.error(loc, f"`{field}`: {message}" if field and not isinstance(loc[-1], int) else message)


def _slug_problem(value: object) -> str:
    """How to fix an id, naming a character that only looks like a Latin letter (Cyrillic а for a)."""
    foreign = next((char for char in str(value) if char.isalpha() and not char.isascii()), None)
    if foreign is None:
        return SLUG_HINT
    name = unicodedata.name(foreign, "an unnamed character")
    return f"{foreign!r} is {name} (U+{ord(foreign):04X}), not a Latin letter: retype it; {SLUG_HINT}"


def _yaml_kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return repr(value)


def _close_field(cls: type[BaseModel], loc: Loc) -> str | None:
    """The field allowed beside loc whose name is closest to loc's last key, if one is close."""
    guess = difflib.get_close_matches(str(loc[-1]), sorted(_fields_at(cls, loc[:-1])), n=1)
    return guess[0] if guess else None


def _fields_at(cls: type[BaseModel], loc: Loc) -> dict[str, object]:
    """The model fields allowed at loc, found by following the annotations."""
    annotation: object = cls
    for part in loc:
        if isinstance(part, int):
            annotation = next(iter(typing.get_args(annotation)), annotation)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            annotation = annotation.model_fields[part].annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.model_fields
    return {}


def _missing_hint(cls: type[BaseModel], loc: Loc) -> str:
    info = _fields_at(cls, loc[:-1]).get(str(loc[-1]))
    if info is not None and type(None) in typing.get_args(info.annotation):
        return " (write `null` if it is unknown)"
    return ""


def _check_source(source: SourceFile, meta: SourceMeta | None) -> list[ContentError]:
    errors = []
    if not re.fullmatch(SLUG_PATTERN, source.id):
        errors.append(ContentError(source.front.name, 0, 0, f"file name {source.id!r} is not a valid source id: rename it; {_slug_problem(source.id)}"))
    if meta is not None and meta.title is None and meta.label is None and not meta.awaiting_review:  # else part of the review
        errors.append(source.front.error(("title",), UNTITLED))
    if meta is not None and meta.published and meta.published > meta.archived:
        errors.append(source.front.error(("published",), f"published {meta.published} is after archived {meta.archived}: correct one of the two dates"))
    return errors


def _check_topic_id(doc: Document) -> list[ContentError]:
    stem = doc.path.stem
    if not re.fullmatch(SLUG_PATTERN, stem):
        return [ContentError(doc.name, 0, 0, f"file name {stem!r} is not a valid topic id: rename it; {_slug_problem(stem)}")]
    if stem in RESERVED_TOPIC_IDS:
        return [ContentError(doc.name, 0, 0, f"{stem!r} is a page of the site itself: rename the file")]
    return []


def _check_fact_ids(topics: list[tuple[Document, Topic]]) -> list[ContentError]:
    first_seen: dict[str, tuple[Document, Loc]] = {}
    errors = []
    for doc, topic in topics:
        for index, fact in enumerate(topic.sheet.facts):
            loc = ("facts", index, "id")
            if fact.id in first_seen:
                errors.append(doc.error(loc, f"duplicate fact id {fact.id!r} (also at {_place(*first_seen[fact.id])}): make it unique"))
            else:
                first_seen[fact.id] = (doc, loc)
    return errors


def _place(doc: Document, loc: Loc) -> str:
    """file:line:col of the value at loc, for a message that points to a second place."""
    line, col = doc.where(loc)
    return f"{doc.name}:{line}:{col}"


def _check_dates(topics: list[tuple[Document, Topic]]) -> list[ContentError]:
    errors = []
    for doc, topic in topics:
        for index, fact in enumerate(topic.sheet.facts):
            if fact.date and date(fact.date.year, fact.date.month or 1, fact.date.day or 1) > topic.sheet.as_of:
                errors.append(doc.error(("facts", index, "date"), f"dated {fact.date}, after the sheet's as_of {topic.sheet.as_of}: correct the date or move as_of forward"))
    return errors


def _check_metric_units(topics: list[tuple[Document, Topic]]) -> list[ContentError]:
    first_unit: dict[str, tuple[str, Document, Loc]] = {}
    errors = []
    for doc, topic in topics:
        for index, figure in enumerate(topic.sheet.figures):
            loc = ("figures", index, "unit")
            unit, first_doc, first_loc = first_unit.setdefault(figure.metric, (figure.unit, doc, loc))
            if unit != figure.unit:
                where = _place(first_doc, first_loc)
                errors.append(doc.error(loc, f"metric {figure.metric!r} is in {unit!r} at {where}, here in {figure.unit!r}: use one unit per metric so values compare"))
    return errors


def _all_citations(
    topics: list[tuple[Document, Topic]], glossary_doc: Document | None, glossary: Glossary | None
) -> list[tuple[Document, Loc, Citation]]:
    """Every citation in the content, with the file and place it is written."""
    cited = [(doc, loc, citation) for doc, topic in topics for loc, citation in _citations(topic.sheet)]
    if glossary_doc:
        cited += [(glossary_doc, loc, citation) for loc, citation in _citations(glossary)]
    return cited


def _salvaged_citations(doc: Document) -> list[tuple[Document, Loc, Citation]]:
    """The well-formed citations of a sheet that failed validation, so one run also lists their problems."""
    found = []
    for kind in ("figures", "facts"):
        items = doc.data.get(kind)
        for index, item in enumerate(items if isinstance(items, list) else []):
            for field in CLAIM_CITATIONS:
                cites = item.get(field) if isinstance(item, dict) else None
                for number, raw in enumerate(cites if isinstance(cites, list) else []):
                    try:
                        found.append((doc, (kind, index, field, number), Citation.model_validate(raw)))
                    except ValidationError:
                        continue  # reported with the sheet's own errors
    return found


# The fields of a fact or figure that hold citations (models.Claim.citations): its own, and its confirmation's.
CLAIM_CITATIONS = ("cite", "confirmed_in")


def _citations(model: BaseModel | None) -> typing.Iterator[tuple[Loc, Citation]]:
    """Each citation of a fact sheet or of the glossary (none of anything else), with where it is written."""
    if isinstance(model, FactSheet):
        lists = (("figures", model.figures), ("facts", model.facts))
    else:
        lists = (("terms", model.terms),) if isinstance(model, Glossary) else ()
    for kind, items in lists:
        for index, item in enumerate(items):
            for field in CLAIM_CITATIONS if kind != "terms" else ("cite",):
                for number, citation in enumerate(getattr(item, field)):
                    yield (kind, index, field, number), citation


def _find_citations(
    cited: list[tuple[Document, Loc, Citation]], texts: dict[str, SourceText], unreadable: frozenset[str]
) -> tuple[dict[tuple[str, str], tuple[int, int]], list[ContentError]]:
    """Where each quote sits in its source, by (source id, normalised quote), or an error showing the closest passage.

    A quote cited several times is looked up once; a quote is only looked for in its own source.
    """
    found: dict[tuple[str, str], tuple[int, int]] = {}
    errors = []
    for doc, loc, citation in cited:
        if citation.source in unreadable:
            continue  # its own errors are reported already
        text = texts.get(citation.source)
        if text is None:
            guess = difflib.get_close_matches(citation.source, list(texts), n=1)
            hint = f"did you mean {guess[0]!r}?" if guess else f"add the article as sources/{citation.source}.md"
            errors.append(doc.error(loc + ("source",), f"no source {citation.source!r} in sources/: {hint}"))
            continue
        key = (citation.source, citation.normalized_quote)
        if key in found:
            continue
        span = text.find_normalized(key[1])
        if span is None:
            closest = text.closest_passage(citation.quote)
            errors.append(doc.error(loc + ("quote",), f"quote not found in sources/{citation.source}.md: copy the words exactly; closest passage: \"{closest}\""))
            continue
        found[key] = span
    return found, errors


def _check_numbers(topics: list[tuple[Document, Topic]], found: dict[tuple[str, str], tuple[int, int]]) -> list[ContentError]:
    """Each figure's value and each number in a fact's text, stated by its quotes; an item with a quote not found is
    skipped, as that quote has its error already."""
    errors = []
    for doc, topic in topics:
        for index, figure in enumerate(topic.sheet.figures):
            if _all_found(figure.cite, found):
                problem = figure_problem(figure.value, figure.unit, figure.qualifier, [citation.quote for citation in figure.cite])
                errors += [doc.error(("figures", index, "value"), problem)] if problem else []
        for index, fact in enumerate(topic.sheet.facts):
            if _all_found(fact.cite, found):
                missing = numbers_missing(fact.text, [citation.quote for citation in fact.cite], _date_parts(fact.date))
                errors += [doc.error(("facts", index, "text"), _unstated(written)) for written, _ in missing]
    return errors


def _all_found(cite: list[Citation], found: dict[tuple[str, str], tuple[int, int]]) -> bool:
    return all((citation.source, citation.normalized_quote) in found for citation in cite)


def _date_parts(when: PartialDate | None) -> tuple[str, ...]:
    """The year, month and day a fact is dated to: a text may write them without its quotes doing so."""
    return tuple(str(part) for part in (when.year, when.month, when.day) if part) if when else ()


def _unstated(written: str) -> str:
    return f'the text says "{written}" but no quote does: cite the words that state it, or correct the text'


def _briefing(
    topics: list[tuple[Document, Topic]],
    sources: dict[str, tuple[SourceFile, SourceMeta]],
    texts: dict[str, SourceText],
    found: dict[tuple[str, str], tuple[int, int]],
    glossary: Glossary | None,
    warnings: Warnings,
) -> Briefing:
    ordered = tuple(sorted((topic for _, topic in topics), key=lambda t: (t.sheet.order, t.sheet.title, t.id)))
    cited: dict[str, list[tuple[tuple[int, int], tuple[str, str]]]] = defaultdict(list)
    for key, span in found.items():
        cited[key[0]].append((span, key))
    built: dict[str, Source] = {}
    lookup: dict[tuple[str, str], Passage] = {}
    for source_id in sorted(sources):
        source_file, meta = sources[source_id]
        # One passage for each stretch of words: quotes that normalise differently can still cover the same one.
        by_span = {span: Passage(source_id, n, *span) for n, span in enumerate(sorted({span for span, _ in cited[source_id]}), 1)}
        lookup.update((key, by_span[span]) for span, key in cited[source_id])
        built[source_id] = Source(source_id, source_file.front.name, meta, texts[source_id], tuple(by_span.values()))
    return Briefing(
        ordered,
        MappingProxyType(built),
        MappingProxyType(lookup),
        _figure_groups(ordered),
        _disputes(ordered),
        glossary.terms if glossary else (),
        _inferred_dates(ordered, built),
        warnings,
    )


def _check_contradictions(topics: list[tuple[Document, Topic]]) -> list[ContentError]:
    known = {fact.id for _, topic in topics for fact in topic.sheet.facts}
    errors = []
    for doc, topic in topics:
        for index, fact in enumerate(topic.sheet.facts):
            for number, other in enumerate(fact.contradicts):
                loc = ("facts", index, "contradicts", number)
                if other == fact.id:
                    errors.append(doc.error(loc, "a fact cannot contradict itself: remove its own id"))
                elif other not in known:
                    guess = difflib.get_close_matches(other, sorted(known), n=1)
                    hint = f"did you mean {guess[0]!r}?" if guess else "use the id of a fact in briefings/"
                    errors.append(doc.error(loc, f"no fact with id {other!r}: {hint}"))
    return errors


def _disputes(topics: tuple[Topic, ...]) -> tuple[Dispute, ...]:
    """Each pair of facts the content marks as contradicting, once, in the order they are written."""
    where = {fact.id: (topic, fact) for topic in topics for fact in topic.sheet.facts}
    pairs: dict[frozenset[str], Dispute] = {}
    for topic in topics:
        for fact in topic.sheet.facts:
            for other in fact.contradicts:
                pairs.setdefault(frozenset((fact.id, other)), Dispute((topic, fact), where[other]))
    return tuple(pairs.values())


def _figure_groups(topics: tuple[Topic, ...]) -> tuple[FigureGroup, ...]:
    groups: dict[str, list[tuple[Topic, Figure]]] = defaultdict(list)
    for topic in topics:
        for figure in topic.sheet.figures:
            groups[figure.metric].append((topic, figure))
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


def _same_party(first: str, second: str) -> bool:
    return " ".join(first.casefold().split()) == " ".join(second.casefold().split())


def _check_confirmations(topics: list[tuple[Document, Topic]]) -> list[ContentError]:
    """`confirmed` means confirmed by someone other than the speaker, named in confirmed_by and cited in confirmed_in."""
    errors = []
    for doc, topic in topics:
        for kind, items in (("figures", topic.sheet.figures), ("facts", topic.sheet.facts)):
            for index, item in enumerate(items):
                errors += [doc.error((kind, index, field), message) for field, message in _confirmation_problems(item)]
    return errors


def _confirmation_problems(item: Fact | Figure) -> list[tuple[str, str]]:
    """(field, message) for each way item's status and confirmation disagree."""
    if item.status != "confirmed":
        if item.confirmed_by or item.confirmed_in:
            field = "confirmed_by" if item.confirmed_by else "confirmed_in"
            return [(field, f"status is {item.status}, yet `{field}` is set: set status: confirmed, or remove confirmed_by and confirmed_in")]
        return []
    if item.confirmed_by is None:
        return [("status", "status is confirmed, but no `confirmed_by:` names who confirms it: add confirmed_by and confirmed_in (the confirmation's citation), or use status: stated")]
    problems = []
    if _same_party(item.confirmed_by, item.said_by):
        problems.append(("confirmed_by", f"{item.confirmed_by!r} is also said_by: a claim is confirmed only by someone other than its speaker; name who else confirms it, or use status: stated"))
    if not item.confirmed_in:
        problems.append(("confirmed_by", f"confirmed by {item.confirmed_by}, but `confirmed_in:` cites no confirmation: add the citation where {item.confirmed_by} confirms it"))
    return problems


FACT_REFERENCE = re.compile(r"\[\[([^\[\]\s]*)\]\]")


def _check_fact_references(topics: list[tuple[Document, Topic]]) -> list[ContentError]:
    """A note or summary names another fact as [[fact-id]], which must exist; a fact id written bare would show readers a slug."""
    known = {fact.id for _, topic in topics for fact in topic.sheet.facts}
    errors = []
    for doc, topic in topics:
        fields = [(("summary",), topic.sheet.summary)]
        fields += [((kind, index, "note"), item.note) for kind, items in (("figures", topic.sheet.figures), ("facts", topic.sheet.facts)) for index, item in enumerate(items)]
        for loc, text in fields:
            errors += [doc.error(loc, message) for message in _reference_problems(text or "", known)]
    return errors


# A word of letters, digits, `_` and `-` not inside [[ ]]: a bare fact id when it is one.
_WORD_NOT_LINKED = re.compile(r"(?<![\w\[-])([\w-]+)(?![\w\]-])")


def _reference_problems(text: str, known: set[str]) -> list[str]:
    problems = []
    for match in FACT_REFERENCE.finditer(text):
        if match.group(1) not in known:
            guess = difflib.get_close_matches(match.group(1), sorted(known), n=1)
            hint = f"did you mean [[{guess[0]}]]?" if guess else "use the id of a fact in briefings/"
            problems.append(f"[[{match.group(1)}]] names no fact: {hint}")
    for word in _WORD_NOT_LINKED.findall(FACT_REFERENCE.sub("", text)):
        if word in known:
            problems.append(f"names the fact {word!r} by its id, which readers would see: write [[{word}]] to link it by its text")
    return problems


AWAITING_REVIEW = "awaiting review: read the text against the original, complete the front matter, then delete the line `awaiting_review: true`"
UNTITLED = "the article has no title: add `label:`, a few words readers see in its place (what the article is about, and who published it if known)"
UNUSED_SOURCE = "no fact, figure or glossary term cites this source: cite it or remove the file"


def _warnings(sources: dict[str, tuple[SourceFile, SourceMeta]], found: dict[tuple[str, str], tuple[int, int]]) -> Warnings:
    """Sources still awaiting an editor's review, and sources nothing cites."""
    cited = {source_id for source_id, _ in found}
    awaiting = [source_file.front.error(("awaiting_review",), _review_asks(meta)) for source_file, meta in sources.values() if meta.awaiting_review]
    unused = [ContentError(source_file.front.name, 0, 0, UNUSED_SOURCE) for source_id, (source_file, _) in sources.items() if source_id not in cited]
    return Warnings(tuple(awaiting), tuple(unused))


def _review_asks(meta: SourceMeta) -> str:
    """What the review of a source still has to do: an untitled article's label is part of it."""
    return AWAITING_REVIEW + ("; " + UNTITLED if meta.title is None and meta.label is None else "")
