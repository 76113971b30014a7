"""Each kind of content error is reported at its file, line and column, with a message that says what to do."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta

import pytest

from brief.errors import ContentErrors
from brief.pdf import editions, print_data
from brief.pipeline import Project, check
from brief.render import render_site
from brief.validate import CLOSEST_PASSAGES_SEARCHED
from conftest import SUBJECT, TINY_SHEET, TINY_SOURCE, check_errors, edited, make_tiny_project, run_check, wrong_quotes_sheet


def errors_for(make, sheets=None, sources=None) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        check(Project(make(sheets=sheets, sources=sources)))
    return [str(error) for error in caught.value.errors]


def test_valid_tiny_project_passes(tiny_project):
    briefing = check(Project(tiny_project()))
    assert [t.id for t in briefing.topics] == ["energy"]
    assert briefing.fact_count == 1


def test_yaml_syntax_error(tiny_project):
    sheet = TINY_SHEET.replace("title: Energy", "title: [Energy")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        "briefings/energy.yaml:2:8: YAML syntax: expected ',' or ']', but got ':'"
        " (while parsing a flow sequence that starts at line 1, col 8): check the quotes, brackets and indentation here"
    ]


def test_duplicate_key(tiny_project):
    sheet = TINY_SHEET.replace("as_of: 2025-01-21\n", "as_of: 2025-01-21\ntitle: Again\n")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        "briefings/energy.yaml:4:1: duplicate key 'title' (first at line 1): keep one"
    ]


def test_a_misspelt_key_is_one_error_that_names_the_right_one(tiny_project):
    sheet = TINY_SHEET.replace("    said_by: Alpha", "    sayd_by: Alpha")
    assert errors_for(tiny_project, {"energy": sheet}) == ["briefings/energy.yaml:8:5: unknown field `sayd_by`: did you mean `said_by`?"]


def test_an_unknown_key_unlike_the_missing_one_leaves_both_errors(tiny_project):
    sheet = TINY_SHEET.replace("    said_by: Alpha", "    speaker: Alpha")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        "briefings/energy.yaml:5:5: missing field `said_by:`: add it",
        "briefings/energy.yaml:8:5: unknown field `speaker`: allowed here: cite, confirmed_by, confirmed_in, contradicts, date, date_basis, id, key, note, said_by, status, text, theme",
    ]


def test_missing_required_field(tiny_project):
    sheet = TINY_SHEET.replace("    status: stated\n", "")
    assert errors_for(tiny_project, {"energy": sheet}) == ["briefings/energy.yaml:5:5: missing field `status:`: add it"]


def test_missing_nullable_field_says_null_is_allowed(tiny_project):
    source = TINY_SOURCE.replace("author: null\n", "")
    assert errors_for(tiny_project, sources={"test-article": source}) == [
        "sources/test-article.md:2:1: missing field `author:`: add it (write `null` if it is unknown)"
    ]


def test_wrong_type(tiny_project):
    sheet = TINY_SHEET.replace("said_by: Alpha", "said_by: 0777")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        "briefings/energy.yaml:8:14: `said_by` must be text, not the number 777: put the value in quotes"
    ]


def test_invalid_date(tiny_project):
    sheet = TINY_SHEET.replace("    date: 2025-01-21", "    date: 2025-02-30")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        "briefings/energy.yaml:6:11: `date`: 2025-02-30 is not a real date: February 2025 has no day 30; correct it"
    ]


def test_id_that_is_not_a_slug(tiny_project):
    sheet = TINY_SHEET.replace("id: pipeline-carries-gas", "id: Pipeline_Gas")
    errors = errors_for(tiny_project, {"energy": sheet})
    assert errors[0].startswith("briefings/energy.yaml:5:9: 'Pipeline_Gas' is not a valid id: ids use lowercase")


def test_duplicate_fact_id_across_sheets(tiny_project):
    errors = errors_for(tiny_project, {"energy": TINY_SHEET, "trade": TINY_SHEET.replace("Energy", "Trade")})
    assert errors == [
        "briefings/trade.yaml:5:9: duplicate fact id 'pipeline-carries-gas' (also at briefings/energy.yaml:5:9): make it unique"
    ]


# A second fact given the first one's id, as an editor adds it above the fact already published.
NEW_FACT = """\
  - id: pipeline-carries-gas
    date: 2025-01-21
    text: Beta denied that the pipeline carries anything.
    said_by: Beta
    status: denied
    cite:
      - source: test-article
        quote: "Beta denied that the pipeline carries anything at all"
"""


def git(root, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", *args], cwd=root, check=True, capture_output=True)


def published(root):
    """root with everything in it committed, as a published project is."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "published")
    return root


def test_a_duplicate_id_added_above_the_published_fact_is_reported_at_the_new_one(tiny_project):
    root = published(tiny_project())
    edited(root / "briefings/energy.yaml", "facts:\n", "facts:\n" + NEW_FACT)
    assert check_errors(root) == [
        "briefings/energy.yaml:5:9: duplicate fact id 'pipeline-carries-gas' (also at briefings/energy.yaml:13:9): make it unique"
    ]


def test_a_duplicate_id_in_a_new_sheet_is_reported_there_though_it_comes_first(tiny_project):
    root = published(tiny_project(sheets={"trade": TINY_SHEET.replace("Energy", "Trade")}))
    (root / "briefings/energy.yaml").write_text(TINY_SHEET, encoding="utf-8")
    assert check_errors(root) == [
        "briefings/energy.yaml:5:9: duplicate fact id 'pipeline-carries-gas' (also at briefings/trade.yaml:5:9): make it unique"
    ]


def test_without_a_repository_the_later_duplicate_in_file_order_is_reported(tiny_project):
    root = tiny_project(sheets={"energy": TINY_SHEET.replace("facts:\n", "facts:\n" + NEW_FACT)})
    assert check_errors(root) == [
        "briefings/energy.yaml:13:9: duplicate fact id 'pipeline-carries-gas' (also at briefings/energy.yaml:5:9): make it unique"
    ]


def test_without_git_installed_the_later_duplicate_in_file_order_is_reported(tiny_project, tmp_path, monkeypatch):
    root = published(tiny_project(sheets={"trade": TINY_SHEET.replace("Energy", "Trade")}))
    (root / "briefings/energy.yaml").write_text(TINY_SHEET, encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    assert check_errors(root) == [
        "briefings/trade.yaml:5:9: duplicate fact id 'pipeline-carries-gas' (also at briefings/energy.yaml:5:9): make it unique"
    ]


OPEN_QUOTE_FIX = "where the text ends, or drop the quotes and write the text as a `>-` block on the lines below"


def test_an_unclosed_double_quote_is_reported_where_it_opens(tiny_project):
    sheet = TINY_SHEET.replace("text: Alpha said the pipeline carries gas.", 'text: "Alpha said the pipeline carries gas.')
    assert errors_for(tiny_project, {"energy": sheet}) == [
        'briefings/energy.yaml:7:11: YAML syntax: the double quote opened here is not closed on its line, so its text runs on to the " at line 12,'
        f' taking in the fields between: add the closing " {OPEN_QUOTE_FIX}'
    ]


def test_an_unclosed_single_quote_is_reported_where_it_opens(tiny_project):
    sheet = TINY_SHEET.replace("text: Alpha said the pipeline carries gas.", "text: 'Alpha said the pipeline carries gas.")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        f"briefings/energy.yaml:7:11: YAML syntax: the single quote opened here is never closed: add the closing ' {OPEN_QUOTE_FIX}"
    ]


@pytest.mark.parametrize("indicator", [">-", "|"])
def test_a_field_indented_into_a_text_block_is_reported_at_its_line(indicator, tiny_project):
    sheet = TINY_SHEET.replace("    text: Alpha said the pipeline carries gas.\n    said_by: Alpha\n",
                               f"    text: {indicator}\n      Alpha said the pipeline carries gas.\n      said_by: Alpha\n")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        f"briefings/energy.yaml:9:7: `said_by:` is indented under `text: {indicator}`, so it is read as part of that text:"
        " if it is a field, align it with the other fields, at col 5"
    ]


def test_prose_lines_with_a_colon_in_a_text_block_are_text(tiny_project):
    sheet = TINY_SHEET.replace("    text: Alpha said the pipeline carries gas.\n",
                               "    text: >-\n      Alpha said the pipeline carries gas.\n      Note: Beta denies it.\n      Said_by: Alpha.\n      cited: twice\n")
    assert check(Project(tiny_project(sheets={"energy": sheet}))).topics[0].sheet.facts[0].text.endswith("Note: Beta denies it. Said_by: Alpha. cited: twice")


def test_citation_of_missing_source(tiny_project):
    sheet = TINY_SHEET.replace("source: test-article", "source: test-articel")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        "briefings/energy.yaml:11:17: no source 'test-articel' in sources/: did you mean 'test-article'?"
    ]


def test_quote_not_found_shows_the_closest_passage(tiny_project):
    sheet = TINY_SHEET.replace("the pipeline carries gas to the east", "the pipeline carried gas to the east")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        'briefings/energy.yaml:12:16: quote not found in sources/test-article.md: copy the words exactly; '
        'closest passage: "the pipeline carries gas to the east"'
    ]


def test_fact_dated_after_as_of(tiny_project):
    sheet = TINY_SHEET.replace("    date: 2025-01-21", "    date: 2025-03")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        "briefings/energy.yaml:6:11: dated 2025-03, after the sheet's as_of 2025-01-21: correct the date or move as_of forward"
    ]


def test_every_problem_is_reported_in_one_run(tiny_project):
    sheet = TINY_SHEET.replace("said_by: Alpha", "sayd_by: Alpha").replace("date: 2025-01-21", "date: 2025-13-01")
    source = TINY_SOURCE.replace("archived: 2026-11-23", "archived: yesterday")
    errors = errors_for(tiny_project, {"energy": sheet, "trade": "title: [broken"}, {"test-article": source})
    assert errors == [
        "briefings/energy.yaml:6:11: `date`: 2025-13-01 is not a real date: month 13 does not exist; correct it",
        "briefings/energy.yaml:8:5: unknown field `sayd_by`: did you mean `said_by`?",
        "briefings/trade.yaml:1:15: YAML syntax: expected ',' or ']', but got '<stream end>'"
        " (while parsing a flow sequence that starts at line 1, col 8): check the quotes, brackets and indentation here",
        "sources/test-article.md:7:11: `archived`: 'yesterday' is not a full date: write YYYY-MM-DD",
    ]


def test_a_figure_value_its_quote_does_not_state(project_copy):
    edited(project_copy / "briefings/trade.yaml", "    value: 220\n", "    value: 230\n")
    assert check_errors(project_copy) == [
        'briefings/trade.yaml:22:12: the quote says "more than $220 billion"; value is 230: correct the value, or cite the words that state it'
    ]


def test_a_figure_without_the_qualifier_its_quote_states(project_copy):
    edited(project_copy / "briefings/trade.yaml", "    qualifier: more than\n", "")
    assert check_errors(project_copy) == [
        'briefings/trade.yaml:22:12: the quote says "more than $220 billion"; qualifier is none: add qualifier: more than'
    ]


def test_a_figure_qualifier_check_cannot_read(project_copy):
    edited(project_copy / "briefings/trade.yaml", "    qualifier: more than\n", "    qualifier: well over\n")
    assert check_errors(project_copy) == [
        "briefings/trade.yaml:22:12: qualifier 'well over' is not one check can read: use one of more than, over, about, roughly,"
        " around, approximately, some, nearly, almost, up to, at least, less than, under, fewer than"
    ]


def test_a_number_in_a_fact_text_no_quote_states(project_copy):
    edited(project_copy / "briefings/trade.yaml", "had increased by 7% and", "had increased by 8% and")
    assert check_errors(project_copy) == [
        'briefings/trade.yaml:49:11: the text says "8" but no quote does: cite the words that state it, or correct the text'
    ]


def test_a_figure_whose_quote_is_not_found_has_that_error_only(project_copy):
    edited(project_copy / "briefings/trade.yaml", 'quote: "which amounts to more than $220 billion"', 'quote: "which amounts to over $220 billion"')
    errors = check_errors(project_copy)
    assert len(errors) == 1 and errors[0].startswith("briefings/trade.yaml:31:16: quote not found")


@pytest.mark.parametrize("quote", ["C", ".", "the", "Beta denied", "$220 billion", ". . . ."])
def test_a_quote_of_fewer_than_three_words_is_refused(quote, tiny_project):
    sheet = TINY_SHEET.replace('"the pipeline carries gas to the east"', f'"{quote}"')
    assert errors_for(tiny_project, {"energy": sheet}) == [
        f"briefings/energy.yaml:12:16: `quote`: {quote!r} is too short to show what the source says: quote at least 3 words"
    ]


def test_a_quote_of_three_words_is_enough(tiny_project):
    sheet = TINY_SHEET.replace('"the pipeline carries gas to the east"', '"carries gas to"')
    assert check(Project(tiny_project(sheets={"energy": sheet}))).fact_count == 1


def test_a_glossary_quote_too_short_is_refused_too(tmp_path):
    glossary = "terms:\n  - term: Alpha\n    definition: A party.\n    cite:\n      - source: test-article\n        quote: Alpha said\n"
    with pytest.raises(ContentErrors) as caught:
        check(Project(make_tiny_project(tmp_path / "tiny", glossary=glossary)))
    assert [str(error) for error in caught.value.errors] == [
        "glossary.yaml:6:16: `quote`: 'Alpha said' is too short to show what the source says: quote at least 3 words"
    ]


def a_year_from_today() -> str:
    return (date.today() + timedelta(days=366)).isoformat()


@pytest.mark.parametrize(("field", "line"), [("published", 5), ("archived", 7)])
def test_a_source_date_after_today_is_refused(field, line, tiny_project):
    later = a_year_from_today()
    source = re.sub(rf"^{field}: .*$", f"{field}: {later}", TINY_SOURCE, flags=re.MULTILINE)
    errors = errors_for(tiny_project, sources={"test-article": source})
    assert f"sources/test-article.md:{line}:{len(field) + 3}: {field} {later} is after today, {date.today()}: correct the date" in errors


def test_a_source_archived_today_passes(tiny_project):
    source = TINY_SOURCE.replace("archived: 2026-11-23", f"archived: {date.today()}")
    assert check(Project(tiny_project(sources={"test-article": source}))).fact_count == 1


def test_a_sheet_as_of_after_today_is_refused(tiny_project):
    later = a_year_from_today()
    sheet = TINY_SHEET.replace("as_of: 2025-01-21", f"as_of: {later}")
    assert errors_for(tiny_project, {"energy": sheet}) == [
        f"briefings/energy.yaml:3:8: as_of {later} is after today, {date.today()}: set it to the day the sheet was last brought up to date"
    ]


LOOK_ALIKE_URL = "https://www.reuters.\u0441om/world/china-russia"  # the с of "com" is Cyrillic
LOOK_ALIKE_SHOWN = "https://www.reuters.xn--om-nmc/world/china-russia"


@pytest.fixture
def look_alike_project(tiny_project):
    return tiny_project(sources={"test-article": TINY_SOURCE.replace("url: null", f"url: {LOOK_ALIKE_URL}")})


def test_a_url_whose_host_mixes_scripts_is_a_warning(look_alike_project):
    result = run_check(look_alike_project)
    assert result.exit_code == 0, result.output
    assert (
        "sources/test-article.md:6:6: warning: the address's host 'www.reuters.\u0441om' mixes Cyrillic and Latin letters,"
        " as a look-alike of another site's address does: readers see it as www.reuters.xn--om-nmc; check the address against the original"
    ) in result.output.splitlines()


def test_a_url_whose_host_mixes_scripts_is_shown_in_punycode_on_the_site_and_in_the_pdf(look_alike_project):
    briefing = check(Project(look_alike_project))
    pages = {page.path: page.data.decode() for page in render_site(briefing, look_alike_project / "templates", SUBJECT, stale_after_days=180).pages}
    assert f'<a href="{LOOK_ALIKE_SHOWN}" rel="noopener">{LOOK_ALIKE_SHOWN}</a>' in pages["sources/test-article.md"]
    assert f'class="brief-original" href="{LOOK_ALIKE_SHOWN}#:~:text=' in pages["topics/energy.md"]
    assert not [path for path, text in pages.items() if "\u0441om" in text]
    printed = print_data(briefing, editions(briefing, SUBJECT)[0])
    assert [source["url"] for source in printed["sources"]] == [LOOK_ALIKE_SHOWN]


@pytest.mark.parametrize("url", ["https://www.reuters.com/world/", "https://\u043f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442.\u0440\u0444/news"])
def test_a_url_in_one_script_is_shown_as_written_without_a_warning(url, tiny_project):
    root = tiny_project(sources={"test-article": TINY_SOURCE.replace("url: null", f"url: {url}")})
    result = run_check(root)
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    assert check(Project(root)).sources["test-article"].meta.display_url == url


def test_the_closest_passage_is_searched_for_the_first_quotes_not_found_only(tiny_project):
    root = tiny_project(sheets={"energy": wrong_quotes_sheet(CLOSEST_PASSAGES_SEARCHED + 2)})
    result = run_check(root)
    missing = [line for line in result.output.splitlines() if "quote not found" in line]
    assert len(missing) == CLOSEST_PASSAGES_SEARCHED + 2
    assert sum("closest passage" in line for line in missing) == CLOSEST_PASSAGES_SEARCHED
    assert missing[-1].endswith("quote not found in sources/test-article.md: copy the words exactly")
