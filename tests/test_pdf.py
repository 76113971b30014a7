"""The PDF stage: the real content printed by Typst, then read back from the PDFs with pypdf."""

from __future__ import annotations

import html as html_module
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops
from pypdf import PdfReader

from brief.cli import main
from brief.pdf import editions, print_data, write_pdfs
from brief.pipeline import Project, build, check
from brief.quotes import normalize
from brief.render import render_site
from brief.markup import inline
from conftest import REPO, SUBJECT, TINY_SHEET, make_tiny_project

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)
REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def printed(shipped):
    """The real project built once, site and PDFs: (site folder, briefing)."""
    return shipped


@pytest.fixture(scope="module")
def whole_text(printed) -> str:
    """The text of briefing.pdf, squashed (see `squash`)."""
    site, _ = printed
    return squash(pdf_text(PdfReader(site / "briefing.pdf")))


def squash(text: str) -> str:
    """Text compared without white space, so line breaks in the PDF do not matter."""
    return re.sub(r"\s+", "", normalize(text))


def plain(markdown: str) -> str:
    """Content Markdown as the reader sees it printed."""
    return html_module.unescape(inline(markdown).striptags())


def judgement(topic) -> str:
    """A topic's key judgement as printed: its sentences one after another."""
    return " ".join(plain(sentence.text) for sentence in topic.sheet.summary)


def pdf_text(reader: PdfReader) -> str:
    return pdf_text_of(reader.pages)


def pdf_text_of(pages) -> str:
    return "\n".join(page.extract_text() for page in pages)


MM = 72 / 25.4


def text_depth(page) -> float:
    """How far down its text area a page's text reaches: 0 at the top, 1 at the foot; the running head and footer not counted."""
    top, foot = float(page.mediabox.height) - 24 * MM, 22 * MM  # the template's page margins
    heights = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            heights.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])  # the text's baseline on the page

    page.extract_text(visitor_text=visit)
    body = [y for y in heights if foot < y < top]
    return (top - min(body)) / (top - foot) if body else 0.0


def links(reader: PdfReader) -> list[dict]:
    """Every link annotation, with the index of its page."""
    found = []
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                found.append({**annotation, "page": index})
    return found


def link_targets(reader: PdfReader) -> list[str]:
    """The named destinations that the link annotations of every page point to."""
    return [str(link["/Dest"]) for link in links(reader) if isinstance(link.get("/Dest"), str)]


def page_size(reader: PdfReader) -> tuple[float, float]:
    box = reader.pages[0].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


def contents_text(reader: PdfReader) -> str:
    """The text of the page that holds the contents: after the summary, on page 2 or 3."""
    return next(text for text in (page.extract_text() for page in reader.pages[1:3]) if "Contents" in text)


def outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        titles += outline_titles(item) if isinstance(item, list) else [item.title]
    return titles


def test_build_writes_the_whole_briefing_and_one_pdf_per_topic(printed):
    site, briefing = printed
    assert (site / "briefing.pdf").is_file()
    assert sorted(p.name for p in (site / "pdf").iterdir()) == sorted(f"{t.id}.pdf" for t in briefing.topics)


def test_whole_briefing_has_cover_contents_a_section_per_topic_and_sources(printed):
    site, briefing = printed
    reader = PdfReader(site / "briefing.pdf")
    starts = [reader.get_destination_page_number(reader.named_destinations[f"topic-{t.id}"]) for t in briefing.topics]
    assert starts == sorted(starts) and starts[0] > 1  # after the cover and the summary, in order
    cover = reader.pages[0].extract_text()
    assert "As of 4 February 2026" in cover
    assert f"{briefing.fact_count} facts" in cover
    assert f"from {len(briefing.sources)} archived sources" in cover
    assert "Contents" in contents_text(reader)
    assert any("Sources" in page.extract_text() for page in reader.pages[starts[-1] + 1 :])  # after the last topic
    assert page_size(reader) == A4


def test_a_summary_follows_the_cover_with_the_bottom_line_judgements_figures_and_what_to_watch(printed):
    site, briefing = printed
    reader = PdfReader(site / "briefing.pdf")
    assert reader.get_destination_page_number(reader.named_destinations["summary"]) == 1  # page 2, after the cover
    summary = squash(pdf_text_of(reader.pages[1:3]))  # one or two pages: the contents follow on page 3 at the latest
    assert summary.index("Summary") < summary.index("Contents")
    bottom_line = [summary.index(squash(plain(sentence.text))) for sentence in briefing.overview.bottom_line]
    judgements = [summary.index(squash(judgement(topic))) for topic in briefing.topics]
    figures = [summary.index(squash(figure.label)) for topic in briefing.topics for figure in topic.sheet.figures]
    watch = [summary.index(squash(plain(item.event))) for item in briefing.watch]
    assert bottom_line and judgements and figures and watch
    # In that order, each within its heading (headings are set in tracked capitals, read back letter by letter).
    assert summary.index("BOTTOMLINE") < min(bottom_line) <= max(bottom_line) < summary.index("KEYJUDGEMENTS") < min(judgements)
    assert max(judgements) < summary.index("HEADLINEFIGURES") < min(figures) <= max(figures) < summary.index("WHATTOWATCH") < min(watch)
    for topic in briefing.topics:
        for figure in topic.sheet.figures:
            assert squash(figure.said_by) in summary[summary.index(squash(figure.label)) :], figure.metric


def test_the_whole_briefing_fits_in_twelve_a4_pages(printed):
    site, _ = printed
    assert len(PdfReader(site / "briefing.pdf").pages) <= 12


def test_no_page_but_the_first_and_the_last_is_left_half_empty(printed):
    site, _ = printed
    for path in [site / "briefing.pdf", *sorted((site / "pdf").iterdir())]:
        pages = PdfReader(path).pages
        # Half, not a quarter: a topic forced onto a new page left pages a third full, a quarter would pass them.
        assert [number for number, page in enumerate(pages[1:-1], 2) if text_depth(page) < 0.5] == [], path.name


def test_a_topic_pdf_opens_with_its_topic_not_a_cover(printed):
    site, briefing = printed
    for topic in briefing.topics:
        reader = PdfReader(site / "pdf" / f"{topic.id}.pdf")
        first = reader.pages[0].extract_text()
        assert squash(judgement(topic)) in squash(first), topic.id
        assert f"1 of {len(reader.pages)}" in first
        assert "Contents" not in pdf_text(reader) and "Summary" not in outline_titles(reader.outline)


def test_every_fact_is_printed_with_its_attribution_and_status(printed, whole_text):
    _, briefing = printed
    text = whole_text
    missing = [fact.id for topic in briefing.topics for fact in topic.sheet.facts if squash(plain(fact.text)) not in text]
    assert missing == []
    for topic in briefing.topics:
        for fact in topic.sheet.facts:
            assert squash(f"Said by {fact.said_by}") in text
            assert fact.status in text  # in small capitals, read back as the word


def test_key_figures_and_endnotes_are_printed(printed, whole_text):
    _, briefing = printed
    text = whole_text
    for topic in briefing.topics:
        for figure in topic.sheet.figures:
            assert squash(figure.label) in text
            assert squash(figure.said_by) in text
        for item in (*topic.sheet.figures, *topic.sheet.facts):
            for citation in item.cite:
                # Within quotation marks: the note at the foot of the page prints them as text.
                assert squash(f"“{citation.quote}”") in text, citation.quote


def test_contents_give_the_page_each_topic_starts_on(printed):
    site, briefing = printed
    reader = PdfReader(site / "briefing.pdf")
    contents = contents_text(reader)
    destinations = reader.named_destinations
    for topic in briefing.topics:
        match = re.search(re.escape(topic.sheet.title) + r"[\s.]{6,}(\d+)", contents)
        assert match, f"{topic.sheet.title} not in the contents"
        assert int(match.group(1)) == reader.get_destination_page_number(destinations[f"topic-{topic.id}"]) + 1
    assert re.search(r"Sources[\s.]{6,}\d+", contents)


def test_running_head_and_n_of_N_on_every_page_but_the_cover(printed):
    site, _ = printed
    reader = PdfReader(site / "briefing.pdf")
    total = len(reader.pages)
    assert " of " not in reader.pages[0].extract_text().split("As of")[0]
    for number, page in enumerate(reader.pages[1:], 2):
        text = page.extract_text()
        assert f"{number} of {total}" in text
        assert "Russia–China relations: a briefing" in text
        assert "As of 4 February 2026" in text


def test_headings_become_bookmarks(printed):
    site, briefing = printed
    titles = outline_titles(PdfReader(site / "briefing.pdf").outline)
    for expected in ("Contents", *(t.sheet.title for t in briefing.topics), "Key judgement", "Sources"):
        assert expected in titles


def test_contents_and_citation_numbers_are_links_inside_the_pdf(printed):
    site, briefing = printed
    reader = PdfReader(site / "briefing.pdf")
    targets = set(link_targets(reader))
    assert {f"topic-{t.id}" for t in briefing.topics} | {"sources"} <= targets
    assert {f"source-{s}" for s in briefing.sources} <= targets  # from the notes
    assert targets <= set(reader.named_destinations)
    uris = [str(link["/A"].get("/URI", "")) for link in links(reader) if "/A" in link]
    assert not [uri for uri in uris if not uri.startswith(("http://", "https://"))]


def test_a_contradicting_fact_links_to_the_page_of_the_other(printed):
    site, _ = printed
    reader = PdfReader(site / "briefing.pdf")
    denial = next(n for n, page in enumerate(reader.pages) if "Beijing has denied accusations that it supports" in page.extract_text())
    page_of = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    to_facts = [link for link in links(reader) if str(link.get("/Contents", "")).startswith("page ")]
    assert denial in {page_of[link["/Dest"][0].idnum] for link in to_facts}
    assert all(str(link["/Contents"]) == f"page {page_of[link['/Dest'][0].idnum] + 1}" for link in to_facts)


def test_note_numbers_are_clickable_both_ways_with_no_zero_size_link_area(printed):
    site, briefing = printed
    reader = PdfReader(site / "briefing.pdf")
    every = links(reader)
    for link in every:
        left, bottom, right, top = (float(n) for n in link["/Rect"])
        assert right - left > 1 and top - bottom > 1, link
    # Each citation's number links to its note, and each note's number back to the citation: two links a note.
    notes = sum(len(pdf_citations(briefing, topic)) for topic in briefing.topics)
    to_places = [link for link in every if "/Dest" in link and not isinstance(link["/Dest"], str)]
    page_of = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    first_topic = reader.named_destinations[f"topic-{briefing.topics[0].id}"]
    start = (reader.get_destination_page_number(first_topic), -float(first_topic.top))

    def before_the_topics(link) -> bool:  # by page, then from the top of the page down
        return (link["page"], -float(link["/Rect"][3])) < start

    in_summary = [link for link in to_places if before_the_topics(link)]
    contradictions = 2 * len(briefing.disputes)
    assert len(to_places) - len(in_summary) == 2 * notes + contradictions + note_references(briefing)
    # The summary repeats the marks of its figures and coming events, one way (a note links back to its topic), and
    # gives the pages of the facts each sentence of the bottom line rests on: all of them lead into the topics.
    figures = sum(len(figure.citations) for topic in briefing.topics for figure in topic.sheet.figures)
    facts = {fact.id: fact for topic in briefing.topics for fact in topic.sheet.facts}
    events = sum(len(facts[fact_id].citations) for item in briefing.watch for fact_id in item.based_on)
    bottom_line = briefing.overview.bottom_line
    least = figures + events + len(bottom_line) + summary_references(briefing)
    assert least <= len(in_summary) <= least + sum(len(sentence.based_on) - 1 for sentence in bottom_line)
    assert min(page_of[link["/Dest"][0].idnum] for link in in_summary) >= start[0]


def note_references(briefing) -> int:
    """How many [[fact-id]] links the topics print: in their key judgements and notes."""
    judgements = [sentence.text for t in briefing.topics for sentence in t.sheet.summary]
    return references(judgements + [i.note for t in briefing.topics for i in (*t.sheet.figures, *t.sheet.facts) if i.note])


def summary_references(briefing) -> int:
    """How many [[fact-id]] links the summary prints: in the bottom line, the key judgements and what to watch."""
    judgements = [sentence.text for t in briefing.topics for sentence in t.sheet.summary]
    return references([sentence.text for sentence in briefing.overview.bottom_line] + judgements + [item.event for item in briefing.watch])


def references(texts) -> int:
    from brief.models import FACT_REFERENCE

    return sum(len(FACT_REFERENCE.findall(text)) for text in texts)


def pdf_citations(briefing, topic):
    from brief.pdf import shown_citations

    return shown_citations(briefing, topic)


def test_every_font_is_the_project_s_own_and_embedded(printed):
    site, _ = printed
    for path in [site / "briefing.pdf", *sorted((site / "pdf").iterdir())]:
        for page in PdfReader(path).pages:
            for font in page["/Resources"].get("/Font", {}).values():
                font = font.get_object()
                name = str(font["/BaseFont"]).split("+", 1)[-1]
                assert name.startswith(("SourceSerifPro-", "SourceSansPro-")), (path.name, name)
                descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), (path.name, name)


def test_the_pdf_is_tagged_and_claims_pdf_ua(printed):
    site, _ = printed
    reader = PdfReader(site / "briefing.pdf")
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == "en"
    assert "/StructTreeRoot" in root
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title == "Russia–China relations: a briefing, as of 4 February 2026"


def test_sources_list_writes_unknowns_as_unknown(printed):
    site, briefing = printed
    reader = PdfReader(site / "briefing.pdf")
    start = reader.get_destination_page_number(reader.named_destinations["sources"])
    text = "\n".join(page.extract_text() for page in reader.pages[start:])
    for expected in ("Unattributed report on a Putin–Xi video call", "the article prints no headline", "(date inferred)", "Date basis", "address unknown", "Kateryna Hodunova", "The Kyiv Independent"):
        assert squash(expected) in squash(text), expected
    # The untitled source's publisher and author; terms and values are extracted apart (floats).
    assert text.count("unknown") >= 4


def test_each_topic_pdf_holds_its_own_topic_only(printed):
    site, briefing = printed
    for topic in briefing.topics:
        reader = PdfReader(site / "pdf" / f"{topic.id}.pdf")
        names = set(reader.named_destinations)
        assert {n for n in names if n.startswith("topic-")} == {f"topic-{topic.id}"}
        assert topic.sheet.title in reader.pages[0].extract_text()
        text = squash(pdf_text(reader))
        assert all(squash(plain(f.text)) in text for f in topic.sheet.facts)


def test_site_pages_link_to_the_pdfs(printed):
    site, briefing = printed
    assert 'href="briefing.pdf"' in (site / "index.html").read_text(encoding="utf-8")
    assert 'href="../briefing.pdf"' in (site / "sources" / "index.html").read_text(encoding="utf-8")
    for topic in briefing.topics:
        page = (site / "topics" / f"{topic.id}.html").read_text(encoding="utf-8")
        assert f'href="../pdf/{topic.id}.pdf"' in page
        assert 'href="../briefing.pdf"' in page


def test_same_content_gives_byte_identical_pdfs(printed, tmp_path):
    site, briefing = printed
    write_pdfs(briefing, site.parent / "templates", tmp_path, SUBJECT)
    assert (tmp_path / "briefing.pdf").read_bytes() == (site / "briefing.pdf").read_bytes()
    for topic in briefing.topics:
        assert (tmp_path / "pdf" / f"{topic.id}.pdf").read_bytes() == (site / "pdf" / f"{topic.id}.pdf").read_bytes()


def test_another_time_zone_hash_seed_and_clock_give_the_same_bytes(printed, tmp_path):
    site, _ = printed
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "4242", "SOURCE_DATE_EPOCH": "0"}
    script = "import sys; from pathlib import Path; from brief.pipeline import Project, check; from brief.pdf import write_pdfs; "
    script += "write_pdfs(check(Project(Path(sys.argv[1]))), Path(sys.argv[1]) / 'templates', Path(sys.argv[2]), sys.argv[3])"
    subprocess.run([sys.executable, "-c", script, str(site.parent), str(tmp_path), SUBJECT], env=env, check=True, cwd=REPO)
    assert (tmp_path / "briefing.pdf").read_bytes() == (site / "briefing.pdf").read_bytes()


def test_pdf_command_replaces_only_the_pdfs(tiny_project):
    root = tiny_project()
    assert CliRunner().invoke(main, ["build", "--project", str(root)]).exit_code == 0
    page = root / "site" / "index.html"
    before = page.stat().st_mtime_ns
    (root / "site" / "pdf" / "removed-topic.pdf").write_bytes(b"stale")
    result = CliRunner().invoke(main, ["pdf", "--project", str(root), "--paper", "letter"])
    assert result.exit_code == 0, result.output
    assert "wrote site/briefing.pdf" in result.output
    assert page.stat().st_mtime_ns == before
    assert sorted(p.name for p in (root / "site" / "pdf").iterdir()) == ["energy.pdf"]
    assert page_size(PdfReader(root / "site" / "briefing.pdf")) == LETTER
    assert not [p.name for p in root.iterdir() if p.name.startswith(".site-")]


def test_build_takes_the_paper_size(tiny_project):
    root = tiny_project()
    result = CliRunner().invoke(main, ["build", "--project", str(root), "--paper", "letter"])
    assert result.exit_code == 0, result.output
    assert page_size(PdfReader(root / "site" / "briefing.pdf")) == LETTER
    assert page_size(PdfReader(root / "site" / "pdf" / "energy.pdf")) == LETTER


def test_a_fact_the_print_loses_fails_loudly_and_keeps_the_old_site(tiny_project):
    root = tiny_project()
    assert CliRunner().invoke(main, ["build", "--project", str(root)]).exit_code == 0
    old_pdf = (root / "site" / "briefing.pdf").read_bytes()
    template = root / "templates" / "print.typ"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("  #printed(fact.anchor)\n", "  #if fact.anchor != \"fact-pipeline-carries-gas\" { printed(fact.anchor) }\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 1
    assert "briefings/energy.yaml: fact 'pipeline-carries-gas' is missing from briefing.pdf" in result.output
    assert "missing from pdf/energy.pdf" in result.output
    assert (root / "site" / "briefing.pdf").read_bytes() == old_pdf


def test_editions_are_the_whole_briefing_then_each_topic(printed):
    _, briefing = printed
    paths = [edition.path for edition in editions(briefing, SUBJECT)]
    assert paths == ["briefing.pdf"] + [f"pdf/{t.id}.pdf" for t in briefing.topics]


def test_unknown_paper_is_refused(printed):
    site, briefing = printed
    with pytest.raises(ValueError):
        print_data(briefing, editions(briefing, SUBJECT)[0], paper="a3")
    result = CliRunner().invoke(main, ["pdf", "--paper", "a3"])
    assert result.exit_code == 2




# What Typst would read as code or markup, were content ever pasted into its source.
TYPST = '#read("/etc/passwd") #import "x.typ" ] #set page(fill: red) [ <label> @ref $x$ *x* <script>'
# In the fields that take inline Markdown, *x* is emphasis by design; the rest must still print as written.
TYPST_IN_MARKDOWN = '#read("/etc/passwd") #import "x.typ" ] #set page(fill: red) [ <label> @ref $x$ <script>'


def test_typst_syntax_in_every_field_is_printed_as_written(tiny_project, tmp_path):
    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    source = f"""\
---
title: {quoted("Title " + TYPST)}
publisher: {quoted("Publisher " + TYPST)}
author: {quoted("Author " + TYPST)}
published: 2025-01-21
date_basis: {quoted("Basis " + TYPST_IN_MARKDOWN)}
url: null
archived: 2026-11-23
note: {quoted("Note " + TYPST_IN_MARKDOWN)}
---
Alpha put the capacity at 38 bcm: {TYPST}.
"""
    sheet = f"""\
title: {quoted("Topic " + TYPST)}
summary:
  - text: {quoted("Summary " + TYPST_IN_MARKDOWN)}
    based_on: [hostile-fact]
as_of: 2025-01-21
figures:
  - metric: capacity
    label: {quoted("Label " + TYPST)}
    value: 38
    unit: {quoted("bcm " + TYPST.replace("$x$ ", ""))}
    period: {quoted("Period " + TYPST)}
    said_by: {quoted("Figure speaker " + TYPST)}
    status: stated
    note: {quoted("Figure note " + TYPST_IN_MARKDOWN)}
    cite:
      - source: test-article
        quote: {quoted("the capacity at 38 bcm: " + TYPST)}
facts:
  - id: hostile-fact
    date: 2025-01-21
    text: {quoted("Fact " + TYPST_IN_MARKDOWN)}
    said_by: {quoted("Speaker " + TYPST)}
    status: stated
    note: {quoted("Fact note " + TYPST_IN_MARKDOWN)}
    cite:
      - source: test-article
        quote: {quoted(TYPST)}
"""
    overview = f"""\
bottom_line:
  - text: {quoted("Bottom line " + TYPST_IN_MARKDOWN)}
    based_on: [hostile-fact]
  - text: {quoted("Second sentence " + TYPST_IN_MARKDOWN)}
    based_on: [hostile-fact]
watch:
  - date: 2025-03
    event: {quoted("Event " + TYPST_IN_MARKDOWN)}
    based_on: [hostile-fact]
"""
    root = tiny_project({"energy": sheet}, {"test-article": source})
    (root / "overview.yaml").write_text(overview, encoding="utf-8")
    assert build(Project(root)).fact_count == 1
    # Squashed: a narrow column breaks "/etc/passwd" after a slash.
    text = squash(pdf_text(PdfReader(root / "site" / "briefing.pdf")))
    for field in ("Title", "Publisher", "Author", "Topic", "Label", "Period", "Figure speaker", "Speaker"):
        assert squash(f"{field} {TYPST}") in text, field
    for field in ("Basis", "Note", "Summary", "Figure note", "Fact", "Fact note", "Bottom line", "Event"):
        assert squash(f"{field} {TYPST_IN_MARKDOWN}") in text, field
    assert squash(f"“{TYPST}”") in text  # the quote, in its note
    assert "root:x:0:0" not in text


def test_a_warning_of_the_engine_is_an_error(tiny_project):
    root = tiny_project()
    template = root / "templates" / "print.typ"
    template.write_text(template.read_text(encoding="utf-8").replace('#let sans = "Source Sans Pro"', '#let sans = "Helvetica"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 1
    assert "templates/print.typ: Typst warning: unknown font family: helvetica" in result.output
    assert not (root / "site").exists()


# --- reference pages ----------------------------------------------------------------------------

REFERENCE_SHEETS = {
    "energy": TINY_SHEET.replace(
        "facts:\n",
        """\
figures:
  - metric: pipeline-capacity
    label: Pipeline capacity
    value: 38
    unit: bcm a year
    period: null
    said_by: Alpha
    status: stated
    cite:
      - source: test-article
        quote: "Alpha put the pipeline's capacity at 38 bcm a year"
facts:
""",
    )
    + """\
  - id: beta-denies-it
    date: 2025-01-20
    text: Beta denied that the pipeline carries *anything* at all.
    said_by: Beta
    status: denied
    contradicts: [pipeline-carries-gas]
    note: Beta answers [[pipeline-carries-gas]].
    cite:
      - source: test-article
        quote: "Beta denied that the pipeline carries anything at all."
""",
    "trade": TINY_SHEET.replace("title: Energy", "title: Trade")
    .replace("pipeline-carries-gas", "capacity-disputed")
    .replace(
        "facts:\n",
        """\
figures:
  - metric: pipeline-capacity
    label: Pipeline capacity
    value: 40
    unit: bcm a year
    period: "2024"
    said_by: Beta
    status: stated
    cite:
      - source: test-article
        quote: "Beta says 40 bcm"
facts:
""",
    ),
}
REFERENCE_OVERVIEW = """\
bottom_line:
  - text: Alpha and Beta disagree on whether the pipeline carries gas.
    based_on: [pipeline-carries-gas, beta-denies-it]
  - text: They disagree on its capacity too.
    based_on: [capacity-disputed]
watch:
  - date: 2025-03
    event: Alpha and Beta meet on the pipeline.
    based_on: [pipeline-carries-gas]
"""
# Every page of the reference briefing (A4): the cover; the summary, contents and a topic with a figure comparison;
# the next topic and the sources. And its energy topic on Letter: the topic under its header block, the sources.
# Compared at 40 dpi; BRIEF_UPDATE_REFERENCE=1 writes them anew, to be looked at.
REFERENCE_PAGES = {"a4": ("briefing.pdf", (1, 2, 3)), "letter": ("pdf/energy.pdf", (1, 2))}


@pytest.mark.parametrize("paper", sorted(REFERENCE_PAGES))
def test_pages_look_as_the_reference_pages(tiny_project, tmp_path, paper):
    root = tiny_project(REFERENCE_SHEETS)
    (root / "overview.yaml").write_text(REFERENCE_OVERVIEW, encoding="utf-8")
    build(Project(root), paper=paper)
    path, numbers = REFERENCE_PAGES[paper]
    for number in numbers:
        made = tmp_path / f"{paper}-{number}"
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", "-f", str(number), "-l", str(number), str(root / "site" / path), str(made)], check=True)
        reference = REFERENCE / f"{paper}-page-{number}.png"
        if os.environ.get("BRIEF_UPDATE_REFERENCE"):
            REFERENCE.mkdir(exist_ok=True)
            reference.write_bytes(made.with_suffix(".png").read_bytes())
            continue
        with Image.open(made.with_suffix(".png")) as new, Image.open(reference) as old:
            assert new.size == old.size, reference.name
            difference = ImageChops.difference(new.convert("L"), old.convert("L"))
            changed = sum(count for level, count in enumerate(difference.histogram()) if level > 32)
            assert changed <= new.size[0] * new.size[1] // 500, f"{reference.name}: {changed} pixels differ; look at the page"


# --- volumes ------------------------------------------------------------------------------------


def test_a_briefing_too_long_for_one_document_is_published_in_complete_volumes(tiny_project, monkeypatch):
    from brief import pdf

    monkeypatch.setattr(pdf, "VOLUME_FACTS", 2)  # the reference briefing has 2 + 1 facts: two volumes
    root = tiny_project(REFERENCE_SHEETS)
    build(Project(root))
    site = root / "site"
    assert sorted(path.name for path in site.glob("briefing*.pdf")) == ["briefing-volume-1.pdf", "briefing-volume-2.pdf", "briefing.pdf"]
    front = " ".join(pdf_text(PdfReader(site / "briefing.pdf")).split())
    assert "This briefing is published in 2 volumes" in front
    assert "Briefing · volume 1 of 2 (briefing-volume-1.pdf) Energy" in front
    assert "Draws on 3 facts and 2 key figures from 1 archived source." in front
    uris = [str(link["/A"]["/URI"]) for link in links(PdfReader(site / "briefing.pdf")) if "/A" in link]
    assert uris == ["briefing-volume-1.pdf", "briefing-volume-2.pdf"]
    for number, topic in ((1, "Energy"), (2, "Trade")):
        reader = PdfReader(site / f"briefing-volume-{number}.pdf")
        text = pdf_text(reader)
        assert f"VOLUME{number}OF2" in squash(reader.pages[0].extract_text())  # tracked capitals: letters read apart
        assert "Contents" in reader.pages[1].extract_text() and "Sources" in text
        total = len(reader.pages)
        assert f"{total} of {total}" in reader.pages[-1].extract_text()
        assert topic in outline_titles(reader.outline)


# --- a metric given in many topics --------------------------------------------------------------

CAPACITY_FIGURE = """\
figures:
  - metric: pipeline-capacity
    label: Pipeline capacity
    value: {value}
    unit: bcm a year
    period: null
    said_by: {said_by}
    status: stated
    cite:
      - source: test-article
        quote: "{quote}"
facts:
"""


ALPHA_38 = {"value": 38, "said_by": "Alpha", "quote": "Alpha put the pipeline's capacity at 38 bcm a year"}
BETA_40 = {"value": 40, "said_by": "Beta", "quote": "Beta says 40 bcm"}


def one_metric_in_every_topic(root: Path, topics: int):
    """The briefing of a project of that many topics, each giving one value of the same metric (the first 38, then 40)."""
    sheets = {
        f"topic-{number:03d}": TINY_SHEET.replace("title: Energy", f"title: Topic {number:03d}")
        .replace("pipeline-carries-gas", f"fact-{number}")
        .replace("facts:\n", CAPACITY_FIGURE.format(**(ALPHA_38 if number == 0 else BETA_40)))
        for number in range(topics)
    }
    return check(Project(make_tiny_project(root, sheets)))


def test_a_metric_given_in_every_topic_is_listed_whole_once_and_pointed_to_elsewhere(tmp_path):
    briefing = one_metric_in_every_topic(tmp_path / "project", 30)
    data = print_data(briefing, editions(briefing, SUBJECT)[0])
    first, other = data["topics"][0]["comparisons"][0], data["topics"][5]["comparisons"][0]
    assert first["title"] == other["title"] == "Pipeline capacity: 30 values compared"
    assert len(first["entries"]) == 30 and first["more"] is None
    # Another topic: its own value among the first of the others, and where all of them are.
    assert [entry["elsewhere"] for entry in other["entries"]] == ["Topic 000", *(f"Topic {n:03d}" for n in range(1, 5)), None, "Topic 006", "Topic 007", "Topic 008"]
    assert other["more"] == {"count": 21, "topic": "Topic 000", "anchor": "topic-topic-000"}
    assert len(data["topics"][5]["notes"]) == 1 + 9 + 1  # its figure, the values compared, its fact
    # The verdict names how many values and the lowest and highest, not each one.
    assert other["verdict"] == first["verdict"] == (
        "These 30 values do not agree (lowest 38 (exact), highest 40 (exact)): they cannot all be true. "
        "Not every value states its period, so they may not cover the same one."
    )
    # A topic's own PDF, without the topic that lists them all, names it without a link.
    alone = next(edition for edition in editions(briefing, SUBJECT) if edition.topics == (briefing.topics[5],))
    assert print_data(briefing, alone)["topics"][0]["comparisons"][0]["more"] == {"count": 21, "topic": "Topic 000", "anchor": None}
    # The site's topic pages alike.
    pages = {page.path: page.data.decode() for page in render_site(briefing, tmp_path / "project" / "templates", SUBJECT, 90).pages}
    assert pages["topics/topic-000.md"].count("· according to") == 30
    assert pages["topics/topic-005.md"].count("· according to") == 9
    assert '<a href="../topics/topic-000.html#compare-pipeline-capacity">all 30 values, in Topic 000</a>' in pages["topics/topic-005.md"]


def test_the_print_data_and_the_site_grow_linearly_with_the_topics_giving_a_metric(tmp_path):
    sizes = {}
    for topics in (100, 200):
        briefing = one_metric_in_every_topic(tmp_path / str(topics), topics)
        data = json.dumps(print_data(briefing, editions(briefing, SUBJECT)[0]))
        pages = render_site(briefing, tmp_path / str(topics) / "templates", SUBJECT, 90).pages
        sizes[topics] = (len(data), sum(len(page.data) for page in pages))
    # Each topic repeating every value made twice the topics four times the bytes.
    assert sizes[200][0] / sizes[100][0] <= 2.2
    assert sizes[200][1] / sizes[100][1] <= 2.2


def test_a_sheet_of_more_than_twelve_facts_prints_them_under_its_themes_as_its_page_lists_them(printed):
    site, briefing = printed
    [diplomacy] = [topic for topic in briefing.topics if topic.id == "diplomacy"]
    themes = [theme for theme, _ in diplomacy.fact_groups]
    assert len(diplomacy.sheet.facts) > 12 and len(themes) > 1
    text = squash(pdf_text(PdfReader(site / "pdf" / "diplomacy.pdf")))
    at = [text.find(squash(theme)) for theme in themes]
    assert -1 not in at and at == sorted(at)
    first_of_each = [squash(plain(group[0].text))[:40] for _, group in diplomacy.fact_groups]
    assert all(at[n] < text.find(first) for n, first in enumerate(first_of_each))
