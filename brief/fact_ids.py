"""Fact ids shared by two facts, reported at the fact an editor added rather than at the one already published.

Of the facts that share an id, the first one the last commit holds is kept, and each other one is
reported with where the kept one is. Without a commit to ask (no git, no repository), or when the
commit holds none of them, the first in file order is kept: sheets by name, facts as written.
"""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path

from .briefing import Topic
from .commit import committed_text
from .document import Loc, Located
from .errors import ContentError
from .yaml_hints import yaml_lines

Place = tuple[Located, Loc]


def duplicate_fact_ids(topics: list[tuple[Located, Topic]]) -> list[ContentError]:
    """An error at each fact whose id another fact has, but for the one kept (see the module's docstring)."""
    # Counted first: a place for each of 10,000 facts would be 20,000 objects made for nothing in nearly every run.
    counts = Counter(fact.id for _, topic in topics for fact in topic.sheet.facts)
    shared: dict[str, list[Place]] = {fact_id: [] for fact_id, count in counts.items() if count > 1}
    for doc, topic in topics:
        for index, fact in enumerate(topic.sheet.facts):
            if fact.id in shared:
                shared[fact.id].append((doc, ("facts", index, "id")))
    docs = {doc.path: doc for found in shared.values() for doc, _ in found}
    committed = {path: _committed_lines(doc) for path, doc in docs.items()}
    errors = []
    for fact_id, found in shared.items():
        kept = next((place for place in found if _is_committed(place, committed)), found[0])
        for doc, loc in found:
            if (doc, loc) != kept:
                errors.append(doc.error(loc, f"duplicate fact id {fact_id!r} (also at {kept[0].place(kept[1])}): make it unique"))
    return errors


def _is_committed(place: Place, committed: dict[Path, set[int] | None]) -> bool:
    doc, loc = place
    lines = committed[doc.path]
    return lines is not None and doc.where(loc)[0] in lines


def _committed_lines(doc: Located) -> set[int] | None:
    """The numbers of doc's lines the last commit holds as they are now; None when there is no commit to ask."""
    text = committed_text(doc.path)
    if text is None:
        return None
    before = yaml_lines(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))  # as load.decode reads it
    matcher = difflib.SequenceMatcher(None, before, yaml_lines(doc.text), autojunk=False)
    return {start + 1 + offset for _, start, size in matcher.get_matching_blocks() for offset in range(size)}
