"""Editions: the commits tagged `edition-YYYY-MM-DD`, and what changed in the facts and figures since each.

For the newest edition, what changed from it to the content being built; for each earlier one, to the
next edition. Facts and figures are compared by diff's rules (changes.py), a fact sheet at a time, as
the files load: a sheet that does not load on a side is named, not reported as emptied.

Everything is read from the repository with git, asking nothing of the network. A sheet whose bytes
are the same at both ends (the same git object) is not read at all, so with a tag and one fact edited
only that fact's sheet is parsed. What two editions compared to never changes, so it is kept between
runs by their commits, and what a sheet compared to by its two git objects (cache.py).

A tag named `edition-…` that is not `edition-YYYY-MM-DD` with a real date, or names no commit, is no
edition: the page names it with what to do, build warns, and goes on; a stray tag, often pushed already,
should not stop a publication.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .briefing import Briefing, fact_page, topic_page
from .cache import Cache
from .changes import Counts, ItemChanges, changed_fields, sheet_changes, word_changes
from .commit import git_output
from .errors import ContentError
from .load import SHEET_SUFFIX, SHEETS_DIR, ContentFile, parse, read_file
from .render import PageSpec

TAG_PREFIX = "edition-"
EDITION_TAG = re.compile(r"edition-(\d{4})-(\d{2})-(\d{2})")
# A changed field is shown with its old and new values when both are this short (see _what); so is a run of words.
SHORT_VALUE = 40


@dataclass(frozen=True)
class Tag:
    """A tag named edition-…, and the commit it names (None: it names something else)."""

    name: str
    commit: str | None


@dataclass(frozen=True)
class Edition:
    tag: str
    date: date
    commit: str


@dataclass(frozen=True)
class Change:
    """A fact or figure added, removed or changed, as it stands (a removed one: as it stood)."""

    kind: str  # "fact" or "figure"
    how: str  # "added", "removed" or "changed"
    names: tuple[str | None, ...] | None  # its identity (changes.Key): a fact's id; a figure's metric, period and speaker
    text: str  # a fact's text; a figure's label and value
    what: str  # for a changed one, which fields changed, briefly


@dataclass(frozen=True)
class SheetChanges:
    """One fact sheet's changes; unreadable: it does not load on a side, so it is not compared."""

    topic: str  # the sheet's file name without .yaml: the topic's id
    title: str
    changes: tuple[Change, ...]
    unreadable: bool = False

    def counts(self, kind: str) -> Counts:
        hows = [change.how for change in self.changes if change.kind == kind]
        return Counts(hows.count("added"), hows.count("removed"), hows.count("changed"))


def edition_tags(root: Path) -> tuple[Tag, ...]:
    """Every tag named edition-…, by name, with its commit; none without git or a repository."""
    listed = git_output(root, "for-each-ref", "--format=%(refname:strip=2) %(objecttype) %(objectname) %(*objecttype) %(*objectname)", f"refs/tags/{TAG_PREFIX}*")
    tags = []
    for line in (listed or b"").decode("utf-8", "replace").splitlines():
        name, kind, target, peeled_kind, peeled = (line.split(" ") + [""] * 5)[:5]  # ref names hold no spaces
        commit = target if kind == "commit" else peeled if peeled_kind == "commit" else None
        tags.append(Tag(name, commit))
    return tuple(tags)


def editions(tags: tuple[Tag, ...]) -> tuple[list[Edition], list[tuple[str, str]]]:
    """The tags that are editions, newest first, and each other one with what to do about it."""
    found, refused = [], []
    for tag in tags:
        day = _tag_date(tag.name)
        if day is None:
            refused.append((tag.name, "not named edition-YYYY-MM-DD with a real date: tag the commit again so, and delete this tag"))
        elif tag.commit is None:
            refused.append((tag.name, "names no commit: tag a commit instead"))
        else:
            found.append(Edition(tag.name, day, tag.commit))
    return sorted(found, key=lambda edition: edition.date, reverse=True), refused


def refused_tags(tags: tuple[Tag, ...]) -> tuple[ContentError, ...]:
    """A warning for each tag named edition-… that is no edition, as build reports them."""
    return tuple(ContentError(f"git tag {name}", 0, 0, why) for name, why in editions(tags)[1])


def _tag_date(name: str) -> date | None:
    match = EDITION_TAG.fullmatch(name)
    try:
        return date(*map(int, match.groups())) if match else None
    except ValueError:
        return None


def changes_page(root: Path, briefing: Briefing, tags: tuple[Tag, ...]) -> PageSpec:
    """The What changed page: each edition, newest first, with what changed since it, each item linking to where it now stands."""
    found, refused = editions(tags)
    cache = Cache.for_project(root, Cache.EDITIONS_PACK)
    since = [(edition, None, since_edition(root, edition, cache)) for edition in found[:1]]
    since += [(older, newer, between_editions(root, older, newer, cache)) for newer, older in zip(found, found[1:])]
    cache.save()
    places = _places(briefing)
    shown = [_edition_view(edition, newer, sheets, places) for edition, newer, sheets in since]
    return PageSpec("changes.md", "changes.md.j2", {"editions": shown, "refused": refused})


def since_edition(root: Path, edition: Edition, cache: Cache) -> tuple[SheetChanges, ...] | None:
    """What changed from the edition to the fact sheets in the working tree, as the build reads them; None when the
    repository does not hold the edition's commit."""
    tagged = _tagged_sheets(root, edition.commit)
    if tagged is None:
        return None
    current = {name: read_file(SHEETS_DIR, root / name, root).raw for name in _current_sheet_names(root)}
    differing = {name: raw for name, raw in current.items() if _object_id(raw, tagged.get(name)) != tagged.get(name)}
    differing.update({name: None for name in tagged.keys() - current.keys()})
    old_blobs = functools.cache(lambda: _blobs(root, [tagged[name] for name in differing if name in tagged]))

    def compared(name: str, raw: bytes | None) -> SheetChanges:
        old = tagged.get(name)
        new = _object_id(raw, old) if raw is not None else "absent" if name not in current else "unreadable"
        return cache.named(f"sheet {name} {old} {new}", lambda: _sheet(name, old_blobs().get(old, b"") if old else None, raw, name in current))

    return _shown(compared(name, raw) for name, raw in sorted(differing.items()))


def between_editions(root: Path, older: Edition, newer: Edition, cache: Cache) -> tuple[SheetChanges, ...] | None:
    """What changed from one edition to the next: never anything new, so kept by their commits; None (not kept) when
    the repository does not hold both commits."""

    def compared() -> tuple[SheetChanges, ...] | None:
        before, after = _tagged_sheets(root, older.commit), _tagged_sheets(root, newer.commit)
        if before is None or after is None:
            return None
        names = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
        blobs = _blobs(root, [sheets[name] for name in names for sheets in (before, after) if name in sheets])
        pairs = ((name, before.get(name), after.get(name)) for name in names)
        return _shown(_sheet(name, blobs.get(old, b"") if old else None, blobs.get(new, b"") if new else None, new is not None) for name, old, new in pairs)

    return cache.named(f"editions {older.commit} {newer.commit}", compared)


def _shown(sheets: Iterable[SheetChanges]) -> tuple[SheetChanges, ...]:
    """The sheets the page shows: those whose facts or figures changed, and those not compared."""
    return tuple(sheet for sheet in sheets if sheet.changes or sheet.unreadable)


def _sheet(name: str, before: bytes | None, after: bytes | None, present: bool) -> SheetChanges:
    """A sheet's changes (before or after None: absent on that side), none when only other fields changed: kept as
    such in the cache all the same, since a cached None reads as nothing kept."""
    old, new = _loaded(name, before), _loaded(name, after)
    title = _title(new) or _title(old) or Path(name).stem
    if (before is not None and old is None) or (present and new is None):
        return SheetChanges(Path(name).stem, title, (), unreadable=True)
    facts, figures = sheet_changes(old, new)
    changes = _changes("fact", facts, _fact_text) + _changes("figure", figures, _figure_text)
    return SheetChanges(Path(name).stem, title, changes)


def _loaded(name: str, raw: bytes | None) -> dict | None:
    if raw is None:
        return None
    document, _ = parse(ContentFile(SHEETS_DIR, Path(name), name, raw))
    return document.data if document is not None else None


def _title(data: dict | None) -> str | None:
    title = (data or {}).get("title")
    return title if isinstance(title, str) else None


def _changes(kind: str, items: ItemChanges, text) -> tuple[Change, ...]:
    added = [Change(kind, "added", key.names, text(item), "") for key, item in items.added]
    removed = [Change(kind, "removed", key.names, text(item), "") for key, item in items.removed]
    changed = [Change(kind, "changed", change.key.names, text(change.after), _what(change.before, change.after)) for change in items.changed]
    return tuple(added + removed + changed)


def _fact_text(fact: dict) -> str:
    return _plain(fact.get("text"))


def _figure_text(figure: dict) -> str:
    amount = " ".join(_plain(figure.get(field)) for field in ("qualifier", "value", "unit") if figure.get(field) is not None)
    period, said_by = figure.get("period"), figure.get("said_by")
    return f"{_plain(figure.get('label'))} ({_plain(period) if period else 'period not stated'}, according to {_plain(said_by)}): {amount}"


def _what(before: dict, after: dict) -> str:
    """The changed fields: a short value as old → new, a longer text by the words it lost (−) and gained (+), anything else
    (a list of citations) by its name alone."""
    shown = []
    for field in changed_fields(before, after):
        old, new = before.get(field), after.get(field)
        if all(isinstance(value, str | int | float | date | None) and len(str(value)) <= SHORT_VALUE for value in (old, new)):
            shown.append(f"{field}: {_plain(old) if old is not None else '(none)'} → {_plain(new) if new is not None else '(none)'}")
        elif isinstance(old, str) and isinstance(new, str):
            moved = (f"{'−' if how == 'removed' else '+'}“{_cut(words)}”" for how, words in word_changes(old, new) if how != "kept")
            shown.append(f"{field}: {' '.join(moved)}")
        else:
            shown.append(str(field))
    return "; ".join(shown)


def _cut(words: str) -> str:
    return words if len(words) <= SHORT_VALUE else words[: SHORT_VALUE - 1].rstrip() + "…"


def _plain(value: Any) -> str:
    if isinstance(value, bool):  # a YAML true or false, as a reader would say it (key: yes)
        return "yes" if value else "no"
    return value if isinstance(value, str) else str(value)


def _tagged_sheets(root: Path, commit: str) -> dict[str, str] | None:
    """The fact sheets the commit holds, by their path in the project, with their git object ids; None when git cannot
    read the commit (a shallow clone that fetched the tag alone)."""
    listed = git_output(root, "ls-tree", "-z", commit, "--", f"{SHEETS_DIR}/")
    if listed is None:
        return None
    sheets = {}
    for entry in listed.split(b"\0"):
        about, _, path = entry.partition(b"\t")
        mode, kind, object_id = (about.decode().split(" ") + ["", "", ""])[:3]
        name = path.decode("utf-8", "replace")
        # Regular files only: a link in an old commit is no sheet the build would have read.
        if kind == "blob" and mode != "120000" and name.endswith(SHEET_SUFFIX) and not Path(name).name.startswith("."):
            sheets[name] = object_id
    return sheets


def _current_sheet_names(root: Path) -> list[str]:
    folder = root / SHEETS_DIR
    names = sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []
    return [f"{SHEETS_DIR}/{name}" for name in names if name.endswith(SHEET_SUFFIX) and not name.startswith(".")]


def _object_id(raw: bytes | None, like: str | None) -> str | None:
    """The git object id bytes have, by the hash of the ids git gives (SHA-1, or SHA-256 for 64 digits)."""
    if raw is None:
        return None
    digest = hashlib.sha256 if like is not None and len(like) == 64 else hashlib.sha1
    return digest(b"blob %d\0" % len(raw) + raw).hexdigest()


def _blobs(root: Path, object_ids: list[str]) -> dict[str, bytes]:
    """The bytes of each git object, read in one run of git."""
    if not object_ids:
        return {}
    output = git_output(root, "cat-file", "--batch", given="".join(f"{oid}\n" for oid in object_ids).encode()) or b""
    blobs, at = {}, 0
    while at < len(output):
        header_end = output.index(b"\n", at)
        object_id, kind, size = (output[at:header_end].decode().split(" ") + ["", ""])[:3]
        if kind == "missing" or not size.isdigit():
            at = header_end + 1
            continue
        blobs[object_id] = output[header_end + 1 : header_end + 1 + int(size)]
        at = header_end + 1 + int(size) + 1
    return blobs


# --- as the page shows it ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    change: Change
    href: str | None  # where it now stands in the site; None when removed, or no longer in the briefing


@dataclass(frozen=True)
class TopicChanges:
    topic: str
    title: str
    items: tuple[Item, ...]
    unreadable: bool


@dataclass(frozen=True)
class EditionChanges:
    """An edition and what changed since it: to the next edition (newer), or to the content built now (newer None)."""

    edition: Edition
    newer: Edition | None
    topics: tuple[TopicChanges, ...]
    summary: str


def _places(briefing: Briefing) -> dict[tuple[str, tuple], str]:
    """Where each fact and figure now stands in the site, by its identity."""
    places = {("fact", (fact_id,)): fact_page(topic.id, fact_id) for fact_id, (topic, _) in briefing.facts_by_id.items()}
    for topic in briefing.topics:
        places.update({("figure", (figure.metric, figure.period, figure.said_by)): topic_page(topic.id) for figure in topic.sheet.figures})
    return places


def _edition_view(edition: Edition, newer: Edition | None, sheets: tuple[SheetChanges, ...] | None, places: dict) -> EditionChanges:
    if sheets is None:
        missing = "not compared: this copy of the repository does not hold the commit; fetch it (git fetch --tags; in CI, check out with fetch-depth: 0)."
        return EditionChanges(edition, newer, (), missing)
    topics = tuple(
        TopicChanges(sheet.topic, sheet.title, tuple(Item(change, places.get((change.kind, change.names)) if change.how != "removed" else None) for change in sheet.changes), sheet.unreadable)
        for sheet in sheets
    )
    facts = sum((sheet.counts("fact") for sheet in sheets), Counts())
    figures = sum((sheet.counts("figure") for sheet in sheets), Counts())
    told = [part for part in (_counted(facts, "fact"), _counted(figures, "figure")) if part]
    return EditionChanges(edition, newer, topics, "; ".join(told) + "." if told else "no facts or figures changed.")


def _counted(counts: Counts, noun: str) -> str:
    """"3 facts added, 1 changed": the noun on the first number, and only numbers that are not 0."""
    parts = [(number, how) for number, how in ((counts.added, "added"), (counts.removed, "removed"), (counts.changed, "changed")) if number]
    return ", ".join(f"{number} {noun}{'s' if number != 1 else ''} {how}" if index == 0 else f"{number} {how}" for index, (number, how) in enumerate(parts))
