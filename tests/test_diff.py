"""The reviewer's report, on small git histories made in tmp_path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from brief.cli import main
from brief.diff import RevisionError, diff_report
from brief.report_markdown import capped
from conftest import TINY_SHEET, TINY_SOURCE, commit, git

SECOND_FACT = """\
  - id: beta-denies-it
    date: 2025-01-21
    text: Beta denied that the pipeline carries anything.
    said_by: Beta
    status: denied
    cite:
      - source: test-article
        quote: "Beta denied that the pipeline carries anything at all."
"""

FIGURE = """\
figures:
  - metric: pipeline-capacity
    label: Pipeline capacity
    value: 38
    unit: bcm a year
    period: "2025"
    said_by: Alpha
    status: stated
    cite:
      - source: test-article
        quote: "the pipeline's capacity at 38 bcm a year; Beta says 40 bcm"
"""

OTHER_SOURCE = TINY_SOURCE.replace("title: Test article", "title: Another article").replace(
    "Alpha said", "Gamma said"
)


@pytest.fixture
def history(tiny_project):
    """A tiny project in git: one commit with the base content; returns its root."""
    root = tiny_project({"energy": TINY_SHEET.replace("facts:\n", FIGURE + "facts:\n")})
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    return root


def write(root: Path, relative: str, text: str) -> None:
    (root / relative).write_text(text, encoding="utf-8")


def sheet(root: Path) -> str:
    return (root / "briefings" / "energy.yaml").read_text(encoding="utf-8")


def test_added_removed_and_changed_facts_figures_and_sources(history):
    text = sheet(history).replace("status: stated", "status: reported").replace("value: 38", "value: 40")
    write(history, "briefings/energy.yaml", text + SECOND_FACT)
    trade = TINY_SHEET.replace("Energy", "Trade").replace("pipeline-carries-gas", "trade-fact")
    write(history, "briefings/trade.yaml", trade)
    write(history, "sources/other-article.md", OTHER_SOURCE)
    write(history, "sources/test-article.md", TINY_SOURCE.replace("publisher: Test Wire", "publisher: Test Wire Daily"))
    commit(history, "more facts")

    lines = diff_report(history, "HEAD~1", "HEAD").splitlines()

    assert lines[0].startswith("## Content changes: `HEAD~1` (") and "→ `HEAD` (" in lines[0]
    assert lines[2].startswith("✅ **Verified:** `check` passes on `HEAD`")
    assert lines[4] == "Facts: 2 added, 0 removed, 1 changed. Figures: 0 added, 0 removed, 1 changed. Sources: 1 added, 0 removed, 1 changed."
    energy = lines.index("### Energy (`briefings/energy.yaml`)")
    assert lines[energy + 2 : energy + 21] == [
        "**Facts added (1)**",
        "",
        "- `beta-denies-it` · 2025-01-21 · denied · said by Beta: “Beta denied that the pipeline carries anything.”",
        "  - ✅ `test-article`: “Beta denied that the pipeline carries anything at all.”",
        "",
        "**Facts changed (1)**",
        "",
        "- `pipeline-carries-gas`",
        "  - `status`: “stated” → “reported”",
        "",
        "**Figures changed (1)**",
        "",
        "- `pipeline-capacity` (2025, according to Alpha)",
        "  - `status`: “stated” → “reported”",
        "  - `value`: `38` → `40`",
        "  - now: `40` bcm a year, quoting:",
        "    - ✅ `test-article`: “the pipeline's capacity at 38 bcm a year; Beta says 40 bcm”",
        '  - ✅ number stated: "40 bcm"',
        "",
    ]
    new_topic = lines.index("### Trade (`briefings/trade.yaml`) — new topic")
    assert new_topic > energy
    assert "- `title`: “Trade”" in lines[new_topic:]
    assert "- `trade-fact` · 2025-01-21 · stated · said by Alpha: “Alpha said the pipeline carries gas.”" in lines[new_topic:]
    sources = lines.index("### Sources")
    assert lines[sources:] == [
        "### Sources",
        "",
        "**Sources added (1)**",
        "",
        "- `sources/other-article.md`: “Another article” — Test Wire, 2025-01-21",
        "",
        "**Sources changed (1)**",
        "",
        "- `sources/test-article.md`",
        "  - `publisher`: “Test Wire” → “Test Wire Daily”",
    ]


def test_removed_facts_and_a_changed_text_with_its_old_and_new_value(history):
    write(history, "briefings/energy.yaml", sheet(history) + SECOND_FACT)
    commit(history, "second fact")
    text = sheet(history).replace(SECOND_FACT, "").replace("text: Alpha said the pipeline carries gas.", "text: Alpha said *gas* flows east.")
    write(history, "briefings/energy.yaml", text)
    commit(history, "drop one, reword one")

    lines = diff_report(history, "HEAD~1", "HEAD").splitlines()

    assert "**Facts removed (1)**" in lines
    assert "- `beta-denies-it` · 2025-01-21 · denied · said by Beta: “Beta denied that the pipeline carries anything.”" in lines
    assert "  - `text`: Alpha said ~~the pipeline carries gas.~~ **\\*gas\\* flows east.**" in lines


def test_changed_quote_is_shown_as_one_citation_added_and_one_removed(history):
    figure_quote = 'quote: "the pipeline\'s capacity at 38 bcm a year; Beta says 40 bcm"\n'
    write(history, "briefings/energy.yaml", sheet(history).replace(figure_quote, 'quote: "Alpha put the pipeline\'s capacity at 38 bcm"\n'))
    commit(history, "longer quote")

    lines = diff_report(history, "HEAD~1", "HEAD").splitlines()

    assert lines[lines.index("- `pipeline-capacity` (2025, according to Alpha)") + 1 : ][:2] == [
        "  - citation added: ✅ `test-article`: “Alpha put the pipeline's capacity at 38 bcm”",
        "  - citation removed: `test-article`: “the pipeline's capacity at 38 bcm a year; Beta says 40 bcm”",
    ]


def test_head_that_fails_check_lists_its_problems_and_marks_the_quote(history):
    broken = SECOND_FACT.replace("carries anything at all.", "carries nothing.")
    write(history, "briefings/energy.yaml", sheet(history) + broken)
    commit(history, "misquote")

    lines = diff_report(history, "HEAD~1", "HEAD").splitlines()

    assert lines[2].startswith("❌ **Not verified:** `check` finds 1 problem(s) on `HEAD`")
    assert lines[4].startswith("- `briefings/energy.yaml:31:16: quote not found in sources/test-article.md")
    assert "  - ❌ `test-article`: “Beta denied that the pipeline carries nothing.” (quote not found in the source)" in lines


def test_a_sheet_that_does_not_load_is_named_not_reported_as_emptied(history):
    write(history, "briefings/energy.yaml", sheet(history).replace("title: Energy", "title: [Energy"))
    commit(history, "syntax error")

    lines = diff_report(history, "HEAD~1", "HEAD").splitlines()

    assert lines[2].startswith("❌ **Not verified:**")
    assert "### Energy (`briefings/energy.yaml`)" in lines
    assert "Not compared: the file does not load on `HEAD` (" in "\n".join(lines)
    assert not any("removed (" in line for line in lines)


def test_head_defaults_to_the_working_tree_and_unchanged_content_says_so(history):
    lines = diff_report(history, "HEAD").splitlines()
    assert lines[0].startswith("## Content changes: `HEAD` (") and lines[0].endswith("→ working tree")
    assert "No fact sheets, sources or glossary terms changed." in lines

    write(history, "briefings/energy.yaml", sheet(history).replace("as_of: 2025-01-21", "as_of: 2025-02-01"))
    lines = diff_report(history, "HEAD").splitlines()
    assert lines[lines.index("**Sheet fields changed**") + 2] == "- `as_of`: “2025-01-21” → “2025-02-01”"


def test_report_is_the_same_every_time(history):
    write(history, "briefings/energy.yaml", sheet(history) + SECOND_FACT)
    write(history, "sources/other-article.md", OTHER_SOURCE)
    assert diff_report(history, "HEAD") == diff_report(history, "HEAD")


def test_long_report_is_cut_at_a_line_with_a_note():
    report = capped([f"- line {n}" for n in range(10_000)], 2_000)
    assert len(report.encode("utf-8")) <= 2_000
    assert report.splitlines()[-1].startswith("_… report cut here to stay under GitHub's 1 MiB summary limit")
    assert capped(["short", ""], 2_000) == "short\n"


def test_unknown_revision_is_a_clear_error(history):
    with pytest.raises(RevisionError, match="'no-such-branch' is not a commit in this repository"):
        diff_report(history, "no-such-branch")


def test_cli_prints_the_report_and_fails_on_unknown_revisions(history):
    write(history, "briefings/energy.yaml", sheet(history) + SECOND_FACT)
    result = CliRunner().invoke(main, ["diff", "--project", str(history), "HEAD"])
    assert result.exit_code == 0, result.output
    assert "**Facts added (1)**" in result.stdout

    result = CliRunner().invoke(main, ["diff", "--project", str(history), "nope"])
    assert result.exit_code == 1
    assert "'nope' is not a commit in this repository" in result.stderr


GLOSSARY = """\
terms:
  - term: Pipeline
    definition: A pipe that carries gas east, says Alpha.
    cite:
      - source: test-article
        quote: "the pipeline carries gas to the east"
"""


def test_glossary_terms_added_and_changed(history):
    write(history, "glossary.yaml", GLOSSARY)
    commit(history, "glossary")
    write(history, "glossary.yaml", GLOSSARY.replace("A pipe that carries", "A pipe carrying") + GLOSSARY.split("terms:\n")[1].replace("Pipeline", "East"))
    lines = diff_report(history, "HEAD").splitlines()
    assert lines[4].endswith("Glossary terms: 1 added, 0 removed, 1 changed.")
    glossary = lines.index("### Glossary (`glossary.yaml`)")
    assert lines[glossary + 2 : glossary + 11] == [
        "**Terms added (1)**",
        "",
        "- “East”: “A pipe that carries gas east, says Alpha.”",
        "  - ✅ `test-article`: “the pipeline carries gas to the east”",
        "",
        "**Terms changed (1)**",
        "",
        "- “Pipeline”",
        "  - `definition`: “A pipe that carries gas east, says Alpha.” → “A pipe carrying gas east, says Alpha.”",
    ]


def changed_lines(history, old: str, new: str, path: str = "briefings/energy.yaml") -> list[str]:
    """The report's lines after one replacement in one file of the working tree."""
    text = (history / path).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    write(history, path, text.replace(old, new))
    return diff_report(history, "HEAD").splitlines()


# The fact's own lines: the figure above it has a speaker and a status too.
FACT = "    text: Alpha said the pipeline carries gas.\n    said_by: Alpha\n"


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        (FACT + "    status: stated\n", FACT + "    status: disputed\n", "  - `status`: “stated” → “disputed”"),
        (FACT, FACT.replace("by: Alpha", "by: Alpha's ministry"), "  - `said_by`: “Alpha” → “Alpha's ministry”"),
        (FACT + "    status: stated\n", FACT + "    status: stated\n    note: Alpha gave no figures.\n", "  - `note`: _(absent)_ → “Alpha gave no figures.”"),
        (FACT + "    status: stated\n", FACT + "    status: stated\n    contradicts: [beta-denies-it]\n", '  - `contradicts`: _(absent)_ → `["beta-denies-it"]`'),
        (FACT + "    status: stated\n", FACT + "    status: confirmed\n    confirmed_by: Beta\n", "  - `confirmed_by`: _(absent)_ → “Beta”"),
    ],
    ids=["status", "said_by", "note", "contradicts", "confirmed_by"],
)
def test_each_changed_fact_field_is_shown_old_to_new(history, old, new, shown):
    lines = changed_lines(history, old, new)
    fact = lines.index("- `pipeline-carries-gas`")
    assert shown in lines[fact + 1 : fact + 3]


def test_a_changed_note_is_shown_word_by_word(history):
    sheet_text = sheet(history).replace(FACT + "    status: stated\n", FACT + "    status: stated\n    note: Alpha gave no date.\n")
    write(history, "briefings/energy.yaml", sheet_text)
    commit(history, "note")
    lines = changed_lines(history, "note: Alpha gave no date.", "note: Alpha gave no date or place.")
    assert "  - `note`: Alpha gave no ~~date.~~ **date or place.**" in lines


def test_a_changed_summary_and_label_are_shown_word_by_word(history):
    changed_lines(history, "Alpha says the pipeline carries gas; Beta denies it.", "Alpha says the pipeline carries oil; Beta denies it.")
    lines = changed_lines(history, "label: Pipeline capacity", "label: Capacity of the pipeline")
    assert "- `summary`: Alpha says the pipeline carries ~~gas;~~ **oil;** Beta denies it." in lines
    figure = lines.index("- `pipeline-capacity` (2025, according to Alpha)")
    assert lines[figure + 1] == "  - `label`: ~~Pipeline capacity~~ **Capacity of the pipeline**"


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("title: Test article", "title: A test article", "  - `title`: “Test article” → “A test article”"),
        ("author: null", "author: Anna Petrova", "  - `author`: _null_ → “Anna Petrova”"),
        ("published: 2025-01-21", "published: 2025-01-20", "  - `published`: “2025-01-21” → “2025-01-20”"),
        ("url: null", "url: https://example.org/a", "  - `url`: _null_ → “https://example.org/a”"),
        ("archived: 2026-11-23", "archived: 2026-11-24\ndate_basis: Inferred from the dateline.", "  - `date_basis`: _(absent)_ → “Inferred from the dateline.”"),
        ("archived: 2026-11-23", "archived: 2026-11-23\nnote: Menus removed.", "  - `note`: _(absent)_ → “Menus removed.”"),
        ("archived: 2026-11-23", "archived: 2026-11-23\nlabel: Kremlin readout", "  - `label`: _(absent)_ → “Kremlin readout”"),
    ],
    ids=["title", "author", "published", "url", "date_basis", "note", "label"],
)
def test_each_changed_source_field_is_shown_old_to_new(history, old, new, shown):
    lines = changed_lines(history, old, new, "sources/test-article.md")
    source = lines.index("- `sources/test-article.md`")
    assert shown in lines[source + 1 :]


def test_an_added_figure_says_whether_its_quote_states_the_number(history):
    figure = """  - metric: pipeline-share
    label: Beta's figure
    value: 40
    unit: bcm
    said_by: Beta
    cite:
      - source: test-article
        quote: "Beta says 40 bcm"
  - metric: pipeline-plan
    label: A figure no quote states
    value: 41
    qualifier: more than
    unit: bcm
    said_by: Beta
    cite:
      - source: test-article
        quote: "Beta says 40 bcm"
"""
    lines = changed_lines(history, "facts:\n", figure + "facts:\n")
    added = lines.index("**Figures added (2)**")
    assert lines[added + 2 : added + 8] == [
        "- `pipeline-plan` (period not stated, according to Beta): more than `41` bcm — “A figure no quote states”",
        "  - ✅ `test-article`: “Beta says 40 bcm”",
        '  - ❌ number not stated: the quote says "40 bcm"; value is 41: correct the value, or cite the words that state it',
        "- `pipeline-share` (period not stated, according to Beta): `40` bcm — “Beta's figure”",
        "  - ✅ `test-article`: “Beta says 40 bcm”",
        '  - ✅ number stated: "40 bcm"',
    ]


def test_a_changed_figure_says_what_its_quote_says_when_it_does_not_state_the_value(history):
    lines = changed_lines(history, "    value: 38\n", "    value: 38\n    qualifier: about\n")
    figure = lines.index("- `pipeline-capacity` (2025, according to Alpha)")
    assert lines[figure + 1 : figure + 5] == [
        "  - `qualifier`: _(absent)_ → “about”",
        "  - now: about `38` bcm a year, quoting:",
        "    - ✅ `test-article`: “the pipeline's capacity at 38 bcm a year; Beta says 40 bcm”",
        '  - ❌ number not stated: the quote says "38 bcm"; qualifier is "about": remove it, or cite words that say it',
    ]


# --- content that GitHub would act on ----------------------------------------------------------------

PINGS = "Ask @org/team and @everyone about GH-1, #123 and org/repo#1; mail jane@example.org or &#64;admins."
PINGS_YAML = '"' + PINGS + '"'  # quoted: " #" would start a YAML comment


def github_would_link(report: str) -> list[str]:
    """The report's text that GitHub scans for mentions and references: every text run outside code, as rendered."""
    renderer = MarkdownIt("commonmark").enable("strikethrough")
    runs = [token.content for block in renderer.parse(report) for token in block.children or [] if token.type == "text"]
    return [run for run in runs if re.search(r"@\w|#\d|gh-\d", run, re.IGNORECASE)]


def test_mentions_and_issue_references_in_content_are_shown_as_code(history):
    lines = changed_lines(history, "text: Alpha said the pipeline carries gas.", f"text: {PINGS_YAML}")
    fact = lines.index("- `pipeline-carries-gas`")
    assert lines[fact + 1] == (
        "  - `text`: ~~Alpha said the pipeline carries gas.~~ **Ask `@org/team` and `@everyone` about `GH-1`, `#123` and "
        "`org/repo#1`; mail `jane@example.org` or `&#64;admins`.**"
    )


def test_no_content_in_the_report_can_notify_or_link_on_github(history):
    sheet_text = sheet(history).replace("title: Energy", "title: Energy for @everyone").replace('period: "2025"', 'period: "GH-7"')
    write(history, "briefings/energy.yaml", sheet_text + SECOND_FACT.replace("said_by: Beta", "said_by: \"@beta-press, #9\"").replace("text: Beta denied that the pipeline carries anything.", f"text: {PINGS_YAML}"))
    write(history, "briefings/ping-#4.yaml", TINY_SHEET.replace("pipeline-carries-gas", "other-fact"))
    write(history, "sources/test-article.md", TINY_SOURCE.replace("title: Test article", "title: Test article cc @org/editors"))
    write(history, "sources/x` @everyone `y.md", OTHER_SOURCE)  # a backtick that would end a plain code span
    write(history, "glossary.yaml", GLOSSARY.replace("term: Pipeline", "term: Pipeline (org/repo#2)"))
    report = diff_report(history, "HEAD")
    assert report.count("@everyone") >= 3 and "@org/editors" in report and "org/repo" in report  # all reached the report
    assert github_would_link(report) == []
