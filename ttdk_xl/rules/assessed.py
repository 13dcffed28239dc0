"""Agreed scores (điểm thẩm định): the editable `Thẩm định` sheet of tong_hop.xlsx, read back and applied.

At the conference the members agree the scores; the office types the agreed score over the pre-filled
self-score in `Thẩm định` (with a reason) and runs `ttdk-xl consolidate INBOX --tham-dinh tong_hop.xlsx`.
The agreed score counts where present (DESIGN §3.1); every change is listed.

The sheet's layout is in core.layout (ASSESSED_*: the same constants drive the writer and the reader): a title
block, a row naming each unit over its three columns, the header row, then one row per criterion in book order
(groups are formula subtotals) and the totals. The reader finds everything by its header text and unit code,
so moved or re-saved sheets still read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from ttdk_xl.book.load import to_decimal
from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.failures import must_propagate
from ttdk_xl.core.layout import (
    ASSESSED_CHANGES_SHEET,
    ASSESSED_FIRST_ROW,
    ASSESSED_FIRST_UNIT_COL,
    ASSESSED_H_AGREED,
    ASSESSED_H_REASON,
    ASSESSED_H_SELF,
    ASSESSED_HEADER_ROW,
    ASSESSED_SHEET,
    ASSESSED_UNIT_ROW,
    H_CODE,
    H_MAX,
    H_TEXT,
    NO,
    SUMMARY_HEADER_ROW,
    YES,
    cell_name,
    col_letter,
)
from ttdk_xl.core.models import (
    Book,
    Criterion,
    Finding,
    Kind,
    Result,
    ScoreChange,
    Severity,
    Submission,
    Unit,
    UnitResult,
)
from ttdk_xl.core.rowfit import fit_height, text_lines
from ttdk_xl.core.text import code_text, header_key, nfc, plain, vn_number
from ttdk_xl.core.units import match_unit
from ttdk_xl.rules.score import compute_totals
from ttdk_xl.rules.values import (
    ABOVE_MAX,
    MISSING,
    NEGATIVE,
    NOT_NUMBER,
    OFF_STEP,
    parse_score,
    round_to_step,
    validate_score,
    yes_no,
)

TOTAL_LABEL = "TỔNG ĐIỂM"
DIFF_LABEL = "Chênh lệch (thẩm định − tự chấm)"
# Fills of the sheet's cells: the agreed score typed at the conference (a yellow that stays visible printed and
# in LibreOffice), its reason, and an agreed score that differs from the self-score (conditional format).
AGREED_FILL, REASON_FILL, CHANGED_FILL = "#FFE699", "#FFF2CC", "#F8CBAD"
MAX_UNITS = 500  # 3 columns per unit; a conference has far fewer units (beyond this: no `Thẩm định` sheet)
CHANGES_HEADERS = (
    "STT",
    "Mã đơn vị",
    "Đơn vị",
    "Mã tiêu chí",
    "Nội dung tiêu chí",
    "Tự chấm",
    "Thẩm định",
    "Chênh lệch",
    "Lý do điều chỉnh",
)
TOTALS_HEADERS = (
    "STT",
    "Mã đơn vị",
    "Đơn vị",
    "Tổng tự chấm",
    "Tổng thẩm định",
    "Chênh lệch",
    "Điểm trừ do chênh lệch",
)

E, W = Severity.ERROR, Severity.WARNING
ZERO = Decimal(0)
ONE = Decimal(1)


class AssessedError(TtdkError):
    """The workbook given with --tham-dinh cannot be used at all."""


@dataclass(frozen=True)
class Assessment:
    """What the `Thẩm định` sheet says: agreed scores and reasons per unit, and its problems."""

    file: str
    values: dict[str, dict[str, Decimal]]  # unit code → leaf code → agreed (disqualifier: 1 = Có, 0 = Không)
    reasons: dict[str, dict[str, str]]  # unit code → leaf code → reason typed
    findings: tuple[Finding, ...] = ()
    blocked: frozenset[str] = frozenset()  # units with a blocking problem in their columns
    units: frozenset[str] = frozenset()  # units that have a column
    rows_missing: bool = False  # a criterion row is gone: every unit is blocked
    reason_cells: dict[str, dict[str, str]] = field(default_factory=dict)  # unit → leaf → cell of its reason
    # unit → leaves whose agreed cell was left blank (read as 0 or Không): nobody typed an agreed score there
    blank: dict[str, frozenset[str]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- reading


def read_assessed(path: str | Path, book: Book, typed_only: bool = False) -> Assessment:
    """Read the `Thẩm định` sheet of `path` against the book. Cell problems are findings; an unusable
    file raises AssessedError (a Vietnamese message saying what to do). `typed_only`: see parse_sheet."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    name = path.name
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet = next((s for s in wb.sheet_names if header_key(s) == header_key(ASSESSED_SHEET)), None)
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False) if sheet else None
    except BaseException as exc:  # calamine raises many types for broken files
        if must_propagate(exc):
            raise
        raise AssessedError(
            f"Không đọc được tệp thẩm định '{name}' ({type(exc).__name__}). Cách sửa: chỉ ra tệp tong_hop.xlsx do "
            "ttdk-xl tạo (đã sửa điểm ở trang 'Thẩm định'), lưu dạng .xlsx và đóng tệp trước khi chạy."
        ) from exc
    if rows is None or sheet is None:
        raise AssessedError(
            f"Tệp '{name}' không có trang '{ASSESSED_SHEET}'. Cách sửa: chạy ttdk-xl consolidate (không kèm "
            f"--tham-dinh) để có tong_hop.xlsx mới với trang '{ASSESSED_SHEET}', nhập điểm thẩm định vào đó rồi "
            "chạy lại."
        )
    return parse_sheet(rows, book, name, sheet, typed_only=typed_only)


def parse_sheet(
    rows: list[list[Any]], book: Book, file: str, sheet: str = ASSESSED_SHEET, typed_only: bool = False
) -> Assessment:
    """Pure: the sheet's rows (row i = Excel row i+1) → Assessment.

    `typed_only` (the year folder's own tham_dinh.xlsx, which the tool keeps up to date): only what a person
    typed counts — an agreed cell left blank or still equal to the self-score shown beside it (with no reason)
    follows the unit's current self-score; a unit without columns or a criterion without a row is not an error
    (the next run adds them)."""
    findings: list[Finding] = []
    blocked: set[str] = set()

    def add(
        code: str,
        sev: Severity,
        msg: str,
        fix: str,
        row: int | None = None,
        col: int | None = None,
        unit: Unit | None = None,
    ) -> None:
        cell = cell_name(row, col) if row is not None and col is not None else ""
        u_code, u_name = (unit.code, unit.name) if unit is not None else ("", "")
        findings.append(Finding(code, sev, file, msg, fix, sheet, cell, u_code, u_name))
        if sev is E and unit is not None:
            blocked.add(unit.code)

    header = None
    for i, row in enumerate(rows[:40]):
        keys = [header_key(v) for v in row]
        if header_key(H_CODE) in keys and header_key(ASSESSED_H_AGREED) in keys:
            header = i
            break
    if header is None or header == 0:
        raise AssessedError(
            f"Trang '{sheet}' của tệp '{file}' không còn dòng tiêu đề ('{H_CODE}', '{ASSESSED_H_AGREED}'). "
            "Cách sửa: dùng tong_hop.xlsx mới do ttdk-xl tạo; không xóa các dòng tiêu đề của trang."
        )
    head = rows[header]
    keys = [header_key(v) for v in head]
    code_col = keys.index(header_key(H_CODE))

    # Units: the row above the header names each unit once, over its columns.
    above = rows[header - 1]
    starts: list[tuple[int, str]] = []
    for col in range(code_col + 1, len(above)):
        text = nfc(above[col])
        if text:
            starts.append((col, text))
    columns: dict[str, tuple[int, int | None]] = {}  # unit code → (agreed col, reason col)
    for n, (col, text) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(head)
        unit = _column_unit(book, text)
        if unit is None:
            add(
                "assessed-unit-unknown",
                W,
                f"Tiêu đề cột '{text}' không phải đơn vị nào của Cụm; các cột này bị bỏ qua.",
                "Không sửa tiêu đề đơn vị; nếu cần, chép lại tiêu đề từ tong_hop.xlsx mới.",
                header - 1,
                col,
            )
            continue
        span = [keys[c] if c < len(keys) else "" for c in range(col, end)]
        agreed = col + span.index(header_key(ASSESSED_H_AGREED)) if header_key(ASSESSED_H_AGREED) in span else None
        reason = col + span.index(header_key(ASSESSED_H_REASON)) if header_key(ASSESSED_H_REASON) in span else None
        if unit.code in columns:
            add(
                "assessed-unit-duplicate",
                E,
                f"Đơn vị {unit.name} có hai nhóm cột trong trang; không biết dùng điểm nào.",
                "Xóa nhóm cột thừa (giữ lại một nhóm cột của đơn vị) rồi chạy lại.",
                header - 1,
                col,
                unit,
            )
            continue
        if agreed is None:
            add(
                "assessed-column-missing",
                E,
                f"Không còn cột '{ASSESSED_H_AGREED}' của đơn vị {unit.name} (cột bị xóa hoặc đổi tiêu đề).",
                f"Khôi phục cột '{ASSESSED_H_AGREED}' dưới tên đơn vị (chép từ tong_hop.xlsx mới) rồi chạy lại.",
                header,
                col,
                unit,
            )
            columns[unit.code] = (-1, reason)
            continue
        columns[unit.code] = (agreed, reason)

    # Criterion rows by their code in the `Mã` column.
    leaves = {c.code: c for c in book.leaves}
    row_of: dict[str, int] = {}
    for i in range(header + 1, len(rows)):
        row = rows[i]
        code = code_text(row[code_col]) if code_col < len(row) else ""
        if code in leaves and code not in row_of:
            row_of[code] = i
    rows_missing = False
    for code, c in leaves.items():
        if code not in row_of and typed_only:
            add(
                "assessed-row-missing",
                W,
                f"Không còn dòng tiêu chí {code} ({c.text}) trong trang (dòng bị xóa hoặc sửa mã): tiêu chí này "
                "tính theo điểm tự chấm.",
                "Không cần làm gì: ttdk-xl đã thêm lại dòng này vào tệp; nếu Hội nghị đã thống nhất điểm khác, "
                f"nhập lại ở dòng {code}.",
            )
        elif code not in row_of:
            rows_missing = True
            add(
                "assessed-row-missing",
                E,
                f"Không còn dòng tiêu chí {code} ({c.text}) trong trang (dòng bị xóa hoặc sửa mã).",
                f"Khôi phục dòng {code} (chép từ tong_hop.xlsx mới) rồi chạy lại; không xóa hay sửa cột '{H_CODE}'.",
            )

    values: dict[str, dict[str, Decimal]] = {}
    reasons: dict[str, dict[str, str]] = {}
    reason_cells: dict[str, dict[str, str]] = {}
    blank: dict[str, frozenset[str]] = {}
    for ucode, (acol, rcol) in columns.items():
        unit = book.unit(ucode)
        vals: dict[str, Decimal] = {}
        why: dict[str, str] = {}
        where = reason_cells[ucode] = {}
        empty: set[str] = set()
        for code, r in row_of.items():
            row = rows[r]
            where[code] = cell_name(r, rcol) if rcol is not None else cell_name(r, max(acol, 0))
            if rcol is not None and rcol < len(row) and nfc(row[rcol]):
                why[code] = nfc(row[rcol])
            if acol < 0:
                continue
            raw = row[acol] if acol < len(row) else None
            if typed_only and _untouched(raw, row[acol - 1] if 0 < acol <= len(row) else None, code in why):
                continue
            if not nfc(raw):
                empty.add(code)
            value = _check_cell(leaves[code], raw, book, partial(add, row=r, col=acol, unit=unit))
            if value is not None:
                vals[code] = value
        values[ucode] = vals
        reasons[ucode] = why
        blank[ucode] = frozenset(empty)
    if typed_only:  # a unit without columns (sent late, or its columns deleted) keeps its self-scores
        columns.update({u.code: (-1, None) for u in book.units if u.code not in columns})
    return Assessment(
        file,
        values,
        reasons,
        tuple(findings),
        frozenset(blocked),
        frozenset(columns),
        rows_missing=rows_missing,
        reason_cells=reason_cells,
        blank=blank,
    )


def _untouched(agreed: object, shown_self: object, has_reason: bool) -> bool:
    """An agreed cell nobody typed in: blank, or still the self-score shown beside it, with no reason."""
    if not nfc(agreed):
        return True
    if has_reason:
        return False
    a, b = to_decimal(agreed), to_decimal(shown_self)
    if a is not None and b is not None:
        return a == b
    return header_key(agreed) == header_key(shown_self)


def unit_of_title(book: Book, text: str) -> str | None:
    """The code of the unit a column title names, or None."""
    unit = _column_unit(book, text)
    return unit.code if unit is not None else None


def _column_unit(book: Book, text: str) -> Unit | None:
    """The unit a column title names: 'UBND huyện Triệu Sơn (TSN)' by its code in brackets, else by its name."""
    m = re.search(r"\(([^()]+)\)\s*$", text)
    return (book.unit(m.group(1).strip()) if m else None) or match_unit(book, re.sub(r"\s*\([^()]*\)\s*$", "", text))


_AddFinding = Callable[[str, Severity, str, str], None]  # (code, severity, message, fix) of a cell's finding


def _check_cell(c: Criterion, raw: object, book: Book, add: _AddFinding) -> Decimal | None:
    """One agreed cell → its value, or None (with a finding) when it cannot be used."""
    shown = nfc(raw)
    if c.kind is Kind.DISQUALIFIER:
        yes = yes_no(raw)
        if yes is not None:
            return ONE if yes else ZERO
        add(
            "assessed-not-yes-no",
            E,
            f"Điểm liệt {c.code}: '{shown}' không phải '{YES}' hoặc '{NO}'.",
            f"Chọn '{YES}' hoặc '{NO}' (để trống là {NO}).",
        )
        return None
    value, how, problem = validate_score(c, raw, book.step)
    if problem == MISSING:
        add(
            "assessed-missing",
            E,
            f"Ô điểm thẩm định tiêu chí {c.code} bị để trống.",
            "Ghi điểm thẩm định (ghi 0 nếu tiêu chí không đạt), hoặc ghi lại điểm tự chấm nếu không điều chỉnh.",
        )
        return None
    if problem == NOT_NUMBER:
        add(
            "assessed-not-number",
            E,
            f"Điểm thẩm định tiêu chí {c.code}: '{shown}' không phải là số.",
            f"Ghi một số từ 0 đến {vn_number(c.max_points)} (ví dụ 8,5).",
        )
        return None
    assert value is not None
    if problem == NEGATIVE:
        add(
            "assessed-negative",
            E,
            f"Điểm thẩm định tiêu chí {c.code} là số âm ({vn_number(value)}).",
            "Ghi số không âm (điểm trừ ghi số dương, ví dụ 2).",
        )
        return None
    if problem == ABOVE_MAX:
        add(
            "assessed-above-max",
            E,
            f"Điểm thẩm định tiêu chí {c.code} ({vn_number(value)}) lớn hơn điểm tối đa {vn_number(c.max_points)}.",
            f"Ghi điểm từ 0 đến {vn_number(c.max_points)}.",
        )
        return None
    if problem == OFF_STEP:
        add(
            "assessed-off-step",
            E,
            f"Điểm thẩm định tiêu chí {c.code} ({vn_number(value)}) không theo bước điểm {vn_number(book.step)}.",
            f"Làm tròn theo bước {vn_number(book.step)} (ví dụ {vn_number(round_to_step(value, book.step))}).",
        )
        return None
    if how:
        add(
            "assessed-text-number",
            W,
            f"Điểm thẩm định tiêu chí {c.code} được gõ dạng chữ '{shown}', đọc là {vn_number(value)}.",
            "Kiểm tra lại; lần sau gõ số (không kèm chữ).",
        )
    return value


# ---------------------------------------------------------------------------------------------- applying


@dataclass
class Applied:
    """The chosen submissions with agreed scores on top, and what changed."""

    chosen: dict[str, Submission]
    notes: dict[str, list[str]] = field(default_factory=dict)
    extra_penalty: dict[str, Decimal] = field(default_factory=dict)
    changes: list[ScoreChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    self_subs: dict[str, Submission] = field(default_factory=dict)
    self_totals: dict[str, Decimal] = field(default_factory=dict)
    # A unit's error on a score cell → the same finding as a note: an agreed score was typed over that cell
    settled: dict[Finding, Finding] = field(default_factory=dict)


def apply_assessment(book: Book, chosen: Mapping[str, Submission], a: Assessment) -> Applied:
    """Pure: put the agreed scores over the self-scores of the chosen submissions."""

    out = Applied(chosen=dict(chosen), findings=list(a.findings))
    out.blocked = {code for code in a.blocked if code in chosen}
    leaves = {c.code: c for c in book.leaves}
    for u in book.units:
        sub = chosen.get(u.code)
        if sub is None:
            continue
        agreed = a.values.get(u.code, {})
        blank = a.blank.get(u.code, frozenset())
        errors = _cell_errors(sub) if sub.blocking else {}
        # The cells whose error an agreed score settles (typed over them, not left blank): what the unit typed.
        typed = {code: sub.entries.get(code, (None, ""))[0] for code in errors if code in agreed and code not in blank}
        own = _with_typed(sub, typed, leaves)  # the self-scores as typed: 45 counts as 45 in the self-score total
        out.self_subs[u.code] = own
        self_t = compute_totals(book, own.scores, own.disqualified)
        out.self_totals[u.code] = self_t.total
        if u.code not in a.units:
            out.findings.append(
                Finding(
                    "assessed-unit-missing",
                    E,
                    a.file,
                    f"Trang '{ASSESSED_SHEET}' không có cột của đơn vị {u.name} (cột bị xóa, hoặc đơn vị nộp "
                    "sau khi tạo tệp): chưa có điểm thẩm định của đơn vị.",
                    f"Chép nhóm cột của đơn vị từ tong_hop.xlsx mới (ttdk-xl consolidate không kèm --tham-dinh) vào "
                    f"trang '{ASSESSED_SHEET}', nhập điểm thẩm định rồi chạy lại.",
                    ASSESSED_SHEET,
                    f"{ASSESSED_UNIT_ROW + 1}:{ASSESSED_HEADER_ROW + 1}",
                    u.code,
                    u.name,
                )
            )
            out.blocked.add(u.code)
            continue
        if a.rows_missing:
            out.blocked.add(u.code)
        reasons = a.reasons.get(u.code, {})
        scores = dict(sub.scores)
        dq = dict(sub.disqualified)
        settled: dict[Finding, Finding] = {}
        for code, value in agreed.items():
            c = leaves[code]
            before: Decimal | None
            if code in typed:
                # An agreed score typed over a cell the unit got wrong settles that cell's error: the conference
                # has decided the score. The finding stays, as a note; the change shows what the unit typed.
                if c.kind is Kind.DISQUALIFIER:
                    dq[code] = value == ONE
                else:
                    scores[code] = value
                shown = _typed(typed[code])
                out.changes.append(ScoreChange(u.code, u.name, code, None, value, reasons.get(code, ""), shown))
                for f in errors[code]:
                    settled[f] = _settled(f, c, value)
                continue
            if c.kind is Kind.DISQUALIFIER:
                before = ONE if sub.disqualified.get(code) else ZERO
                dq[code] = value == ONE
                if value != before:
                    out.changes.append(ScoreChange(u.code, u.name, code, before, value, reasons.get(code, "")))
                continue
            before = sub.scores.get(code)
            if value == ZERO and before is None and c.kind is not Kind.SCORED:
                continue  # blank bonus/penalty stays blank
            scores[code] = value
            if before is None and c.kind is not Kind.SCORED:
                changed = value != ZERO
            else:
                changed = before != value
            if changed:
                out.changes.append(ScoreChange(u.code, u.name, code, before, value, reasons.get(code, "")))
        findings = tuple(settled.get(f, f) for f in sub.findings) if settled else sub.findings
        out.chosen[u.code] = replace(sub, scores=scores, disqualified=dq, findings=findings)
        out.settled.update(settled)
        unit_changes = [ch for ch in out.changes if ch.unit_code == u.code]
        agreed_t = compute_totals(book, scores, dq)
        for ch in unit_changes:
            if not ch.reason:
                out.findings.append(
                    Finding(
                        "assessed-no-reason",
                        W,
                        a.file,
                        f"Điểm thẩm định tiêu chí {ch.code} khác điểm tự chấm ({_shown_self(leaves[ch.code], ch)} "
                        f"→ {_show(leaves[ch.code], ch.agreed)}) nhưng chưa ghi lý do.",
                        f"Ghi lý do điều chỉnh vào cột '{ASSESSED_H_REASON}' của đơn vị.",
                        ASSESSED_SHEET,
                        a.reason_cells.get(u.code, {}).get(ch.code, ""),
                        u.code,
                        u.name,
                    )
                )
        if unit_changes:
            out.notes.setdefault(u.code, []).append(
                f"Điểm thẩm định: điều chỉnh {len(unit_changes)} tiêu chí "
                f"({', '.join(ch.code for ch in unit_changes)}); tổng tự chấm {vn_number(self_t.total)}, "
                f"tổng thẩm định {vn_number(agreed_t.total)}."
            )
        diff = abs(self_t.total - agreed_t.total)
        if book.deviation_margin is not None and book.deviation_penalty and diff > book.deviation_margin:
            out.extra_penalty[u.code] = book.deviation_penalty
            out.notes.setdefault(u.code, []).append(
                f"Tự chấm chênh lệch {vn_number(diff)} điểm so với kết quả thẩm định (quá "
                f"{vn_number(book.deviation_margin)} điểm): trừ {vn_number(book.deviation_penalty)} điểm."
            )
        if u.code in out.blocked:
            out.notes.setdefault(u.code, []).append(
                f"Trang '{ASSESSED_SHEET}' có lỗi ở điểm thẩm định của đơn vị (xem trang 'Kiểm tra')."
            )
    return out


# The errors of a unit's score cell (the `Điểm tự chấm` column): an agreed score typed over the cell settles them.
SCORE_CELL_ERRORS = frozenset(
    {
        "score-missing",
        "score-not-number",
        "score-negative",
        "score-above-max",
        "score-off-step",
        "formula-no-value",
        "excel-error",
        "disqualifier-invalid",
    }
)
SETTLED_PREFIX = "Đã được Hội nghị thẩm định: "


def _cell_errors(sub: Submission) -> dict[str, list[Finding]]:
    """Criterion code → the blocking findings on its score cell (found by the cell's row)."""
    out: dict[str, list[Finding]] = {}
    for f in sub.findings:
        if f.blocking and f.code in SCORE_CELL_ERRORS:
            m = re.fullmatch(r"[A-Z]+([0-9]+)", f.cell)
            code = sub.row_codes.get(int(m.group(1))) if m else None
            if code is not None:
                out.setdefault(code, []).append(f)
    return out


def _settled(f: Finding, c: Criterion, agreed: Decimal) -> Finding:
    """The unit's error on a cell the conference gave an agreed score: kept, as a note that says so."""
    return replace(
        f,
        severity=Severity.INFO,
        message=f"{SETTLED_PREFIX}{f.message} Điểm được tính là điểm thẩm định: {_show(c, agreed)}.",
        fix=f"Không cần sửa: điểm thẩm định ở trang '{ASSESSED_SHEET}' thay cho ô này.",
    )


def _with_typed(sub: Submission, typed: Mapping[str, object], leaves: Mapping[str, Criterion]) -> Submission:
    """The unit's self-scores with each settled cell as typed, when it reads as a number (45 over a max of 40):
    the self-score total is what the unit claimed."""
    scores = dict(sub.scores)
    for code, value in typed.items():
        number, _how = parse_score(value)
        if leaves[code].kind is not Kind.DISQUALIFIER and number is not None and number.is_finite():
            scores[code] = number
    return replace(sub, scores=scores) if scores != sub.scores else sub


def _typed(value: object) -> str:
    """What a unit typed in a score cell, as it reads: '9' (also for '9 điểm'), or the text as typed."""
    if isinstance(value, bool):
        return nfc(value)
    number, _how = parse_score(value)
    return vn_number(number) if number is not None and number.is_finite() else nfc(value)


def decorate(units: tuple[UnitResult, ...], applied: Applied, a: Assessment) -> tuple[UnitResult, ...]:
    """Add the self-scores, reasons and deviation penalty to the ranked units."""
    out = []
    for u in units:
        sub = applied.self_subs.get(u.unit.code)
        if sub is None:
            out.append(u)
            continue
        self_scores = dict(sub.scores) | {k: ONE for k, yes in sub.disqualified.items() if yes}
        out.append(
            replace(
                u,
                self_scores=self_scores,
                self_total=applied.self_totals.get(u.unit.code),
                agreed_reasons=dict(a.reasons.get(u.unit.code, {})),
                deviation_penalty=applied.extra_penalty.get(u.unit.code),
            )
        )
    return tuple(out)


def _shown_self(c: Criterion, ch: ScoreChange) -> str:
    """A change's self-score for a message: what the unit typed when it was refused ('9'), else as _show."""
    return f"'{ch.self_typed}'" if ch.self_score is None and ch.self_typed else _show(c, ch.self_score)


def _show(c: Criterion, value: Decimal | None) -> str:
    if c.kind is Kind.DISQUALIFIER:
        return YES if value == ONE else NO
    return "trống" if value is None else vn_number(value)


# ---------------------------------------------------------------------------------------------- writing


def sheet_units(result: Result) -> list[UnitResult]:
    """Units that get columns in `Thẩm định`: those with scores, in book order."""
    by_code = {u.unit.code: u for u in result.units if u.total is not None}
    return [by_code[u.code] for u in result.book.units if u.code in by_code]


class Styles(Protocol):
    """The summary writer's cached formats (outputs.summary._Styles); formats are xlsxwriter's (untyped)."""

    @property
    def wb(self) -> Any: ...  # the xlsxwriter Workbook

    def __call__(self, cell: bool = True, **props: Any) -> Any: ...

    def header(self) -> Any: ...


class SheetWriter(Protocol):
    """What the summary writer (outputs.summary._Writer) offers the sheets written here: a Protocol, since
    rules may not import outputs. Worksheets are xlsxwriter's (untyped)."""

    @property
    def result(self) -> Result: ...

    @property
    def book(self) -> Book: ...

    @property
    def s(self) -> Styles: ...

    def sheet(self, name: str, widths: Iterable[float], fit_width: bool = True) -> Any: ...

    def title(self, ws: Any, ncols: int, title: str, note: str = "", warn: bool = False) -> None: ...

    def headers(self, ws: Any, headers: Iterable[str], height: float = 30) -> None: ...

    def fit(self, ws: Any, r: int, cells: dict[int, str], minimum: float = 0) -> None: ...

    def number(self, ws: Any, r: int, c: int, value: Decimal | None, fmt: Any) -> None: ...

    def finish_table(self, ws: Any, ncols: int, last_row: int, freeze_cols: int = 0) -> None: ...

    def empty_row(self, ws: Any, r: int, ncols: int, text: str) -> None: ...


def write_sheets(w: SheetWriter) -> None:
    """Write `Thẩm định` (and `Điểm điều chỉnh` when agreed scores were applied) with the summary writer `w`.

    In a year folder the agreed scores are typed in a file of their own (Result.agreed_input): no input sheet here.
    """
    units = sheet_units(w.result)
    if len(units) <= MAX_UNITS and not w.result.agreed_input:
        _write_assessed(w, units)
    if w.result.assessed_file:
        _write_changes(w)


def write_input_sheet(w: SheetWriter) -> None:
    """Write the `Thẩm định` input sheet alone (the year folder's tham_dinh.xlsx)."""
    _write_assessed(w, sheet_units(w.result))


def _self_of(u: UnitResult) -> dict[str, Decimal]:
    return u.self_scores if u.self_total is not None or u.self_scores else u.scores


def _write_assessed(w: SheetWriter, units: list[UnitResult]) -> None:
    book: Book = w.book
    s = w.s
    widths = [6.0, 34.0, 7.5] + [7.5, 8.5, 17.0] * len(units)
    ws = w.sheet(ASSESSED_SHEET, widths, fit_width=len(units) <= 4)
    note = (
        f"Ô nền vàng: sửa điểm ở cột '{ASSESSED_H_AGREED}' khi Hội nghị thống nhất khác điểm tự chấm, ghi lý do ở cột "
        f"'{ASSESSED_H_REASON}'; lưu tệp rồi chạy: ttdk-xl consolidate <hộp thư> --tham-dinh <tệp này>. "
        "Ô nền cam: điểm khác điểm tự chấm; ô nền đỏ: điểm không hợp lệ."
    )
    if w.result.agreed_input:
        note = (
            f"Ô nền vàng: sửa điểm ở cột '{ASSESSED_H_AGREED}' khi Hội nghị thống nhất khác điểm tự chấm, ghi lý do ở "
            f"cột '{ASSESSED_H_REASON}'; lưu tệp (dạng .xlsx) rồi chạy lại: ttdk-xl consolidate. Ô để nguyên bằng điểm "
            "tự chấm thì tính theo điểm tự chấm. Ô nền cam: điểm khác điểm tự chấm; ô nền đỏ: điểm không hợp lệ."
        )
    elif w.result.assessed_file:
        note = f"Đang dùng điểm thẩm định từ '{w.result.assessed_file}'. " + note
    w.title(ws, 0, f"THẨM ĐỊNH ĐIỂM THI ĐUA NĂM {book.year}", "")
    # The note wraps over the whole width when the sheet prints one page wide, else over the criteria's columns
    # that every page repeats (a merged cell cut by a page's edge would lose its end).
    span = len(widths) if len(units) <= 4 else ASSESSED_FIRST_UNIT_COL
    ws.set_row(2, fit_height(text_lines(note, sum(widths[:span]), 11), 11))
    ws.merge_range(2, 0, 2, span - 1, note, s(cell=False, italic=True, font_color="#404040", text_wrap=True))
    header = s.header()
    grey = {"bg_color": "#F2F2F2"}
    # Row 3: unit names over their three columns.
    ws.set_row(ASSESSED_UNIT_ROW, 32)
    for c in range(ASSESSED_FIRST_UNIT_COL):
        ws.write_blank(ASSESSED_UNIT_ROW, c, None, header)
    for i, u in enumerate(units):
        c = ASSESSED_FIRST_UNIT_COL + 3 * i
        ws.merge_range(ASSESSED_UNIT_ROW, c, ASSESSED_UNIT_ROW, c + 2, f"{u.unit.name} ({u.unit.code})", header)
    ws.set_row(ASSESSED_HEADER_ROW, 30)
    for c, text in enumerate((H_CODE, H_TEXT, H_MAX)):
        ws.write_string(ASSESSED_HEADER_ROW, c, text, header)
    for i in range(len(units)):
        c = ASSESSED_FIRST_UNIT_COL + 3 * i
        ws.write_string(ASSESSED_HEADER_ROW, c, ASSESSED_H_SELF, header)
        ws.write_string(ASSESSED_HEADER_ROW, c + 1, ASSESSED_H_AGREED, header)
        ws.write_string(ASSESSED_HEADER_ROW, c + 2, ASSESSED_H_REASON, header)

    row_of = {c.code: ASSESSED_FIRST_ROW + i for i, c in enumerate(book.criteria)}
    selfs = [_self_of(u) for u in units]
    agreed_totals = [compute_totals(book, _numeric(book, u.scores), _dq(book, u.scores)) for u in units]
    self_totals = [compute_totals(book, _numeric(book, sv), _dq(book, sv)) for sv in selfs]
    step = plain(book.step)
    input_num = s(locked=False, bg_color=AGREED_FILL, align="center", num_format="General")
    input_text = s(locked=False, bg_color=AGREED_FILL, align="center")
    reason_fmt = s(locked=False, text_wrap=True, font_size=10, bg_color=REASON_FILL)
    for crit in book.criteria:
        r = row_of[crit.code]
        group = crit.is_group
        props: dict[str, Any] = dict(bold=True, **grey) if group else {}
        w.fit(ws, r, {1: crit.text})
        ws.write_string(r, 0, crit.code, s(align="center", **props))
        ws.write_string(r, 1, crit.text, s(text_wrap=True, **props))
        if crit.kind is Kind.DISQUALIFIER:
            ws.write_string(r, 2, "Điểm liệt", s(align="center", font_size=9, **props))
        else:
            ws.write_number(r, 2, float(crit.max_points), s(align="center", num_format="General", **props))
        for i, u in enumerate(units):
            c = ASSESSED_FIRST_UNIT_COL + 3 * i
            if group:
                kids = ",".join(f"{col_letter(c + 1)}{row_of[k.code] + 1}" for k in book.children(crit.code))
                self_sum = self_totals[i].groups.get(crit.code, ZERO)
                ws.write_number(r, c, float(self_sum), s(align="center", num_format="General", **props))
                cached = agreed_totals[i].groups.get(crit.code, ZERO)
                ws.write_formula(
                    r, c + 1, f"=SUM({kids})", s(align="center", num_format="General", **props), float(cached)
                )
                ws.write_blank(r, c + 2, None, s(**props))
                continue
            self_fmt = s(align="center", num_format="General", font_color="#595959")
            _write_value(ws, r, c, crit, selfs[i].get(crit.code), self_fmt, self_fmt)
            _write_value(ws, r, c + 1, crit, u.scores.get(crit.code), input_num, input_text)
            reason = u.agreed_reasons.get(crit.code, "")
            if reason:
                ws.write_string(r, c + 2, reason, reason_fmt)
            else:
                ws.write_blank(r, c + 2, None, reason_fmt)
    # Totals: the agreed total by formula (before any deviation penalty), and the difference.
    last = ASSESSED_FIRST_ROW + len(book.criteria) - 1
    total_row, diff_row = last + 1, last + 2
    bold_num = s(bold=True, align="center", num_format="General", bg_color="#D9E1F2")
    label = s(bold=True, bg_color="#D9E1F2")
    ws.write_blank(total_row, 0, None, label)
    ws.write_string(total_row, 1, TOTAL_LABEL, label)
    ws.write_blank(total_row, 2, None, label)
    for i in range(len(units)):
        c = ASSESSED_FIRST_UNIT_COL + 3 * i
        ws.write_number(total_row, c, float(self_totals[i].total), bold_num)
        ws.write_formula(total_row, c + 1, _total_formula(book, c + 1, row_of), bold_num, float(agreed_totals[i].total))
        ws.write_blank(total_row, c + 2, None, label)
    ws.write_blank(diff_row, 0, None, s())
    ws.write_string(diff_row, 1, DIFF_LABEL, s(italic=True))
    ws.write_blank(diff_row, 2, None, s())
    for i in range(len(units)):
        c = ASSESSED_FIRST_UNIT_COL + 3 * i
        a, b = f"{col_letter(c + 1)}{total_row + 1}", f"{col_letter(c)}{total_row + 1}"
        diff = agreed_totals[i].total - self_totals[i].total
        ws.write_blank(diff_row, c, None, s())
        ws.write_formula(diff_row, c + 1, f"={a}-{b}", s(align="center", num_format="+0.##;-0.##;0"), float(diff))
        ws.write_blank(diff_row, c + 2, None, s())

    # Validation and colouring: one rule per run of rows of one kind, over every unit's `Thẩm định` column
    # (a multi-range with references relative to its first cell), so the sheet stays small for many units.
    red, amber = (
        w.s.wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        w.s.wb.add_format({"bg_color": CHANGED_FILL, "font_color": "#833C0B", "bold": True}),
    )
    if not units:
        ws.protect("", {"format_columns": True, "format_rows": True})
        return
    cols = [ASSESSED_FIRST_UNIT_COL + 3 * i + 1 for i in range(len(units))]
    letter, self_letter = col_letter(cols[0]), col_letter(cols[0] - 1)

    def multi(first: int, end: int) -> str:
        return " ".join(f"{col_letter(c)}{first + 1}:{col_letter(c)}{end + 1}" for c in cols)

    for first, end, kind in _runs(book, row_of):
        options: dict[str, object]
        if kind is Kind.DISQUALIFIER:
            options = {
                "validate": "list",
                "source": [YES, NO],
                "input_title": "Điểm liệt",
                "input_message": f"Chọn {YES} hoặc {NO} theo kết luận của Hội nghị.",
            }
        else:
            cell = f"{letter}{first + 1}"
            options = {
                "validate": "custom",
                "value": f"=AND(ISNUMBER({cell}),{cell}>=0,{cell}<=$C{first + 1},"
                f"ABS({cell}/{step}-ROUND({cell}/{step},0))<0.000001)",
                "ignore_blank": True,
                "input_title": "Điểm thẩm định",
                "input_message": f"Điểm Hội nghị thống nhất: từ 0 đến điểm tối đa, bước {vn_number(book.step)}.",
                "error_title": "Điểm không hợp lệ",
                "error_message": f"Điểm phải là số từ 0 đến điểm tối đa, bước {vn_number(book.step)}.",
            }
        ws.data_validation(first, cols[0], end, cols[0], {**options, "multi_range": multi(first, end)})
    top, top_max = f"{letter}{ASSESSED_FIRST_ROW + 1}", f"$C{ASSESSED_FIRST_ROW + 1}"
    bad = (
        f'=AND(ISNUMBER({top_max}),{top}<>"",OR(NOT(ISNUMBER({top})),{top}<0,{top}>{top_max},'
        f"ABS({top}/{step}-ROUND({top}/{step},0))>0.000001))"
    )
    rng = multi(ASSESSED_FIRST_ROW, last)
    ws.conditional_format(
        ASSESSED_FIRST_ROW,
        cols[0],
        last,
        cols[0],
        {"type": "formula", "criteria": bad, "format": red, "stop_if_true": True, "multi_range": rng},
    )
    changed = f'=TRIM({top}&"")<>TRIM({self_letter}{ASSESSED_FIRST_ROW + 1}&"")'
    ws.conditional_format(
        ASSESSED_FIRST_ROW,
        cols[0],
        last,
        cols[0],
        {"type": "formula", "criteria": changed, "format": amber, "multi_range": rng},
    )
    if len(units) > 4:
        ws.set_print_scale(85)
        # Two units a page beside the repeated criteria: a unit's three columns never split across pages.
        ws.set_v_pagebreaks([ASSESSED_FIRST_UNIT_COL + 3 * k for k in range(2, len(units), 2)])
    ws.freeze_panes(ASSESSED_FIRST_ROW, ASSESSED_FIRST_UNIT_COL)
    ws.repeat_rows(ASSESSED_UNIT_ROW, ASSESSED_HEADER_ROW)
    ws.repeat_columns(0, ASSESSED_FIRST_UNIT_COL - 1)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _runs(book: Book, row_of: dict[str, int]) -> list[tuple[int, int, Kind]]:
    """Contiguous rows of leaves: (first row, last row, 'numeric' kind or DISQUALIFIER)."""
    runs: list[tuple[int, int, Kind]] = []
    for c in book.criteria:
        if c.is_group:
            continue
        kind = Kind.DISQUALIFIER if c.kind is Kind.DISQUALIFIER else Kind.SCORED
        r = row_of[c.code]
        if runs and runs[-1][2] is kind and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r, kind)
        else:
            runs.append((r, r, kind))
    return runs


def _write_value(ws, r: int, c: int, crit: Criterion, value: Decimal | None, num_fmt, text_fmt) -> None:
    if crit.kind is Kind.DISQUALIFIER:
        if value == ONE:
            ws.write_string(r, c, YES, text_fmt)
        else:
            ws.write_blank(r, c, None, text_fmt)
    elif value is None:
        ws.write_blank(r, c, None, num_fmt)
    else:
        ws.write_number(r, c, float(value), num_fmt)


def _total_formula(book: Book, col: int, row_of: dict[str, int]) -> str:
    letter = col_letter(col)

    def refs(kind: Kind) -> str:
        cells = [f"{letter}{row_of[c.code] + 1}" for c in book.leaves if c.kind is kind]
        return ",".join(cells) or "0"

    return f"=SUM({refs(Kind.SCORED)})+MIN(SUM({refs(Kind.BONUS)}),{plain(book.bonus_cap)})-SUM({refs(Kind.PENALTY)})"


def _numeric(book: Book, scores: dict[str, Decimal]) -> dict[str, Decimal]:
    dq = {c.code for c in book.leaves if c.kind is Kind.DISQUALIFIER}
    return {k: v for k, v in scores.items() if k not in dq}


def _dq(book: Book, scores: dict[str, Decimal]) -> dict[str, bool]:
    return {c.code: scores.get(c.code) == ONE for c in book.leaves if c.kind is Kind.DISQUALIFIER}


def _write_changes(w: SheetWriter) -> None:
    """`Điểm điều chỉnh`: every agreed score that differs from the self-score, then totals per unit."""
    result: Result = w.result
    book: Book = w.book
    s = w.s
    ncols = len(CHANGES_HEADERS)
    ws = w.sheet(ASSESSED_CHANGES_SHEET, (5, 8, 24, 8, 38, 8, 9, 9, 36))
    n = len(result.changes)
    note = f"Theo trang '{ASSESSED_SHEET}' của '{result.assessed_file}': {n} điểm được điều chỉnh."
    w.title(ws, ncols, f"CÁC ĐIỂM ĐƯỢC HỘI NGHỊ ĐIỀU CHỈNH KHI THẨM ĐỊNH NĂM {book.year}", note)
    w.headers(ws, CHANGES_HEADERS)
    r = SUMMARY_HEADER_ROW
    center = s(align="center", num_format="General")
    for i, ch in enumerate(result.changes, start=1):
        r += 1
        crit = book.criterion(ch.code)
        w.fit(ws, r, {2: ch.unit_name, 4: crit.text, 8: ch.reason})
        ws.write_number(r, 0, i, s(align="center"))
        ws.write_string(r, 1, ch.unit_code, s())
        ws.write_string(r, 2, ch.unit_name, s(text_wrap=True))
        ws.write_string(r, 3, ch.code, s(align="center"))
        ws.write_string(r, 4, crit.text, s(text_wrap=True))
        if crit.kind is Kind.DISQUALIFIER:
            ws.write_string(r, 5, ch.self_typed or _show(crit, ch.self_score), s(align="center"))
            ws.write_string(r, 6, _show(crit, ch.agreed), s(align="center", bold=True))
            ws.write_blank(r, 7, None, s())
        else:
            typed = ch.typed_number  # the self-score as the unit typed it, also when it was refused (9 over 8)
            diff = s(align="center", num_format="+0.##;-0.##;0")
            if typed is None and ch.self_typed:  # text, not a number: no difference to show
                ws.write_string(r, 5, ch.self_typed, center)
                ws.write_blank(r, 7, None, diff)
            else:
                w.number(ws, r, 5, typed, center)
                w.number(ws, r, 7, ch.agreed - (typed or ZERO), diff)
            w.number(ws, r, 6, ch.agreed, s(align="center", num_format="General", bold=True))
        ws.write_string(r, 8, ch.reason, s(text_wrap=True))
    if not result.changes:
        r += 1
        w.empty_row(ws, r, ncols, "Không có điểm nào được điều chỉnh.")
    w.finish_table(ws, ncols, r, freeze_cols=0)
    # Totals per unit, under the matching columns: self, agreed, difference, penalty for a total too far off.
    r += 2
    ws.set_row(r, 30)
    for c, text in zip((0, 1, 2, 3, 5, 6, 7, 8), (*TOTALS_HEADERS[:3], "", *TOTALS_HEADERS[3:]), strict=True):
        if c == 3:
            ws.merge_range(r, 3, r, 4, "Số tiêu chí điều chỉnh", s.header())
        else:
            ws.write_string(r, c, text, s.header())
    for i, u in enumerate((u for u in sheet_units(result) if u.self_total is not None), start=1):
        r += 1
        agreed = (u.total or ZERO) + (u.deviation_penalty or ZERO)
        ws.write_number(r, 0, i, s(align="center"))
        ws.write_string(r, 1, u.unit.code, s())
        ws.write_string(r, 2, u.unit.name, s(text_wrap=True))
        n_changed = sum(1 for ch in result.changes if ch.unit_code == u.unit.code)
        ws.merge_range(r, 3, r, 4, "", s(align="center"))
        ws.write_number(r, 3, n_changed, s(align="center"))
        w.number(ws, r, 5, u.self_total, center)
        w.number(ws, r, 6, agreed, s(align="center", num_format="General", bold=True))
        w.number(ws, r, 7, agreed - (u.self_total or ZERO), s(align="center", num_format="+0.##;-0.##;0"))
        w.number(ws, r, 8, u.deviation_penalty, center)
