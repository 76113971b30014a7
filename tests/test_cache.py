"""What is kept between runs (brief/cache.py): used only for the same bytes and code, never trusted blindly."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from brief import cache
from brief.errors import ContentErrors
from brief.pipeline import Project, check

from conftest import TINY_SHEET


def stored(folder: Path, path: Path, raw: bytes, value: object) -> object:
    """What a cache on folder gives for (path, raw) after a run that stored value for it; "made now" if it made it anew."""
    first = cache.Cache(folder, "this code")
    first.value(path, raw, lambda: value)
    first.save()
    return cache.Cache(folder, "this code").value(path, raw, lambda: "made now")


def test_a_value_is_kept_for_the_same_path_and_bytes_only(tmp_path):
    kept = cache.Cache(tmp_path / "entries", "this code")
    first = kept.value(Path("/p/a.yaml"), b"one", lambda: ["first"])
    assert kept.value(Path("/p/a.yaml"), b"one", lambda: ["second"]) is first
    assert kept.value(Path("/p/a.yaml"), b"two", lambda: ["second"]) == ["second"]
    assert kept.value(Path("/p/b.yaml"), b"one", lambda: ["third"]) == ["third"]


def test_a_value_is_kept_on_disk_for_the_next_run(tmp_path):
    assert stored(tmp_path, Path("/p/a.yaml"), b"one", {"title": "Energy"}) == {"title": "Energy"}


def test_entries_made_by_other_code_are_not_used(tmp_path):
    first = cache.Cache(tmp_path, "this code")
    first.value(Path("/p/a.yaml"), b"one", lambda: "old")
    first.save()
    assert cache.Cache(tmp_path, "another version of the code").value(Path("/p/a.yaml"), b"one", lambda: "made now") == "made now"


def test_a_damaged_cache_or_entry_is_made_again(tmp_path):
    first = cache.Cache(tmp_path, "this code")
    for name in ("a", "b"):
        first.value(Path(name), name.encode(), lambda name=name: name.upper())
    first.save()
    pack = tmp_path / cache.Cache.PACK
    entries = pickle.loads(pack.read_bytes())
    damaged = next(key for key, entry in entries.items() if pickle.loads(entry) == "A")
    pack.write_bytes(pickle.dumps(entries | {damaged: b"not a pickle"}))
    second = cache.Cache(tmp_path, "this code")
    assert [second.value(Path(name), name.encode(), lambda: "made now") for name in ("a", "b")] == ["made now", "B"]
    second.save()
    assert cache.Cache(tmp_path, "this code").value(Path("a"), b"a", lambda: "made again") == "made now"  # replaced

    pack.write_bytes(b"not a pickle")
    assert cache.Cache(tmp_path, "this code").value(Path("b"), b"b", lambda: "made now") == "made now"


def test_entries_a_run_did_not_use_are_dropped(tmp_path):
    first = cache.Cache(tmp_path, "this code")
    first.value(Path("a"), b"old bytes", lambda: "old")
    first.save()
    second = cache.Cache(tmp_path, "this code")
    second.value(Path("a"), b"new bytes", lambda: "new")
    second.save()
    assert len(pickle.loads((tmp_path / cache.Cache.PACK).read_bytes())) == 1


def test_a_second_check_gives_the_same_briefing(project_copy, parse_cache):
    project = Project(project_copy)
    first = check(project)
    assert list(parse_cache.rglob(cache.Cache.PACK))

    again = check(project)

    assert again.topics == first.topics
    assert {id: (s.meta, s.passages) for id, s in again.sources.items()} == {id: (s.meta, s.passages) for id, s in first.sources.items()}


def test_an_edited_file_is_read_again(project_copy, parse_cache):
    project = Project(project_copy)
    check(project)
    sheet = project.root / "briefings" / "trade.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("title: Trade", "title: Trade and payments"), encoding="utf-8")

    briefing = check(project)

    assert "Trade and payments" in [topic.sheet.title for topic in briefing.topics]


def test_errors_read_from_the_cache_keep_their_lines_and_columns(tiny_project, parse_cache):
    root = tiny_project({"energy": TINY_SHEET, "trade": TINY_SHEET.replace("title: Energy", "title: Trade")})
    messages = []
    for _ in range(2):
        with pytest.raises(ContentErrors) as raised:
            check(Project(root))
        messages.append([str(error) for error in raised.value.errors])
    assert messages[0] == messages[1]
    assert messages[0] == ["briefings/trade.yaml:5:9: duplicate fact id 'pipeline-carries-gas' (also at briefings/energy.yaml:5:9): make it unique"]


def test_the_code_an_entry_is_made_by_is_this_package_and_what_it_reads_with_not_the_test_tools():
    versions = cache.code_versions()
    assert any(version.startswith("load.py=") for version in versions)
    assert any(version.startswith("pyyaml==") for version in versions) and any(version.startswith("pydantic==") for version in versions)
    assert not any(version.startswith(("pytest==", "playwright==", "hypothesis==")) for version in versions)
    # However the package's metadata spells the marker.
    assert all(cache.EXTRA_MARKER.search(requirement) for requirement in ('pytest>=8.0; extra == "test"', "pytest>=8.0 ; extra=='test'"))
    assert not any(cache.EXTRA_MARKER.search(requirement) for requirement in ("pyyaml>=6.0", 'pywin32; sys_platform == "win32"'))


def test_the_cache_is_kept_outside_the_project_and_can_be_switched_off(tiny_project, monkeypatch):
    root = tiny_project()
    monkeypatch.delenv("BRIEF_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(root.parent / "user-cache"))
    before = sorted(path for path in root.rglob("*"))
    check(Project(root))
    assert sorted(path for path in root.rglob("*")) == before
    assert [path.name for path in (root.parent / "user-cache" / "brief").iterdir()] == [cache.Cache.for_project(root).folder.name]

    monkeypatch.setenv("BRIEF_CACHE_DIR", "off")
    assert cache.Cache.for_project(root).folder is None
    kept_in_memory = cache.Cache.for_project(root)
    assert kept_in_memory.value(root / "a", b"bytes", lambda: "made") == "made"
    kept_in_memory.save()
    assert kept_in_memory.value(root / "a", b"bytes", lambda: "made again") == "made"


def test_the_caches_of_projects_long_unused_are_removed(tiny_project, parse_cache):
    old, recent = parse_cache / "0123456789abcdef", parse_cache / "fedcba9876543210"
    for folder, days in ((old, cache.UNUSED_DAYS + 1), (recent, cache.UNUSED_DAYS - 1)):
        folder.mkdir()
        (folder / "entry").write_bytes(b"")
        moment = time.time() - days * 86_400
        os.utime(folder, (moment, moment))
    project = Project(tiny_project())

    check(project)

    assert sorted(folder.name for folder in parse_cache.iterdir()) == sorted([recent.name, cache.Cache.for_project(project.root).folder.name])


def test_a_cache_folder_given_relative_or_inside_the_project_is_not_used(tiny_project, monkeypatch):
    root = tiny_project()
    monkeypatch.chdir(root)
    for folder in ("cache", str(root / "briefings" / "cache")):
        monkeypatch.setenv("BRIEF_CACHE_DIR", folder)
        assert cache.Cache.for_project(root).folder is None
        check(Project(root))
    assert not (root / "cache").exists() and not (root / "briefings" / "cache").exists()


def test_what_a_killed_run_left_in_the_cache_folder_is_removed(tiny_project, parse_cache):
    project = Project(tiny_project())
    check(project)
    folder = cache.Cache.for_project(project.root).folder
    left, writing = folder / ".new-killed", folder / ".new-another-run"
    for file in (left, writing):
        file.write_bytes(b"half a pickle")
    moment = time.time() - cache.WRITING_SECONDS - 60
    os.utime(left, (moment, moment))
    (project.root / "briefings" / "energy.yaml").write_text(TINY_SHEET.replace("title: Energy", "title: Energy and gas"), encoding="utf-8")

    check(project)

    assert sorted(path.name for path in folder.iterdir()) == sorted([cache.Cache.PACK, writing.name])
