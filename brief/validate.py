"""Stage 2, validate: the files checked alone (files.py), then checked against each other.

Returns a read-only Briefing with its warnings, or every problem found in one pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain

from pydantic import ValidationError

from .briefing import THEMED_ABOVE, Briefing, Topic, briefing_from
from .document import Document, Loc
from .errors import ContentError, Warnings
from .fact_ids import duplicate_fact_ids
from .files import CLAIM_CITATIONS, CheckedFile, citations_of, date_parts, quote_keys, slug_problem
from .load import GLOSSARY_FILE, OVERVIEW_FILE, SHEETS_DIR, SOURCES_DIR, SourceFile
from .models import FACT_REFERENCE, SLUG_PATTERN, Citation, Fact, Figure, Judgement, Overview, SourceMeta, displayed_url, host_scripts, url_host
from .numbers import numbers_missing
from .quotes import SourceText

# Page names the site uses itself; a topic may not take them.
RESERVED_TOPIC_IDS = frozenset({"index", "timeline", "sources", "methodology", "glossary", "assets", "pdf", "search"})
NO_SHEETS = "no fact sheets: add one, e.g. briefings/energy.yaml"


def validate(files: list[CheckedFile]) -> tuple[Briefing | None, list[ContentError]]:
    """The Briefing built from the checked files (its warnings with it), or None and every problem found, theirs first."""
    errors = [error for file in files for error in file.errors]
    today = date.today()  # not in files.py: what a file makes alone is cached by its bytes, and today moves on
    sources: dict[str, tuple[SourceFile, SourceMeta]] = {}
    texts: dict[str, SourceText] = {}
    broken = set()
    topics: list[tuple[Document, Topic]] = []
    salvaged = []
    glossary_file = overview_file = None
    for file in files:
        if file.kind == SOURCES_DIR:
            if file.parsed is None:
                broken.add(file.path.stem)  # its citations cannot be placed; its own errors say why
                continue
            errors += _check_source(file.parsed, file.model, today)
            texts[file.parsed.id] = file.parsed.text
            if file.model is not None:
                sources[file.parsed.id] = (file.parsed, file.model)
        elif file.kind == SHEETS_DIR and file.parsed is not None:
            errors += _check_topic_id(file.parsed)
            if file.model is not None:
                topics.append((file.parsed, Topic(file.path.stem, file.parsed.name, file.model)))
            else:
                salvaged += _salvaged_citations(file.parsed)
        elif file.kind == GLOSSARY_FILE and file.parsed is not None:
            glossary_file = file
        elif file.kind == OVERVIEW_FILE and file.parsed is not None and file.model is not None:
            overview_file = file
    if not errors and not topics:
        errors.append(ContentError(f"{SHEETS_DIR}/", 0, 0, NO_SHEETS))
    errors += duplicate_fact_ids(topics)
    errors += _check_dates(topics, today)
    errors += _check_metric_units(topics)
    errors += _check_contradictions(topics)
    errors += _check_confirmations(topics)
    judged = _judgements(topics, overview_file)
    errors += _check_based_on(topics, judged, overview_file)
    errors += _check_fact_references(topics, overview_file)
    cited = chain(_all_citations(topics, glossary_file), salvaged)
    found, citation_errors = _find_citations(cited, texts, frozenset(broken))
    errors += citation_errors
    errors += _check_numbers(files, found)
    errors += _check_judgement_numbers(topics, judged, overview_file, found)
    if errors or not topics or broken:
        return None, errors
    glossary = glossary_file.model if glossary_file else None
    overview = overview_file.model if overview_file else None
    named = {source_id: (source_file.front.name, meta) for source_id, (source_file, meta) in sources.items()}
    warnings = _warnings(sources, found, _content_warnings(topics, overview_file))
    briefing = briefing_from([topic for _, topic in topics], named, texts, found, glossary, warnings, overview)
    return briefing, []


def _check_source(source: SourceFile, meta: SourceMeta | None, today: date) -> list[ContentError]:
    errors = []
    if not re.fullmatch(SLUG_PATTERN, source.id):
        errors.append(ContentError(source.front.name, 0, 0, f"file name {source.id!r} is not a valid source id: rename it; {slug_problem(source.id)}"))
    if meta is not None and meta.title is None and meta.label is None and not meta.awaiting_review:  # else part of the review
        errors.append(source.front.error(("title",), UNTITLED))
    if meta is not None and meta.published and meta.published > meta.archived:
        errors.append(source.front.error(("published",), f"published {meta.published} is after archived {meta.archived}: correct one of the two dates"))
    return errors + (_future_dates(source, meta, today) if meta is not None else [])


def _future_dates(source: SourceFile, meta: SourceMeta, today: date) -> list[ContentError]:
    """An error at published or archived when it is after the day of the build: a day not yet come is a slip."""
    dates = (("published", meta.published), ("archived", meta.archived))
    return [source.front.error((field,), f"{field} {day} is after today, {today}: correct the date") for field, day in dates if day and day > today]


def _check_topic_id(doc: Document) -> list[ContentError]:
    stem = doc.path.stem
    if not re.fullmatch(SLUG_PATTERN, stem):
        return [ContentError(doc.name, 0, 0, f"file name {stem!r} is not a valid topic id: rename it; {slug_problem(stem)}")]
    if stem in RESERVED_TOPIC_IDS:
        return [ContentError(doc.name, 0, 0, f"{stem!r} is a page of the site itself: rename the file")]
    return []


def _check_dates(topics: list[tuple[Document, Topic]], today: date) -> list[ContentError]:
    errors = []
    for doc, topic in topics:
        if topic.sheet.as_of > today:
            errors.append(doc.error(("as_of",), f"as_of {topic.sheet.as_of} is after today, {today}: set it to the day the sheet was last brought up to date"))
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
                where = first_doc.place(first_loc)
                errors.append(doc.error(loc, f"metric {figure.metric!r} is in {unit!r} at {where}, here in {figure.unit!r}: use one unit per metric so values compare"))
    return errors


def _all_citations(topics: list[tuple[Document, Topic]], glossary: CheckedFile | None) -> Iterator[tuple[Document, Loc, Citation]]:
    """Every citation in the content, with the file and place it is written.

    One at a time, not as a list: serve checks on every edit, and a list of them all would live long
    enough to count towards the next full garbage collection.
    """
    for doc, topic in topics:
        for loc, citation in citations_of(topic.sheet):
            yield doc, loc, citation
    if glossary is not None:
        for loc, citation in citations_of(glossary.model):
            yield glossary.parsed, loc, citation


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


# The closest passage is searched for this many quotes not found, each a fraction of a second in a long
# source: past them, a run of wrong quotes (a sheet pasted from elsewhere) would keep check waiting.
CLOSEST_PASSAGES_SEARCHED = 5


def _find_citations(
    cited: Iterable[tuple[Document, Loc, Citation]], texts: dict[str, SourceText], unreadable: frozenset[str]
) -> tuple[dict[tuple[str, str], tuple[int, int]], list[ContentError]]:
    """Where each quote sits in its source, by (source id, normalised quote), or an error showing the closest passage.

    A quote cited several times is looked up once; a quote is only looked for in its own source.
    """
    found: dict[tuple[str, str], tuple[int, int]] = {}
    errors = []
    missing = 0
    for doc, loc, citation in cited:
        if citation.source in unreadable:
            continue  # its own errors are reported already
        text = texts.get(citation.source)
        if text is None:
            guess = difflib.get_close_matches(citation.source, list(texts), n=1)
            hint = f"did you mean {guess[0]!r}?" if guess else f"add the article as sources/{citation.source}.md"
            errors.append(doc.error(loc + ("source",), f"no source {citation.source!r} in sources/: {hint}"))
            continue
        key = citation.quote_key
        if key in found:
            continue
        span = text.find_normalized(key[1])
        if span is None:
            message = f"quote not found in sources/{citation.source}.md: copy the words exactly"
            missing += 1
            if missing <= CLOSEST_PASSAGES_SEARCHED:
                message += f'; closest passage: "{text.closest_passage(citation.quote)}"'
            errors.append(doc.error(loc + ("quote",), message))
            continue
        found[key] = span
    return found, errors


def _check_numbers(files: list[CheckedFile], found: dict[tuple[str, str], tuple[int, int]]) -> list[ContentError]:
    """Each number a valid sheet's figures and facts state that their quotes do not (files.number_problems, none
    for other files); an item with a quote not found is skipped, as that quote has its error already."""
    return [file.parsed.error(loc, message) for file in files for loc, message, keys in file.number_problems if _all_found(keys, found)]


def _all_found(keys: tuple[tuple[str, str], ...], found: dict[tuple[str, str], tuple[int, int]]) -> bool:
    """Whether every citation's quote (by Citation.quote_key) was found in its source."""
    return all(key in found for key in keys)


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


def _judgements(topics: list[tuple[Document, Topic]], overview: CheckedFile | None) -> list[tuple[Document, Loc, Judgement]]:
    """Every sentence that rests on facts, with where it is written: each sheet's summary, the overview's bottom line."""
    judged = [(doc, ("summary", index), sentence) for doc, topic in topics for index, sentence in enumerate(topic.sheet.summary)]
    if overview is not None:
        judged += [(overview.parsed, ("bottom_line", index), sentence) for index, sentence in enumerate(overview.model.bottom_line)]
    return judged


def _check_based_on(topics: list[tuple[Document, Topic]], judged: list[tuple[Document, Loc, Judgement]], overview: CheckedFile | None) -> list[ContentError]:
    """Each id a judgement or a watch item rests on names a fact: it is the reader's link to the evidence."""
    known = {fact.id for _, topic in topics for fact in topic.sheet.facts}
    places = [(doc, loc + ("based_on", number), fact_id) for doc, loc, sentence in judged for number, fact_id in enumerate(sentence.based_on)]
    if overview is not None:
        items = enumerate(overview.model.watch)
        places += [(overview.parsed, ("watch", index, "based_on", number), fact_id) for index, item in items for number, fact_id in enumerate(item.based_on)]
    errors = []
    for doc, loc, fact_id in places:
        if fact_id not in known:
            guess = difflib.get_close_matches(fact_id, sorted(known), n=1)
            hint = f"did you mean {guess[0]!r}?" if guess else "use the id of a fact in briefings/"
            errors.append(doc.error(loc, f"no fact with id {fact_id!r}: {hint}"))
    return errors


def _check_judgement_numbers(
    topics: list[tuple[Document, Topic]], judged: list[tuple[Document, Loc, Judgement]], overview: CheckedFile | None, found: dict[tuple[str, str], tuple[int, int]]
) -> list[ContentError]:
    """A number in a judgement or a watch item is stated by the quotes of the facts it rests on: an assessment adds no figures of its own."""
    facts = {fact.id: fact for _, topic in topics for fact in topic.sheet.facts}
    texts = [(doc, loc + ("text",), sentence.text, sentence.based_on) for doc, loc, sentence in judged]
    if overview is not None:
        texts += [(overview.parsed, ("watch", index, "event"), item.event, item.based_on) for index, item in enumerate(overview.model.watch)]
    errors = []
    for doc, loc, text, based_on in texts:
        basis = [facts[fact_id] for fact_id in based_on if fact_id in facts]
        if len(basis) < len(based_on) or not all(_all_found(quote_keys(fact.cite), found) for fact in basis):
            continue  # an unknown id or a quote not found has its own error
        quotes = [citation.quote for fact in basis for citation in fact.cite]
        dates = tuple(part for fact in basis for part in date_parts(fact.date))
        for written, _ in numbers_missing(text, quotes, dates):
            errors.append(doc.error(loc, f'the text says "{written}" but none of the facts it is based on quotes it: base it on a fact that states it, or correct the text'))
    return errors


def _check_fact_references(topics: list[tuple[Document, Topic]], overview: CheckedFile | None) -> list[ContentError]:
    """A note, summary or overview sentence names another fact as [[fact-id]], which must exist; a fact id written bare would show readers a slug."""
    known = {fact.id for _, topic in topics for fact in topic.sheet.facts}
    errors = []
    for doc, topic in topics:
        fields = [(("summary", index, "text"), sentence.text) for index, sentence in enumerate(topic.sheet.summary)]
        fields += [((kind, index, "note"), item.note) for kind, items in (("figures", topic.sheet.figures), ("facts", topic.sheet.facts)) for index, item in enumerate(items)]
        for loc, text in fields:
            errors += [doc.error(loc, message) for message in _reference_problems(text or "", known)]
    if overview is not None:
        model: Overview = overview.model
        fields = [(("bottom_line", index, "text"), sentence.text) for index, sentence in enumerate(model.bottom_line)]
        fields += [(("watch", index, "event"), item.event) for index, item in enumerate(model.watch)]
        for loc, text in fields:
            errors += [overview.parsed.error(loc, message) for message in _reference_problems(text, known)]
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


UNTHEMED = "has no `theme:`: the sheet holds more than {count} facts, so its page groups them by theme and shows this one under \"Other\"; add a theme"
PAST_WATCH = "dated {date}, before the briefing's as-of date {as_of}: it is no longer shown; remove it, or correct the date if the event is still to come"


def _content_warnings(topics: list[tuple[Document, Topic]], overview: CheckedFile | None) -> tuple[ContentError, ...]:
    """Facts of a themed sheet without a theme, and watch items the briefing's as-of date has passed."""
    warnings = []
    for doc, topic in topics:
        if len(topic.sheet.facts) > THEMED_ABOVE:
            unthemed = [index for index, fact in enumerate(topic.sheet.facts) if fact.theme is None]
            warnings += [doc.error(("facts", index, "id"), UNTHEMED.format(count=THEMED_ABOVE)) for index in unthemed]
    if overview is not None and topics:
        as_of = max(topic.sheet.as_of for _, topic in topics)
        for index, item in enumerate(overview.model.watch):
            if item.date.latest < as_of:
                warnings.append(overview.parsed.error(("watch", index, "date"), PAST_WATCH.format(date=item.date, as_of=as_of)))
    return tuple(warnings)


def _warnings(
    sources: dict[str, tuple[SourceFile, SourceMeta]], found: dict[tuple[str, str], tuple[int, int]], content: tuple[ContentError, ...] = ()
) -> Warnings:
    """Sources still awaiting an editor's review, sources nothing cites, addresses whose host mixes scripts, and the content warnings."""
    cited = {source_id for source_id, _ in found}
    awaiting = [source_file.front.error(("awaiting_review",), _review_asks(meta)) for source_file, meta in sources.values() if meta.awaiting_review]
    unused = [ContentError(source_file.front.name, 0, 0, UNUSED_SOURCE) for source_id, (source_file, _) in sources.items() if source_id not in cited]
    mixed = [source_file.front.error(("url",), _mixed_scripts(meta.url)) for source_file, meta in sources.values() if meta.url and len(host_scripts(meta.url)) > 1]
    return Warnings(tuple(awaiting), tuple(unused), tuple(mixed), content)


def _mixed_scripts(url: str) -> str:
    scripts = " and ".join(script.title() for script in host_scripts(url))
    shown = url_host(displayed_url(url))
    return (
        f"the address's host {url_host(url)!r} mixes {scripts} letters, as a look-alike of another site's address does:"
        f" readers see it as {shown}; check the address against the original"
    )


def _review_asks(meta: SourceMeta) -> str:
    """What the review of a source still has to do: an untitled article's label is part of it."""
    return AWAITING_REVIEW + ("; " + UNTITLED if meta.title is None and meta.label is None else "")
