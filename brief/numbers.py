"""Numbers in words: the amounts a text states, and whether a figure or a fact says what its quotes say.

An amount is a number as a source writes it: digits ("1,200,000", "7.5") or
words ("twenty-five", "twice", "one-year"), with what reads with it: a scale
("billion", "bn", "$5m"), a percent sign or word, a currency before or after,
and a qualifier right before ("more than", "about"). Reading is pure and
deliberately narrow: a number the patterns do not know is not stated, and the
editor is told to cite words that state it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# How a source hedges a number, by class: a figure's qualifier and its quote's must be in the same class.
QUALIFIER_CLASSES: dict[str, tuple[str, ...]] = {
    "more than": ("more than", "over"),
    "about": ("about", "roughly", "around", "approximately", "some"),
    "nearly": ("nearly", "almost"),
    "up to": ("up to",),
    "at least": ("at least",),
    "less than": ("less than", "under", "fewer than"),
}
_QUALIFIER_CLASS = {word: name for name, words in QUALIFIER_CLASSES.items() for word in words}

_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "bcm": 1e9}
_SCALES |= {"trillion": 1e12, "tn": 1e12, "tcm": 1e12}
_CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD"}
_CURRENCIES |= {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP"}
# ¥ is yuan here: the briefings are about Russia and China, and a yen amount would be written JPY.
_CURRENCIES |= {"¥": "CNY", "cny": "CNY", "yuan": "CNY", "rmb": "CNY"}
_CURRENCIES |= {"₽": "RUB", "rub": "RUB", "ruble": "RUB", "rubles": "RUB", "rouble": "RUB", "roubles": "RUB"}

_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15}
_TEENS |= {"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20}
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TIMES = {"once": 1, "twice": 2}
_WORD_VALUES = _UNITS | _TEENS | _TENS | _TIMES | {"twenty": 20}


def _alternatives(words) -> str:
    # Longest first, so "fourteen" is not read as "four" and "more than" wins over a shorter phrase.
    return "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in sorted(words, key=len, reverse=True))


_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?"
_WORD_NUMBER = (
    rf"(?:(?:{_alternatives(_TENS | {'twenty': 20})})(?:-(?:{_alternatives(_UNITS)}))?"
    rf"|{_alternatives(_UNITS | _TEENS | _TIMES)})(?:\s+hundred)?|hundred"
)
_AMOUNT = re.compile(
    rf"""
    (?=[\d$€£¥₽]|\b[acefghlmnorstu])  # where an amount can start: a check that fails fast at most places
    (?:\b(?P<qualifier>{_alternatives(_QUALIFIER_CLASS)})\s+)?
    (?P<before>US\$|[$€£¥₽]|(?-i:USD|EUR|GBP|CNY|RUB)\s?)?
    (?:(?<![\w.,])(?P<digits>{_DIGITS})|\b(?P<words>{_WORD_NUMBER})\b(?:-[a-z]+\b)?)
    (?:\s*(?P<scale>thousand|million|billion|trillion|bn|mn|tn|bcm|tcm)\b|(?P<short>[km])\b)?
    (?P<percent>\s?%|\s+per\s?cent\b)?
    (?:\s+(?P<after>(?-i:USD|EUR|GBP|CNY|RUB)|yuan|rubles?|roubles?|(?:US\s+)?dollars?|euros?)\b)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Link targets and bare addresses hold digits that are no part of what a fact says.
_ADDRESS = re.compile(r"\]\([^)]*\)|https?://\S+")


@dataclass(frozen=True)
class Amount:
    """One amount a text states: value is the number times its scale."""

    value: float
    scale: float
    percent: bool
    currency: str | None  # an ISO code: USD for $, dollars and USD alike
    qualifier: str | None  # the class, one of QUALIFIER_CLASSES
    written: str  # the phrase as written, e.g. "more than $220 billion"
    number: float  # the number as written, before the scale
    start: int  # where the number's first character is in the text
    in_digits: bool  # written in digits, not in words


@dataclass(frozen=True)
class Unit:
    """What a figure's unit text says about its value: "USD billion" is dollars, times 1e9."""

    scale: float
    percent: bool
    currency: str | None


def amounts(text: str) -> list[Amount]:
    """Every amount the text states, in the order written."""
    return [_amount(match) for match in _AMOUNT.finditer(text)]


def unit_of(unit: str) -> Unit:
    """The scale, percent and currency a figure's unit names; anything else in it ("tonnes", "visits") is the thing counted."""
    tokens = re.findall(r"[a-z]+|[%$€£¥₽]", unit.lower())
    # In a unit, a lone m or k is metres or kilo-, never a million or a thousand.
    scale = math.prod(_SCALES[token] for token in tokens if token in _SCALES and token not in ("m", "k"))
    percent = "%" in tokens or "percent" in tokens or ("per" in tokens and "cent" in tokens)
    currency = next((_CURRENCIES[token] for token in tokens if token in _CURRENCIES), None)
    return Unit(scale, percent, currency)


def qualifier_class(qualifier: str | None) -> str | None:
    """The class a qualifier belongs to, None for none; KeyError for a qualifier no class holds."""
    return None if qualifier is None else _QUALIFIER_CLASS[" ".join(qualifier.lower().split())]


def figure_problem(value: float, unit: str, qualifier: str | None, quotes: list[str]) -> str | None:
    """None when some quote states the figure's value with its qualifier; else what is wrong and what to do."""
    try:
        wanted = qualifier_class(qualifier)
    except KeyError:
        known = ", ".join(word for words in QUALIFIER_CLASSES.values() for word in words)
        return f"qualifier {qualifier!r} is not one check can read: use one of {known}"
    found = [amount for quote in quotes for amount in amounts(quote)]
    if not found:
        return f"no number in the quote; value is {_shown(value)}: cite the words that state it"
    figure_unit = unit_of(unit)
    stating = [amount for amount in found if _states(amount, value, figure_unit)]
    if not stating:
        closest = _closest(found, value * figure_unit.scale, figure_unit)
        return f'the quote says "{closest.written}"; value is {_shown(value)}: correct the value, or cite the words that state it'
    if any(amount.qualifier == wanted for amount in stating):
        return None
    return _qualifier_problem(stating[0], qualifier)


def stating_amount(value: float, unit: str, qualifier: str | None, quotes: list[str]) -> Amount | None:
    """The first amount in the quotes that states the figure's value with its qualifier, or None (figure_problem says why)."""
    try:
        wanted = qualifier_class(qualifier)
    except KeyError:
        return None
    figure_unit = unit_of(unit)
    found = (amount for quote in quotes for amount in amounts(quote))
    return next((amount for amount in found if _states(amount, value, figure_unit) and amount.qualifier == wanted), None)


def numbers_missing(text: str, quotes: list[str], date_parts: tuple[str, ...]) -> list[tuple[str, int]]:
    """Each number written in digits in text that no quote states, as (written, offset in text).

    Numbers compare as written, scale words aside: "220" is stated by "$220 billion", and "2" by "twice".
    A number that is part of the fact's own date (its year, month or day) is no claim of the quotes.
    """
    if not _ANY_DIGIT.search(text):
        return []  # most facts write no digits: the quotes need not be read
    quoted = [amount.number for quote in quotes for amount in amounts(quote)]
    dated = [float(part) for part in date_parts]
    spoken = _ADDRESS.sub(lambda match: " " * len(match.group()), text)
    missing = []
    for amount in amounts(spoken):
        if amount.in_digits and not any(_same(amount.number, other) for other in quoted + dated):
            written = _DIGITS_AT.match(text, amount.start)
            missing.append((written.group() if written else str(amount.number), amount.start))
    return missing


_DIGITS_AT = re.compile(_DIGITS)
_ANY_DIGIT = re.compile(r"\d")


def _amount(match: re.Match[str]) -> Amount:
    digits, words = match.group("digits"), match.group("words")
    number = float(digits.replace(",", "")) if digits else _word_value(words)
    scale_word = (match.group("scale") or match.group("short") or "").lower()
    scale = _SCALES.get(scale_word, 1.0)
    currency_word = match.group("before") or match.group("after") or ""
    currency = _CURRENCIES.get(currency_word.strip().lower().removeprefix("us ").strip())
    qualifier = match.group("qualifier")
    return Amount(
        value=number * scale,
        scale=scale,
        percent=match.group("percent") is not None,
        currency=currency,
        qualifier=qualifier_class(qualifier),
        written=" ".join(match.group().split()),
        number=number,
        start=match.start("digits") if digits else match.start("words"),
        in_digits=digits is not None,
    )


def _word_value(words: str) -> float:
    """"twenty-five" is 25, "two hundred" 200."""
    parts = words.lower().replace("-", " ").split()
    total = sum(_WORD_VALUES[part] for part in parts if part != "hundred")
    return float((total or 1) * 100 if "hundred" in parts else total)


def _states(amount: Amount, value: float, unit: Unit) -> bool:
    """Whether the amount is the figure's value: same number once scaled, same kind, and no other currency."""
    currencies_agree = amount.currency is None or unit.currency is None or amount.currency == unit.currency
    return _same(amount.value, value * unit.scale) and amount.percent == unit.percent and currencies_agree


def _closest(found: list[Amount], scaled: float, unit: Unit) -> Amount:
    """The amount most like the figure's value: of the same kind first, then nearest in value, then first written."""

    def distance(amount: Amount) -> tuple[bool, float]:
        kind_differs = amount.percent != unit.percent or (amount.currency is not None and unit.currency is not None and amount.currency != unit.currency)
        return kind_differs, abs(amount.value - scaled) / max(abs(amount.value), abs(scaled), 1e-300)

    return min(found, key=distance)


def _qualifier_problem(amount: Amount, qualifier: str | None) -> str:
    said = f'the quote says "{amount.written}"'
    hedge = _written_qualifier(amount)
    if qualifier is None:
        return f"{said}; qualifier is none: add qualifier: {hedge}"
    if hedge is None:
        return f'{said}; qualifier is "{qualifier}": remove it, or cite words that say it'
    return f'{said}; qualifier is "{qualifier}": write qualifier: {hedge}, or cite words that say "{qualifier}"'


def _written_qualifier(amount: Amount) -> str | None:
    """The qualifier as the quote writes it ("over", not its class "more than"), lowercased."""
    match = re.match(rf"(?:{_alternatives(_QUALIFIER_CLASS)})\b", amount.written, re.IGNORECASE)
    return match.group().lower() if amount.qualifier and match else None


def _same(first: float, second: float) -> bool:
    return math.isclose(first, second, rel_tol=1e-9)


def _shown(value: float) -> str:
    """230, not 230.0; 7.5 as 7.5."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
