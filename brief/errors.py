"""Content errors: problems in the editors' files, reported as data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem at a place in a content file; line and col are 1-based, 0 when unknown."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}: {self.message}"
        return f"{self.path}: {self.message}"


class ContentErrors(Exception):
    """Raised by a stage when the content cannot go on; carries every problem found."""

    def __init__(self, errors: list[ContentError]):
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = sorted(set(errors))


def display_path(path: Path, root: Path) -> str:
    """The path as an editor types it: relative to the project when inside it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
