"""The PDF stage: the real content printed, then read back from the PDFs with pypdf."""

from __future__ import annotations

import gc
import html as html_module
import re
import weakref
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from brief.cli import main
from brief.errors import ContentErrors
from bench.generate import Scale, generate_project
from brief import pdf
from brief.pdf import RefusedFetch, TemplatesOnlyFetcher, editions, print_document, print_in_one, print_whole, render_print_html, write_pdfs
from brief.pipeline import Project, build, check
from brief.quotes import normalize
from brief.render import inline
from conftest import TINY_SHEET, copy_project

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The real project built once, site and PDFs: (site folder, briefing)."""
    root = copy_project(tmp_path_factory.mktemp("pdf") / "project")
    briefing = build(Project(root))
    return root / "site", briefing


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


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def link_targets(reader: PdfReader) -> list[str]:
    """The named destinations that the link annotations of every page point to."""
    targets = []
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                targets.append(str(annotation["/Dest"]))
    return targets


def page_size(reader: PdfReader) -> tuple[float, float]:
    box = reader.pages[0].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


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
    assert len(reader.pages) >= 3 + len(briefing.topics)
    cover = reader.pages[0].extract_text()
    assert "As of 4 February 2026" in cover
    assert f"{briefing.fact_count} facts" in cover
    assert f"from {len(briefing.sources)} archived sources" in cover
    assert "Contents" in reader.pages[1].extract_text()
    assert "Sources" in reader.pages[-1].extract_text()
    assert page_size(reader) == A4


def test_every_fact_is_printed_with_its_attribution_and_status(printed, whole_text):
    _, briefing = printed
    text = whole_text
    missing = [fact.id for topic in briefing.topics for fact in topic.sheet.facts if squash(plain(fact.text)) not in text]
    assert missing == []
    for topic in briefing.topics:
        for fact in topic.sheet.facts:
            assert squash(f"Said by {fact.said_by}") in text
            assert fact.status.upper() in text  # status labels are set in capitals


def test_key_figures_and_endnotes_are_printed(printed, whole_text):
    _, briefing = printed
    text = whole_text
    for topic in briefing.topics:
        for figure in topic.sheet.figures:
            assert squash(figure.label) in text
            assert squash(figure.said_by) in text
        for item in (*topic.sheet.figures, *topic.sheet.facts):
            for citation in item.cite:
                # Within quotation marks: the endnote prints them as text (no <q> and its generated quotes).
                assert squash(f"“{citation.quote}”") in text, citation.quote


def test_contents_give_the_page_each_topic_starts_on(printed):
    site, briefing = printed
    reader = PdfReader(site / "briefing.pdf")
    contents = reader.pages[1].extract_text()
    destinations = reader.named_destinations
    for topic in briefing.topics:
        match = re.search(re.escape(topic.sheet.title) + r"\s*\.{3,}\s*(\d+)", contents)
        assert match, f"{topic.sheet.title} not in the contents"
        assert int(match.group(1)) == reader.get_destination_page_number(destinations[f"topic-{topic.id}"]) + 1
    assert re.search(r"Sources\s*\.{3,}\s*\d+", contents)


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
    assert {f"note-{t.id}-1" for t in briefing.topics} <= targets
    assert any(target.startswith("source-") for target in targets)
    assert "fact-beijing-denies-supporting-russian-military" in targets  # from the fact that contradicts it
    assert targets <= set(reader.named_destinations)
    uris = [a.get_object()["/A"].get("/URI", "") for page in reader.pages for a in page.get("/Annots", []) if "/A" in a.get_object()]
    assert not [uri for uri in uris if not str(uri).startswith(("http://", "https://"))]


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
        assert {n for n in names if n.startswith("fact-")} == {f"fact-{f.id}" for f in topic.sheet.facts}
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
    write_pdfs(briefing, site.parent / "templates", tmp_path)
    assert (tmp_path / "briefing.pdf").read_bytes() == (site / "briefing.pdf").read_bytes()
    for topic in briefing.topics:
        assert (tmp_path / "pdf" / f"{topic.id}.pdf").read_bytes() == (site / "pdf" / f"{topic.id}.pdf").read_bytes()


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
    with (root / "templates" / "print.css").open("a", encoding="utf-8") as css:
        css.write("\n#fact-pipeline-carries-gas { display: none; }\n")
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 1
    assert "briefings/energy.yaml: fact 'pipeline-carries-gas' is missing from briefing.pdf" in result.output
    assert "missing from pdf/energy.pdf" in result.output
    assert (root / "site" / "briefing.pdf").read_bytes() == old_pdf


def test_fetcher_serves_templates_and_refuses_everything_else(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "print.css").write_text("body { color: black }", encoding="utf-8")
    (tmp_path / "secret.css").write_text("body { display: none }", encoding="utf-8")
    (templates / "link.css").symlink_to(tmp_path / "secret.css")
    fetcher = TemplatesOnlyFetcher(templates)
    response = fetcher.fetch((templates / "print.css").as_uri())
    assert response.read() == b"body { color: black }"
    assert response.content_type == "text/css"
    refused = [
        "file:///etc/passwd",
        (tmp_path / "secret.css").as_uri(),
        templates.as_uri() + "/../secret.css",
        templates.as_uri() + "/%2E%2E/secret.css",
        (templates / "link.css").as_uri(),
        (templates / "missing.css").as_uri(),
        "file://otherhost" + (templates / "print.css").as_posix(),
        "https://fonts.googleapis.com/css2?family=Roboto",
        "http://127.0.0.1/print.css",
        "data:text/css,body{display:none}",
    ]
    for url in refused:
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
    assert fetcher.refused == refused


def test_print_css_asking_for_files_outside_templates_is_refused(tiny_project, tmp_path):
    root = tiny_project()
    secret = tmp_path / "secret.css"
    secret.write_text(".fact { display: none }", encoding="utf-8")
    css = root / "templates" / "print.css"
    css.write_text(
        f'@import url("{secret.as_uri()}");\n'
        + css.read_text(encoding="utf-8")
        + '\n.cover { background-image: url("file:///etc/passwd"); }\n'
        + '@font-face { font-family: Leak; src: url("https://fonts.example.com/leak.woff2"); }\n'
        + "body { font-family: Leak, serif; }\n",
        encoding="utf-8",
    )
    briefing = check(Project(root))
    fetcher = TemplatesOnlyFetcher(root / "templates")
    document = print_document(render_print_html(briefing, root / "templates"), root / "templates", fetcher)
    assert "fact-pipeline-carries-gas" in {name for page in document.pages for name in page.anchors}
    assert len(document.pages) > 1
    assert secret.as_uri() in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert "https://fonts.example.com/leak.woff2" in fetcher.refused
    assert b"root:" not in document.write_pdf()
    with pytest.raises(ContentErrors) as raised:
        write_pdfs(briefing, root / "templates", tmp_path / "out")
    assert any("file:///etc/passwd" in error.message for error in raised.value.errors)
    assert not (tmp_path / "out" / "briefing.pdf").exists()


def test_content_cannot_put_an_image_or_raw_html_into_the_print(tiny_project, tmp_path):
    text = (
        'Alpha said ![x](file:///etc/passwd) <img src="file:///etc/passwd"> [link](file:///etc/passwd)'
        ' [js](javascript:alert(1)) the pipeline carries gas.'
    )
    root = tiny_project({"energy": TINY_SHEET.replace("text: Alpha said the pipeline carries gas.", f"text: '{text}'")})
    briefing = check(Project(root))
    html = render_print_html(briefing, root / "templates")
    assert "<img" not in html and "&lt;img" in html
    assert 'href="file:' not in html and 'href="javascript:' not in html
    write_pdfs(briefing, root / "templates", tmp_path)
    reader = PdfReader(tmp_path / "briefing.pdf")
    actions = [a.get_object().get("/A") for page in reader.pages for a in page.get("/Annots", [])]
    assert [action for action in actions if action is not None] == []


def test_editions_are_the_whole_briefing_then_each_topic(printed):
    _, briefing = printed
    paths = [edition.path for edition in editions(briefing)]
    assert paths == ["briefing.pdf"] + [f"pdf/{t.id}.pdf" for t in briefing.topics]


def test_unknown_paper_is_refused(printed):
    site, briefing = printed
    with pytest.raises(ValueError):
        render_print_html(briefing, site.parent / "templates", paper="a3")
    result = CliRunner().invoke(main, ["pdf", "--paper", "a3"])
    assert result.exit_code == 2


def print_whole_briefing(briefing, templates: Path, target: Path, **parts) -> PdfReader:
    """The whole briefing printed by print_whole (in parts as given) into target, read back."""
    edition = editions(briefing)[0]
    printed = print_whole(briefing, edition, templates, TemplatesOnlyFetcher(templates), **parts)
    assert printed.errors == []
    printed.write(target)
    return PdfReader(target)


def print_in_one_document(briefing, templates: Path, target: Path) -> PdfReader:
    edition = editions(briefing)[0]
    printed = print_in_one(briefing, edition, render_print_html(briefing, templates, edition), templates, TemplatesOnlyFetcher(templates))
    assert printed.errors == []
    printed.write(target)
    return PdfReader(target)


def outline_pages(reader: PdfReader, outline=None) -> list:
    """Each bookmark as (title, page number, nested bookmarks)."""
    outline = reader.outline if outline is None else outline
    items = []
    for item in outline:
        if isinstance(item, list):
            items[-1] = (*items[-1][:2], outline_pages(reader, item))
        else:
            items.append((item.title, reader.get_destination_page_number(item), []))
    return items


def destination_pages(reader: PdfReader) -> dict[str, int]:
    return {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}


def tagged_content(reader: PdfReader) -> list[tuple[str, int]]:
    """The structure tree in document order: each marked content's element type and page.

    Checks on the way that the parent tree maps every marked content and link back to its element.
    """
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = root["/ParentTree"]["/Nums"]
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    page_index = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    content = []

    def walk(element):
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                page = page_index[element.raw_get("/Pg").idnum]
                assert parents[reader.pages[page]["/StructParents"]][kid].idnum == element.indirect_reference.idnum
                content.append((str(element["/S"]), page))
            elif kid.get_object().get("/Type") == "/OBJR":
                annotation = kid.get_object()["/Obj"]
                assert parents[annotation["/StructParent"]].idnum == element.indirect_reference.idnum
            else:
                walk(kid.get_object())

    (document,) = root["/K"]
    walk(document.get_object())
    return content


def test_whole_briefing_printed_in_parts_is_the_one_document_printed_whole(printed, tmp_path):
    """One topic and a few sources at a time: the same pages, anchors, links, outline, tags and page numbers."""
    site, briefing = printed
    templates = site.parent / "templates"
    one = print_in_one_document(briefing, templates, tmp_path / "one.pdf")
    parts = print_whole_briefing(briefing, templates, tmp_path / "parts.pdf", part_topics=1, part_sources=3)
    assert len(parts.pages) == len(one.pages)
    # Squashed: the stamped footer is extracted on a line of its own.
    assert [squash(page.extract_text()) for page in parts.pages] == [squash(page.extract_text()) for page in one.pages]
    assert destination_pages(parts) == destination_pages(one)
    assert link_targets(parts) == link_targets(one)
    assert outline_pages(parts) == outline_pages(one)
    assert tagged_content(parts) == tagged_content(one)
    assert parts.trailer["/Root"]["/MarkInfo"]["/Marked"] and parts.trailer["/Root"]["/Lang"] == "en"
    assert parts.metadata.title == one.metadata.title


def test_whole_briefing_holds_one_part_laid_out_at_a_time(printed, tmp_path, monkeypatch):
    """Each document laid out is freed before the next one is: the memory is one part's, not the whole's."""
    site, briefing = printed
    templates = site.parent / "templates"
    laid_out, held = [], []

    def print_and_track(*args):
        gc.collect()
        held.append(sum(1 for document in laid_out if document() is not None))
        document = print_document(*args)
        laid_out.append(weakref.ref(document))
        return document

    monkeypatch.setattr(pdf, "print_document", print_and_track)
    reader = print_whole_briefing(briefing, templates, tmp_path / "parts.pdf", part_topics=1, part_sources=3)
    assert len(laid_out) > len(briefing.topics) + 2  # topics, sources in parts, front matter, footers
    assert set(held) == {0}
    assert "Contents" in reader.pages[1].extract_text()


def test_a_source_taller_than_a_page_loses_nothing_when_printed_in_parts(tmp_path):
    """Split across pages despite `break-inside: avoid`, an entry that runs onto a part's last page goes whole to the next part."""
    root = generate_project(tmp_path / "project", Scale(4))
    tall = sorted((root / "sources").glob("*.md"))[2]
    note = " ".join(f"w{number}" for number in range(1200))
    tall.write_text(tall.read_text(encoding="utf-8").replace("archived:", f'note: "Start of the note {note} end of the note."\narchived:', 1), encoding="utf-8")
    briefing = check(Project(root))

    reader = print_whole_briefing(briefing, root / "templates", tmp_path / "parts.pdf", part_sources=4)

    printed = squash(" ".join(page.extract_text() for page in reader.pages))
    assert printed.count(squash("Start of the note w0 w1")) == 1
    assert printed.count(squash("w1199 end of the note.")) == 1
    assert printed.count("Archived") == len(briefing.sources)  # each entry once


def test_sources_laid_out_in_parts_run_on_from_page_to_page(tmp_path):
    """A part of sources gives its last page up to the next, so no page of sources is left part empty."""
    root = generate_project(tmp_path / "project", Scale(4))  # 10 sources, on two pages
    briefing = check(Project(root))
    templates = root / "templates"
    one = print_in_one_document(briefing, templates, tmp_path / "one.pdf")
    start = one.get_destination_page_number(one.named_destinations["sources"])
    assert len(one.pages) - start > 1
    reader = print_whole_briefing(briefing, templates, tmp_path / "parts.pdf", part_sources=4)
    assert [squash(page.extract_text()) for page in reader.pages] == [squash(page.extract_text()) for page in one.pages]
    assert destination_pages(reader) == destination_pages(one)
