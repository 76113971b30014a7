"""Which facts, figures and glossary terms were added, removed and changed between two versions of the content.

One set of rules for every reader of a comparison: the reviewer's report (diff.py) and the
What changed page (editions.py). Items are compared as their files load, before any check,
so that a side that fails validation is compared as far as it loads: a fact by its id, a
figure by its metric, period and speaker, a term by its name; an item is changed when any
of its fields differs.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Counts:
    added: int = 0
    removed: int = 0
    changed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.added + other.added, self.removed + other.removed, self.changed + other.changed)

    def __str__(self) -> str:
        return f"{self.added} added, {self.removed} removed, {self.changed} changed"


@dataclass(frozen=True)
class Key:
    """What identifies an item on its side: the names it gives (a fact's id; a figure's metric, period and speaker;
    a term), and its position (from 1) when it gives none that can be read, or repeats another item's."""

    names: tuple[str | None, ...] | None
    position: int | None = None


@dataclass(frozen=True)
class Changed:
    key: Key
    before: dict
    after: dict
    fields: tuple[str, ...]  # those whose values differ, sorted


@dataclass(frozen=True)
class ItemChanges:
    """The items of one kind added, removed and changed, each with its data as it is on its side; in file order."""

    added: tuple[tuple[Key, dict], ...]
    removed: tuple[tuple[Key, dict], ...]
    changed: tuple[Changed, ...]

    @property
    def counts(self) -> Counts:
        return Counts(len(self.added), len(self.removed), len(self.changed))


def fact_key(fact: dict, index: int) -> Key:
    fact_id = fact.get("id")
    return Key((fact_id,)) if isinstance(fact_id, str) else Key(None, index + 1)


def figure_key(figure: dict, index: int) -> Key:
    parts = tuple(figure.get(field) for field in ("metric", "period", "said_by"))
    if not all(isinstance(part, str | None) for part in parts) or parts[0] is None:
        return Key(None, index + 1)
    return Key(parts)


def term_key(term: dict, index: int) -> Key:
    name = term.get("term")
    return Key((name,)) if isinstance(name, str) else Key(None, index + 1)


def item_changes(before: Any, after: Any, key: Callable[[dict, int], Key]) -> ItemChanges:
    """The items (a list as loaded, or anything else for none) added, removed and changed from before to after."""
    old, new = _keyed(before, key), _keyed(after, key)
    changed = (Changed(name, old[name], new[name], changed_fields(old[name], new[name])) for name in old if name in new)
    return ItemChanges(
        tuple((name, item) for name, item in new.items() if name not in old),
        tuple((name, item) for name, item in old.items() if name not in new),
        tuple(change for change in changed if change.fields),
    )


def sheet_changes(before: dict | None, after: dict | None) -> tuple[ItemChanges, ItemChanges]:
    """A fact sheet's facts and figures compared (None for a sheet absent on that side)."""
    before, after = before or {}, after or {}
    facts = item_changes(before.get("facts"), after.get("facts"), fact_key)
    return facts, item_changes(before.get("figures"), after.get("figures"), figure_key)


def changed_fields(before: dict, after: dict) -> tuple[str, ...]:
    """The fields whose values differ; a field left out reads as one set to null."""
    return tuple(field for field in sorted(before.keys() | after.keys()) if before.get(field) != after.get(field))


def word_changes(old: str, new: str) -> list[tuple[str, str]]:
    """The text's words as runs, in reading order: ("kept", words), ("removed", words) and ("added", words);
    a reader of a changed text looks for the few words that moved."""
    before, after = old.split(), new.split()
    runs = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(("kept", " ".join(after[j1:j2])))
        if tag in ("delete", "replace"):
            runs.append(("removed", " ".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            runs.append(("added", " ".join(after[j1:j2])))
    return runs


def _keyed(items: Any, key: Callable[[dict, int], Key]) -> dict[Key, dict]:
    """Items by their identity; a repeated identity gets its position added so none is lost."""
    keyed: dict[Key, dict] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        name = key(item, index)
        if name in keyed:
            name = Key(name.names, index + 1)
        keyed[name] = item
    return keyed
