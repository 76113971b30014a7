"""Trust beyond the quote: figure statuses, comparisons by metric, confirmations, honest dates, no internal names."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from markupsafe import Markup

from brief.compare import agreement
from brief.errors import ContentErrors
from brief.models import GlossaryTerm
from brief.pipeline import Project, build, check
from brief.markup import GlossaryTooltips

SOURCE = """\
---
title: {title}
{label}publisher: Test Wire
author: null
published: 2025-01-21
{basis}url: null
archived: 2026-11-23
---
Alpha said trade amounts to more than $220 billion.

Customs data show trade of $244.8 billion in 2024.

Beta said trade reached $220 billion in 2024.

Gamma said trade reached $230 billion in 2023.

The ministry confirmed that trade amounts to more than $220 billion.
"""


def source(title: str | None = "Trade article", label: str | None = None, basis: str | None = None) -> str:
    return SOURCE.format(
        title=title if title else "null",
        label=f"label: {label}\n" if label else "",
        basis=f"date_basis: {basis}\n" if basis else "",
    )


def figure(value: float, said_by: str, quote: str, *, qualifier: str | None = None, period: str | None = None, status: str = "stated", extra: str = "") -> str:
    return f"""\
  - metric: trade-value
    label: Trade
    value: {value}
    qualifier: {qualifier or "null"}
    unit: USD billion
    period: {f'"{period}"' if period else "null"}
    said_by: {said_by}
    status: {status}
{extra}    cite:
      - source: trade-article
        quote: "{quote}"
"""


def sheet(title: str, fact_id: str, figures: list[str], fact_extra: str = "", note: str | None = None) -> str:
    return f"""\
title: {title}
summary: [{{text: Trade is said to be growing., based_on: [{fact_id}]}}]
as_of: 2025-01-21
figures:
{"".join(figures) if figures else "  []"}
facts:
  - id: {fact_id}
    date: 2025-01-21
{fact_extra}    text: Alpha said trade amounts to more than $220 billion.
    said_by: Alpha
    status: stated
{f"    note: {note}" + chr(10) if note else ""}    cite:
      - source: trade-article
        quote: "Alpha said trade amounts to more than $220 billion."
"""


ALPHA = figure(220, "Alpha", "more than $220 billion", qualifier="more than")
CUSTOMS = figure(244.8, "Customs service", "trade of $244.8 billion in 2024", period="2024", status="reported")


def visible(page: str) -> str:
    """The page's text as a reader sees it: scripts (the claims' JSON-LD among them) and tags dropped, entities read."""
    body = re.sub(r"<script\b.*?</script>", " ", page.split('<article class="md-content__inner', 1)[-1], flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def built(make, sheets: dict[str, str], sources: dict[str, str] | None = None, with_pdf: bool = False) -> dict[str, str]:
    root = make(sheets=sheets, sources=sources or {"trade-article": source()})
    build(Project(root), with_pdf=with_pdf)
    pages = {path.relative_to(root / "site").as_posix(): path.read_text(encoding="utf-8") for path in (root / "site").rglob("*.html")}
    pages["root"] = str(root)
    return pages


def errors_for(make, sheets: dict[str, str], sources: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        check(Project(make(sheets=sheets, sources=sources or {"trade-article": source()})))
    return [str(error) for error in caught.value.errors]


# --- comparing figures --------------------------------------------------------------------------


def test_a_second_source_s_value_for_a_metric_is_shown_beside_the_first_even_without_a_period(tiny_project):
    pages = built(tiny_project, {"trade": sheet("Trade", "alpha-trade", [ALPHA]), "customs": sheet("Customs", "customs-trade", [CUSTOMS])})
    for page in ("topics/trade.html", "topics/customs.html", "index.html"):
        box = pages[page].split('<section class="brief-compare">', 1)[1].split("</section>", 1)[0]
        text = visible(box)
        assert text.startswith("Trade: 2 values")
        assert "more than 220 USD billion · period not stated · according to Alpha stated" in text
        assert "244.8 USD billion · 2024 · according to Customs service reported" in text
        assert (
            "These values are consistent: 244.8 (exact) and more than 220 can all be true. "
            "Not every value states its period, so they may not cover the same one."
        ) in text
        assert box.count('class="brief-cite"') == 2  # each value with its citation
        # Neither value is shown on its own as well.
        assert pages[page].count("brief-figure__number") == 2


def test_exact_values_that_differ_are_said_not_to_agree(tiny_project):
    beta = figure(220, "Beta", "trade reached $220 billion in 2024", period="2024")
    pages = built(tiny_project, {"trade": sheet("Trade", "beta-trade", [beta, CUSTOMS])})
    assert "These values do not agree: 220 (exact) and 244.8 (exact) cannot all be true." in visible(pages["topics/trade.html"])


def test_values_for_different_periods_are_not_compared(tiny_project):
    gamma = figure(230, "Gamma", "trade reached $230 billion in 2023", period="2023")
    pages = built(tiny_project, {"trade": sheet("Trade", "gamma-trade", [gamma, CUSTOMS])})
    assert "These values cannot be compared: they cover different periods (2023; 2024)." in visible(pages["topics/trade.html"])


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        ([(220, "more than"), (244.8, None)], "consistent"),
        ([(220, "over"), (219, None)], "do not agree"),
        ([(220, "at least"), (220, None)], "consistent"),
        ([(220, "more than"), (220, None)], "do not agree"),
        ([(250, "up to"), (244.8, None)], "consistent"),
        ([(250, "less than"), (250, None)], "do not agree"),
        ([(240, "about"), (244.8, None)], "consistent"),
        ([(200, "about"), (244.8, None)], "do not agree"),
        ([(250, "nearly"), (244.8, None)], "consistent"),
        ([(240, "nearly"), (244.8, None)], "do not agree"),
        ([(220, "more than"), (250, "less than")], "consistent"),
    ],
)
def test_qualified_values_agree_when_their_ranges_meet(values, verdict):
    figures = [SimpleNamespace(value=value, qualifier=qualifier, period="2024") for value, qualifier in values]
    assert verdict in agreement(figures)


def test_one_figure_alone_is_not_compared():
    assert agreement([SimpleNamespace(value=1, qualifier=None, period=None)]) == ""


# --- statuses and confirmations -----------------------------------------------------------------


def test_every_figure_card_shows_its_status(tiny_project):
    pages = built(tiny_project, {"trade": sheet("Trade", "alpha-trade", [ALPHA])})
    for page in ("topics/trade.html", "index.html"):
        card = pages[page].split('<div class="brief-figure brief-figure--stated">', 1)[1].split("</div>", 1)[0]
        assert '<span class="brief-status brief-status--stated"' in card
        assert "according to Alpha" in visible(card)


CONFIRMATION = """\
    confirmed_by: The ministry
    confirmed_in:
      - source: trade-article
        quote: "The ministry confirmed that trade amounts to more than $220 billion."
"""


def test_a_confirmed_figure_names_and_cites_its_confirmer(tiny_project):
    confirmed = figure(220, "Alpha", "more than $220 billion", qualifier="more than", status="confirmed", extra=CONFIRMATION)
    pages = built(tiny_project, {"trade": sheet("Trade", "alpha-trade", [confirmed])})
    card = pages["topics/trade.html"].split('<div class="brief-figure brief-figure--confirmed">', 1)[1].split("</div>", 1)[0]
    assert "; confirmed by The ministry" in visible(card)
    assert card.count('class="brief-cite"') == 2
    citations = visible(pages["topics/trade.html"].split('<ol class="brief-citations">', 1)[1])
    assert "The ministry confirmed that trade amounts to more than $220 billion." in citations


@pytest.mark.parametrize(
    ("extra", "status", "expected"),
    [
        (
            "",
            "confirmed",
            "briefings/trade.yaml:12:13: status is confirmed, but no `confirmed_by:` names who confirms it: "
            "add confirmed_by and confirmed_in (the confirmation's citation), or use status: stated",
        ),
        (
            CONFIRMATION.replace("The ministry", "alpha ", 1),
            "confirmed",
            "briefings/trade.yaml:13:19: 'alpha' is also said_by: a claim is confirmed only by someone other than its speaker; "
            "name who else confirms it, or use status: stated",
        ),
        (
            "    confirmed_by: The ministry\n",
            "confirmed",
            "briefings/trade.yaml:13:19: confirmed by The ministry, but `confirmed_in:` cites no confirmation: "
            "add the citation where The ministry confirms it",
        ),
        (
            CONFIRMATION,
            "stated",
            "briefings/trade.yaml:13:19: status is stated, yet `confirmed_by` is set: set status: confirmed, or remove confirmed_by and confirmed_in",
        ),
    ],
)
def test_confirmed_means_confirmed_by_someone_else(tiny_project, extra, status, expected):
    item = figure(220, "Alpha", "more than $220 billion", qualifier="more than", status=status, extra=extra)
    assert expected in errors_for(tiny_project, {"trade": sheet("Trade", "alpha-trade", [item])})


def test_the_same_rules_hold_for_facts(tiny_project):
    errors = errors_for(tiny_project, {"trade": sheet("Trade", "alpha-trade", []).replace("status: stated", "status: confirmed")})
    assert errors == [
        "briefings/trade.yaml:11:13: status is confirmed, but no `confirmed_by:` names who confirms it: "
        "add confirmed_by and confirmed_in (the confirmation's citation), or use status: stated"
    ]


def test_the_shipped_content_confirms_nothing_without_a_confirmer():
    from conftest import REPO

    briefing = check(Project(REPO))
    for topic in briefing.topics:
        for item in (*topic.sheet.facts, *topic.sheet.figures):
            if item.status == "confirmed":
                assert item.confirmed_by and item.confirmed_in


# --- glossary -----------------------------------------------------------------------------------


def tooltips(*terms: str) -> GlossaryTooltips:
    cite = [{"source": "x", "quote": "the quoted words"}]
    return GlossaryTooltips(GlossaryTerm(term=term, definition=f"about {term}", cite=cite) for term in terms)


def test_the_longest_term_wins():
    marked = tooltips("START", "New START")(Markup("<p>New START expires.</p>"))
    assert marked == '<p><abbr class="brief-term" title="about New START">New START</abbr> expires.</p>'


@pytest.mark.parametrize("longer", ["Power of Siberia 2", "Power of Siberia-2", "Power of Siberia II", "Power of Siberia Two"])
def test_a_term_that_starts_a_longer_name_is_not_annotated(longer):
    assert tooltips("Power of Siberia")(Markup(f"<p>Talks on {longer} continue.</p>")) == f"<p>Talks on {longer} continue.</p>"


def test_a_term_followed_by_ordinary_words_is_annotated():
    marked = tooltips("Power of Siberia")(Markup("<p>The Power of Siberia pipeline.</p>"))
    assert '<abbr class="brief-term" title="about Power of Siberia">Power of Siberia</abbr> pipeline' in marked


# --- honest dates -------------------------------------------------------------------------------


def test_an_inferred_date_is_marked_wherever_it_shows(tiny_project):
    sources = {"trade-article": source(basis="Inferred from the day of the week the article names.")}
    pages = built(tiny_project, {"trade": sheet("Trade", "alpha-trade", [])}, sources)
    topic = visible(pages["topics/trade.html"])
    assert "21 January 2025 (date inferred)" in topic.split("Facts, newest first")[1].split("Citations")[0]
    assert "Test Wire, 21 January 2025 (date inferred) : Alpha said" in topic.split("Citations")[-1]
    assert "21 January 2025 (date inferred)" in visible(pages["timeline.html"])
    assert "21 January 2025 (date inferred)" in visible(pages["index.html"]).split("Latest developments")[1]
    assert "21 January 2025 (date inferred)" in visible(pages["sources/trade-article.html"])


def test_a_fact_s_own_date_basis_marks_its_date_inferred(tiny_project):
    own = "    date_basis: The article says only that it happened on the day of the call.\n"
    pages = built(tiny_project, {"trade": sheet("Trade", "alpha-trade", [], fact_extra=own)})
    assert "21 January 2025 (date inferred)" in visible(pages["timeline.html"])


def test_a_stated_date_is_not_marked(tiny_project):
    pages = built(tiny_project, {"trade": sheet("Trade", "alpha-trade", [])})
    assert "inferred" not in visible(pages["topics/trade.html"])


# --- no internal names --------------------------------------------------------------------------


def test_a_source_without_a_title_needs_a_label(tiny_project):
    errors = errors_for(tiny_project, {"trade": sheet("Trade", "alpha-trade", [])}, {"trade-article": source(title=None)})
    assert errors == [
        "sources/trade-article.md:2:8: the article has no title: add `label:`, a few words readers see in its place "
        "(what the article is about, and who published it if known)"
    ]


def test_no_page_shows_a_slug_or_a_fact_id(tiny_project):
    note = "Compare [[customs-trade]]."
    pages = built(
        tiny_project,
        {"trade": sheet("Trade", "alpha-trade", [ALPHA], note=note), "customs": sheet("Customs", "customs-trade", [CUSTOMS])},
        {"trade-article": source(title=None, label="Report on trade figures")},
    )
    for name, page in pages.items():
        if name.endswith(".html") and not name.startswith(("search", "404")):
            text = visible(page)
            for slug in ("trade-article", "alpha-trade", "customs-trade", "Untitled"):
                assert slug not in text, (name, slug)
    assert "Report on trade figures" in visible(pages["topics/trade.html"])
    link = re.search(r'Note: Compare <a class="brief-fact-ref" href="([^"]+)">([^<]+)</a>', pages["topics/trade.html"])
    assert link and link.groups() == ("../topics/customs.html#fact-customs-trade", "“Alpha said trade amounts to more than $220 billion.”")


def test_a_note_that_names_a_fact_by_its_id_is_refused(tiny_project):
    errors = errors_for(tiny_project, {"trade": sheet("Trade", "alpha-trade", [], note="See alpha-trade and [[alpha-trad]].")})
    assert errors == [
        "briefings/trade.yaml:12:11: [[alpha-trad]] names no fact: did you mean [[alpha-trade]]?",
        "briefings/trade.yaml:12:11: names the fact 'alpha-trade' by its id, which readers would see: write [[alpha-trade]] to link it by its text",
    ]


# --- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_shows_statuses_comparisons_confirmations_and_inferred_dates_and_no_slug(tiny_project):
    from pypdf import PdfReader

    confirmed = figure(220, "Alpha", "more than $220 billion", qualifier="more than", status="confirmed", extra=CONFIRMATION)
    sources = {"trade-article": source(title=None, label="Report on trade figures", basis="Inferred from the weekday the article names.")}
    pages = built(
        tiny_project,
        {"trade": sheet("Trade", "alpha-trade", [confirmed], note="Compare [[customs-trade]]."), "customs": sheet("Customs", "customs-trade", [CUSTOMS])},
        sources,
        with_pdf=True,
    )
    reader = PdfReader(f"{pages['root']}/site/pdf/trade.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "confirmed" in text and "reported" in text  # each figure's status, in the table and the comparison
    assert "; confirmed by The ministry" in text
    assert "Trade: 2 values compared" in text
    assert "These values are consistent: 244.8 (exact) and more than 220 can all be true." in text
    assert "21 January 2025 (date inferred)" in text  # the fact's date and its endnote's
    assert "Report on trade figures, Test Wire, 21 January 2025 (date inferred)" in text
    assert "Note: Compare “Alpha said trade amounts to more than $220 billion.”" in text
    for slug in ("trade-article", "alpha-trade", "customs-trade", "Untitled"):
        assert slug not in text, slug


def test_print_data_reads_fact_references_only_where_the_site_does():
    from brief.export import runs

    # A fact's own text is shown as written on the site; so in the PDF.
    assert runs("See [[alpha-trade]] *now*") == [{"text": "See [[alpha-trade]] "}, {"text": "now", "emph": True}]
    # Notes and summaries read it as the fact's text, linked when the document prints the fact.
    linked = runs("See [[alpha-trade]].", lambda fact_id: f"fact-{fact_id}", lambda fact_id: "Alpha said so.")
    assert linked == [{"text": "See "}, {"text": "“Alpha said so.”", "fact": "fact-alpha-trade"}, {"text": "."}]
