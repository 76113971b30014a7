"""Stage 3, render: the validated Briefing as Markdown pages for MkDocs, written to a staging folder.

Content text becomes HTML once, in markup.py. A page's template sees its spec's context,
the settings every page shares (SiteRenderer.common), and what it looks up in the briefing
through `cite` and `fact_links`, which note each lookup (Lookups). That is all a page can
print, so it is all a page depends on: a render given the last one renders again only the
pages whose context or lookups now differ, and nothing has to list what a page shows.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from pathlib import Path

import jinja2
from markupsafe import Markup

from .briefing import Briefing, Passage, Source, Topic, TopicRef, fact_page
from .citing import cite_this
from .claims import claims_script
from .commit import UNVERSIONED
from .errors import ContentError, ContentErrors
from .load import GLOSSARY_FILE
from .markup import GlossaryTooltips, inline, one_line, source_blocks, text_fragment
from .models import FACT_REFERENCE, STATUS_MEANING, Citation, Fact, Figure, GlossaryTerm, Judgement, format_number, long_date

LATEST_COUNT = 8
# Past this many topics the overview's key judgements leave the marks of the facts they rest on to the topic
# pages: each mark names its fact, so with hundreds of topics every fact edit would change the overview, the
# site's largest page, and rebuild it.
OVERVIEW_FACT_MARKS_MAX = 40
# Above this many dated facts the timeline is an index of months, each on its own page:
# one page of every fact would be megabytes, rebuilt on every dated fact's edit.
TIMELINE_PAGE_MAX = 400


class Lookups:
    """What a page looked up in the briefing while it rendered, and what it found: citations' passages, linked facts.

    Each thing found is kept under its own key, never paired with another in a tuple: serve keeps
    every page's finds, and a pair would be one more object for the collector to walk.
    """

    def __init__(self, briefing: Briefing):
        self._briefing = briefing
        self.found: dict[tuple[str, ...], object] = {}

    def citation(self, citation: Citation) -> tuple[Source, Passage]:
        return self._found(("source", citation.source)), self._found(("citation", *citation.quote_key))  # type: ignore[return-value]

    def fact(self, fact_id: str) -> tuple[TopicRef, Fact]:
        return self._found(("topic of", fact_id)), self._found(("fact", fact_id))  # type: ignore[return-value]

    def _found(self, key: tuple[str, ...]) -> object:
        if key not in self.found:
            self.found[key] = _looked_up(self._briefing, key)
        return self.found[key]


def _finds_the_same(found: dict[tuple[str, ...], object], briefing: Briefing) -> bool:
    """Whether every lookup of a page (Lookups.found) finds the same in briefing."""
    return all(_looked_up(briefing, key, missing=None) == value for key, value in found.items())


_MISSING = object()


def _looked_up(briefing: Briefing, key: tuple[str, ...], missing: object = _MISSING) -> object:
    try:
        if key[0] == "source":
            return briefing.sources[key[1]]
        if key[0] == "citation":
            return briefing.passages[(key[1], key[2])]
        topic, fact = briefing.facts_by_id[key[1]]
        # The topic only as named, so that a page naming a fact does not depend on the rest of its topic.
        return fact if key[0] == "fact" else topic.ref
    except KeyError:
        if missing is _MISSING:
            raise
        return missing


@jinja2.pass_context
def _fact_links(context: jinja2.runtime.Context, rendered: Markup, root: str) -> Markup:
    """Rendered text with each [[fact-id]] made a link to that fact on its topic page, reading as the fact's text (never its id)."""
    lookups: Lookups = context["lookups"]

    def linked(match: re.Match) -> str:
        topic, fact = lookups.fact(match.group(1))
        text = "“" + html.escape(inline(fact.text).striptags()) + "”"
        return f'<a class="brief-fact-ref" href="{root}{fact_page(topic.id, fact.id)}">{text}</a>'

    return Markup(FACT_REFERENCE.sub(linked, str(rendered)))


@dataclass(frozen=True)
class CitationRef:
    """A citation as a page shows it: its number on the page and where its link lands."""

    number: int
    citation: Citation
    source: Source
    passage: Passage


class PageCitations:
    """Numbers citations in the order a page first shows them; the same passage keeps one number."""

    def __init__(self, lookups: Lookups):
        self._lookups = lookups
        self._refs: dict[Passage, CitationRef] = {}

    def __call__(self, citation: Citation) -> CitationRef:
        source, passage = self._lookups.citation(citation)
        if passage not in self._refs:
            self._refs[passage] = CitationRef(len(self._refs) + 1, citation, source, passage)
        return self._refs[passage]

    def all(self) -> list[CitationRef]:
        return list(self._refs.values())


@dataclass(frozen=True)
class BasisRef:
    """A fact a judgement rests on, as a page shows it: numbered in the order the page first names it, never by its id."""

    number: int
    topic: TopicRef
    fact: Fact


class PageFacts:
    """Numbers the facts a page's judgements and watch items rest on; the same fact keeps one number on the page."""

    def __init__(self, lookups: Lookups):
        self._lookups = lookups
        self._refs: dict[str, BasisRef] = {}

    def __call__(self, fact_id: str) -> BasisRef:
        if fact_id not in self._refs:
            topic, fact = self._lookups.fact(fact_id)
            self._refs[fact_id] = BasisRef(len(self._refs) + 1, topic, fact)
        return self._refs[fact_id]


def _finalized(value: object) -> object:
    """A value a template prints, before escaping: plain values are content text, made one line.

    Markup comes from macros (the template's own lines) or from the filters, which make it one line themselves.
    """
    return value if isinstance(value, Markup) else one_line(value)


def template_env(templates: Path, glossary: Iterable[GlossaryTerm] = (), compiled: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """The Jinja environment for the site pages, with the shared filters; compiled keeps compiled templates for the next render."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalized,
        bytecode_cache=compiled,
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
    env.filters["fact_links"] = _fact_links
    env.globals["claims_script"] = claims_script
    env.globals["cite_this"] = cite_this
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
class TopicCard:
    """A topic as the overview's key judgements show it: a card holding no fact, so that editing a fact
    leaves the overview, the site's largest page, as it was unless the fact is one it names."""

    id: str
    title: str
    summary: list[Judgement]
    as_of: date
    fact_count: int

    @classmethod
    def of(cls, topic: Topic) -> TopicCard:
        return cls(topic.id, topic.sheet.title, topic.sheet.summary, topic.sheet.as_of, len(topic.sheet.facts))


@dataclass(frozen=True)
class Page:
    """One page of the site: its path in the docs folder and its Markdown, encoded as UTF-8 where it was rendered."""

    path: str
    data: bytes


@dataclass(frozen=True)
class PageSpec:
    """A page to render: where it goes, its template, and its context: what it shows besides its lookups and the common settings."""

    path: str
    template: str
    context: dict[str, object]


@dataclass(frozen=True)
class RenderedPage:
    spec: PageSpec
    # What the page looked up and found (Lookups.found); not the Lookups, which would keep its whole briefing alive.
    found: dict[tuple[str, ...], object]
    page: Page


@dataclass(frozen=True)
class RenderedSite:
    """The rendered pages, with what each was rendered from: where the next render can start."""

    common: tuple
    rendered: dict[str, RenderedPage]

    @property
    def pages(self) -> list[Page]:
        return [rendered.page for rendered in self.rendered.values()]


class SiteRenderer:
    """Renders every page of the site from the Briefing through the templates."""

    def __init__(
        self,
        briefing: Briefing,
        templates: Path,
        subject: str,
        stale_after_days: int,
        edit_base: str | None = None,
        compiled: jinja2.BytecodeCache | None = None,
        commit: str = UNVERSIONED,
        site_url: str | None = None,
        more: tuple[PageSpec, ...] = (),
    ):
        self.briefing = briefing
        self.edit_base = edit_base
        self.more = more
        self.env = template_env(templates, briefing.glossary, compiled)
        shared = {
            "subject": subject,
            "stale_after_days": stale_after_days,
            "as_of": briefing.as_of,
            "commit": commit,
            "inferred_dates": briefing.inferred_dates,
            "site_url": site_url,
        }
        self.env.globals.update(shared)
        # What every page may print; a change to any of it, a template's included, renders every page again.
        self.common = (files_digest(templates), edit_base, briefing.glossary, *shared.values())
        self.citing = _citing_by_source(briefing)

    def render(self, previous: RenderedSite | None = None) -> RenderedSite:
        """Every page; a page whose spec and lookups are those it had in previous keeps its text from there."""
        kept = previous.rendered if previous is not None and previous.common == self.common else {}
        rendered = {}
        for spec in self.specs():
            last = kept.get(spec.path)
            unchanged = last is not None and last.spec == spec and _finds_the_same(last.found, self.briefing)
            rendered[spec.path] = last if unchanged else self._rendered(spec)
        return RenderedSite(self.common, rendered)

    def specs(self) -> Iterator[PageSpec]:
        briefing = self.briefing
        counts = {"fact_count": briefing.fact_count, "source_count": len(briefing.sources)}
        latest = [(fact, topic.ref) for topic, fact in briefing.latest[:LATEST_COUNT]]
        bottom_line = briefing.overview.bottom_line if briefing.overview else ()
        overview = {"topics": [TopicCard.of(topic) for topic in briefing.topics], "latest": latest, "figure_groups": briefing.figure_groups, "bottom_line": bottom_line, "watch": briefing.watch, **counts}
        overview["fact_marks"] = len(briefing.topics) <= OVERVIEW_FACT_MARKS_MAX
        yield PageSpec("index.md", "overview.md.j2", overview)
        yield from self._timeline_specs()
        yield PageSpec("sources/index.md", "sources.md.j2", {"sources": tuple(briefing.sources.values())})
        yield PageSpec("methodology.md", "methodology.md.j2", counts)
        yield from self.more
        if briefing.glossary:
            yield PageSpec("glossary.md", "glossary.md.j2", {"terms": briefing.glossary})
        for topic in briefing.topics:
            disputes, compared = briefing.disputes_by_topic.get(topic.id, ()), briefing.comparisons_by_topic.get(topic.id, ())
            yield PageSpec(f"topics/{topic.id}.md", "topic.md.j2", {"topic": topic, "disputes": disputes, "compared": compared})
        for source in briefing.sources.values():
            yield PageSpec(f"sources/{source.id}.md", "source.md.j2", {"source": source, "citing": self.citing.get(source.id, [])})

    def _timeline_specs(self) -> Iterator[PageSpec]:
        months = self._timeline_months()
        if sum(len(entries) for _, entries in months) <= TIMELINE_PAGE_MAX:
            yield self._timeline_spec("timeline.md", months)
            return
        index = [(key, entries[0][0].date.month_label, len(entries), entries[0][0].date.year) for key, entries in months]
        yield PageSpec("timeline.md", "timeline.md.j2", {"months": [], "index": index, "topics": [], "month_label": None})
        for number, (key, entries) in enumerate(months):
            around = {
                "month_label": index[number][1],
                "newer": index[number - 1] if number else None,
                "older": index[number + 1] if number + 1 < len(index) else None,
            }
            yield self._timeline_spec(f"timeline/{key}.md", [(key, entries)], **around)

    def _timeline_spec(self, path: str, months: list[tuple[str, list[tuple[Fact, TopicRef]]]], **around: object) -> PageSpec:
        present = {topic.id for _, entries in months for _, topic in entries}
        topics = [topic.ref for topic in self.briefing.topics if topic.id in present]
        context = {"months": months, "index": None, "topics": topics, "month_label": None, "newer": None, "older": None, **around}
        return PageSpec(path, "timeline.md.j2", context)

    def _rendered(self, spec: PageSpec) -> RenderedPage:
        root = "../" * spec.path.count("/")
        edit_path = _edit_path(spec.path, spec.template, spec.context)
        edit_url = self.edit_base + edit_path if self.edit_base else None
        lookups = Lookups(self.briefing)
        text = render_template(
            self.env, spec.template,
            root=root, page_path=spec.path, edit_path=edit_path, edit_url=edit_url, lookups=lookups, cite=PageCitations(lookups), basis=PageFacts(lookups), **spec.context,
        )
        return RenderedPage(spec, lookups.found, Page(spec.path, text.encode("utf-8")))

    @cached_property
    def _dated_facts(self) -> list[tuple[Fact, TopicRef]]:
        return [(fact, topic.ref) for topic, fact in self.briefing.dated_newest_first]

    def _timeline_months(self) -> list[tuple[str, list[tuple[Fact, TopicRef]]]]:
        months: dict[str, list[tuple[Fact, TopicRef]]] = {}
        for pair in self._dated_facts:  # the pairs themselves, not copies: serve renders on every edit
            months.setdefault(pair[0].date.month_key, []).append(pair)
        return list(months.items())


def files_digest(folder: Path, wanted: Callable[[Path], bool] = lambda path: True) -> str:
    """The names and bytes of the files under folder that wanted keeps: what a render or print is made with."""
    digest = hashlib.sha256()
    for path in sorted(path for path in folder.rglob("*") if path.is_file() and wanted(path)):
        digest.update(f"{path.relative_to(folder).as_posix()}\n".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _citing_by_source(briefing: Briefing) -> dict[str, list[tuple[TopicRef, Fact | Figure]]]:
    """For each source id, the figures and facts that cite it, in topic order."""
    citing: dict[str, list[tuple[TopicRef, Fact | Figure]]] = defaultdict(list)
    for topic in briefing.topics:
        ref = topic.ref
        for item in (*topic.sheet.figures, *topic.sheet.facts):
            for source_id in dict.fromkeys(citation.source for citation in item.citations):
                citing[source_id].append((ref, item))
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
    compiled: jinja2.BytecodeCache | None = None,
    commit: str = UNVERSIONED,
    site_url: str | None = None,
    more: tuple[PageSpec, ...] = (),
) -> RenderedSite:
    """Every page of the site, rendered in memory, headed by the briefing's subject; sheets older than stale_after_days get flagged.

    With edit_base (see site.edit_base_url), each page links to the file an editor changes.
    With previous, the render of an earlier briefing, only pages whose spec or lookups differ are rendered;
    compiled keeps the compiled templates for the next render. Every page names commit (see commit.built_from),
    and may name itself by site_url (see site.site_address). more are the specs of pages made from more than the
    briefing (the What changed page, from git: see editions.changes_page).
    """
    return SiteRenderer(briefing, templates, subject, stale_after_days, edit_base, compiled, commit, site_url, more).render(previous)
