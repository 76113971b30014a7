"""The briefing as data for the print template: plain JSON values, never markup.

Content text reaches the template as strings, which Typst shows as written, and inline
Markdown as runs made by markdown-it-py: each run a piece of text with its styles and,
for a link, its address or the anchor of the fact it names. Nothing here is Typst source,
so no content string can be read as Typst markup or code.

Each citation is an endnote of its topic, numbered in the order the template prints them:
figures, comparisons, facts (each item's citations, then its confirmation's). Endnotes,
not footnotes: Typst lays out a page of footnotes again until they fit, which makes
pages dense with citations slow to print. The summary after the cover cites with the marks of
its topics' notes: it adds no notes of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from markdown_it.token import Token

from .compare import stated_value
from .models import FACT_REFERENCE, STATUS_MEANING, Citation, Fact, Figure, Judgement, WatchItem, format_number, long_date
from .markup import content_markdown, inline
from .briefing import Briefing, Comparison, FigureGroup, Source, Topic, TopicRef

_MD = content_markdown()

# Of a metric given more than once, the summary shows this many values; its topic compares them all.
SUMMARY_VALUES = 3


def runs(text: str | None, fact_anchor=None, fact_text=None) -> list[dict] | None:
    """Inline Markdown as styled runs: {"text", and "strong", "emph", "code", "link" or "fact" where they apply}.

    With fact_text, as for summaries and notes (the fields check reads [[fact-id]] in), a [[fact-id]] becomes a
    run reading as that fact's text, linked to its anchor when the document prints it (fact_anchor gives None otherwise).
    """
    if text is None:
        return None
    made: list[dict] = []
    styles: dict[str, object] = {}
    for token in _MD.parseInline(text)[0].children or []:
        made += _token_runs(token, styles, fact_anchor, fact_text)
    return made


def _token_runs(token: Token, styles: dict[str, object], fact_anchor, fact_text) -> list[dict]:
    if token.type in ("strong_open", "em_open"):
        styles["strong" if token.type == "strong_open" else "emph"] = True
    elif token.type in ("strong_close", "em_close"):
        styles.pop("strong" if token.type == "strong_close" else "emph", None)
    elif token.type == "link_open":
        styles["link"] = str(token.attrs.get("href", ""))
    elif token.type == "link_close":
        styles.pop("link", None)
    elif token.type == "code_inline":
        return [{"text": token.content, **styles, "code": True}]
    elif token.type in ("softbreak", "hardbreak"):
        return [{"text": " ", **styles}]
    elif token.type in ("text", "text_special"):  # text_special: a character written escaped, or an entity
        return list(_text_runs(token.content, styles, fact_anchor, fact_text))
    return []


def _text_runs(text: str, styles: dict[str, object], fact_anchor, fact_text) -> Iterator[dict]:
    """Plain text, with each [[fact-id]] made a run that reads as the fact's text when fact_text is given."""
    if fact_text is None:
        yield {"text": text, **styles}
        return
    position = 0
    for match in FACT_REFERENCE.finditer(text):
        if match.start() > position:
            yield {"text": text[position : match.start()], **styles}
        anchor = fact_anchor(match.group(1))
        yield {"text": f"“{fact_text(match.group(1))}”", **styles, **({"fact": anchor} if anchor else {})}
        position = match.end()
    if position < len(text):
        yield {"text": text[position:], **styles}


def plain(text: str) -> str:
    """Inline Markdown as the text it reads as, for places that take no styles (a contradicting fact): as the site shows it."""
    return inline(text).striptags()


class Notes:
    """A topic's citations, numbered in the order the template prints them; each is one endnote of the topic."""

    def __init__(self, briefing: Briefing, topic: Topic, printed_sources: frozenset[str]):
        self.briefing = briefing
        self.topic = topic
        self.printed_sources = printed_sources
        self.notes: list[dict] = []

    def cite(self, citations: Iterable[Citation]) -> list[dict]:
        """The marks of citations in the text: each its number and the anchor of its note."""
        return [self._note(citation) for citation in citations]

    def _note(self, citation: Citation) -> dict:
        number = len(self.notes) + 1
        source = self.briefing.sources[citation.source]
        mark = {"number": number, "anchor": f"note-{self.topic.id}-{number}"}
        self.notes.append(
            {
                **mark,
                "source": source.display_title,
                "source_anchor": f"source-{source.id}" if source.id in self.printed_sources else None,
                "details": f"{source.meta.publisher or 'publisher unknown'}, {source_date(source)}",
                "quote": citation.quote,
            }
        )
        return mark


def source_date(source: Source) -> str:
    if source.meta.published is None:
        return "date unknown"
    return long_date(source.meta.published) + (" (date inferred)" if source.date_inferred else "")


class Exporter:
    """Makes the print data of one document: some topics, with the sources they cite."""

    def __init__(self, briefing: Briefing, topics: tuple[Topic, ...], sources: tuple[Source, ...]):
        self.briefing = briefing
        self.topics = topics
        self.sources = sources
        self.printed_topics = {topic.id: topic for topic in topics}
        self.printed_facts = {fact.id for topic in topics for fact in topic.sheet.facts}
        self.printed_sources = frozenset(source.id for source in sources)

    def fact_anchor(self, fact_id: str) -> str | None:
        return f"fact-{fact_id}" if fact_id in self.printed_facts else None

    def fact_text(self, fact_id: str) -> str:
        return plain(self.briefing.facts_by_id[fact_id][1].text)

    def linked_runs(self, text: str | None) -> list[dict] | None:
        """runs for a summary or a note: [[fact-id]] read as the fact's text, as the site's pages read it."""
        return runs(text, self.fact_anchor, self.fact_text)

    def judgement_runs(self, sentences: Iterable[Judgement]) -> list[dict]:
        """The judgement's sentences as one paragraph of runs, as the template prints a summary."""
        made: list[dict] = []
        for sentence in sentences:
            made += ([{"text": " "}] if made else []) + (self.linked_runs(sentence.text) or [])
        return made

    def topic(self, topic: Topic) -> dict:
        notes = Notes(self.briefing, topic, self.printed_sources)
        sheet = topic.sheet
        facts = len(sheet.facts)
        made = {
            "anchor": f"topic-{topic.id}",
            "title": sheet.title,
            "meta": f"As of {long_date(sheet.as_of)} · {facts} fact{'s' if facts != 1 else ''}",
            "summary": self.judgement_runs(sheet.summary),
            "figures": [self.figure(topic, index, figure, notes) for index, figure in enumerate(sheet.figures, 1)],
            "comparisons": [self.comparison(topic, group, notes) for group in self.briefing.comparisons_by_topic.get(topic.id, ())],
            # In the order the topic page lists them: under themes past THEMED_ABOVE facts, the first of each opening its theme.
            "themed": len(topic.fact_groups) > 1 or topic.fact_groups[0][0] is not None,
            "facts": [
                self.fact(fact, notes) | ({"opens_theme": theme} if theme is not None and index == 0 else {})
                for theme, group in topic.fact_groups
                for index, fact in enumerate(group)
            ],
        }
        return made | {"notes": notes.notes}

    def summary(self, printed: list[dict]) -> dict:
        """The summary after the cover (printed: the data of the topics the document prints, as topic() made it).

        The bottom line and what to watch come from overview.yaml, when the project has one. Each headline figure
        is shown as the site's overview shows it, and each coming event with its facts' citations: both cited with
        the marks of the notes their topics print. The key judgements are the topics' own summaries, which the
        template reads from the topics.
        """
        figures = {figure["anchor"]: figure for topic in printed for figure in topic["figures"]}
        facts = {fact["anchor"]: fact for topic in printed for fact in topic["facts"]}
        headlines = (self.headline(group, figures) for group in self.briefing.figure_groups)
        overview = self.briefing.overview
        return {
            "bottom_line": [self.sentence(sentence) for sentence in overview.bottom_line] if overview else [],
            "figures": [headline for headline in headlines if headline is not None],
            "watch": [self.watch_item(item, facts) for item in self.briefing.watch],
        }

    def sentence(self, sentence: Judgement) -> dict:
        """A sentence of assessment with the anchors of the facts it rests on that this document prints."""
        return {"text": self.linked_runs(sentence.text), "facts": self.printed_anchors(sentence.based_on)}

    def watch_item(self, item: WatchItem, facts: dict[str, dict]) -> dict:
        """A coming event, with the citation marks of the printed facts that state it."""
        return {
            "date": item.date.display(),
            "date_inferred": item.date_basis is not None,
            "event": self.linked_runs(item.event),
            "cites": [mark for anchor in self.printed_anchors(item.based_on) for mark in facts[anchor]["cites"]],
        }

    def printed_anchors(self, fact_ids: Iterable[str]) -> list[str]:
        return [anchor for anchor in map(self.fact_anchor, fact_ids) if anchor is not None]

    def headline(self, group: FigureGroup, figures: dict[str, dict]) -> dict | None:
        """A metric among the headline figures, with the first values this document prints; None when it prints none."""
        entries = [
            {**figures[figure_anchor(topic, _place(self.printed_topics[topic.id], figure))], "topic": topic.title, "topic_anchor": f"topic-{topic.id}"}
            for topic, figure in group.entries
            if topic.id in self.printed_topics
        ][:SUMMARY_VALUES]
        if not entries:
            return None
        more = None
        if group.count > len(entries):
            home = group.home
            anchor = f"topic-{home.id}" if home.id in self.printed_topics else None
            more = {"count": group.count - len(entries), "topic": home.title, "anchor": anchor}
        return {"label": group.label, "entries": entries, "more": more, "verdict": group.verdict if group.compared else None}

    def claim(self, item: Fact | Figure, notes: Notes) -> dict:
        """What facts and figures share: speaker, status, confirmation, note, and their citations."""
        return {
            "said_by": item.said_by,
            "status": item.status,
            "confirmed_by": item.confirmed_by,
            "cites": notes.cite(item.cite),
            "confirmations": notes.cite(item.confirmed_in),
            "note": self.linked_runs(item.note),
        }

    def figure(self, topic: Topic, index: int, figure: Figure, notes: Notes) -> dict:
        return {
            "anchor": figure_anchor(topic, index),
            "label": figure.label,
            "qualifier": figure.qualifier,
            "value": format_number(figure.value),
            "unit": figure.unit,
            "period": figure.period,
            **self.claim(figure, notes),
        }

    def comparison(self, topic: Topic, comparison: Comparison, notes: Notes) -> dict:
        """A comparison as its topic shows it: where only some of its values are, it names the topic that lists them all."""
        entries = []
        for other_topic, figure in comparison.entries:
            entries.append(
                {
                    "value": f"{stated_value(figure).removesuffix(' (exact)')} {figure.unit}",
                    "period": figure.period,
                    "elsewhere": other_topic.title if other_topic.id != topic.id else None,
                    **self.claim(figure, notes),
                }
            )
        home = comparison.home
        more = None
        if len(entries) < comparison.count:
            anchor = f"topic-{home.id}" if home.id in self.printed_topics else None
            more = {"count": comparison.count - len(entries), "topic": home.title, "anchor": anchor}
        return {"title": f"{comparison.label}: {comparison.count} values compared", "entries": entries, "more": more, "verdict": comparison.verdict}

    def fact(self, fact: Fact, notes: Notes) -> dict:
        return {
            "anchor": f"fact-{fact.id}",
            "date": fact.date.display() if fact.date else None,
            "date_inferred": self.briefing.date_inferred(fact),
            "text": runs(fact.text),
            **self.claim(fact, notes),
            "contradicted": [
                {
                    "text": plain(other.text),
                    "said_by": other.said_by,
                    "anchor": self.fact_anchor(other.id),
                    "topic": other_topic.sheet.title,
                }
                for other_topic, other in self.briefing.contradictions_by_fact.get(fact.id, ())
            ],
        }

    def source(self, source: Source) -> dict:
        meta = source.meta
        return {
            "anchor": f"source-{source.id}",
            "title": source.display_title,
            "untitled": meta.title is None,
            "publisher": meta.publisher,
            "author": meta.author,
            "published": source_date(source) if meta.published else None,
            "date_basis": runs(meta.date_basis),
            "url": meta.display_url,
            "archived": long_date(meta.archived),
            "note": runs(meta.note),
        }


def figure_anchor(topic: Topic | TopicRef, index: int) -> str:
    """Where a topic prints its index-th figure (from 1)."""
    return f"figure-{topic.id}-{index}"


def _place(topic: Topic, figure: Figure) -> int:
    """The figure's index among its topic's figures, by identity: two figures of a sheet may be equal."""
    return next(number for number, own in enumerate(topic.sheet.figures, 1) if own is figure)


def statuses() -> list[dict]:
    return [{"name": name, "meaning": meaning} for name, meaning in STATUS_MEANING.items()]
