"""Hostile content in every field: the built site shows it as text and runs, links or fetches none of it.

Two small projects are built, alike but for the payloads, with the same page
names, so every page of the hostile build can be held against its clean twin.
"""

from __future__ import annotations

import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from brief.citing import bibtex_escaped
from brief.pipeline import Project, build
from conftest import SUBJECT, TINY_SHEET, TINY_SOURCE, make_tiny_project

SCRIPT = '<script>alert("PWN-script")</script>'
IMG = '<img src=x onerror=alert("PWN-img")>'
JS_LINK = '[js](javascript:alert("PWN-js"))'
VB_LINK = '[vb](vbscript:msgbox("PWN-vb"))'
DATA_LINK = "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"
DATA_IMAGE = "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"
FILE_IMAGE = "![secret](../secret.txt) ![secret](file:///etc/passwd) <img src=../secret.txt> @import url(../secret.txt);"
SECRET = "SECRET-MARKER-TEXT"  # in secret.txt beside the hostile project's content: must never be read into output
RAW_LINK = "<a href=\"javascript:alert('PWN-a')\">raw</a>"
TITLE_BREAK = '</title><script>alert("PWN-title")</script>'
JINJA = "JINJA-MARK {{ 7*7 }} {% if true %}JINJA-IF{% endif %} {# JINJA-COMMENT #}"
COMMENT = "<!--"
ALL = " ".join([SCRIPT, IMG, JS_LINK, VB_LINK, DATA_LINK, DATA_IMAGE, FILE_IMAGE, RAW_LINK, TITLE_BREAK, JINJA, COMMENT])
# Lines that would open a heading, a code fence, an indented code block or a raw HTML block
# if any Markdown engine after ours saw them at the start of a line.
STRUCTURE = '\n# PWN heading\n\n```\nPWN fence\n\n    PWN indented\n\n<div markdown="1">**PWN bold**</div>\n'
EVERYTHING = ALL + STRUCTURE

QUOTE = f'Alpha said {SCRIPT} {JINJA} <!-- the pipeline carries gas'
# The unit holds "{%" (JINJA): check reads it as a percent, so the figure quotes "38%".
SOURCE_BODY = f"""{QUOTE} to the east.

Beta said {JS_LINK} and {IMG} at the border.

Alpha put the capacity at 38% of the total.

## {SCRIPT} {JINJA}

    indented by four spaces {SCRIPT}

```
{EVERYTHING}

LATER-SOURCE-TEXT closes the article.
"""


def quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly text (JSON with ASCII escapes is one)."""
    return json.dumps(text)


def hostile_sheet() -> str:
    return f"""title: {quoted("Energy " + ALL)}
summary:
  - text: {quoted("Summary " + EVERYTHING)}
    based_on: [pipeline-carries-gas]
as_of: 2025-01-21
figures:
  - metric: pipeline-capacity
    label: {quoted("Label " + EVERYTHING)}
    value: 38
    unit: {quoted("Unit " + ALL)}
    period: {quoted("Period " + ALL)}
    said_by: {quoted("Figure speaker " + EVERYTHING)}
    status: stated
    note: {quoted("Figure note " + EVERYTHING)}
    cite:
      - source: test-article
        quote: "capacity at 38%"
facts:
  - id: pipeline-carries-gas
    date: 2025-01-21
    text: {quoted("Fact text " + EVERYTHING)}
    said_by: {quoted("Fact speaker " + EVERYTHING)}
    status: stated
    note: {quoted("Fact note " + EVERYTHING)}
    cite:
      - source: test-article
        quote: {quoted(QUOTE)}
  - id: later-fact
    date: 2025-01-20
    text: LATER-FACT-TEXT is still on the page
    said_by: Beta
    status: reported
    cite:
      - source: test-article
        quote: "at the border"
"""


def hostile_source() -> str:
    return f"""---
title: {quoted("Source title " + ALL)}
publisher: {quoted("Publisher " + ALL)}
author: {quoted("Author " + ALL)}
published: 2025-01-21
date_basis: {quoted("Date basis " + EVERYTHING)}
url: "https://example.org/article?a=1&b=2"
archived: 2026-11-23
note: {quoted("Source note " + EVERYTHING)}
---
{SOURCE_BODY}"""


def hostile_glossary() -> str:
    return f"""terms:
  - term: pipeline
    aliases: [{quoted("pipe " + SCRIPT)}]
    definition: {quoted("Definition " + EVERYTHING)}
    cite:
      - source: test-article
        quote: "the pipeline carries gas"
"""


def clean_sheet() -> str:
    return TINY_SHEET.replace("facts:", """figures:
  - metric: pipeline-capacity
    label: Capacity
    value: 38
    unit: bcm a year
    said_by: Alpha
    status: stated
    cite:
      - source: test-article
        quote: "capacity at 38 bcm"
facts:""") + """  - id: later-fact
    date: 2025-01-20
    text: Beta denied it.
    said_by: Beta
    status: reported
    cite:
      - source: test-article
        quote: "Beta denied that"
"""


CLEAN_GLOSSARY = """terms:
  - term: pipeline
    definition: A pipe for gas.
    cite:
      - source: test-article
        quote: "the pipeline carries gas"
"""


def make_project(root: Path, sheet: str, source: str, glossary: str) -> Path:
    return make_tiny_project(root, {"energy": sheet}, {"test-article": source}, glossary)


HAS_PDF = importlib.util.find_spec("brief.pdf") is not None
needs_pdf = pytest.mark.skipif(not HAS_PDF, reason="no PDF stage (brief/pdf.py) yet")


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, Path]:
    """(hostile site/, clean site/), built from projects alike but for the payloads."""
    base = tmp_path_factory.mktemp("injection")
    hostile = make_project(base / "hostile", hostile_sheet(), hostile_source(), hostile_glossary())
    (hostile / "secret.txt").write_text(SECRET, encoding="utf-8")
    clean = make_project(base / "clean", clean_sheet(), TINY_SOURCE, CLEAN_GLOSSARY)
    build(Project(hostile))
    build(Project(clean))
    return hostile / "site", clean / "site"


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """What a browser would make of a page: its tags and attributes, scripts, text (with the
    elements it sits in) and comments."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[str | None, str | None, str]] = []  # (src, type, body)
        self.text: list[str] = []
        self.placed: list[tuple[tuple[str, ...], str]] = []
        self.comments: list[str] = []
        self._open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append((dict(attrs).get("src"), dict(attrs).get("type"), ""))
        if tag not in VOID_ELEMENTS:
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data):
        if self._open and self._open[-1] == "script":
            src, kind, body = self.scripts[-1]
            self.scripts[-1] = (src, kind, body + data)
            return
        self.text.append(data)
        self.placed.append((tuple(self._open), data))

    def handle_comment(self, data):
        self.comments.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def pages(site: Path) -> dict[str, Page]:
    return {path.relative_to(site).as_posix(): Page(path.read_text(encoding="utf-8")) for path in sorted(site.rglob("*.html"))}


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data", "background", "cite"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)


def test_both_builds_have_the_same_pages(sites):
    hostile, clean = sites
    assert sorted(pages(hostile)) == sorted(pages(clean))
    assert "topics/energy.html" in pages(hostile)


JSON_LD = "application/ld+json"


def test_only_the_themes_scripts_run(sites):
    hostile, clean = sites
    clean_pages = pages(clean)
    for name, page in pages(hostile).items():
        runs = [script for script in page.scripts if script[1] != JSON_LD]
        assert runs == [script for script in clean_pages[name].scripts if script[1] != JSON_LD], name
        assert not [body for _, _, body in runs if "PWN" in body], name


def test_content_in_a_data_script_is_data_that_cannot_end_the_element(sites):
    hostile, _ = sites
    data = [body for page in pages(hostile).values() for _, kind, body in page.scripts if kind == JSON_LD]
    assert data, "no page carries JSON-LD"
    for body in data:
        assert not re.search(r"[<>&]", body), body[:200]
        json.loads(body)
    texts = [node["text"] for body in data for node in json.loads(body)["@graph"] if node["@type"] == "Claim"]
    assert any(text.startswith(f"Fact text {SCRIPT} {IMG}") for text in texts), texts


def test_no_link_or_resource_uses_a_script_data_or_file_address(sites):
    hostile, _ = sites
    for name, page in pages(hostile).items():
        bad = [(tag, key, value) for tag, attrs in page.tags for key, value in attrs.items()
               if key in URL_ATTRIBUTES and value and BAD_SCHEME.match(value)]
        assert bad == [], name


def test_no_event_handler_and_no_element_comes_from_content(sites):
    hostile, clean = sites
    clean_pages = pages(clean)
    for name, page in pages(hostile).items():
        handlers = {(tag, key) for tag, attrs in page.tags for key in attrs if key.startswith("on")}
        assert handlers <= {(tag, key) for tag, attrs in clean_pages[name].tags for key in attrs if key.startswith("on")}, name
        for tag in ("img", "iframe", "object", "embed", "svg", "form", "pre", "base", "meta", "link", "style"):
            count = sum(1 for found, _ in page.tags if found == tag)
            assert count == sum(1 for found, _ in clean_pages[name].tags if found == tag), (name, tag)


def test_payloads_are_shown_as_text(sites):
    hostile, _ = sites
    topic = pages(hostile)["topics/energy.html"].plain
    for payload in (SCRIPT, IMG, JS_LINK, VB_LINK, DATA_LINK, DATA_IMAGE, FILE_IMAGE, RAW_LINK, TITLE_BREAK, COMMENT):
        assert f"Fact text {ALL}".count(payload) == 1
        assert payload in topic, payload
    assert "# PWN heading ``` PWN fence PWN indented <div markdown=\"1\">**PWN bold**</div>" in topic


def test_markdown_structure_in_content_stays_inside_its_field(sites):
    hostile, _ = sites
    # Only a second Markdown pass could make these from a field; ours makes inline spans only.
    structural = {"h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "table"}
    checked = 0
    for name, page in pages(hostile).items():
        for inside, text in page.placed:
            if "PWN" in text and any(marker in text for marker in ("heading", "fence", "indented", "bold")):
                assert not structural & set(inside), (name, inside, text[:80])
                checked += 1
    assert checked >= 10


def test_jinja_in_content_is_never_evaluated(sites):
    hostile, _ = sites
    for name, page in pages(hostile).items():
        if "JINJA-MARK" not in page.plain:
            continue
        assert "JINJA-MARK 49" not in page.plain, name
        # "Cite this page" shows the title in BibTeX too, its braces and percent signs escaped.
        assert page.plain.count("JINJA-MARK") == page.plain.count(JINJA) + page.plain.count(bibtex_escaped(JINJA)), name


def test_a_comment_opener_does_not_swallow_the_rest_of_the_page(sites):
    hostile, clean = sites
    clean_pages = pages(clean)
    for name, page in pages(hostile).items():
        assert not [c for c in page.comments if "PWN" in c or "LATER" in c or "JINJA" in c], name
        assert len(page.comments) == len(clean_pages[name].comments), name
    assert "LATER-FACT-TEXT is still on the page" in pages(hostile)["topics/energy.html"].plain
    assert "LATER-SOURCE-TEXT closes the article." in pages(hostile)["sources/test-article.html"].plain


def test_titles_are_text_in_the_head_the_navigation_and_the_tooltips(sites):
    hostile, _ = sites
    page = pages(hostile)["topics/energy.html"]
    titles = [text for text in page.text if "PWN-title" in text]
    assert titles, "the topic title is missing"
    tooltips = [attrs["title"] for tag, attrs in page.tags if attrs.get("title") and "PWN" in attrs["title"]]
    assert tooltips and all(TITLE_BREAK in title or SCRIPT in title for title in tooltips)


def test_search_index_keeps_content_escaped(sites):
    hostile, _ = sites
    index = json.loads((hostile / "search" / "search_index.json").read_text(encoding="utf-8"))
    fields = [doc[key] for doc in index["docs"] for key in ("title", "text")]
    assert any("PWN-script" in field for field in fields)
    for field in fields:
        assert not re.search(r"<\s*(script|img|a\s|/title|!--)", field, re.IGNORECASE), field[:200]
    script = (hostile / "search" / "search_index.js").read_text(encoding="utf-8")
    assert not re.search(r"<\s*/?\s*script", script, re.IGNORECASE)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "".join("".join(page.extract_text() for page in PdfReader(path).pages).split())


@needs_pdf
def test_pdf_shows_the_payloads_as_text(sites):
    hostile, _ = sites
    text = pdf_text(hostile / "briefing.pdf")
    for payload in (SCRIPT, IMG, JS_LINK, RAW_LINK, TITLE_BREAK, JINJA, COMMENT, "LATER-FACT-TEXT is still on the page"):
        assert "".join(payload.split()) in text, payload
    assert "JINJA-MARK49" not in text


@needs_pdf
def test_pdf_has_no_script_and_no_link_to_a_script_data_or_file_address(sites):
    from pypdf import PdfReader

    hostile, _ = sites
    for path in [hostile / "briefing.pdf", *sorted((hostile / "pdf").glob("*.pdf"))]:
        reader = PdfReader(path)
        catalog = reader.trailer["/Root"]
        assert "/OpenAction" not in catalog and "/JavaScript" not in catalog.get("/Names", {}), path
        for page in reader.pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A") or {}
                assert action.get("/S") in (None, "/URI", "/GoTo"), (path, action)
                assert not BAD_SCHEME.match(str(action.get("/URI", ""))), (path, action)


@needs_pdf
def test_pdf_reads_no_file_through_content(sites):
    hostile, _ = sites
    assert SECRET not in pdf_text(hostile / "briefing.pdf")
    assert "root:x:0:0" not in pdf_text(hostile / "briefing.pdf")


def test_no_output_file_holds_what_content_pointed_at(sites):
    hostile, _ = sites
    assert [path for path in hostile.rglob("*") if path.is_file() and SECRET.encode() in path.read_bytes()] == []


@needs_pdf
def test_print_data_is_plain_json_with_the_payloads_as_strings(sites):
    """The print template gets content as data: strings and runs of text, never Typst source."""
    from brief.pdf import editions, print_data
    from brief.pipeline import check

    hostile, _ = sites
    briefing = check(Project(hostile.parent))
    data = print_data(briefing, editions(briefing, SUBJECT)[0])
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data  # nothing but JSON values
    fact = data["topics"][0]["facts"][-1]
    assert {key for run in fact["text"] for key in run} <= {"text", "strong", "emph", "code", "link", "fact"}
    assert SCRIPT in "".join(run["text"] for topic in data["topics"] for fact in topic["facts"] for run in fact["text"])


