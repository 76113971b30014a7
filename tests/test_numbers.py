"""Reading the amounts a text states, and checking figures and facts against their quotes."""

from __future__ import annotations

import pytest

from brief.numbers import Unit, amounts, figure_problem, numbers_missing, stating_amount, unit_of


@pytest.mark.parametrize(
    ("text", "value", "percent", "currency", "qualifier", "written"),
    [
        ("which amounts to more than $220 billion", 220e9, False, "USD", "more than", "more than $220 billion"),
        ("trade of 1,200,000 tonnes", 1_200_000, False, None, None, "1,200,000"),
        ("a share of 7.5", 7.5, False, None, None, "7.5"),
        ("$1bn from frozen assets", 1e9, False, "USD", None, "$1bn"),
        ("a $1.5 trillion plan", 1.5e12, False, "USD", None, "$1.5 trillion"),
        ("costing $5m", 5e6, False, "USD", None, "$5m"),
        ("5k visitors", 5e3, False, None, None, "5k"),
        ("2 mn barrels", 2e6, False, None, None, "2 mn"),
        ("3 tn", 3e12, False, None, None, "3 tn"),
        ("38 bcm a year", 38e9, False, None, None, "38 bcm"),
        ("22 thousand", 22e3, False, None, None, "22 thousand"),
        ("4 million", 4e6, False, None, None, "4 million"),
        ("€3 billion", 3e9, False, "EUR", None, "€3 billion"),
        ("£3", 3, False, "GBP", None, "£3"),
        ("¥3", 3, False, "CNY", None, "¥3"),
        ("₽3", 3, False, "RUB", None, "₽3"),
        ("USD 5 million", 5e6, False, "USD", None, "USD 5 million"),
        ("5 billion yuan", 5e9, False, "CNY", None, "5 billion yuan"),
        ("100 rubles", 100, False, "RUB", None, "100 rubles"),
        ("100 roubles", 100, False, "RUB", None, "100 roubles"),
        ("220 billion US dollars", 220e9, False, "USD", None, "220 billion US dollars"),
        ("9 dollars", 9, False, "USD", None, "9 dollars"),
        ("40 EUR", 40, False, "EUR", None, "40 EUR"),
        ("a 7% increase", 7, True, None, None, "7%"),
        ("up 7 percent", 7, True, None, None, "7 percent"),
        ("up 7 per cent", 7, True, None, None, "7 per cent"),
        ("visited China twice", 2, False, None, None, "twice"),
        ("met once", 1, False, None, None, "once"),
        ("a one-year extension", 1, False, None, None, "one-year"),
        ("twelve ships", 12, False, None, None, "twelve"),
        ("twenty-five ships", 25, False, None, None, "twenty-five"),
        ("ninety ships", 90, False, None, None, "ninety"),
        ("two hundred ships", 200, False, None, None, "two hundred"),
        ("over 10", 10, False, None, "more than", "over 10"),
        ("about 10", 10, False, None, "about", "about 10"),
        ("roughly 10", 10, False, None, "about", "roughly 10"),
        ("around 10", 10, False, None, "about", "around 10"),
        ("approximately 10", 10, False, None, "about", "approximately 10"),
        ("some 10", 10, False, None, "about", "some 10"),
        ("nearly 10", 10, False, None, "nearly", "nearly 10"),
        ("Almost 10", 10, False, None, "nearly", "Almost 10"),
        ("up to 10", 10, False, None, "up to", "up to 10"),
        ("at least 10", 10, False, None, "at least", "at least 10"),
        ("less than 10", 10, False, None, "less than", "less than 10"),
        ("under 10", 10, False, None, "less than", "under 10"),
        ("fewer than ten", 10, False, None, "less than", "fewer than ten"),
    ],
)
def test_an_amount_is_read_with_its_scale_percent_currency_and_qualifier(text, value, percent, currency, qualifier, written):
    (amount,) = amounts(text)
    assert (amount.value, amount.percent, amount.currency, amount.qualifier, amount.written) == (value, percent, currency, qualifier, written)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("a 5km road", [5]),  # kilometres, not thousands
        ("G20 leaders and the Su-57", [57]),  # a number inside a name is no amount, one after a hyphen is
        ("someone often said so", []),  # number words only as whole words
        ("on Jan. 21, 2025, 12.5 percent", [21, 2025, 12.5]),
    ],
)
def test_what_is_not_an_amount(text, read):
    assert [amount.value for amount in amounts(text)] == read


@pytest.mark.parametrize(
    ("unit", "read"),
    [
        ("USD billion", Unit(1e9, False, "USD")),
        ("%", Unit(1, True, None)),
        ("per cent", Unit(1, True, None)),
        ("year", Unit(1, False, None)),
        ("visits", Unit(1, False, None)),
        ("billion cubic metres", Unit(1e9, False, None)),
        ("bcm", Unit(1e9, False, None)),
        ("bcm a year", Unit(1e9, False, None)),
        ("million tonnes", Unit(1e6, False, None)),
        ("US$ trillion", Unit(1e12, False, "USD")),
        ("yuan", Unit(1, False, "CNY")),
        ("m", Unit(1, False, None)),  # metres: a lone m in a unit is not a million
    ],
)
def test_a_unit_gives_the_scale_percent_and_currency(unit, read):
    assert unit_of(unit) == read


QUOTE = "which amounts to more than $220 billion"


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "quotes"),
    [
        (220, "USD billion", "more than", [QUOTE]),
        (220, "USD billion", "over", [QUOTE]),  # the same class
        (220e9, "USD", "more than", [QUOTE]),
        (220, "billion", "more than", [QUOTE]),  # no currency in the unit: any will do
        (220, "USD billion", "More  than", [QUOTE]),
        (7, "%", None, ["Putin noted a 7% increase"]),
        (2, "visits", None, ["Since February 2022, Putin has visited China twice"]),
        (1, "year", None, ["his proposal for a one-year extension"]),
        (1, "USD billion", None, ["offered to allocate $1 billion from frozen Russian assets"]),
        (38, "bcm", None, ["capacity of 38 billion cubic metres"]),
        (7.5, "%", "about", ["no figure here", "about 7.5 per cent"]),  # any of the quotes
        (220, "USD billion", None, ["$220 billion, more than 200 billion"]),  # the amount without a qualifier states it
    ],
)
def test_a_quote_that_states_the_value(value, unit, qualifier, quotes):
    assert figure_problem(value, unit, qualifier, quotes) is None


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "quotes", "message"),
    [
        (230, "USD billion", "more than", [QUOTE],
         'the quote says "more than $220 billion"; value is 230: correct the value, or cite the words that state it'),
        (7.5, "USD billion", "more than", [QUOTE],
         'the quote says "more than $220 billion"; value is 7.5: correct the value, or cite the words that state it'),
        (220, "USD billion", None, [QUOTE],
         'the quote says "more than $220 billion"; qualifier is none: add qualifier: more than'),
        (220, "USD billion", None, ["trade of over $220 billion"],
         'the quote says "over $220 billion"; qualifier is none: add qualifier: over'),
        (220, "USD billion", "more than", ["which amounts to $220 billion"],
         'the quote says "$220 billion"; qualifier is "more than": remove it, or cite words that say it'),
        (220, "USD billion", "about", [QUOTE],
         'the quote says "more than $220 billion"; qualifier is "about": write qualifier: more than, or cite words that say "about"'),
        (230, "USD billion", None, ["no digits here"],
         "no number in the quote; value is 230: cite the words that state it"),
        (220, "USD billion", "well over", [QUOTE],
         "qualifier 'well over' is not one check can read: use one of more than, over, about, roughly, around,"
         " approximately, some, nearly, almost, up to, at least, less than, under, fewer than"),
        (7, "%", None, ["7 ships"],
         'the quote says "7"; value is 7: correct the value, or cite the words that state it'),  # a count is no percent
        (7, "visits", None, ["a 7% rise"],
         'the quote says "7%"; value is 7: correct the value, or cite the words that state it'),
        (220, "EUR billion", "more than", [QUOTE],
         'the quote says "more than $220 billion"; value is 220: correct the value, or cite the words that state it'),
        (220, "USD million", "more than", [QUOTE],
         'the quote says "more than $220 billion"; value is 220: correct the value, or cite the words that state it'),
        (230, "USD billion", None, ["in 2024, trade reached $225 billion and 231 ships"],
         'the quote says "$225 billion"; value is 230: correct the value, or cite the words that state it'),  # the closest amount
    ],
)
def test_a_quote_that_does_not_state_the_value(value, unit, qualifier, quotes, message):
    assert figure_problem(value, unit, qualifier, quotes) == message


@pytest.mark.parametrize(
    ("text", "quotes", "date_parts", "missing"),
    [
        ("Trade grew 7% to more than $220 billion.", ["a 7% increase, more than $220 billion"], (), []),
        ("Trade grew 7% to $230 billion.", ["a 7% increase, more than $220 billion"], (), [("230", 18)]),
        ("Trade of 220 bn.", ["$220 billion"], (), []),  # compared as written, scale words aside
        ("1,200,000 tonnes and 1.5 more", ["1200000 tonnes, 1.50"], (), []),
        ("Putin visited China 2 times.", ["Putin has visited China twice"], (), []),
        ("On 21 January 2025 they spoke.", ["they spoke"], ("2025", "1", "21"), []),
        ("In May 2024 and in 2023 they spoke.", ["they spoke in May 2024"], ("2024", "5"), [("2023", 19)]),
        ("See [the report](https://example.org/2024/77) of 12 May.", ["12 May"], (), []),
        ("Putin said two things.", ["nothing"], (), []),  # only numbers written in digits
        ("1.5 and 1,500", ["no numbers"], (), [("1.5", 0), ("1,500", 8)]),
    ],
)
def test_numbers_in_a_fact_text_that_no_quote_states(text, quotes, date_parts, missing):
    assert numbers_missing(text, quotes, date_parts) == missing


@pytest.mark.parametrize(
    ("value", "qualifier", "quotes", "written"),
    [
        (220, "over", ["$220 billion, or more than $220 billion"], "more than $220 billion"),  # the one with the qualifier
        (220, None, ["$220 billion, or more than $220 billion"], "$220 billion"),
        (230, None, [QUOTE], None),
        (220, "well over", [QUOTE], None),
    ],
)
def test_the_amount_that_states_a_figure(value, qualifier, quotes, written):
    stated = stating_amount(value, "USD billion", qualifier, quotes)
    assert (stated.written if stated else None) == written
