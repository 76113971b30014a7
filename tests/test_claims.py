"""The claims on the page (brief/claims.py) and "Cite this page" (brief/citing.py), read back from built sites.

Two sites are built: the repository's content as it is (no site_url), and a small project with
site_url set, a dispute across two topics, hostile text in a fact and BibTeX's special characters
in a title.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from brief.cache import Cache
from brief.claims import script_json
from brief.cli import main
from brief.models import long_date
from brief.pipeline import Memory, Project, build, generate
from conftest import SUBJECT, TINY_SOURCE, edited, make_tiny_project

SITE_URL = "https://example.org/briefing/"
HOSTILE = '</script><script>alert("claims")</script> <!-- & **bold**'
# BibTeX's special characters, and a backslash, in a topic's title.
ODD_TITLE = r"Energy & {gas} % #one $x_y \ ~"

ENERGY = f"""\
title: {json.dumps(ODD_TITLE)}
summary: [{{text: "Alpha says the pipeline carries gas.", based_on: [pipeline-carries-gas]}}]
as_of: 2025-01-21
facts:
  - id: pipeline-carries-gas
    date: 2025-01
    text: {json.dumps("Alpha said the pipeline carries gas. " + HOSTILE)}
    said_by: Alpha
    status: disputed
    cite:
      - source: test-article
        quote: "the pipeline carries gas to the east"
"""

TRADE = """\
title: Trade
summary: [{text: "Beta denies it.", based_on: [beta-denies-pipeline]}]
as_of: 2025-01-20
facts:
  - id: beta-denies-pipeline
    date: null
    text: Beta denied that the pipeline carries anything.
    said_by: Beta
    status: stated
    contradicts: [pipeline-carries-gas]
    cite:
      - source: test-article
        quote: "Beta denied that the pipeline carries anything"
"""

ORIGINAL = "https://example.org/article?id=1"


def two_topics(root: Path) -> Path:
    """A project of two topics whose facts contradict each other, citing one source known by its original address."""
    return make_tiny_project(root, {"energy": ENERGY, "trade": TRADE}, {"test-article": TINY_SOURCE.replace("url: null", f'url: "{ORIGINAL}"')})


@pytest.fixture(scope="module")
def addressed(tmp_path_factory) -> Path:
    """The two-topic project built with site_url set."""
    root = two_topics(tmp_path_factory.mktemp("claims") / "addressed")
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write(f"\nsite_url: {SITE_URL}\n")
    build(Project(root), with_pdf=False)
    return root / "site"


class Scripts(HTMLParser):
    """The bodies of a page's JSON-LD script elements, as a browser reads them: up to the first </script>."""

    def __init__(self, text: str):
        super().__init__()
        self.bodies: list[str] = []
        self._inside = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.bodies.append("")

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.bodies[-1] += data


def claims_of(page: Path) -> list[dict]:
    """The Claims of a built page's one JSON-LD document, each source they appear in read from the graph by its @id."""
    bodies = Scripts(page.read_text(encoding="utf-8")).bodies
    assert len(bodies) == 1, page
    document = json.loads(bodies[0])
    assert document["@context"][0] == "https://schema.org"
    works = {node["@id"]: node for node in document["@graph"] if node["@type"] == "CreativeWork"}
    claims = [node for node in document["@graph"] if node["@type"] == "Claim"]
    assert len(works) + len(claims) == len(document["@graph"])  # nothing else, and each source once
    for claim in claims:
        claim["appearance"] = [works[reference["@id"]] for reference in claim["appearance"] if reference.keys() == {"@id"}]
    return claims


def shown_text(page_html: str, fact_id: str) -> str:
    """A fact's text as its topic page shows it, without its citation marks."""
    article = page_html.split(f'id="fact-{fact_id}"', 1)[1]
    paragraph = re.search(r'<p class="brief-fact__text">(.*?)</p>', article, re.S).group(1)
    paragraph = re.sub(r'<sup class="brief-cite">.*?</sup>', "", paragraph)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", paragraph)).split())


def test_every_topic_page_carries_one_claim_per_fact(shipped):
    site, briefing = shipped
    for topic in briefing.topics:
        page = site / "topics" / f"{topic.id}.html"
        claims = claims_of(page)
        text = page.read_text(encoding="utf-8")
        assert [claim["@id"] for claim in claims] == [f"../topics/{topic.id}.html#fact-{fact.id}" for fact in topic.sheet.facts]
        for claim, fact in zip(claims, topic.sheet.facts):
            assert claim["@type"] == "Claim" and claim["url"] == claim["@id"] and f'id="fact-{fact.id}"' in text
            assert claim["text"] == shown_text(text, fact.id), fact.id
            assert claim["author"] == {"name": fact.said_by}
            assert claim.get("dateCreated") == (str(fact.date) if fact.date else None)
            assert claim["description"].startswith(f"{fact.status}: ")
            cited = [briefing.sources[source_id] for source_id in dict.fromkeys(c.source for c in fact.cite)]
            assert [work["url"] for work in claim["appearance"]] == [f"../sources/{source.id}.html" for source in cited]
            for work, source in zip(claim["appearance"], cited):
                assert (site / "sources" / f"{source.id}.html").is_file()
                assert work["name"] == source.display_title
                assert work.get("sameAs") == source.meta.display_url
                assert work.get("publisher") == ({"name": source.meta.publisher} if source.meta.publisher else None)
                assert work.get("datePublished") == (source.meta.published.isoformat() if source.meta.published else None)


def test_a_disputed_or_denied_fact_names_the_fact_contradicting_it(shipped):
    site, briefing = shipped
    assert briefing.disputes, "the repository's content has no contradicting facts to show"
    for dispute in briefing.disputes:
        for (topic, fact), (other_topic, other) in ((dispute.first, dispute.second), (dispute.second, dispute.first)):
            claim = next(claim for claim in claims_of(site / "topics" / f"{topic.id}.html") if claim["@id"].endswith(f"#fact-{fact.id}"))
            expected = {"@id": f"../topics/{other_topic.id}.html#fact-{other.id}", "@type": "Claim", "text": shown_text((site / "topics" / f"{other_topic.id}.html").read_text(encoding="utf-8"), other.id), "author": {"name": other.said_by}}
            assert expected in claim["contradicts"]
    statuses = {fact.status for dispute in briefing.disputes for _, fact in (dispute.first, dispute.second)}
    assert statuses & {"disputed", "denied"}


def test_with_site_url_claims_are_named_by_address_and_a_contradiction_across_topics_is_named(addressed):
    energy, trade = claims_of(addressed / "topics" / "energy.html"), claims_of(addressed / "topics" / "trade.html")
    assert [claim["@id"] for claim in energy] == [f"{SITE_URL}topics/energy.html#fact-pipeline-carries-gas"]
    [disputed], [denying] = energy, trade
    assert disputed["dateCreated"] == "2025-01" and "dateCreated" not in denying  # as precise as known; undated has none
    assert disputed["appearance"] == [
        {"@type": "CreativeWork", "@id": f"{SITE_URL}sources/test-article.html", "url": f"{SITE_URL}sources/test-article.html", "name": "Test article", "publisher": {"name": "Test Wire"}, "datePublished": "2025-01-21", "sameAs": ORIGINAL}
    ]
    assert disputed["contradicts"] == [{"@id": denying["@id"], "@type": "Claim", "text": denying["text"], "author": {"name": "Beta"}}]
    assert denying["contradicts"] == [{"@id": disputed["@id"], "@type": "Claim", "text": disputed["text"], "author": {"name": "Alpha"}}]


def test_content_cannot_end_the_script_element(addressed):
    page = (addressed / "topics" / "energy.html").read_text(encoding="utf-8")
    [body] = Scripts(page).bodies
    assert not re.search(r"[<>&]", body)
    [claim, _source] = json.loads(body)["@graph"]
    # Markdown is stripped (the bold), the rest is text.
    assert claim["text"] == 'Alpha said the pipeline carries gas. </script><script>alert("claims")</script> <!-- & bold'
    assert "<script>alert(" not in page  # anywhere on the page


def test_script_json_escapes_what_could_end_the_element_or_break_a_line():
    data = {"text": "</script><!-- a & b \u2028 \u2029 ü"}
    made = str(script_json(data))
    assert not re.search("[<>&\u2028\u2029]", made) and "ü" in made
    assert json.loads(made) == data


# Cite this page.

def cite_blocks(page: Path) -> list[str]:
    """The texts of a page's "Cite this page": the reference, the BibTeX and the CSL-JSON, as a reader selects them."""
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r'<details class="brief-cite-this"[^>]*>(.*?)</details>', text, re.S)
    assert len(blocks) == 1, page
    return [html.unescape(code) for code in re.findall(r"<pre[^>]*><code>(.*?)</code></pre>", blocks[0], re.S)]


BIBTEX_FIELD = re.compile(r"\s*(\w+) = \{")


def bibtex_fields(entry: str) -> tuple[str, str, dict[str, str]]:
    """A BibTeX entry's type, key and fields, each value read to its balancing brace (a backslash escapes the next character)."""
    head = re.match(r"@(\w+)\{([A-Za-z0-9-]+),\n", entry)
    assert head, entry
    fields, at = {}, head.end()
    while match := BIBTEX_FIELD.match(entry, at):
        depth, index = 1, match.end()
        while depth:
            char = entry[index]
            index += 2 if char == "\\" else 1
            depth += (char == "{") - (char == "}")
        fields[match.group(1)] = entry[match.end() : index - 1]
        assert entry[index] == ",", entry
        at = index + 1
    assert entry[at:].strip() == "}", entry
    return head.group(1), head.group(2), fields


def bibtex_text(value: str) -> str:
    """A field's text as BibTeX prints it."""
    value = value.replace(r"\textbackslash{}", "\\").replace(r"\textasciitilde{}", "~").replace(r"\textasciicircum{}", "^")
    return re.sub(r"\\([{}%&$#_])", r"\1", value)


def page_title(page: Path) -> str:
    return html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S).group(1))


def test_every_page_offers_a_citation_with_no_invented_address(shipped):
    site, briefing = shipped
    pages = sorted(path for path in site.rglob("*.html") if path.name != "404.html")
    assert len(pages) > 10
    for page in pages:
        title = page_title(page)
        reference, bibtex, csl = cite_blocks(page)
        assert reference.startswith(SUBJECT + ". ") and f"Edition of {long_date(briefing.as_of)}." in reference
        assert title == SUBJECT or f"“{title}”" in reference, page
        kind, key, fields = bibtex_fields(bibtex)
        assert kind == "misc" and key.endswith(str(briefing.as_of.year))
        assert bibtex_text(fields["title"]) == title and fields["author"] == "{" + bibtex_text(SUBJECT) + "}"
        assert fields["date"] == briefing.as_of.isoformat() and fields["note"] == f"Edition of {long_date(briefing.as_of)}"
        [item] = json.loads(csl)
        assert item["type"] == "webpage" and item["title"] == title and item["container-title"] == SUBJECT
        assert item["issued"] == {"date-parts": [[briefing.as_of.year, briefing.as_of.month, briefing.as_of.day]]}
        assert "http" not in reference + bibtex + csl and "URL" not in item and "url" not in fields, page
        assert re.fullmatch(r"russia-china-relations(-[a-z0-9]+)*-" + str(briefing.as_of.year), key) and key == item["id"]
        if page.parent.name == "sources" and page.stem != "index":
            assert page.stem not in key, page  # named by its title, never by the source's id: readers see no internal names


def test_with_site_url_every_citation_gives_the_page_address(addressed):
    pages = sorted(path for path in addressed.rglob("*.html") if path.name != "404.html")
    for page in pages:
        address = SITE_URL + page.relative_to(addressed).as_posix()
        reference, bibtex, csl = cite_blocks(page)
        _, _, fields = bibtex_fields(bibtex)
        assert reference.endswith(f" {address}")
        assert fields["url"] == address and fields["howpublished"] == r"\url{" + address + "}"
        assert json.loads(csl)[0]["URL"] == address
    reference, bibtex, csl = cite_blocks(addressed / "topics" / "energy.html")
    _, _, fields = bibtex_fields(bibtex)
    assert bibtex_text(fields["title"]) == ODD_TITLE == json.loads(csl)[0]["title"]
    assert f"“{ODD_TITLE}”" in reference


def test_editing_a_contradicting_fact_in_another_topic_renders_this_page_again(tmp_path):
    project = Project(two_topics(tmp_path / "project"))
    memory = Memory(Cache.for_project(project.root))
    generate(project, memory)
    before = memory.rendered.rendered["topics/energy.md"]

    edited(project.root / "briefings" / "trade.yaml", "text: Beta denied that", "text: Beta flatly denied that")
    generate(project, memory)

    after = memory.rendered.rendered["topics/energy.md"]
    [claim, _source] = json.loads(Scripts(after.page.data.decode()).bodies[0])["@graph"]
    assert claim["contradicts"][0]["text"] == "Beta flatly denied that the pipeline carries anything."
    assert after is not before


def test_a_site_url_that_is_not_a_web_address_is_an_error_and_nothing_is_built(tmp_path):
    address = "javascript:alert(1)"
    root = make_tiny_project(tmp_path / "tiny")
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write(f'\nsite_url: "{address}"\n')
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 1
    assert f"mkdocs.yml: site_url '{address}' is not a web address: write an https:// URL, or leave it out" in result.output
    assert not (root / "site").exists()
