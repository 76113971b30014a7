"""Incremental builds: nothing rebuilt when nothing changed, and any input change rebuilds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from brief import pipeline
from brief.cli import main
from brief.pipeline import Project, build, up_to_date


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
    ["briefings/energy.yaml", "sources/test-article.md", "templates/topic.md.j2", "templates/print.css", "mkdocs.yml"],
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


def test_the_command_line_says_when_site_is_up_to_date(tiny_project):
    root = tiny_project()
    first = CliRunner().invoke(main, ["build", "--project", str(root)])
    second = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert first.output.startswith("built site/")
    assert second.output.startswith("site/ is up to date")
