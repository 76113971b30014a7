"""The site (brief/site.py): the real content built into a temporary folder and read back from the HTML;
the live preview's update of changed pages; a new site put in place of the old."""

from __future__ import annotations

import html as html_module
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from brief import pipeline
from brief.errors import ContentErrors
from brief.markup import inline
from brief.pipeline import Project
from brief.quotes import normalize
from brief.site import LOCK_FILE, build_site, building, new_output_folder, publish
from brief.site_update import SEARCH_INDEX, SearchIndex, update_site


class PageParser(HTMLParser):
    """Collects ids, links, the text inside each id'd passage, and the page text."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and "href" in attributes:
            self.links.append((attributes["href"], attributes))
        if tag == "script" and attributes.get("src"):
            self.scripts.append(attributes["src"])
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes["href"])

    def handle_data(self, data):
        self.text.append(data)


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def passage_text(html: str, anchor: str) -> str:
    """The highlighted text that follows an anchor on a source page."""
    after = html.split(f'id="{anchor}"></span>', 1)[1]
    marks = re.findall(r'<mark class="brief-passage" data-passages="([^"]*)">(.*?)</mark>|<span class="brief-anchor"[^>]*></span>|([^<]+)', after)
    collected = []
    for passages, marked, plain in marks:
        if plain or (passages and anchor not in passages.split()):
            break
        collected.append(marked)
    return html_module.unescape("".join(collected))


@pytest.fixture(scope="module")
def built(shipped) -> tuple[Path, object]:
    return shipped


def test_every_page_is_built(built):
    site, briefing = built
    expected = ["index.html", "timeline.html", "methodology.html", "sources/index.html"]
    expected += [f"topics/{t.id}.html" for t in briefing.topics]
    expected += [f"sources/{s}.html" for s in briefing.sources]
    assert [name for name in expected if not (site / name).is_file()] == []
    assert {t.id for t in briefing.topics} == {"energy", "trade", "diplomacy", "arms-control"}


def test_topic_pages_show_every_fact_with_its_attribution(built):
    site, briefing = built
    for topic in briefing.topics:
        html = (site / "topics" / f"{topic.id}.html").read_text(encoding="utf-8")
        for fact in topic.sheet.facts:
            article = html.split(f'id="fact-{fact.id}"', 1)[1].split("</article>", 1)[0]
            assert strip_tags(str(inline(fact.text))) in strip_tags(article)
            assert f"Said by <strong>{fact.said_by}</strong>" in article.replace("&#39;", "'")
            assert f"brief-status--{fact.status}" in article


def test_citation_links_land_on_their_highlighted_quote(built):
    site, briefing = built
    checked = 0
    for topic in briefing.topics:
        page = site / "topics" / f"{topic.id}.html"
        html = page.read_text(encoding="utf-8")
        for fact in topic.sheet.facts:
            article = html.split(f'id="fact-{fact.id}"', 1)[1].split("</article>", 1)[0]
            links = re.findall(r'<sup class="brief-cite"><a href="([^"]+)"', article)
            assert len(links) == len(fact.cite)
            for href, citation in zip(links, fact.cite):
                target, anchor = href.split("#")
                source_page = (page.parent / target).resolve()
                assert source_page == (site / "sources" / f"{citation.source}.html").resolve()
                source_html = source_page.read_text(encoding="utf-8")
                assert anchor in parse(source_page).ids
                assert normalize(citation.quote) in normalize(passage_text(source_html, anchor))
                checked += 1
    assert checked >= briefing.fact_count


def test_source_pages_list_the_facts_that_cite_them(built):
    site, briefing = built
    html = (site / "sources" / "kyivindependent-2025-01-21-xi-putin-call.html").read_text(encoding="utf-8")
    assert "topics/energy.html#fact-china-largest-buyer-of-russian-energy" in html
    assert "Kateryna Hodunova" in html
    assert "Address unknown" in html


def test_glossary_terms_carry_their_definition_wherever_they_appear(built):
    site, briefing = built
    html = (site / "topics" / "energy.html").read_text(encoding="utf-8")
    definition = next(term.definition for term in briefing.glossary if term.term == "Power of Siberia")
    assert f'<abbr class="brief-term" title="{html_module.escape(definition)}">Power of Siberia</abbr>' in html
    assert (site / "glossary.html").is_file()


def test_contradicting_facts_are_shown_side_by_side(built):
    site, _ = built
    html = (site / "topics" / "diplomacy.html").read_text(encoding="utf-8")
    box = html.split('<div class="brief-differ" role="note">', 1)[1].split("</div>", 1)[0]
    assert "#fact-nato-calls-beijing-decisive-enabler" in box
    assert "#fact-beijing-denies-supporting-russian-military" in box


def test_no_page_requests_another_host(built):
    site, _ = built
    for page in site.rglob("*.html"):
        parsed = parse(page)
        remote = [url for url in parsed.scripts + parsed.stylesheets if re.match(r"^(https?:)?//", url)]
        assert remote == [], page


def test_search_index_covers_the_facts(built):
    site, _ = built
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any("Power of Siberia" in doc["text"] for doc in index["docs"])


def test_timeline_lists_every_dated_fact_newest_first(built):
    site, briefing = built
    html = (site / "timeline.html").read_text(encoding="utf-8")
    dated = [f for t in briefing.topics for f in t.sheet.facts if f.date]
    positions = [html.index(f"#fact-{f.id}") for f in sorted(dated, key=lambda f: (f.date, f.id), reverse=True)]
    assert positions == sorted(positions)
    undated = [f for t in briefing.topics for f in t.sheet.facts if not f.date]
    assert all(f"#fact-{f.id}" not in html for f in undated)


def site_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def search_entries(folder: Path) -> list[tuple[str, str]]:
    index = json.loads((folder / SEARCH_INDEX).read_text(encoding="utf-8"))
    return sorted((entry["location"], entry["text"]) for entry in index["docs"])


def test_updating_only_changed_pages_gives_what_a_clean_build_gives(tiny_project, tmp_path):
    project = Project(tiny_project())
    briefing, _ = pipeline.generate(project)
    nav = pipeline.site_nav(briefing)
    build_site(project.config, project.staging, tmp_path / "before", nav)
    before = site_files(tmp_path / "before")
    sheet = project.root / "briefings" / "energy.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("Alpha said the pipeline", "Alpha, edited, said the pipeline"), encoding="utf-8")
    pipeline.generate(project)
    update_site(project.config, project.staging, tmp_path / "before", tmp_path / "updated", nav, SearchIndex.read(tmp_path / "before"))
    build_site(project.config, project.staging, tmp_path / "clean", nav)
    assert site_files(tmp_path / "before") == before
    updated, clean = site_files(tmp_path / "updated"), site_files(tmp_path / "clean")
    assert "Alpha, edited, said" in updated["topics/energy.html"].decode()
    assert {name: data for name, data in updated.items() if not name.startswith("search/")} == {
        name: data for name, data in clean.items() if not name.startswith("search/")
    }
    assert search_entries(tmp_path / "updated") == search_entries(tmp_path / "clean")
    assert updated["search/search_index.js"] == b"var __index = " + updated["search/search_index.json"]


def test_a_failed_update_leaves_the_previous_site_whole(tiny_project, tmp_path):
    project = Project(tiny_project())
    briefing, _ = pipeline.generate(project)
    nav = pipeline.site_nav(briefing)
    build_site(project.config, project.staging, tmp_path / "before", nav)
    before = site_files(tmp_path / "before")
    page = project.staging / "methodology.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[a link to nowhere](missing.md)\n", encoding="utf-8")
    with pytest.raises(ContentErrors):  # strict mode: the broken link stops MkDocs
        update_site(project.config, project.staging, tmp_path / "before", tmp_path / "updated", nav, SearchIndex.read(tmp_path / "before"))
    assert site_files(tmp_path / "before") == before


def test_a_site_the_new_build_cannot_replace_is_put_back(tmp_path: Path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    built = new_output_folder(site)
    (built / "index.html").write_text("new", encoding="utf-8")
    rename = Path.rename

    def refuse_the_built_folder(path: Path, target: Path) -> Path:
        if path == built:
            raise OSError(16, "Device or resource busy", str(path))
        return rename(path, target)

    monkeypatch.setattr(Path, "rename", refuse_the_built_folder)
    with pytest.raises(OSError):
        publish(built, site)

    assert (site / "index.html").read_text(encoding="utf-8") == "old"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["site", built.name])


def test_folders_killed_builds_left_are_removed_once_the_lock_is_held(tmp_path: Path):
    site = tmp_path / "site"
    left = [tmp_path / ".site-build-killed", tmp_path / ".site-old-killed"]
    unrelated = tmp_path / ".site-notes"
    for folder in (*left, unrelated):
        folder.mkdir()
        (folder / "index.html").write_text("", encoding="utf-8")
    (tmp_path / ".site-old-link").symlink_to(unrelated)  # what a site/ that was a link leaves once renamed

    with building(site):
        assert sorted(path.name for path in tmp_path.iterdir()) == sorted([unrelated.name, LOCK_FILE])

    assert (unrelated / "index.html").is_file()


def test_while_one_build_holds_the_lock_another_is_refused_and_after_it_may_go_on(tmp_path: Path):
    site = tmp_path / "site"
    with building(site):
        with pytest.raises(ContentErrors) as refused:
            with building(site):
                pass
    assert [str(error) for error in refused.value.errors] == [
        "site/: another build or pdf of this project is running: wait for it to finish, then run this again"
    ]
    with building(site):
        pass
