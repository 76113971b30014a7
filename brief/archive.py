"""Archiving an article: a saved web page or text file becomes a new `sources/<id>.md`, ready for review.

For a web page, trafilatura extracts the article text (dropping navigation,
footers and other furniture) and the metadata the page states: title, site
name, author, canonical address. The publication date is read only from the
page's own publication-date markup: trafilatura's date finder (htmldate) falls
back to dates in the address, the copyright line and the running text, which
would be guessing. Whatever is not found is written as null.

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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import lxml.html
import trafilatura
from trafilatura.metadata import extract_metadata

from .document import REFUSED_CHARACTER
from .errors import ContentError, one_line
from .files import checked_file
from .load import SOURCES_DIR, read_file
from .models import SLUG_PATTERN
from .quotes import normalize
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
# Where pages state their own publication date; modification dates are not publication dates.
DATE_META_NAMES = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
)
_ISO_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")


class ArchiveError(Exception):
    """The article cannot be archived; the message says why and what to do."""


@dataclass(frozen=True)
class Article:
    """What a saved article states about itself; None where it states nothing."""

    text: str
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD as the page states it
    url: str | None = None

    def unknown(self) -> list[str]:
        """The metadata fields the article does not state, written as null."""
        return [name for name in ("title", "publisher", "author", "published", "url") if getattr(self, name) is None]


def read_article(path: Path, root: Path) -> Article:
    """The article in a saved web page (.html) or a plain text file (.txt); root is the project (see saved_bytes)."""
    suffix = path.suffix.lower()
    if suffix not in HTML_SUFFIXES + TEXT_SUFFIXES:
        raise ArchiveError(f"{shown_path(path)}: add-source reads a saved web page (.html) or a text file (.txt)")
    data = saved_bytes(path, root)
    try:
        return article_from_html(data) if suffix in HTML_SUFFIXES else article_from_text(data)
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
    """A text file's article: its text as it is, in UTF-8 (a byte-order mark dropped)."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = without_invisible(data.decode("utf-8")).replace("\r\n", "\n").strip()
    except UnicodeDecodeError as exc:
        # Guessing another encoding could archive wrong letters in text that is then quoted as exact.
        line = data[: exc.start].count(b"\n") + 1
        raise ArchiveError(f"not UTF-8 text (line {line} is not): save the file again as UTF-8") from None
    if not text:
        raise ArchiveError("the file is empty")
    return Article(text=text + "\n")


def article_from_html(html: bytes) -> Article:
    """The article text and stated metadata of a web page."""
    # Decoded and parsed once, so the title and date are read from the same text as the body: a page
    # whose stated charset is wrong is decoded by what its bytes are, for the metadata too.
    tree = trafilatura.load_html(html, max_size=MAX_FILE_BYTES)
    text = trafilatura.extract(tree, output_format="txt", include_comments=False, include_tables=True) if tree is not None else None
    text = without_invisible(text) if text else text
    if not text or not text.strip():
        raise ArchiveError("no article text found in the page: save it again, or paste the text into a .txt file")
    if not _reads_as_prose(text):
        # A page with no article, an index or a front page, gives its menu entries and link labels.
        raise ArchiveError(
            "no article text found in the page, only short lines such as a menu's: save the article's own page, or paste its text into a .txt file"
        )
    meta = extract_metadata(tree)
    url = meta.url if meta.url and re.match(r"^https?://[^\s<>\"'`]+$", meta.url) else None
    title = _clean(meta.title)
    return Article(
        text=_paragraphs(text, title),
        title=title,
        publisher=_publisher(meta.sitename, meta.hostname),
        author=_clean(meta.author),
        published=stated_date(tree),
        url=url,
    )


# An article has a line at least a sentence long; menu entries and link labels are shorter.
PROSE_MIN_WORDS = 8
PROSE_MIN_RUN = 30  # characters without a space: a sentence of a script written without them (Chinese, Thai)


def _reads_as_prose(text: str) -> bool:
    return any(len(words) >= PROSE_MIN_WORDS or any(len(word) >= PROSE_MIN_RUN for word in words) for words in map(str.split, text.splitlines()))


def without_invisible(text: str) -> str:
    """The text without the invisible controls check refuses (web pages carry direction marks): they hold no words."""
    return REFUSED_CHARACTER.sub("", text)


def _clean(value: str | None) -> str | None:
    value = " ".join(without_invisible(value or "").split())
    return value or None


def _publisher(sitename: str | None, hostname: str | None) -> str | None:
    # trafilatura falls back to the domain when a page names no site: that is an address, not a publisher.
    name = _clean(sitename)
    if name is None or (hostname and name.lower() in {hostname.lower(), hostname.lower().removeprefix("www.")}):
        return None
    return name


def _paragraphs(text: str, title: str | None) -> str:
    """One paragraph per line from trafilatura, as blank-line-separated paragraphs; a repeated headline dropped."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if title and lines and normalize(lines[0]) == normalize(title):
        lines = lines[1:]  # the headline is recorded as the title, as in every archived source
    return "\n\n".join(lines) + "\n"


def stated_date(tree: lxml.html.HtmlElement) -> str | None:
    """The publication day the page's markup states (meta tags, <time itemprop>, JSON-LD), else None."""
    candidates = []
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        if key in DATE_META_NAMES:
            candidates.append((DATE_META_NAMES.index(key), element.get("content") or ""))
    candidates.sort(key=lambda pair: pair[0])
    values = [value for _, value in candidates]
    values += [element.get("datetime") or "" for element in tree.xpath('//time[@itemprop="datePublished" or @pubdate]')]
    values += [_json_ld_date(script.text or "") for script in tree.xpath('//script[@type="application/ld+json"]')]
    for value in values:
        match = _ISO_DAY.match(value or "")
        if match and _is_real_day(match.group(1)):
            return match.group(1)
    return None


def _json_ld_date(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
            return item["datePublished"]
    return ""


def _is_real_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def propose_id(article: Article) -> str:
    """publisher-date-first-words-of-title as a slug of at most MAX_ID_LENGTH characters."""
    publisher = _slug_words(re.sub(r"^the\s+", "", article.publisher or "", flags=re.IGNORECASE))
    parts = ["".join(publisher)[:MAX_PUBLISHER_PART] or "unknown", article.published or "undated"]
    head = "-".join(parts)
    words = [word for word in _slug_words(article.title or article.text) if word not in TITLE_STOPWORDS]
    for word in words:
        if len(head) + 1 + len(word) > MAX_ID_LENGTH:
            break
        head += "-" + word
    return head


def _slug_words(text: str) -> list[str]:
    # Punctuation of any script (dashes, quotes) separates words; accents are dropped, not the letters.
    spaced = re.sub(r"[^\w]+", " ", text)
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", ascii_text)


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


def add_source(root: Path, file: Path, source_id: str | None = None, archived: date | None = None) -> tuple[Path, Article]:
    """Archive file as root/sources/<id>.md after checking it as `check` would; never overwrites."""
    article = read_article(file, root)
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
