"""Loading: YAML 1.2 scalars, positions, and the problems the loader refuses."""

from pathlib import Path

import pytest

from brief.document import parse_yaml
from brief import load


def parse(text: str):
    return parse_yaml(text, "sheet.yaml", Path("sheet.yaml"))


def test_yaml_1_1_surprises_stay_text():
    doc, errors = parse("a: no\nb: on\nc: NO\nd: 1:30\ne: 2025-01-21\nf: yes\n")
    assert errors == []
    assert doc.data == {"a": "no", "b": "on", "c": "NO", "d": "1:30", "e": "2025-01-21", "f": "yes"}


def test_numbers_booleans_and_null_follow_yaml_1_2():
    doc, _ = parse("a: 220\nb: 7.5\nc: true\nd: null\ne: ~\nf: 0777\n")
    assert doc.data == {"a": 220, "b": 7.5, "c": True, "d": None, "e": None, "f": 777}


def test_positions_of_values_and_keys():
    doc, _ = parse("title: Energy\nfacts:\n  - id: one\n    text: Hello\n")
    assert doc.where(("facts", 0, "text")) == (4, 11)
    assert doc.where(("facts", 0, "text"), key=True) == (4, 5)
    assert doc.where(("facts", 0, "missing")) == (3, 5)


def test_duplicate_keys_at_any_level():
    _, errors = parse("facts:\n  - id: a\n    id: b\n")
    assert [str(e) for e in errors] == ["sheet.yaml:3:5: duplicate key 'id' (first at line 2): keep one"]


def test_aliases_are_refused():
    _, errors = parse("a: &x [1, 2]\nb: *x\n")
    assert [str(e) for e in errors] == [
        "sheet.yaml:2:4: anchors and aliases (&name, *name) are not supported: write the value out"
    ]


def test_python_tags_are_refused():
    _, errors = parse("a: !!python/object:os.system echo\n")
    assert "YAML tag 'tag:yaml.org,2002:python/object:os.system' is not supported" in str(errors[0])


def test_source_front_matter_positions_count_the_opening_line(tmp_path):
    path = tmp_path / "sources" / "x.md"
    path.parent.mkdir()
    path.write_text("---\ntitle: T\npublisher: P\n---\nBody text.\n", encoding="utf-8")
    source, errors = load.parse(load.read_file(load.SOURCES_DIR, path, tmp_path))
    assert errors == []
    assert source.front.where(("publisher",)) == (3, 12)
    assert source.body == "Body text.\n"
    assert source.body_line == 5


def test_source_without_front_matter(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("Just text.\n", encoding="utf-8")
    _, errors = load.parse(load.read_file(load.SOURCES_DIR, path, tmp_path))
    assert [str(e) for e in errors] == [
        "x.md:1:1: a source starts with front matter: a line `---`, the fields, then `---`"
    ]


def parsed_errors(tmp_path, kind: str, name: str, text: str) -> list[str]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _, errors = load.parse(load.read_file(kind, path, tmp_path))
    return [str(error) for error in errors]


SOURCE_FRONT = "---\ntitle: T\npublisher: P\nauthor: null\npublished: 2025-01-21\nurl: null\narchived: 2026-11-23\n---\n"
RESOLVE = "keep the correct version of the text, then delete the marker lines (<<<<<<<, |||||||, ======= and >>>>>>>)"


def test_a_merge_conflict_in_a_source_is_refused_at_its_first_line(tmp_path):
    body = "Alpha said the pipeline carries gas.\n<<<<<<< HEAD\nBeta denied it.\n||||||| base\nBeta said nothing.\n=======\nBeta confirmed it.\n>>>>>>> review\n"
    assert parsed_errors(tmp_path, load.SOURCES_DIR, "sources/x.md", SOURCE_FRONT + body) == [
        f"sources/x.md:10:1: an unresolved merge conflict, lines 10 to 16: {RESOLVE}"
    ]


def test_a_merge_conflict_in_a_fact_sheet_or_the_glossary_is_named_as_such(tmp_path):
    sheet = "title: Energy\n<<<<<<< HEAD\nas_of: 2025-01-21\n=======\nas_of: 2025-02-01\n>>>>>>> theirs\n"
    assert parsed_errors(tmp_path, load.SHEETS_DIR, "briefings/energy.yaml", sheet) == [
        f"briefings/energy.yaml:2:1: an unresolved merge conflict, lines 2 to 6: {RESOLVE}"
    ]
    glossary = "terms:\n<<<<<<< ours\n  - term: ESPO\n=======\n  - term: Power of Siberia\n>>>>>>> theirs\n"
    assert parsed_errors(tmp_path, load.GLOSSARY_FILE, "glossary.yaml", glossary) == [
        f"glossary.yaml:2:1: an unresolved merge conflict, lines 2 to 6: {RESOLVE}"
    ]


def test_a_conflict_marker_left_alone_is_refused(tmp_path):
    body = "Alpha said the pipeline carries gas.\n\nBeta confirmed it.\n>>>>>>> review\n"
    assert parsed_errors(tmp_path, load.SOURCES_DIR, "sources/x.md", SOURCE_FRONT + body) == [
        f"sources/x.md:12:1: a merge conflict marker `>>>>>>>` is left in the file: {RESOLVE}"
    ]


def test_a_markdown_heading_underline_and_table_row_are_no_conflict(tmp_path):
    body = "The talks\n=======\n\n|||||||\n\nAlpha said <<<<<<< is no marker inside a line.\n"
    assert parsed_errors(tmp_path, load.SOURCES_DIR, "sources/x.md", SOURCE_FRONT + body) == []


BIDI_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("character", BIDI_CONTROLS, ids=lambda character: f"U+{ord(character):04X}")
def test_a_bidirectional_control_in_a_source_text_is_refused_where_it_is(character, tmp_path):
    body = f"Alpha said the pipeline carries {character}gas.\n"
    assert parsed_errors(tmp_path, load.SOURCES_DIR, "sources/x.md", SOURCE_FRONT + body) == [
        f"sources/x.md:9:33: character U+{ord(character):04X} is an invisible bidirectional control, which reorders the text around it: delete it"
    ]


def test_a_bidirectional_control_in_a_url_is_refused_where_it_is(tmp_path):
    # An override makes "https://example.com/\u202egpj.exe" read as ...exe.jpg.
    source = SOURCE_FRONT.replace("url: null", "url: https://example.com/\u202egpj.exe") + "Text.\n"
    assert parsed_errors(tmp_path, load.SOURCES_DIR, "sources/x.md", source) == [
        "sources/x.md:6:26: character U+202E is an invisible bidirectional control, which reorders the text around it: delete it"
    ]


def test_a_bidirectional_control_written_as_a_yaml_escape_is_refused(tmp_path):
    sheet = 'title: Energy\nsummary: "Alpha \\u2067says\\u2069 the pipeline carries gas."\n'
    assert parsed_errors(tmp_path, load.SHEETS_DIR, "briefings/energy.yaml", sheet) == [
        "briefings/energy.yaml:2:10: the escape for U+2067, an invisible bidirectional control, which reorders the text around it, is not allowed: remove it"
    ]


def test_a_quote_left_open_in_source_front_matter_is_reported_where_it_opens(tmp_path):
    source = SOURCE_FRONT.replace("title: T", "title: 'Talks in Beijing").replace("url: null", "url: 'https://example.com'") + "Text.\n"
    assert parsed_errors(tmp_path, load.SOURCES_DIR, "sources/x.md", source) == [
        "sources/x.md:2:8: YAML syntax: the single quote opened here is not closed on its line, so its text runs on to the ' at line 6,"
        " taking in the fields between: add the closing ' where the text ends, or drop the quotes and write the text as a `>-` block on the lines below"
    ]


def test_a_quoted_text_over_several_lines_is_not_blamed_for_a_later_error():
    _, errors = parse('title: "Energy, and the\n  status of the talks"\nsummary: [open\n')
    assert [str(e) for e in errors] == [
        "sheet.yaml:4:1: YAML syntax: expected ',' or ']', but got '<stream end>'"
        " (while parsing a flow sequence that starts at line 3, col 10): check the quotes, brackets and indentation here"
    ]


def test_a_field_indented_into_a_source_note_is_reported_at_its_line(tmp_path):
    source = SOURCE_FRONT.replace("archived: 2026-11-23\n", "note: >-\n  Navigation removed.\n  archived: 2026-11-23\n") + "Text.\n"
    assert parsed_errors(tmp_path, load.SOURCES_DIR, "sources/x.md", source) == [
        "sources/x.md:9:3: `archived:` is indented under `note: >-`, so it is read as part of that text:"
        " if it is a field, align it with the other fields, at col 1"
    ]


def test_a_block_ends_where_its_lines_are_less_indented():
    doc, errors = parse("facts:\n  - id: a\n    text: |\n      Alpha said it.\n\n    said_by: Alpha\n  - id: b\n")
    assert errors == []
    assert doc.data["facts"][0] == {"id": "a", "text": "Alpha said it.\n", "said_by": "Alpha"}
