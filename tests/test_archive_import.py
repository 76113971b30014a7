"""add-source on pages as editors save them (tests/archive_cases/): imports that need no repair.

Each case is a small page in the layout of a real news site: the date in a byline <time> or in JSON-LD,
a site name that reads as a domain, a title in Cyrillic or Chinese, "Read also" and "Subscribe"
paragraphs between the article's own, and a section front page that is not an article at all.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from brief.archive import Article, propose_id
from brief.article import is_furniture
from brief.article_page import stated_date
from brief.cli import main
from brief.load import SOURCES_DIR, parse, read_file
from brief.models import SourceMeta

CASES = Path(__file__).parent / "archive_cases"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "project" / "sources").mkdir(parents=True)
    return tmp_path / "project"


def add(project: Path, file: Path, *options: str):
    return CliRunner().invoke(main, ["add-source", "--project", str(project), str(file), "--archived", "2026-11-23", *options])


def written(project: Path, source_id: str) -> tuple[SourceMeta, str]:
    """The front matter and text of sources/<source_id>.md, which must pass check's parsing."""
    path = project / SOURCES_DIR / f"{source_id}.md"
    source, errors = parse(read_file(SOURCES_DIR, path, project))
    assert errors == []
    return SourceMeta.model_validate(source.front.data), source.body


def saved(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- saved pages ---------------------------------------------------------------------------------


def test_a_byline_date_a_domain_site_name_and_furniture_paragraphs(project):
    result = add(project, CASES / "byline-time.html")
    assert result.exit_code == 0, result.output
    source_id = "kyivindependent-2025-09-02-putin-xi-sign-power-siberia-2"
    assert result.output.splitlines()[0] == f"wrote sources/{source_id}.md"
    meta, body = written(project, source_id)
    # The byline's day, not the modification meta tag's (09-04) nor a sidebar item's (08-30 .. 09-01).
    assert str(meta.published) == "2025-09-02"
    assert (meta.publisher, meta.author) == ("kyivindependent.com", "Kateryna Hodunova")
    assert meta.title == "Putin, Xi sign Power of Siberia 2 memorandum in Beijing"
    assert body == (
        "Russia and China signed a legally binding memorandum on the construction of the Power of Siberia 2 gas pipeline, "
        "Gazprom CEO Alexei Miller said on Sept. 2 after talks in Beijing.\n\n"
        "The pipeline would carry up to 50 billion cubic meters of gas a year from western Siberia to China through Mongolia, "
        "Miller told journalists, without naming a price or a start date.\n\n"
        'Putin called the talks with Xi Jinping "unprecedentedly high" in level and said the two countries would read more '
        "closely into each other's markets, while analysts said the memorandum left the key terms open.\n\n"
        "Chinese officials did not confirm the memorandum. Those who subscribe to the view that Beijing holds the stronger "
        "hand point to the missing price, which Moscow has sought for more than a decade.\n"
    )


def test_a_json_ld_graph_date_and_a_cyrillic_title_and_publisher(project):
    result = add(project, CASES / "json-ld-cyrillic.html")
    assert result.exit_code == 0, result.output
    source_id = "tass-2025-09-02-putin-i-si-tszinpin-obsudili-energeticheskoe"
    meta, body = written(project, source_id)
    # The NewsArticle's datePublished, not its dateModified, the meta tag's modification or the publisher's founding.
    assert str(meta.published) == "2025-09-02"
    assert (meta.title, meta.publisher, meta.author) == ("Путин и Си Цзиньпин обсудили энергетическое сотрудничество", "ТАСС", "Анна Иванова")
    paragraphs = body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("ПЕКИН, 2 сентября. /ТАСС/. Президент России Владимир Путин")
    assert "Читайте также" not in body


def test_a_chinese_title_and_publisher_give_a_pinyin_id(project):
    result = add(project, CASES / "chinese-title.html")
    assert result.exit_code == 0, result.output
    meta, body = written(project, "xinhuawang-2025-09-02-xi-jin-ping-tong-e-luo-si-zong-tong-pu")
    assert (meta.title, meta.publisher, str(meta.published)) == ("习近平同俄罗斯总统普京举行会谈", "新华网", "2025-09-02")
    assert body.startswith("新华社北京9月2日电 国家主席习近平2日在人民大会堂")
    assert len(body.split("\n\n")) == 3  # the headline, repeated above the text, is the title only


def test_a_section_front_page_is_refused_with_what_was_seen_and_how_to_override(project):
    page = CASES / "section-front.html"
    result = add(project, page)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        f"{page}: this page looks like a section front page or a list of headlines, not an article: "
        "8 links that read as headlines; no element holds 3 paragraphs of prose, as an article body does; "
        'og:type is "website". Save the article\'s own page and add that, or add --force to archive this page as it is'
    ) in result.output
    assert list((project / "sources").iterdir()) == []


def test_a_section_front_page_is_archived_with_force(project):
    result = add(project, CASES / "section-front.html", "--force")
    assert result.exit_code == 0, result.output
    meta, body = written(project, "kyivindependent-undated-russia")
    assert (meta.title, meta.published, meta.awaiting_review) == ("Russia", None, True)
    assert "Russia and China signed a memorandum on the gas pipeline" in body


def test_a_front_page_that_states_no_og_type_is_refused_by_its_structure(tmp_path, project):
    page = (CASES / "section-front.html").read_text(encoding="utf-8").replace('<meta property="og:type" content="website">\n', "")
    result = add(project, saved(tmp_path, "front.html", page))
    assert result.exit_code == 1
    assert "8 links that read as headlines; no element holds 3 paragraphs of prose" in result.output
    assert "og:type" not in result.output


def test_an_article_with_a_long_list_of_other_headlines_is_not_refused(tmp_path, project):
    page = (CASES / "byline-time.html").read_text(encoding="utf-8")
    more = "".join(f'<li><a href="/more-{n}/">Another headline about the war and its economy, number {n}</a></li>' for n in range(12))
    page = page.replace("</ul>\n</aside>", f"{more}</ul>\n</aside>")
    result = add(project, saved(tmp_path, "article.html", page), "--id", "with-sidebar")
    assert result.exit_code == 0, result.output
    assert "Another headline" not in written(project, "with-sidebar")[1]


# --- text files ----------------------------------------------------------------------------------


def test_a_text_file_with_one_paragraph_a_line_keeps_each_line(tmp_path, project):
    lines = [
        "Russia and China signed a memorandum on the Power of Siberia 2 pipeline.",
        "Read also: China-Russia trade falls for the first time in five years",
        "The pipeline would carry up to 50 billion cubic meters of gas a year.",
        "Chinese officials did not confirm the memorandum.",
    ]
    result = add(project, saved(tmp_path, "lines.txt", "\n".join(lines) + "\n"), "--id", "lines")
    assert result.exit_code == 0, result.output
    assert written(project, "lines")[1] == "\n\n".join(lines[:1] + lines[2:]) + "\n"


def test_a_text_file_with_blank_lines_between_paragraphs_joins_the_lines_inside_them(tmp_path, project):
    text = (
        "Russia and China signed a memorandum\non the Power of Siberia 2 pipeline,\nGazprom said.\n"
        "\n\n"
        "The pipeline would carry up to 50 billion\ncubic meters of gas a year.\n"
        "\n"
        "Subscribe to our newsletter\n"
        "\n"
        "Chinese officials did not confirm the memorandum.\n"
    )
    result = add(project, saved(tmp_path, "blocks.txt", text), "--id", "blocks")
    assert result.exit_code == 0, result.output
    assert written(project, "blocks")[1] == (
        "Russia and China signed a memorandum on the Power of Siberia 2 pipeline, Gazprom said.\n\n"
        "The pipeline would carry up to 50 billion cubic meters of gas a year.\n\n"
        "Chinese officials did not confirm the memorandum.\n"
    )


def test_a_text_file_of_nothing_but_furniture_is_refused(tmp_path, project):
    result = add(project, saved(tmp_path, "empty.txt", "Share\nSubscribe to our newsletter\n"), "--id", "furniture")
    assert result.exit_code == 1
    assert "no article text found, only page furniture" in result.output


# --- the rules on their own ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraph",
    [
        "Read also: China-Russia trade falls for the first time in five years",
        "READ MORE: Putin arrives in Beijing",
        "Read more",
        "Also read — Xi hosts Putin in Tianjin",
        "Related: EU prepares 19th sanctions package",
        "Читайте также: Ушаков рассказал о планах Путина на визит в Китай",
        "Subscribe to our newsletter to get the latest news from Ukraine in your inbox every morning.",
        "Sign up for our daily briefing",
        "Follow us on Telegram",
        "Share",
        "Share this article",
        "Share on X",
        "Advertisement",
    ],
)
def test_furniture_paragraphs(paragraph):
    assert is_furniture(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Share prices of Gazprom fell 3% after the memorandum was signed.",
        "Those who subscribe to the view that Beijing holds the stronger hand point to the missing price.",
        "Subscribers to the state broadcaster were told the talks had gone well.",
        "Putin said the two sides would read more closely into each other's markets.",
        "Read more closely, the statement commits Beijing to nothing.",
        "Follow-up talks are planned for November, the Kremlin said.",
        "Read also: " + "a very long paragraph that carries on " * 8,
    ],
)
def test_prose_that_holds_the_same_words_is_kept(paragraph):
    assert not is_furniture(paragraph)


def page(head: str = "", body: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}<p>x</p></body></html>")


BYLINE = '<article><div class="byline">By A. Reporter <time datetime="2025-09-02T14:05:00+03:00">Sept. 2</time></div><p>Text.</p></article>'
JSON_LD = '<script type="application/ld+json">{"@graph": [{"@type": "WebPage", "datePublished": "2025-09-05"}, {"@type": "NewsArticle", "datePublished": "2025-09-03T10:00:00Z"}]}</script>'
META = '<meta property="article:published_time" content="2025-09-04T08:00:00Z">'


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (JSON_LD + META, BYLINE, "2025-09-02"),  # the byline first
        (JSON_LD + META, "", "2025-09-03"),  # then JSON-LD, the article's item before the page's
        (META, "", "2025-09-04"),  # then the meta tags
        ('<script type="application/ld+json">[{"@type": "WebSite"}, {"@graph": [{"@type": ["NewsArticle"], "datePublished": "2025-09-06"}]}]</script>', "", "2025-09-06"),
        ('<meta itemprop="datePublished" content="2025-09-07">', "", "2025-09-07"),
        ('<meta name="parsely-pub-date" content="2025-09-08T00:00:00Z">', "", "2025-09-08"),
        ("", '<article><p>Text</p><time class="updated" datetime="2025-09-09">Updated Sept. 9</time></article>', None),
        ("", '<article><p>Text</p></article><aside><time datetime="2025-09-10">Sept. 10</time></aside>', None),
        ("", '<div class="story-byline">By A. Reporter, <time datetime="2025-09-12">Sept. 12</time></div>', "2025-09-12"),
        ("", '<div class="card"><time datetime="2025-09-11">Sept. 11</time></div>', None),  # not in an article or byline
        ('<script type="application/ld+json">{"datePublished": "not a date"</script>', "", None),
    ],
    ids=["byline", "json-ld", "meta", "json-ld list and graph", "meta itemprop", "parsely", "update", "sidebar", "byline outside an article", "loose time", "broken json"],
)
def test_stated_date_reads_what_the_page_states_most_trusted_first(head, body, expected):
    assert stated_date(page(head, body)) == expected


@pytest.mark.parametrize(
    ("publisher", "expected"),
    [("kyivindependent.com", "kyivindependent"), ("www.bbc.co.uk", "bbc"), ("The Moscow Times", "moscowtimes"), ("Українська правда", "ukrainskapravda")],
)
def test_the_id_names_the_publisher_in_ascii_and_a_domain_without_its_ending(publisher, expected):
    assert propose_id(Article(text="x", title="Xi meets Putin", publisher=publisher, published="2025-09-02")) == f"{expected}-2025-09-02-xi-meets-putin"
