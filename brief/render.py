"""Stage 3, render: the validated Briefing as Markdown pages for MkDocs, written to a staging folder.

Content text becomes HTML here, once, through one markdown-it renderer with raw
HTML off. Pages carry that HTML in raw HTML blocks, which Python-Markdown leaves
alone, so nothing an editor writes is parsed a second time.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import os
import re
import string
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property, partial
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from .errors import ContentError, ContentErrors
from .load import GLOSSARY_FILE
from .models import FACT_REFERENCE, STATUS_MEANING, Citation, Fact, Figure, GlossaryTerm, format_number, long_date
from .briefing import Briefing, Dispute, FigureGroup, Passage, Source, Topic

SAFE_SCHEMES = ("http://", "https://", "mailto:")
LATEST_COUNT = 8


def content_markdown() -> MarkdownIt:
    """The one renderer for content text: CommonMark, no raw HTML, no images, web links only."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = lambda url: url.lower().startswith(SAFE_SCHEMES) or url.startswith("#")
    return md


_MD = content_markdown()


# Where no inline rule of the renderer can start (emphasis, code, links, escapes, entities,
# autolinks, line breaks), markdown-it returns the text with only `>` and `"` escaped.
_MARKDOWN_SYNTAX = re.compile(r"[\n\r\0\\`*_\[<&]")


def inline(text: str | None) -> Markup:
    """Inline Markdown of a content field as safe HTML."""
    text = text or ""
    if _MARKDOWN_SYNTAX.search(text) is None:  # most texts: markdown-it takes ~30 µs to say so
        return Markup(text.replace(">", "&gt;").replace('"', "&quot;"))
    return Markup(_MD.renderInline(text))


class GlossaryTooltips:
    """Wraps each glossary term in rendered HTML in an <abbr> whose title is its definition."""

    def __init__(self, terms: Iterable[GlossaryTerm]):
        self._definitions = {html.escape(name, quote=False): term.definition for term in terms for name in (term.term, *term.aliases)}
        names = sorted(self._definitions, key=len, reverse=True)  # longest first: "New START" before "START"
        # A term followed by a number or a capitalised word is the start of a longer name ("Power of Siberia 2"),
        # which the shorter term's definition does not describe.
        longer_name = r"(?![ \u00a0\-–]+(?:\d|[IVX]+\b|[A-Z][a-z]))"
        self._pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b" + longer_name) if names else None

    def __call__(self, rendered: Markup) -> Markup:
        if self._pattern is None:
            return rendered
        parts = re.split(r"(<[^>]*>)", str(rendered))
        inside_code = False
        for index, part in enumerate(parts):
            if part.startswith("<"):
                inside_code = part.startswith("<code") or (inside_code and part != "</code>")
            elif not inside_code:
                parts[index] = self._pattern.sub(self._tooltip, part)
        return Markup("".join(parts))

    def _tooltip(self, match: re.Match) -> str:
        definition = html.escape(self._definitions[match.group(0)])
        return f'<abbr class="brief-term" title="{definition}">{match.group(0)}</abbr>'


def text_fragment(quote: str) -> str:
    """A `#:~:text=` directive that highlights the quote in the original article.

    Long quotes use a start,end range so a small edit in the middle of the
    original does not break the link. `-`, `,` and `&` are directive syntax and
    must be percent-encoded; urllib's quote(safe="") would leave `-` as it is.
    """
    words = quote.split()
    parts = [" ".join(words)] if len(words) <= 8 else [" ".join(words[:4]), " ".join(words[-4:])]
    return "#:~:text=" + ",".join("".join(map(_FRAGMENT_BYTES.__getitem__, part.encode())) for part in parts)


# How each byte of a quote's UTF-8 is written in a text fragment: letters, digits and `_.~` as they are,
# any other byte percent-encoded. A table lookup per byte in C; urllib's quote runs Python per byte (0.15 s at 400 topics).
_FRAGMENT_BYTES = [chr(byte) if chr(byte) in string.ascii_letters + string.digits + "_.~" else f"%{byte:02X}" for byte in range(256)]


def fact_links(briefing: Briefing, rendered: Markup, root: str) -> Markup:
    """Rendered text with each [[fact-id]] made a link to that fact on its topic page, reading as the fact's text (never its id)."""

    def linked(match: re.Match) -> str:
        topic, fact = briefing.facts_by_id[match.group(1)]
        text = "“" + html.escape(inline(fact.text).striptags()) + "”"
        return f'<a class="brief-fact-ref" href="{root}topics/{topic.id}.html#fact-{fact.id}">{text}</a>'

    return Markup(FACT_REFERENCE.sub(linked, str(rendered)))


def referenced_texts(briefing: Briefing, written: Iterable[str | None]) -> tuple[tuple[str, str], ...]:
    """The id and text of every fact the written texts link to by [[id]]: what a page printing them shows of other facts."""
    ids = sorted({match.group(1) for text in written if text for match in FACT_REFERENCE.finditer(text)})
    return tuple((fact_id, briefing.facts_by_id[fact_id][1].text) for fact_id in ids)


@dataclass(frozen=True)
class CitationRef:
    """A citation as a page shows it: its number on the page and where its link lands."""

    number: int
    citation: Citation
    source: Source
    passage: Passage


class PageCitations:
    """Numbers citations in the order a page first shows them; the same passage keeps one number."""

    def __init__(self, briefing: Briefing):
        self._briefing = briefing
        self._refs: dict[Passage, CitationRef] = {}

    def __call__(self, citation: Citation) -> CitationRef:
        passage = self._briefing.passage(citation)
        if passage not in self._refs:
            source = self._briefing.sources[citation.source]
            self._refs[passage] = CitationRef(len(self._refs) + 1, citation, source, passage)
        return self._refs[passage]

    def all(self) -> list[CitationRef]:
        return list(self._refs.values())


@dataclass(frozen=True)
class Segment:
    """A run of source text, marked when it lies inside cited passages."""

    text: str
    passages: tuple[Passage, ...]
    opens: tuple[Passage, ...]  # passages that start here, for their anchors


@dataclass(frozen=True)
class Block:
    kind: str  # "p" or "h2"
    segments: tuple[Segment, ...]


def source_blocks(source: Source) -> list[Block]:
    """The source text as paragraphs and subheadings, cut where cited passages begin and end."""
    text = source.text.original
    blocks = []
    for start, end in _paragraph_spans(text):
        kind = "p"
        if text.startswith("## ", start):
            kind, start = "h2", start + 3
        blocks.append(Block(kind, tuple(_segments(text, start, end, source.passages))))
    return blocks


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    offset = 0
    for chunk in text.split("\n\n"):
        stripped = chunk.strip()
        if stripped:
            start = offset + chunk.index(stripped)
            yield start, start + len(stripped)
        offset += len(chunk) + 2


def _segments(text: str, start: int, end: int, passages: Iterable[Passage]) -> Iterator[Segment]:
    inside = [p for p in passages if p.start < end and p.end > start]
    cuts = sorted({start, end} | {max(start, min(end, edge)) for p in inside for edge in (p.start, p.end)})
    for left, right in zip(cuts, cuts[1:]):
        covering = tuple(p for p in inside if p.start <= left and p.end >= right)
        opens = tuple(p for p in inside if p.start == left)
        yield Segment(text[left:right], covering, opens)


# Python-Markdown (run by MkDocs) looks for fenced code before it sets raw HTML
# blocks aside, so a content line starting with ``` inside our HTML would open a
# code block and swallow the rest of the page. Content therefore reaches a page
# without line breaks: in HTML a line break and a space read the same.
_LINE_BREAKS = re.compile(r"[\r\n]+")


def one_line(value: object) -> object:
    """A text value with its line breaks made spaces; Markup stays Markup, anything else is left as it is."""
    # Every value a template prints passes here; most have no line break, and `in` is far cheaper than sub.
    if not isinstance(value, str) or ("\n" not in value and "\r" not in value):
        return value
    joined = _LINE_BREAKS.sub(" ", value)
    return Markup(joined) if isinstance(value, Markup) else joined


def _finalized(value: object) -> object:
    """A value a template prints, before escaping: plain values are content text, made one line.

    Markup comes from macros (the template's own lines) or from the filters, which make it one line themselves.
    """
    return value if isinstance(value, Markup) else one_line(value)


def template_env(templates: Path, glossary: Iterable[GlossaryTerm] = ()) -> jinja2.Environment:
    """The Jinja environment for the site pages, with the shared filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalized,
        auto_reload=False,  # an environment lives for one render or print: no template changes meanwhile
    )
    tooltips = GlossaryTooltips(glossary)
    # A fact's text shows on its topic page, the timeline and its sources' pages (the last two
    # `| inline | striptags`): each text is rendered, and its tags stripped, once.
    env.filters["inline"] = cache(lambda text: one_line(tooltips(inline(text))))
    env.filters["striptags"] = cache(jinja2.filters.do_striptags)
    env.filters["text_fragment"] = text_fragment
    # MkDocs prints page titles into the theme unescaped, so they are escaped here; ASCII
    # escapes keep U+2028 and U+0085, which YAML reads as line breaks, exactly as written.
    env.filters["front_matter_title"] = lambda title: Markup(json.dumps(html.escape(title)))
    env.filters["number"] = format_number
    env.filters["longdate"] = cache(long_date)  # a source's date is printed by each citation of it
    env.globals["status_help"] = STATUS_MEANING
    env.globals["source_blocks"] = source_blocks
    return env


def render_template(env: jinja2.Environment, name: str, **context: object) -> str:
    """The template rendered; a mistake in a template is a ContentError at its line, not a traceback."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        message = f"template syntax: {exc.message}: correct the template"
        raise ContentErrors([ContentError(f"templates/{exc.name or name}", exc.lineno, 1, message)]) from exc
    except jinja2.TemplateError as exc:
        where, line = _template_line(exc, name)
        message = f"template error: {exc.message}: correct the template"
        raise ContentErrors([ContentError(f"templates/{where}", line, 1 if line else 0, message)]) from exc


def _template_line(exc: Exception, name: str) -> tuple[str, int]:
    """The template file and line an error was raised at: Jinja rewrites the traceback to point there."""
    found = (name, 0)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.endswith(".j2"):
            found = (Path(frame.f_code.co_filename).name, line)
    return found


@dataclass(frozen=True)
class Page:
    """One page of the site: its path in the docs folder and its Markdown, encoded as UTF-8 where it was rendered."""

    path: str
    data: bytes


@dataclass(frozen=True)
class PageSpec:
    """A page to render: where it goes, its template and context, and every value of the content it prints.

    Two specs of one path whose `shows()` are equal render the same text, as long as what
    every page prints (RenderedSite.common) is the same too; so the last text is kept.
    `shows` is called only when a render is to be compared or remembered.
    """

    path: str
    template: str
    context: dict[str, object]
    shows: Callable[[], object]


@dataclass(frozen=True)
class RenderedSite:
    """The rendered pages with what each shows (None if not remembered): where the next render can start from."""

    common: tuple
    rendered: dict[str, tuple[object, Page]]

    @property
    def pages(self) -> list[Page]:
        return [page for _, page in self.rendered.values()]


# Above this many dated facts the timeline is an index of months, each on its own page:
# one page of 10,000 facts weighs 5 MB, and every dated fact's edit would rebuild all of it.
TIMELINE_PAGE_MAX = 400


class SiteRenderer:
    """Renders every page of the site from the Briefing through the templates."""

    def __init__(self, briefing: Briefing, templates: Path, subject: str, stale_after_days: int, edit_base: str | None = None):
        self.briefing = briefing
        self.edit_base = edit_base
        self.env = template_env(templates, briefing.glossary)
        self.env.globals["subject"] = subject
        self.env.globals["stale_after_days"] = stale_after_days
        # A changed template may change every page, so the templates are part of what every page shows.
        # So are the inferred dates, which come from sources' metadata as well as the facts.
        self.common = (files_digest(templates), subject, stale_after_days, edit_base, briefing.as_of, briefing.glossary, briefing.inferred_dates)
        # Indexes built once: looking these up per page made rendering grow with pages × facts.
        self.topic_of = {fact.id: topic for topic in briefing.topics for fact in topic.sheet.facts}
        self.citing = _citing_by_source(briefing)
        self.env.filters["fact_links"] = partial(fact_links, briefing)

    def render(self, previous: RenderedSite | None = None, remember: bool = False) -> RenderedSite:
        """Every page; a page that shows the same as in previous keeps its text from there.

        With remember, what each page shows is kept in the result for the next render to compare.
        """
        kept = previous.rendered if previous is not None and previous.common == self.common else {}
        specs = list(self.specs())
        shows = {spec.path: spec.shows() for spec in specs} if kept or remember else {}
        new = self._pages([spec for spec in specs if spec.path not in kept or kept[spec.path][0] != shows[spec.path]])
        return RenderedSite(self.common, {spec.path: (shows.get(spec.path), new.get(spec.path) or kept[spec.path][1]) for spec in specs})

    def _pages(self, specs: list[PageSpec]) -> dict[str, Page]:
        return {spec.path: Page(spec.path, self._markdown(spec).encode("utf-8")) for spec in specs}

    def specs(self) -> Iterator[PageSpec]:
        briefing = self.briefing
        latest = self._dated_facts[:LATEST_COUNT]
        context = {"latest": latest, "cite": PageCitations(briefing)}
        yield PageSpec("index.md", "overview.md.j2", context, partial(self._overview_shows, latest))
        yield from self._timeline_specs()
        yield PageSpec("sources/index.md", "sources.md.j2", {}, self._source_list_shows)
        yield PageSpec("methodology.md", "methodology.md.j2", {}, lambda: (briefing.fact_count, len(briefing.sources)))
        if briefing.glossary:
            cites = [citation for term in briefing.glossary for citation in term.cite]
            yield PageSpec("glossary.md", "glossary.md.j2", {"cite": PageCitations(briefing)}, partial(self._refs_shown, cites))
        for topic in briefing.topics:
            disputes, compared = briefing.disputes_by_topic.get(topic.id, ()), briefing.comparisons_by_topic.get(topic.id, ())
            context = {"topic": topic, "cite": PageCitations(briefing), "disputes": disputes, "compared": compared}
            yield PageSpec(f"topics/{topic.id}.md", "topic.md.j2", context, partial(self._topic_shows, topic, disputes, compared))
        for source in briefing.sources.values():
            citing = self.citing.get(source.id, [])
            yield PageSpec(f"sources/{source.id}.md", "source.md.j2", {"source": source, "citing": citing}, partial(_source_shows, source, citing))

    def _topic_shows(self, topic: Topic, disputes: tuple[Dispute, ...], compared: tuple[FigureGroup, ...]) -> tuple:
        shown_facts = [fact for dispute in disputes for _, fact in (dispute.first, dispute.second)]
        shown_figures = [figure for group in compared for _, figure in group.entries]
        cites = [c for item in (*topic.sheet.figures, *topic.sheet.facts, *shown_facts, *shown_figures) for c in item.citations]
        return (
            topic.name,
            topic.sheet,
            tuple(((a.id, a.sheet.title, x), (b.id, b.sheet.title, y)) for (a, x), (b, y) in ((d.first, d.second) for d in disputes)),
            tuple(tuple((t.id, t.sheet.title, figure) for t, figure in group.entries) for group in compared),
            self._refs_shown(cites),
            referenced_texts(self.briefing, [topic.sheet.summary, *(item.note for item in (*topic.sheet.figures, *topic.sheet.facts, *shown_facts, *shown_figures))]),
        )

    def _overview_shows(self, latest: list[tuple[Fact, Topic]]) -> tuple:
        briefing = self.briefing
        return (
            tuple((t.id, t.sheet.title, t.sheet.summary, t.sheet.as_of, len(t.sheet.facts)) for t in briefing.topics),
            referenced_texts(briefing, [t.sheet.summary for t in briefing.topics]),
            _entries_shown(latest),
            tuple(tuple((t.id, figure) for t, figure in group.entries) for group in briefing.figure_groups),
            self._refs_shown(c for group in briefing.figure_groups for _, figure in group.entries for c in figure.citations),
            briefing.fact_count,
            len(briefing.sources),
        )

    def _source_list_shows(self) -> tuple:
        return tuple((s.id, s.display_title, s.meta, len(s.passages)) for s in self.briefing.sources.values())

    def _refs_shown(self, citations: Iterable[Citation]) -> tuple:
        """What a page prints of each citation: its quote, its passage and its source."""
        sources, passage = self.briefing.sources, self.briefing.passage
        return tuple((c.quote, sources[c.source].display_title, sources[c.source].meta, passage(c)) for c in citations)

    def _timeline_specs(self) -> Iterator[PageSpec]:
        months = self._timeline_months()
        if sum(len(entries) for _, entries in months) <= TIMELINE_PAGE_MAX:
            yield self._timeline_spec("timeline.md", months)
            return
        index = [(key, entries[0][0].date.month_label, len(entries), entries[0][0].date.year) for key, entries in months]
        context = {"months": [], "index": index, "topics": [], "month_label": None}
        yield PageSpec("timeline.md", "timeline.md.j2", context, partial(tuple, index))
        for number, (key, entries) in enumerate(months):
            around = {
                "month_label": index[number][1],
                "newer": index[number - 1] if number else None,
                "older": index[number + 1] if number + 1 < len(index) else None,
            }
            yield self._timeline_spec(f"timeline/{key}.md", [(key, entries)], **around)

    def _timeline_spec(self, path: str, months: list[tuple[str, list[tuple[Fact, Topic]]]], **around: object) -> PageSpec:
        present = {topic.id for _, entries in months for _, topic in entries}
        topics = [topic for topic in self.briefing.topics if topic.id in present]
        context = {"months": months, "index": None, "topics": topics, "month_label": None, "newer": None, "older": None, **around}
        return PageSpec(path, "timeline.md.j2", context, partial(_timeline_shows, months, topics, around))

    def _markdown(self, spec: PageSpec) -> str:
        path = spec.path
        root = "../" * path.count("/")
        context = spec.context
        edit_path = _edit_path(path, spec.template, context)
        edit_url = self.edit_base + edit_path if self.edit_base else None
        return render_template(
            self.env,
            spec.template,
            briefing=self.briefing, root=root, page_path=path, topic_of=self.topic_of, edit_path=edit_path, edit_url=edit_url, **context
        )

    @cached_property
    def _dated_facts(self) -> list[tuple[Fact, Topic]]:
        dated = [(fact, topic) for topic in self.briefing.topics for fact in topic.sheet.facts if fact.date]
        # The order of (date, id), in plain tuples: PartialDate's generated comparisons cost 0.15 s at 10,000 facts.
        return sorted(dated, key=lambda pair: (pair[0].date.year, pair[0].date.month, pair[0].date.day, pair[0].id), reverse=True)

    def _timeline_months(self) -> list[tuple[str, list[tuple[Fact, Topic]]]]:
        months: dict[str, list[tuple[Fact, Topic]]] = {}
        for fact, topic in self._dated_facts:
            months.setdefault(fact.date.month_key, []).append((fact, topic))
        return list(months.items())


def _source_shows(source: Source, citing: list[tuple[Topic, Fact | Figure]]) -> tuple:
    return (source.name, source.meta, source.text.original, source.passages, tuple((t.id, t.sheet.title, item) for t, item in citing))


def _timeline_shows(months: list[tuple[str, list[tuple[Fact, Topic]]]], topics: list[Topic], around: dict[str, object]) -> tuple:
    return (tuple((key, _entries_shown(entries)) for key, entries in months), tuple((t.id, t.sheet.title) for t in topics), tuple(around.items()))


def _entries_shown(entries: Iterable[tuple[Fact, Topic]]) -> tuple:
    return tuple((fact, topic.id, topic.sheet.title) for fact, topic in entries)


def files_digest(folder: Path, wanted: Callable[[Path], bool] = lambda path: True) -> str:
    """The names and bytes of the files under folder that wanted keeps: what a render or print is made with."""
    digest = hashlib.sha256()
    for path in sorted(path for path in folder.rglob("*") if path.is_file() and wanted(path)):
        digest.update(f"{path.relative_to(folder).as_posix()}\n".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _citing_by_source(briefing: Briefing) -> dict[str, list[tuple[Topic, Fact | Figure]]]:
    """For each source id, the figures and facts that cite it, in topic order."""
    citing: dict[str, list[tuple[Topic, Fact | Figure]]] = defaultdict(list)
    for topic in briefing.topics:
        for item in (*topic.sheet.figures, *topic.sheet.facts):
            for source_id in dict.fromkeys(citation.source for citation in item.citations):
                citing[source_id].append((topic, item))
    return citing


def _edit_path(path: str, template: str, context: dict) -> str:
    """The repository file an editor changes to change a page: its fact sheet or source, else what it is made from.

    The pages themselves are generated, so an edit link to them would lead nowhere.
    """
    if isinstance(context.get("topic"), Topic):
        return context["topic"].name
    if isinstance(context.get("source"), Source):
        return context["source"].name
    return GLOSSARY_FILE if path == "glossary.md" else f"templates/{template}"


def render_site(
    briefing: Briefing,
    templates: Path,
    subject: str,
    stale_after_days: int,
    edit_base: str | None = None,
    previous: RenderedSite | None = None,
    remember: bool = False,
) -> RenderedSite:
    """Every page of the site, rendered in memory, headed by the briefing's subject; sheets older than stale_after_days get flagged.

    With edit_base (see site.edit_base_url), each page links to the file an editor changes.
    With previous, the render of an earlier briefing, only pages that show something new are rendered;
    remember keeps what each page shows in the result, to be the previous of the next render.
    """
    return SiteRenderer(briefing, templates, subject, stale_after_days, edit_base).render(previous, remember)


def write_pages(pages: list[Page], assets: list[Path], docs: Path) -> list[str]:
    """Write pages and assets into docs, touching only files whose bytes change; return what changed.

    Unchanged files keep their timestamps so MkDocs' dirty rebuild skips them;
    files no page produces any more are removed. A file already there is replaced
    whole, so MkDocs serving the folder never reads half a page.
    """
    wanted = {page.path: page.data for page in pages}
    wanted.update({f"assets/{asset.name}": asset.read_bytes() for asset in assets})
    existing, folders_there = _tree(docs)
    folders: set[str] = set()
    changed = []
    for relative, data in sorted(wanted.items()):
        target = os.path.join(docs, relative)
        if relative in existing:
            if _read(target) == data:
                continue
            _write(target + ".tmp", data)
            os.replace(target + ".tmp", target)
            existing.discard(relative + ".tmp")  # a killed run's, replaced and renamed away just now
        else:
            folder = os.path.dirname(target)
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            _write(target, data)  # a new file: no one has read it yet
        changed.append(relative)
    for relative in sorted(existing - wanted.keys(), reverse=True):
        os.unlink(os.path.join(docs, relative))
        changed.append(relative)
    for folder in sorted(folders_there, reverse=True):
        if not os.listdir(folder):
            os.rmdir(folder)
    return changed


# Files are read and written with os calls and unbuffered files: at 1,500 pages, pathlib and
# buffered files made five times as many system calls, and the calls cost more than the bytes.


def _tree(folder: Path) -> tuple[set[str], list[str]]:
    """The files under folder, as paths relative to it with `/`, and the folders under it, in one walk."""
    files: set[str] = set()
    folders: list[str] = []
    for top, names, file_names in os.walk(folder):
        folders += [os.path.join(top, name) for name in names]
        files |= {os.path.relpath(os.path.join(top, name), folder).replace(os.sep, "/") for name in file_names}
    return files, folders


def _read(path: str) -> bytes:
    with open(path, "rb", buffering=0) as file:
        return file.readall()


def _write(path: str, data: bytes) -> None:
    with open(path, "wb", buffering=0) as file:
        written = file.write(data)
    if written != len(data):  # an unbuffered write can stop short (a full disk) without failing
        raise OSError(errno.ENOSPC, "could not write the whole file", path)
