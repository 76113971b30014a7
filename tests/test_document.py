"""Reading YAML (brief/document.py): libyaml reads well-formed files fast; on every file it reads,
it must agree with the pure-Python reader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from brief.document import compose_with_libyaml, CoreLoader, parse_yaml

REPO = Path(__file__).resolve().parent.parent
YAML_FILES = sorted(REPO.glob("briefings/*.yaml")) + sorted((REPO / "tests" / "corpus").glob("*.yaml"))

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")


def tree(node: yaml.Node | None) -> object:
    """A node tree as plain data: tags, values, styles and positions."""
    if node is None:
        return None
    mark = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.style or None, mark)  # libyaml marks a plain scalar "", PyYAML None
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [tree(item) for item in node.value], mark)
    return (node.tag, [(tree(key), tree(value)) for key, value in node.value], mark)


def pure_tree(text: str) -> object:
    try:
        return tree(yaml.compose(text, Loader=CoreLoader))
    except (yaml.YAMLError, RecursionError):
        return "error"


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: path.name)
def test_libyaml_reads_each_file_as_the_pure_reader_does_or_declines(path: Path):
    text = path.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff")
    fast = compose_with_libyaml(text)
    if fast is not None:
        assert tree(fast) == pure_tree(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # aliases: refused by the pure reader with its own message
        "a: &x [1]\nb: *x\n",
        "a: !!str 1\n",  # explicit tags
        "a: 1\n---\nb: 2\n",  # two documents
        "a: " + "[" * 100_000,  # libyaml's composer would recurse in C until the process crashes
        "a:\n" + "".join(" " * n + "- \n" for n in range(0, 60_000, 2)),  # as deep, in block style
        "a: [1,\n",  # syntax error
        "",
    ],
)
def test_libyaml_declines_what_the_pure_reader_must_judge(text: str):
    assert compose_with_libyaml(text) is None


def test_the_shipped_sheets_are_read_by_libyaml():
    for path in sorted(REPO.glob("briefings/*.yaml")):
        assert compose_with_libyaml(path.read_text(encoding="utf-8")) is not None, path


def test_positions_count_characters_not_bytes():
    text = 'title: "Zürich “x”"\nsummary: [ü, 😀 y]\n'
    assert tree(compose_with_libyaml(text)) == pure_tree(text)
    document, errors = parse_yaml(text, "x.yaml", Path("x.yaml"))
    assert errors == []
    assert document.values[("summary", 1)] == (2, 14)
