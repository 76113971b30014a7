"""Incremental builds: nothing rebuilt when nothing changed, and any input change rebuilds."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from brief import pipeline, render
from brief.cache import Cache
from brief.cli import main
from brief.errors import ContentErrors
from brief.pipeline import Memory, Project, build, check, generate, up_to_date
from brief.render import Page, render_site, write_pages
from brief.site import SEARCH_INDEX, build_site, update_site
from conftest import SUBJECT


def built(tiny_project) -> Project:
    project = Project(tiny_project())
    build(project, with_pdf=False)
    return project


def test_a_build_with_nothing_changed_leaves_site_as_it_is(tiny_project, monkeypatch):
    project = built(tiny_project)
    before = {path: path.stat().st_mtime_ns for path in project.site.rglob("*")}
    monkeypatch.setattr(pipeline, "build_site", lambda *args: pytest.fail("MkDocs ran with nothing changed"))
    build(project, with_pdf=False)
    assert {path: path.stat().st_mtime_ns for path in project.site.rglob("*")} == before


@pytest.mark.parametrize(
    "edit",
    ["briefings/energy.yaml", "sources/test-article.md", "templates/topic.md.j2", "templates/print.typ", "mkdocs.yml"],
)
def test_a_change_to_any_input_rebuilds(tiny_project, edit):
    project = built(tiny_project)
    assert up_to_date(project, with_pdf=False)
    with (project.root / edit).open("a", encoding="utf-8") as file:
        file.write("\n")
    assert not up_to_date(project, with_pdf=False)


def test_an_environment_variable_mkdocs_yml_reads_rebuilds(tiny_project, monkeypatch):
    project = built(tiny_project)
    with project.config.open("a", encoding="utf-8") as file:
        file.write("copyright: !ENV [BRIEF_TEST_COPYRIGHT, 'none']\n")
    build(project, with_pdf=False)
    assert up_to_date(project, with_pdf=False)
    monkeypatch.setenv("BRIEF_TEST_COPYRIGHT", "changed")
    assert not up_to_date(project, with_pdf=False)


def test_other_paper_or_a_missing_site_rebuilds(tiny_project):
    project = built(tiny_project)
    assert not up_to_date(project, "letter")
    assert not up_to_date(project)  # built without the PDFs
    os.rename(project.site, project.root / "elsewhere")
    assert not up_to_date(project, with_pdf=False)


def test_unchanged_files_in_staging_keep_their_timestamps(tiny_project):
    project = built(tiny_project)
    before = {path: path.stat().st_mtime_ns for path in project.staging.rglob("*") if path.is_file()}
    pipeline.generate(project)
    assert {path: path.stat().st_mtime_ns for path in project.staging.rglob("*") if path.is_file()} == before


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


def test_the_command_line_says_when_site_is_up_to_date(tiny_project):
    root = tiny_project()
    first = CliRunner().invoke(main, ["build", "--project", str(root)])
    second = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert first.output.startswith("built site/")
    assert second.output.startswith("site/ is up to date")


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
    update_site(project.config, project.staging, tmp_path / "before", tmp_path / "updated", nav)
    build_site(project.config, project.staging, tmp_path / "clean", nav)
    assert site_files(tmp_path / "before") == before
    updated, clean = site_files(tmp_path / "updated"), site_files(tmp_path / "clean")
    assert "Alpha, edited, said" in updated["topics/energy.html"].decode()
    assert {name: data for name, data in updated.items() if not name.startswith("search/")} == {
        name: data for name, data in clean.items() if not name.startswith("search/")
    }
    assert search_entries(tmp_path / "updated") == search_entries(tmp_path / "clean")


def test_a_failed_update_leaves_the_previous_site_whole(tiny_project, tmp_path):
    project = Project(tiny_project())
    briefing, _ = pipeline.generate(project)
    nav = pipeline.site_nav(briefing)
    build_site(project.config, project.staging, tmp_path / "before", nav)
    before = site_files(tmp_path / "before")
    page = project.staging / "methodology.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[a link to nowhere](missing.md)\n", encoding="utf-8")
    with pytest.raises(ContentErrors):  # strict mode: the broken link stops MkDocs
        update_site(project.config, project.staging, tmp_path / "before", tmp_path / "updated", nav)
    assert site_files(tmp_path / "before") == before


def pdf_inodes(project: Project) -> dict[str, int]:
    return {path.relative_to(project.site).as_posix(): path.stat().st_ino for path in project.site.rglob("*.pdf")}


def test_pdfs_are_printed_again_only_when_their_print_document_changes(tiny_project):
    project = Project(tiny_project())
    build(project)
    first = pdf_inodes(project)
    assert set(first) == {"briefing.pdf", "pdf/energy.pdf"}
    with (project.templates / "topic.md.j2").open("a", encoding="utf-8") as file:
        file.write("\n")  # the site's topic page only
    build(project)
    assert pdf_inodes(project) == first
    with (project.templates / "print.typ").open("a", encoding="utf-8") as file:
        file.write("\n// edited\n")
    build(project)
    assert all(inode != first[name] for name, inode in pdf_inodes(project).items())


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
    return {page.path: page.data.decode() for page in render_site(check(project), project.templates, SUBJECT, stale_after_days=180).pages}


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

    assert {page.path: page.data.decode() for page in memory.rendered.pages} == rendered_pages(project)
    staged = {path.relative_to(project.staging).as_posix(): path.read_text(encoding="utf-8") for path in project.staging.rglob("*.md")}
    assert staged == rendered_pages(project)
    kept = [path for path, rendered in memory.rendered.rendered.items() if first.rendered.get(path) is rendered]
    if path.startswith("briefings/"):
        # Pages that show nothing of the edit are not rendered again (here: the methodology and another topic).
        other_topics = [kept_path for kept_path in kept if kept_path.startswith("topics/") and Path(kept_path).stem != Path(path).stem]
        assert "methodology.md" in kept and other_topics


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
