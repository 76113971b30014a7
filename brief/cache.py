"""What is kept from one run to the next: what each content file made alone (Cache), what the content of two editions
compared to (a Cache of its own pack), and compiled templates (CompiledTemplates).

An entry of Cache is keyed by a file's path and bytes and by the code that read it (this
package's source files and its dependencies' versions): it is only ever used for the same
bytes read by the same code. Entries are pickles, which run code when loaded, so they live in
the user's cache folder and never in the project, where a pull request could add one.
Compiled templates are kept in memory only, for the rebuilds of one `serve`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import jinja2

T = TypeVar("T")

CACHE_ENV = "BRIEF_CACHE_DIR"  # where entries go instead of $XDG_CACHE_HOME/brief; "off" keeps none on disk
UNUSED_DAYS = 30  # a project's cache not used for this long is removed by the next check of any project
WRITING_SECONDS = 600  # a file beside the cache's own newer than this may be another run's, still being written


class Cache:
    """What each content file was made into, by its path and bytes, so an unchanged file is not read again.

    Values are kept in memory for the next run of a long-running process (serve) and,
    when the cache has a folder, on disk between runs: one file per project, each entry
    pickled apart inside it, so a run unpickles only the entries it uses.
    """

    PACK = "entries.pickle"
    # What the fact sheets of two editions compare to (editions.py), by the commits or files compared: apart
    # from the files' entries, since a run that reads the files never looks at editions, and would drop them.
    EDITIONS_PACK = "editions.pickle"
    NEW_PREFIX = ".new-"  # a pack being written

    def __init__(self, folder: Path | None, code: str, pack: str = PACK):
        self.folder = folder
        self.code = code
        self.pack = pack
        self._values: dict[str, object] = {}
        self._stored: dict[str, bytes] | None = None
        self._used: set[str] = set()
        self._made: set[str] = set()  # made this run: to be pickled

    @classmethod
    def for_project(cls, root: Path, pack: str = PACK) -> Cache:
        """The project's cache, in the user's cache folder; in memory only when switched off or there is no such folder."""
        return cls(_project_folder(root), code_digest(), pack)

    def value(self, path: Path, raw: bytes, make: Callable[[], T]) -> T:
        """What make() makes of the file at path with these bytes: made once, then kept."""
        digest = hashlib.sha256(self.code.encode() + b"\n" + os.fsencode(path) + b"\n")  # a file name need not be text
        digest.update(raw)
        key = digest.hexdigest()
        self._used.add(key)
        if key not in self._values:
            value = self._unpickled(key)
            if value is None:
                value = make()
                self._made.add(key)
            self._values[key] = value
        return self._values[key]  # type: ignore[return-value]

    def named(self, name: str, make: Callable[[], T]) -> T:
        """What make() makes for a name whose meaning never changes (the commits two editions are): made once, then kept."""
        return self.value(Path(name), b"", make)

    def save(self) -> None:
        """Forget what this run did not use and write what it did to disk; remove the caches of projects long unused.

        A folder that cannot be written is skipped: the cache only saves time.
        """
        self._values = {key: value for key, value in self._values.items() if key in self._used}
        made, self._used, self._made = self._made, set(), set()
        if self.folder is None:
            return
        kept = {key: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) if key in made else self.stored[key] for key, value in self._values.items()}
        if made or kept.keys() != self.stored.keys():
            self._write(kept)
        self._stored = kept

    @property
    def stored(self) -> dict[str, bytes]:
        """The entries on disk, read once; none when there is no readable file."""
        if self._stored is None:
            self._stored = {}
            try:
                with (self.folder / self.pack).open("rb") as file:
                    stored = pickle.load(file)
                self._stored = stored if isinstance(stored, dict) else {}
            except Exception:  # noqa: BLE001 - no folder, or a missing or damaged file: an empty cache
                pass
        return self._stored

    def _unpickled(self, key: str) -> object | None:
        entry = self.stored.get(key)
        try:
            return pickle.loads(entry) if entry is not None else None
        except Exception:  # noqa: BLE001 - a damaged entry is made again, and replaced
            return None

    def _write(self, entries: dict[str, bytes]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=self.NEW_PREFIX, delete=False) as file:
                pickle.dump(entries, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(file.name, self.folder / self.pack)
            _remove_unfinished(self.folder, self.NEW_PREFIX, time.time() - WRITING_SECONDS)
            os.utime(self.folder)  # the project's cache was used now
            _remove_unused_since(self.folder.parent, time.time() - UNUSED_DAYS * 86_400)
        except OSError:
            pass


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once and kept in memory: Jinja checks each template's source checksum
    before using its stored code, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def _project_folder(root: Path) -> Path | None:
    """Where the project's entries go on disk, or None when they may not go anywhere."""
    base = os.environ.get(CACHE_ENV)
    if base == "off":
        return None
    try:
        folder = Path(base) if base else _user_cache() / "brief"
    except RuntimeError:  # no home folder
        return None
    # A relative folder would be found from wherever the command runs, often the project,
    # and a folder in the project is one a pull request could put entries, which are pickles, into.
    if not folder.is_absolute() or folder.resolve().is_relative_to(root.resolve()):
        return None
    return folder / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def _user_cache() -> Path:
    # The XDG rule: a relative XDG_CACHE_HOME is to be ignored.
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"


def _remove_unfinished(folder: Path, prefix: str, moment: float) -> None:
    """Remove the packs a killed run left half-written (named with prefix), unless another run may be writing them now."""
    for entry in folder.iterdir():
        if entry.name.startswith(prefix) and entry.is_file() and entry.stat().st_mtime < moment:
            entry.unlink(missing_ok=True)


def _remove_unused_since(base: Path, moment: float) -> None:
    """Remove the caches of projects not checked since moment: a moved or deleted checkout leaves one behind."""
    for folder in base.iterdir():
        if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < moment:
            shutil.rmtree(folder, ignore_errors=True)


EXTRA_MARKER = re.compile(r";.*\bextra\s*==")


@functools.cache
def code_digest() -> str:
    return hashlib.sha256("\n".join(code_versions()).encode()).hexdigest()


def code_versions() -> list[str]:
    """This package's source files, and the versions of the packages it builds with."""
    own = [f"{path.name}={hashlib.sha256(path.read_bytes()).hexdigest()}" for path in sorted(Path(__file__).parent.glob("*.py"))]
    try:
        requirements = importlib.metadata.requires("brief") or []
    except importlib.metadata.PackageNotFoundError:
        requirements = []
    # What only the tests or another extra need (pytest, playwright...) reads no content: its version does not matter.
    names = sorted({re.split(r"[^A-Za-z0-9_.-]", requirement, maxsplit=1)[0] for requirement in requirements if not EXTRA_MARKER.search(requirement)})
    return own + [f"{name}=={_version(name)}" for name in names]


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"
