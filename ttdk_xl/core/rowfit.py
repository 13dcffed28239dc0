"""Row heights for wrapped text in the workbooks the tool writes.

Excel and LibreOffice do not grow the rows of a generated file when they open it: a wrapped text in a row
of the default height is drawn over the next row. The writers set each such row's height from an estimate
of its lines: Times New Roman, as every sheet of ttdk-xl uses, measured on Vietnamese text (a column
`width` characters wide holds about 1.1 × width characters of 12-point text; the estimate stays below that
so that a line too many, never one too few, is counted).
"""

from __future__ import annotations

import textwrap
from functools import lru_cache

POINTS_PER_LINE = 1.3  # a line of text takes 1.3 × the font size, in points


def chars_per_line(width: float, size: float = 12, bold: bool = False) -> int:
    """Characters of Times New Roman `size` that surely fit on one line of a cell `width` characters wide."""
    per_unit = 1.02 * 12 / size * (0.92 if bold else 1.0)
    return max(1, int(width * per_unit) - 1)


@lru_cache(maxsize=4096)
def text_lines(text: str, width: float, size: float = 12, bold: bool = False) -> int:
    """Lines `text` takes in a wrapped cell `width` characters wide (each '\\n' starts a line)."""
    capacity = chars_per_line(width, size, bold)
    return sum(
        1 if len(part) <= capacity else max(1, len(textwrap.wrap(part, capacity, break_long_words=True)))
        for part in (text or "").split("\n")
    )


def line_height(size: float = 12) -> float:
    """Points one line of `size`-point text takes in a row."""
    return round(size * POINTS_PER_LINE, 1)


def fit_height(lines: int, size: float = 12, minimum: float = 0) -> float:
    """The row height (points) for `lines` lines of `size`-point text, at least `minimum`, at most Excel's 409."""
    return min(409.0, max(minimum, round(lines * line_height(size) + 3, 1)))
