"""Stage 1, load: read fact sheets and sources, keeping the line and column of every value.

Every problem becomes a ContentError; nothing here raises on bad content.
YAML is read with the YAML 1.2 core rules (only `true`/`false` are booleans,
dates stay text until the models parse them), so `no`, `on`, `NO`, `1:30` and
unquoted dates in text fields keep the text the editor typed.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import ContentError, display_path
from .parallel import map_shared
from .quotes import SourceText

if TYPE_CHECKING:
    from .cache import FileCache

Loc = tuple[str | int, ...]
Position = tuple[int, int]

ALIAS_REFUSED = "anchors and aliases (&name, *name) are not supported: write the value out"
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 24
SHEETS_DIR = "briefings"
SOURCES_DIR = "sources"
SHEET_SUFFIX = ".yaml"
SOURCE_SUFFIX = ".md"
GLOSSARY_FILE = "glossary.yaml"


class _CoreLoader(yaml.SafeLoader):
    """Resolves plain scalars by the YAML 1.2 core schema instead of YAML 1.1, and refuses aliases."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        # Refusing the first alias also defuses alias bombs ("billion laughs") before they grow.
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, ALIAS_REFUSED, mark)
        return super().compose_node(parent, index)


_CoreLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class _LibyamlLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):
    """libyaml's parser with the same YAML 1.2 core resolvers; see _compose_with_libyaml."""

    yaml_implicit_resolvers = _CoreLoader.yaml_implicit_resolvers

    # PyYAML's resolve, less what no file read here can have (tags, path resolvers): it is
    # called once per node, 230,000 times at 10,000 facts.
    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_MAPPING_TAG if kind is yaml.MappingNode else self.DEFAULT_SEQUENCE_TAG

    # No path resolvers are registered, so the composer need not track the path to each node.
    def descend_resolver(self, current_node: yaml.Node | None, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


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
    reading the document's text again, which keeps them out of the first reading (a fifth
    of its time) and out of the cache, which holds the text instead.
    """

    __slots__ = ("_text", "_line_offset", "_tables")

    def __init__(self, text: str, line_offset: int):
        self._text = text
        self._line_offset = line_offset
        self._tables: tuple[dict[Loc, Position], dict[Loc, Position]] | None = None

    @property
    def tables(self) -> tuple[dict[Loc, Position], dict[Loc, Position]]:
        if self._tables is None:
            values: dict[Loc, Position] = {}
            keys: dict[Loc, Position] = {}
            _record_positions(_composed(self._text), (), self._line_offset, values, keys)
            self._tables = (values, keys)
        return self._tables

    def data(self, name: str) -> Any:
        """The document's data, read again from its text (which parsed without problems once)."""
        return _Walk(name, self._line_offset).value(_composed(self._text), 0)

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
class Document:
    """A parsed YAML mapping with the position of every value and key, by location."""

    path: Path
    name: str  # the path as shown in messages
    data: dict[str, Any]
    positions: Positions = field(repr=False, compare=False)
    # What validation made of data, by model: kept with the document, so serve validates only changed files.
    models: dict[type, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def values(self) -> dict[Loc, Position]:
        return self.positions.tables[0]

    @property
    def keys(self) -> dict[Loc, Position]:
        return self.positions.tables[1]

    def release_data(self) -> None:
        """Let go of data once every model is made: what was read is then in them and in the text positions keeps.

        It is read again from the text if it is ever asked for. Freed here, where it was just made, it
        costs less than at the end of the run, and a copy in the cache or one sent back by a forked
        process is a fifth smaller.
        """
        if self.models and all(model is not None for model, _ in self.models.values()) and "data" in self.__dict__:
            object.__delattr__(self, "data")

    def __getattr__(self, name: str) -> Any:
        if name != "data":  # only data can be missing, let go of by release_data
            raise AttributeError(name)
        data = self.positions.data(self.name)
        object.__setattr__(self, "data", data)
        return data

    def where(self, loc: Loc, *, key: bool = False) -> Position:
        """The position of the value (or its key) at loc, else of its nearest located parent."""
        table = self.keys if key else self.values
        for end in range(len(loc), -1, -1):
            if loc[:end] in table:
                return table[loc[:end]]
            if key and loc[:end] in self.values:
                return self.values[loc[:end]]
        return (1, 1)

    def error(self, loc: Loc, message: str, *, key: bool = False) -> ContentError:
        line, col = self.where(loc, key=key)
        return ContentError(self.name, line, col, message)


@dataclass(frozen=True)
class SourceFile:
    """A source article: front matter as a Document, and the body text after it."""

    id: str
    front: Document
    body: str
    body_line: int  # line number of the body's first line in the file

    @functools.cached_property
    def text(self) -> SourceText:
        """The body with its normalised form, made once per file (see SourceText)."""
        return SourceText(self.body)


@dataclass(frozen=True)
class RawProject:
    """Everything that loaded, plus the ids of sources that exist but failed to load."""

    sheets: tuple[Document, ...]
    sources: tuple[SourceFile, ...]
    broken_source_ids: frozenset[str]
    glossary: Document | None = None


class _Walk:
    """Turns a composed YAML node tree into plain data, recording problems (positions are found later, see Positions)."""

    def __init__(self, name: str, line_offset: int, escapes: bool = True):
        self.name = name
        self.line_offset = line_offset
        self.escapes = escapes  # whether the text has a backslash, the only way to a control character here
        self.errors: list[ContentError] = []

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
        control = self.escapes and _CONTROL_CHARACTER.search(node.value)
        if control:
            # Only a double-quoted escape such as "\\x07" or "\\e" can put one here; read_text refuses raw ones.
            self.fail(node, f"the escape for U+{ord(control.group()):04X}, an invisible control character, is not allowed: remove it")
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
            result[key] = self.value(value_node, depth + 1)
        return result


def parse_yaml(text: str, name: str, path: Path, line_offset: int = 0) -> tuple[Document | None, list[ContentError]]:
    """Parse one YAML mapping; return it, or None and the errors."""
    try:
        node = _composed(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
        problem = _yaml_problem(exc, line_offset)
        message = problem if problem == ALIAS_REFUSED else f"YAML syntax: {problem}"
        return None, [ContentError(name, line, col, message)]
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        message = f"character U+{exc.character:04X} is not allowed in YAML: delete it"
        return None, [ContentError(name, line + line_offset, col, message)]
    except yaml.YAMLError as exc:
        return None, [ContentError(name, 1 + line_offset, 1, f"YAML syntax: {exc}: check the quotes, brackets and indentation")]
    except RecursionError:
        return None, [ContentError(name, 1 + line_offset, 1, "nested too deeply to read: flatten the structure")]
    if node is None:
        return None, [ContentError(name, 1 + line_offset, 1, "no content: write the fields, starting with `title:`")]
    walk = _Walk(name, line_offset, escapes="\\" in text)
    data = walk.value(node, 0)
    if not isinstance(node, yaml.MappingNode):
        walk.fail(node, "expected fields at the top level: write `key: value` lines, starting with `title:`")
    if walk.errors:
        return None, walk.errors
    return Document(path, name, data, Positions(text, line_offset)), []


def _composed(text: str) -> yaml.Node | None:
    return _compose_with_libyaml(text) or yaml.compose(text, Loader=_CoreLoader)


_EVENT_NODES = {
    yaml.ScalarEvent: yaml.ScalarNode,
    yaml.SequenceStartEvent: yaml.SequenceNode,
    yaml.MappingStartEvent: yaml.MappingNode,
}


def _compose_with_libyaml(text: str) -> yaml.Node | None:
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
    ("found unexpected end of stream", "close the quote or bracket"),
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


def read_text(path: Path, root: Path) -> tuple[str | None, list[ContentError]]:
    """The file's text as UTF-8, byte-order mark dropped and line ends made `\\n`, or None and why not."""
    raw, errors = read_bytes(path, root)
    if raw is None:
        return None, errors
    return decode(raw, display_path(path, root))


def read_bytes(path: Path, root: Path) -> tuple[bytes | None, list[ContentError]]:
    """The file's bytes, or None and why it may not or cannot be read."""

    def refused(message: str) -> tuple[None, list[ContentError]]:
        return None, [ContentError(display_path(path, root), 0, 0, message)]

    info = _info(path, follow=False)
    # A file that is no link, in a folder of root that is no link, is where root is: realpath, which
    # looks at every part of the path, is only needed otherwise.
    if info is None or stat.S_ISLNK(info.st_mode) or not _plain_folder_of(os.path.dirname(path), str(root)):
        if _leads_outside(path, root):
            # Through a link, a content file could publish any file the build can read.
            return refused("leads outside the project through a symbolic link: copy the file in instead")
        info = _info(path, follow=True)
    if info is None or not stat.S_ISREG(info.st_mode):
        return refused("is not a regular file: replace it with one, or remove it")
    if info.st_size > MAX_FILE_BYTES:
        return refused(f"is {info.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit: split it")
    try:
        return path.read_bytes(), []
    except OSError as exc:
        return refused(f"cannot be read ({exc.strerror}): check the file's permissions")


def _info(path: Path, *, follow: bool) -> os.stat_result | None:
    try:
        return os.stat(path, follow_symlinks=follow)
    except OSError:
        return None  # a link to nothing, or a file just removed


def decode(raw: bytes, name: str) -> tuple[str | None, list[ContentError]]:
    """The bytes as UTF-8 text, byte-order mark dropped and line ends made `\\n`, or None and why not."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [ContentError(name, 1, 1, "is saved as UTF-16: save the file as UTF-8")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [ContentError(name, line, col, f"byte 0x{raw[exc.start]:02x} is not UTF-8: save the file as UTF-8")]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [ContentError(name, 0, 0, "is empty: write its content, or delete the file")]
    control = _may_hold_control_characters(raw) and _CONTROL_CHARACTER.search(text)
    if control:
        line, col = _line_col(text, control.start())
        message = f"character U+{ord(control.group()):04X} is an invisible control character: delete it"
        return None, [ContentError(name, line, col, message)]
    return text, []


# C0 and C1 controls other than tab and line ends: invisible in an editor, invalid in HTML, often mojibake.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_C0_AND_DELETE_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _may_hold_control_characters(raw: bytes) -> bool:
    """False when the UTF-8 bytes surely hold none of _CONTROL_CHARACTER, found in C a few times faster than by the regex.

    In UTF-8 a C0 control or DEL is its own byte, and a C1 control starts with 0xC2.
    """
    return len(raw.translate(None, _C0_AND_DELETE_BYTES)) != len(raw) or b"\xc2" in raw


def _line_col(text: str, index: int) -> Position:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _plain_folder_of(folder: str, root: str) -> bool:
    """Whether folder is a folder of root itself and no link."""
    return os.path.dirname(folder) == root and not os.path.islink(folder)


def _leads_outside(path: Path, root: Path) -> bool:
    """Whether the path, once its symbolic links are followed, is outside root (or cannot be followed)."""
    real, inside = os.path.realpath(path), _real_root(str(root))
    if os.path.islink(real):  # realpath stops inside a loop of links, on a link
        return True
    return real != inside and not real.startswith(inside + os.sep)


@functools.lru_cache(maxsize=8)
def _real_root(root: str) -> str:
    # Once per build, not once per file: each file's own path is followed anew.
    return os.path.realpath(root)


_FRONT_MATTER_END = re.compile(r"^---[ \t]*$", re.MULTILINE)


def load_source(path: Path, root: Path) -> tuple[SourceFile | None, list[ContentError]]:
    """A source article: YAML front matter between `---` lines, then its text."""
    text, errors = read_text(path, root)
    if text is None:
        return None, errors
    return parse_source(text, display_path(path, root), path)


def parse_source(text: str, name: str, path: Path) -> tuple[SourceFile | None, list[ContentError]]:
    first_line, _, rest = text.partition("\n")
    if first_line.rstrip() != "---":
        return None, [ContentError(name, 1, 1, "a source starts with front matter: a line `---`, the fields, then `---`")]
    end = _FRONT_MATTER_END.search(rest)
    if end is None:
        return None, [ContentError(name, 1, 1, "front matter is not closed: add a line `---` after the fields")]
    front, errors = parse_yaml(rest[: end.start()], name, path, line_offset=1)
    if front is None:
        return None, errors
    body_line = 2 + rest.count("\n", 0, end.end()) + 1
    body = rest[end.end() :].removeprefix("\n")
    if not body.strip():
        return None, [ContentError(name, body_line - 1, 1, "the article text after the front matter is empty: paste the article below the closing `---`")]
    return SourceFile(path.stem, front, body, body_line), []


Parsed = tuple[Document | SourceFile | None, list[ContentError]]


class ParseMemo:
    """Each file's bytes and what they parsed to, kept in memory by a long-running process (serve).

    cache.FileCache keeps the same on disk between runs; load_project takes either.
    """

    wants_pickles = False  # see Fresh

    def __init__(self) -> None:
        self.entries: dict[Path, tuple[bytes, Parsed]] = {}
        self.used: set[Path] = set()

    def get(self, path: Path, raw: bytes) -> Parsed | None:
        self.used.add(path)
        entry = self.entries.get(path)
        return entry[1] if entry is not None and entry[0] == raw else None

    def put(self, path: Path, raw: bytes, parsed: Parsed, pickled: bytes | None = None) -> None:
        self.used.add(path)
        self.entries[path] = (raw, parsed)

    def save(self) -> None:
        """Forget the files this run did not read: they are gone."""
        self.entries = {path: entry for path, entry in self.entries.items() if path in self.used}
        self.used = set()


# Past this many files to parse, a forked process parses some of them (see parallel.py):
# 1,400 files take about a second of one core.
PARALLEL_MIN_FILES = 200

Prepare = Callable[[str, "Document | SourceFile"], None]


def load_project(root: Path, memo: ParseMemo | FileCache | None = None, prepare: Prepare | None = None) -> tuple[RawProject, list[ContentError]]:
    """Load every fact sheet and source under root; problems are returned, not raised.

    With memo (a ParseMemo or a cache.FileCache), a file whose bytes it knows is not parsed again.
    prepare(kind, file), with kind SHEETS_DIR, SOURCES_DIR or GLOSSARY_FILE, is called on each file
    as soon as it is parsed, in whichever process parses it, so that what validation makes of one
    file alone is shared out with the parsing and kept in memo with the file.
    """
    errors: list[ContentError] = []
    sheet_paths = _content_files(root, SHEETS_DIR, SHEET_SUFFIX, errors)
    source_errors: list[ContentError] = []
    source_paths = _content_files(root, SOURCES_DIR, SOURCE_SUFFIX, source_errors)
    glossary_path = root / GLOSSARY_FILE
    files = [(SHEETS_DIR, path) for path in sheet_paths] + [(SOURCES_DIR, path) for path in source_paths]
    if glossary_path.exists():
        files.append((GLOSSARY_FILE, glossary_path))
    parsed = _parsed_files(files, root, memo, prepare)

    sheets: list[Document] = []
    for path in sheet_paths:
        sheet, problems = parsed[path]
        errors += problems
        if sheet is not None:
            sheets.append(sheet)
    if not sheets and not errors:
        errors.append(ContentError(f"{SHEETS_DIR}/", 0, 0, "no fact sheets: add one, e.g. briefings/energy.yaml"))
    errors += source_errors
    sources: list[SourceFile] = []
    broken: set[str] = set()
    for path in source_paths:
        source, problems = parsed[path]
        errors += problems
        if source is None:
            broken.add(path.stem)
        else:
            sources.append(source)
    glossary, problems = parsed.get(glossary_path, (None, []))
    errors += problems
    return RawProject(tuple(sheets), tuple(sources), frozenset(broken), glossary), errors


_PARSERS: dict[str, Callable[[str, str, Path], Parsed]] = {SHEETS_DIR: parse_yaml, SOURCES_DIR: parse_source, GLOSSARY_FILE: parse_yaml}


def _parsed_files(files: list[tuple[str, Path]], root: Path, memo: ParseMemo | FileCache | None, prepare: Prepare | None) -> dict[Path, Parsed]:
    """What each (kind, path) parsed to, by path: from memo when it knows the bytes, else parsed now."""
    results: dict[Path, Parsed] = {}
    unknown: list[tuple[str, Path, bytes]] = []
    for kind, path in files:
        raw, problems = read_bytes(path, root)
        if raw is None:
            results[path] = (None, problems)
            continue
        known = memo.get(path, raw) if memo is not None else None
        if known is None:
            unknown.append((kind, path, raw))
        else:
            results[path] = known
    pickled = memo is not None and memo.wants_pickles
    for (_, path, raw), file in zip(unknown, map_shared(functools.partial(_fresh, root=root, prepare=prepare, pickled=pickled), unknown, PARALLEL_MIN_FILES)):
        results[path] = file.parsed
        if memo is not None:
            memo.put(path, raw, file.parsed, file.pickled)
    return results


class Fresh:
    """A file just parsed and prepared, with its pickle when the memo keeps pickles (cache.FileCache).

    The pickle is made by whichever process parsed the file, on its own core, and it is
    both what travels back from a forked process and what the cache writes.
    """

    __slots__ = ("parsed", "pickled")

    def __init__(self, parsed: Parsed, pickled: bytes | None = None):
        self.parsed = parsed
        self.pickled = pickled

    def __reduce__(self) -> tuple[Callable[[bytes], Fresh], tuple[bytes]]:
        pickled = self.pickled if self.pickled is not None else pickle.dumps(self.parsed, protocol=pickle.HIGHEST_PROTOCOL)
        return _unpickled, (pickled,)


def _unpickled(pickled: bytes) -> Fresh:
    return Fresh(pickle.loads(pickled), pickled)


def _fresh(file: tuple[str, Path, bytes], root: Path, prepare: Prepare | None, pickled: bool) -> Fresh:
    kind, path, raw = file
    name = display_path(path, root)
    text, problems = decode(raw, name)
    if text is None:
        return Fresh((None, problems))
    parsed = _PARSERS[kind](text, name, path)
    if prepare is not None and parsed[0] is not None:
        prepare(kind, parsed[0])
    return Fresh(parsed, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL) if pickled else None)


def _content_files(root: Path, folder: str, suffix: str, errors: list[ContentError]) -> list[Path]:
    directory = root / folder
    if not directory.is_dir():
        errors.append(ContentError(folder + "/", 0, 0, "folder is missing: create it"))
        return []
    files = []
    for name in sorted(os.listdir(directory)):  # sorting names, not Paths: a tenth of the time
        if name.startswith("."):
            continue
        path = directory / name
        if path.suffix != suffix:
            errors.append(ContentError(display_path(path, root), 0, 0, f"unexpected file: {folder}/ holds only *{suffix} files; move or rename it"))
            continue
        files.append(path)
    return files
