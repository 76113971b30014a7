"""The overview's bottom line and what to watch (overview.yaml), judgements that name the facts they rest on,
key facts leading the latest developments, and a long sheet's facts grouped by theme: as check reports them
and as the built pages show them."""

from __future__ import annotations

import html
import re

import pytest

from brief.pipeline import Project, build
from conftest import TINY_SHEET, check_errors, edited, make_tiny_project, run_check


def visible(page: str) -> str:
    """A built page's article as a reader reads it (not the navigation or its table of contents): tags dropped, white space folded."""
    article = page.split("<article", 1)[-1].split("</article>", 1)[0]
    article = re.sub(r"<sup[^>]*>", " ", article)  # a superscript reads apart from the word before it
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"</?(p|li|h\d|div|section|ul|ol)\b[^>]*>", " ", article))).split())


def test_a_judgement_based_on_no_fact_is_an_error_at_the_id_with_the_closest_id(tiny_project):
    root = tiny_project(sheets={"energy": TINY_SHEET.replace("based_on: [pipeline-carries-gas]", "based_on: [pipeline-carries-gaz]")})
    assert check_errors(root) == ["briefings/energy.yaml:2:85: no fact with id 'pipeline-carries-gaz': did you mean 'pipeline-carries-gas'?"]


def test_a_summary_written_as_one_text_says_how_to_write_sentences(tiny_project):
    sheet = TINY_SHEET.replace('[{text: "Alpha says the pipeline carries gas; Beta denies it.", based_on: [pipeline-carries-gas]}]', "Alpha says the pipeline carries gas.")
    [error] = check_errors(tiny_project(sheets={"energy": sheet}))
    assert error.startswith("briefings/energy.yaml:2:10: ")
    assert "`summary`: write it as a list of sentences, each with the facts it rests on: `- text: ...` and `based_on: [fact-id]`" in error


def test_a_judgement_without_based_on_is_refused(tiny_project):
    sheet = TINY_SHEET.replace("based_on: [pipeline-carries-gas]", "based_on: []")
    assert check_errors(tiny_project(sheets={"energy": sheet})) == ["briefings/energy.yaml:2:84: `based_on` needs at least one entry: add one"]


def test_a_number_in_a_judgement_must_be_in_the_quotes_of_its_facts(tiny_project):
    sheet = TINY_SHEET.replace("Alpha says the pipeline carries gas; Beta denies it.", "Alpha says the pipeline carries 38 bcm of gas.")
    assert check_errors(tiny_project(sheets={"energy": sheet})) == [
        'briefings/energy.yaml:2:18: the text says "38" but none of the facts it is based on quotes it: base it on a fact that states it, or correct the text'
    ]


OVERVIEW = """\
bottom_line:
  - text: Alpha says the pipeline carries gas.
    based_on: [pipeline-carries-gas]
  - text: Nobody else says so.
    based_on: [pipeline-carries-gas]
watch:
  - date: 2025-01
    event: Alpha reports on the pipeline again.
    based_on: [pipeline-carries-gas]
  - date: 2024-12-31
    event: An event already past.
    based_on: [pipeline-carries-gas]
"""


def test_overview_ids_are_checked_and_a_bottom_line_needs_two_sentences(tmp_path):
    overview = OVERVIEW.replace("  - text: Nobody else says so.\n    based_on: [pipeline-carries-gas]\n", "").replace("2025-01\n    event: Alpha reports on the pipeline again.\n    based_on: [pipeline-carries-gas]", "2025-01\n    event: Alpha reports on the pipeline again.\n    based_on: [pipeline]")
    root = make_tiny_project(tmp_path / "tiny")
    (root / "overview.yaml").write_text(overview, encoding="utf-8")
    assert check_errors(root) == ["overview.yaml:2:3: `bottom_line` needs at least 2 entries, not 1: add more"]
    (root / "overview.yaml").write_text(OVERVIEW.replace("based_on: [pipeline-carries-gas]\n  - date: 2024", "based_on: [pipeline-carries-gass]\n  - date: 2024"), encoding="utf-8")
    assert check_errors(root) == ["overview.yaml:9:16: no fact with id 'pipeline-carries-gass': did you mean 'pipeline-carries-gas'?"]


def test_a_watch_item_the_as_of_date_has_passed_is_not_shown_and_check_warns(tmp_path):
    root = make_tiny_project(tmp_path / "tiny")
    (root / "overview.yaml").write_text(OVERVIEW, encoding="utf-8")
    result = run_check(root)
    assert result.exit_code == 0, result.output
    assert "overview.yaml:10:11: warning: dated 2024-12-31, before the briefing's as-of date 2025-01-21: it is no longer shown" in result.output
    build(Project(root))
    page = visible((root / "site" / "index.html").read_text(encoding="utf-8"))
    watch = page.split("What to watch")[1].split("Key judgements")[0]
    assert "January 2025 Alpha reports on the pipeline again. 1 fact 1" in watch  # its citation, then the fact it rests on
    assert "An event already past" not in page


@pytest.fixture(scope="module")
def built(shipped):
    return shipped[0]


def test_the_overview_leads_with_the_bottom_line_then_the_figures_then_what_to_watch(built):
    page = visible((built / "index.html").read_text(encoding="utf-8"))
    order = [page.index(heading) for heading in ("Bottom line", "Headline figures", "What to watch", "Key judgements", "Latest developments")]
    assert order == sorted(order)
    watch = page.split("What to watch")[1].split("Key judgements")[0]
    assert "5 February 2026 (date inferred) New START, the U.S.–Russian nuclear arms treaty, expires" in watch
    assert "November 2026 (date inferred) Putin attends the Asia-Pacific Economic Cooperation summit in Shenzhen" in watch


def test_judgements_link_their_facts_by_number_never_by_id(built):
    source = (built / "index.html").read_text(encoding="utf-8")
    bottom = source.split('class="brief-bottom-line"')[1].split("</div>")[0]
    links = re.findall(r'<a href="topics/([a-z-]+)\.html#fact-([a-z0-9-]+)"[^>]*>([^<]*)</a>', bottom)
    assert links[:2] == [("diplomacy", "xi-ties-to-new-height", "1"), ("diplomacy", "ushakov-views-on-us-practically-coincide", "2")]
    assert "xi-ties-to-new-height" not in visible(bottom)
    topic = (built / "topics" / "arms-control.html").read_text(encoding="utf-8")
    judgement = topic.split('class="brief-judgement"')[1].split("</div>")[0]
    numbers = re.findall(r'<a href="(?:\.\./)?topics/arms-control\.html#fact-[a-z0-9-]+"[^>]*>([^<]*)</a>', judgement)
    assert numbers == ["1", "2", "3", "4", "5"]
    assert "his proposal to extend it by one year. facts 1, 2, 3" in visible("<article>" + judgement)


def test_latest_developments_lead_with_key_facts(built):
    source = (built / "index.html").read_text(encoding="utf-8")
    items = re.findall(r"<li>.*?#fact-([a-z0-9-]+)\"", source.split('class="brief-latest"')[1].split("</ul>")[0])
    # Key facts first, newest first (same day: by id); then the rest, newest first: 2026 facts no editor marked key come after 2025's key facts.
    assert items[:5] == [
        "new-start-expires-day-after-call",
        "putin-concern-washington-silence-new-start",
        "ushakov-views-on-us-practically-coincide",
        "putin-trade-up-7-percent-to-220-billion",
        "xi-ties-to-new-height",
    ]
    assert len(items) == 8 and "abu-dhabi-talks-second-round-begins" in items[5:]


def test_a_sheet_of_more_than_12_facts_groups_them_by_theme_in_order_of_first_appearance(built):
    source = (built / "topics" / "diplomacy.html").read_text(encoding="utf-8")
    themes = re.findall(r'<h3 class="brief-theme__title"[^>]*>([^<]+?) <span', source)
    assert [html.unescape(t) for t in themes] == [
        "Leaders' calls and the partnership", "The war in Ukraine", "Visits", "The United States and the West", "Iran, Venezuela and Cuba"
    ]
    assert source.count('class="brief-fact" id="fact-') == 33
    visits = source.split("Visits <span")[1].split('<h3 class="brief-theme__title"')[0]
    assert visits.index('id="fact-putin-to-attend-apec-shenzhen"') < visits.index('id="fact-putin-visited-china-may-2024"')


def test_facts_without_a_theme_stand_under_other_and_check_warns(project_copy):
    edited(project_copy / "briefings/diplomacy.yaml", "  - id: xi-visited-russia-march-2023\n    theme: Visits\n", "  - id: xi-visited-russia-march-2023\n")
    result = run_check(project_copy)
    assert result.exit_code == 0
    assert 'warning: has no `theme:`: the sheet holds more than 12 facts, so its page groups them by theme and shows this one under "Other"; add a theme' in result.output
    build(Project(project_copy))
    source = (project_copy / "site" / "topics" / "diplomacy.html").read_text(encoding="utf-8")
    other = source.split(">Other <span")[1]
    assert 'id="fact-xi-visited-russia-march-2023"' in other
