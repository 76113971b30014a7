"""Whether the values given for one metric agree: each value, with its qualifier, is a range, and values agree when their ranges meet.

"more than 220" and 244.8 agree; 220 and 244.8, both given as exact, do not. Values for different
stated periods are never compared, and a value whose period is not stated is compared with a caveat.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import attrgetter
from typing import Protocol

from .models import format_number
from .numbers import qualifier_class

# How far "about" and "nearly" reach from the value they hedge; said on the methodology page.
ABOUT = 0.1

# Values (and periods) a statement names one by one; a metric can be given in every topic.
LISTED = 4

# Each qualifier class as the range it allows around a value v: (low, low is open, high, high is open) as factors of v,
# or infinite. Written for positive values, which is what every figure in a briefing is.
_RANGES: dict[str | None, tuple[float, bool, float, bool]] = {
    None: (1, False, 1, False),
    "more than": (1, True, math.inf, True),
    "at least": (1, False, math.inf, True),
    "less than": (-math.inf, True, 1, True),
    "up to": (-math.inf, True, 1, False),
    "about": (1 - ABOUT, False, 1 + ABOUT, False),
    "nearly": (1 - ABOUT, False, 1, True),
}


class Valued(Protocol):
    value: float
    qualifier: str | None
    period: str | None


def agreement(figures: Sequence[Valued]) -> str:
    """A plain statement of whether the figures' values agree, or why they cannot be compared; empty for one figure.

    It names each value and period up to LISTED of them; past that, how many there are and the lowest
    and highest value, so that the statement stays a sentence however many topics give the metric.
    """
    if len(figures) < 2:
        return ""
    periods = list(dict.fromkeys(figure.period for figure in figures if figure.period))
    if len(periods) > 1:
        return f"These values cannot be compared: they cover {_periods(periods)}."
    if len(figures) <= LISTED:
        values = " and ".join(stated_value(figure) for figure in figures)
        agreeing = f"These values are consistent: {values} can all be true."
        differing = f"These values do not agree: {values} cannot all be true."
    else:
        lowest, highest = min(figures, key=attrgetter("value")), max(figures, key=attrgetter("value"))
        span = f"lowest {stated_value(lowest)}, highest {stated_value(highest)}"
        agreeing = f"These {len(figures)} values are consistent ({span}): they can all be true."
        differing = f"These {len(figures)} values do not agree ({span}): they cannot all be true."
    verdict = agreeing if _ranges_meet(figures) else differing
    if len(periods) < len(figures) and any(figure.period is None for figure in figures):
        verdict += " Not every value states its period, so they may not cover the same one."
    return verdict


def _periods(periods: list[str]) -> str:
    if len(periods) <= LISTED:
        return f"different periods ({'; '.join(periods)})"
    return f"{len(periods)} different periods ({'; '.join(periods[:LISTED])} and {len(periods) - LISTED} more)"


def stated_value(figure: Valued) -> str:
    """The value as its quote states it: "more than 220", or "220 (exact)"."""
    number = format_number(figure.value)
    return f"{figure.qualifier} {number}" if figure.qualifier else f"{number} (exact)"


def _ranges_meet(figures: Sequence[Valued]) -> bool:
    low, low_open, high, high_open = -math.inf, True, math.inf, True
    for figure in figures:
        lo_factor, lo_open, hi_factor, hi_open = _RANGES[qualifier_class(figure.qualifier)]
        lo, hi = lo_factor * figure.value, hi_factor * figure.value
        if lo > low or (lo == low and lo_open):
            low, low_open = lo, lo_open
        if hi < high or (hi == high and hi_open):
            high, high_open = hi, hi_open
    return low < high or (low == high and not low_open and not high_open)
