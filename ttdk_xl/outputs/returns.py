"""Annotated returns (out/tra_lai/): a fresh copy of a unit's workbook, pre-filled with what it typed.

The copy is generated anew from the book (same template, same fingerprint) — never a re-saved copy
of the unit's own file, which would lose validation and protection. Problem cells are highlighted
with a comment, and a first sheet `Phiếu trả lại` lists every finding and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ttdk_xl.core.layout import HEADERS, SCORE_SHEET
from ttdk_xl.core.models import Book, Finding, Result, Severity, Submission
from ttdk_xl.core.text import safe_filename
from ttdk_xl.forms.template import Mark, cell_of, write_unit_workbook

RETURN_SHEET = "Phiếu trả lại"
FAST_FROM = 100  # returns: fewer (any cluster) are written directly by xlsxwriter; learning costs about two
_CELL = re.compile(r"^([A-Z]+)(\d+)$")


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


def write_returns(
    result: Result,
    out_dir: Path,
    delegates: Mapping[str, Iterable[tuple]] | None = None,
    *,
    fast: bool | None = None,
) -> list[Path]:
    """One annotated workbook per unit whose submission has errors or warnings; stale returns removed.

    `delegates` (unit code → (name, title, phone, note) rows) keeps the unit's delegate registration
    in its returned workbook, so sending the fixed file back does not lose it. `fast` assembles the
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
    written: list[Path] = []
    for sub in result.submissions:
        findings = [f for f in sub.findings if f.severity is not Severity.INFO]
        unit = book.unit(sub.unit_code)
        if not findings or unit is None:
            continue
        path = out_dir / return_filename(book, unit.code, unit.name)
        comments: dict[str, list[str]] = {}
        shown: list[Finding] = []  # the findings as the slip shows them: cells of the returned workbook
        for f in findings:
            where = _template_cell(book, sub, f.cell) if f.cell and f.sheet else None
            if where:
                if where != f.cell:  # the unit's sheet had the cell elsewhere (an older template, moved rows)
                    moved = re.compile(rf"\b{f.cell}\b")
                    f = replace(f, cell=where, message=moved.sub(where, f.message), fix=moved.sub(where, f.fix))
                comments.setdefault(where, []).append(f"{f.severity.value}: {f.message}\n→ {f.fix}")
            shown.append(f)
        marks = [Mark(cell, "\n\n".join(texts)) for cell, texts in sorted(comments.items())]
        try:
            issued = datetime.fromisoformat(sub.issued_at)
        except ValueError:
            issued = datetime(book.year, 1, 1)
        write(
            book,
            unit,
            path,
            issued,
            entries=sub.entries,
            marks=marks,
            delegates=(delegates or {}).get(unit.code, ()),
            extra_sheet=lambda wb, fmt, s=sub, fs=shown: _write_slip(wb, fmt, book, s, fs),
        )
        written.append(path)
    keep = {p.name for p in written}
    for old in out_dir.glob("*.xlsx"):
        if old.name not in keep:
            old.unlink()
    return written


def _write_slip(wb, fmt, book: Book, sub: Submission, findings: list[Finding]) -> None:
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
        f"Cách làm: mở trang '{SCORE_SHEET}', sửa các ô nền đỏ (rê chuột vào ô để đọc ghi chú), "
        "lưu tệp rồi gửi lại tệp này",
        f"cho {book.head_unit} trước ngày {book.deadline}. Các điểm đơn vị đã nhập được giữ nguyên trong bảng.",
    ]
    for i, text in enumerate(lines):
        ws.write_string(3 + i, 0, text, fmt["label"] if i < 3 else fmt["text"])
    header = 9
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
