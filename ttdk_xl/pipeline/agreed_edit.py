"""Agreed scores typed in a page (not in Excel): the year's `tham_dinh.xlsx` as a table, and saving values into it.

The file stays the one a person edits in Excel; a value saved here is checked as Excel's validation checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ttdk_xl.core.layout import ASSESSED_SHEET, NO, YES
from ttdk_xl.core.models import Book, Criterion, Finding, Kind, Result, Severity
from ttdk_xl.core.text import nfc, vn_number
from ttdk_xl.core.year_folder import YearFolder
from ttdk_xl.pipeline.agreed_file import find_agreed, keep_agreed_input, read_agreed_input, wanted_cells
from ttdk_xl.pipeline.stages import consolidate
from ttdk_xl.rules.assessed import Assessment, sheet_units
from ttdk_xl.rules.values import ABOVE_MAX, MISSING, NEGATIVE, NOT_NUMBER, OFF_STEP, validate_score, yes_no


@dataclass(frozen=True)
class AgreedCell:
    self_value: Decimal | None  # a disqualifier: 1 = Có, 0 = Không
    agreed_value: Decimal | None
    reason: str


@dataclass(frozen=True)
class AgreedTable:
    """The agreed-scores sheet as a page shows it."""

    book: Book
    units: tuple[tuple[str, str], ...]  # (code, name) of each unit with columns
    criteria: tuple[Criterion, ...]
    cells: dict[tuple[str, str], AgreedCell] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    path: Path | None = None


def agreed_table(root: str | Path, result: Result | None = None) -> AgreedTable:
    """What the year's agreed-scores sheet holds (after a consolidation of the year folder `root`, made here
    unless `result` is given): for each unit and criterion the self-score, the score that counts and the reason."""
    year = YearFolder(Path(root))
    if result is None:
        result = consolidate(year.inbox, year.book, agreed_input=year.agreed)
    units = sheet_units(result)
    cells = {}
    for (unit, code), (self_v, agreed, reason) in wanted_cells(result).items():
        cells[(unit, code)] = AgreedCell(
            self_v if isinstance(self_v, Decimal) else None, agreed if isinstance(agreed, Decimal) else None, reason
        )
    mine = tuple(f for f in result.findings if f.file == year.agreed.name or f.code.startswith("agreed-"))
    return AgreedTable(
        result.book,
        tuple((u.unit.code, u.unit.name) for u in units),
        result.book.criteria,
        cells,
        mine,
        find_agreed(year.agreed),
    )


def save_agreed(root: str | Path, changes: Mapping[tuple[str, str], tuple[str, str]]) -> list[Finding]:
    """Type agreed scores into the year's agreed-scores file: `changes` maps (unit code, criterion code) to
    (the value as typed — '' = back to the self-score — and the reason). Each value is checked as Excel's
    validation does (a number from 0 to the maximum, on the book's step; Có/Không for a disqualifier). When any
    is wrong, the findings say which and nothing is written; else the file is updated (the old one copied to
    `sao_luu/`), keeping everything else typed in it."""
    year = YearFolder(Path(root))
    result = consolidate(year.inbox, year.book, agreed_input=year.agreed)
    book = result.book
    leaves = {c.code: c for c in book.leaves}
    units = {u.unit.code: u for u in sheet_units(result)}
    problems: list[Finding] = []
    values: dict[str, dict[str, Decimal]] = {}
    reasons: dict[str, dict[str, str]] = {}
    prior = read_agreed_input(year.agreed, book)
    if prior is not None and not prior.writable:
        return list(prior.findings)
    base = prior.assessment if prior is not None else None
    for code in units:
        values[code] = dict(base.values.get(code, {})) if base else {}
        reasons[code] = dict(base.reasons.get(code, {})) if base else {}
    for (ucode, ccode), (typed, reason) in changes.items():
        u, c = units.get(ucode), leaves.get(ccode)
        where = f"{ucode}/{ccode}"
        if u is None or c is None:
            problems.append(
                Finding("agreed-unknown-cell", Severity.ERROR, year.agreed.name, f"Không có ô {where}.", "")
            )
            continue
        reason = nfc(reason)
        if reason:
            reasons[ucode][ccode] = reason
        else:
            reasons[ucode].pop(ccode, None)
        if not nfc(typed):
            values[ucode].pop(ccode, None)
            continue
        value, problem = _checked(c, typed, book)
        if problem:
            problems.append(
                Finding(
                    "agreed-bad-value",
                    Severity.ERROR,
                    year.agreed.name,
                    f"{u.unit.name}, {c.code}: {problem}",
                    _fix(c, book),
                    ASSESSED_SHEET,
                    "",
                    ucode,
                    u.unit.name,
                )
            )
            continue
        assert value is not None
        values[ucode][ccode] = value
    if problems:
        return problems
    a = Assessment(year.agreed.name, values, reasons, units=frozenset(u.code for u in book.units))
    new = consolidate(year.inbox, year.book, assessed=a, agreed_input=year.agreed)
    notes = keep_agreed_input(year.agreed, new, prior)
    saved = f"Đã lưu {len(changes)} ô vào {year.agreed.name}."
    return [*notes, Finding("agreed-saved", Severity.INFO, year.agreed.name, saved, "")]


def _checked(c: Criterion, typed: str, book: Book) -> tuple[Decimal | None, str]:
    """A value typed in the page, checked as the sheet's validation checks it: (value, '') or (None, problem)."""
    if c.kind is Kind.DISQUALIFIER:
        yes = yes_no(typed)
        return (None, f"'{typed}' không phải '{YES}' hoặc '{NO}'.") if yes is None else (Decimal(int(yes)), "")
    value, _how, problem = validate_score(c, typed, book.step)
    words = {
        MISSING: "chưa có điểm.",
        NOT_NUMBER: f"'{typed}' không phải là số.",
        NEGATIVE: "điểm âm.",
        ABOVE_MAX: f"lớn hơn điểm tối đa {vn_number(c.max_points)}.",
        OFF_STEP: f"không theo bước điểm {vn_number(book.step)}.",
    }
    return (None, words[problem]) if problem in words else (value, "")


def _fix(c: Criterion, book: Book) -> str:
    if c.kind is Kind.DISQUALIFIER:
        return f"Chọn {YES} hoặc {NO}."
    return f"Ghi một số từ 0 đến {vn_number(c.max_points)}, bước {vn_number(book.step)} (ví dụ 8,5)."
