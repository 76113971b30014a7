"""A topic's facts as schema.org JSON-LD: one Claim per fact, for search engines and fact-checking tools.

A topic page embeds the document in a <script type="application/ld+json"> element (topic.md.j2).
Everything here is read from the page's own context (its topic and disputes) and from what the
page looks up (a citation's source, a contradicting fact), so a render that keeps the page keeps
a document that is still true.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import jinja2
from markupsafe import Markup

from .briefing import Dispute, Passage, Source, Topic, TopicRef, fact_page, source_page
from .export import plain
from .models import STATUS_MEANING, Citation, Fact

# schema.org names no relation between claims ("a natural area for future exploration"), so the
# document defines its own term for one: CiTO's disagreesWith, a published citation vocabulary.
CONTEXT = ["https://schema.org", {"contradicts": {"@id": "http://purl.org/spar/cito/disagreesWith", "@type": "@id"}}]

# What could end the <script> element or open a comment in it, and the line breaks JavaScript reads inside a string.
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))

LookUpCitation = Callable[[Citation], tuple[Source, Passage]]
LookUpFact = Callable[[str], tuple[TopicRef, Fact]]


def script_json(data: object) -> Markup:
    """data as JSON that can sit inside a <script> element: no content can end it, and it parses back to data."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # str.replace, a character at a time: str.translate with strings in its table is many times slower on a page's JSON.
    for character, escape in _SCRIPT_SAFE:
        text = text.replace(character, escape)
    return Markup(text)


def counterparts(topic: Topic, disputes: Iterable[Dispute]) -> dict[str, list[str]]:
    """By id of one of the topic's facts, the ids of the facts the content marks as contradicting it."""
    found: dict[str, list[str]] = {}
    for dispute in disputes:
        for (here, fact), (_, other) in ((dispute.first, dispute.second), (dispute.second, dispute.first)):
            if here.id == topic.id:
                found.setdefault(fact.id, []).append(other.id)
    return found


def appearance(source: Source, base: str) -> dict[str, object]:
    """A cited article as claims appear in it: the site's archived copy, and the original's address when known."""
    meta = source.meta
    address = base + source_page(source.id)
    work: dict[str, object] = {"@type": "CreativeWork", "@id": address, "url": address, "name": source.display_title}
    if meta.publisher:
        work["publisher"] = {"name": meta.publisher}
    if meta.published:
        work["datePublished"] = meta.published.isoformat()
    if meta.url:
        work["sameAs"] = meta.display_url  # a look-alike host as readers see it on the page (models.displayed_url)
    return work


def claim(fact: Fact, topic_id: str, base: str, sources: list[dict[str, object]]) -> dict[str, object]:
    """One fact as a Claim: its text, who makes it (a name: whether a person or an organisation is not recorded), date, status,
    and the sources it appears in (by their @id: the page's graph describes each once)."""
    address = base + fact_page(topic_id, fact.id)
    made: dict[str, object] = {"@type": "Claim", "@id": address, "url": address, "text": plain(fact.text), "author": {"name": fact.said_by}}
    if fact.date:
        made["dateCreated"] = str(fact.date)  # ISO 8601 only as precise as known: 2025, 2025-01 or 2025-01-21
    made["description"] = f"{fact.status}: {STATUS_MEANING[fact.status]}"
    made["appearance"] = [{"@id": work["@id"]} for work in sources]
    return made


@jinja2.pass_context
def claims_script(context: jinja2.runtime.Context, topic: Topic, disputes: Iterable[Dispute]) -> Markup:
    """The topic page's JSON-LD, ready for its <script> element: a template global (render.template_env).

    Sources and contradicting facts are looked up through the page's lookups, so an edit to them renders the page again.
    """
    lookups = context["lookups"]
    base = context["site_url"] or context["root"]
    return script_json(topic_claims(topic, disputes, base, lookups.citation, lookups.fact))


def topic_claims(topic: Topic, disputes: Iterable[Dispute], base: str, citation: LookUpCitation, fact: LookUpFact) -> dict[str, object]:
    """The JSON-LD document of a topic page: a Claim per fact, each contradicted one naming the claims that contradict it,
    then each cited source once (a source cited by every fact would otherwise be written out with each).

    base is site_url, or the way from the page to the site's root; citation and fact look up what the page shows.
    """
    others = counterparts(topic, disputes)
    graph, works = [], {}
    for own in topic.sheet.facts:
        sources = {source.id: source for source, _ in map(citation, own.cite)}
        for source_id, source in sources.items():
            if source_id not in works:  # described once, by the first fact citing it
                works[source_id] = appearance(source, base)
        made = claim(own, topic.id, base, [works[source_id] for source_id in sources])
        if own.id in others:
            made["contradicts"] = [contradicting(*fact(other_id), base) for other_id in others[own.id]]
        graph.append(made)
    return {"@context": CONTEXT, "@graph": graph + list(works.values())}


def contradicting(topic: TopicRef, fact: Fact, base: str) -> dict[str, object]:
    """The claim that contradicts another, named where it stands, with its text and who makes it."""
    return {"@id": base + fact_page(topic.id, fact.id), "@type": "Claim", "text": plain(fact.text), "author": {"name": fact.said_by}}
