"""Stage 5, pdf: the validated Briefing printed by Typst, whole and one file per topic.

The PDF stage reads as: export data, compile the template, write files. Each PDF is one
compile of templates/print.typ, whose data (brief.export) arrives as JSON in sys.inputs:
no content string is ever Typst source. The fonts are the project's own (Source Serif Pro
and Source Sans Pro, from the Python packages that carry them with their licence); system
fonts and Typst's embedded ones are not searched, and any warning of the engine is an error.

Before anything is written, every compiled document is counted against what it was given:
each topic, figure, fact, note and source leaves a mark in the document, and a mark missing
is an error. A PDF plugin that drops content drops it silently; this stage fails instead.
A link to an anchor the document does not hold fails the compile itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro
import typst

from .errors import ContentError, ContentErrors
from .export import Exporter, long_date, statuses
from .models import Citation
from .validate import Briefing, FigureGroup, Source, Topic

TEMPLATE = "print.typ"
WHOLE_PDF = "briefing.pdf"
TOPIC_PDF_DIR = "pdf"
PAPER_SIZES = {"a4": "a4", "letter": "us-letter"}
SUBJECT = "Russia–China relations"
# Tagged for accessibility, and checked by Typst against PDF/UA-1 as it writes.
PDF_STANDARDS = ["ua-1"]


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
class PrintedPdf:
    """A PDF written: its path inside the output folder, its number of pages, and the digest of what it printed."""

    path: str
    pages: int
    key: str = ""  # see print_key


def cited_sources(briefing: Briefing, topics: tuple[Topic, ...]) -> tuple[Source, ...]:
    """The sources the topics' facts and figures cite, in the briefing's source order."""
    cited = {c.source for topic in topics for c in shown_citations(briefing, topic)}
    return tuple(source for source in briefing.sources.values() if source.id in cited)


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


def expected_anchors(briefing: Briefing, edition: Edition) -> dict[str, str]:
    """Every anchor the edition must print, with what it is and the file it comes from."""
    expected = {"contents": "the contents", "sources": "the list of sources"}
    for topic in edition.topics:
        expected[f"topic-{topic.id}"] = f"{topic.name}: the topic"
        for number, figure in enumerate(topic.sheet.figures, 1):
            expected[f"figure-{topic.id}-{number}"] = f"{topic.name}: figure {figure.metric!r}"
        for fact in topic.sheet.facts:
            expected[f"fact-{fact.id}"] = f"{topic.name}: fact {fact.id!r}"
        for number in range(1, len(shown_citations(briefing, topic)) + 1):
            expected[f"note-{topic.id}-{number}"] = f"{topic.name}: note {number}"
    for source in edition.sources:
        expected[f"source-{source.id}"] = f"{source.name}: the source"
    return expected


def print_data(briefing: Briefing, edition: Edition, paper: str = "a4") -> dict:
    """Everything one PDF prints, as plain data for the template."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper {paper!r} is not one of {', '.join(PAPER_SIZES)}")
    exporter = Exporter(briefing, edition.topics, edition.sources, compared_groups(briefing))
    facts, figures, sources = edition.fact_count, edition.figure_count, len(edition.sources)
    scope = f"Draws on {_count(facts, 'fact')}" + (f" and {_count(figures, 'key figure')}" if figures else "")
    scope += f" from {_count(sources, 'archived source')}. Every claim names who makes it and cites the exact words of its source; every quotation has been checked against the archived text."
    as_of = f"As of {long_date(edition.as_of)}"
    return {
        "document": {
            "title": f"{edition.running_title}, as of {long_date(edition.as_of)}",
            "description": f"{_count(facts, 'fact')} from {_count(sources, 'archived source')}, every quotation checked against its source.",
            "label": edition.label,
            "heading": edition.title,
            "subtitle": edition.subtitle,
            "running_title": edition.running_title,
            "footer": edition.title if edition.whole else f"{SUBJECT}: {edition.title}",
            "as_of_line": as_of,
            "scope": scope,
            "whole": edition.whole,
            "paper": PAPER_SIZES[paper],
        },
        "statuses": statuses(),
        "topics": [exporter.topic(topic) for topic in edition.topics],
        "sources": [exporter.source(source) for source in edition.sources],
    }


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


@cache
def fonts() -> typst.Fonts:
    """The project's fonts and no others: neither the system's nor those built into Typst."""
    folders = [font_source_serif_pro.font_directory, font_source_sans_pro.font_directory]
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=folders)


@dataclass(frozen=True)
class Compiled:
    """One edition compiled: its PDF, its number of pages and the anchors of what it printed; or the engine's errors."""

    pdf: bytes = b""
    pages: int = 0
    printed: frozenset[str] = frozenset()
    errors: tuple[ContentError, ...] = ()


class Printer:
    """Compiles the template with one edition's data after another; one compiler serves them all, its fonts loaded once."""

    def __init__(self, templates: Path):
        self.compiler = typst.Compiler(templates / TEMPLATE, root=templates, font_paths=fonts(), ignore_system_fonts=True)

    def compile(self, data: str, as_of: date) -> Compiled:
        """The PDF of one edition's data; any error or warning of the engine is a ContentError."""
        try:
            # Dated from the content, so the same content gives the same bytes whenever it is printed.
            pdf, warnings = self.compiler.compile_with_warnings(
                format="pdf", sys_inputs={"data": data}, pdf_standards=PDF_STANDARDS, timestamp=_timestamp(as_of)
            )
            marks = json.loads(self.compiler.query("metadata", field="value"))
        except typst.TypstError as exc:
            return Compiled(errors=(_engine_problem("error", exc),))
        if warnings:
            return Compiled(errors=tuple(_engine_problem("warning", warning) for warning in warnings))
        pages = next(mark for mark in reversed(marks) if isinstance(mark, int))
        return Compiled(pdf, pages, frozenset(mark for mark in marks if isinstance(mark, str)))


# From this many editions on, two processes compile them (concurrent.futures): 1.6 times as fast at 41 editions
# (1,000 facts, bench/README.md). Typst holds Python's lock while it compiles, so threads would take turns.
PARALLEL_MIN_EDITIONS = 8
_printer: Printer | None = None  # a worker process's own, made once by _start_worker


def _start_worker(templates: Path) -> None:
    global _printer
    _printer = Printer(templates)


def _compile_in_worker(job: tuple[str, date]) -> Compiled:
    assert _printer is not None
    return _printer.compile(*job)


def compiled_editions(templates: Path, jobs: list[tuple[str, date]]) -> Iterator[Compiled]:
    """Each job's (data, as_of) compiled, in order; by two processes when there are enough jobs to pay for them."""
    workers = min(2, os.cpu_count() or 1)
    if len(jobs) < PARALLEL_MIN_EDITIONS or workers < 2:
        printer = Printer(templates)
        yield from (printer.compile(*job) for job in jobs)
        return
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(templates,)) as pool:
        yield from pool.map(_compile_in_worker, jobs)


def _timestamp(as_of: date) -> datetime:
    return datetime(as_of.year, as_of.month, as_of.day, tzinfo=timezone.utc)


def _engine_problem(kind: str, problem: typst.TypstError | typst.TypstWarning) -> ContentError:
    """Typst's error or warning on the template, as an editor's message: its own words, with its hints."""
    message = " ".join((getattr(problem, "message", "") or str(problem)).split())
    hints = "; ".join(getattr(problem, "hints", None) or [])
    return ContentError(f"templates/{TEMPLATE}", 0, 0, f"Typst {kind}: {message}{f' ({hints})' if hints else ''}: correct the template")


def missing_content(briefing: Briefing, edition: Edition, printed: Iterable[str]) -> list[ContentError]:
    """What the edition was given but its compiled document does not hold (printed: the marks it left)."""
    printed = set(printed)
    errors = []
    for anchor, what in expected_anchors(briefing, edition).items():
        if anchor not in printed:
            where, _, item = what.rpartition(": ")
            errors.append(ContentError(where or f"templates/{TEMPLATE}", 0, 0, f"{item} is missing from {edition.path}: check templates/{TEMPLATE}"))
    return errors


def write_pdfs(
    briefing: Briefing, templates: Path, output_dir: Path, paper: str = "a4", previous: Path | None = None, printed_before: Iterable[PrintedPdf] = ()
) -> list[PrintedPdf]:
    """Print every edition into output_dir; raises ContentErrors when any lost content, and output_dir is to be discarded.

    An edition whose print_key is that of a PDF in printed_before is linked from the folder
    previous instead of printed again.
    """
    before = {pdf.path: pdf for pdf in printed_before}
    template = (templates / TEMPLATE).read_bytes()
    printed, errors, jobs = [], [], []
    for edition in editions(briefing):
        data = json.dumps(print_data(briefing, edition, paper), ensure_ascii=False, separators=(",", ":"))
        key = print_key(template, data)
        old = before.get(edition.path)
        if previous is not None and old is not None and old.key == key and (previous / edition.path).is_file():
            (output_dir / edition.path).parent.mkdir(parents=True, exist_ok=True)
            os.link(previous / edition.path, output_dir / edition.path)
            printed.append(old)
        else:
            jobs.append((edition, key, data))
    for (edition, key, _), compiled in zip(jobs, compiled_editions(templates, [(data, edition.as_of) for edition, _, data in jobs])):
        errors += list(compiled.errors) or missing_content(briefing, edition, compiled.printed)
        if not errors:
            target = output_dir / edition.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(compiled.pdf)
            printed.append(PrintedPdf(edition.path, compiled.pages, key))
    if errors:
        raise ContentErrors(errors)
    order = [edition.path for edition in editions(briefing)]
    return sorted(printed, key=lambda pdf: order.index(pdf.path))


def print_key(template: bytes, data: str) -> str:
    """What a PDF is made from: the template, its data, Typst's version and this code."""
    digest = hashlib.sha256(f"{typst.__version__}\n{_OWN_DIGEST}\n".encode())
    digest.update(hashlib.sha256(template).digest())
    digest.update(data.encode("utf-8"))
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
