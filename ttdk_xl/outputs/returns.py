"""Annotated returns (out/tra_lai/): a fresh copy of a unit's workbook, pre-filled with what it typed.

The copy is generated anew from the book (same template, same fingerprint) — never a re-saved copy
of the unit's own file, which would lose validation and protection. Problem cells are highlighted
with a comment (red: an error to fix; orange: a warning to look at), and a first sheet `Phiếu trả lại`
lists every finding and what to do.

A score typed as text that was read with only a warning ('6,5', '8 điểm', ' 9 ') is pre-filled as the
number read, and the comment and the slip say so: the returned workbook then counts it as valid. A value
with an error keeps what the unit typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from ttdk_xl.core.atomic import unguarded
from ttdk_xl.core.layout import HEADERS, SCORE_SHEET
from ttdk_xl.core.models import Book, Finding, Kind, Result, Severity, Submission
from ttdk_xl.core.text import nfc, safe_filename, vn_number
from ttdk_xl.forms.template import Mark, cell_of, write_unit_workbook
from ttdk_xl.rules.values import validate_score

RETURN_SHEET = "Phiếu trả lại"
FAST_FROM = 100  # returns: fewer (any cluster) are written directly by xlsxwriter; learning costs about two
_CELL = re.compile(r"^([A-Z]+)(\d+)$")
_TYPED_AS_TEXT = {"comma": "gõ dạng chữ", "text": "gõ dạng chữ", "unit": "có kèm chữ"}  # how parse_score read it


def return_filename(book: Book, code: str, name: str) -> str:
    return safe_filename(f"{book.year}_{code}_{name} - trả lại") + ".xlsx"


def _template_cell(book: Book, sub: Submission, cell: str) -> str | None:
    """Where a cell of the unit's sheet sits in a fresh template: found by its row's criterion and its column's
    header (the unit may have moved rows; a workbook of an older template has its columns elsewhere)."""
    m = _CELL.match(cell)
    if not m or m.group(1) not in sub.column_headers:
        return None
    code = sub.row_codes.get(int(m.group(2)))
    if code is None or code not in {c.code for c in book.criteria}:
        return None
    return cell_of(book, code, HEADERS.index(sub.column_headers[m.group(1)]))


def read_as_numbers(book: Book, sub: Submission) -> dict[str, tuple[Decimal, str]]:
    """Scores typed as text and read with only a warning: criterion code → (the number read, how it was typed
    in words). A value with an error (not a number, above the maximum, off the step…) is not among them."""
    out = {}
    for code, (value, _explanation) in sub.entries.items():
        c = book.criterion(code)
        if c is None or c.is_group or c.kind is Kind.DISQUALIFIER or not isinstance(value, str):
            continue
        check = validate_score(c, value, book.step)
        if check.how in _TYPED_AS_TEXT and not check.problem and check.value is not None:
            out[code] = (check.value, _TYPED_AS_TEXT[check.how])
    return out


def _said_filled_in(f: Finding, where: str, code: str, typed: object, number: Decimal, how: str) -> Finding:
    """The warning on a score typed as text, worded for the return that holds it as a number."""
    n = vn_number(number)
    return replace(
        f,
        message=f"Điểm tiêu chí '{code}': '{nfc(typed)}' {how}, đã được điền lại thành số {n}.",
        fix=f"Kiểm tra lại điểm ở ô {where}: nếu đúng là {n} thì không cần sửa.",
    )


def write_returns(
    result: Result,
    out_dir: Path,
    delegates: Mapping[str, Iterable[tuple]] | None = None,
    *,
    fast: bool | None = None,
    delegate_findings: Mapping[str, Iterable[Finding]] | None = None,
) -> list[Path]:
    """One annotated workbook per unit whose submission has errors or warnings; stale returns removed.

    `delegates` (unit code → (name, title, phone, note) rows) keeps the unit's delegate registration
    in its returned workbook, so sending the fixed file back does not lose it; `delegate_findings` (unit
    code → warnings about its delegate sheet, e.g. none registered) are listed on the slip too. `fast` assembles the
    files from a learnt return (return_stamp.py, the same files); False writes each with xlsxwriter;
    None (the default) does so from FAST_FROM returns on, where learning pays for itself.
    """
    book = result.book
    if fast is None:
        fast = (
            sum(1 for s in result.submissions if any(f.severity is not Severity.INFO for f in s.findings)) >= FAST_FROM
        )
    if fast:
        from ttdk_xl.outputs.return_stamp import ReturnStamper  # lazy: the fast path, for a province only

        write = ReturnStamper(book).write
    else:
        write = write_unit_workbook
    out_dir.mkdir(parents=True, exist_ok=True)
    with unguarded():  # regenerated on every run, sent as they are: nobody edits a return here
        return _write_all(result, out_dir, book, write, delegates, delegate_findings)


def _write_all(result, out_dir, book, write, delegates, delegate_findings) -> list[Path]:
    written: list[Path] = []
    for sub in result.submissions:
        findings = [f for f in sub.findings if f.severity is not Severity.INFO]
        unit = book.unit(sub.unit_code)
        if not findings or unit is None:
            continue
        path = out_dir / return_filename(book, unit.code, unit.name)
        # Scores typed as text, pre-filled as the numbers read; their warnings say so.
        numbers = read_as_numbers(book, sub)
        entries = dict(sub.entries)
        filled_in = {}  # template cell → (code, number read, how typed)
        for code, (number, how) in numbers.items():
            entries[code] = (number, entries[code][1])
            filled_in[cell_of(book, code)] = (code, number, how)
        comments: dict[str, list[str]] = {}
        errors: set[str] = set()
        shown: list[Finding] = []  # the findings as the slip shows them: cells of the returned workbook
        for f in findings:
            where = _template_cell(book, sub, f.cell) if f.cell and f.sheet else None
            if where:
                if where in filled_in and f.code.startswith("score-as-text"):
                    code, number, how = filled_in[where]
                    f = _said_filled_in(f, where, code, sub.entries[code][0], number, how)
                elif where != f.cell:  # the unit's sheet had the cell elsewhere (an older template, moved rows)
                    moved = re.compile(rf"\b{f.cell}\b")
                    f = replace(f, message=moved.sub(where, f.message), fix=moved.sub(where, f.fix))
                f = replace(f, cell=where)
                comments.setdefault(where, []).append(f"{f.severity.value}: {f.message}\n→ {f.fix}")
                if f.severity is Severity.ERROR:
                    errors.add(where)
            shown.append(f)
        shown.extend(f for f in (delegate_findings or {}).get(unit.code, ()) if f.severity is not Severity.INFO)
        marks = [
            Mark(cell, "\n\n".join(texts), "bad" if cell in errors else "review")
            for cell, texts in sorted(comments.items())
        ]
        typed_cells = tuple(sorted(filled_in))
        try:
            issued = datetime.fromisoformat(sub.issued_at)
        except ValueError:
            issued = datetime(book.year, 1, 1)
        write(
            book,
            unit,
            path,
            issued,
            entries=entries,
            marks=marks,
            delegates=(delegates or {}).get(unit.code, ()),
            extra_sheet=lambda wb, fmt, s=sub, fs=shown, n=typed_cells: _write_slip(wb, fmt, book, s, fs, n),
        )
        written.append(path)
    keep = {p.name for p in written}
    for old in out_dir.glob("*.xlsx"):
        if old.name not in keep:
            old.unlink()
    for old in out_dir.glob("*.eml"):  # the draft that sent a return no longer made (ttdk-xl consolidate --eml)
        if old.with_suffix(".xlsx").name not in keep:
            old.unlink()
    return written


def _write_slip(wb, fmt, book: Book, sub: Submission, findings: list[Finding], filled_in: tuple[str, ...] = ()) -> None:
    """The sheet `Phiếu trả lại`: what was found and what to do; `filled_in` are the cells of scores typed as
    text that the return holds as numbers."""
    ws = wb.add_worksheet(RETURN_SHEET)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    ws.set_column("A:A", 5)
    ws.set_column("B:B", 9)
    ws.set_column("C:C", 10)
    ws.set_column("D:D", 55)
    ws.set_column("E:E", 50)
    ws.merge_range("A1:E1", "PHIẾU TRẢ LẠI BẢNG TỰ CHẤM ĐIỂM THI ĐUA", fmt["title"])
    ws.merge_range("A2:E2", f"{book.cluster_name} - năm {book.year}", fmt["subtitle"])
    lines = [
        f"Đơn vị: {sub.unit_name}",
        f"Tệp đã nhận: {sub.file}",
        (
            f"Kết quả kiểm tra: {errors} lỗi phải sửa, {warnings} cảnh báo cần xem lại."
            if errors
            else f"Kết quả kiểm tra: không có lỗi, {warnings} cảnh báo cần xem lại."
        ),
        f"Cách làm: mở trang '{SCORE_SHEET}', sửa các ô nền đỏ, xem lại các ô nền cam (rê chuột vào ô để đọc ghi chú),",
        f"lưu tệp rồi gửi lại tệp này cho {book.head_unit} trước ngày {book.deadline}.",
        "Các điểm đơn vị đã nhập được giữ nguyên trong bảng"
        + (
            f"; riêng điểm gõ dạng chữ ở ô {', '.join(filled_in)} đã được điền lại thành số, đề nghị kiểm tra lại."
            if filled_in
            else "."
        ),
    ]
    for i, text in enumerate(lines):
        ws.write_string(3 + i, 0, text, fmt["label"] if i < 3 else fmt["text"])
    header = 3 + len(lines) + 1
    for col, name in enumerate(("STT", "Ô", "Mức độ", "Nội dung", "Cách khắc phục")):
        ws.write_string(header, col, name, fmt["header"])
    for i, f in enumerate(findings, start=1):
        r = header + i
        ws.write_number(r, 0, i, fmt["code"])
        ws.write_string(r, 1, f.cell, fmt["code"])
        ws.write_string(r, 2, f.severity.value, fmt["code"])
        ws.write_string(r, 3, f.message, fmt["wrap"])
        ws.write_string(r, 4, f.fix, fmt["wrap"])
        ws.set_row(r, 15 * max(1, len(f.message) // 60 + 1, len(f.fix) // 55 + 1))
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.protect("")
    ws.activate()
