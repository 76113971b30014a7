"""Work shared with a forked process (brief/parallel.py): the same results, in the same order, as done in one."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from brief import load, parallel
from brief.errors import ContentErrors
from brief.pipeline import Project, check
from brief.validate import prepare_file

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="forks only on Linux with more than one core")


def test_items_come_back_in_order_and_both_processes_do_some():
    def slow(item: int) -> tuple[int, int]:
        time.sleep(0.02)  # long enough for the forked process to start and take batches too
        return item, os.getpid()

    done_by = parallel.map_shared(slow, list(range(40)), min_items=2)

    assert [item for item, _ in done_by] == list(range(40))
    pids = [pid for _, pid in done_by]
    assert os.getpid() in pids and len(set(pids)) == 2


def test_the_faster_process_does_more():
    parent = os.getpid()

    def slower_in_the_child(item: int) -> int:
        time.sleep(0.002 if os.getpid() == parent else 0.02)
        return os.getpid()

    done_by = parallel.map_shared(slower_in_the_child, list(range(100)), min_items=2)

    assert done_by.count(parent) > 75


def test_results_larger_than_a_read_of_the_pipe_arrive_whole():
    # Each result is larger than one read takes (parallel._PIPE_BYTES), so it arrives in pieces.
    items = list(range(8))
    done = parallel.map_shared(lambda item: bytes([item]) * 1_500_000, items, min_items=2)
    assert done == [bytes([item]) * 1_500_000 for item in items]


def test_below_min_items_nothing_is_forked():
    assert {pid for pid in parallel.map_shared(lambda item: os.getpid(), [1, 2, 3], min_items=4)} == {os.getpid()}


def test_an_error_in_the_forked_share_is_raised_here():
    parent = os.getpid()

    def fails_in_the_child(item: int) -> int:
        if item == 3:
            raise ValueError(f"item 3 failed in {'this' if os.getpid() == parent else 'the forked'} process")
        return item

    with pytest.raises(ValueError, match="item 3 failed in this process"):
        parallel.map_shared(fails_in_the_child, [0, 1, 2, 3], min_items=2)


def test_an_error_in_this_share_is_raised_without_waiting_for_the_forked_one(monkeypatch):
    # The forked share's results fill the pipe many times over; nobody reads them once this share fails.
    def fails_here(item: int) -> str:
        if item == 0:
            raise ValueError("item 0 failed")
        return "x" * 1_000_000

    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("map_shared waited for a process nobody reads from"))
    signal.alarm(20)
    try:
        with pytest.raises(ValueError, match="item 0 failed"):
            parallel.map_shared(fails_here, list(range(8)), min_items=2)
    finally:
        signal.alarm(0)


def loaded(root: Path, monkeypatch, min_files: int):
    monkeypatch.setattr(load, "PARALLEL_MIN_FILES", min_files)
    raw, errors = load.load_project(root, None, prepare_file)
    return raw, [str(error) for error in errors]


def test_files_parsed_in_two_processes_load_as_in_one(project_copy, monkeypatch):
    (project_copy / "briefings" / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    (project_copy / "sources" / "empty.md").write_text("", encoding="utf-8")

    alone, alone_errors = loaded(project_copy, monkeypatch, min_files=10_000)
    shared, shared_errors = loaded(project_copy, monkeypatch, min_files=2)

    assert shared_errors == alone_errors and len(alone_errors) == 2
    assert shared.sheets == alone.sheets
    assert [(s.id, s.front, s.body, s.body_line) for s in shared.sources] == [(s.id, s.front, s.body, s.body_line) for s in alone.sources]
    assert shared.broken_source_ids == alone.broken_source_ids == {"empty"}
    # Prepared where they were parsed: the models came back with the files.
    assert all(sheet.models for sheet in shared.sheets)
    assert shared.sheets[1].where(("facts", 0, "text")) == alone.sheets[1].where(("facts", 0, "text"))


def test_files_parsed_by_the_forked_process_are_cached_for_the_next_check(project_copy, monkeypatch):
    monkeypatch.setattr(load, "PARALLEL_MIN_FILES", 2)
    first = check(Project(project_copy))
    parsed: list[str] = []
    real = load.decode
    monkeypatch.setattr(load, "decode", lambda raw, name: parsed.append(name) or real(raw, name))

    again = check(Project(project_copy))

    assert parsed == []
    assert again.topics == first.topics


def test_errors_keep_their_positions_when_files_are_parsed_in_two_processes(project_copy, monkeypatch):
    monkeypatch.setenv("BRIEF_CACHE_DIR", "off")
    sheet = project_copy / "briefings" / "trade.yaml"
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace('"which amounts to more than $220 billion"', '"words no source holds"') + "unknown_field: 1\n",
        encoding="utf-8",
    )
    messages = []
    for min_files in (10_000, 2):
        monkeypatch.setattr(load, "PARALLEL_MIN_FILES", min_files)
        with pytest.raises(ContentErrors) as raised:
            check(Project(project_copy))
        messages.append([str(error) for error in raised.value.errors])

    assert messages[0] == messages[1]
    assert any(message.startswith("briefings/trade.yaml:23:16: ") for message in messages[0])
    assert any(message.startswith("briefings/trade.yaml:") and "unknown field `unknown_field`" in message for message in messages[0])


class _RefusedHere:
    """Pickles in the forked process; unpickling it in this one fails."""

    def __reduce__(self):
        return (_refuse, ())


def _refuse():
    raise RuntimeError("cannot be rebuilt here")


def test_results_that_cannot_be_read_here_are_made_again_here():
    parent = os.getpid()
    done = parallel.map_shared(lambda item: item if os.getpid() == parent else _RefusedHere(), [0, 1, 2, 3], min_items=2)
    assert done == [0, 1, 2, 3]
