"""Archiving an article: a saved web page or text file becomes a new `sources/<id>.md`, ready for review.

A web page is read by article_page; a text file's paragraphs are kept, one a line or separated by
blank lines, as the file has them. From both, standalone furniture lines ("Read also: ...",
"Subscribe ...", "Share") are dropped (see article). The proposed id is ASCII, transliterated from
other scripts (Chinese as pinyin).

Nothing runs over the network: the file is read from disk and parsed there.
What is read is the file named and nothing it could stand for: a link leading
out of the project, a named pipe or device, and a file too big to be one
article are refused before they are opened.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

from anyascii import anyascii

from .article import ArchiveError, Article, article_text, text_paragraphs, without_invisible
from .article_page import article_from_html
from .errors import ContentError, one_line
from .files import checked_file
from .load import SOURCES_DIR, read_file
from .models import SLUG_PATTERN
from .validate import NO_SHEETS, validate

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt",)
MAX_ID_LENGTH = 60
MAX_PUBLISHER_PART = 24
# Well above an article page saved as HTML only; parsing time and memory grow faster than
# the size, so a bigger file is refused unread.
MAX_FILE_BYTES = 5_000_000
MAX_FILE_SIZE = "5 MB"
TOO_BIG_ADVICE = "save the page as HTML only (without images), or paste the article's text into a .txt file"
TITLE_STOPWORDS = frozenset("a an and as at by for from in into of on or the to with".split())


def read_article(path: Path, root: Path, force: bool = False) -> Article:
    """The article in a saved web page (.html) or a plain text file (.txt); root is the project (see saved_bytes).

    force: archive a web page even if it looks like a list of headlines rather than an article.
    """
    suffix = path.suffix.lower()
    if suffix not in HTML_SUFFIXES + TEXT_SUFFIXES:
        raise ArchiveError(f"{shown_path(path)}: add-source reads a saved web page (.html) or a text file (.txt)")
    data = saved_bytes(path, root)
    try:
        return article_from_html(data, force) if suffix in HTML_SUFFIXES else article_from_text(data)
    except ArchiveError as exc:
        raise ArchiveError(f"{shown_path(path)}: {exc}") from None


def saved_bytes(path: Path, root: Path) -> bytes:
    """The file's bytes, refused before it is opened when it cannot be a saved article.

    A link is followed only to a file inside the project (root): the project is what gets published,
    so a link within it shows nothing that is not already there, while a link out of it (planted in a
    cloned repository or an unpacked archive) could publish any file of the machine. A file named
    directly is read wherever it is: the editor chose it.
    """
    shown = shown_path(path)
    try:
        real = path.resolve(strict=True)
        named_in_project = Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root))
        if (path.is_symlink() or named_in_project) and not real.is_relative_to(root.resolve()):
            raise ArchiveError(
                f"{shown} is a link to a file outside the project, which add-source does not follow: name the saved file itself"
            )
        info = real.stat()  # stat, not open: opening a named pipe waits for a writer, and a device may act on it
        if not stat.S_ISREG(info.st_mode):
            raise ArchiveError(f"{shown} is not a regular file (a named pipe, device or socket): save the article as a file and name that")
        if info.st_size > MAX_FILE_BYTES:
            raise ArchiveError(f"{shown} is {info.st_size / 1e6:.1f} MB, more than the {MAX_FILE_SIZE} add-source reads: {TOO_BIG_ADVICE}")
        with real.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # bounded: the file may have grown since stat
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links, before Python 3.13
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ArchiveError(f"{shown} cannot be read ({reason}): check that it exists and that you may read it") from None
    if len(data) > MAX_FILE_BYTES:
        raise ArchiveError(f"{shown} is more than the {MAX_FILE_SIZE} add-source reads: {TOO_BIG_ADVICE}")
    return data


def shown_path(path: Path) -> str:
    """The path as the editor typed it, on one line, whatever the locale.

    Under an ASCII locale Python holds a non-ASCII name as surrogate escapes, which cannot be
    printed or written as UTF-8; the name's own bytes are read as UTF-8 instead.
    """
    return one_line(os.fsencode(path).decode("utf-8", errors="backslashreplace"))


def article_from_text(data: bytes) -> Article:
    """A text file's article: its paragraphs, as the file separates them, in UTF-8 (a byte-order mark dropped)."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = without_invisible(data.decode("utf-8")).replace("\r\n", "\n").strip()
    except UnicodeDecodeError as exc:
        # Guessing another encoding could archive wrong letters in text that is then quoted as exact.
        line = data[: exc.start].count(b"\n") + 1
        raise ArchiveError(f"not UTF-8 text (line {line} is not): save the file again as UTF-8") from None
    if not text:
        raise ArchiveError("the file is empty")
    return Article(text=article_text(text_paragraphs(text)))


def propose_id(article: Article) -> str:
    """publisher-date-first-words-of-title as a slug of at most MAX_ID_LENGTH characters."""
    publisher = _slug_words(_publisher_name(article.publisher or ""))
    parts = ["".join(publisher)[:MAX_PUBLISHER_PART] or "unknown", article.published or "undated"]
    head = "-".join(parts)
    words = [word for word in _slug_words(article.title or article.text) if word not in TITLE_STOPWORDS]
    for word in words:
        if len(head) + 1 + len(word) > MAX_ID_LENGTH:
            break
        head += "-" + word
    return head


def _publisher_name(publisher: str) -> str:
    """The publisher without a leading "The", and a site name that is a domain without its www. and ending."""
    domain = re.fullmatch(r"(?:www\.)?([\w-]+)(\.[\w-]+)+", publisher.strip(), flags=re.IGNORECASE)
    return domain.group(1) if domain else re.sub(r"^the\s+", "", publisher, flags=re.IGNORECASE)


def _slug_words(text: str) -> list[str]:
    """The text's words in lowercase ASCII: punctuation of any script (dashes, quotes) separates them."""
    words = re.sub(r"[^\w]+", " ", text).split()
    return re.findall(r"[a-z0-9]+", " ".join(map(_transliterated, words)).lower())


def _transliterated(word: str) -> str:
    # anyascii writes Chinese as pinyin with no break between characters: each is spaced as a syllable
    # of its own. The apostrophe it writes for a Cyrillic soft sign would split a word in two.
    wide = (f" {anyascii(ch)} " if unicodedata.east_asian_width(ch) == "W" else anyascii(ch) for ch in word)
    return "".join(wide).replace("'", "")


def source_markdown(article: Article, archived: date, origin: str) -> str:
    """The source file: front matter in the order editors know it, then the text.

    It is marked as awaiting review, and the instructions are a YAML comment, which no reader ever sees:
    build refuses to publish until an editor has reviewed the source and deleted the mark.
    """
    fields = {
        "title": article.title,
        # An untitled article needs the editor's own label before it is published; the field is left to fill in.
        **({"label": None} if article.title is None else {}),
        "publisher": article.publisher,
        "author": article.author,
        "published": article.published,
        "date_basis": None,
        "url": article.url,
        "archived": archived.isoformat(),
        "note": None,
    }
    # one_line: a line break in the file name would end the comment and put the rest into the YAML.
    review = (
        f"# Imported from `{one_line(origin)}` by `build.py add-source`. To review: compare the text with the original, "
        "remove any page furniture left, record removals and contradictions in note, fill in a null field only from "
        "what the article itself states, then delete this comment and the line below."
    )
    lines = ["---", *(f"{key}: {_yaml_value(key, value)}" for key, value in fields.items()), review, "awaiting_review: true", "---"]
    return "\n".join(lines) + "\n" + article.text


def _yaml_value(key: str, value: str | None) -> str:
    if value is None:
        return "null"
    if key in ("published", "archived"):
        return value  # YYYY-MM-DD, which our YAML 1.2 loader keeps as text
    # A JSON string is a valid YAML double-quoted scalar: nothing in it can be read as YAML syntax.
    return json.dumps(value, ensure_ascii=False)


def add_source(
    root: Path, file: Path, source_id: str | None = None, archived: date | None = None, force: bool = False
) -> tuple[Path, Article]:
    """Archive file as root/sources/<id>.md after checking it as `check` would; never overwrites.

    force: archive a web page even if it looks like a list of headlines rather than an article.
    """
    article = read_article(file, root, force)
    source_id = source_id or propose_id(article)
    if not re.match(SLUG_PATTERN, source_id):
        raise ArchiveError(f"{source_id!r} is not a valid source id: use lowercase letters a-z, digits and single hyphens")
    target = root / SOURCES_DIR / f"{source_id}.md"
    exists = f"{SOURCES_DIR}/{source_id}.md already exists: nothing was written; choose another id with --id"
    if target.exists():
        raise ArchiveError(exists)
    text = source_markdown(article, archived or date.today(), shown_path(Path(file.name)))
    problems = source_problems(text, source_id)
    if problems:
        raise ArchiveError("the archived source would not pass check:\n" + "\n".join(str(p) for p in problems))
    try:
        target.parent.mkdir(exist_ok=True)
        with target.open("x", encoding="utf-8") as out:  # "x": fail rather than overwrite a file made meanwhile
            out.write(text)
    except FileExistsError:
        raise ArchiveError(exists) from None
    except OSError as exc:
        raise ArchiveError(f"{SOURCES_DIR}/{source_id}.md cannot be written ({exc.strerror or exc}): check that {SOURCES_DIR}/ is a folder you may write to") from None
    return target, article


def source_problems(text: str, source_id: str) -> list[ContentError]:
    """What check would say about this source file, found by loading and validating it in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="brief-add-source-") as scratch:
        path = Path(scratch) / SOURCES_DIR / f"{source_id}.md"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        checked = checked_file(read_file(SOURCES_DIR, path, Path(scratch)))
        if checked.parsed is None:
            return list(checked.errors)
        _, problems = validate([checked])
        return [problem for problem in problems if problem.message != NO_SHEETS]
