"""What the reader sees beyond the facts: text fragments, glossary, staleness (comparisons: test_trust.py)."""

from __future__ import annotations


from markupsafe import Markup

from brief.models import GlossaryTerm
from brief.pipeline import Project, build
from brief.markup import GlossaryTooltips, text_fragment


def test_text_fragment_encodes_hyphens_commas_and_ampersands():
    assert text_fragment("China-Russia ties, trade & energy") == "#:~:text=China%2DRussia%20ties%2C%20trade%20%26%20energy"


def test_text_fragment_uses_a_range_for_long_quotes():
    quote = "one two three four five six seven eight nine ten"
    assert text_fragment(quote) == "#:~:text=one%20two%20three%20four,seven%20eight%20nine%20ten"


def test_glossary_tooltips_skip_code_and_prefer_the_longest_term():
    tooltips = GlossaryTooltips(
        [
            GlossaryTerm(term="START", definition="short", cite=[{"source": "s", "quote": "the quoted words"}]),
            GlossaryTerm(term="New START", definition="A <treaty>", cite=[{"source": "s", "quote": "the quoted words"}]),
        ]
    )
    out = tooltips(Markup("The New START treaty, not <code>New START</code>."))
    assert out == Markup(
        'The <abbr class="brief-term" title="A &lt;treaty&gt;">New START</abbr> treaty, not <code>New START</code>.'
    )


def test_topic_pages_carry_a_staleness_notice_for_the_reader_s_day(tiny_project):
    root = tiny_project()
    build(Project(root))
    html = (root / "site" / "topics" / "energy.html").read_text(encoding="utf-8")
    assert '<p class="brief-stale" data-as-of="2025-01-21" data-stale-after-days="180" hidden>' in html
    assert 'src="../assets/brief.js"' in html


def test_the_staleness_age_comes_from_mkdocs_yml(tiny_project):
    root = tiny_project()
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("stale_after_days: 180", "stale_after_days: 30"), encoding="utf-8")
    build(Project(root), with_pdf=False)
    html = (root / "site" / "topics" / "energy.html").read_text(encoding="utf-8")
    assert 'data-stale-after-days="30"' in html


def test_the_glossary_is_in_the_navigation(tiny_project, tmp_path):
    root = tiny_project()
    (root / "glossary.yaml").write_text(
        "terms:\n  - term: pipeline\n    definition: A pipe.\n    cite:\n"
        "      - source: test-article\n        quote: the pipeline carries gas\n",
        encoding="utf-8",
    )
    build(Project(root), with_pdf=False)
    assert 'href="glossary.html"' in (root / "site" / "index.html").read_text(encoding="utf-8")
