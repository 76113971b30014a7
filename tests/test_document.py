"""Reading YAML (brief/document.py): libyaml reads well-formed files fast; on every file it reads,
it must agree with the pure-Python reader, whose messages are the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from brief.document import Reader, parse_yaml

REPO = Path(__file__).resolve().parent.parent
YAML_FILES = sorted(REPO.glob("briefings/*.yaml")) + sorted((REPO / "tests" / "corpus").glob("*.yaml"))

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")


def outcome(text: str, loader: type[yaml.BaseLoader]) -> object:
    """What one parser makes of text: data, problems and positions, or the kind of error it raises."""
    try:
        read = Reader("case.yaml", text, 0, True, loader)
    except yaml.YAMLError as exc:
        return type(exc).__name__
    return read.data, [str(error) for error in read.errors], read.tables


@needs_libyaml
@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: path.name)
def test_libyaml_reads_each_file_as_the_pure_reader_does_or_fails(path: Path):
    text = path.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff")
    fast = outcome(text, yaml.CBaseLoader)
    if not isinstance(fast, str):  # a file libyaml cannot read is read again by the pure reader
        assert fast == outcome(text, yaml.BaseLoader)


@needs_libyaml
def test_the_shipped_sheets_are_read_by_libyaml():
    for path in sorted(REPO.glob("briefings/*.yaml")):
        assert not isinstance(outcome(path.read_text(encoding="utf-8"), yaml.CBaseLoader), str), path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x [1]\nb: *x\n", "2:4: anchors and aliases"),
        ("a: !!set {x}\n", "1:4: YAML tag 'tag:yaml.org,2002:set' is not supported"),
        ("a: 1\n---\nb: 2\n", "2:1: YAML syntax: but found another document"),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "1:28: nested more than 24 levels deep"),
        # Past libyaml's limit of 1,000 levels, so the pure reader reads it too.
        ("a:\n" + "".join(" " * n + "- \n" for n in range(0, 2_400, 2)), "26:49: nested more than 24 levels deep"),
        ("[a]\n", "1:1: expected fields at the top level"),
        ("# nothing\n", "1:1: no content"),
        ("1: x\n", "1:1: a key must be a plain word"),
        ("<<: {a: 1}\n", "1:1: merge keys (<<) are not supported"),
    ],
)
def test_what_is_not_a_fact_sheet_is_refused_where_it_is(text: str, expected: str):
    document, errors = parse_yaml(text, "case.yaml", Path("case.yaml"))
    assert document is None
    assert [str(error) for error in errors if expected in str(error)], errors


def test_plain_scalars_follow_the_yaml_1_2_core_schema():
    text = "a: [yes, no, on, 'true', true, 1:30, 012, 1.5e3, .5, ~, null, '', 2025-01-21]\n"
    document, errors = parse_yaml(text, "case.yaml", Path("case.yaml"))
    assert errors == []
    assert document.data == {"a": ["yes", "no", "on", "true", True, "1:30", 12, 1500.0, 0.5, None, None, "", "2025-01-21"]}


def test_positions_count_characters_not_bytes():
    text = 'title: "Zürich “x”"\nsummary: [ü, 😀 y]\n'
    document, errors = parse_yaml(text, "x.yaml", Path("x.yaml"))
    assert errors == []
    assert document.values[("summary", 1)] == (2, 14)
    assert document.keys[("summary",)] == (2, 1)
