"""Loading: YAML 1.2 scalars, positions, and the problems the loader refuses."""

from pathlib import Path

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
