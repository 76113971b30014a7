"""The Atom feed of the latest facts: feed.xml at the site's root, one entry per fact, newest first.

A feed reader polls the feed and shows each entry whose id it has not seen, so ids and dates must
not change from one build to the next: nothing in the feed is the time of the build. It is made
with ElementTree, which escapes every text and attribute, so no content can end an element.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import date

from .briefing import Briefing, Topic, fact_page
from .export import plain
from .models import STATUS_MEANING, Fact, PartialDate
from .render import Page

FEED_FILE = "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"
# A reader polling daily or weekly sees every new fact among the latest 50; the whole briefing, at 10,000
# facts, would be megabytes fetched on every poll. The JSON and CSV exports hold every fact.
FEED_ENTRIES = 50
TITLE_WORDS = 12
# RFC 4287 §4.2.6: an id is a permanent, universally unique IRI that must not change when the entry is edited or moved.
# An address changes when the site moves, and a tag: URI needs a domain the briefing may not have; urn:uuid is a
# registered URN namespace (RFC 4122), and a name-based UUID of the subject and the fact id is the same on every build.
ID_NAMESPACE = uuid.UUID("d4e6e366-c939-4155-90ef-02f0c164988a")
# Characters XML 1.0 cannot hold, even escaped: C0 controls but tab and line breaks, surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def feed_id(subject: str, fact_id: str | None = None) -> str:
    """The feed's id, or a fact's entry's: from the subject and the fact id only."""
    name = subject if fact_id is None else f"{subject}\nfact\n{fact_id}"
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, name)}"


def feed_page(briefing: Briefing, subject: str, site_url: str | None) -> Page:
    """feed.xml: the FEED_ENTRIES latest dated facts; links are absolute with site_url, else relative to the feed at the site's root."""
    base = site_url or ""
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "id", feed_id(subject))
    _text(feed, "title", subject)
    _text(feed, "subtitle", "The latest facts of a source-verified briefing: each names who says it and cites an archived source.")
    _text(feed, "updated", _timestamp(briefing.as_of))
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=base + "index.html")
    if site_url:
        ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=base + FEED_FILE)
    _text(feed, "generator", "brief")
    for topic, fact in briefing.dated_newest_first[:FEED_ENTRIES]:
        feed.append(_entry(briefing, subject, topic, fact, base))
    ET.indent(feed)
    return Page(FEED_FILE, ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n")


def _entry(briefing: Briefing, subject: str, topic: Topic, fact: Fact, base: str) -> ET.Element:
    entry = ET.Element("entry")
    text = plain(fact.text)
    words = text.split()
    _text(entry, "id", feed_id(subject, fact.id))
    _text(entry, "title", f"{fact.said_by}: {' '.join(words[:TITLE_WORDS])}{' …' if len(words) > TITLE_WORDS else ''}")
    # A date known only to the month or year is entered as its first day, which keeps entries in the order of their dates.
    _text(entry, "updated", _timestamp(_first_day(fact.date)))
    if fact.date.day:
        _text(entry, "published", _timestamp(_first_day(fact.date)))
    ET.SubElement(entry, "link", rel="alternate", type="text/html", href=base + fact_page(topic.id, fact.id))
    _text(ET.SubElement(entry, "author"), "name", fact.said_by)
    ET.SubElement(entry, "category", term=fact.status, label=STATUS_MEANING[fact.status])
    inferred = " (date inferred)" if briefing.date_inferred(fact) else ""
    content = [text, "", f"Said by {fact.said_by}, {fact.date.display()}{inferred}. Status: {fact.status} ({STATUS_MEANING[fact.status]}). Topic: {topic.sheet.title}."]
    for citation in fact.cite:
        source = briefing.sources[citation.source]
        content.append(f"Source: {source.display_title}, {source.meta.publisher or 'publisher unknown'}: “{citation.quote}”")
    _text(entry, "content", "\n".join(content), type="text")
    return entry


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, **attributes)
    element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _first_day(partial: PartialDate) -> date:
    return date(partial.year, partial.month or 1, partial.day or 1)


def _timestamp(day: date) -> str:
    """A day as the date-time Atom requires (RFC 3339): its start, in UTC."""
    return f"{day.isoformat()}T00:00:00Z"
