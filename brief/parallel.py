"""Work shared with a forked process on a second core.

Parsing and rendering are pure Python and use one core each; on a machine with two,
a forked process shares the items. It inherits everything the parent built, so only
its results travel back, pickled, through a pipe read in the parent's main thread.

Items are handed out in small batches through a pipe that both processes read (a read
of a few bytes from a pipe takes them whole, so each batch goes to one process). The
faster process does more: the two cores of a virtual machine often run at different
speeds, and a fixed half each left one waiting for the other for up to a fifth of a
second. The parent reads the forked process's results between its own batches, so it
unpickles them while the other still works, instead of after.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCHES = 256  # items are handed out in about this many batches: small enough to finish together, few enough to cost nothing
_HEADER = 8  # bytes giving the size of each pickled batch of results
_PIPE_BYTES = 1 << 20  # the results pipe holds this much unread, so the forked process need not wait between the parent's reads
_MISSING = object()


def can_fork() -> bool:
    # Forking a process that runs other threads (serve's server) could copy a lock some thread holds;
    # macOS system libraries are not safe to use in a forked child, so only Linux forks.
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def forks(count: int, min_items: int) -> bool:
    """Whether map_shared shares count items with a forked process."""
    return count >= min_items and can_fork()


def map_shared(work: Callable[[T], R], items: list[T], min_items: int) -> list[R]:
    """work(item) for every item, in order; from min_items on, a forked process does some of them.

    Whatever the forked process does not send back, because it failed, could not be
    started or sent what cannot be read here, is done here, so an error is raised here,
    where the caller can report it. When items fail, the error raised is the first failing
    item's, whichever process met it, so it does not change from run to run.
    """
    if not forks(len(items), min_items):
        return [work(item) for item in items]
    size = max(1, len(items) // BATCHES)
    tasks, tasks_writer = os.pipe()
    # Fewer than 2 × BATCHES batches of 4 bytes: far less than a pipe holds, so this write does not wait.
    os.write(tasks_writer, b"".join(start.to_bytes(4, "little") for start in range(0, len(items), size)))
    os.close(tasks_writer)
    reader, writer = os.pipe()
    import fcntl  # Unix only, like forking: imported here so the package still loads elsewhere

    with contextlib.suppress(OSError):  # a larger pipe only saves waiting
        fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    results: list = [_MISSING] * len(items)
    child = None
    try:
        try:
            child = _started(work, items, size, tasks, reader, writer)
        finally:
            os.close(writer)  # the forked process has its own: the pipe ends when that process does
        received = _Received(reader, results)
        while (start := _next_batch(tasks)) is not None:
            results[start : start + size] = [work(item) for item in items[start : start + size]]
            received.read_available()
        received.read_to_end()
    except Exception:  # noqa: BLE001 - raised again below, from the first item that fails
        if child is not None:
            child.kill()  # this share failed: the other is not wanted, and must not outlive this process
    except BaseException:  # an interrupt: at once
        if child is not None:
            child.kill()
        raise
    finally:
        os.close(tasks)
        os.close(reader)
        if child is not None:
            child.join()
    for index, result in enumerate(results):
        if result is _MISSING:
            results[index] = work(items[index])
    return results


def _started(work: Callable[[T], R], items: list[T], size: int, tasks: int, reader: int, writer: int) -> BaseProcess | None:
    """The forked process, started; None when none can be: no memory or no process left to fork, and this one does it all."""
    process = multiprocessing.get_context("fork").Process(target=_work_and_send, args=(work, items, size, tasks, reader, writer))
    try:
        process.start()
    except OSError:
        return None
    return process


def _next_batch(tasks: int) -> int | None:
    """The first index of the next batch nobody has taken, or None when all are taken."""
    token = os.read(tasks, 4)
    return int.from_bytes(token, "little") if len(token) == 4 else None


def _work_and_send(work: Callable[[T], R], items: list[T], size: int, tasks: int, reader: int, writer: int) -> None:
    # The parent's end is closed here at once, so a parent that stops reading makes the write fail, not wait.
    os.close(reader)
    try:
        with open(writer, "wb") as pipe:
            while (start := _next_batch(tasks)) is not None:
                sent = pickle.dumps((start, [work(item) for item in items[start : start + size]]), protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(len(sent).to_bytes(_HEADER, "little"))
                pipe.write(sent)
                pipe.flush()
    except BaseException:  # noqa: BLE001 - an error, a result that cannot be pickled, a parent that stopped reading, an interrupt: the parent does this batch itself
        pass
    os._exit(0)  # without multiprocessing's exit handling, which would print a traceback for an interrupt


class _Received:
    """Puts the batches of results the forked process sends into results, as they arrive.

    A batch that cannot be read here is left out: its items are done again here.
    """

    def __init__(self, pipe: int, results: list):
        self.pipe = pipe
        self.results = results
        self.pending = bytearray()
        self.chunk = bytearray(_PIPE_BYTES)
        self.ended = False
        os.set_blocking(pipe, False)

    def read_available(self) -> None:
        """Take what the pipe holds now, without waiting."""
        while not self.ended:
            try:
                count = os.readv(self.pipe, [self.chunk])
            except BlockingIOError:
                return
            self._take(count)

    def read_to_end(self) -> None:
        """Take everything until the forked process ends."""
        os.set_blocking(self.pipe, True)
        while not self.ended:
            self._take(os.readv(self.pipe, [self.chunk]))

    def _take(self, count: int) -> None:
        if count == 0:
            self.ended = True
            return
        pending = self.pending
        pending += memoryview(self.chunk)[:count]
        while len(pending) >= _HEADER:
            end = _HEADER + int.from_bytes(pending[:_HEADER], "little")
            if len(pending) < end:
                break
            self._place(pending[_HEADER:end])
            del pending[:end]  # cheap: a bytearray drops its head by moving its start

    def _place(self, batch: bytes | bytearray) -> None:
        try:
            start, done = pickle.loads(batch)
        except Exception:  # noqa: BLE001 - done again here, where an error in it is raised as it is
            return
        self.results[start : start + len(done)] = done
