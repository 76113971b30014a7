"""Property-based: whatever an editor (or a fuzzer) writes, check ends in a Briefing or in ContentErrors.

Random YAML text, random bytes, and random mutations of a valid fact sheet and
source (keys deleted, values of the wrong type, stray Unicode, quotes that are
or are not in the source) are checked; a few are built into a site. Any other
exception, or an error that is not one `path:line:col: message` line, fails.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from brief.errors import ContentErrors
from brief.briefing import Briefing
from brief.pipeline import Built, Project, build, check
from conftest import REPO

SOURCE_BODY = """Alpha said the pipeline carries gas to the east.

Beta denied that the pipeline carries anything at all.

Alpha put the pipeline's capacity at 38 bcm a year.
"""
SOURCE_FRONT = {
    "title": "Test article",
    "publisher": "Test Wire",
    "author": None,
    "published": "2025-01-21",
    "url": None,
    "archived": "2026-11-23",
}
SHEET = {
    "title": "Energy",
    "summary": [{"text": "Alpha says the pipeline carries gas; Beta denies it.", "based_on": ["pipeline-carries-gas"]}],
    "as_of": "2025-01-21",
    "figures": [
        {
            "metric": "pipeline-capacity",
            "label": "Capacity",
            "value": 38,
            "unit": "bcm a year",
            "said_by": "Alpha",
            "status": "stated",
            "cite": [{"source": "test-article", "quote": "capacity at 38 bcm"}],
        }
    ],
    "facts": [
        {
            "id": "pipeline-carries-gas",
            "date": "2025-01-21",
            "text": "Alpha said the pipeline carries *gas*.",
            "said_by": "Alpha",
            "status": "stated",
            "cite": [{"source": "test-article", "quote": "the pipeline carries gas to the east"}],
        },
        {
            "id": "beta-denies",
            "date": "2025-01",
            "text": "Beta denied it.",
            "said_by": "Beta",
            "status": "denied",
            "cite": [{"source": "test-article", "quote": "Beta denied that"}],
        },
    ],
}
KNOWN_PATHS = {"briefings/energy.yaml", "sources/test-article.md", "briefings/", "sources/", "mkdocs.yml"}
ERROR_LINE = re.compile(r"^(?P<path>[^\n]+?)(:\d+:\d+)?: \S[^\n]*$")
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.lists(st.text(max_size=8), max_size=3),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2),
)


def slots(node: object, path: tuple = ()) -> list[tuple]:
    """Every place in a parsed document that holds a value, as a path of keys and indexes."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += slots(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += slots(value, path + (index,))
    return found


def mutate(document: dict, data: st.DataObject) -> None:
    """One random edit of the kind an editor's slip, or a hostile one, makes."""
    places = slots(document)
    path = data.draw(st.sampled_from(places), label="where")
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    action = data.draw(st.sampled_from(["delete", "replace", "insert unicode", "quote from source", "duplicate"]), label="edit")
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = data.draw(any_value, label="value")
    elif action == "insert unicode" and isinstance(parent[key], str):
        at = data.draw(st.integers(0, len(parent[key])), label="at")
        parent[key] = parent[key][:at] + data.draw(st.text(min_size=1, max_size=5), label="inserted") + parent[key][at:]
    elif action == "quote from source":
        start = data.draw(st.integers(0, len(SOURCE_BODY) - 1), label="start")
        parent[key] = SOURCE_BODY[start : data.draw(st.integers(start + 1, len(SOURCE_BODY)), label="end")]
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))


def serialise(document: object, data: st.DataObject) -> str:
    how = data.draw(st.sampled_from(["block", "flow", "json"]), label="written as")
    if how == "json":
        return json.dumps(document, ensure_ascii=data.draw(st.booleans(), label="ascii"))
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=how == "flow")


def damage(text: str, data: st.DataObject) -> str:
    """Sometimes, stray characters typed into the file itself: YAML syntax is fair game too."""
    if not data.draw(st.booleans(), label="damage the text"):
        return text
    at = data.draw(st.integers(0, len(text)), label="damage at")
    return text[:at] + data.draw(st.text(min_size=1, max_size=6), label="typed") + text[at:]


def source_text(front: object, body: str) -> str:
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body


def write_project(root: Path, sheet: str | bytes, source: str | bytes) -> Path:
    for folder in ("briefings", "sources"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir(parents=True)
    for path, content in ((root / "briefings" / "energy.yaml", sheet), (root / "sources" / "test-article.md", source)):
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return root


def assert_ends_well(step, root: Path) -> Briefing | Built | ContentErrors:
    """The step returns (a Briefing, or what a build made) or raises ContentErrors whose every error is one well-formed line."""
    try:
        done = step(Project(root))
        event("ends well")  # shown by pytest --hypothesis-show-statistics
        return done
    except ContentErrors as exc:
        event("ends in ContentErrors")
        assert exc.errors, "ContentErrors with no error in it"
        for error in exc.errors:
            line = str(error)
            match = ERROR_LINE.match(line)
            assert match, repr(line)
            assert match["path"] in KNOWN_PATHS or match["path"].startswith("templates/"), line
        return exc


def test_the_unmutated_project_is_valid(tmp_path):
    root = write_project(tmp_path, yaml.safe_dump(SHEET, sort_keys=False), source_text(SOURCE_FRONT, SOURCE_BODY))
    assert check(Project(root)).fact_count == 2


@FAST
@given(text=st.text(max_size=300))
def test_any_text_as_a_fact_sheet(text, tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("p"), text, source_text(SOURCE_FRONT, SOURCE_BODY))
    assert_ends_well(check, root)


@FAST
@given(sheet=st.binary(max_size=200), source=st.binary(max_size=200))
def test_any_bytes_as_files(sheet, source, tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("p"), sheet, source)
    assert isinstance(assert_ends_well(check, root), ContentErrors)


@FAST
@given(data=st.data())
def test_mutated_fact_sheets(data, tmp_path_factory):
    sheet = copy.deepcopy(SHEET)
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        mutate(sheet, data)
    root = write_project(tmp_path_factory.mktemp("p"), damage(serialise(sheet, data), data), source_text(SOURCE_FRONT, SOURCE_BODY))
    assert_ends_well(check, root)


@FAST
@given(data=st.data(), body=st.text(max_size=200))
def test_mutated_sources(data, body, tmp_path_factory):
    front = copy.deepcopy(SOURCE_FRONT)
    for _ in range(data.draw(st.integers(0, 2), label="edits")):
        mutate(front, data)
    body = data.draw(st.sampled_from([SOURCE_BODY, body, SOURCE_BODY + body, body + SOURCE_BODY]), label="body")
    root = write_project(tmp_path_factory.mktemp("p"), yaml.safe_dump(SHEET, sort_keys=False), damage(source_text(front, body), data))
    assert_ends_well(check, root)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_projects_build_or_fail_cleanly(data, tmp_path_factory):
    sheet = copy.deepcopy(SHEET)
    mutate(sheet, data)
    root = tmp_path_factory.mktemp("p")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    write_project(root, serialise(sheet, data), source_text(SOURCE_FRONT, SOURCE_BODY))
    outcome = assert_ends_well(build, root)
    if isinstance(outcome, Built):
        assert (root / "site" / "topics" / "energy.html").is_file()
    else:
        assert not (root / "site").exists()
