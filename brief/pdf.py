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
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import ContentError, ContentErrors
from .models import Fact, Figure
from .render import PageCitations, files_digest, render_template, template_env
from .site import dated
from .validate import Briefing, Source, Topic

TEMPLATE = "print.html.j2"
WHOLE_PDF = "briefing.pdf"
TOPIC_PDF_DIR = "pdf"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
SUBJECT = "Russia–China relations"


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


def cited_sources(briefing: Briefing, topics: tuple[Topic, ...]) -> tuple[Source, ...]:
    """The sources the topics' facts and figures cite, in the briefing's source order."""
    cited = {c.source for topic in topics for item in (*topic.sheet.figures, *topic.sheet.facts) for c in item.cite}
    return tuple(source for source in briefing.sources.values() if source.id in cited)


def render_print_html(briefing: Briefing, templates: Path, edition: Edition | None = None, paper: str = "a4") -> str:
    """The print document for an edition (the whole briefing when none is given), as HTML."""
    edition = edition or editions(briefing)[0]
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper {paper!r} is not one of {', '.join(PAPER_SIZES)}")
    return render_template(
        template_env(templates),
        TEMPLATE,
        briefing=briefing,
        edition=edition,
        paper_size=PAPER_SIZES[paper],
        new_citations=lambda: PageCitations(briefing),
        differing_values=differing_values(briefing),
        contradictions=contradictions(briefing),
    )


def differing_values(briefing: Briefing) -> dict[tuple[str, int], list[tuple[Topic, Figure]]]:
    """The other values given for a figure's metric and period, when they differ, by (topic id, figure index)."""
    others: dict[tuple[str, int], list[tuple[Topic, Figure]]] = {}
    for group in briefing.figure_groups:
        if group.sources_differ:
            for topic, figure in group.entries:
                key = (topic.id, next(i for i, f in enumerate(topic.sheet.figures) if f is figure))
                others[key] = [(t, f) for t, f in group.entries if f is not figure]
    return others


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
        passages = {briefing.passage(c) for item in (*topic.sheet.figures, *topic.sheet.facts) for c in item.cite}
        for number in range(1, len(passages) + 1):
            expected[f"note-{topic.id}-{number}"] = f"{topic.name}: endnote {number}"
    for source in edition.sources:
        expected[f"source-{source.id}"] = f"{source.name}: the source"
    return expected


def missing_content(briefing: Briefing, edition: Edition, document: weasyprint.Document) -> list[ContentError]:
    """What the edition was given but the laid-out pages do not hold, and links that land nowhere."""
    printed = {name for page in document.pages for name in page.anchors}
    errors = []
    for anchor, what in expected_anchors(briefing, edition).items():
        if anchor not in printed:
            where, _, item = what.rpartition(": ")
            errors.append(ContentError(where or f"templates/{TEMPLATE}", 0, 0, f"{item} is missing from {edition.path}: check templates/{TEMPLATE} and print.css"))
    for page in document.pages:
        for kind, target, *_ in page.links:
            if kind == "internal" and target not in printed:
                errors.append(ContentError(f"templates/{TEMPLATE}", 0, 0, f"link to #{target} in {edition.path} lands nowhere"))
    return errors


def print_document(html: str, templates: Path, fetcher: TemplatesOnlyFetcher) -> weasyprint.Document:
    """Lay out the HTML into pages; relative URLs resolve inside templates/."""
    base_url = templates.resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()


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
        document = print_document(html, templates, fetcher)
        errors += missing_content(briefing, edition, document)
        if not errors and len(fetcher.refused) == refused:
            # Tagged, so screen readers follow the document order rather than the paint order.
            # Dated, because the fonts embedded carry a timestamp that would differ from build to build.
            with dated(briefing.as_of):
                document.write_pdf(target, pdf_tags=True)
            printed.append(PrintedPdf(edition.path, len(document.pages), key))
    errors += [
        ContentError("templates/", 0, 0, f"the print document asked for {url[:200]}, which is not a file in templates/: remove the reference")
        for url in sorted(set(fetcher.refused))
    ]
    if errors:
        raise ContentErrors(errors)
    return printed


def print_key(html: str, resources: str) -> str:
    """What a PDF is made from: its print document, the files it may fetch, WeasyPrint's version and this module."""
    digest = hashlib.sha256(f"{weasyprint.__version__}\n{resources}\n{_OWN_DIGEST}\n".encode())
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


_OWN_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


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
