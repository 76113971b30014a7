"""The reviewer's report as GitHub Markdown: content text escaped so it renders as written and notifies no one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")  # & too: an entity such as &#64; would render as @
# GitHub turns @user, @org/team, #1, GH-1, org/repo#1 and user@sha into links (in a comment, notifying
# whoever is named) after rendering the Markdown: a backslash or an entity does not stop it, a code span does.
_REFERENCE = re.compile(r"@\w|#\d|gh-\d", re.IGNORECASE)
# Punctuation around a word stays outside its code span: no reference can start with it.
_WORD_PARTS = re.compile(r"([(\[{“‘«\"']*)(.*?)([)\]}.,;:!?”’»\"']*)")


def text(value: str) -> str:
    """Content text on one line: characters Markdown would act on escaped, words holding a GitHub reference as code."""
    return " ".join(_word(word) for word in value.split())


def _word(word: str) -> str:
    # The whole word goes in the span, so the text beside a span never begins or ends a reference.
    if not _REFERENCE.search(word):
        return escaped(word)
    before, core, after = _WORD_PARTS.fullmatch(word).groups()
    return escaped(before) + code(core) + escaped(after)


def escaped(words: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", words)


def code(value: Any) -> str:
    """A value on one line as a code span, fenced by more backticks than any run of them inside it."""
    text = " ".join(str(value).split())
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(value: Any) -> str:
    """A short value (a date, a status, a name) as it reads, without quotation marks."""
    return text(value) if isinstance(value, str) else quoted(value)


def quoted(value: Any) -> str:
    """A value as the report shows it: text in quotation marks, a number or yes/no as code, null as _null_."""
    if value is None:
        return "_null_"
    if isinstance(value, str):
        return f"“{text(value)}”"
    if isinstance(value, bool | int | float):
        return f"`{json.dumps(value)}`"
    return code(json.dumps(value, ensure_ascii=False, sort_keys=True))


def capped(lines: Iterable[str], limit: int) -> str:
    """The report, cut at a line boundary with a note when it would pass limit bytes."""
    note = "\n_… report cut here to stay under GitHub's 1 MiB summary limit; run `python build.py diff` locally for the rest._\n"
    budget = limit - len(note.encode("utf-8"))
    kept, used = [], 0
    for line in lines:
        size = len(line.encode("utf-8")) + 1
        if used + size > budget:
            return "\n".join(kept) + "\n" + note
        kept.append(line)
        used += size
    return "\n".join(kept).rstrip("\n") + "\n"
