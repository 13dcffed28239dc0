"""Agreed scores typed on the page, kept in the year's human input `tham_dinh.xlsx` — a stopgap.

STOPGAP until `ttdk_xl.pipeline.agreed_file` (agreed_table, save_agreed) is on main: the same shapes, built on
the API that exists today. The table is what `consolidate --tham-dinh` would put in the `Thẩm định` sheet; a
save checks every typed value exactly as that sheet is read (`rules.assessed.parse_sheet`: 0…max, on the
step, Có/Không) and, when all are good, writes tham_dinh.xlsx as `consolidate` writes tong_hop.xlsx with
those agreed scores (its `Thẩm định` sheet is what `--tham-dinh` and the page read back).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from ttdk_xl.core.layout import (
    ASSESSED_FIRST_ROW,
    ASSESSED_H_AGREED,
    ASSESSED_H_REASON,
    ASSESSED_H_SELF,
    ASSESSED_HEADER_ROW,
    ASSESSED_UNIT_ROW,
    H_CODE,
    H_MAX,
    H_TEXT,
    YES,
    cell_name,
)
from ttdk_xl.core.models import Book, Criterion, Finding, Kind, Result
from ttdk_xl.core.year_folder import AGREED_NAME, YearFolder
from ttdk_xl.pipeline.cached import CachedReader
from ttdk_xl.rules.assessed import parse_sheet, sheet_units
from ttdk_xl.rules.values import parse_score

ONE = Decimal(1)


@dataclass(frozen=True)
class AgreedCell:
    self_value: Decimal | None  # disqualifiers: 1 = Có, 0 = Không
    agreed_value: Decimal | None
    reason: str = ""


@dataclass(frozen=True)
class AgreedTable:
    units: list[tuple[str, str]]  # (code, name): the units with scores, book order
    criteria: tuple[Criterion, ...]
    cells: dict[tuple[str, str], AgreedCell]  # (unit code, leaf code)


def agreed_table(result: Result) -> AgreedTable:
    """The agreed scores as they stand: `result` is the page's (agreed scores of tham_dinh.xlsx applied)."""
    units = sheet_units(result)
    cells: dict[tuple[str, str], AgreedCell] = {}
    for u in units:
        selfs = u.self_scores if u.self_total is not None or u.self_scores else u.scores
        for c in result.book.leaves:
            cells[(u.unit.code, c.code)] = AgreedCell(
                selfs.get(c.code), u.scores.get(c.code), u.agreed_reasons.get(c.code, "")
            )
    return AgreedTable([(u.unit.code, u.unit.name) for u in units], result.book.criteria, cells)


def save_agreed(
    year: YearFolder,
    reader: CachedReader,
    book: Book,
    table: AgreedTable,
    changes: dict[tuple[str, str], tuple[str, str]],
) -> list[Finding]:
    """Apply `changes` ((unit, leaf) → (typed text, reason)) to the table; the blocking findings, and nothing
    written, when a typed value is bad; else tham_dinh.xlsx is written and [] returned."""
    rows = _sheet_rows(book, table, changes)
    assessment = parse_sheet(rows, book, AGREED_NAME)
    # Only what was typed now can stop the save: a cell left invalid by a unit (blank here) stays the unit's
    # problem, as it is in the commands' sheet.
    index = {code: i for i, (code, _) in enumerate(table.units)}
    row_of = {c.code: ASSESSED_FIRST_ROW + i for i, c in enumerate(book.criteria)}
    typed_cells = {cell_name(row_of[leaf], 4 + 3 * index[unit]): (unit, leaf) for unit, leaf in changes}
    errors = [replace(f, cell="") for f in assessment.findings if f.blocking and f.cell in typed_cells]
    if errors:
        return errors
    from ttdk_xl.outputs.summary import write_summary

    write_summary(reader.result_with(year.inbox, book, assessment), year.agreed)
    return []


def _sheet_rows(book: Book, table: AgreedTable, changes: dict[tuple[str, str], tuple[str, str]]) -> list[list]:
    """The `Thẩm định` sheet's rows (in core.layout's places) with the typed values, as parse_sheet reads them."""
    width = 3 + 3 * len(table.units)
    rows: list[list[object]] = [[""] * width for _ in range(ASSESSED_FIRST_ROW)]
    header: list[object] = [H_CODE, H_TEXT, H_MAX]
    for i, (code, name) in enumerate(table.units):
        rows[ASSESSED_UNIT_ROW][3 + 3 * i] = f"{name} ({code})"
        header += [ASSESSED_H_SELF, ASSESSED_H_AGREED, ASSESSED_H_REASON]
    rows[ASSESSED_HEADER_ROW] = header
    for c in book.criteria:
        row: list[object] = [c.code, c.text, c.max_points]
        for code, _ in table.units:
            cell = table.cells.get((code, c.code))
            if c.is_group or cell is None:
                row += ["", "", ""]
                continue
            typed, reason = changes.get((code, c.code), (None, cell.reason))
            value: object = _shown(c, cell.agreed_value if cell.agreed_value is not None else cell.self_value)
            if typed is not None:
                number, _how = parse_score(typed)
                value = typed if c.kind is Kind.DISQUALIFIER or number is None else number
            row += [_shown(c, cell.self_value), value, reason]
        rows.append(row)
    return rows


def _shown(c: Criterion, value: Decimal | None) -> object:
    if c.kind is Kind.DISQUALIFIER:
        return YES if value == ONE else ""
    return "" if value is None else value
