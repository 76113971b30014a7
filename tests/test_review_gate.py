"""The review gate: a source awaiting review, or cited by nothing, is a warning for check; build and pdf refuse to publish the first."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from brief.cli import _report_rebuild, main
from brief.errors import ContentError
from brief.pipeline import Project, check
from brief.serve import rebuild_site
from conftest import TINY_SOURCE, make_tiny_project

AWAITING_SOURCE = TINY_SOURCE.replace("archived: 2026-11-23\n", "archived: 2026-11-23\nawaiting_review: true\n")
UNCITED_SOURCE = TINY_SOURCE.replace("title: Test article", "title: Another article")

AWAITING = "awaiting review: read the text against the original, complete the front matter, then delete the line `awaiting_review: true`"
UNUSED = "no fact, figure or glossary term cites this source: cite it or remove the file"


def run_check(root: Path, **env: str):
    return CliRunner(env={"GITHUB_ACTIONS": None, **env}).invoke(main, ["check", "--project", str(root)])


def test_a_source_awaiting_review_is_a_warning_at_its_mark(tiny_project):
    briefing = check(Project(tiny_project(sources={"test-article": AWAITING_SOURCE})))
    assert briefing.warnings.awaiting_review == (ContentError("sources/test-article.md", 8, 18, AWAITING),)
    assert briefing.warnings.unused_sources == ()


def test_a_source_nothing_cites_is_a_warning_on_the_file(tiny_project):
    briefing = check(Project(tiny_project(sources={"test-article": TINY_SOURCE, "other": UNCITED_SOURCE})))
    assert briefing.warnings.all() == [ContentError("sources/other.md", 0, 0, UNUSED)]


def test_a_source_cited_only_by_the_glossary_is_used(tmp_path):
    glossary = 'terms:\n  - term: Beta\n    definition: A party.\n    cite:\n      - source: other\n        quote: "Beta denied that"\n'
    root = make_tiny_project(tmp_path / "p", sources={"test-article": TINY_SOURCE, "other": UNCITED_SOURCE}, glossary=glossary)
    assert check(Project(root)).warnings.all() == []


def test_check_prints_warnings_and_still_exits_0(tiny_project):
    root = tiny_project(sources={"test-article": AWAITING_SOURCE, "other": UNCITED_SOURCE})
    result = run_check(root)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"sources/other.md: warning: {UNUSED}",
        f"sources/test-article.md:8:18: warning: {AWAITING}",
    ]
    assert result.stdout == "ok: 1 topics, 1 facts, 2 sources, every quote found; 1 awaiting review\n"


def test_check_on_github_actions_annotates_warnings(tiny_project):
    root = tiny_project(sources={"test-article": AWAITING_SOURCE, "other": UNCITED_SOURCE})
    result = run_check(root, GITHUB_ACTIONS="true")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"::warning file=sources/other.md::{UNUSED}",
        f"::warning file=sources/test-article.md,line=8,col=18::{AWAITING}",
        "ok: 1 topics, 1 facts, 2 sources, every quote found; 1 awaiting review",
    ]


def test_more_than_ten_warnings_are_counted_in_a_notice(tiny_project):
    sources = {"test-article": TINY_SOURCE} | {f"extra-{n:02d}": UNCITED_SOURCE for n in range(12)}
    result = run_check(tiny_project(sources=sources), GITHUB_ACTIONS="true")
    annotations = result.stdout.splitlines()[:-1]
    assert len(annotations) == 11
    assert annotations[-1] == "::notice::2 more warnings not annotated; see the log"
    assert len(result.stderr.splitlines()) == 12


def test_a_source_fresh_from_add_source_is_reported_where_its_mark_is(tiny_project, tmp_path):
    root = tiny_project()
    article = tmp_path / "article.txt"
    article.write_text("Alpha said the pipeline carries gas to the east.\n", encoding="utf-8")
    added = CliRunner().invoke(main, ["add-source", "--project", str(root), str(article), "--id", "fresh", "--archived", "2026-11-23"])
    assert added.exit_code == 0, added.output
    result = run_check(root)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"sources/fresh.md: warning: {UNUSED}",
        f"sources/fresh.md:12:18: warning: {AWAITING}; the article has no title: add `label:`, a few words readers see in its place "
        "(what the article is about, and who published it if known)",
    ]
    # Once reviewed, the label is required.
    fresh = root / "sources" / "fresh.md"
    fresh.write_text(fresh.read_text(encoding="utf-8").replace("awaiting_review: true\n", ""), encoding="utf-8")
    assert "sources/fresh.md:2:8: the article has no title: add `label:`" in run_check(root).stderr


def test_serve_previews_a_source_awaiting_review_and_reports_the_warning(tiny_project, tmp_path, capsys):
    root = tiny_project(sources={"test-article": AWAITING_SOURCE})
    served = tmp_path / "served"
    served.mkdir()
    rebuild = rebuild_site(Project(root), served)
    assert rebuild.errors == ()
    assert rebuild.warnings == (ContentError("sources/test-article.md", 8, 18, AWAITING),)
    assert (served / "sources" / "test-article.html").is_file()
    _report_rebuild(rebuild)
    assert capsys.readouterr().err.splitlines()[0] == f"sources/test-article.md:8:18: warning: {AWAITING}"
