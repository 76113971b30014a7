"""Where two YAML mistakes start, when the parser finds them lines later or not at all.

A quote left open is reported by PyYAML where it gave up, often lines below and as a matter of
indentation; a field indented under a `>-` or `|` block is read as more of its text, and only a
"missing field" elsewhere shows it. Both are found here at the line the editor has to change,
from the marks PyYAML exposes and the field names of the content models.
"""

from __future__ import annotations

import re

import yaml
from pydantic import BaseModel

from . import models


def model_field_names() -> frozenset[str]:
    """Every field name of the content models: the keys an editor writes."""
    classes = [value for value in vars(models).values() if isinstance(value, type) and issubclass(value, BaseModel)]
    return frozenset(name for cls in classes for name in cls.model_fields)


# A line that starts with a model's field name and its colon, as a field of a fact does. Only the exact
# lowercase names count: prose such as "Note: the figure is disputed" is not a field.
_FIELD_LINE = re.compile(r" *(?:- +)?(" + "|".join(sorted(model_field_names())) + r"):(?: |$)")
# The line breaks YAML counts lines by; load.decode has made \r\n and \r into \n already.
_LINE_BREAK = re.compile("[\n\x85\u2028\u2029]")
_QUOTE_NAMES = {'"': "double quote", "'": "single quote"}
_OPEN_QUOTE_FIX = "add the closing {quote} where the text ends, or drop the quotes and write the text as a `>-` block on the lines below"


def yaml_lines(text: str) -> list[str]:
    """The text's lines as YAML numbers them, so that a mark's line and column index them."""
    return _LINE_BREAK.split(text)


def field_in_block(lines: list[str], key: yaml.Node, block: yaml.ScalarNode) -> tuple[int, int, str] | None:
    """(line, column, message), 0-based, for the first line of a `>` or `|` block that starts with a model's field name.

    The block's text is its lines indented at least as deep as its first, up to the next line less indented.
    """
    depth = None
    for number in range(block.start_mark.line + 1, min(block.end_mark.line + 1, len(lines))):
        line = lines[number]
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        depth = indent if depth is None else depth
        if indent < depth or indent <= key.start_mark.column:
            return None
        field = _FIELD_LINE.match(line)
        if field:
            return number, indent, (
                f"`{field.group(1)}:` is indented under `{key.value}: {_indicator(lines, block)}`,"
                f" so it is read as part of that text: if it is a field, align it with the other fields, at col {key.start_mark.column + 1}"
            )
    return None


def _indicator(lines: list[str], block: yaml.ScalarNode) -> str:
    """The block's indicator as written, such as `>-` or `|`."""
    return lines[block.start_mark.line][block.start_mark.column :].split()[0]


def open_quote(exc: yaml.MarkedYAMLError, text: str, line_offset: int) -> tuple[yaml.Mark, str] | None:
    """Where a quote left open starts, and what to do, when that is what the parse error comes from.

    Either the quote runs to the end of the file, or the next quote closes it and what follows it
    fails to parse; then the quoted text spans lines that look like fields.
    """
    if isinstance(exc, yaml.composer.ComposerError):
        return None  # an alias refused, not a parse error
    lines = yaml_lines(text)
    across = _quote_across_fields(text, lines, exc.problem_mark)
    if across is not None:
        start, end, quote = across.start_mark, across.end_mark, across.style
        return start, (
            f"the {_QUOTE_NAMES[quote]} opened here is not closed on its line, so its text runs on to the {quote} at line"
            f" {end.line + 1 + line_offset}, taking in the fields between: " + _OPEN_QUOTE_FIX.format(quote=quote)
        )
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        start = exc.context_mark
        quote = lines[start.line][start.column]
        return start, f"the {_QUOTE_NAMES[quote]} opened here is never closed: " + _OPEN_QUOTE_FIX.format(quote=quote)
    return None


def _quote_across_fields(text: str, lines: list[str], problem: yaml.Mark | None) -> yaml.ScalarToken | None:
    """The first quoted text before the problem that spans a line starting with a model's field name, if any."""
    try:
        for token in yaml.scan(text, Loader=yaml.BaseLoader):
            if problem is not None and (token.start_mark.line, token.start_mark.column) >= (problem.line, problem.column):
                return None
            if isinstance(token, yaml.ScalarToken) and token.style in _QUOTE_NAMES and _spans_a_field(lines, token):
                return token
    except yaml.YAMLError:
        return None  # the scanner's own error: no quoted text before it spans a field
    return None


def _spans_a_field(lines: list[str], token: yaml.ScalarToken) -> bool:
    return any(_FIELD_LINE.match(lines[number]) for number in range(token.start_mark.line + 1, token.end_mark.line + 1))
