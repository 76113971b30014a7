"""Parsed files kept between runs, so `check` after an edit parses and validates only what changed.

An entry is keyed by a file's path and bytes and by the code that read it (this package's
source files and its dependencies' versions): it is only ever used for the same bytes read by
the same code. Entries are pickles, which run code when loaded, so they live in the user's
cache folder and never in the project, where a pull request could add one.
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
from pathlib import Path

from .load import Parsed

CACHE_ENV = "BRIEF_CACHE_DIR"  # where entries go instead of $XDG_CACHE_HOME/brief; "off" keeps none
UNUSED_DAYS = 30  # a project's cache not used for this long is removed by the next check of any project
WRITING_SECONDS = 600  # a file beside the cache's own newer than this may be another run's, still being written


class FileCache:
    """What each content file of one project parsed to, kept on disk in one file per project.

    One file rather than one per entry: creating 1,400 small files took longer than
    pickling what goes in them. Each entry stays pickled apart, so a run unpickles only
    the entries it uses and writes the others back as they were.
    """

    PACK = "entries.pickle"
    wants_pickles = True  # load.Fresh: each file is pickled by the process that parsed it

    def __init__(self, folder: Path, code: str):
        self.folder = folder
        self.code = code
        self.used: set[str] = set()
        self.new: dict[str, tuple[Parsed, bytes | None]] = {}
        self._stored: dict[str, bytes] | None = None
        self._missed: dict[Path, tuple[bytes, str]] = {}  # the key get() hashed for a miss, for put() to use

    @classmethod
    def for_project(cls, root: Path) -> FileCache | None:
        """The project's cache, or None when it is switched off or there is no cache folder."""
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
        project = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
        return cls(folder / project, code_digest())

    def get(self, path: Path, raw: bytes) -> Parsed | None:
        key = self._key(path, raw)
        self.used.add(key)
        entry = self.stored.get(key)
        if entry is None:
            self._missed[path] = (raw, key)
            return None
        try:
            return pickle.loads(entry)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, and put() replaces it
            return None

    def put(self, path: Path, raw: bytes, parsed: Parsed, pickled: bytes | None = None) -> None:
        """Remember parsed for save(), which writes pickled (made as the file was parsed and prepared), or else pickles parsed."""
        missed_raw, key = self._missed.pop(path, (None, ""))
        if missed_raw is not raw:
            key = self._key(path, raw)
        self.used.add(key)
        self.new[key] = (parsed, pickled)

    @property
    def stored(self) -> dict[str, bytes]:
        """The entries on disk, read once; none when there is no readable file."""
        if self._stored is None:
            try:
                with (self.folder / self.PACK).open("rb") as file:
                    stored = pickle.load(file)
                self._stored = stored if isinstance(stored, dict) else {}
            except Exception:  # noqa: BLE001 - a missing or damaged file is an empty cache
                self._stored = {}
        return self._stored

    def save(self) -> None:
        """Write the entries this run used, and remove the caches of projects long unused.

        A folder that cannot be written is skipped: the cache only saves time.
        """
        kept = {key: entry for key, entry in self.stored.items() if key in self.used and key not in self.new}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.new or kept.keys() != self.stored.keys():
                kept.update((key, pickled or pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)) for key, (parsed, pickled) in self.new.items())
                with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".new-", delete=False) as file:
                    pickle.dump(kept, file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(file.name, self.folder / self.PACK)
            _remove_all_but(self.folder, self.PACK, time.time() - WRITING_SECONDS)
            os.utime(self.folder)  # the project's cache was used now
            _remove_unused_since(self.folder.parent, time.time() - UNUSED_DAYS * 86_400)
        except OSError:
            pass
        self.new.clear()
        self._missed.clear()
        self._stored = None

    def _key(self, path: Path, raw: bytes) -> str:
        digest = hashlib.sha256(f"{self.code}\n{path}\n".encode())
        digest.update(raw)
        return digest.hexdigest()


def _user_cache() -> Path:
    # The XDG rule: a relative XDG_CACHE_HOME is to be ignored.
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"


def _remove_all_but(folder: Path, kept: str, moment: float) -> None:
    """Remove every file of folder but kept: what a killed run left half-written, unless another run may be writing it now."""
    for entry in folder.iterdir():
        if entry.name != kept and entry.is_file() and entry.stat().st_mtime < moment:
            entry.unlink(missing_ok=True)


def _remove_unused_since(base: Path, moment: float) -> None:
    """Remove the caches of projects not checked since moment: a moved or deleted checkout leaves one behind."""
    for folder in base.iterdir():
        if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < moment:
            shutil.rmtree(folder, ignore_errors=True)


_EXTRA_MARKER = re.compile(r";.*\bextra\s*==")


@functools.cache
def code_digest() -> str:
    return hashlib.sha256("\n".join(_code_versions()).encode()).hexdigest()


def _code_versions() -> list[str]:
    """This package's source files, and the versions of the packages it builds with."""
    own = [f"{path.name}={hashlib.sha256(path.read_bytes()).hexdigest()}" for path in sorted(Path(__file__).parent.glob("*.py"))]
    try:
        requirements = importlib.metadata.requires("brief") or []
    except importlib.metadata.PackageNotFoundError:
        requirements = []
    # What only the tests or another extra need (pytest, playwright...) reads no content: its version does not matter.
    names = sorted({re.split(r"[^A-Za-z0-9_.-]", requirement, maxsplit=1)[0] for requirement in requirements if not _EXTRA_MARKER.search(requirement)})
    return own + [f"{name}=={_version(name)}" for name in names]


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"
