"""Annotated returns assembled by return_stamp.ReturnStamper hold the same workbooks as xlsxwriter's."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import openpyxl
import pytest

import ttdk_xl
from tests.conftest import D, full_entries, make_book, needs_soffice, resave_with_libreoffice
from ttdk_xl.core.layout import COL_SCORE, META_SHEET, SCORE_SHEET
from ttdk_xl.forms.template import Mark, cell_of, write_unit_workbook
from ttdk_xl.inbox.read import read_file
from ttdk_xl.outputs import return_stamp
from ttdk_xl.outputs.returns import RETURN_SHEET, _write_slip, write_returns
from ttdk_xl.rules.checks import check_submission

PEOPLE = [
    ("Lê Văn An", "Chủ tịch UBND", "0912345678", ""),
    ("Trần Thị Bình", "Trưởng phòng Nội vụ", "", "đi cùng"),
    ("", "Chánh Văn phòng", "0237 3852 123", ""),
]


def _book():
    book = make_book(units=11)
    units = list(book.units)
    units[7] = replace(units[7], name='UBND xã "A" & B <Mới>')  # text that XML must escape
    units[8] = replace(units[8], name=" UBND  xã Tiền Phong ")  # spaces kept as typed in the book
    return replace(book, units=tuple(units))


# What each unit sends: every kind of value, explanation and problem the returns must carry over.
LONG = "Minh chứng: " + "văn bản số 12/KH-UBND ngày 01/02/2025; " * 20
CASES = {
    0: dict(I_1=(D(25), "")),  # above the maximum
    1: dict(I_1=(None, ""), II_2=(D(7), "")),  # a blank score
    2: dict(I_1=("8,5", ""), I_2=("mười", "")),  # text scores
    3: dict(II_1=(D(20), ""), III_1=(D(5), "")),  # below the maximum, bonus, no explanation
    4: dict(I_1=(D("19.5"), LONG), IV_2=("Có", ""), III_2=(D(3), 'Mô hình <mới> & "hay"\ndòng hai')),
    5: dict(I_2=(D("39.75"), "  khoảng trắng đầu cuối  "), IV_1=(D(9), "Nộp chậm")),  # penalty above max
    6: dict(I_1=(D(25), "")),  # with delegates (below)
    7: dict(II_1=(D("-1"), "âm")),  # the unit with an escaped name
    8: dict(I_1=(D("20.1"), "")),  # off the step
    9: dict(IV_2=("Không rõ", "")),  # an odd disqualifier value
    10: dict(I_1=(" 19 ", "thiếu"), I_2=(D(50), "")),  # text read as a number (orange) and an error (red), as 2
}


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stamp")
    book = _book()
    inbox = tmp / "hop_thu"
    inbox.mkdir()
    for i, scores in CASES.items():
        write_unit_workbook(
            book, book.units[i], inbox / f"U{i + 1}.xlsx", datetime(2025, 11, i + 1, 8, 30),
            entries=full_entries(book, **scores), delegates=PEOPLE if i == 6 else (),
        )  # fmt: skip
    result = ttdk_xl.consolidate(inbox, book=book, out=tmp / "out")
    delegates = {u.unit.code: [(d.name, d.title, d.phone, d.note) for d in u.delegates] for u in result.delegates.units}
    return tmp, book, result, delegates


@pytest.fixture(scope="module")
def both_ways(consolidated):
    tmp, _, result, delegates = consolidated
    stampers = []

    class Spy(return_stamp.ReturnStamper):
        def __init__(self, b):
            super().__init__(b)
            stampers.append(self)

    fast, direct = tmp / "fast", tmp / "direct"
    original = return_stamp.ReturnStamper
    return_stamp.ReturnStamper = Spy
    try:
        written = write_returns(result, fast, delegates, fast=True)
    finally:
        return_stamp.ReturnStamper = original
    assert [p.name for p in write_returns(result, direct, delegates, fast=False)] == [p.name for p in written]
    return fast, direct, written, stampers[0]


def _style(cell):
    f, a, b, p = cell.font, cell.alignment, cell.border, cell.protection
    return (
        (f.name, f.sz, f.b, f.i, f.color.rgb if f.color is not None else None),
        (cell.fill.patternType, cell.fill.fgColor.rgb),
        (a.horizontal, a.vertical, a.wrap_text),
        tuple(getattr(b, side).style for side in ("left", "right", "top", "bottom")),
        (p.locked, p.hidden),
        cell.number_format,
    )


def _validation(v):
    return (v.type, v.formula1, v.formula2, str(v.sqref), v.prompt, v.promptTitle, v.error, v.errorTitle,
            v.allow_blank, v.showErrorMessage, v.errorStyle)  # fmt: skip


def _rule(r):
    dxf = r.dxf
    return (
        r.type,
        r.formula,
        r.priority,
        dxf and dxf.fill and dxf.fill.bgColor.rgb,
        dxf and dxf.font and dxf.font.color.rgb,
    )


def snapshot(path) -> dict:
    """Everything a user sees or a program reads in a workbook, through openpyxl."""
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    out = {
        "sheets": wb.sheetnames,
        "active": wb.active.title,
        "names": sorted(wb.defined_names),
        "properties": (wb.properties.title, wb.properties.creator, wb.properties.created),
    }
    for ws in wb.worksheets:
        values = cached[ws.title]
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style and c.comment is None:
                    continue
                comment = (c.comment.text, c.comment.author) if c.comment else None
                cells[c.coordinate] = (c.value, values[c.coordinate].value, _style(c), comment)
        prot = ws.protection
        out[ws.title] = {
            "state": ws.sheet_state,
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "columns": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
            "rows": {k: (d.height, d.hidden) for k, d in ws.row_dimensions.items() if d.height or d.hidden},
            "protection": (prot.sheet, prot.formatColumns, prot.formatRows, prot.objects, prot.scenarios),
            "validations": [_validation(v) for v in ws.data_validations.dataValidation],
            "rules": [
                (str(rng.sqref), [_rule(r) for r in rules])
                for rng, rules in ws.conditional_formatting._cf_rules.items()
            ],
            "print": (
                ws.print_area,
                ws.print_title_rows,
                ws.freeze_panes,
                ws.page_setup.orientation,
                ws.page_setup.paperSize,
                ws.page_setup.fitToHeight,
                ws.oddFooter.center.text,
            ),
        }
    return out


def test_fast_returns_hold_the_same_workbooks_as_xlsxwriter(both_ways):
    _, direct, written, stamper = both_ways
    assert len(written) == len(CASES)
    # Only the first return of each kind is written directly: here red marks, and red and orange ones.
    assert (stamper.fast, stamper.direct) == (len(CASES) - 2, 2)
    for path in written:
        assert snapshot(path) == snapshot(direct / path.name), path.name
        assert return_stamp.same_workbook(
            return_stamp._unzip(path.read_bytes()), return_stamp._unzip((direct / path.name).read_bytes())
        )


def test_fast_return_content(both_ways, consolidated):
    """A spot check of what the comparison covers: typed values, cached totals, marks, slip, delegates."""
    book = consolidated[1]
    written = both_ways[2]
    unit = book.units[7]
    [path] = [p for p in written if f"_{unit.code}_" in p.name]
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames[0] == RETURN_SHEET
    ws, cached = wb[SCORE_SHEET], values[SCORE_SHEET]
    assert ws["B4"].value == unit.name == values[META_SHEET]["B6"].value
    d = cell_of(book, "II.1")
    assert ws[d].value == -1 and ws[d].comment is not None and "II.1" in ws[d].comment.text
    total = next(r for r in ws.iter_rows(min_col=2, max_col=COL_SCORE + 1) if r[0].value == "TỔNG ĐIỂM")[-1]
    assert total.value.startswith("=") and cached[total.coordinate].value == float(20 + 40 - 1 + 15)
    slip = [str(c.value) for row in wb[RETURN_SHEET].iter_rows() for c in row if c.value]
    assert f"Đơn vị: {unit.name}" in slip and any("II.1" in s for s in slip)
    [both] = [p for p in written if f"_{book.units[10].code}_" in p.name]  # assembled from the kind of unit 2's
    ws = openpyxl.load_workbook(both)[SCORE_SHEET]
    typed = ws[cell_of(book, "I.1")]
    assert typed.value == 19 and "đã được điền lại thành số 19" in typed.comment.text
    assert ws[cell_of(book, "I.2")].value == 50
    [people] = [p for p in written if f"_{book.units[6].code}_" in p.name]
    names = {c.value for row in openpyxl.load_workbook(people)["Đăng ký đại biểu"].iter_rows() for c in row}
    assert {"Lê Văn An", "Trần Thị Bình", "Trưởng phòng Nội vụ", "đi cùng"} <= names


def _slip(book, sub):
    findings = [f for f in sub.findings if f.severity.value != "Thông tin"]
    return lambda wb, fmt: _write_slip(wb, fmt, book, sub, findings)


def test_stamper_without_marks_and_odd_input_falls_back(consolidated, tmp_path):
    """Returns without comments are a kind of their own; what the stand-ins refuse is written directly."""
    _, book, result, _ = consolidated
    stamper = return_stamp.ReturnStamper(book)
    issued = datetime(2025, 11, 3, 9, 0)
    cases = []
    for i, sub in enumerate(result.submissions[:6]):
        unit = book.unit(sub.unit_code)
        entries = dict(sub.entries)
        if i == 5:
            entries["I.1"] = (D(10), "x" * 20_000)  # beyond what the stand-ins handle: written directly
        marks = [] if i < 3 else [Mark(cell_of(book, "I.1", 4), "Lỗi: quá dài\n→ Rút gọn"), Mark("D9", "Xem lại")]
        cases.append((unit, entries, marks, _slip(book, sub), PEOPLE[: i % 3]))
    for n, (unit, entries, marks, slip, people) in enumerate(cases):
        for folder, write in (("fast", stamper.write), ("direct", write_unit_workbook)):
            write(book, unit, tmp_path / folder / f"{n}.xlsx", issued, entries=entries, marks=marks,
                  extra_sheet=slip, delegates=people)  # fmt: skip
    # Learnt from returns 0 (no comments) and 3 (comments); 5 has an explanation the stand-ins refuse.
    assert (stamper.fast, stamper.direct) == (3, 3)
    for n in range(len(cases)):
        assert snapshot(tmp_path / "fast" / f"{n}.xlsx") == snapshot(tmp_path / "direct" / f"{n}.xlsx")


def test_stamper_writes_directly_when_it_cannot_rebuild_the_learnt_return(consolidated, tmp_path, monkeypatch):
    _, book, result, _ = consolidated
    monkeypatch.setattr(return_stamp, "same_workbook", lambda a, b: False)
    stamper = return_stamp.ReturnStamper(book)
    for n, sub in enumerate(result.submissions[:3]):
        stamper.write(book, book.unit(sub.unit_code), tmp_path / f"{n}.xlsx", datetime(2025, 11, 3),
                      entries=sub.entries, extra_sheet=_slip(book, sub))  # fmt: skip
    assert (stamper.fast, stamper.direct) == (0, 3)
    assert all(openpyxl.load_workbook(tmp_path / f"{n}.xlsx")[SCORE_SHEET]["B4"].value for n in range(3))


def test_same_workbook_tells_a_different_cell():
    a = {"xl/sharedStrings.xml": b"<sst><si><t>x</t></si><si><t>y</t></si></sst>",
         "xl/worksheets/sheet1.xml": b'<c r="A1" t="s"><v>0</v></c><c r="A2" t="s"><v>1</v></c>'}  # fmt: skip
    b = {"xl/sharedStrings.xml": b"<sst><si><t>y</t></si><si><t>x</t></si></sst>",
         "xl/worksheets/sheet1.xml": b'<c r="A1" t="s"><v>1</v></c><c r="A2" t="s"><v>0</v></c>'}  # fmt: skip
    assert return_stamp.same_workbook(a, b)
    b["xl/worksheets/sheet1.xml"] = b'<c r="A1" t="s"><v>0</v></c><c r="A2" t="s"><v>1</v></c>'
    assert not return_stamp.same_workbook(a, b)


@needs_soffice
def test_fast_return_resaved_by_libreoffice_reads_back_as_the_submission(both_ways, consolidated, tmp_path):
    _, book, result, _ = consolidated
    _, _, written, stamper = both_ways
    assert stamper.fast
    sub = next(s for s in result.submissions if s.unit_code == book.units[4].code)  # not the first return
    [ret] = [p for p in written if f"_{sub.unit_code}_" in p.name]
    lo = resave_with_libreoffice([ret], tmp_path / "lo", tmp_path)
    again = check_submission(read_file(next(lo.iterdir()), lo).raw, book)
    assert again.unit_code == sub.unit_code
    assert again.scores == sub.scores and again.disqualified == sub.disqualified
    assert again.explanations == sub.explanations
    assert sorted(f.code for f in again.findings) == sorted(f.code for f in sub.findings)
