"""Quote matching: NFKC, straight quotes and folded white space, and nothing looser."""

import random
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from brief import quotes
from brief.quotes import SourceText, normalize


def test_curly_quotes_match_straight_ones():
    text = SourceText("He was welcomed by his “dear friend” Putin.")
    start, end = text.find('his "dear friend" Putin')
    assert text.original[start:end] == "his “dear friend” Putin"


def test_whitespace_runs_and_line_breaks_fold():
    text = SourceText("joint trade is\n  trending   upward.")
    assert text.find("trade is trending upward") is not None


def test_nfkc_folds_compatibility_characters():
    assert normalize("ﬁve\u00a0years") == "five years"


def test_case_and_punctuation_are_not_folded():
    text = SourceText("China is the largest consumer of Russian energy resources.")
    assert text.find("china is the largest consumer") is None
    assert text.find("China is the largest consumer of Russian energy resources!") is None


def test_dashes_are_not_folded():
    assert SourceText("visited China twice — first").find("visited China twice - first") is None


def test_span_maps_back_to_the_original_text():
    original = "Alpha  said:\n“the pipe”  works."
    text = SourceText(original)
    start, end = text.find('said: "the pipe" works')
    assert original[start:end] == "said:\n“the pipe”  works"


def test_span_maps_back_across_characters_whose_normal_form_is_longer():
    original = "Wait… the ﬁrst  “deal”\u00a0was signed."
    text = SourceText(original)
    assert text.normalized == 'Wait... the first "deal" was signed.'
    start, end = text.find('first "deal" was')
    assert original[start:end] == "ﬁrst  “deal”\u00a0was"
    start, end = text.find("irst")  # from inside the ligature: the whole character is part of the span
    assert original[start:end] == "ﬁrst"


def test_closest_passage_points_at_the_typo():
    text = SourceText("Putin, in turn, noted a 7% increase in trade between the two countries.")
    assert text.closest_passage("noted a 17% increase in trade") == "noted a 7% increase in trade "


def test_closest_passage_in_text_without_spaces_starts_where_the_quote_does():
    text = SourceText("中俄两国元首在莫斯科举行会谈。双方同意进一步深化全面战略协作伙伴关系，扩大能源和贸易合作。")
    assert text.closest_passage("双方同意进一步深化全面战略合作伙伴关系") == "双方同意进一步深化全面战略协作伙伴关系"


def test_closest_passage_of_a_long_quote_is_the_stretch_it_was_cut_from():
    # Twenty words over and over, so that any short piece of the quote is found all over the source.
    vocabulary = ["Moscow", "Beijing", "pipeline", "gas", "oil", "trade", "yuan", "rouble", "export", "import", "summit", "talks", "price", "the", "of", "to", "and", "said", "rose", "fell"]
    rng = random.Random(1)
    words = [rng.choice(vocabulary) for _ in range(40_000)]
    cut = words[20_000:23_000]  # about 17 KB
    for index in (10, 1_500, 2_997):
        cut[index] = "Kremlin"
    quote = " ".join(cut)
    start = len(" ".join(words[:20_000])) + 1
    text = " ".join(words)
    assert SourceText(text).closest_passage(quote) == text[start : start + len(quote)]


def test_empty_quote_is_never_found():
    assert SourceText("anything").find("   ") is None


def reference_fold(text: str) -> tuple[str, list[int]]:
    """The definition, character by character: NFKC, straight quotes, white space folded; with each output's origin."""
    chars, origin, pending = [], [], False
    for index, char in enumerate(text):
        for out in unicodedata.normalize("NFKC", char).translate(quotes._QUOTE_MARKS):
            if out.isspace():
                pending = bool(chars)
                continue
            if pending:
                chars.append(" ")
                origin.append(index)
                pending = False
            chars.append(out)
            origin.append(index)
    return "".join(chars), origin


TRICKY = st.sampled_from(list("ab c.\n\t") + ["  ", "\r\n", "\u00a0", "\u2003", "\u3000", "\u2028", "\x85", "\x1c",
                                                "“", "”", "’", "…", "ﬁ", "½", "™", "\u00a8", "é", "e\u0301", "😀"])


@given(st.lists(TRICKY, max_size=40).map("".join), st.data())
def test_fast_folding_agrees_with_the_definition(text, data):
    expected, origin = reference_fold(text)
    source = SourceText(text)
    assert source.normalized == normalize(text) == expected
    start = data.draw(st.integers(0, len(expected)))
    quote = expected[start : data.draw(st.integers(start, len(expected)))]
    needle = normalize(quote)
    if needle:
        first = expected.find(needle)
        assert source.find(quote) == (origin[first], origin[first + len(needle) - 1] + 1)
