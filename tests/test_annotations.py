"""GitHub Actions annotations: escaped per the toolkit's rules, capped at what GitHub shows, plain lines always."""

from __future__ import annotations

from click.testing import CliRunner

from brief.cli import main
from brief.errors import ContentError
from brief.github import error_annotation, github_annotations
from conftest import TINY_SHEET

BAD_STATUS = "'rumoured' is not a status: use one of stated, reported, confirmed, disputed, denied"


def sheet_with_bad_statuses(count: int) -> str:
    """The tiny sheet with `count` facts, each with a status check refuses."""
    fact = TINY_SHEET.split("facts:\n", 1)[1].replace("status: stated", "status: rumoured")
    facts = "".join(fact.replace("pipeline-carries-gas", f"pipeline-carries-gas-{n}") for n in range(count))
    return TINY_SHEET.split("facts:\n", 1)[0] + "facts:\n" + facts


def test_annotation_names_file_line_and_column():
    error = ContentError("briefings/energy.yaml", 9, 13, "bad status")
    assert error_annotation(error) == "::error file=briefings/energy.yaml,line=9,col=13::bad status"


def test_annotation_without_a_position_names_only_the_file():
    assert error_annotation(ContentError("sources/x.md", 0, 0, "is empty")) == "::error file=sources/x.md::is empty"


def test_annotation_escapes_data_and_properties():
    error = ContentError("odd,name:1.yaml", 2, 3, "100% sure\r\nnext line: a, b")
    assert error_annotation(error) == "::error file=odd%2Cname%3A1.yaml,line=2,col=3::100%25 sure%0D%0Anext line: a, b"


def test_at_most_ten_annotations_then_a_count_of_the_rest():
    errors = [ContentError("a.yaml", n, 1, f"problem {n}") for n in range(1, 13)]
    lines = github_annotations(errors)
    assert len(lines) == 11
    assert lines[9] == "::error file=a.yaml,line=10,col=1::problem 10"
    assert lines[10] == "::warning::2 more problems not annotated; see the log"
    assert len(github_annotations(errors[:10])) == 10


def test_check_on_github_actions_prints_annotations_and_plain_lines(tiny_project):
    root = tiny_project({"energy": sheet_with_bad_statuses(12)})
    result = CliRunner(env={"GITHUB_ACTIONS": "true"}).invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1
    annotations = result.stdout.splitlines()
    assert len(annotations) == 11
    assert annotations[0] == f"::error file=briefings/energy.yaml,line=9,col=13::{BAD_STATUS}"
    assert annotations[-1] == "::warning::2 more problems not annotated; see the log"
    plain = result.stderr.splitlines()
    assert len(plain) == 13
    assert plain[0] == f"briefings/energy.yaml:9:13: {BAD_STATUS}"
    assert plain[-1] == "12 problem(s) found; nothing was written to site/"


def test_check_elsewhere_prints_plain_lines_only(tiny_project):
    root = tiny_project({"energy": sheet_with_bad_statuses(12)})
    result = CliRunner(env={"GITHUB_ACTIONS": None}).invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "::" not in result.output
    assert len(result.stderr.splitlines()) == 13


def test_check_on_github_actions_when_all_is_well_prints_no_annotation(tiny_project):
    result = CliRunner(env={"GITHUB_ACTIONS": "true"}).invoke(main, ["check", "--project", str(tiny_project())])
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: 1 topics")
