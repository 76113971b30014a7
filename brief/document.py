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
from typing import Any

import yaml

from .errors import ContentError
from .yaml_hints import field_in_block, open_quote, yaml_lines

Loc = tuple[str | int, ...]
Position = tuple[int, int]

ALIAS_REFUSED = "anchors and aliases (&name, *name) are not supported: write the value out"
MAX_DEPTH = 24


class CoreLoader(yaml.BaseLoader):
    """Resolves plain scalars by the YAML 1.2 core schema, added to BaseLoader's, which resolves none."""


class _LibyamlLoader(yaml.CBaseLoader if yaml.__with_libyaml__ else yaml.BaseLoader):
    """libyaml's parser with the same YAML 1.2 core resolvers; see compose_with_libyaml."""


# The YAML 1.2 core schema: only these plain scalars are other than text (YAML 1.1 also reads yes, on, 1:30...).
_CORE_SCALARS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$", "-+.0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]
for _loader in (CoreLoader, _LibyamlLoader):
    for _tag, _pattern, _first in _CORE_SCALARS:
        _loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_SCALARS = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": lambda text: text.lower() == "true",
    "tag:yaml.org,2002:null": lambda text: None,
}


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
            values: dict[Loc, Position] = {}
            keys: dict[Loc, Position] = {}
            _record_positions(_composed(self._text), (), self._line_offset, values, keys)
            self._tables = (values, keys)
        return self._tables

    def __getstate__(self) -> tuple[str, int]:
        return self._text, self._line_offset

    def __setstate__(self, state: tuple[str, int]) -> None:
        self._text, self._line_offset = state
        self._tables = None


def _record_positions(node: yaml.Node, loc: Loc, line_offset: int, values: dict[Loc, Position], keys: dict[Loc, Position]) -> None:
    """The line and column of node and of everything in it, by location.

    Only for a document _Walk accepted: no tags, no merge keys, no duplicate keys, no deep nesting.
    """
    values[loc] = (node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            keys[loc + (key_node.value,)] = (key_node.start_mark.line + 1 + line_offset, key_node.start_mark.column + 1)
            _record_positions(value_node, loc + (key_node.value,), line_offset, values, keys)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_positions(item, loc + (index,), line_offset, values, keys)


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


class _Walk:
    """Turns a composed YAML node tree into plain data, recording problems (positions are found later, see Positions)."""

    def __init__(self, name: str, text: str, line_offset: int):
        self.name = name
        self.text = text
        self.line_offset = line_offset
        self.escapes = "\\" in text  # a backslash is the only way to a control character here
        self.errors: list[ContentError] = []

    @functools.cached_property
    def lines(self) -> list[str]:
        return yaml_lines(self.text)

    def position(self, node: yaml.Node) -> Position:
        return (node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1)

    def fail(self, node: yaml.Node, message: str) -> None:
        line, col = self.position(node)
        self.errors.append(ContentError(self.name, line, col, message))

    def value(self, node: yaml.Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.fail(node, f"nested more than {MAX_DEPTH} levels deep, deeper than any fact sheet: remove the extra nesting")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if node.tag not in _COLLECTIONS:
            # A tag such as !!python/object or !!set on a list or mapping would otherwise pass unnoticed.
            self.fail(node, f"YAML tag {node.tag!r} is not supported: remove it")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        return [self.value(item, depth + 1) for item in node.value]

    def scalar(self, node: yaml.ScalarNode) -> Any:
        convert = _SCALARS.get(node.tag)
        if convert is None:
            self.fail(node, f"YAML tag {node.tag!r} is not supported: remove it")
            return None
        refused = self.escapes and REFUSED_CHARACTER.search(node.value)
        if refused:
            # Only a double-quoted escape such as "\\x07" or "\\u202E" can put one here; load.decode refuses raw ones.
            self.fail(node, f"the escape for U+{ord(refused.group()):04X}, {character_kind(refused.group())}, is not allowed: remove it")
            return None
        try:
            return convert(node.value)
        except ValueError:  # Python refuses to read integers of more than 4,300 digits
            self.fail(node, "number too long to read: write a shorter number")
            return None

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_keys: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or (key_node.value == "<<" and not key_node.style):
                # The YAML 1.2 core schema reads a plain << as text; YAML 1.1 tools would merge, so refuse it.
                self.fail(key_node, "merge keys (<<) are not supported: write the fields out")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                self.fail(key_node, "a key must be a plain word such as `title:`")
                continue
            key = key_node.value
            if key in first_keys:
                first_line, _ = self.position(first_keys[key])
                self.fail(key_node, f"duplicate key {key!r} (first at line {first_line}): keep one")
                continue
            first_keys[key] = key_node
            if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
                self.refuse_field_in_block(key_node, value_node)
            result[key] = self.value(value_node, depth + 1)
        return result

    def refuse_field_in_block(self, key_node: yaml.Node, block: yaml.ScalarNode) -> None:
        # A field indented too deep under `text: >-` is read as text, and would only show as a field missing.
        found = field_in_block(self.lines, key_node, block)
        if found:
            line, col, message = found
            self.errors.append(ContentError(self.name, line + 1 + self.line_offset, col + 1, message))


def parse_yaml(text: str, name: str, path: Path, line_offset: int = 0) -> tuple[Document | None, list[ContentError]]:
    """Parse one YAML mapping; return it, or None and the errors."""
    try:
        node = _composed(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, text, name, line_offset)]
    except yaml.reader.ReaderError as exc:
        line, col = line_col(text, exc.position)
        message = f"character U+{exc.character:04X} is not allowed in YAML: delete it"
        return None, [ContentError(name, line + line_offset, col, message)]
    except yaml.YAMLError as exc:
        return None, [ContentError(name, 1 + line_offset, 1, f"YAML syntax: {exc}: check the quotes, brackets and indentation")]
    except RecursionError:
        return None, [ContentError(name, 1 + line_offset, 1, "nested too deeply to read: flatten the structure")]
    if node is None:
        return None, [ContentError(name, 1 + line_offset, 1, "no content: write the fields, starting with `title:`")]
    walk = _Walk(name, text, line_offset)
    data = walk.value(node, 0)
    if not isinstance(node, yaml.MappingNode):
        walk.fail(node, "expected fields at the top level: write `key: value` lines, starting with `title:`")
    if walk.errors:
        return None, walk.errors
    return Document(path, name, Positions(text, line_offset), data), []


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


def _composed(text: str) -> yaml.Node | None:
    node = compose_with_libyaml(text)
    if node is None:
        if "*" in text:  # no alias without one
            _refuse_aliases(text)
        node = yaml.compose(text, Loader=CoreLoader)
    return node


def _refuse_aliases(text: str) -> None:
    """Raise at the first alias, read from the parser's events before anything is composed: an alias
    bomb ("billion laughs") is refused before it can grow. A syntax error raises here as it would there."""
    for event in yaml.parse(text, Loader=yaml.BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, ALIAS_REFUSED, event.start_mark)


_EVENT_NODES = {
    yaml.ScalarEvent: yaml.ScalarNode,
    yaml.SequenceStartEvent: yaml.SequenceNode,
    yaml.MappingStartEvent: yaml.MappingNode,
}


def compose_with_libyaml(text: str) -> yaml.Node | None:
    """The node tree as libyaml reads it, or None when the file needs the pure-Python reader.

    libyaml reads a well-formed file many times faster; the same _Walk then checks its
    nodes. Anything unusual (a syntax error, an anchor or alias, a tag, several documents,
    nesting past MAX_DEPTH) is declined, so the pure-Python reader gives the exact
    message. libyaml's own composer recurses in C, which crashes the process on deeply
    nested input: it only composes files too plain to nest deeply, and shaped like a
    fact sheet; other files are composed here from libyaml's events.
    """
    if not yaml.__with_libyaml__:
        return None
    loader = _LibyamlLoader(text)
    try:
        return loader.get_single_node() if _plain(text) else _compose_events(loader)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


# Each level of nesting takes one of these characters ([ { - : ?), so a file with this many at
# most nests no deeper, which libyaml's composer recurses through without harm. A fact sheet
# of 25 facts has about 500.
_PLAIN_MAX_NESTING_MARKS = 2_000


def _plain(text: str) -> bool:
    """Whether text has no tag, no alias (which needs an anchor, &), and too few nesting marks to nest deeply."""
    marks = sum(text.count(mark) for mark in "[{-:?")
    return "!" not in text and not ("&" in text and "*" in text) and marks <= _PLAIN_MAX_NESTING_MARKS


def _compose_events(loader: yaml.CSafeLoader) -> yaml.Node | None:
    root: yaml.Node | None = None
    open_nodes: list[yaml.Node] = []
    documents = 0
    while loader.check_event():
        event = loader.get_event()
        kind = type(event)
        if kind is yaml.DocumentStartEvent:
            documents += 1
        elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            open_nodes.pop()
        elif kind in _EVENT_NODES:
            if event.anchor is not None or event.tag is not None or documents > 1 or len(open_nodes) > MAX_DEPTH:
                return None
            node = _node_from(loader, kind, event)
            if open_nodes:
                _add_child(open_nodes[-1], node)
            else:
                root = node
            if kind is not yaml.ScalarEvent:
                open_nodes.append(node)
        elif kind is yaml.AliasEvent:
            return None
    return root


def _node_from(loader: yaml.CSafeLoader, kind: type, event: yaml.Event) -> yaml.Node:
    node_class = _EVENT_NODES[kind]
    if kind is yaml.ScalarEvent:
        tag = loader.resolve(node_class, event.value, event.implicit)
        # libyaml marks a plain scalar with style "", the pure-Python reader with None.
        return node_class(tag, event.value, event.start_mark, event.end_mark, style=event.style or None)
    tag = loader.resolve(node_class, None, event.implicit)
    return node_class(tag, [], event.start_mark, event.end_mark, flow_style=event.flow_style)


def _add_child(parent: yaml.Node, node: yaml.Node) -> None:
    # A mapping's pairs arrive key first: the pair is (key,) until its value comes.
    if isinstance(parent, yaml.SequenceNode):
        parent.value.append(node)
    elif parent.value and len(parent.value[-1]) == 1:
        parent.value[-1] = (parent.value[-1][0], node)
    else:
        parent.value.append((node,))


# PyYAML says what it expected; these say what the editor most likely has to change.
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "a `: ` inside a value starts a new field: put the whole value in quotes"),
    ("could not find expected ':'", "write each line as `key: value` or `- item`, or put the text in quotes"),
    ("unknown escape character", "a backslash in double quotes starts an escape: write \\\\ or use single quotes"),
    ("expected <block end>", "check the indentation: the fields of one item line up under each other"),
    ("did not find expected", "check the indentation: the fields of one item line up under each other"),
    ("cannot start any token", "put the value in quotes"),
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


