"""What GitHub Actions reads from a step's output: content errors and warnings as workflow-command annotations.

GitHub shows at most 10 error and 10 warning annotations per step and drops the
rest without a word, so we annotate at most that many of each and then say how
many were left out; every problem still appears in the plain
`path:line:col: message` lines.
"""

from __future__ import annotations

from .errors import ContentError

ANNOTATION_LIMIT = 10


def escape_data(text: str) -> str:
    """A message as a workflow command carries it (the toolkit's escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file=...) as a workflow command carries it (the toolkit's escapeProperty)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_annotation(error: ContentError) -> str:
    """`::error file=...,line=...,col=...::message`; line and col only when known."""
    return _annotation("error", error)


def _annotation(command: str, problem: ContentError) -> str:
    properties = [f"file={escape_property(problem.path)}"]
    if problem.line:
        properties += [f"line={problem.line}", f"col={problem.col or 1}"]
    return f"::{command} {','.join(properties)}::{escape_data(problem.message)}"


def github_annotations(errors: list[ContentError], limit: int = ANNOTATION_LIMIT) -> list[str]:
    """Annotations for the first `limit` errors, then a warning counting the ones not annotated."""
    return _annotations("error", errors, limit, overflow=("warning", "problems"))


def warning_annotations(warnings: list[ContentError], limit: int = ANNOTATION_LIMIT) -> list[str]:
    """Annotations for the first `limit` warnings, then a notice (warnings have no room left) counting the rest."""
    return _annotations("warning", warnings, limit, overflow=("notice", "warnings"))


def _annotations(command: str, problems: list[ContentError], limit: int, overflow: tuple[str, str]) -> list[str]:
    lines = [_annotation(command, problem) for problem in problems[:limit]]
    hidden = len(problems) - limit
    if hidden > 0:
        lines.append(f"::{overflow[0]}::{hidden} more {overflow[1]} not annotated; see the log")
    return lines
