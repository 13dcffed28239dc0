"""What a score cell holds, read and judged once for every sheet that asks: the unit's self-scores
(rules.checks) and the conference's agreed scores (rules.assessed).

A score is a number, from 0 to the criterion's maximum, on the book's step; typed as text ('8,5',
'8 điểm', ' 9 ') it is read, and how it was read is told so that a warning can say so. A disqualifier
is Có or Không. Each caller words its own findings; the judging is here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from ttdk_xl.core.models import Criterion, Kind
from ttdk_xl.core.text import nfc, text_key
from ttdk_xl.rules.score import clean

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_NUMBER_WITH_UNIT = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*(?:điểm|đ|đểm|diem|d)\.?$", re.I)

# Problems of a score cell (validate_score), worst first: each caller has a finding for each.
MISSING = "missing"  # blank where a score is required (a scored criterion)
NOT_NUMBER = "not-number"
NEGATIVE = "negative"
ABOVE_MAX = "above-max"
OFF_STEP = "off-step"

# Ways a disqualifier cell says yes or no (as typed, compared by text_key).
_YES = frozenset({"có", "co", "x", "1"})
_NO = frozenset({"", "không", "khong", "0"})


def parse_score(value: object) -> tuple[Decimal | None, str]:
    """A typed score → (Decimal or None, how it was read).

    The second item is '' for a proper number, 'blank', 'comma' ('8,5'), 'unit' ('8 điểm'),
    'text' (' 9 ' stored as text), 'bool', or 'not-number'.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "blank"
    if isinstance(value, bool):
        return None, "bool"
    if type(value) is float and value != 0:  # the common case: a number typed in the cell
        if value - value != 0:  # NaN or ±infinity: only a damaged or hand-edited file holds them
            return None, "not-number"
        return _float_score(value), ""
    if isinstance(value, int | float | Decimal):
        return clean(Decimal(str(round(float(value), 6)))), ""
    text = nfc(value).replace("\u00a0", " ").strip()
    how = "text"
    m = _NUMBER_WITH_UNIT.match(text)
    if m:
        text, how = m.group(1), "unit"
    if not _NUMBER.match(text):
        return None, "not-number"
    if "," in text:
        how = "comma" if how == "text" else how
    try:
        return clean(Decimal(text.replace(",", "."))), how
    except InvalidOperation:
        return None, "not-number"


@lru_cache(maxsize=4096)  # few distinct score values recur in every file
def _float_score(value: float) -> Decimal:
    return clean(Decimal(str(round(value, 6))))


class ScoreCheck(NamedTuple):
    """A score cell judged: its value (None when unusable), how it was read ('' for a number, else
    'comma', 'unit' or 'text') and its problem ('' or one of MISSING … OFF_STEP)."""

    value: Decimal | None
    how: str
    problem: str


def validate_score(c: Criterion, value: object, step: Decimal) -> ScoreCheck:
    """A typed score of a numeric criterion (not a disqualifier) against its maximum and the book's step.

    A blank is 0 for a bonus or penalty and MISSING for a scored criterion. The value is kept when only
    its range or step is wrong, for the finding to show it."""
    score, how = parse_score(value)
    if how == "blank":
        if c.kind is Kind.SCORED:
            return ScoreCheck(None, "", MISSING)
        return ScoreCheck(Decimal(0), "", "")
    if score is None:
        return ScoreCheck(None, "", NOT_NUMBER)
    if score < 0:
        return ScoreCheck(score, how, NEGATIVE)
    if score > c.max_points:
        return ScoreCheck(score, how, ABOVE_MAX)
    if score % step != 0:
        return ScoreCheck(score, how, OFF_STEP)
    return ScoreCheck(score, how, "")


def round_to_step(score: Decimal, step: Decimal) -> Decimal:
    """The nearest score on the step (for a finding's example): 19.3 on 0.25 → 19.25."""
    return (score / step).quantize(Decimal(1)) * step


def yes_no(value: object) -> bool | None:
    """A disqualifier cell → True (Có, x, 1), False (Không, 0, blank) or None (anything else)."""
    key = text_key(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None
