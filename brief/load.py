"""Stage 1, load: read the content files (fact sheets, sources, the glossary) and their YAML.

Every problem becomes a ContentError; nothing here raises on bad content.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .document import REFUSED_CHARACTER, Document, Located, character_kind, line_col, parse_yaml
from .errors import ContentError, display_path
from .quotes import SourceText

MAX_FILE_BYTES = 2_000_000
SHEETS_DIR = "briefings"
SOURCES_DIR = "sources"
SHEET_SUFFIX = ".yaml"
SOURCE_SUFFIX = ".md"
GLOSSARY_FILE = "glossary.yaml"
OVERVIEW_FILE = "overview.yaml"


@dataclass(frozen=True)
class SourceFile:
    """A source article: its front matter (a Document as parsed; once modelled, where its values are), and the body text after it."""

    id: str
    front: Located
    body: str
    body_line: int  # line number of the body's first line in the file

    @functools.cached_property
    def text(self) -> SourceText:
        """The body with its normalised form, made once per file (see SourceText)."""
        return SourceText(self.body)


def read_bytes(path: Path, root: Path) -> tuple[bytes | None, list[ContentError]]:
    """The file's bytes, or None and why it may not or cannot be read."""

    def refused(message: str) -> tuple[None, list[ContentError]]:
        return None, [ContentError(display_path(path, root), 0, 0, message)]

    info, refusal = regular_file_info(path, root)
    if info is None:
        return refused(refusal)
    if info.st_size > MAX_FILE_BYTES:
        return refused(f"is {info.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit: split it")
    try:
        return path.read_bytes(), []
    except OSError as exc:
        return refused(f"cannot be read ({exc.strerror}): check the file's permissions")


def regular_file_info(path: Path, root: Path) -> tuple[os.stat_result | None, str]:
    """The file's status, or None and why the build may not open it: it leads outside root, or is no regular file.

    Nothing is opened to find out, so a named pipe cannot block and a link cannot reach outside.
    """
    info = _info(path, follow=False)
    # A file that is no link, in a folder of root that is no link, is where root is: realpath, which
    # looks at every part of the path, is only needed otherwise.
    if info is None or stat.S_ISLNK(info.st_mode) or not _plain_folder_of(os.path.dirname(path), str(root)):
        if leads_outside(path, root):
            # Through a link, a project file could publish any file the build can read.
            return None, "leads outside the project through a symbolic link: copy the file in instead"
        info = _info(path, follow=True)
    if info is None or not stat.S_ISREG(info.st_mode):
        return None, "is not a regular file: replace it with one, or remove it"
    return info, ""


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
    refused = REFUSED_CHARACTER.search(text)
    if refused:
        line, col = line_col(text, refused.start())
        message = f"character U+{ord(refused.group()):04X} is {character_kind(refused.group())}: delete it"
        return None, [ContentError(name, line, col, message)]
    conflicts = merge_conflicts(text, name)
    if conflicts:
        return None, conflicts
    return text, []


# The lines git writes around a merge conflict: <<<<<<< ours, (||||||| base,) =======, >>>>>>> theirs.
# `=======` alone is also Markdown's underline of a heading, and `|||||||` a table row, so a conflict
# is known by its first and last lines; the ones between are reported with it.
_CONFLICT_EDGE = re.compile(r"^([<>])\1{6}(?=[ \t]|$)", re.MULTILINE)
_RESOLVE = "keep the correct version of the text, then delete the marker lines (<<<<<<<, |||||||, ======= and >>>>>>>)"


def merge_conflicts(text: str, name: str) -> list[ContentError]:
    """An error for each merge conflict git left in the text, at its `<<<<<<<` line, and for a lone `<<<<<<<` or `>>>>>>>`."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return []
    errors = []
    opening: re.Match | None = None
    for marker in _CONFLICT_EDGE.finditer(text):
        if marker.group(1) == "<" and opening is None:
            opening = marker
        elif marker.group(1) == ">":
            errors.append(_conflict_error(text, name, opening or marker, marker))
            opening = None
    if opening is not None:
        errors.append(_conflict_error(text, name, opening, opening))
    return errors


def _conflict_error(text: str, name: str, first: re.Match, last: re.Match) -> ContentError:
    line, _ = line_col(text, first.start())
    last_line, _ = line_col(text, last.start())
    if first is last:
        return ContentError(name, line, 1, f"a merge conflict marker `{first.group(1) * 7}` is left in the file: {_RESOLVE}")
    return ContentError(name, line, 1, f"an unresolved merge conflict, lines {line} to {last_line}: {_RESOLVE}")


def _plain_folder_of(folder: str, root: str) -> bool:
    """Whether folder is a folder of root itself and no link."""
    return os.path.dirname(folder) == root and not os.path.islink(folder)


def leads_outside(path: Path | str, root: Path) -> bool:
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


@dataclass(frozen=True)
class ContentFile:
    """A content file's bytes, or None and why it could not be read."""

    kind: str  # SHEETS_DIR, SOURCES_DIR, GLOSSARY_FILE or OVERVIEW_FILE
    path: Path
    name: str  # the path as shown in messages
    raw: bytes | None
    problems: tuple[ContentError, ...] = ()


def content_files(root: Path) -> tuple[list[ContentFile], list[ContentError]]:
    """Every fact sheet, then every source, then the glossary and the overview under root, read; and what is wrong with the folders."""
    errors: list[ContentError] = []
    found = [(SHEETS_DIR, path) for path in _folder_files(root, SHEETS_DIR, SHEET_SUFFIX, errors)]
    found += [(SOURCES_DIR, path) for path in _folder_files(root, SOURCES_DIR, SOURCE_SUFFIX, errors)]
    for name in (GLOSSARY_FILE, OVERVIEW_FILE):  # both optional: a project may start with fact sheets alone
        if (root / name).exists():
            found.append((name, root / name))
    return [read_file(kind, path, root) for kind, path in found], errors


def read_file(kind: str, path: Path, root: Path) -> ContentFile:
    raw, problems = read_bytes(path, root)
    return ContentFile(kind, path, display_path(path, root), raw, tuple(problems))


Parsed = tuple[Document | SourceFile | None, list[ContentError]]
_PARSERS: dict[str, Callable[[str, str, Path], Parsed]] = {SHEETS_DIR: parse_yaml, SOURCES_DIR: parse_source, GLOSSARY_FILE: parse_yaml, OVERVIEW_FILE: parse_yaml}


def parse(file: ContentFile) -> Parsed:
    """The file as a Document (a source as a SourceFile), or None and its problems."""
    if file.raw is None:
        return None, list(file.problems)
    text, problems = decode(file.raw, file.name)
    if text is None:
        return None, problems
    return _PARSERS[file.kind](text, file.name, file.path)


def _folder_files(root: Path, folder: str, suffix: str, errors: list[ContentError]) -> list[Path]:
    directory = root / folder
    if not directory.is_dir():
        errors.append(ContentError(folder + "/", 0, 0, "folder is missing: create it"))
        return []
    files = []
    for name in sorted(os.listdir(directory)):  # names, not Paths: strings compare far more cheaply
        if name.startswith("."):
            continue
        path = directory / name
        if path.suffix != suffix:
            errors.append(ContentError(display_path(path, root), 0, 0, f"unexpected file: {folder}/ holds only *{suffix} files; move or rename it"))
            continue
        files.append(path)
    return files
