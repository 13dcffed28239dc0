"""Annotated returns (tra_lai/): where they put what the unit typed (issue 17)."""

from __future__ import annotations

import openpyxl

import ttdk_xl
from tests.conftest import D, fill, full_entries
from ttdk_xl.core.layout import COL_GUIDE, COL_MAX, COL_SCORE, META_SHEET, SCORE_SHEET
from ttdk_xl.core.models import Status
from ttdk_xl.forms.template import cell_of
from ttdk_xl.outputs.returns import RETURN_SHEET


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


def _slip(wb):
    return [[str(v) for v in row if v is not None] for row in wb[RETURN_SHEET].iter_rows(values_only=True)]


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
    assert ws[comma].value == "6,5" and ws[comma].comment is not None
    assert all(ws[cell_of(book, code, COL_MAX)].comment is None for code in ("I.1", "II.2"))
    assert ws.cell(8, COL_SCORE + 1).value == "Điểm tự chấm"
    cells = {row[1] for row in _slip(wb)[4:] if len(row) > 2}
    assert {"E10", "E14"} <= cells and not {"D10", "D14"} & cells
