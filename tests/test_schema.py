"""Editor support: the committed JSON Schemas match the models and accept exactly the shipped content."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from brief.cli import main
from brief.document import parse_yaml
from brief.load import GLOSSARY_FILE, SHEETS_DIR, SOURCES_DIR, content_files, parse
from brief.schema import GLOSSARY_MODELINE, MODELINE, SCHEMAS_DIR, schema_texts
from conftest import REPO, TINY_SHEET

SHEETS = sorted((REPO / "briefings").glob("*.yaml"))
FILES, LOAD_ERRORS = content_files(REPO)
PARSED = {file.kind: [] for file in FILES}
for _file in FILES:
    _parsed, _problems = parse(_file)
    LOAD_ERRORS += _problems
    PARSED[_file.kind].append(_parsed)


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / SCHEMAS_DIR / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", sorted(schema_texts()))
def test_committed_schema_matches_the_models(name):
    committed = (REPO / SCHEMAS_DIR / name).read_text(encoding="utf-8")
    assert committed == schema_texts()[name], f"{SCHEMAS_DIR}/{name} is out of date: run `python build.py schema` and commit it"


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.name)
def test_every_sheet_names_its_schema_on_the_first_line(path):
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE


def test_the_glossary_names_its_schema_on_the_first_line():
    assert (REPO / "glossary.yaml").read_text(encoding="utf-8").splitlines()[0] == GLOSSARY_MODELINE


def test_schema_accepts_the_shipped_glossary():
    assert LOAD_ERRORS == []
    assert list(validator("glossary.schema.json").iter_errors(PARSED[GLOSSARY_FILE][0].data)) == []


def test_glossary_schema_flags_a_term_without_a_definition():
    assert list(validator("glossary.schema.json").iter_errors({"terms": [{"term": "New START"}]})) != []


@pytest.mark.parametrize("doc", PARSED[SHEETS_DIR], ids=lambda doc: doc.name)
def test_schema_accepts_the_shipped_sheets(doc):
    assert LOAD_ERRORS == []
    assert list(validator("factsheet.schema.json").iter_errors(doc.data)) == []


@pytest.mark.parametrize("source", PARSED[SOURCES_DIR], ids=lambda source: source.id)
def test_schema_accepts_the_shipped_source_front_matter(source):
    assert LOAD_ERRORS == []
    assert list(validator("source.schema.json").iter_errors(source.front.data)) == []


@pytest.mark.parametrize(
    "change",
    [
        ("status: stated", "status: rumoured"),
        ("    said_by: Alpha", "    sayd_by: Alpha"),
        ("date: 2025-01-21", "date: 21 January 2025"),
        ("        quote:", "        quotation:"),
    ],
)
def test_schema_flags_what_check_flags(change):
    doc, errors = parse_yaml(TINY_SHEET.replace(*change), "energy.yaml", Path("energy.yaml"))
    assert errors == []
    assert list(validator("factsheet.schema.json").iter_errors(doc.data)) != []


def test_schema_command_writes_then_reports_up_to_date(tmp_path):
    first = CliRunner().invoke(main, ["schema", "--project", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == ["wrote schemas/factsheet.schema.json", "wrote schemas/source.schema.json", "wrote schemas/glossary.schema.json", "wrote schemas/overview.schema.json"]
    for name, text in schema_texts().items():
        assert (tmp_path / SCHEMAS_DIR / name).read_text(encoding="utf-8") == text
        assert text.endswith("}\n")
    again = CliRunner().invoke(main, ["schema", "--project", str(tmp_path)])
    assert again.output == "schemas/ is up to date\n"
