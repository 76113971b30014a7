"""Rendering pages (brief/render.py): a render from the last one equals a full render, pages are written only when
they change, a long timeline is split by month, a template's error is reported at its line, and serve keeps
whatever a template prints current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brief import render
from brief.cache import Cache
from brief.editions import changes_page, edition_tags
from brief.errors import ContentErrors
from brief.pipeline import Memory, Project, build, check, generate
from brief.render import Page, render_site
from brief.staging import write_pages
from conftest import SUBJECT, TINY_SHEET


def test_writing_pages_touches_only_what_changed_and_removes_what_no_page_makes(tmp_path):
    docs = tmp_path / "docs"
    write_pages([Page("index.md", b"one"), Page("topics/a.md", b"a"), Page("old/gone.md", b"x")], [], docs)
    unchanged = (docs / "topics" / "a.md").stat().st_mtime_ns
    (docs / "topics" / "a.md.tmp").write_bytes(b"left by a killed run")

    changed = write_pages([Page("index.md", b"two"), Page("topics/a.md", b"a"), Page("sources/b.md", "Ušakov".encode())], [], docs)

    assert changed == ["index.md", "sources/b.md", "topics/a.md.tmp", "old/gone.md"]
    assert sorted(path.relative_to(docs).as_posix() for path in docs.rglob("*")) == ["index.md", "sources", "sources/b.md", "topics", "topics/a.md"]
    assert (docs / "index.md").read_bytes() == b"two" and (docs / "sources" / "b.md").read_text(encoding="utf-8") == "Ušakov"
    assert (docs / "topics" / "a.md").stat().st_mtime_ns == unchanged


def test_a_page_left_half_written_beside_a_changed_one_is_replaced(tmp_path):
    docs = tmp_path / "docs"
    write_pages([Page("index.md", b"one")], [], docs)
    (docs / "index.md.tmp").write_bytes(b"half of a page, left by a killed run")

    assert write_pages([Page("index.md", b"two")], [], docs) == ["index.md"]
    assert sorted(path.name for path in docs.iterdir()) == ["index.md"] and (docs / "index.md").read_bytes() == b"two"


# Edits an editor makes, as (file, text in it, replacement): each must give the same pages as a full render.
EDITS = [
    ("briefings/energy.yaml", "text: Putin told Xi that China", "text: Putin told Xi today that China"),
    ("briefings/energy.yaml", "    date: 2025-01-21\n    text: Putin said Russia holds", "    date: 2024-03\n    text: Putin said Russia holds"),
    ("briefings/diplomacy.yaml", "Beijing has denied accusations", "Beijing has flatly denied accusations"),
    ("briefings/diplomacy.yaml", "    value: 1\n    unit: USD billion\n", "    value: 1000\n    unit: USD million\n"),
    ("briefings/trade.yaml", "title: Trade", "title: Trade and payments"),
    ("sources/kyivindependent-2025-01-21-xi-putin-call.md", "publisher: The Kyiv Independent", "publisher: Kyiv Independent"),
    ("glossary.yaml", "A gas pipeline to China", "A gas pipeline from Russia to China"),
]


def rendered_pages(project: Project) -> dict[str, str]:
    return {page.path: page.data.decode() for page in full_render(project)}


def full_render(project: Project) -> list[Page]:
    """Every page as a render from nothing makes it, the What changed page from the project's edition tags included."""
    briefing = check(project)
    more = (changes_page(project.root, briefing, edition_tags(project.root)),)
    return render_site(briefing, project.templates, SUBJECT, stale_after_days=180, more=more).pages


@pytest.mark.parametrize("months_apart", [False, True], ids=["one timeline page", "a page per month"])
@pytest.mark.parametrize("path, before, after", EDITS, ids=[f"{path}: {after.strip()}" for path, _, after in EDITS])
def test_a_render_from_the_last_one_equals_a_full_render(project_copy, monkeypatch, months_apart, path, before, after):
    if months_apart:
        monkeypatch.setattr(render, "TIMELINE_PAGE_MAX", 5)
    project = Project(project_copy)
    memory = Memory(Cache.for_project(project.root))
    generate(project, memory)
    first = memory.rendered
    edited = project.root / path
    text = edited.read_text(encoding="utf-8")
    assert before in text
    edited.write_text(text.replace(before, after, 1), encoding="utf-8")

    generate(project, memory)

    expected = rendered_pages(project)
    assert {page.path: page.data.decode() for page in memory.rendered.pages} == expected
    staged = {path.relative_to(project.staging).as_posix(): path.read_text(encoding="utf-8") for path in project.staging.rglob("*.md")}
    assert staged == expected
    kept = [path for path, rendered in memory.rendered.rendered.items() if first.rendered.get(path) is rendered]
    if path.startswith("briefings/"):
        # Pages that show nothing of the edit are not rendered again (here: the methodology and another topic).
        other_topics = [kept_path for kept_path in kept if kept_path.startswith("topics/") and Path(kept_path).stem != Path(path).stem]
        assert "methodology.md" in kept and other_topics


def test_editing_a_fact_the_overview_does_not_name_leaves_the_overview_unrendered(project_copy):
    # The overview is the site's largest page: it shows each topic's card and figures, never whole topics.
    project = Project(project_copy)
    memory = Memory(Cache.for_project(project.root))
    briefing, _ = generate(project, memory)
    overview = memory.rendered.rendered["index.md"]
    named = {key[1] for key in overview.found if key[0] == "fact"} | {fact.id for _, fact in briefing.latest[: render.LATEST_COUNT]}
    topic, fact = next((topic, fact) for topic in briefing.topics for fact in topic.sheet.facts if fact.id not in named and f"text: {fact.text}\n" in (project.root / topic.name).read_text(encoding="utf-8"))
    sheet = project.root / topic.name
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(f"text: {fact.text}\n", f"text: {fact.text} Edited.\n"), encoding="utf-8")

    generate(project, memory)

    assert memory.rendered.rendered["index.md"] is overview
    assert "Edited." in memory.rendered.rendered[f"topics/{topic.id}.md"].page.data.decode()


def test_a_long_timeline_is_a_page_per_month_behind_an_index(project_copy, monkeypatch):
    monkeypatch.setattr(render, "TIMELINE_PAGE_MAX", 5)
    project = Project(project_copy)
    build(project, with_pdf=False)
    briefing = check(project)
    dated = {f"fact-{fact.id}" for topic in briefing.topics for fact in topic.sheet.facts if fact.date}
    index = (project.site / "timeline.html").read_text(encoding="utf-8")
    months = re.findall(r'href="timeline/([0-9-]+)\.html"', index)
    assert len(months) > 2 and months == sorted(months, reverse=True)
    shown = []
    for month in months:
        page = (project.site / "timeline" / f"{month}.html").read_text(encoding="utf-8")
        shown += re.findall(r'#(fact-[a-z0-9-]+)"', page)
        assert '"../timeline.html"' in page  # back to the index
    assert sorted(shown) == sorted(dated)
    assert "brief-timeline__entry" not in index


def test_a_template_error_is_reported_at_its_line(project_copy):
    project = Project(project_copy)
    timeline = project.templates / "timeline.md.j2"
    lines = timeline.read_text(encoding="utf-8").splitlines()
    lines[-1] += "{{ no_such_value.field }}"
    timeline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as raised:
        rendered_pages(project)
    assert [(error.path, error.line) for error in raised.value.errors] == [("templates/timeline.md.j2", len(lines))]


def test_a_template_that_does_not_compile_is_reported_at_its_line(project_copy):
    project = Project(project_copy)
    (project.templates / "timeline.md.j2").write_text("{% if %}\n", encoding="utf-8")
    (project.templates / "._draft.md.j2").write_bytes(b"\xff\xfe not a template")  # what macOS leaves beside a copied file
    with pytest.raises(ContentErrors) as raised:
        rendered_pages(project)
    assert [(error.path, error.line) for error in raised.value.errors] == [("templates/timeline.md.j2", 1)]


TRADE_SHEET = """\
title: Trade
summary:
  - text: Beta denies that the pipeline carries anything.
    based_on: [beta-denies]
as_of: 2025-01-21
facts:
  - id: beta-denies
    date: 2025-01-21
    text: Beta denied that the pipeline carries anything.
    said_by: Beta
    status: stated
    cite:
      - source: test-article
        quote: "Beta denied that the pipeline carries anything at all"
"""
# Printed on each topic page by the test below: how many passages of each cited source are cited anywhere.
PASSAGE_COUNT = '\n<p class="probe">{% for ref in cite.all() %}{{ ref.source.id }} has {{ ref.source.passages | length }} cited passages{% endfor %}</p>\n'


def test_a_value_a_template_starts_to_print_is_kept_current_by_serve(tiny_project):
    # Nothing lists what a page shows: whatever its template reads, from its context or through `cite`, it depends on.
    # Here the energy page comes to print a count that only an edit of another sheet changes.
    project = Project(tiny_project({"energy": TINY_SHEET, "trade": TRADE_SHEET}))
    memory = Memory(Cache.for_project(project.root))
    generate(project, memory)
    energy = project.staging / "topics" / "energy.md"
    assert "cited passages" not in energy.read_text(encoding="utf-8")

    with (project.templates / "topic.md.j2").open("a", encoding="utf-8") as template:
        template.write(PASSAGE_COUNT)
    generate(project, memory)
    assert "test-article has 2 cited passages" in energy.read_text(encoding="utf-8")

    trade = project.root / "briefings" / "trade.yaml"
    trade.write_text(TRADE_SHEET + """\
      - source: test-article
        quote: "Alpha put the pipeline's capacity at 38 bcm a year"
""", encoding="utf-8")
    generate(project, memory)
    assert "test-article has 3 cited passages" in energy.read_text(encoding="utf-8")
    assert energy.read_text(encoding="utf-8") == {page.path: page.data.decode() for page in memory.rendered.pages}["topics/energy.md"]
    assert {page.path: page.data for page in memory.rendered.pages} == {page.path: page.data for page in full_render(project)}


def test_past_a_few_dozen_topics_the_overview_leaves_the_judgements_fact_marks_to_the_topic_pages(project_copy, monkeypatch):
    # Each mark names its fact: with hundreds of topics, any fact edit would change the overview, the largest page.
    project = Project(project_copy)
    pages = {page.path: page.data.decode() for page in render_site(check(project), project.templates, SUBJECT, 180).pages}
    cards = re.search(r'<div class="brief-topics">.*?</div>\n\n', pages["index.md"], re.S).group(0)
    assert 'class="brief-basis"' in cards
    monkeypatch.setattr(render, "OVERVIEW_FACT_MARKS_MAX", 3)  # the project has 4 topics
    pages = {page.path: page.data.decode() for page in render_site(check(project), project.templates, SUBJECT, 180).pages}
    cards = re.search(r'<div class="brief-topics">.*?</div>\n\n', pages["index.md"], re.S).group(0)
    assert 'class="brief-basis"' not in cards and "brief-topic-card" in cards
    assert 'class="brief-basis"' in pages["topics/energy.md"]
