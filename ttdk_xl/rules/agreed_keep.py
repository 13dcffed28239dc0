"""What a person typed in the year's agreed-scores file that the next version of the file must keep.

The year folder's `tham_dinh.xlsx` is rewritten when units or criteria change (a late unit, a criterion
added). Typed values whose unit or criterion no longer has a place move to the `Không còn dùng` sheet,
where they stay visible (and are carried over by every later rewrite) instead of being lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ttdk_xl.book.load import to_decimal
from ttdk_xl.core.layout import ASSESSED_H_AGREED, ASSESSED_H_REASON, ASSESSED_H_SELF, H_CODE
from ttdk_xl.core.models import Book
from ttdk_xl.core.text import code_text, header_key, nfc, vn_number

STALE_SHEET = "Không còn dùng"
STALE_HEADERS = (
    "Đơn vị",
    "Mã tiêu chí",
    "Nội dung tiêu chí",
    "Điểm thẩm định đã nhập",
    "Lý do đã nhập",
    "Vì sao không còn dùng",
)
WHY_UNIT = "Đơn vị không còn trong danh sách thẩm định (không còn trong bộ tiêu chí, hoặc không còn bảng tự chấm)."
WHY_CRITERION = "Tiêu chí không còn trong bộ tiêu chí (hoặc đã đổi mã)."


@dataclass(frozen=True)
class TypedCell:
    """One agreed cell of a `Thẩm định` sheet as found, whatever the book says now."""

    unit: str  # the unit's column title, e.g. 'UBND huyện Triệu Sơn (TSN)'
    code: str
    self_value: object
    agreed: object
    reason: str

    @property
    def typed(self) -> bool:
        """A person typed here: a reason, or an agreed value that is not the self-score shown beside it."""
        if self.reason:
            return True
        if not nfc(self.agreed):
            return False
        a, b = to_decimal(self.agreed), to_decimal(self.self_value)
        if a is not None and b is not None:
            return a != b
        return header_key(self.agreed) != header_key(self.self_value)


@dataclass(frozen=True)
class StaleValue:
    unit: str
    code: str
    text: str
    agreed: str
    reason: str
    why: str


def sheet_cells(rows: Sequence[Sequence[Any]]) -> list[TypedCell]:
    """Every agreed cell of a `Thẩm định` sheet (rows as read), by its unit title and criterion code."""
    header = next(
        (
            i
            for i, row in enumerate(rows[:40])
            if header_key(H_CODE) in {header_key(v) for v in row}
            and header_key(ASSESSED_H_AGREED) in {header_key(v) for v in row}
        ),
        None,
    )
    if not header:
        return []
    keys = [header_key(v) for v in rows[header]]
    code_col = keys.index(header_key(H_CODE))
    above = rows[header - 1]
    starts = [(c, nfc(above[c])) for c in range(code_col + 1, len(above)) if nfc(above[c])]
    out: list[TypedCell] = []
    for n, (col, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(keys)
        span = {keys[c]: c for c in range(col, min(end, len(keys)))}
        acol = span.get(header_key(ASSESSED_H_AGREED))
        scol = span.get(header_key(ASSESSED_H_SELF))
        rcol = span.get(header_key(ASSESSED_H_REASON))
        if acol is None:
            continue
        for row in rows[header + 1 :]:
            code = code_text(row[code_col]) if code_col < len(row) else ""
            if not code:
                continue

            def at(c: int | None, row: Sequence[Any] = row) -> object:
                return row[c] if c is not None and c < len(row) else None

            out.append(TypedCell(title, code, at(scol), at(acol), nfc(at(rcol))))
    return out


def newly_stale(cells: Iterable[TypedCell], book: Book, kept_units: set[str], unit_of) -> list[StaleValue]:
    """Typed cells that the rewritten sheet has no place for: their unit has no columns any more
    (`unit_of(title)` → unit code or None; `kept_units`: codes that keep columns) or their criterion is gone."""
    leaves = {c.code for c in book.leaves}
    groups = {c.code for c in book.criteria if c.is_group}
    out: list[StaleValue] = []
    for cell in cells:
        if not cell.typed or cell.code in groups:  # a group's row holds subtotals (formulas), never typed
            continue
        code = unit_of(cell.unit)
        if code is None or code not in kept_units:
            why = WHY_UNIT
        elif cell.code not in leaves:
            why = WHY_CRITERION
        else:
            continue
        crit = book.criterion(cell.code) if cell.code in leaves else None
        number = to_decimal(cell.agreed)
        shown = vn_number(number) if number is not None else nfc(cell.agreed)
        out.append(StaleValue(cell.unit, cell.code, crit.text if crit else "", shown, cell.reason, why))
    return out


def read_stale_sheet(rows: Sequence[Sequence[Any]]) -> list[StaleValue]:
    """The `Không còn dùng` sheet's rows (a person may have deleted some: they are gone on purpose)."""
    wanted = [header_key(h) for h in STALE_HEADERS]
    for i, row in enumerate(rows[:20]):
        keys = [header_key(v) for v in row]
        if keys[: len(wanted)] == wanted:
            out = []
            for line in rows[i + 1 :]:
                cells = [nfc(line[c]) if c < len(line) else "" for c in range(len(wanted))]
                if cells[0] and cells[1]:
                    out.append(StaleValue(*cells))
            return out
    return []


def merge_stale(old: Iterable[StaleValue], new: Iterable[StaleValue]) -> list[StaleValue]:
    """Old entries first, then the new ones not already listed (same unit, criterion, value and reason)."""
    seen: set[tuple[str, str, str, str]] = set()
    out: list[StaleValue] = []
    for v in (*old, *new):
        key = (header_key(v.unit), v.code, v.agreed, v.reason)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out
