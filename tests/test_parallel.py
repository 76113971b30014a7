"""Work shared with a forked process (brief/parallel.py): the same results, in the same order, as done in one."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from brief import load, parallel
from brief.errors import ContentErrors
from brief.pipeline import Project, check
from brief.validate import prepare_file

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="forks only on Linux with more than one core")


def slow_here_at_first(work: Callable, seconds: float = 0.3, first_here: Callable | None = None) -> Callable:
    """work, but the first item this process takes waits (and goes to first_here, if given): meanwhile the forked process takes the next ones."""
    parent, first = os.getpid(), [True]

    def slowed(item, *args, **kwargs):
        if os.getpid() == parent and first[0]:
            first[0] = False
            time.sleep(seconds)
            return (first_here or work)(item, *args, **kwargs)
        return work(item, *args, **kwargs)

    return slowed


def logged(work: Callable, log: Path) -> Callable:
    """work, writing the id of the process that does each item to log: what a forked process does is seen here too."""

    def logging(item, *args, **kwargs):
        with log.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {item!r}\n")
        return work(item, *args, **kwargs)

    return logging


def done_elsewhere(log: Path) -> list[str]:
    """The items the log says another process did."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [line.split(" ", 1)[1] for line in lines if int(line.split(" ", 1)[0]) != os.getpid()]


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
    # Each result is larger than one read takes (parallel._PIPE_BYTES), and this process reads nothing while it sleeps.
    done = parallel.map_shared(slow_here_at_first(lambda item: (bytes([item]) * 1_500_000, os.getpid())), list(range(8)), min_items=2)

    assert [data for data, _ in done] == [bytes([item]) * 1_500_000 for item in range(8)]
    assert any(pid != os.getpid() for _, pid in done)


def test_below_min_items_nothing_is_forked():
    assert {pid for pid in parallel.map_shared(lambda item: os.getpid(), [1, 2, 3], min_items=4)} == {os.getpid()}


def test_when_no_process_can_be_forked_this_one_does_it_all(monkeypatch):
    def refused(self):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", refused)
    done_by = parallel.map_shared(lambda item: (item, os.getpid()), list(range(10)), min_items=2)
    assert done_by == [(item, os.getpid()) for item in range(10)]


def test_an_error_in_the_forked_share_is_raised_here(tmp_path):
    parent = os.getpid()

    def fails(item: int) -> int:
        if item == 7:
            raise ValueError(f"item 7 failed in {'this' if os.getpid() == parent else 'the forked'} process")
        time.sleep(0.01)
        return item

    with pytest.raises(ValueError, match="item 7 failed in this process"):
        parallel.map_shared(slow_here_at_first(logged(fails, tmp_path / "log")), list(range(8)), min_items=2)
    assert "7" in done_elsewhere(tmp_path / "log")  # the forked process met it first


def test_the_error_raised_is_the_first_failing_items_whichever_process_met_it():
    def fails(item: int) -> int:
        if item in (2, 4):
            raise ValueError(f"item {item} failed")
        return item

    # The forked process takes the items after this one's first, and stops at item 2; this one then meets item 4 first.
    with pytest.raises(ValueError, match="item 2 failed"):
        parallel.map_shared(slow_here_at_first(fails), list(range(6)), min_items=2)


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


def test_a_forked_process_killed_while_sending_leaves_its_items_to_this_one():
    parent = os.getpid()

    def kill_the_other() -> None:
        for child in multiprocessing.active_children():
            child.kill()

    def large(item: int) -> tuple[bytes, int]:
        return bytes([item]) * 3_000_000, os.getpid()

    def kills_the_other_first(item: int) -> tuple[bytes, int]:
        # Meanwhile the other takes the next item and is writing its 3 MB, more than the pipe holds.
        result = large(item)
        kill_the_other()
        return result

    done = parallel.map_shared(slow_here_at_first(large, first_here=kills_the_other_first), list(range(4)), min_items=2)

    assert [data for data, _ in done] == [bytes([item]) * 3_000_000 for item in range(4)]
    assert {pid for _, pid in done} == {parent}


def loaded(root: Path, monkeypatch, min_files: int, log: Path | None = None):
    monkeypatch.setattr(load, "PARALLEL_MIN_FILES", min_files)
    if log is not None:
        monkeypatch.setattr(load, "_fresh", slow_here_at_first(logged(load._fresh, log), seconds=0.2))
    raw, errors = load.load_project(root, None, prepare_file)
    return raw, [str(error) for error in errors]


def test_files_parsed_in_two_processes_load_as_in_one(project_copy, monkeypatch, tmp_path):
    (project_copy / "briefings" / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    (project_copy / "sources" / "empty.md").write_text("", encoding="utf-8")

    alone, alone_errors = loaded(project_copy, monkeypatch, min_files=10_000)
    shared, shared_errors = loaded(project_copy, monkeypatch, min_files=2, log=tmp_path / "log")

    assert len(done_elsewhere(tmp_path / "log")) > 2
    assert shared_errors == alone_errors and len(alone_errors) == 2
    assert shared.sheets == alone.sheets
    assert [(s.id, s.front, s.body, s.body_line) for s in shared.sources] == [(s.id, s.front, s.body, s.body_line) for s in alone.sources]
    assert shared.broken_source_ids == alone.broken_source_ids == {"empty"}
    # Prepared where they were parsed: the models came back with the files.
    assert all(sheet.models for sheet in shared.sheets)
    assert shared.sheets[1].where(("facts", 0, "text")) == alone.sheets[1].where(("facts", 0, "text"))


def test_files_parsed_by_the_forked_process_are_cached_for_the_next_check(project_copy, monkeypatch, tmp_path):
    monkeypatch.setattr(load, "PARALLEL_MIN_FILES", 2)
    real_fresh = load._fresh
    monkeypatch.setattr(load, "_fresh", slow_here_at_first(logged(real_fresh, tmp_path / "log"), seconds=0.2))
    first = check(Project(project_copy))
    assert len(done_elsewhere(tmp_path / "log")) > 2
    monkeypatch.setattr(load, "_fresh", real_fresh)
    parsed: list[str] = []
    real = load.decode
    monkeypatch.setattr(load, "decode", lambda raw, name: parsed.append(name) or real(raw, name))

    again = check(Project(project_copy))

    assert parsed == []
    assert again.topics == first.topics


def test_errors_keep_their_positions_when_files_are_parsed_in_two_processes(project_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEF_CACHE_DIR", "off")
    sheet = project_copy / "briefings" / "trade.yaml"
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace('"which amounts to more than $220 billion"', '"words no source holds"') + "unknown_field: 1\n",
        encoding="utf-8",
    )
    real_fresh = load._fresh
    messages = []
    for min_files in (10_000, 2):
        monkeypatch.setattr(load, "PARALLEL_MIN_FILES", min_files)
        monkeypatch.setattr(load, "_fresh", slow_here_at_first(logged(real_fresh, tmp_path / f"log-{min_files}"), seconds=0.2))
        with pytest.raises(ContentErrors) as raised:
            check(Project(project_copy))
        messages.append([str(error) for error in raised.value.errors])

    assert "PosixPath('" + str(sheet) + "')" in " ".join(done_elsewhere(tmp_path / "log-2"))  # the edited sheet was parsed by the other process
    assert messages[0] == messages[1]
    assert any(message.startswith("briefings/trade.yaml:24:16: ") for message in messages[0])
    assert any(message.startswith("briefings/trade.yaml:") and "unknown field `unknown_field`" in message for message in messages[0])


class _RefusedHere:
    """Pickles in the forked process; unpickling it in this one fails."""

    def __reduce__(self):
        return (_refuse, ())


def _refuse():
    raise RuntimeError("cannot be rebuilt here")


def test_results_that_cannot_be_read_here_are_made_again_here(tmp_path):
    parent = os.getpid()
    work = slow_here_at_first(logged(lambda item: item if os.getpid() == parent else _RefusedHere(), tmp_path / "log"))

    assert parallel.map_shared(work, [0, 1, 2, 3], min_items=2) == [0, 1, 2, 3]
    assert len(done_elsewhere(tmp_path / "log")) >= 3  # all but this process's first, or all of them
