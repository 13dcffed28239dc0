"""Annotated returns (tra_lai/): what they pre-fill, how they say it, and where they put it (issue 17)."""

from __future__ import annotations

import shutil

import openpyxl

import ttdk_xl
from tests.conftest import D, fill, full_entries
from ttdk_xl.core.layout import COL_GUIDE, COL_MAX, COL_SCORE, META_SHEET, SCORE_SHEET
from ttdk_xl.core.models import Severity, Status
from ttdk_xl.forms.template import cell_of
from ttdk_xl.outputs.returns import RETURN_SHEET

RED, ORANGE = "FFFFC7CE", "FFFCD5B4"  # highlight fills of a cell to fix and a cell to look at again


def _inbox(tmp_path, book, entries):
    """Every unit sends a clean workbook but U2, which sends `entries`."""
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(book.units):
        fill(book, i, inbox / f"{u.code}.xlsx", entries if u.code == "U2" else None)
    return inbox


def _return(out):
    [path] = sorted((out / "tra_lai").glob("*.xlsx"))
    return path, openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


def _highlight(ws, cell):
    """The fill of the highlight rule on exactly `cell` (a return's mark), None without one."""
    for rng, rules in ws.conditional_formatting._cf_rules.items():
        if str(rng.sqref) == cell:
            return rules[0].dxf.fill.bgColor.rgb
    return None


def _slip(wb):
    return [[str(v) for v in row if v is not None] for row in wb[RETURN_SHEET].iter_rows(values_only=True)]


def test_a_score_typed_as_text_comes_back_as_the_number_read_and_says_so(tmp_path, book):
    """Item 6: a return made only for '6,5' typed as text used to keep the text, so the returned workbook
    showed "Còn 1 ô chưa hợp lệ". It holds the number read, says so, and sent back as it is, it is clean."""
    inbox = _inbox(tmp_path, book, full_entries(book, II_2=("6,5", "")))
    out = tmp_path / "out"
    result = ttdk_xl.consolidate(inbox, book=book, out=out)
    assert next(u for u in result.units if u.unit.code == "U2").status is Status.VALID
    path, wb, cached = _return(out)
    ws, cell = wb[SCORE_SHEET], cell_of(book, "II.2")
    assert ws[cell].value == 6.5 and ws[cell].data_type == "n"  # the number read, not the text
    assert cached[SCORE_SHEET]["B6"].value == "Đã điền đủ, hợp lệ"
    said = "'6,5' gõ dạng chữ, đã được điền lại thành số 6,5"
    assert said in ws[cell].comment.text and ws[cell].comment.text.startswith("Cảnh báo:")
    assert _highlight(ws, cell) == ORANGE  # a warning to look at, not a cell to fix (red)
    slip = _slip(wb)
    assert any(row[1:3] == [cell, "Cảnh báo"] and said in row[3] and "không cần sửa" in row[4] for row in slip)
    assert any(f"riêng điểm gõ dạng chữ ở ô {cell} đã được điền lại thành số" in " ".join(row) for row in slip)

    # The unit looks, agrees and sends the return back unchanged: no warning, no new return.
    shutil.copyfile(path, inbox / "U2 gửi lại.xlsx")
    (inbox / "U2.xlsx").unlink()
    again = ttdk_xl.consolidate(inbox, book=book, out=out)
    u2 = next(u for u in again.units if u.unit.code == "U2")
    assert u2.status is Status.VALID and u2.total == 20 + 40 + 25 + D("6.5")
    assert not [f for f in again.findings if f.unit_code == "U2" and f.severity is not Severity.INFO]
    assert not list((out / "tra_lai").glob("*.xlsx"))


def test_a_value_with_an_error_keeps_what_the_unit_typed(tmp_path, book):
    """Only values read with a warning are filled in as numbers ('24 điểm', ' 9 '); '25,5' above the max of
    20 is an error: the unit sees what it typed, in red."""
    entries = full_entries(book, I_1=("25,5", ""), II_1=("24 điểm", "Thu đạt 96% dự toán"), II_2=(" 9 ", ""))
    out = tmp_path / "out"
    ttdk_xl.consolidate(_inbox(tmp_path, book, entries), book=book, out=out)
    _, wb, cached = _return(out)
    ws = wb[SCORE_SHEET]
    above, unit, spaces = (cell_of(book, code) for code in ("I.1", "II.1", "II.2"))
    assert ws[above].value == "25,5" and _highlight(ws, above) == RED
    assert "vượt điểm tối đa" in ws[above].comment.text
    assert ws[unit].value == 24 and "'24 điểm' có kèm chữ, đã được điền lại thành số 24" in ws[unit].comment.text
    assert ws[spaces].value == 9 and _highlight(ws, spaces) == ORANGE
    assert cached[SCORE_SHEET]["B6"].value == "Còn 1 ô chưa hợp lệ"  # only the error is left


def _first_layout(path):
    """The workbook as templates made before the column `Hướng dẫn chấm` had it (format 1: the score in D)."""
    wb = openpyxl.load_workbook(path)
    wb[SCORE_SHEET].delete_cols(COL_GUIDE + 1)
    meta = wb[META_SHEET]
    next(r for r in meta.iter_rows() if r[0].value == "format_version")[1].value = "1"
    wb.save(path)
    return path


def test_a_workbook_issued_before_the_guidance_column_is_read_and_returned_where_the_cells_now_are(tmp_path, book):
    """Item 7: the new column must not break the workbooks already sent. Reading finds the columns by their
    header; the findings name the unit's own cells (D…), its return the cells of the template made now (E…)."""
    entries = full_entries(book, I_1=(D(25), ""), II_2=("6,5", ""))
    inbox = _inbox(tmp_path, book, entries)
    _first_layout(inbox / "U2.xlsx")
    out = tmp_path / "out"
    result = ttdk_xl.consolidate(inbox, book=book, out=out)
    u2 = next(u for u in result.units if u.unit.code == "U2")
    assert u2.scores["II.2"] == D("6.5") and u2.status is Status.INVALID  # I.1 above the max
    assert {(f.code, f.cell) for f in result.findings if f.unit_code == "U2"} == {
        ("score-above-max", "D10"),
        ("score-as-text-comma", "D14"),
    }
    _, wb, _ = _return(out)
    ws = wb[SCORE_SHEET]
    above, comma = cell_of(book, "I.1"), cell_of(book, "II.2")
    assert (above, comma) == ("E10", "E14")
    assert ws[above].value == 25 and "Sửa ô E10 thành số" in ws[above].comment.text
    assert ws[comma].value == 6.5 and ws[comma].comment is not None
    assert all(ws[cell_of(book, code, COL_MAX)].comment is None for code in ("I.1", "II.2"))
    assert ws.cell(8, COL_SCORE + 1).value == "Điểm tự chấm"
    cells = {row[1] for row in _slip(wb)[4:] if len(row) > 2}
    assert {"E10", "E14"} <= cells and not {"D10", "D14"} & cells


def test_an_empty_delegate_sheet_is_on_the_slip_of_a_return(tmp_path, book):
    """A unit that must fix its scores and registered no delegate is told both on the slip it gets."""
    inbox = _inbox(tmp_path, book, full_entries(book, I_1=(D(25), "")))  # above the max of 20; no delegates
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "ket_qua")
    _, wb, _ = _return(tmp_path / "ket_qua")
    text = " ".join(" ".join(row) for row in _slip(wb))
    assert "vượt điểm tối đa" in text and "chưa đăng ký đại biểu nào" in text
