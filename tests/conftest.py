"""Shared fixtures: a copy of the real project in a temporary folder, helpers to break it, and to run check on it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from brief.cli import main
from brief.errors import ContentErrors
from brief.pipeline import Project, build, check

# No per-example time limit: on a loaded machine one example took 318 ms against Hypothesis's default 200 ms
# and failed a run that found nothing wrong; speed is the benchmark's to measure, not a unit test's.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

REPO = Path(__file__).resolve().parent.parent
SUBJECT = "Russia–China relations"  # extra.brief.subject in the repository's mkdocs.yml
PROJECT_PARTS = ("briefings", "sources", "templates", "mkdocs.yml", "glossary.yaml", "overview.yaml")


def copy_project(root: Path) -> Path:
    """The repository's content, templates and site config copied into root."""
    root.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    return root


@pytest.fixture(scope="session")
def shipped(tmp_path_factory) -> tuple[Path, object]:
    """The repository's project built once per test process, site and PDFs: (site folder, briefing).

    For tests that only read what was built; a test that changes a project builds its own.
    """
    root = copy_project(tmp_path_factory.mktemp("shipped") / "project")
    build(Project(root))
    return root / "site", check(Project(root))


@pytest.fixture(autouse=True)
def parse_cache(tmp_path_factory, monkeypatch) -> Path:
    """Each test's own cache of parsed files (see brief/cache.py), never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The repository's content, templates and site config copied into tmp_path/project."""
    return copy_project(tmp_path / "project")


TINY_SOURCE = """\
---
title: Test article
publisher: Test Wire
author: null
published: 2025-01-21
url: null
archived: 2026-11-23
---
Alpha said the pipeline carries gas to the east.

Beta denied that the pipeline carries anything at all.

Alpha put the pipeline's capacity at 38 bcm a year; Beta says 40 bcm.
"""

TINY_SHEET = """\
title: Energy
summary: [{text: "Alpha says the pipeline carries gas; Beta denies it.", based_on: [pipeline-carries-gas]}]
as_of: 2025-01-21
facts:
  - id: pipeline-carries-gas
    date: 2025-01-21
    text: Alpha said the pipeline carries gas.
    said_by: Alpha
    status: stated
    cite:
      - source: test-article
        quote: "the pipeline carries gas to the east"
"""


@pytest.fixture
def tiny_project(tmp_path: Path):
    """Make a small project: `tiny_project(sheets={"energy": yaml}, sources={"test-article": md})`.

    Defaults to one valid sheet and one valid source; templates and mkdocs.yml are the repository's.
    """

    def make(sheets: dict[str, str] | None = None, sources: dict[str, str] | None = None) -> Path:
        return make_tiny_project(tmp_path / "tiny", sheets, sources)

    return make


def make_tiny_project(
    root: Path, sheets: dict[str, str] | None = None, sources: dict[str, str] | None = None, glossary: str | None = None
) -> Path:
    """A small project in root: the given sheets and sources (default: the tiny ones), the repository's templates."""
    (root / "briefings").mkdir(parents=True)
    (root / "sources").mkdir()
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for name, text in (sheets if sheets is not None else {"energy": TINY_SHEET}).items():
        (root / "briefings" / f"{name}.yaml").write_text(text, encoding="utf-8")
    for name, text in (sources if sources is not None else {"test-article": TINY_SOURCE}).items():
        (root / "sources" / f"{name}.md").write_text(text, encoding="utf-8")
    if glossary is not None:
        (root / "glossary.yaml").write_text(glossary, encoding="utf-8")
    return root


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def commit(root: Path, message: str) -> None:
    """Commit everything in root's working tree."""
    git(root, "add", "-A")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", message)


ERROR_LINE = re.compile(r"^[^:\s][^:]*(:\d+:\d+)?: \S")
SUMMARY_LINE = re.compile(r"^\d+ problem\(s\) found")


def run_check(root: Path) -> Result:
    return CliRunner().invoke(main, ["check", "--project", str(root)])


def assert_outcome(result: Result, expected: list[str]) -> None:
    """The run ends as the case expects: accepted, or exit 1 with every expected line and only error lines."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.splitlines()
    assert [line for line in expected if not any(line in printed for printed in lines)] == [], result.output
    if any(line.startswith("ok:") for line in expected):
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1, result.output
    assert SUMMARY_LINE.match(lines[-1]), result.output
    assert [line for line in lines[:-1] if not ERROR_LINE.match(line)] == [], result.output


def wrong_quotes_sheet(count: int) -> str:
    """A sheet of count facts citing test-article with quotes it does not hold."""
    facts = "".join(
        f"""  - id: wrong-{n}
    text: Alpha said something.
    said_by: Alpha
    status: stated
    cite:
      - source: test-article
        quote: "Alpha said words number {n} never written"
"""
        for n in range(count)
    )
    return TINY_SHEET + facts


def check_errors(root) -> list[str]:
    """What check says of the project at root, each problem as one line."""
    with pytest.raises(ContentErrors) as caught:
        check(Project(root))
    return [str(error) for error in caught.value.errors]


def edited(path, old: str, new: str) -> None:
    """Replace the one occurrence of old in the file with new."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests first: they are the longest, and started last they would leave one worker idle while another finishes them."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)
