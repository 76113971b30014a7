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


class FileCache:
    """What each content file of one project parsed to, on disk, one entry per file."""

    def __init__(self, folder: Path, code: str):
        self.folder = folder
        self.code = code
        self.used: set[str] = set()
        self.new: dict[str, Parsed] = {}

    @classmethod
    def for_project(cls, root: Path) -> FileCache | None:
        """The project's cache, or None when it is switched off or there is no cache folder."""
        base = os.environ.get(CACHE_ENV)
        if base == "off":
            return None
        try:
            folder = Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "brief"
        except RuntimeError:  # no home folder
            return None
        project = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
        return cls(folder / project, code_digest())

    def get(self, path: Path, raw: bytes) -> Parsed | None:
        key = self._key(path, raw)
        self.used.add(key)
        try:
            with (self.folder / key).open("rb") as file:
                return pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, and put() replaces it
            return None

    def put(self, path: Path, raw: bytes, parsed: Parsed) -> None:
        """Remember parsed for save(), which writes it once validation has added its models."""
        key = self._key(path, raw)
        self.used.add(key)
        self.new[key] = parsed

    def save(self) -> None:
        """Write the new entries and remove those no file used this run, and the caches of projects long unused.

        A folder that cannot be written is skipped: the cache only saves time.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for key, parsed in self.new.items():
                with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".new-", delete=False) as file:
                    pickle.dump(parsed, file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(file.name, self.folder / key)
            for entry in self.folder.iterdir():
                if entry.name not in self.used:
                    entry.unlink(missing_ok=True)
            os.utime(self.folder)  # the project's cache was used now
            _remove_unused_since(self.folder.parent, time.time() - UNUSED_DAYS * 86_400)
        except OSError:
            pass
        self.new.clear()

    def _key(self, path: Path, raw: bytes) -> str:
        digest = hashlib.sha256(f"{self.code}\n{path}\n".encode())
        digest.update(raw)
        return digest.hexdigest()


def _remove_unused_since(base: Path, moment: float) -> None:
    """Remove the caches of projects not checked since moment: a moved or deleted checkout leaves one behind."""
    for folder in base.iterdir():
        if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < moment:
            shutil.rmtree(folder, ignore_errors=True)


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
    names = sorted({re.split(r"[^A-Za-z0-9_.-]", requirement, maxsplit=1)[0] for requirement in requirements})
    return own + [f"{name}=={_version(name)}" for name in names]


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"
