"""Reading YAML: a document's data, with the line and column of every value found when an error needs one.

YAML is read with the YAML 1.2 core rules (only `true`/`false` are booleans,
dates stay text until the models parse them), so `no`, `on`, `NO`, `1:30` and
unquoted dates in text fields keep the text the editor typed. Every problem
becomes a ContentError; nothing here raises on bad content.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .errors import ContentError
from .yaml_hints import field_in_block, open_quote, yaml_lines

Loc = tuple[str | int, ...]
Position = tuple[int, int]

ALIAS_REFUSED = "anchors and aliases (&name, *name) are not supported: write the value out"
KEY_REFUSED = "a key must be a plain word such as `title:`"
MAX_DEPTH = 24


# libyaml's parser when PyYAML has it: it reads a well-formed file many times faster than the pure-Python one.
_FAST_LOADER = yaml.CBaseLoader if yaml.__with_libyaml__ else yaml.BaseLoader

_STR = "tag:yaml.org,2002:str"
_SCALARS = {
    _STR: str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": lambda text: text.lower() == "true",
    "tag:yaml.org,2002:null": lambda text: None,
}
_COLLECTION_TAGS = {yaml.MappingStartEvent: "tag:yaml.org,2002:map", yaml.SequenceStartEvent: "tag:yaml.org,2002:seq"}
_NON_SPECIFIC = (None, "!")

# The YAML 1.2 core schema: only these plain scalars are other than text (YAML 1.1 also reads yes, on, 1:30...).
_CORE_WORDS = {
    **dict.fromkeys(["~", "null", "Null", "NULL", ""], "tag:yaml.org,2002:null"),
    **dict.fromkeys(["true", "True", "TRUE", "false", "False", "FALSE"], "tag:yaml.org,2002:bool"),
}
_CORE_NUMBER = re.compile(r"(?P<int>[-+]?[0-9]+)|(?P<float>[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)")
_NUMBER_FIRST = frozenset("-+.0123456789")


def _scalar_tag(event: yaml.ScalarEvent) -> str:
    """The scalar's tag: as written, or for a plain (unquoted, untagged) scalar, the YAML 1.2 core schema's."""
    if event.tag not in _NON_SPECIFIC:
        return event.tag
    if not event.implicit[0]:
        return _STR
    text = event.value
    word = _CORE_WORDS.get(text)
    if word is not None:
        return word
    number = text[0] in _NUMBER_FIRST and _CORE_NUMBER.fullmatch(text)
    return f"tag:yaml.org,2002:{number.lastgroup}" if number else _STR


class Positions:
    """Where each value and key of a document is, by location.

    Only a problem needs them, and most runs have none: they are found on first use by
    reading the document's text again, which keeps them out of the reading every run does
    and out of the cache, which holds the text instead.
    """

    __slots__ = ("_text", "_line_offset", "_tables")

    def __init__(self, text: str, line_offset: int):
        self._text = text
        self._line_offset = line_offset
        self._tables: tuple[dict[Loc, Position], dict[Loc, Position]] | None = None

    @property
    def text(self) -> str:
        return self._text

    @property
    def tables(self) -> tuple[dict[Loc, Position], dict[Loc, Position]]:
        if self._tables is None:
            self._tables = _read(self._text, "", self._line_offset, record=True).tables
        return self._tables

    def __getstate__(self) -> tuple[str, int]:
        return self._text, self._line_offset

    def __setstate__(self, state: tuple[str, int]) -> None:
        self._text, self._line_offset = state
        self._tables = None


@dataclass(frozen=True)
class Located:
    """A YAML file's name and where each of its values and keys is: what a message about it needs."""

    path: Path
    name: str  # the path as shown in messages
    positions: Positions = field(repr=False, compare=False)

    @property
    def text(self) -> str:
        """The text the document was read from (a source's front matter alone)."""
        return self.positions.text

    @property
    def values(self) -> dict[Loc, Position]:
        return self.positions.tables[0]

    @property
    def keys(self) -> dict[Loc, Position]:
        return self.positions.tables[1]

    def where(self, loc: Loc, *, key: bool = False) -> Position:
        """The position of the value (or its key) at loc, else of its nearest located parent."""
        table = self.keys if key else self.values
        for end in range(len(loc), -1, -1):
            if loc[:end] in table:
                return table[loc[:end]]
            if key and loc[:end] in self.values:
                return self.values[loc[:end]]
        return (1, 1)

    def place(self, loc: Loc) -> str:
        """file:line:col of the value at loc, for a message that points to a second place."""
        line, col = self.where(loc)
        return f"{self.name}:{line}:{col}"

    def error(self, loc: Loc, message: str, *, key: bool = False) -> ContentError:
        line, col = self.where(loc, key=key)
        return ContentError(self.name, line, col, message)


@dataclass(frozen=True)
class Document(Located):
    """A parsed YAML mapping, with where each value and key is."""

    data: dict[str, Any]

    def located(self) -> Located:
        """The document without its data: once its model is made, what is left to say about it is where things are."""
        return Located(self.path, self.name, self.positions)


class _TooDeep(Exception):
    """Reading stops at the first value nested past MAX_DEPTH."""


class Reader:
    """One document's YAML events read into plain data, with its problems and, when asked
    to record them, where each value and key is (see Positions).

    It reads events, not a composed node tree: nothing is built but the data, no tag is
    resolved but by the core schema's patterns, and reading stops at the first value
    nested past MAX_DEPTH, so no input can exhaust the stack.
    """

    def __init__(self, name: str, text: str, line_offset: int, record: bool, loader: type[yaml.BaseLoader]):
        self.name = name
        self.text = text
        self.line_offset = line_offset
        self.tables: tuple[dict[Loc, Position], dict[Loc, Position]] | None = ({}, {}) if record else None
        self.escapes = "\\" in text  # a backslash is the only way to a control character here
        self.errors: list[ContentError] = []
        self.first: yaml.Event | None = None  # of the stream's one document; None for a stream with none
        self.data: Any = None
        parser = loader(text)
        self.next_event = parser.get_event
        try:
            self.stream()
        except _TooDeep:
            pass  # reading on would only cost time: PyYAML's scanner slows with each level open
        finally:
            parser.dispose()

    @functools.cached_property
    def lines(self) -> list[str]:
        return yaml_lines(self.text)

    def position(self, event: yaml.Event) -> Position:
        return (event.start_mark.line + 1 + self.line_offset, event.start_mark.column + 1)

    def fail(self, event: yaml.Event, message: str) -> None:
        line, col = self.position(event)
        self.errors.append(ContentError(self.name, line, col, message))

    def stream(self) -> None:
        event = self.next_event()
        while type(event) is not yaml.StreamEndEvent:
            if type(event) is yaml.DocumentStartEvent:
                if self.first is not None:
                    raise yaml.composer.ComposerError(
                        "expected a single document in the stream", self.first.start_mark, "but found another document", event.start_mark
                    )
                self.first = self.next_event()
                self.data = self.value(self.first, 0, ())
            event = self.next_event()

    def value(self, event: yaml.Event, depth: int, loc: Loc) -> Any:
        kind = type(event)
        if kind is yaml.AliasEvent:
            # Refused as it comes, before anything could expand it: an alias bomb ("billion laughs") cannot grow.
            raise yaml.composer.ComposerError(None, None, ALIAS_REFUSED, event.start_mark)
        if depth > MAX_DEPTH:
            self.too_deep(event)
        if self.tables is not None:
            self.tables[0][loc] = self.position(event)
        if kind is yaml.ScalarEvent:
            return self.scalar(event)
        if event.tag not in _NON_SPECIFIC and event.tag != _COLLECTION_TAGS[kind]:
            # A tag such as !!python/object or !!set on a list or mapping would otherwise pass unnoticed.
            self.fail(event, f"YAML tag {event.tag!r} is not supported: remove it")
            self.skip(event, depth)
            return None
        if kind is yaml.MappingStartEvent:
            return self.mapping(depth, loc)
        items: list[Any] = []
        item = self.next_event()
        while type(item) is not yaml.SequenceEndEvent:
            items.append(self.value(item, depth + 1, loc + (len(items),)))
            item = self.next_event()
        return items

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = _scalar_tag(event)
        refused = self.escapes and REFUSED_CHARACTER.search(event.value)
        if refused:
            # Only a double-quoted escape such as "\\x07" or "\\u202E" can put one here; load.decode refuses raw ones.
            self.fail(event, f"the escape for U+{ord(refused.group()):04X}, {character_kind(refused.group())}, is not allowed: remove it")
            return None
        if tag == _STR:
            return event.value
        convert = _SCALARS.get(tag)
        if convert is None:
            self.fail(event, f"YAML tag {tag!r} is not supported: remove it")
            return None
        try:
            return convert(event.value)
        except ValueError:  # Python refuses to read integers of more than 4,300 digits
            self.fail(event, "number too long to read: write a shorter number")
            return None

    def mapping(self, depth: int, loc: Loc) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_keys: dict[str, yaml.Event] = {}
        key_event = self.next_event()
        while type(key_event) is not yaml.MappingEndEvent:
            key = self.key(key_event, depth + 1, first_keys)
            value_event = self.next_event()
            if key is None:
                self.skip(value_event, depth + 1)
            else:
                first_keys[key] = key_event
                if self.tables is not None:
                    self.tables[1][loc + (key,)] = self.position(key_event)
                if type(value_event) is yaml.ScalarEvent and value_event.style in ("|", ">"):
                    self.refuse_field_in_block(key_event, value_event)
                result[key] = self.value(value_event, depth + 1, loc + (key,))
            key_event = self.next_event()
        return result

    def key(self, event: yaml.Event, depth: int, first_keys: dict[str, yaml.Event]) -> str | None:
        """The key's text, or None when the key is refused (its value is then skipped)."""
        if type(event) is not yaml.ScalarEvent:
            self.fail(event, KEY_REFUSED)
            self.skip(event, depth)
            return None
        tag = _scalar_tag(event)
        if tag == "tag:yaml.org,2002:merge" or (event.value == "<<" and not event.style):
            # The YAML 1.2 core schema reads a plain << as text; YAML 1.1 tools would merge, so refuse it.
            self.fail(event, "merge keys (<<) are not supported: write the fields out")
            return None
        if tag != _STR:
            self.fail(event, KEY_REFUSED)
            return None
        if event.value in first_keys:
            first_line, _ = self.position(first_keys[event.value])
            self.fail(event, f"duplicate key {event.value!r} (first at line {first_line}): keep one")
            return None
        return event.value

    def skip(self, event: yaml.Event, depth: int) -> None:
        """Read past the rest of the value that event starts, at depth, without recursing."""
        open_collections = int(isinstance(event, yaml.CollectionStartEvent))
        while open_collections:
            event = self.next_event()
            if isinstance(event, yaml.CollectionEndEvent):
                open_collections -= 1
                continue
            if depth + open_collections > MAX_DEPTH:  # the depth of this value, a child of the innermost one open
                self.too_deep(event)
            if isinstance(event, yaml.CollectionStartEvent):
                open_collections += 1

    def too_deep(self, event: yaml.Event) -> NoReturn:
        self.fail(event, f"nested more than {MAX_DEPTH} levels deep, deeper than any fact sheet: remove the extra nesting")
        raise _TooDeep

    def refuse_field_in_block(self, key: yaml.ScalarEvent, block: yaml.ScalarEvent) -> None:
        # A field indented too deep under `text: >-` is read as text, and would only show as a field missing.
        found = field_in_block(self.lines, key, block)
        if found:
            line, col, message = found
            self.errors.append(ContentError(self.name, line + 1 + self.line_offset, col + 1, message))


def _read(text: str, name: str, line_offset: int, *, record: bool = False) -> Reader:
    """The document read; a yaml.YAMLError raised here always carries PyYAML's own message and marks.

    libyaml reads first, many times faster; a file it cannot read is read again by the pure-Python parser.
    """
    if _FAST_LOADER is not yaml.BaseLoader:
        try:
            return Reader(name, text, line_offset, record, _FAST_LOADER)
        except yaml.YAMLError:
            pass
    return Reader(name, text, line_offset, record, yaml.BaseLoader)


def parse_yaml(text: str, name: str, path: Path, line_offset: int = 0) -> tuple[Document | None, list[ContentError]]:
    """Parse one YAML mapping; return it, or None and the errors."""
    try:
        read = _read(text, name, line_offset)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, text, name, line_offset)]
    except yaml.reader.ReaderError as exc:
        line, col = line_col(text, exc.position)
        message = f"character U+{exc.character:04X} is not allowed in YAML: delete it"
        return None, [ContentError(name, line + line_offset, col, message)]
    except yaml.YAMLError as exc:
        return None, [ContentError(name, 1 + line_offset, 1, f"YAML syntax: {exc}: check the quotes, brackets and indentation")]
    first, errors = read.first, read.errors
    if first is None:
        return None, [ContentError(name, 1 + line_offset, 1, "no content: write the fields, starting with `title:`")]
    if type(first) is not yaml.MappingStartEvent:
        line, col = first.start_mark.line + 1 + line_offset, first.start_mark.column + 1
        errors.append(ContentError(name, line, col, "expected fields at the top level: write `key: value` lines, starting with `title:`"))
    if errors:
        return None, errors
    return Document(path, name, Positions(text, line_offset), read.data), []


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, name: str, line_offset: int) -> ContentError:
    """The parse error at the place to fix: where a quote left open starts, else where PyYAML gave up."""
    quote = open_quote(exc, text, line_offset)
    if quote is not None:
        mark, message = quote
        return ContentError(name, mark.line + 1 + line_offset, mark.column + 1, f"YAML syntax: {message}")
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
    problem = _yaml_problem(exc, line_offset)
    return ContentError(name, line, col, problem if problem == ALIAS_REFUSED else f"YAML syntax: {problem}")


# PyYAML says what it expected; these say what the editor most likely has to change.
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "a `: ` inside a value starts a new field: put the whole value in quotes"),
    ("could not find expected ':'", "write each line as `key: value` or `- item`, or put the text in quotes"),
    ("unknown escape character", "a backslash in double quotes starts an escape: write \\\\ or use single quotes"),
    ("expected <block end>", "check the indentation: the fields of one item line up under each other"),
    ("did not find expected", "check the indentation: the fields of one item line up under each other"),
    ("cannot start any token", "put the value in quotes"),
    ("but found another document", "a `---` line starts a second document: a fact sheet is one, so remove it"),
)


def _yaml_problem(exc: yaml.MarkedYAMLError, line_offset: int) -> str:
    problem = exc.problem or exc.context or "cannot parse"
    if "'\\t'" in problem:
        return "a tab character cannot indent YAML: indent with spaces"
    if problem == ALIAS_REFUSED:
        return problem
    hint = next((hint for known, hint in _SYNTAX_HINTS if known in problem), "check the quotes, brackets and indentation here")
    if exc.context and exc.context_mark and exc.problem:
        # PyYAML marks where it gave up; the construct left open is often the real mistake.
        start = exc.context_mark
        problem += f" ({exc.context} that starts at line {start.line + 1 + line_offset}, col {start.column + 1})"
    return f"{problem}: {hint}"


# C0 and C1 controls other than tab and line ends: invisible in an editor, invalid in HTML, often mojibake.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Bidirectional controls (U+202A-U+202E, U+2066-U+2069, the LRM, RLM and Arabic letter marks): invisible,
# they reorder the text around them, so a quote or an address could read other than it is written.
_BIDI_CONTROLS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
REFUSED_CHARACTER = re.compile(f"[{_CONTROLS}{_BIDI_CONTROLS}]")
_BIDI_CONTROL = re.compile(f"[{_BIDI_CONTROLS}]")


def character_kind(char: str) -> str:
    """What a character REFUSED_CHARACTER finds is, as an editor is told."""
    if _BIDI_CONTROL.match(char):
        return "an invisible bidirectional control, which reorders the text around it"
    return "an invisible control character"


def line_col(text: str, index: int) -> Position:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


