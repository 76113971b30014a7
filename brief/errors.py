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
            return f"{one_line(self.path)}:{self.line}:{self.col}: {one_line(self.message)}"
        return f"{one_line(self.path)}: {one_line(self.message)}"


def one_line(text: str) -> str:
    """Line breaks, control and invisible format characters as escapes: one error stays one line,
    and a file name or quoted passage cannot drive the terminal or hide what it says."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


@dataclass(frozen=True)
class Warnings:
    """What check reports without failing. A source awaiting review also stops build and pdf from publishing."""

    awaiting_review: tuple[ContentError, ...] = ()
    unused_sources: tuple[ContentError, ...] = ()
    mixed_script_urls: tuple[ContentError, ...] = ()
    content: tuple[ContentError, ...] = ()  # a themed sheet's fact without a theme, a watch item the as-of date has passed

    def all(self) -> list[ContentError]:
        return sorted(self.awaiting_review + self.unused_sources + self.mixed_script_urls + self.content)


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
