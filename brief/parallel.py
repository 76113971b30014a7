"""Work shared with a forked process on a second core.

Parsing and rendering are pure Python and use one core each; on a machine with two,
a forked process does every second item. It inherits everything the parent built, so
only its results travel back, pickled, through a pipe read in the parent's main thread.

The pipe is read into one buffer made to the pickle's size. multiprocessing's Connection
asks the pipe for all that is left on every read, and so allocates the whole remaining
size again for each 64 KiB that arrives: 0.16 s for the 24 MB of pages at 400 topics,
against 0.05 s.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable
from typing import BinaryIO, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    # Forking a process that runs other threads (serve's server) could copy a lock some thread holds;
    # macOS system libraries are not safe to use in a forked child, so only Linux forks.
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def forks(count: int, min_items: int) -> bool:
    """Whether map_shared shares count items with a forked process."""
    return count >= min_items and can_fork()


def map_shared(work: Callable[[T], R], items: list[T], min_items: int) -> list[R]:
    """work(item) for every item, in order; from min_items on, a forked process does every second one.

    If the forked process fails, or cannot be started, its share is done here, so an
    error is raised here, where the caller can report it.
    """
    if not forks(len(items), min_items):
        return [work(item) for item in items]
    reader, writer = os.pipe()
    child = multiprocessing.get_context("fork").Process(target=_send_results, args=(work, items[1::2], reader, writer))
    try:
        child.start()
    except OSError:  # no memory or no process left to fork: one process does it all
        os.close(reader)
        os.close(writer)
        return [work(item) for item in items]
    os.close(writer)
    pipe = open(reader, "rb")  # noqa: SIM115 - closed in finally, after the forked process may be killed
    try:
        mine = [work(item) for item in items[0::2]]
        theirs = _received(pipe)
    except BaseException:
        child.kill()  # this share failed: the other is not wanted, and must not outlive this process
        raise
    finally:
        pipe.close()
        child.join()
    if theirs is None:
        theirs = [work(item) for item in items[1::2]]
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    results[0::2], results[1::2] = mine, theirs
    return results


def _send_results(work: Callable[[T], R], items: list[T], reader: int, writer: int) -> None:
    # The parent's end is closed here at once, so a parent that stops reading makes the write fail, not wait.
    os.close(reader)
    try:
        results: list[R] | None = [work(item) for item in items]
    except BaseException:  # noqa: BLE001 - the parent does these items again and reports the error itself
        results = None
    try:
        sent = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        with open(writer, "wb") as pipe:
            pipe.write(len(sent).to_bytes(8, "little"))
            pipe.write(sent)
    except BaseException:  # noqa: BLE001 - the parent stopped reading, a result cannot be pickled, or an interrupt: it does the share itself
        pass
    os._exit(0)  # without multiprocessing's exit handling, which would print a traceback for an interrupt


def _received(pipe: BinaryIO) -> list | None:
    """The results the forked process sent, or None if it ended without sending them all, or they cannot be read here."""
    header = pipe.read(8)
    if len(header) < 8:
        return None
    sent = bytearray(int.from_bytes(header, "little"))
    if pipe.readinto(sent) < len(sent):  # a buffered read fills the buffer unless the pipe ends first
        return None
    try:
        return pickle.loads(sent)
    except Exception:  # noqa: BLE001 - the share is done again here, where an error in it is raised as it is
        return None
