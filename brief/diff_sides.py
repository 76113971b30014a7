"""The two sides of a reviewer's comparison, each loaded and checked the way `check` reads a project.

A revision is exported from git into a temporary folder and loaded there; the
working tree is loaded in place. Each side is also validated, so the report can
say whether every quote on it is found in its source.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError
from .files import checked_files
from .load import GLOSSARY_FILE, SHEET_SUFFIX, SHEETS_DIR, SOURCE_SUFFIX, SOURCES_DIR, Document, SourceFile, content_files, parse
from .quotes import SourceText
from .validate import validate


class RevisionError(Exception):
    """A revision git cannot read; the message is git's own."""


@dataclass(frozen=True)
class Side:
    """One side of the comparison: what loaded, which content files exist, and what check found."""

    label: str
    loaded: tuple[tuple[str, Document | SourceFile], ...]  # (kind, file) for each content file that parsed
    files: frozenset[str]  # content files present, as project-relative paths
    problems: tuple[ContentError, ...]

    def sheets(self) -> dict[str, dict]:
        return {file.name: file.data for kind, file in self.loaded if kind == SHEETS_DIR}

    def sources(self) -> dict[str, tuple[dict, str]]:
        return {source.id: (source.front.data, source.body) for source in self._sources()}

    def texts(self) -> dict[str, SourceText]:
        return {source.id: source.text for source in self._sources()}

    def _sources(self) -> list[SourceFile]:
        return [file for _, file in self.loaded if isinstance(file, SourceFile)]

    @property
    def glossary(self) -> Document | None:
        return next((file for kind, file in self.loaded if kind == GLOSSARY_FILE), None)


def read_side(root: Path, revision: str | None) -> Side:
    """Load and check one side: a git revision exported to a temporary folder, or the working tree."""
    if revision is None:
        return _checked("working tree", root)
    label = f"`{revision}` ({_short_commit(root, revision)})"
    with tempfile.TemporaryDirectory(prefix="brief-diff-") as folder:
        _export(root, revision, Path(folder))
        return _checked(label, Path(folder))


def _checked(label: str, folder: Path) -> Side:
    read, problems = content_files(folder)
    _, validation_problems = validate(checked_files(read))
    loaded = tuple((file.kind, parsed) for file in read for parsed, _ in [parse(file)] if parsed is not None)
    files = frozenset(
        path.relative_to(folder).as_posix()
        for directory, suffix in ((SHEETS_DIR, SHEET_SUFFIX), (SOURCES_DIR, SOURCE_SUFFIX))
        if (folder / directory).is_dir()
        for path in (folder / directory).iterdir()
        if path.suffix == suffix
    ) | ({GLOSSARY_FILE} if (folder / GLOSSARY_FILE).is_file() else set())
    return Side(label, loaded, files, tuple(sorted(set(problems + validation_problems))))


def _git(root: Path, *args: str) -> bytes:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True)
    if result.returncode != 0:
        raise RevisionError(result.stderr.decode(errors="replace").strip() or f"git {' '.join(args)} failed")
    return result.stdout


def _short_commit(root: Path, revision: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--short", revision + "^{commit}").decode().strip()
    except RevisionError as exc:
        # A shallow clone is the usual cause in CI: the base branch was never fetched.
        raise RevisionError(f"{revision!r} is not a commit in this repository (fetch it first; in CI check out with fetch-depth: 0): {exc}") from exc


def _export(root: Path, revision: str, folder: Path) -> None:
    """The project folder's files as they were at revision (git archive of the current subtree)."""
    archive = _git(root, "archive", "--format=tar", revision)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
