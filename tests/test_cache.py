"""Parsed files kept between runs (brief/cache.py): used only for the same bytes and code, never trusted blindly."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from brief import cache, load
from brief.errors import ContentErrors
from brief.pipeline import Project, check
from brief.validate import prepare_file

from conftest import TINY_SHEET


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the files read and parsed from here on (each file's bytes are decoded only to be parsed)."""
    names: list[str] = []
    real = load.decode
    monkeypatch.setattr(load, "decode", lambda raw, name: names.append(name) or real(raw, name))
    return names


def test_a_second_check_parses_nothing_and_gives_the_same_briefing(project_copy, parse_cache, parsed):
    project = Project(project_copy)
    first = check(project)
    assert parsed and list(parse_cache.rglob("*"))
    parsed.clear()

    again = check(project)

    assert parsed == []
    assert again.topics == first.topics
    assert {id: (s.meta, s.passages) for id, s in again.sources.items()} == {id: (s.meta, s.passages) for id, s in first.sources.items()}


def test_a_validated_file_is_kept_without_its_data_which_is_read_again_if_asked_for(project_copy, parse_cache):
    project = Project(project_copy)
    walked, _ = load.load_project(project.root)  # not validated: each sheet keeps the data it was read to
    fresh, _ = load.load_project(project.root, None, prepare_file)
    check(project)
    memo = cache.FileCache.for_project(project.root)

    cached, _ = load.load_project(project.root, memo, prepare_file)

    for validated in (fresh, cached):
        assert all("data" not in sheet.__dict__ and sheet.models for sheet in validated.sheets)  # let go of once modelled
        assert [sheet.data for sheet in validated.sheets] == [sheet.data for sheet in walked.sheets]
        assert validated.sheets[0].where(("facts", 0, "text")) == walked.sheets[0].where(("facts", 0, "text"))
    assert all("data" in sheet.__dict__ for sheet in walked.sheets)


def test_an_edited_file_alone_is_parsed_again(project_copy, parsed):
    project = Project(project_copy)
    check(project)
    sheet = project.root / "briefings" / "trade.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("title: Trade", "title: Trade and payments"), encoding="utf-8")
    parsed.clear()

    briefing = check(project)

    assert parsed == ["briefings/trade.yaml"]
    assert "Trade and payments" in [topic.sheet.title for topic in briefing.topics]


def test_errors_read_from_the_cache_keep_their_lines_and_columns(tiny_project, parsed):
    root = tiny_project({"energy": TINY_SHEET, "trade": TINY_SHEET.replace("title: Energy", "title: Trade")})
    messages = []
    for _ in range(2):
        with pytest.raises(ContentErrors) as raised:
            check(Project(root))
        messages.append([str(error) for error in raised.value.errors])
    assert parsed == ["briefings/energy.yaml", "briefings/trade.yaml", "sources/test-article.md"]  # the first run only
    assert messages[0] == messages[1]
    assert messages[0] == ["briefings/trade.yaml:5:9: duplicate fact id 'pipeline-carries-gas' (also at briefings/energy.yaml:5:9): make it unique"]


def test_a_damaged_entry_is_parsed_again(tiny_project, parse_cache, parsed):
    project = Project(tiny_project())
    check(project)
    for entry in parse_cache.rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"not a pickle")
    parsed.clear()

    assert check(project).fact_count == 1
    assert parsed == ["briefings/energy.yaml", "sources/test-article.md"]


def test_one_damaged_entry_is_parsed_again_and_the_others_are_used(tiny_project, parse_cache, parsed):
    project = Project(tiny_project())
    check(project)
    [pack] = [entry for entry in parse_cache.rglob(cache.FileCache.PACK)]
    entries = pickle.loads(pack.read_bytes())
    damaged = next(key for key, entry in entries.items() if b"sources/test-article.md" in entry)
    pack.write_bytes(pickle.dumps(entries | {damaged: b"not a pickle"}))
    parsed.clear()

    assert check(project).fact_count == 1
    assert parsed == ["sources/test-article.md"]


def test_entries_made_by_other_code_are_not_used(tiny_project, monkeypatch, parsed):
    project = Project(tiny_project())
    check(project)
    parsed.clear()
    monkeypatch.setattr(cache, "code_digest", lambda: "another version of the code")

    check(project)

    assert parsed == ["briefings/energy.yaml", "sources/test-article.md"]


def test_the_code_an_entry_is_made_by_is_this_package_and_what_it_reads_with_not_the_test_tools():
    versions = cache._code_versions()
    assert any(version.startswith("load.py=") for version in versions)
    assert any(version.startswith("pyyaml==") for version in versions) and any(version.startswith("pydantic==") for version in versions)
    assert not any(version.startswith(("pytest==", "playwright==", "hypothesis==")) for version in versions)
    # However the package's metadata spells the marker.
    assert all(cache._EXTRA_MARKER.search(requirement) for requirement in ('pytest>=8.0; extra == "test"', "pytest>=8.0 ; extra=='test'"))
    assert not any(cache._EXTRA_MARKER.search(requirement) for requirement in ("pyyaml>=6.0", 'pywin32; sys_platform == "win32"'))


def test_the_cache_is_kept_outside_the_project_and_can_be_switched_off(tiny_project, monkeypatch, parsed):
    root = tiny_project()
    monkeypatch.delenv("BRIEF_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(root.parent / "user-cache"))
    before = sorted(path for path in root.rglob("*"))
    check(Project(root))
    assert sorted(path for path in root.rglob("*")) == before
    assert [path.name for path in (root.parent / "user-cache" / "brief").iterdir()] == [cache.FileCache.for_project(root).folder.name]

    monkeypatch.setenv("BRIEF_CACHE_DIR", "off")
    parsed.clear()
    check(Project(root))
    check(Project(root))
    assert len(parsed) == 4


def test_the_caches_of_projects_long_unused_are_removed(tiny_project, parse_cache):
    old, recent = parse_cache / "0123456789abcdef", parse_cache / "fedcba9876543210"
    for folder, days in ((old, cache.UNUSED_DAYS + 1), (recent, cache.UNUSED_DAYS - 1)):
        folder.mkdir()
        (folder / "entry").write_bytes(b"")
        moment = time.time() - days * 86_400
        os.utime(folder, (moment, moment))
    project = Project(tiny_project())

    check(project)

    assert sorted(folder.name for folder in parse_cache.iterdir()) == sorted([recent.name, cache.FileCache.for_project(project.root).folder.name])


def test_a_cache_folder_given_relative_or_inside_the_project_is_not_used(tiny_project, monkeypatch, parsed):
    root = tiny_project()
    monkeypatch.chdir(root)
    for folder in ("cache", str(root / "briefings" / "cache")):
        monkeypatch.setenv("BRIEF_CACHE_DIR", folder)
        check(Project(root))
        check(Project(root))
    assert len(parsed) == 8  # each check parsed both files: no cache was kept
    assert not (root / "cache").exists() and not (root / "briefings" / "cache").exists()


def test_what_a_killed_run_left_in_the_cache_folder_is_removed(tiny_project, parse_cache):
    project = Project(tiny_project())
    check(project)
    folder = cache.FileCache.for_project(project.root).folder
    left, writing = folder / ".new-killed", folder / ".new-another-run"
    for file in (left, writing):
        file.write_bytes(b"half a pickle")
    moment = time.time() - cache.WRITING_SECONDS - 60
    os.utime(left, (moment, moment))
    (project.root / "briefings" / "energy.yaml").write_text(TINY_SHEET.replace("title: Energy", "title: Energy and gas"), encoding="utf-8")

    check(project)

    assert sorted(path.name for path in folder.iterdir()) == sorted([cache.FileCache.PACK, writing.name])
