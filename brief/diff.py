"""The reviewer's report: what changed in the facts and sources between two git revisions, as Markdown.

Each side is read by `diff_sides` the way `check` reads a project; the report
says whether every quote on the HEAD side is found in its source.

A changed text, summary, note or label is shown word by word; each added or
changed figure says whether its quotes state its value, by check's own rule.

A side that fails validation is still compared as far as its files load: a
reviewer needs to see what a broken pull request changes as much as a good one.
A file that does not load at all (a YAML syntax error) is named, and its facts
are not reported as removed.

The report is deterministic (everything sorted) and capped below the 1 MiB
GitHub accepts for a job summary. Content text in it notifies no one and links
no issue: a word holding an @mention or an issue reference is shown as code.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

from . import report_markdown as md
from .changes import Counts, ItemChanges, Key, changed_fields, item_changes, sheet_changes, term_key, word_changes
from .diff_sides import RevisionError, Side, read_side
from .load import GLOSSARY_FILE, SHEETS_DIR, SOURCES_DIR
from .numbers import figure_problem, stating_amount
from .quotes import SourceText, normalize

# Importers use this module alone; diff_sides is where the sides are read, not a second door.
__all__ = ["RevisionError", "Side", "diff_report", "read_side"]

# GitHub refuses a step summary over 1 MiB; leave room for whatever else the step writes.
MAX_REPORT_BYTES = 1_000_000
MAX_PROBLEMS_LISTED = 200
SHEET_FIELDS_SHOWN_AS_ITEMS = ("facts", "figures")
# Prose fields: a changed one is shown word by word, since a reviewer looks for the few words that moved.
WORD_DIFF_FIELDS = ("text", "summary", "note", "label")


def diff_report(root: Path, base: str, head: str | None = None) -> str:
    """The Markdown report of content changes from base to head (a revision, or None for the working tree)."""
    old = read_side(root, base)
    new = read_side(root, head)
    lines = [f"## Content changes: {old.label} → {new.label}", ""]
    lines += _verification(new, old)
    topic_lines, facts, figures = _topics(old, new)
    glossary_lines, terms = _glossary(old, new)
    source_lines, sources = _sources(old, new)
    if topic_lines or glossary_lines or source_lines:
        summary = f"Facts: {facts}. Figures: {figures}. Sources: {sources}."
        summary += f" Glossary terms: {terms}." if glossary_lines else ""
    else:
        summary = "No fact sheets, sources or glossary terms changed."
    lines += [summary, ""]
    lines += topic_lines + glossary_lines + source_lines
    return md.capped(lines, MAX_REPORT_BYTES)


# --- verification -------------------------------------------------------------------------------


def _verification(new: Side, old: Side) -> list[str]:
    if not new.problems:
        return [f"✅ **Verified:** `check` passes on {new.label}; every quote is found in its source.", ""]
    shown = new.problems[:MAX_PROBLEMS_LISTED]
    lines = [f"❌ **Not verified:** `check` finds {len(new.problems)} problem(s) on {new.label}:", ""]
    lines += [f"- {md.code(str(problem))}" for problem in shown]
    if len(new.problems) > len(shown):
        lines.append(f"- … and {len(new.problems) - len(shown)} more: run `python build.py check`")
    lines.append("")
    if old.problems:
        lines += [f"_{old.label} had {len(old.problems)} problem(s) of its own; it is compared as far as its files load._", ""]
    return lines


# --- topics -------------------------------------------------------------------------------------


def _topics(old: Side, new: Side) -> tuple[list[str], Counts, Counts]:
    """Every fact sheet's section, with the facts and the figures counted."""
    old_sheets, new_sheets = old.sheets(), new.sheets()
    texts = new.texts()
    lines: list[str] = []
    facts = figures = Counts()
    for name in sorted(old.files | new.files):
        if name.startswith(SHEETS_DIR + "/"):
            section, fact_counts, figure_counts = _topic(name, old, new, old_sheets.get(name), new_sheets.get(name), texts)
            lines += section
            facts, figures = facts + fact_counts, figures + figure_counts
    return lines, facts, figures


def _topic(
    name: str, old: Side, new: Side, before: dict | None, after: dict | None, texts: dict[str, SourceText]
) -> tuple[list[str], Counts, Counts]:
    title = (after or before or {}).get("title")
    heading = f"### {md.text(title if isinstance(title, str) else Path(name).stem)} ({md.code(name)})"
    unreadable = [side.label for side, data in ((old, before), (new, after)) if name in side.files and data is None]
    if unreadable:
        return [heading, "", f"Not compared: the file does not load on {' and '.join(unreadable)} (see the problems above).", ""], Counts(), Counts()
    status = " — new topic" if name not in old.files else " — topic removed" if name not in new.files else ""
    facts, figures = sheet_changes(before, after)
    fact_lines, fact_counts = _items("facts", facts, _fact_label, _describe_fact, texts)
    figure_lines, figure_counts = _items("figures", figures, _figure_label, _describe_figure, texts, _figure_now)
    body = _sheet_fields(before or {}, after or {}) + fact_lines + figure_lines
    return ([heading + status, "", *body] if body else []), fact_counts, figure_counts


def _sheet_fields(before: dict, after: dict) -> list[str]:
    """Title, summary, as_of and order: what a new sheet says, or how a kept one changed."""
    before, after = (_without_items(data) for data in (before, after))
    if not before:
        fields = [f"- {md.code(field)}: {md.quoted(after[field])}" for field in sorted(after)]
        return ["**Sheet**", "", *fields, ""] if fields else []
    changes = _field_changes(before, after, texts={})
    return ["**Sheet fields changed**", "", *changes, ""] if changes and after else []


def _without_items(sheet: dict) -> dict:
    return {key: value for key, value in sheet.items() if key not in SHEET_FIELDS_SHOWN_AS_ITEMS}


def _label(key: Key, named: Callable[..., str], unnamed: str) -> str:
    """An item as the report names it: by its names, or its position when it has none; a repeated one with its position too."""
    if key.names is None:
        return unnamed.format(key.position)
    return named(*key.names) + (f" (item {key.position})" if key.position else "")


def _fact_label(key: Key) -> str:
    return _label(key, md.code, "fact {} (no id)")


def _figure_label(key: Key) -> str:
    def named(metric: str, period: str | None, said_by: str | None) -> str:
        return f"{md.code(metric)} ({md.text(period) if period else 'period not stated'}, according to {md.text(said_by or 'nobody named')})"

    return _label(key, named, "figure {}")


def _items(kind: str, changes: ItemChanges, label: Callable[[Key], str], describe, texts, now=None) -> tuple[list[str], Counts]:
    """Items added, removed and changed, each kind sorted by label; now, if given, adds lines on what a changed item has become."""
    lines: list[str] = []
    added = sorted(((label(key), item) for key, item in changes.added), key=itemgetter(0))
    removed = sorted(((label(key), item) for key, item in changes.removed), key=itemgetter(0))
    changed = sorted(((label(change.key), change) for change in changes.changed), key=itemgetter(0))
    if added:
        lines += [f"**{kind.capitalize()} added ({len(added)})**", ""]
        lines += [line for name, item in added for line in describe(name, item, texts)] + [""]
    if removed:
        lines += [f"**{kind.capitalize()} removed ({len(removed)})**", ""]
        lines += [line for name, item in removed for line in describe(name, item, None)] + [""]
    if changed:
        lines += [f"**{kind.capitalize()} changed ({len(changed)})**", ""]
        for name, change in changed:
            after = change.after
            lines += [f"- {name}", *("  " + line for line in _field_changes(change.before, after, texts)), *(now(after, texts) if now else [])]
        lines.append("")
    return lines, changes.counts


def _describe_fact(key: str, fact: dict, texts: dict[str, SourceText] | None) -> list[str]:
    when = md.plain(fact.get("date")) if fact.get("date") is not None else "undated"
    head = f"- {key} · {when} · {md.plain(fact.get('status'))} · said by {md.plain(fact.get('said_by'))}: {md.quoted(fact.get('text'))}"
    return [head, *_citation_lines(fact.get("cite"), texts)]


def _describe_figure(key: str, figure: dict, texts: dict[str, SourceText] | None) -> list[str]:
    head = f"- {key}: {_amount(figure)} — {md.quoted(figure.get('label'))}"
    return [head, *_citation_lines(figure.get("cite"), texts), *(_number_stated(figure) if texts is not None else [])]


def _figure_now(figure: dict, texts: dict[str, SourceText]) -> list[str]:
    """A changed figure as it now stands: its amount, each quote, and whether they state it."""
    quotes = [f"    - {_citation(citation, texts)}" for citation in _citations(figure.get("cite"))]
    return [f"  - now: {_amount(figure)}, quoting:", *quotes, *_number_stated(figure)]


def _amount(figure: dict) -> str:
    """qualifier value unit, as the figure gives them."""
    return " ".join(md.plain(figure.get(field)) for field in ("qualifier", "value", "unit") if figure.get(field) is not None)


def _number_stated(figure: dict) -> list[str]:
    """Whether the figure's quotes state its value, by the rule check applies; nothing when the figure is too broken to ask."""
    value, unit, qualifier = figure.get("value"), figure.get("unit"), figure.get("qualifier")
    quotes = [citation.get("quote") for citation in _citations(figure.get("cite"))]
    readable = _finite_number(value) and isinstance(unit, str) and isinstance(qualifier, str | None)
    if not readable or not all(isinstance(quote, str) for quote in quotes):
        return []
    stated = stating_amount(value, unit, qualifier, quotes)
    if stated is not None:
        return [f'  - ✅ number stated: "{md.text(stated.written)}"']
    return [f"  - ❌ number not stated: {md.text(figure_problem(value, unit, qualifier, quotes) or '')}"]


def _finite_number(value: Any) -> bool:
    """A value check could compare: a side that fails validation may hold true, text, or 10**400."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _citation_lines(cite: Any, texts: dict[str, SourceText] | None) -> list[str]:
    return [f"  - {_citation(citation, texts)}" for citation in _citations(cite)]


def _citations(cite: Any) -> list[dict]:
    return [c for c in cite if isinstance(c, dict)] if isinstance(cite, list) else []


def _citation(citation: dict, texts: dict[str, SourceText] | None) -> str:
    """A citation as `source`: “quote”, marked found or not in the new side's source (texts None: not checked)."""
    source, quote = citation.get("source"), citation.get("quote")
    shown = f"{md.code(source)}: {md.quoted(quote)}"
    if texts is None:
        return shown
    if not isinstance(source, str) or not isinstance(quote, str):
        return f"❌ {shown} (not a source id and a quote)"
    if source not in texts:
        return f"❌ {shown} (no readable source {md.code(source)})"
    if texts[source].find(quote) is None:
        return f"❌ {shown} (quote not found in the source)"
    return f"✅ {shown}"


def _field_changes(before: dict, after: dict, texts: dict[str, SourceText]) -> list[str]:
    """One line per field whose value differs: `field`: old → new; citations as added and removed."""
    lines = []
    for field in changed_fields(before, after):
        old, new = before.get(field), after.get(field)
        if field == "cite":
            lines += _citation_changes(old, new, texts)
        elif field == "summary" and _sentences(old) is not None and _sentences(new) is not None:
            lines += _summary_changes(*_sentences(old), *_sentences(new))  # type: ignore[misc]
        elif field in WORD_DIFF_FIELDS and isinstance(old, str) and isinstance(new, str):
            lines.append(f"- {md.code(field)}: {_word_changes(old, new)}")
        else:
            lines.append(f"- {md.code(field)}: {_shown(field, before, old)} → {_shown(field, after, new)}")
    return lines


def _sentences(value: Any) -> tuple[str, list[str]] | None:
    """A summary's sentences as one text and the fact ids they rest on, or None when it is not that shape."""
    if not isinstance(value, list) or not all(isinstance(item, dict) and isinstance(item.get("text"), str) for item in value):
        return None
    return " ".join(item["text"] for item in value), [str(fact) for item in value for fact in (item.get("based_on") or [])]


def _summary_changes(old_text: str, old_facts: list[str], new_text: str, new_facts: list[str]) -> list[str]:
    """A summary's sentences word by word, as one text, and the facts it rests on added and removed."""
    lines = [f"- {md.code('summary')}: {_word_changes(old_text, new_text)}"] if old_text != new_text else []
    lines += [f"- {md.code('summary')} now rests on {md.code(fact)}" for fact in dict.fromkeys(new_facts) if fact not in old_facts]
    lines += [f"- {md.code('summary')} no longer rests on {md.code(fact)}" for fact in dict.fromkeys(old_facts) if fact not in new_facts]
    return lines


def _citation_changes(old: Any, new: Any, texts: dict[str, SourceText]) -> list[str]:
    def identity(citation: dict) -> tuple[str, str]:
        return (str(citation.get("source")), normalize(str(citation.get("quote"))))

    before = {identity(c): c for c in _citations(old)}
    after = {identity(c): c for c in _citations(new)}
    lines = [f"- citation added: {_citation(after[key], texts)}" for key in sorted(after.keys() - before.keys())]
    lines += [f"- citation removed: {_citation(before[key], None)}" for key in sorted(before.keys() - after.keys())]
    return lines or ["- `cite`: reworded, same quotes after normalising"]


def _word_changes(old: str, new: str) -> str:
    """The new text with the words removed ~~struck~~ and the words inserted in **bold**."""
    marks = {"kept": "", "removed": "~~", "added": "**"}
    return " ".join(f"{marks[how]}{md.text(words)}{marks[how]}" for how, words in word_changes(old, new))


def _shown(field: str, data: dict, value: Any) -> str:
    return md.quoted(value) if field in data else "_(absent)_"


# --- glossary -----------------------------------------------------------------------------------


def _glossary(old: Side, new: Side) -> tuple[list[str], Counts]:
    """Glossary terms added, removed and changed; their definitions cite sources like facts do."""
    heading = f"### Glossary (`{GLOSSARY_FILE}`)"
    unreadable = [side.label for side in (old, new) if GLOSSARY_FILE in side.files and side.glossary is None]
    if unreadable:
        return [heading, "", f"Not compared: the file does not load on {' and '.join(unreadable)} (see the problems above).", ""], Counts()
    changes = item_changes(_terms(old), _terms(new), term_key)
    lines, counts = _items("terms", changes, _term_label, _describe_term, new.texts())
    return ([heading, "", *lines] if lines else []), counts


def _terms(side: Side) -> Any:
    return side.glossary.data.get("terms") if side.glossary is not None else None


def _term_label(key: Key) -> str:
    return _label(key, lambda name: f"“{md.text(name)}”", "term {}")


def _describe_term(key: str, term: dict, texts: dict[str, SourceText] | None) -> list[str]:
    return [f"- {key}: {md.quoted(term.get('definition'))}", *_citation_lines(term.get("cite"), texts)]


# --- sources ------------------------------------------------------------------------------------


def _sources(old: Side, new: Side) -> tuple[list[str], Counts]:
    before, after = old.sources(), new.sources()
    old_names, new_names = _source_files(old), _source_files(new)
    added, removed = sorted(new_names - old_names), sorted(old_names - new_names)
    changed = {}
    for name in sorted(old_names & new_names):
        changes = _source_changes(before.get(Path(name).stem), after.get(Path(name).stem))
        if changes:
            changed[name] = changes
    lines: list[str] = []
    if added:
        lines += [f"**Sources added ({len(added)})**", ""]
        lines += [_source_line(name, after.get(Path(name).stem)) for name in added] + [""]
    if removed:
        lines += [f"**Sources removed ({len(removed)})**", ""]
        lines += [_source_line(name, before.get(Path(name).stem)) for name in removed] + [""]
    if changed:
        lines += [f"**Sources changed ({len(changed)})**", ""]
        for name, changes in changed.items():
            lines += [f"- {md.code(name)}", *("  " + change for change in changes)]
        lines.append("")
    counts = Counts(len(added), len(removed), len(changed))
    return (["### Sources", "", *lines] if lines else []), counts


def _source_files(side: Side) -> set[str]:
    return {name for name in side.files if name.startswith(SOURCES_DIR + "/")}


def _source_line(name: str, source: tuple[dict, str] | None) -> str:
    if source is None:
        return f"- {md.code(name)} (does not load; see the problems above)"
    front, _ = source
    known = [md.plain(front.get(field)) for field in ("publisher", "published", "url") if front.get(field) is not None]
    return f"- {md.code(name)}: {md.quoted(front.get('title') or 'untitled')}" + (f" — {', '.join(known)}" if known else "")


def _source_changes(before: tuple[dict, str] | None, after: tuple[dict, str] | None) -> list[str]:
    if before is None or after is None:
        return [] if before is after else ["- does not load on one side; see the problems above"]
    lines = _field_changes(before[0], after[0], texts={})
    old_lines, new_lines = before[1].splitlines(), after[1].splitlines()
    if old_lines != new_lines:
        gone, came = _line_changes(old_lines, new_lines)
        lines.append(f"- text changed: {came} line(s) added, {gone} removed; quotes are checked against the new text")
    return lines


def _line_changes(old: list[str], new: list[str]) -> tuple[int, int]:
    gone = came = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            gone += i2 - i1
            came += j2 - j1
    return gone, came
