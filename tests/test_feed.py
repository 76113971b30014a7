"""feed.xml: valid Atom of the latest facts, newest first, linking to each fact, with ids that outlast edits, rebuilds and moves."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from brief.feed import FEED_ENTRIES, feed_page
from brief.pipeline import Project, build, check, generate
from conftest import SUBJECT, copy_project, edited

A = "{http://www.w3.org/2005/Atom}"
HOSTILE = "Putin said </content><script>alert(document.domain)</script> & <b>more</b> ]]> --> here."
HOSTILE_FACT = f"""
  - id: hostile-text
    date: 2026-02-04
    text: '{HOSTILE}'
    said_by: Vladimir Putin & <Co>
    status: stated
    cite:
      - source: unknown-2026-02-04-putin-xi-video-call
        quote: "Putin praised the strategic energy ties between the two nations, highlighting cooperation on peaceful nuclear energy use and high-tech projects."
"""
EDITED_FACT = "xi-trade-progressing-steadily"


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{A}entry")


def fact_of(entry: ET.Element) -> str:
    return entry.find(f"{A}link[@rel='alternate']").get("href").split("#fact-", 1)[1]


@pytest.fixture(scope="module")
def feeds(tmp_path_factory) -> tuple[Path, object, ET.Element, ET.Element]:
    """The project, its briefing, the built site's feed, and the feed after one fact's text is edited (rendered, not built)."""
    root = copy_project(tmp_path_factory.mktemp("feed") / "project")
    with (root / "briefings" / "energy.yaml").open("a", encoding="utf-8") as sheet:
        sheet.write(HOSTILE_FACT)
    build(Project(root), with_pdf=False)
    briefing = check(Project(root))
    first = ET.parse(root / "site" / "feed.xml").getroot()
    edited(root / "briefings" / "trade.yaml", "Xi said Russia–China trade", "Xi said (edited) Russia–China trade")
    generate(Project(root))
    return root, briefing, first, ET.parse(root / "staging" / "docs" / "feed.xml").getroot()


def test_the_feed_is_atom_with_the_required_elements(feeds):
    _, briefing, feed, _ = feeds
    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}title") == SUBJECT
    assert feed.findtext(f"{A}id").startswith("urn:uuid:")
    assert feed.findtext(f"{A}updated") == f"{briefing.as_of.isoformat()}T00:00:00Z"
    assert feed.find(f"{A}link[@rel='self']") is None  # mkdocs.yml sets no site_url: the feed cannot name its own address
    assert len(entries(feed)) == min(FEED_ENTRIES, len(briefing.dated_newest_first)) > 0
    for entry in entries(feed):
        for required in ("id", "title", "updated", "content"):
            assert entry.findtext(f"{A}{required}"), (required, ET.tostring(entry))
        assert entry.findtext(f"{A}author/{A}name")
        assert entry.find(f"{A}category").get("term") in ("stated", "reported", "confirmed", "disputed", "denied")
    assert len({entry.findtext(f"{A}id") for entry in entries(feed)}) == len(entries(feed))


def test_entries_are_the_latest_facts_newest_first_dated_by_the_facts(feeds):
    _, briefing, feed, _ = feeds
    latest = briefing.dated_newest_first[:FEED_ENTRIES]
    assert [fact_of(entry) for entry in entries(feed)] == [fact.id for _, fact in latest]
    updated = [entry.findtext(f"{A}updated") for entry in entries(feed)]
    assert updated == sorted(updated, reverse=True)
    for entry, (_, fact) in zip(entries(feed), latest):
        # The fact's date, never the time of the build: a month or a year alone is its first day.
        assert entry.findtext(f"{A}updated") == f"{fact.date.year:04d}-{fact.date.month or 1:02d}-{fact.date.day or 1:02d}T00:00:00Z"
        assert (entry.find(f"{A}published") is not None) == bool(fact.date.day)


def test_each_entry_links_to_its_fact_on_a_built_topic_page(feeds):
    root, _, feed, _ = feeds
    for entry in entries(feed):
        page, fragment = entry.find(f"{A}link[@rel='alternate']").get("href").split("#")
        target = root / "site" / page  # relative to the feed, at the site's root
        assert target.is_file(), page
        assert f'id="{fragment}"' in target.read_text(encoding="utf-8")


def test_ids_stay_the_same_after_a_fact_is_edited_and_the_site_rebuilt(feeds):
    _, _, first, second = feeds
    ids = {fact_of(entry): entry.findtext(f"{A}id") for entry in entries(first)}
    assert {fact_of(entry): entry.findtext(f"{A}id") for entry in entries(second)} == ids
    edited_entry = next(entry for entry in entries(second) if fact_of(entry) == EDITED_FACT)
    assert "Xi said (edited) Russia–China trade" in edited_entry.findtext(f"{A}content")
    assert edited_entry.findtext(f"{A}updated") == next(entry for entry in entries(first) if fact_of(entry) == EDITED_FACT).findtext(f"{A}updated")


def test_hostile_text_is_text_in_the_feed(feeds):
    root, _, feed, _ = feeds
    entry = next(entry for entry in entries(feed) if fact_of(entry) == "hostile-text")
    assert entry.findtext(f"{A}content").startswith(HOSTILE + "\n")
    assert entry.find(f"{A}content").get("type") == "text"
    assert entry.findtext(f"{A}author/{A}name") == "Vladimir Putin & <Co>"
    assert entry.findtext(f"{A}title").startswith("Vladimir Putin & <Co>: Putin said </content><script>alert(document.domain)</script>")
    assert b"<script>" not in (root / "site" / "feed.xml").read_bytes()


def test_with_a_site_address_links_are_absolute_and_ids_unchanged(feeds):
    _, briefing, feed, _ = feeds
    moved = ET.fromstring(feed_page(briefing, SUBJECT, "https://example.org/brief/").data)
    assert moved.find(f"{A}link[@rel='self']").get("href") == "https://example.org/brief/feed.xml"
    assert moved.findtext(f"{A}id") == feed.findtext(f"{A}id")
    for before, after in zip(entries(feed), entries(moved), strict=True):
        assert after.find(f"{A}link[@rel='alternate']").get("href") == "https://example.org/brief/" + before.find(f"{A}link[@rel='alternate']").get("href")
        assert after.findtext(f"{A}id") == before.findtext(f"{A}id")


def test_every_page_names_the_feed_in_its_head_for_feed_readers(feeds):
    root, _, _, _ = feeds
    site = root / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>", 1)[0]
        links = re.findall(r'<link rel="alternate feed" type="application/atom\+xml" title="Latest facts" href="([^"]+)">', head)
        assert len(links) == 1, page
        # 404.html may be shown at any address, so the theme links it from the server's root, as its own assets.
        target = site / links[0].lstrip("/") if page.name == "404.html" else page.parent / links[0]
        assert target.resolve() == (site / "feed.xml").resolve()
