"""Quote matching: NFKC, straight quotes and folded white space, and nothing looser."""

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


def test_closest_passage_points_at_the_typo():
    text = SourceText("Putin, in turn, noted a 7% increase in trade between the two countries.")
    assert text.closest_passage("noted a 17% increase in trade") == "noted a 7% increase in trade "


def test_empty_quote_is_never_found():
    assert SourceText("anything").find("   ") is None
