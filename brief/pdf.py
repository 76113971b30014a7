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
import multiprocessing
import os
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cache
from itertools import repeat
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro
import typst

from .commit import UNVERSIONED
from .errors import ContentError, ContentErrors
from .load import leads_outside
from .export import Exporter, figure_anchor, statuses
from .models import Citation, long_date
from .briefing import Briefing, Source, Topic

TEMPLATE = "print.typ"
WHOLE_PDF = "briefing.pdf"
TOPIC_PDF_DIR = "pdf"
PAPER_SIZES = {"a4": "a4", "letter": "us-letter"}
# Tagged for accessibility, and checked by Typst against PDF/UA-1 as it writes.
PDF_STANDARDS = ["ua-1"]


@dataclass(frozen=True)
class Edition:
    """What one PDF prints: the whole briefing, a volume of it, or one topic, with the sources those topics cite."""

    path: str  # inside the output folder: briefing.pdf, briefing-volume-<n>.pdf or pdf/<topic>.pdf
    label: str  # the kind of document: above the title on the cover, or first in a topic's header block
    title: str
    subtitle: str
    running_title: str  # at the head of every page but the cover
    topics: tuple[Topic, ...]
    sources: tuple[Source, ...]
    as_of: date
    subject: str  # what the briefing is about (mkdocs.yml: extra.brief.subject)
    volumes: tuple[Edition, ...] = ()  # for briefing.pdf when the briefing is published in volumes: what they are

    @property
    def whole(self) -> bool:
        """Whether this is the briefing (or a volume of it) rather than one topic's PDF."""
        return not self.path.startswith(TOPIC_PDF_DIR + "/")

    @property
    def fact_count(self) -> int:
        return sum(len(topic.sheet.facts) for topic in self.topics)

    @property
    def figure_count(self) -> int:
        return sum(len(topic.sheet.figures) for topic in self.topics)


# Above this many facts the whole briefing is published in volumes of consecutive topics, each a complete PDF
# with its cover, contents and page numbers, and briefing.pdf lists them: the memory of one compile grows
# faster than its number of facts (figures in bench/README.md).
VOLUME_FACTS = 1000


def editions(briefing: Briefing, subject: str) -> list[Edition]:
    """The whole briefing first (and its volumes, when it has them), then one edition per topic."""
    volumes = volumes_of(briefing, subject) if briefing.fact_count > VOLUME_FACTS else ()
    whole = Edition(
        WHOLE_PDF,
        "Briefing",
        subject,
        "Key judgements, figures and facts, each cited to an archived source",
        f"{subject}: a briefing",
        () if volumes else briefing.topics,
        () if volumes else cited_sources(briefing, briefing.topics),
        briefing.as_of,
        subject,
        volumes,
    )
    per_topic = [
        Edition(
            f"{TOPIC_PDF_DIR}/{topic.id}.pdf",
            "Topic briefing",
            topic.sheet.title,
            subject,
            f"{subject}: {topic.sheet.title}",
            (topic,),
            cited_sources(briefing, (topic,)),
            topic.sheet.as_of,
            subject,
        )
        for topic in briefing.topics
    ]
    return [whole, *volumes, *per_topic]


def volumes_of(briefing: Briefing, subject: str) -> tuple[Edition, ...]:
    """The topics in order, cut into volumes of at most VOLUME_FACTS facts (a larger topic is a volume of its own)."""
    groups: list[list[Topic]] = [[]]
    for topic in briefing.topics:
        if groups[-1] and sum(len(t.sheet.facts) for t in groups[-1]) + len(topic.sheet.facts) > VOLUME_FACTS:
            groups.append([])
        groups[-1].append(topic)
    return tuple(
        Edition(
            f"briefing-volume-{number}.pdf",
            f"Briefing · volume {number} of {len(groups)}",
            subject,
            f"{topics[0].sheet.title} to {topics[-1].sheet.title}" if len(topics) > 1 else topics[0].sheet.title,
            f"{subject}: a briefing, volume {number} of {len(groups)}",
            tuple(topics),
            cited_sources(briefing, tuple(topics)),
            max(topic.sheet.as_of for topic in topics),
            subject,
        )
        for number, topics in enumerate(groups, 1)
    )


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


def shown_citations(briefing: Briefing, topic: Topic) -> list[Citation]:
    """Every citation a topic's section prints: its figures' and facts', their confirmations', and the compared figures'."""
    compared = [figure for group in briefing.comparisons_by_topic.get(topic.id, ()) for _, figure in group.entries]
    return [c for item in (*topic.sheet.figures, *topic.sheet.facts, *compared) for c in item.citations]


def expected_anchors(briefing: Briefing, edition: Edition) -> dict[str, str]:
    """Every anchor the edition must print, with what it is and the file it comes from."""
    expected = {"sources": "the list of sources"} if edition.sources else {}
    if edition.whole:
        expected["contents"] = "the contents"
    if has_summary(briefing, edition):
        expected["summary"] = "the summary"
    for topic in edition.topics:
        expected[f"topic-{topic.id}"] = f"{topic.name}: the topic"
        for number, figure in enumerate(topic.sheet.figures, 1):
            expected[figure_anchor(topic, number)] = f"{topic.name}: figure {figure.metric!r}"
        for fact in topic.sheet.facts:
            expected[f"fact-{fact.id}"] = f"{topic.name}: fact {fact.id!r}"
        for number in range(1, len(shown_citations(briefing, topic)) + 1):
            expected[f"note-{topic.id}-{number}"] = f"{topic.name}: note {number}"
    for source in edition.sources:
        expected[f"source-{source.id}"] = f"{source.name}: the source"
    return expected


def has_summary(briefing: Briefing, edition: Edition) -> bool:
    """Whether the edition opens with a summary: the briefing and each volume do, when they print topics or the
    briefing has a bottom line; a topic's PDF opens with the topic's own key judgement."""
    return edition.whole and bool(edition.topics or briefing.overview)


def print_data(briefing: Briefing, edition: Edition, paper: str = "a4", commit: str = UNVERSIONED) -> dict:
    """Everything one PDF prints, as plain data for the template; commit is what it was built from (see commit.built_from)."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper {paper!r} is not one of {', '.join(PAPER_SIZES)}")
    exporter = Exporter(briefing, edition.topics, edition.sources)
    parts = edition.volumes or (edition,)  # the front of a briefing in volumes speaks for all of them
    facts, figures = sum(part.fact_count for part in parts), sum(part.figure_count for part in parts)
    sources = len({source.id for part in parts for source in part.sources})
    scope = f"Draws on {_count(facts, 'fact')}" + (f" and {_count(figures, 'key figure')}" if figures else "")
    scope += f" from {_count(sources, 'archived source')}. Every claim names who makes it and cites the exact words of its source; every quotation has been checked against the archived text."
    as_of = f"As of {long_date(edition.as_of)}"
    topics = [exporter.topic(topic) for topic in edition.topics]
    return {
        "document": {
            "title": f"{edition.running_title}, as of {long_date(edition.as_of)}",
            "description": f"{_count(facts, 'fact')} from {_count(sources, 'archived source')}, every quotation checked against its source.",
            "label": edition.label,
            "heading": edition.title,
            "subtitle": edition.subtitle,
            "running_title": edition.running_title,
            "footer": (edition.title if edition.whole else f"{edition.subject}: {edition.title}") + f" · {commit}",
            # The briefing's edition on every PDF, a topic's too: the site's pages name the same.
            "edition": f"Edition of {long_date(briefing.as_of)} · {commit}",
            "as_of_line": as_of,
            "scope": scope,
            "whole": edition.whole,
            "paper": PAPER_SIZES[paper],
        },
        "statuses": statuses(),
        "topics": topics,
        "summary": exporter.summary(topics) if has_summary(briefing, edition) else None,
        "sources": [exporter.source(source) for source in edition.sources],
        "volumes": [{"file": volume.path, "title": volume.label, "topics": [topic.sheet.title for topic in volume.topics]} for volume in edition.volumes],
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


# From this many editions on, two processes compile them (concurrent.futures): below it, starting a second
# process costs more than it saves. Typst holds Python's lock while it compiles, so threads would take turns.
PARALLEL_MIN_EDITIONS = 8
# Typst keeps what it laid out for the next compiles of its process, hundreds of MiB a volume, and
# lets it go only after several more: each batch is compiled in a process of its own, which then ends. Whoever
# calls write_pdfs from a script of their own guards it with `if __name__ == "__main__":`, as build.py does.
BATCH_FACTS = VOLUME_FACTS


def compiled_editions(templates: Path, jobs: list[tuple[Edition, str]]) -> Iterator[Compiled]:
    """Each job's edition compiled with its data, in order; by two processes when there are enough jobs to pay for them."""
    workers = min(2, os.cpu_count() or 1)
    if len(jobs) < PARALLEL_MIN_EDITIONS or workers < 2:
        yield from _compiled_batch(templates, [(data, edition.as_of) for edition, data in jobs])
        return
    # Each batch's process is started anew ("spawn", as on macOS and Windows; it imports this module afresh),
    # a child of this one, so its memory counts as this process's children's.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1) as pool:
        for compiled in pool.map(_compiled_batch, repeat(templates), batches(jobs)):
            yield from compiled


def batches(jobs: list[tuple[Edition, str]]) -> Iterator[list[tuple[str, date]]]:
    """The jobs' (data, as_of) in runs of about BATCH_FACTS facts, in order."""
    batch: list[tuple[str, date]] = []
    facts = 0
    for edition, data in jobs:
        if batch and facts + edition.fact_count > BATCH_FACTS:
            yield batch
            batch, facts = [], 0
        batch.append((data, edition.as_of))
        facts += edition.fact_count
    if batch:
        yield batch


def _compiled_batch(templates: Path, batch: list[tuple[str, date]]) -> list[Compiled]:
    printer = Printer(templates)
    return [printer.compile(data, as_of) for data, as_of in batch]


def _reusable(path: Path, site: Path) -> bool:
    """Whether a PDF of the last build may be linked into the new one: a file of site/ itself, not one a link leads to."""
    return path.is_file() and not leads_outside(path, site)


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
    briefing: Briefing,
    templates: Path,
    output_dir: Path,
    subject: str,
    paper: str = "a4",
    previous: Path | None = None,
    printed_before: Iterable[PrintedPdf] = (),
    commit: str = UNVERSIONED,
) -> list[PrintedPdf]:
    """Print every edition into output_dir, each naming commit; raises ContentErrors when any lost content, and output_dir is to be discarded.

    An edition whose print_key is that of a PDF in printed_before is linked from the folder
    previous instead of printed again.
    """
    before = {pdf.path: pdf for pdf in printed_before}
    template = (templates / TEMPLATE).read_bytes()
    printed, errors, jobs = [], [], []
    for edition in editions(briefing, subject):
        data = json.dumps(print_data(briefing, edition, paper, commit), ensure_ascii=False, separators=(",", ":"))
        key = print_key(template, data)
        old = before.get(edition.path)
        if previous is not None and old is not None and old.key == key and _reusable(previous / edition.path, previous):
            (output_dir / edition.path).parent.mkdir(parents=True, exist_ok=True)
            os.link(previous / edition.path, output_dir / edition.path)
            printed.append(old)
        else:
            jobs.append((edition, key, data))
    for (edition, key, _), compiled in zip(jobs, compiled_editions(templates, [(edition, data) for edition, _, data in jobs])):
        errors += list(compiled.errors) or missing_content(briefing, edition, compiled.printed)
        if not errors:
            target = output_dir / edition.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(compiled.pdf)
            printed.append(PrintedPdf(edition.path, compiled.pages, key))
    if errors:
        raise ContentErrors(errors)
    order = [edition.path for edition in editions(briefing, subject)]
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
    # With the old folder, any a killed pdf left: no other pdf is running (see site.building).
    for left in site.glob(f".{TOPIC_PDF_DIR}-old-*"):
        shutil.rmtree(left, ignore_errors=True)
