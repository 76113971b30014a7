"""The briefing as data: data/briefing.json against its schema and the briefing, the CSV files as a spreadsheet reads them, and the links to them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from pydantic import TypeAdapter

from brief.dataset import FACT_COLUMNS, FIGURE_COLUMNS, JSON_FILE, BriefingData, dataset
from brief.pipeline import Project, build, check
from brief.quotes import normalize
from brief.schema import schema_text
from conftest import REPO, SUBJECT, copy_project, edited

FORMULA = '=HYPERLINK("https://example.com/steal","open")'
# A fact whose text and speaker a spreadsheet would run as formulas; its quote is the energy sheet's first.
HOSTILE_FACT = f"""
  - id: formula-in-the-text
    date: 2025-01-21
    text: '{FORMULA}'
    said_by: "@Vladimir Putin"
    status: stated
    cite:
      - source: kyivindependent-2025-01-21-xi-putin-call
        quote: "China is the largest consumer of Russian energy resources."
"""
DATA_FILES = ("data/briefing.json", "data/briefing.schema.json", "data/facts.csv", "data/figures.csv", "feed.xml")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object]:
    root = copy_project(tmp_path_factory.mktemp("dataset") / "project")
    with (root / "briefings" / "energy.yaml").open("a", encoding="utf-8") as sheet:
        sheet.write(HOSTILE_FACT)
    build(Project(root), with_pdf=False)
    return root, check(Project(root))


@pytest.fixture(scope="module")
def data(built) -> dict:
    root, _ = built
    return json.loads((root / "site" / "data" / "briefing.json").read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte order mark, for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_the_json_is_valid_by_its_schema_which_is_the_models(built, data):
    root, _ = built
    schema_file = root / "site" / "data" / "briefing.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert schema_file.read_text(encoding="utf-8") == schema_text(BriefingData)
    # Read back through the models, the data is what was written: no field is lost or changed on the way.
    assert BriefingData.model_validate(data).model_dump(mode="json") == data


def test_the_files_are_the_same_bytes_when_made_again_later(built):
    root, _ = built
    again = dataset(check(Project(root)), SUBJECT, Project(root).built_from(), None)
    assert {page.path: page.data for page in again.pages} == {name: (root / "site" / name).read_bytes() for name in DATA_FILES[:4]}


def test_the_schema_refuses_data_the_models_would_refuse(built, data):
    root, _ = built
    validator = jsonschema.Draft202012Validator(json.loads((root / "site" / "data" / "briefing.schema.json").read_text(encoding="utf-8")))
    broken = json.loads(json.dumps(data))
    broken["facts"][0]["status"] = "rumoured"
    del broken["facts"][1]["said_by"]
    assert {tuple(error.absolute_path) for error in validator.iter_errors(broken)} == {("facts", 0, "status"), ("facts", 1)}


def test_the_json_holds_every_fact_figure_and_source_of_the_briefing(built, data):
    root, briefing = built
    facts = [fact for topic in briefing.topics for fact in topic.sheet.facts]
    assert [fact["id"] for fact in data["facts"]] == [fact.id for fact in facts]
    assert len(data["facts"]) == briefing.fact_count
    assert len(data["figures"]) == sum(len(topic.sheet.figures) for topic in briefing.topics) > 0
    assert [source["id"] for source in data["sources"]] == list(briefing.sources)
    assert [topic["id"] for topic in data["topics"]] == [topic.id for topic in briefing.topics]
    assert data["edition"] == {"as_of": briefing.as_of.isoformat(), "commit": Project(root).built_from()}
    assert {status["name"]: status["meaning"] for status in data["statuses"]}["denied"] == "denied by the party it concerns"
    fact = next(fact for fact in data["facts"] if fact["id"] == "putin-praises-strategic-energy-ties")
    assert (fact["topic"], fact["date"], fact["said_by"], fact["status"]) == ("energy", "2026-02-04", "Vladimir Putin", "stated")
    assert fact["date_inferred"] is True and fact["page"] == "topics/energy.html#fact-putin-praises-strategic-energy-ties"
    source = next(source for source in data["sources"] if source["id"] == "kyivindependent-2025-01-21-xi-putin-call")
    assert (source["author"], source["published"], source["url"], source["date_inferred"]) == ("Kateryna Hodunova", "2025-01-21", None, False)


def test_each_citation_is_its_sources_words_at_the_passage_its_page_highlights(built, data):
    root, _ = built
    checked = 0
    for item in data["facts"] + data["figures"]:
        for citation in item["cite"] + item["confirmed_in"]:
            archived = (root / "sources" / f"{citation['source']}.md").read_text(encoding="utf-8")
            assert normalize(citation["quote"]) in normalize(archived)
            page = (root / "site" / "sources" / f"{citation['source']}.html").read_text(encoding="utf-8")
            assert f'id="{citation["passage"]}"' in page
            checked += 1
    assert checked > len(data["facts"])


def test_verification_states_each_metrics_agreement_and_each_dispute(built, data):
    _, briefing = built
    verification = data["verification"]
    assert verification["quotes_found_verbatim"] is True
    assert {metric["metric"]: metric["verdict"] for metric in verification["metrics"]} == {
        group.metric: group.verdict or None for group in briefing.figure_groups
    }
    assert [dispute["facts"] for dispute in verification["disputes"]] == [[d.first[1].id, d.second[1].id] for d in briefing.disputes] != []
    for figure in data["figures"]:
        assert any(figure["stated_as"] in citation["quote"] for citation in figure["cite"]), figure


def documented_columns(html: str, name: str) -> list[str]:
    """The columns the methodology page lists for data/<name>: the <code> items of its list entry."""
    entry = html.split(f"data/{name}</a>:", 1)[1].split("</li>", 1)[0]
    return re.findall(r"<code>([a-z_]+)</code>", entry)


def test_the_csv_files_have_the_documented_columns_and_a_row_per_fact_and_figure(built, data):
    root, _ = built
    methodology = (root / "site" / "methodology.html").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    facts, figures = read_csv(root / "site" / "data" / "facts.csv"), read_csv(root / "site" / "data" / "figures.csv")
    for name, table, columns in (("facts.csv", facts, FACT_COLUMNS), ("figures.csv", figures, FIGURE_COLUMNS)):
        assert table[0] == list(columns) == documented_columns(methodology, name)
        assert ", ".join(f"`{column}`" for column in columns) in readme
        assert {len(row) for row in table} == {len(columns)}
    assert [row[0] for row in facts[1:]] == [fact["id"] for fact in data["facts"]]
    assert len(figures) - 1 == len(data["figures"])
    row = dict(zip(facts[0], facts[1]))
    fact = data["facts"][0]
    assert (row["topic"], row["date"], row["said_by"], row["text"]) == (fact["topic"], fact["date"], fact["said_by"], fact["text"])
    assert row["sources"].split(" ") == [citation["source"] for citation in fact["cite"]]
    assert row["quotes"].split(" | ") == [citation["quote"] for citation in fact["cite"]]
    value = dict(zip(figures[0], figures[1]))["value"]
    assert float(value) == data["figures"][0]["value"] and "," not in value


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_text(built, data):
    root, _ = built
    facts = read_csv(root / "site" / "data" / "facts.csv")
    row = dict(zip(facts[0], next(row for row in facts if row[0] == "formula-in-the-text")))
    assert (row["text"], row["said_by"]) == ("'" + FORMULA, "'@Vladimir Putin")
    assert not [cell for row in facts for cell in row if cell[:1] in ("=", "+", "-", "@")]
    # The JSON keeps the text as written: only a spreadsheet needs the guard.
    assert next(fact for fact in data["facts"] if fact["id"] == "formula-in-the-text")["text"] == FORMULA


@pytest.mark.parametrize("page", ["index.html", "methodology.html"])
def test_the_overview_and_the_methodology_link_to_every_data_file(built, page):
    root, _ = built
    site = root / "site"
    hrefs = re.findall(r'href="([^"#]+)"', (site / page).read_text(encoding="utf-8"))
    linked = {(site / href).resolve() for href in hrefs}
    for name in DATA_FILES:
        assert (site / name).resolve() in linked, name
        assert (site / name).is_file() and (site / name).stat().st_size > 0


def test_the_json_is_what_pydantic_dumps_of_the_models(built):
    """The topics' facts are dumped apart and spliced into the rest: the file is byte for byte what one dump of it all gives."""
    root, _ = built
    written = (root / "site" / JSON_FILE).read_bytes()
    assert written == TypeAdapter(BriefingData).dump_json(BriefingData.model_validate_json(written), indent=1) + b"\n"


def test_an_export_from_the_last_one_equals_a_whole_new_export(tmp_path):
    """serve keeps each topic's records while the topic and where its quotes are stay the same: a quote added in one
    topic moves the passages of another topic's quotes from the same source, and that topic's records are made again."""
    root = copy_project(tmp_path / "project")
    first = dataset(check(Project(root)), SUBJECT, "commit 1", None)
    quote = '        quote: "China is the largest consumer of Russian energy resources."\n'
    edited(root / "briefings" / "energy.yaml", quote, quote + '      - source: kyivindependent-2025-01-21-xi-putin-call\n        quote: "China has deepened its ties with Russia"\n')
    briefing = check(Project(root))
    again = dataset(briefing, SUBJECT, "commit 1", None, first)
    assert [page.data for page in again.pages] == [page.data for page in dataset(briefing, SUBJECT, "commit 1", None).pages]
    passages = [re.findall(r'"passage": "(q-\d+)"', export.topics["trade"].facts_json) for export in (first, again)]
    assert passages[0] != passages[1] and again.topics["trade"] is not first.topics["trade"]
    assert again.topics["arms-control"] is first.topics["arms-control"]
