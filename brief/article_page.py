"""A saved web page read as an article: its text, and the metadata the page states about itself.

trafilatura extracts the article text (dropping navigation, footers and other furniture) and the title,
author and canonical address. The publisher is the page's own `og:site_name`, as given. The publication
date is read only from what the page states as its publication date, most trusted first: the byline's
`<time datetime>`, JSON-LD `datePublished`, then the usual meta tags. trafilatura's date finder
(htmldate) falls back to dates in the address, the copyright line and the running text, which would be
guessing. Whatever is not found is None, written as null.

A page that is not an article (a section front page, a list of headlines) is refused unless forced:
archived, it would be a source made of other articles' headlines.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import date

import lxml.html
import trafilatura
from trafilatura.metadata import extract_metadata

from .article import ArchiveError, Article, article_text, without_invisible
from .quotes import normalize

# Where pages state their own publication date; modification dates are not publication dates.
DATE_META_NAMES = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
)
_ISO_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
_UPDATE = re.compile(r"updat|modif", re.IGNORECASE)
# An article has a line at least a sentence long; menu entries and link labels are shorter.
PROSE_MIN_WORDS = 8
PROSE_MIN_RUN = 30  # characters without a space: a sentence of a script written without them (Chinese, Thai)
# A list of headlines: this many links that read as headlines (menu entries are shorter) ...
MIN_HEADLINE_LINKS = 6
HEADLINE_MIN_WORDS = 4
# ... and no article body: no element holding this many paragraphs of prose (a teaser card holds one).
MIN_BODY_PARAGRAPHS = 3
_BLOCKS = frozenset("p li h1 h2 h3 h4 h5 h6 div td dd dt blockquote figcaption article section".split())
_FURNITURE_BLOCKS = frozenset(("nav", "footer"))
_NO_PROSE = frozenset(("title", "script", "style", "noscript", "template"))


def article_from_html(html: bytes, force: bool = False) -> Article:
    """The article text and stated metadata of a web page; a page that is not an article is refused unless force."""
    # Decoded and parsed once, so the title and date are read from the same text as the body: a page
    # whose stated charset is wrong is decoded by what its bytes are, for the metadata too.
    tree = trafilatura.load_html(html)  # archive.saved_bytes has bounded its size
    text = extracted_text(tree)
    signs = signs_of_a_headline_list(tree)
    if signs and not force:
        raise ArchiveError(
            f"this page looks like a section front page or a list of headlines, not an article: {'; '.join(signs)}. "
            "Save the article's own page and add that, or add --force to archive this page as it is"
        )
    meta = extract_metadata(tree)
    title = _clean(meta.title)
    return Article(
        text=article_text(_paragraphs(text, title)),
        title=title,
        publisher=stated_publisher(tree, meta.sitename, meta.hostname),
        author=_clean(meta.author),
        published=stated_date(tree),
        url=meta.url if meta.url and re.match(r"^https?://[^\s<>\"'`]+$", meta.url) else None,
    )


def extracted_text(tree: lxml.html.HtmlElement | None) -> str:
    """The article text trafilatura finds in the page, one paragraph a line; refused when it is not prose."""
    text = trafilatura.extract(tree, output_format="txt", include_comments=False, include_tables=True) if tree is not None else None
    text = without_invisible(text or "")
    if not text.strip():
        raise ArchiveError("no article text found in the page: save it again, or paste the text into a .txt file")
    if not _reads_as_prose(text):
        # A page with no article, an index or a front page, gives its menu entries and link labels.
        raise ArchiveError(
            "no article text found in the page, only short lines such as a menu's: save the article's own page, or paste its text into a .txt file"
        )
    return text


def _reads_as_prose(text: str) -> bool:
    return any(len(words) >= PROSE_MIN_WORDS or any(len(word) >= PROSE_MIN_RUN for word in words) for words in map(str.split, text.splitlines()))


def _clean(value: str | None) -> str | None:
    value = " ".join(without_invisible(value or "").split())
    return value or None


def _paragraphs(text: str, title: str | None) -> list[str]:
    """trafilatura's lines, one a paragraph, whitespace folded; a repeated headline dropped."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if title and lines and normalize(lines[0]) == normalize(title):
        lines = lines[1:]  # the headline is recorded as the title, as in every archived source
    return lines


def stated_publisher(tree: lxml.html.HtmlElement, sitename: str | None, hostname: str | None) -> str | None:
    """The site name the page states: its og:site_name as given (even one that reads as a domain), else trafilatura's."""
    stated = _clean(" ".join(tree.xpath('(//meta[@property="og:site_name" or @name="og:site_name"])[1]/@content')))
    if stated:
        return stated
    # Without one, trafilatura falls back to the page's domain: that is an address, not a publisher.
    name = _clean(sitename)
    if name is None or (hostname and name.lower() in {hostname.lower(), hostname.lower().removeprefix("www.")}):
        return None
    return name


# --- the publication date ----------------------------------------------------------------------


def stated_date(tree: lxml.html.HtmlElement) -> str | None:
    """The publication day the page states: its byline's <time>, else JSON-LD datePublished, else a meta tag; else None."""
    for value in [*_byline_dates(tree), *_json_ld_dates(tree), *_meta_dates(tree)]:
        match = _ISO_DAY.match(value)
        if match and _is_real_day(match.group(1)):
            return match.group(1)
    return None


def _byline_dates(tree: lxml.html.HtmlElement) -> list[str]:
    """The datetime of <time> elements marked as the publication time, then of those in the article's byline."""
    marked = tree.xpath('//time[@itemprop="datePublished" or @pubdate]/@datetime')
    article = _the_article(tree)
    in_byline = [
        time.get("datetime")
        for time in tree.xpath("//time[@datetime]")
        if _in_byline(time, article) and not _marks_an_update(time)
    ]
    return [*marked, *in_byline]


def _the_article(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    # Only a page's one <article> is its article: cards in a list of headlines are <article>s too.
    articles = [element for element in tree.iter("article") if not _in_page_furniture(element, also=("aside",))]
    return articles[0] if len(articles) == 1 else None


def _in_byline(time: lxml.html.HtmlElement, article: lxml.html.HtmlElement | None) -> bool:
    ancestors = list(time.iterancestors())
    if any(ancestor.tag in ("aside", "nav") for ancestor in ancestors):
        return False  # a list of other articles, with their dates
    return article in ancestors or any("byline" in _names(ancestor) for ancestor in ancestors)


def _marks_an_update(time: lxml.html.HtmlElement) -> bool:
    parent = time.getparent()
    marks = [_names(time), time.get("itemprop") or "", time.text_content()[:20], _names(parent) if parent is not None else ""]
    return any(_UPDATE.search(mark) for mark in marks)


def _names(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


def _json_ld_dates(tree: lxml.html.HtmlElement) -> list[str]:
    """datePublished of the JSON-LD items, an article's first (a page also describes its site and publisher)."""
    items = [item for script in tree.xpath('//script[@type="application/ld+json"]') for item in _json_ld_items(script.text or "")]
    items.sort(key=lambda item: not _is_article_type(item.get("@type")))
    return [item["datePublished"] for item in items if isinstance(item.get("datePublished"), str)]


def _json_ld_items(text: str) -> Iterator[dict]:
    """The objects of a JSON-LD script, at its top, in a list or in an @graph, however nested."""
    try:
        pending = [json.loads(text, strict=False)]
    except (ValueError, RecursionError):
        return
    while pending:
        data = pending.pop(0)
        if isinstance(data, list):
            pending.extend(data)
        elif isinstance(data, dict):
            yield data
            pending.extend(data["@graph"] if isinstance(data.get("@graph"), list) else [])


def _is_article_type(value: object) -> bool:
    types = value if isinstance(value, list) else [value]
    return any(isinstance(kind, str) and ("Article" in kind or "Posting" in kind) for kind in types)


def _meta_dates(tree: lxml.html.HtmlElement) -> list[str]:
    found = []
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        if key in DATE_META_NAMES:
            found.append((DATE_META_NAMES.index(key), element.get("content") or ""))
    return [value for _, value in sorted(found, key=lambda pair: pair[0])]


def _is_real_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- not an article ----------------------------------------------------------------------------


def signs_of_a_headline_list(tree: lxml.html.HtmlElement) -> list[str]:
    """What shows the page to be a list of headlines rather than an article; empty for an article.

    A list of headlines has many links that read as headlines and no article body (no element holding
    several paragraphs of prose). A page that declares itself an article (og:type) is refused only when,
    besides, its headline links outnumber its paragraphs of prose.
    """
    headlines = sum(1 for link in tree.iter("a") if _is_headline_link(link))
    prose_by_element = [_prose_paragraphs(element) for element in tree.iter() if _holds_prose(element)]
    prose, body = sum(prose_by_element), max(prose_by_element, default=0)
    og_type = " ".join(tree.xpath('(//meta[@property="og:type" or @name="og:type"])[1]/@content')).strip().lower()
    declared_article = "article" in og_type
    if headlines < MIN_HEADLINE_LINKS or body >= MIN_BODY_PARAGRAPHS or (declared_article and prose >= headlines):
        return []
    signs = [f"{headlines} links that read as headlines", f"no element holds {MIN_BODY_PARAGRAPHS} paragraphs of prose, as an article body does"]
    if prose < headlines:
        signs.append(f"only {prose} paragraph(s) of prose")
    if og_type and not declared_article:
        signs.append(f'og:type is "{og_type}"')
    return signs


def _is_headline_link(link: lxml.html.HtmlElement) -> bool:
    """A link whose text reads as a headline, standing on its own rather than inside a sentence."""
    words = word_count(link.text_content())
    if words < HEADLINE_MIN_WORDS or _in_page_furniture(link):
        return False
    block = next((ancestor for ancestor in link.iterancestors() if ancestor.tag in _BLOCKS), None)
    return block is None or not _has_more_words(block, 2 * words)


def _has_more_words(element: lxml.html.HtmlElement, limit: int) -> bool:
    # Counted piece by piece, stopping past the limit: the block may be a whole page's wrapper.
    count = 0
    for text in element.itertext():
        count += word_count(text)
        if count > limit:
            return True
    return False


def _holds_prose(element: lxml.html.HtmlElement) -> bool:
    return isinstance(element.tag, str) and element.tag not in _NO_PROSE and not _in_page_furniture(element)


def _prose_paragraphs(element: lxml.html.HtmlElement) -> int:
    """The paragraphs of prose the element holds directly: its <p> children, and text it holds between <br>s."""
    texts = [child.text_content() for child in element if child.tag == "p" and not _mostly_links(child)]
    texts += [element.text or "", *(child.tail or "" for child in element)] if element.tag != "p" else []
    return sum(1 for text in texts if word_count(text) >= PROSE_MIN_WORDS)


def _mostly_links(paragraph: lxml.html.HtmlElement) -> bool:
    linked = sum(word_count(link.text_content()) for link in paragraph.iter("a"))
    return 2 * linked > word_count(paragraph.text_content())


def _in_page_furniture(element: lxml.html.HtmlElement, also: tuple[str, ...] = ()) -> bool:
    return any(ancestor.tag in _FURNITURE_BLOCKS or ancestor.tag in also for ancestor in element.iterancestors())


def word_count(text: str) -> int:
    """The words in text; in scripts written without spaces (Chinese, Japanese) two characters count as one."""
    wide = sum(1 for character in text if unicodedata.east_asian_width(character) == "W")
    spaced = "".join(" " if unicodedata.east_asian_width(character) == "W" else character for character in text)
    return len(spaced.split()) + wide // 2
