"""Stage 5, pdf: the validated Briefing printed by WeasyPrint, whole and one file per topic.

One HTML document per PDF is rendered from templates/print.html.j2 and styled
by templates/print.css, with no part of the site theme. WeasyPrint fetches
through `TemplatesOnlyFetcher`, which serves files under templates/ and refuses
everything else, so the print document reaches neither the network nor the
rest of the disk.

Before anything is written, every laid-out document is counted against what it
was given: each topic, figure, fact, endnote and source must have its anchor
in the pages, and each internal link must land on one. A PDF plugin that drops
content drops it silently; this stage fails instead.

WeasyPrint holds every laid-out page of a document until it is written, about
2 MiB a page here, so the whole briefing (some 2,000 pages at 10,000 facts) is
laid out in parts (`print_whole`): groups of topics, then the sources, then the
cover and contents, whose page numbers are known by then. Each part is set down
in the joined file (brief.pdfjoin) and its layout freed before the next; the
"n of N" footers are stamped last, once N is known.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import mimetypes
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pydyf
import weasyprint
from weasyprint.pdf import generate_pdf
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import ContentError, ContentErrors
from .models import Citation, Fact
from . import pdfjoin
from .pdfjoin import JoinedPart, JoinedPdf
from .render import PageCitations, fact_links, files_digest, render_template, template_env
from .site import dated
from .validate import Briefing, FigureGroup, Source, Topic

TEMPLATE = "print.html.j2"
WHOLE_PDF = "briefing.pdf"
TOPIC_PDF_DIR = "pdf"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
SUBJECT = "Russia–China relations"
# Parts of the whole briefing: each is laid out, written and freed before the next (see print_whole).
PART_TOPICS = 8  # topics: about 45 pages, 90 MiB of layout
PART_SOURCES = 100  # sources: about 17 pages
FOOTER_PAGES = 100  # footers stamped from one document of footers alone: 500 took 55 MiB


class RefusedFetch(ValueError):
    """The print document asked for something outside templates/."""


class TemplatesOnlyFetcher(URLFetcher):
    """Serves files under the templates folder to WeasyPrint and refuses every other URL.

    Refused URLs are kept in `refused` so the stage can report them; WeasyPrint
    itself only logs a failed fetch and prints on without the resource.
    """

    def __init__(self, templates: Path):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.root = templates.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            path = self.local_path(url)
        except RefusedFetch:
            self.refused.append(url)
            raise
        content_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type or "application/octet-stream"})

    def local_path(self, url: str) -> Path:
        """The file under templates/ that a file:// URL names; RefusedFetch for anything else."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedFetch(f"refused {url[:200]!r}: the print document may only use files in templates/")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedFetch(f"refused {url[:200]!r}: not a file in templates/")
        return path


@dataclass(frozen=True)
class Edition:
    """What one PDF prints: the whole briefing or one topic, with the sources those topics cite."""

    path: str  # inside the output folder: briefing.pdf or pdf/<topic>.pdf
    label: str  # the kind of document, above the title on the cover
    title: str
    subtitle: str
    running_title: str  # at the head of every page but the cover
    topics: tuple[Topic, ...]
    sources: tuple[Source, ...]

    @property
    def whole(self) -> bool:
        return self.path == WHOLE_PDF

    @property
    def as_of(self) -> date:
        return max(topic.sheet.as_of for topic in self.topics)

    @property
    def fact_count(self) -> int:
        return sum(len(topic.sheet.facts) for topic in self.topics)

    @property
    def figure_count(self) -> int:
        return sum(len(topic.sheet.figures) for topic in self.topics)


@dataclass(frozen=True)
class PrintedPdf:
    """A PDF written: its path inside the output folder, its number of pages, and the digest of what it printed."""

    path: str
    pages: int
    key: str = ""  # see print_key


def editions(briefing: Briefing) -> list[Edition]:
    """The whole briefing first, then one edition per topic."""
    whole = Edition(
        WHOLE_PDF,
        "Briefing",
        SUBJECT,
        "Key judgements, figures and facts, each cited to an archived source",
        f"{SUBJECT}: a briefing",
        briefing.topics,
        cited_sources(briefing, briefing.topics),
    )
    per_topic = [
        Edition(
            f"{TOPIC_PDF_DIR}/{topic.id}.pdf",
            "Topic briefing",
            topic.sheet.title,
            SUBJECT,
            f"{SUBJECT}: {topic.sheet.title}",
            (topic,),
            cited_sources(briefing, (topic,)),
        )
        for topic in briefing.topics
    ]
    return [whole, *per_topic]


@dataclass(frozen=True)
class Part:
    """What one laid-out document of an edition holds: the cover and contents, topics, sources."""

    front: bool
    topics: tuple[Topic, ...] = ()
    sources: tuple[Source, ...] = ()
    sources_head: bool = False  # the Sources heading, before the first source


def whole_part(edition: Edition) -> Part:
    return Part(True, edition.topics, edition.sources, True)


def cited_sources(briefing: Briefing, topics: tuple[Topic, ...]) -> tuple[Source, ...]:
    """The sources the topics' facts and figures cite, in the briefing's source order."""
    cited = {c.source for topic in topics for c in shown_citations(briefing, topic)}
    return tuple(source for source in briefing.sources.values() if source.id in cited)


def render_print_html(
    briefing: Briefing,
    templates: Path,
    edition: Edition | None = None,
    paper: str = "a4",
    part: Part | None = None,
    contents_pages: dict[str, int] | None = None,
    stamped_footers: bool = False,
) -> str:
    """The print document for a part of an edition (all of it when no part is given; the whole briefing when no edition), as HTML.

    contents_pages gives the contents' page numbers, by anchor, when the topics are not in
    the same document; stamped_footers leaves out the "n of N" footer, to be stamped later.
    """
    edition = edition or editions(briefing)[0]
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper {paper!r} is not one of {', '.join(PAPER_SIZES)}")
    env = template_env(templates)
    env.filters["fact_links"] = partial(fact_links, briefing, _edition_fact_href)
    return render_template(
        env,
        TEMPLATE,
        briefing=briefing,
        edition=edition,
        part=part or whole_part(edition),
        contents_pages=contents_pages,
        stamped_footers=stamped_footers,
        paper_size=PAPER_SIZES[paper],
        new_citations=lambda: PageCitations(briefing),
        compared=compared_groups(briefing),
        contradictions=contradictions(briefing),
    )


def compared_groups(briefing: Briefing) -> dict[str, list[FigureGroup]]:
    """By topic id, the groups of figures sharing a metric that hold one of the topic's figures."""
    groups: dict[str, list[FigureGroup]] = {}
    for group in briefing.figure_groups:
        if group.compared:
            for topic_id in dict.fromkeys(topic.id for topic, _ in group.entries):
                groups.setdefault(topic_id, []).append(group)
    return groups


def shown_citations(briefing: Briefing, topic: Topic) -> list[Citation]:
    """Every citation a topic's section prints: its figures' and facts', their confirmations', and the compared figures'."""
    compared = [figure for group in compared_groups(briefing).get(topic.id, []) for _, figure in group.entries]
    return [c for item in (*topic.sheet.figures, *topic.sheet.facts, *compared) for c in (*item.cite, *item.confirmed_in)]


def _edition_fact_href(topic: Topic, fact: Fact, edition: object) -> str | None:
    """Inside a PDF a note links to a fact the same document prints; otherwise it gives the fact's text alone."""
    return f"#fact-{fact.id}" if isinstance(edition, Edition) and topic in edition.topics else None


def contradictions(briefing: Briefing) -> dict[str, list[tuple[Topic, Fact]]]:
    """For each fact the content marks as contradicting another (either way round): the other facts, by fact id."""
    counterparts: dict[str, list[tuple[Topic, Fact]]] = {}
    for dispute in briefing.disputes:
        counterparts.setdefault(dispute.first[1].id, []).append(dispute.second)
        counterparts.setdefault(dispute.second[1].id, []).append(dispute.first)
    return counterparts


def expected_anchors(briefing: Briefing, edition: Edition) -> dict[str, str]:
    """Every anchor the edition must print, with what it is and the file it comes from."""
    expected = {"contents": "the contents", "sources": "the list of sources"}
    for topic in edition.topics:
        expected[f"topic-{topic.id}"] = f"{topic.name}: the topic"
        for number, figure in enumerate(topic.sheet.figures, 1):
            expected[f"figure-{topic.id}-{number}"] = f"{topic.name}: figure {figure.metric!r}"
        for fact in topic.sheet.facts:
            expected[f"fact-{fact.id}"] = f"{topic.name}: fact {fact.id!r}"
        passages = {briefing.passage(c) for c in shown_citations(briefing, topic)}
        for number in range(1, len(passages) + 1):
            expected[f"note-{topic.id}-{number}"] = f"{topic.name}: endnote {number}"
    for source in edition.sources:
        expected[f"source-{source.id}"] = f"{source.name}: the source"
        expected[f"source-end-{source.id}"] = f"{source.name}: the end of the source"
    return expected


def missing_content(briefing: Briefing, edition: Edition, printed: Iterable[str], links: Iterable[str]) -> list[ContentError]:
    """What the edition was given but its laid-out pages do not hold (printed: their anchors), and links that land nowhere."""
    printed = set(printed)
    errors = []
    for anchor, what in expected_anchors(briefing, edition).items():
        if anchor not in printed:
            where, _, item = what.rpartition(": ")
            errors.append(ContentError(where or f"templates/{TEMPLATE}", 0, 0, f"{item} is missing from {edition.path}: check templates/{TEMPLATE} and print.css"))
    for target in links:
        if target not in printed:
            errors.append(ContentError(f"templates/{TEMPLATE}", 0, 0, f"link to #{target} in {edition.path} lands nowhere"))
    return errors


def anchors_on(pages: list[weasyprint.Page]) -> dict[str, int]:
    """Each anchor on the pages, with the index of the first page that holds it."""
    found: dict[str, int] = {}
    for index, page in enumerate(pages):
        for name in page.anchors:
            found.setdefault(name, index)
    return found


def links_on(pages: list[weasyprint.Page]) -> list[str]:
    """The anchor each internal link on the pages points to, in page order."""
    return [target for page in pages for kind, target, *_ in page.links if kind == "internal"]


def print_document(html: str, templates: Path, fetcher: TemplatesOnlyFetcher) -> weasyprint.Document:
    """Lay out the HTML into pages; relative URLs resolve inside templates/."""
    release_freed_memory()
    base_url = templates.resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()


def release_freed_memory() -> None:
    """Give back to the system what the C library keeps of memory freed before (by MkDocs, by the last part laid out).

    glibc holds freed memory for reuse, in pieces too scattered for the next layout to
    fit in: after MkDocs at 10,000 facts, 390 MiB were resident, 200 MiB once given back,
    and the PDFs printed on top of it took the build to 580 MiB. Elsewhere this does nothing.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc's; musl and macOS have none
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


@dataclass(frozen=True)
class Printed:
    """An edition laid out and counted: its number of pages, what it lost, and how to write it."""

    pages: int
    errors: list[ContentError]
    write: Callable[[Path], None]


def print_in_one(briefing: Briefing, edition: Edition, html: str, templates: Path, fetcher: TemplatesOnlyFetcher) -> Printed:
    """An edition laid out as one document, held until written."""
    document = print_document(html, templates, fetcher)

    def write(target: Path) -> None:
        # Tagged, so screen readers follow the document order rather than the paint order.
        # Dated, because the fonts embedded carry a timestamp that would differ from build to build.
        with dated(briefing.as_of):
            document.write_pdf(target, pdf_tags=True)

    errors = missing_content(briefing, edition, anchors_on(document.pages), links_on(document.pages))
    return Printed(len(document.pages), errors, write)


class Joining:
    """Parts of an edition set down in one JoinedPdf, with their anchors, links and bookmarks numbered over all of them."""

    def __init__(self, joined: JoinedPdf):
        self.joined = joined
        self.parts: list[JoinedPart] = []
        self.anchors: dict[str, int] = {}  # the index of the page, in these parts, each anchor is on
        self.links: list[str] = []
        self.bookmarks: list = []  # WeasyPrint's bookmark tree, in PDF coordinates
        self.pages = 0

    def add_sources(self, document: weasyprint.Document, chunk: tuple[Source, ...], more: bool) -> int:
        """Set down a part of sources; how many of chunk it printed.

        With more to come, the last page is left to the next part, which starts with the first
        source on it, so the sources run on as in one document; a chunk all on its last page
        prints nothing, to be laid out again with more sources.
        """
        if not more:
            self.add(document)
            return len(chunk)
        kept, printed = sources_kept(document.pages, chunk)
        if printed:
            self.add(document, document.pages[:kept])
        return printed

    def add_if_pages(self, document: weasyprint.Document, expected: int) -> tuple[int, bool]:
        """Set down document if it has the number of pages expected: (its number of pages, whether it was)."""
        if len(document.pages) == expected:
            self.add(document)
        return len(document.pages), len(document.pages) == expected

    def add(self, document: weasyprint.Document, pages: list[weasyprint.Page] | None = None) -> None:
        """Set down the pages of document (all of them, or the first ones); then its layout may be freed."""
        pages = document.pages if pages is None else pages
        anchors, links = anchors_on(pages), links_on(pages)
        kept = document.copy(pages)
        for name, index in anchors.items():
            self.anchors.setdefault(name, self.pages + index)
        self.links += links
        self.bookmarks += shifted(kept.make_bookmark_tree(scale=0.75, transform_pages=True), self.pages)
        for page in pages:
            page.bookmarks = []  # the joined file's outline is made once, from all parts'
        # WeasyPrint drops links to anchors it does not see; an anchor in another part gets a
        # stand-in here, left out of the joined file's destinations (JoinedPdf.add keeps anchors only).
        for target in set(links) - anchors.keys():
            pages[0].anchors[target] = (0, 0, 0, 0)
        self.parts.append(self.joined.add(generated(kept, tags=True), anchors))
        self.pages += len(pages)


def shifted(bookmarks: list, offset: int) -> list:
    """WeasyPrint's bookmark tree with each page index moved on by offset."""
    return [(label, (page + offset, x, y), shifted(children, offset), state) for label, (page, x, y), children, state in bookmarks]


def generated(document: weasyprint.Document, tags: bool) -> pydyf.PDF:
    """The PDF objects WeasyPrint makes of a laid-out document, not yet written."""
    return generate_pdf(document, None, 1, **{**weasyprint.DEFAULT_OPTIONS, "pdf_tags": tags})


def print_whole(
    briefing: Briefing,
    edition: Edition,
    templates: Path,
    fetcher: TemplatesOnlyFetcher,
    paper: str = "a4",
    part_topics: int = PART_TOPICS,
    part_sources: int = PART_SOURCES,
) -> Printed:
    """The edition laid out in parts, each set down and freed before the next: only one part's layout is held at a time.

    Topics start on a new page, so a group of them lays out as it would in one document. The
    sources run on from page to page: each part but the last gives up its last page, and the
    next part starts with the first source on it (a source is never split across pages). The
    cover and contents come last, once the pages they number are known; they are laid out
    again if their own number of pages changes what those numbers are.
    """
    scratch = tempfile.TemporaryFile()  # the joined file, written as the parts come; copied to the target if all is there
    joined = JoinedPdf(scratch)
    front, body = Joining(joined), Joining(joined)

    def lay_out(part: Part, contents_pages: dict[str, int] | None = None) -> weasyprint.Document:
        html = render_print_html(briefing, templates, edition, paper, part, contents_pages, stamped_footers=True)
        return print_document(html, templates, fetcher)

    # No document is bound to a name here while the next is laid out: each is freed before.
    with dated(briefing.as_of):  # the fonts embedded carry a timestamp
        for start in range(0, len(edition.topics), part_topics):
            body.add(lay_out(Part(False, topics=edition.topics[start : start + part_topics])))
        start, size = 0, part_sources
        while True:
            chunk = edition.sources[start : start + size]
            more = start + len(chunk) < len(edition.sources)
            printed = body.add_sources(lay_out(Part(False, sources=chunk, sources_head=start == 0)), chunk, more)
            if not more:
                break
            start, size = start + printed, part_sources if printed else 2 * size
        front_pages = 2  # the cover and the contents: a first guess the layout usually confirms
        for _ in range(4):
            contents = {anchor: front_pages + page + 1 for anchor, page in body.anchors.items() if anchor.startswith("topic-") or anchor == "sources"}
            front_pages, settled = front.add_if_pages(lay_out(Part(True), contents), front_pages)
            if settled:
                break
        else:
            # Each guess changed the numbers the contents print, and so its length: only an edited template does this.
            message = "the contents' number of pages never settled: keep the contents' page numbers from changing its length (print.css)"
            raise ContentErrors([ContentError(f"templates/{TEMPLATE}", 0, 0, message)])
        parts = front.parts + body.parts
        # The cover has no footer, however many pages its list of topics takes: the contents start after it.
        cover_pages = front.anchors.get("contents", 1)
        stamp_footers(joined, [page for part in parts for page in part.pages], cover_pages, templates, fetcher, paper)

    anchors = front.anchors | {name: front.pages + page for name, page in body.anchors.items()}
    bookmarks = front.bookmarks + shifted(body.bookmarks, front.pages)

    def write(target: Path) -> None:
        joined.write(parts, bookmarks)
        scratch.seek(0)
        with target.open("wb") as output:
            shutil.copyfileobj(scratch, output)

    return Printed(front.pages + body.pages, missing_content(briefing, edition, anchors, front.links + body.links), write)


def sources_kept(pages: list[weasyprint.Page], chunk: tuple[Source, ...]) -> tuple[int, int]:
    """How many of a part's pages of sources to keep, and how many sources of chunk they hold whole.

    The kept pages end before the last page, and before the page where the first source they do
    not hold to its end starts: an entry taller than a page, split despite `break-inside: avoid`,
    that runs onto the last page moves the cut back to its start, so no end of a source is lost.
    """
    page_of = anchors_on(pages)
    cut = len(pages) - 1
    while True:
        whole = next((n for n, source in enumerate(chunk) if page_of.get(f"source-end-{source.id}", cut) >= cut), len(chunk))
        if whole == len(chunk) or page_of.get(f"source-{chunk[whole].id}", cut) >= cut:
            return cut, whole
        cut = page_of[f"source-{chunk[whole].id}"]


def stamp_footers(joined: JoinedPdf, pages: list, cover_pages: int, templates: Path, fetcher: TemplatesOnlyFetcher, paper: str) -> None:
    """Draw "n of N" at the foot of every page after the cover's, as print.css draws it, FOOTER_PAGES at a time."""
    total = len(pages)
    for first in range(cover_pages, total, FOOTER_PAGES):
        numbers = range(first + 1, min(first + FOOTER_PAGES, total) + 1)
        footers = print_document(footers_html(numbers, total, paper), templates, fetcher)
        joined.stamp(pages[first : first + len(numbers)], generated(footers, tags=False))


def footers_html(numbers: range, total: int, paper: str) -> str:
    """A document of footers alone, one page per number, styled by print.css's @page rule with the other margin boxes empty."""
    pages = "".join(f'<p data-footer="{number} of {total}"></p>' for number in numbers)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="stylesheet" href="print.css"><style>'
        f"@page {{ size: {PAPER_SIZES[paper]}; @top-left {{ content: none; border: none; }} @top-right {{ content: none; border: none; }}"
        " @bottom-left { content: none; } @bottom-right { content: string(footer); } }"
        " body > p { break-before: page; string-set: footer attr(data-footer); }"
        f"</style></head><body>{pages}</body></html>"
    )


def write_pdfs(
    briefing: Briefing, templates: Path, output_dir: Path, paper: str = "a4", previous: Path | None = None, printed_before: Iterable[PrintedPdf] = ()
) -> list[PrintedPdf]:
    """Print every edition into output_dir; raises ContentErrors when any lost content, and output_dir is to be discarded.

    Each edition is written as soon as it is laid out and counted, and no more once one
    fails, so only one laid-out document is held at a time (all of them took a gigabyte at
    1,000 facts). An edition whose print_key is that of a PDF in printed_before is linked
    from the folder previous instead of printed again.
    """
    # WeasyPrint logs refused fetches and CSS it skips; refusals are reported below as errors.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = TemplatesOnlyFetcher(templates)
    before = {pdf.path: pdf for pdf in printed_before}
    # The files the print document may fetch: all but the Jinja templates, whose output is the HTML itself.
    resources = files_digest(templates, lambda path: path.suffix != ".j2")
    printed, errors = [], []
    for edition in editions(briefing):
        html = render_print_html(briefing, templates, edition, paper)
        key = print_key(html, resources)
        target = output_dir / edition.path
        target.parent.mkdir(parents=True, exist_ok=True)
        old = before.get(edition.path)
        if previous is not None and old is not None and old.key == key and (previous / edition.path).is_file():
            os.link(previous / edition.path, target)
            printed.append(old)
            continue
        refused = len(fetcher.refused)
        if edition.whole:
            laid_out = print_whole(briefing, edition, templates, fetcher, paper)
        else:
            laid_out = print_in_one(briefing, edition, html, templates, fetcher)
        errors += laid_out.errors
        if not errors and len(fetcher.refused) == refused:
            laid_out.write(target)
            printed.append(PrintedPdf(edition.path, laid_out.pages, key))
        del laid_out  # its layout or joined file, before the next edition's
    errors += [
        ContentError("templates/", 0, 0, f"the print document asked for {url[:200]}, which is not a file in templates/: remove the reference")
        for url in sorted(set(fetcher.refused))
    ]
    if errors:
        raise ContentErrors(errors)
    return printed


def print_key(html: str, resources: str) -> str:
    """What a PDF is made from: its print document, the files it may fetch, WeasyPrint's version and this code."""
    digest = hashlib.sha256(f"{weasyprint.__version__}\n{resources}\n{_OWN_DIGEST}\n".encode())
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


# This module and the one that joins the whole briefing's parts.
_OWN_DIGEST = hashlib.sha256(b"".join(Path(module).read_bytes() for module in (__file__, pdfjoin.__file__))).hexdigest()


def save_printed(printed: list[PrintedPdf], path: Path) -> None:
    """Record the PDFs now in site/, for the next write_pdfs to reuse."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([vars(pdf) for pdf in printed], indent=1), encoding="utf-8")


def load_printed(path: Path) -> list[PrintedPdf]:
    """The PDFs save_printed recorded; none when there is no readable record."""
    try:
        return [PrintedPdf(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return []


def publish_pdfs(built: Path, site: Path) -> None:
    """Put the PDFs printed into built in place of those in site/, leaving the pages as they are."""
    site.mkdir(exist_ok=True)
    os.replace(built / WHOLE_PDF, site / WHOLE_PDF)
    old = site / f".{TOPIC_PDF_DIR}-old-{built.name}"
    if (site / TOPIC_PDF_DIR).exists():
        (site / TOPIC_PDF_DIR).rename(old)
    (built / TOPIC_PDF_DIR).rename(site / TOPIC_PDF_DIR)
    shutil.rmtree(old, ignore_errors=True)
