"""Bad and hostile input: each ends in messages that say where and what to do, never in a traceback.

The cases that fit in a file live in tests/corpus/ (see its README); the ones
too big or too odd to commit are made here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from brief.load import MAX_FILE_BYTES
from brief.pipeline import Project, check
from conftest import TINY_SHEET, TINY_SOURCE, assert_outcome, run_check

CORPUS = Path(__file__).parent / "corpus"
SHEET_CASES = sorted(CORPUS.glob("*.yaml"))
SOURCE_CASES = sorted((CORPUS / "sources").glob("*.md"))


def expected_lines(case: Path) -> list[str]:
    lines = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def test_corpus_has_the_cases_the_issue_lists():
    names = {case.stem for case in SHEET_CASES} | {f"sources/{case.stem}" for case in SOURCE_CASES}
    for needed in ("syntax-unclosed-bracket", "tab-indent", "bom", "not-utf8", "empty", "duplicate-key-top",
                   "duplicate-key-figure", "duplicate-key-fact", "duplicate-key-citation", "unknown-key-top",
                   "yaml11-no-on-stay-text", "yaml11-sexagesimal-stays-text", "yaml11-octal-is-a-number",
                   "unquoted-date-stays-text", "impossible-date", "fact-after-as-of", "alias-bomb", "deep-nesting",
                   "id-dot-dot", "id-slash", "id-uppercase", "id-cyrillic-a", "quote-similar", "missing-source",
                   "sources/bom", "sources/not-utf8", "sources/duplicate-key"):
        assert needed in names
    assert all(case.with_suffix(".expected").is_file() for case in SHEET_CASES + SOURCE_CASES)


@pytest.mark.parametrize("case", SHEET_CASES, ids=lambda case: case.stem)
def test_fact_sheet_case(case: Path, tiny_project):
    root = tiny_project(sheets={})
    shutil.copyfile(case, root / "briefings" / "case.yaml")
    assert_outcome(run_check(root), expected_lines(case))


@pytest.mark.parametrize("case", SOURCE_CASES, ids=lambda case: case.stem)
def test_source_case(case: Path, tiny_project):
    root = tiny_project(sources={})
    shutil.copyfile(case, root / "sources" / "test-article.md")
    assert_outcome(run_check(root), expected_lines(case))


@pytest.mark.parametrize(
    ("case", "read", "typed"),
    [
        ("yaml11-no-on-stay-text", lambda sheet: sheet.title, "on"),
        ("yaml11-no-on-stay-text", lambda sheet: sheet.facts[0].text, "no"),
        ("yaml11-no-on-stay-text", lambda sheet: sheet.facts[0].said_by, "NO"),
        ("yaml11-sexagesimal-stays-text", lambda sheet: sheet.figures[0].period, "1:30"),
        ("unquoted-date-stays-text", lambda sheet: sheet.facts[0].said_by, "2025-01-21"),
        ("bom", lambda sheet: sheet.title, "Energy"),
    ],
)
def test_accepted_cases_keep_the_text_the_editor_typed(case, read, typed, tiny_project):
    root = tiny_project(sheets={})
    shutil.copyfile(CORPUS / f"{case}.yaml", root / "briefings" / "case.yaml")
    assert read(check(Project(root)).topics[0].sheet) == typed


def test_accepted_source_cases_keep_their_text(tiny_project):
    root = tiny_project(sources={})
    shutil.copyfile(CORPUS / "sources" / "yaml11-surprises-stay-text.md", root / "sources" / "test-article.md")
    meta = check(Project(root)).sources["test-article"].meta
    assert (meta.publisher, meta.author) == ("NO", "on")


@pytest.mark.parametrize("character", ["\x07", "\x1b", "\x7f", "\x85", "\x9f"])
def test_a_control_character_is_found_where_it_is(character, tiny_project):
    root = tiny_project(sheets={"energy": TINY_SHEET.replace("Alpha said the", f"Alpha said{character} the")})
    assert_outcome(run_check(root), [f"briefings/energy.yaml:7:21: character U+{ord(character):04X} is an invisible control character: delete it"])


def test_text_with_characters_near_the_controls_is_accepted(tiny_project):
    # No-break space, pound sign and degree sign start with the same UTF-8 byte as a C1 control.
    # (No digits beside them: a number in a fact's text must be in its quote.)
    root = tiny_project(sheets={"energy": TINY_SHEET.replace("Alpha said the", "Alpha\u00a0said in £ and ° the")})
    assert_outcome(run_check(root), ["ok:"])


def test_huge_fact_sheet_is_refused_before_it_is_read(tiny_project):
    filler = "".join(f"# filler line {n:07d} to make the file big\n" for n in range(MAX_FILE_BYTES // 40 + 1))
    root = tiny_project(sheets={"energy": TINY_SHEET + filler})
    assert_outcome(run_check(root), ["briefings/energy.yaml: is 2,", "-byte limit: split it"])


def test_huge_source_is_refused_before_it_is_read(tiny_project):
    root = tiny_project(sources={"test-article": TINY_SOURCE + "More words. " * (MAX_FILE_BYTES // 12 + 1)})
    assert_outcome(run_check(root), ["sources/test-article.md: is 2,", "-byte limit: split it"])


def test_nesting_far_too_deep_is_refused_at_the_level_too_deep(tiny_project):
    # Read from events, not composed recursively: 5,000 levels cannot exhaust the stack.
    root = tiny_project(sheets={"energy": TINY_SHEET + "extra: " + "[" * 5000 + "]" * 5000 + "\n"})
    line = TINY_SHEET.count("\n") + 1
    assert_outcome(run_check(root), [f"briefings/energy.yaml:{line}:32: nested more than 24 levels deep"])


def test_source_linked_from_outside_the_project_is_refused(tiny_project, tmp_path):
    root = tiny_project(sources={})
    outside = tmp_path / "outside.md"
    outside.write_text(TINY_SOURCE, encoding="utf-8")
    (root / "sources" / "test-article.md").symlink_to(outside)
    assert_outcome(run_check(root), [
        "sources/test-article.md: leads outside the project through a symbolic link: copy the file in instead"
    ])


def test_sources_folder_linked_from_outside_the_project_is_refused(tiny_project, tmp_path):
    root = tiny_project(sources={})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "test-article.md").write_text(TINY_SOURCE, encoding="utf-8")
    (root / "sources").rmdir()
    (root / "sources").symlink_to(elsewhere, target_is_directory=True)
    assert_outcome(run_check(root), ["sources/: leads outside the project through a symbolic link"])


def test_link_loop_and_dangling_link_are_refused(tiny_project):
    root = tiny_project()
    (root / "briefings" / "loop.yaml").symlink_to(root / "briefings" / "loop.yaml")
    (root / "briefings" / "gone.yaml").symlink_to(root / "briefings" / "missing.yaml")
    assert_outcome(run_check(root), [
        "briefings/loop.yaml: leads outside the project through a symbolic link",
        "briefings/gone.yaml: is not a regular file: replace it with one, or remove it",
    ])


def test_link_inside_the_project_is_followed(tiny_project):
    root = tiny_project(sources={})
    (root / "archive").mkdir()
    (root / "archive" / "article.md").write_text(TINY_SOURCE, encoding="utf-8")
    (root / "sources" / "test-article.md").symlink_to(root / "archive" / "article.md")
    assert_outcome(run_check(root), ["ok: 1 topics"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tiny_project):
    root = tiny_project()
    (root / "briefings" / "energy.yaml").chmod(0)
    assert_outcome(run_check(root), ["briefings/energy.yaml: cannot be read (Permission denied): check the file's permissions"])


@pytest.mark.parametrize(
    ("folder", "name", "message"),
    [
        ("briefings", "Energy.yaml", "briefings/Energy.yaml: file name 'Energy' is not a valid topic id: rename it"),
        ("briefings", "en\u0435rgy.yaml", "is CYRILLIC SMALL LETTER IE (U+0435), not a Latin letter: retype it"),
        ("briefings", "energy\n.yaml", "briefings/energy\\n.yaml: file name 'energy\\n' is not a valid topic id"),
        ("briefings", "timeline.yaml", "briefings/timeline.yaml: 'timeline' is a page of the site itself: rename the file"),
        ("sources", "Test_Article.md", "sources/Test_Article.md: file name 'Test_Article' is not a valid source id: rename it"),
        ("briefings", "notes.txt", "briefings/notes.txt: unexpected file"),
    ],
)
def test_file_names_that_are_not_ids(folder, name, message, tiny_project):
    root = tiny_project()
    text = TINY_SHEET.replace("pipeline-carries-gas", "another-fact") if folder == "briefings" else TINY_SOURCE
    (root / folder / name).write_text(text, encoding="utf-8")
    assert_outcome(run_check(root), [message])


def test_every_problem_in_every_file_is_listed_in_one_run(tiny_project):
    sheet = (
        TINY_SHEET.replace("date: 2025-01-21", "date: 2025-02-30")
        .replace("status: stated", "status: rumoured")
        .replace("source: test-article", "source: missing-article")
    )
    source = TINY_SOURCE.replace("title: Test article", "title: [Test article")
    root = tiny_project(sheets={"energy": sheet, "trade": TINY_SHEET.replace("said_by: Alpha", "said_by: Alpha\n    said_by: Beta")},
                        sources={"test-article": source, "other": TINY_SOURCE.replace("url: null", "url: ftp://x")})
    result = run_check(root)
    assert_outcome(result, [
        "briefings/energy.yaml:6:11: `date`: 2025-02-30 is not a real date",
        "briefings/energy.yaml:9:13: 'rumoured' is not a status",
        "briefings/energy.yaml:11:17: no source 'missing-article' in sources/",
        "briefings/trade.yaml:9:5: duplicate key 'said_by' (first at line 8): keep one",
        "sources/test-article.md:3:10: YAML syntax:",
        "sources/other.md:6:6: `url`: 'ftp://x' is not a web address",
    ])
    assert result.output.splitlines()[-1] == "6 problem(s) found; nothing was written to site/"
