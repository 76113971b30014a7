"""Editions and the What changed page, built from small git histories made in temporary folders."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from brief.cache import Cache
from brief.editions import Edition, Tag, between_editions, edition_tags, editions, since_edition
from brief.pipeline import Project, build
from conftest import TINY_SHEET, commit, edited, git, make_tiny_project
from test_diff import FIGURE, SECOND_FACT

ADDED_FACT = """\
  - id: alpha-puts-capacity
    date: 2025-01-21
    text: Alpha put the pipeline's capacity at 38 bcm a year.
    said_by: Alpha
    status: stated
    cite:
      - source: test-article
        quote: "Alpha put the pipeline's capacity at 38 bcm a year"
"""
HOSTILE = "Alpha said the pipeline carries gas </script><script>alert(1)</script> & more."


def sections(page: str) -> dict[str, str]:
    """The page's HTML after each edition's heading, by the heading's id, in page order."""
    parts = re.split(r'<h2 id="(edition-[^"]+)"', page)
    return dict(zip(parts[1::2], parts[2::2]))


class Links(HTMLParser):
    """The links of an HTML text, and the text struck through."""

    def __init__(self, text: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.struck: list[str] = []
        self._in_del = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self._in_del |= tag == "del"
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        self._in_del &= tag != "del"

    def handle_data(self, data):
        if self._in_del:
            self.struck.append(data)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A tiny project tagged twice (2026-01-10, then a fact added, one removed, a figure changed: 2026-02-10), then edited
    in the working tree (a fact's text made hostile, and the fact made key), and built."""
    root = make_tiny_project(tmp_path_factory.mktemp("editions") / "tiny", {"energy": TINY_SHEET.replace("facts:\n", FIGURE + "facts:\n") + SECOND_FACT})
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "tag", "edition-2026-01-10")
    sheet = root / "briefings" / "energy.yaml"
    edited(sheet, SECOND_FACT, ADDED_FACT)
    edited(sheet, "value: 38", "value: 40")
    commit(root, "second edition")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "tag", "-a", "-m", "An annotated tag", "edition-2026-02-10")
    edited(sheet, "text: Alpha said the pipeline carries gas.", f"key: true\n    text: {HOSTILE!r}".replace("'", '"'))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEF_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        assert build(Project(root), with_pdf=False).rebuilt
    return root


def test_each_edition_newest_first_with_what_changed_since_it(history):
    page = (history / "site" / "changes.html").read_text(encoding="utf-8")
    since = sections(page)
    assert list(since) == ["edition-2026-02-10", "edition-2026-01-10"]
    assert "Up to this site as built: 1 fact changed." in since["edition-2026-02-10"]
    assert "Up to the next edition, 10 February 2026: 1 fact added, 1 removed; 1 figure changed." in since["edition-2026-01-10"]
    assert "value: 38 → 40" in since["edition-2026-01-10"]
    assert "— key: (none) → yes; text: −“gas.” +“gas &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;…”</span>" in since["edition-2026-02-10"]
    # The page stands in the navigation after the timeline.
    index = (history / "site" / "index.html").read_text(encoding="utf-8")
    assert index.index('href="timeline.html"') < index.index('href="changes.html"')


def test_items_link_to_where_they_now_stand_and_removed_ones_are_struck(history):
    site = history / "site"
    since = {tag: Links(html.split("</article>")[0]) for tag, html in sections((site / "changes.html").read_text(encoding="utf-8")).items()}
    assert since["edition-2026-02-10"].hrefs == ["topics/energy.html#fact-pipeline-carries-gas"]
    assert since["edition-2026-01-10"].hrefs == ["topics/energy.html#fact-alpha-puts-capacity", "topics/energy.html"]
    assert since["edition-2026-01-10"].struck == ["Beta denied that the pipeline carries anything."]
    for links in since.values():
        for href in links.hrefs:
            path, _, anchor = href.partition("#")
            target = (site / path).read_text(encoding="utf-8")
            assert not anchor or f'id="{anchor}"' in target, href


def test_a_hostile_fact_text_is_escaped(history):
    page = (history / "site" / "changes.html").read_text(encoding="utf-8")
    assert "alert(1)" in page
    assert "<script>alert" not in page and "</script><script>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more." in page


def test_without_a_repository_the_page_says_how_to_cut_an_edition(tmp_path):
    root = make_tiny_project(tmp_path / "tiny")
    build(Project(root), with_pdf=False)
    page = (root / "site" / "changes.html").read_text(encoding="utf-8")
    assert "No edition has been tagged yet." in page
    assert "git tag edition-2025-01-21 &amp;&amp; git push --tags" in page
    assert "<h2 id=" not in page
    methodology = (root / "site" / "methodology.html").read_text(encoding="utf-8")
    editions_section = methodology.split('id="editions"', 1)[1]
    assert 'href="changes.html"' in editions_section and "git tag edition-2025-01-21 &amp;&amp; git push --tags" in editions_section


def test_a_new_tag_rebuilds_the_site_and_a_malformed_one_is_named(tmp_path):
    root = make_tiny_project(tmp_path / "tiny")
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    assert build(Project(root), with_pdf=False).rebuilt
    assert not build(Project(root), with_pdf=False).rebuilt
    git(root, "tag", "edition-2026-03-01")
    git(root, "tag", "edition-2026-13-40")
    built = build(Project(root), with_pdf=False)
    assert built.rebuilt
    assert [str(warning) for warning in built.warnings] == [
        "git tag edition-2026-13-40: not named edition-YYYY-MM-DD with a real date: tag the commit again so, and delete this tag"
    ]
    assert build(Project(root), with_pdf=False).warnings == built.warnings  # a build that finds nothing to do says it again
    page = (root / "site" / "changes.html").read_text(encoding="utf-8")
    assert list(sections(page)) == ["edition-2026-03-01"]
    assert "Up to this site as built: no facts or figures changed." in page
    assert "<code>edition-2026-13-40</code>, not named edition-YYYY-MM-DD with a real date" in page


def test_tags_name_their_commits_and_only_real_dates_are_editions():
    tags = (Tag("edition-2026-01-10", "a" * 40), Tag("edition-2026-02-30", "b" * 40), Tag("edition-foo", "c" * 40), Tag("edition-2026-03-01", None))
    found, refused = editions(tags + (Tag("edition-2026-04-01", "d" * 40),))
    assert [edition.tag for edition in found] == ["edition-2026-04-01", "edition-2026-01-10"]
    assert [tag for tag, _ in refused] == ["edition-2026-02-30", "edition-foo", "edition-2026-03-01"]


def test_two_editions_compared_once_are_read_from_the_cache_without_git(history, tmp_path):
    found, _ = editions(edition_tags(history))
    assert [edition.tag for edition in found] == ["edition-2026-02-10", "edition-2026-01-10"]
    newer, older = found
    copy = tmp_path / "copy"
    shutil.copytree(history, copy)
    cache_folder = tmp_path / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEF_CACHE_DIR", str(cache_folder))
        first = Cache.for_project(copy, Cache.EDITIONS_PACK)
        compared = between_editions(copy, older, newer, first)
        first.save()
        shutil.rmtree(copy / ".git")
        again = between_editions(copy, older, newer, Cache.for_project(copy, Cache.EDITIONS_PACK))
    assert again == compared
    assert [(change.kind, change.how) for sheet in compared for change in sheet.changes] == [("fact", "added"), ("fact", "removed"), ("figure", "changed")]
    # A commit the repository does not hold (a shallow clone fetched the tag alone) is not compared, rather than read as empty.
    unknown = Edition("edition-2026-03-01", newer.date, "e" * 40)
    assert between_editions(history, older, unknown, Cache(None, "")) is None and since_edition(history, unknown, Cache(None, "")) is None
