"""Content text to HTML (brief/markup.py): the fast paths print exactly what the plain ways they replace would print."""

from __future__ import annotations

import string
from urllib.parse import quote as percent_encode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from brief.markup import content_markdown, inline, text_fragment

# Text a quote or a printed value may hold: any character UTF-8 can encode, line breaks and HTML's specials included.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)))
VALUES = st.one_of(TEXT, TEXT.map(Markup), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans())
# Mostly what rules of Markdown start with and the white space around them; and a few other characters.
CHARACTERS = [*string.printable, "\0", "\u00a0", "\u2028", "\u0085", "é", "“", "—", "😀"]
# The plain way: markdown-it as the site configures it, without markup.inline's shortcuts.
MARKDOWN = content_markdown()
MARKDOWN_MARKS = "\n\r\0\\`*_[<&"  # where markup.inline hands the text to markdown-it


@pytest.mark.parametrize("text", ["*a*", "_a_", "`a`", "[a](https://b.org)", "<https://a.org>", "&amp;", "\\*", "a  \nb", "a\r\nb", "a\0b"])
def test_inline_hands_each_kind_of_markdown_to_markdown_it(text):
    assert inline(text) == MARKDOWN.renderInline(text)


@settings(max_examples=1000)
@given(text=st.lists(st.sampled_from([*MARKDOWN_MARKS, *"!]()>:/ \ta", "http"])).map("".join) | st.text(st.sampled_from(CHARACTERS)))
def test_inline_renders_what_markdown_it_renders(text):
    assert inline(text) == MARKDOWN.renderInline(text)


@given(text=st.text(st.sampled_from([c for c in CHARACTERS if c not in MARKDOWN_MARKS])))
def test_inline_renders_text_without_markdown_as_markdown_it(text):
    assert inline(text) == MARKDOWN.renderInline(text)


@given(quote=TEXT)
def test_text_fragment_encodes_as_urllib_with_hyphens(quote):
    words = quote.split()
    parts = [" ".join(words)] if len(words) <= 8 else [" ".join(words[:4]), " ".join(words[-4:])]
    assert text_fragment(quote) == "#:~:text=" + ",".join(percent_encode(part, safe="").replace("-", "%2D") for part in parts)
