"""Work shared with a forked process on a second core.

Parsing and rendering are pure Python and use one core each; on a machine with two,
a forked process does every second item. It inherits everything the parent built, so
only its results travel back, through a pipe read in the parent's main thread.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    # Forking a process that runs other threads (serve's server) could copy a lock some thread holds;
    # macOS system libraries are not safe to use in a forked child, so only Linux forks.
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def map_shared(work: Callable[[T], R], items: list[T], min_items: int) -> list[R]:
    """work(item) for every item, in order; from min_items on, a forked process does every second one.

    If the forked process fails, or cannot be started, its share is done here, so an
    error is raised here, where the caller can report it.
    """
    if len(items) < min_items or not can_fork():
        return [work(item) for item in items]
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_send_results, args=(work, items[1::2], reader, writer))
    try:
        child.start()
    except OSError:  # no memory or no process left to fork: one process does it all
        reader.close()
        writer.close()
        return [work(item) for item in items]
    writer.close()
    try:
        mine = [work(item) for item in items[0::2]]
        theirs = _received(reader)
    except BaseException:
        child.kill()  # this share failed: the other is not wanted, and must not outlive this process
        raise
    finally:
        reader.close()
        child.join()
    if theirs is None:
        theirs = [work(item) for item in items[1::2]]
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    results[0::2], results[1::2] = mine, theirs
    return results


def _send_results(work: Callable[[T], R], items: list[T], reader: Connection, writer: Connection) -> None:
    # The parent's end is closed here at once, so a parent that stops reading makes send fail, not wait.
    reader.close()
    try:
        results: list[R] | None = [work(item) for item in items]
    except BaseException:  # noqa: BLE001 - the parent does these items again and reports the error itself
        results = None
    try:
        writer.send(results)
    except Exception:  # noqa: BLE001 - the parent stopped reading, or a result cannot be sent: it does the share itself
        pass
    writer.close()
    os._exit(0)  # without multiprocessing's exit handling, which would print a traceback for an interrupt


def _received(reader: Connection) -> list | None:
    try:
        return reader.recv()
    except (EOFError, OSError):  # the forked process ended without sending, or partway through
        return None
