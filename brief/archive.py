"""Archiving an article: a saved web page or text file becomes a new `sources/<id>.md`, ready for review.

For a web page, trafilatura extracts the article text (dropping navigation,
footers and other furniture) and the metadata the page states: title, site
name, author, canonical address. The publication date is read only from the
page's own publication-date markup: trafilatura's date finder (htmldate) falls
back to dates in the address, the copyright line and the running text, which
would be guessing. Whatever is not found is written as null.

Nothing runs over the network: the file is read from disk and parsed there.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import lxml.html
import trafilatura
from trafilatura.metadata import extract_metadata

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


def read_article(path: Path) -> Article:
    """The article in a saved web page (.html) or a plain text file (.txt)."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return article_from_html(path.read_bytes())
    if suffix in TEXT_SUFFIXES:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").strip()
        if not text:
            raise ArchiveError(f"{path.name} is empty")
        return Article(text=text + "\n")
    raise ArchiveError(f"{path.name}: add-source reads a saved web page (.html) or a text file (.txt)")


def article_from_html(html: bytes) -> Article:
    """The article text and stated metadata of a web page."""
    text = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=True)
    if not text or not text.strip():
        raise ArchiveError("no article text found in the page: save it again, or paste the text into a .txt file")
    if not _reads_as_prose(text):
        # A page with no article, an index or a front page, gives its menu entries and link labels.
        raise ArchiveError(
            "no article text found in the page, only short lines such as a menu's: save the article's own page, or paste its text into a .txt file"
        )
    tree = lxml.html.fromstring(html)
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


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())
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
    article = read_article(file)
    source_id = source_id or propose_id(article)
    if not re.match(SLUG_PATTERN, source_id):
        raise ArchiveError(f"{source_id!r} is not a valid source id: use lowercase letters a-z, digits and single hyphens")
    target = root / SOURCES_DIR / f"{source_id}.md"
    if target.exists():
        raise ArchiveError(f"{SOURCES_DIR}/{source_id}.md already exists: nothing was written; choose another id with --id")
    text = source_markdown(article, archived or date.today(), file.name)
    problems = source_problems(text, source_id)
    if problems:
        raise ArchiveError("the archived source would not pass check:\n" + "\n".join(str(p) for p in problems))
    target.parent.mkdir(exist_ok=True)
    with target.open("x", encoding="utf-8") as out:  # "x": fail rather than overwrite a file made meanwhile
        out.write(text)
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
