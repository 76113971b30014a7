"""What `serve` and `check --watch` watch: the project's inputs, polled; and how both stop.

Polling works on every file system, network and container mounts included, where change
notifications may never come. serve hands these paths to MkDocs' server, which polls them
itself; check --watch compares snapshots of the same inputs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from .pipeline import INPUT_FOLDERS, Project

# How often the inputs are looked at: a save is seen within this time.
POLL_SECONDS = 0.25


def watched_paths(project: Project) -> list[tuple[Path, bool]]:
    """Each path to watch and whether the folders below it too: the input folders whole, and the project
    folder's own files (mkdocs.yml, overview.yaml, glossary.yaml) without its staging and output folders."""
    return [(project.root / folder, True) for folder in INPUT_FOLDERS] + [(project.root, False)]


def after_each_change(project: Project) -> Iterator[None]:
    """Yields at once, then each time the project's inputs have changed and stopped changing; never ends."""
    seen = _snapshot(project)
    yield
    while True:
        time.sleep(POLL_SECONDS)
        now = _snapshot(project)
        if now != seen:
            seen = _settled(project, now)
            yield


def _settled(project: Project, now: dict) -> dict:
    """The inputs' snapshot once two in a row agree: an editor's save may write a file in steps, or several files."""
    while True:
        time.sleep(POLL_SECONDS)
        later = _snapshot(project)
        if later == now:
            return now
        now = later


def _snapshot(project: Project) -> dict[Path, tuple[int, int, int]]:
    """Each input file's modification time, size and inode: a save changes one of them, a rename-over the inode."""
    snapshot = {}
    for path in project.inputs():
        with contextlib.suppress(OSError):  # removed since it was listed: the next snapshot says so
            info = os.lstat(path)
            snapshot[path] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return snapshot


@contextlib.contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """Within, SIGTERM raises KeyboardInterrupt, so a process stopped by kill, a process manager or an
    IDE's stop button leaves the way Ctrl+C does (cleaning up) instead of ending at once."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
