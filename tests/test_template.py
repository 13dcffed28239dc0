"""The self-scoring workbook read back from disk: structure, protection, validation, cached values, _meta."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import ISSUED, D, assert_prints_on_a4, fill, full_entries, needs_soffice, resave_with_libreoffice
from ttdk_xl.book.load import load_book
from ttdk_xl.core.layout import (
    COL_EXPLAIN,
    COL_GUIDE,
    COL_MAX,
    COL_SCORE,
    COL_TEXT,
    GUIDE_SHEET,
    H_GUIDE,
    H_TEXT,
    HEADERS,
    META_SHEET,
    SCORE_HEADER_ROW,
    SCORE_SHEET,
)
from ttdk_xl.core.models import Kind
from ttdk_xl.forms.template import cell_of, workbook_filename, write_templates
from ttdk_xl.inbox.read import read_file
from ttdk_xl.rules.checks import check_submission

EXCEL_HEADER_ROW = SCORE_HEADER_ROW + 1  # the score table's header as openpyxl and Excel count rows
SCORE, EXPLAIN = COL_SCORE + 1, COL_EXPLAIN + 1  # … and columns


def _rows(path, sheet=SCORE_SHEET):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_one_workbook_per_unit_with_safe_names(book, tmp_path):
    paths = write_templates(book, tmp_path, issued_at=ISSUED)
    assert [p.name for p in paths] == [workbook_filename(book, u) for u in book.units]
    assert paths[0].name == "2025_U1_UBND huyện Triệu Sơn.xlsx"
    assert all(p.exists() for p in paths)


def test_file_name_drops_windows_forbidden_characters(book):
    from ttdk_xl.core.models import Unit

    name = workbook_filename(book, Unit("X/1", 'UBND xã "A:B"?*'))
    assert not set('<>:"/\\|?*') & set(name)
    assert "xã" in name


def test_table_header_rows_and_meta(book, tmp_path):
    path = write_templates(book, tmp_path, issued_at=ISSUED)[0]
    rows = _rows(path)
    assert tuple(rows[SCORE_HEADER_ROW][: len(HEADERS)]) == HEADERS
    codes = [r[0] for r in rows[SCORE_HEADER_ROW + 1 : SCORE_HEADER_ROW + 1 + len(book.criteria)]]
    assert codes == [c.code for c in book.criteria]
    meta = dict((r[0], r[1]) for r in _rows(path, META_SHEET))
    assert meta["fingerprint"] == book.fingerprint
    assert meta["unit_code"] == "U1" and meta["year"] == "2025"
    assert meta["issued_at"] == "2025-11-01T08:00:00"
    wb = CalamineWorkbook.from_path(str(path))
    visible = {m.name: str(m.visible) for m in wb.sheets_metadata}
    assert "Hidden" in visible[META_SHEET] and "Visible" in visible[SCORE_SHEET]


def test_protection_and_unlocked_input_cells(book, tmp_path):
    path = write_templates(book, tmp_path, issued_at=ISSUED)[0]
    ws = openpyxl.load_workbook(path)[SCORE_SHEET]
    assert ws.protection.sheet
    for i, c in enumerate(book.criteria):
        r = EXCEL_HEADER_ROW + 1 + i
        if c.is_group:
            assert ws.cell(r, SCORE).protection.locked
        else:
            assert not ws.cell(r, SCORE).protection.locked
            assert not ws.cell(r, EXPLAIN).protection.locked
        for col in (COL_TEXT, COL_GUIDE, COL_MAX):
            assert ws.cell(r, col + 1).protection.locked


def test_score_cells_validated_with_bounds_and_step(book, tmp_path):
    path = write_templates(book, tmp_path, issued_at=ISSUED)[0]
    ws = openpyxl.load_workbook(path)[SCORE_SHEET]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    for i, c in enumerate(book.criteria):
        if c.is_group:
            continue
        dv = by_cell[ws.cell(EXCEL_HEADER_ROW + 1 + i, SCORE).coordinate]
        assert dv.promptTitle and dv.prompt
        if c.kind is Kind.DISQUALIFIER:
            assert dv.type == "list" and "Có" in dv.formula1
        else:
            assert dv.type == "custom"
            assert f"<={c.max_points.normalize():f}" in dv.formula1
            assert "/0.25" in dv.formula1


def test_formulas_carry_cached_values(book, tmp_path):
    entries = full_entries(
        book, I_1=(D("17.5"), "thiếu"), III_1=(D(5), "Cờ"), III_2=(D(3), "Mô hình"), IV_1=(D(2), "chậm")
    )
    path = fill(book, 0, tmp_path / "a.xlsx", entries)
    rows = _rows(path)
    by_code = {r[0]: r for r in rows if r and r[0]}
    assert by_code["I"][COL_SCORE] == 57.5  # group subtotal cached
    assert by_code["III"][COL_SCORE] == 8
    total_row = next(r for r in rows if r[1] == "TỔNG ĐIỂM")
    # 97.5 scored + min(8, cap 5) - 2
    assert total_row[COL_SCORE] == 100.5
    assert rows[5][1] == "Đã điền đủ, hợp lệ"
    # The formula is really there (not only a value).
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>SUM(" in xml and "<f>MIN(SUM(" in xml


def test_status_line_counts_cells_to_fix(book, tmp_path):
    path = fill(book, 0, tmp_path / "b.xlsx", {"I.1": (D(25), "")})
    rows = _rows(path)
    # I.1 above max, I.2, II.1, II.2 blank → 4 rows to fix
    assert rows[5][1] == "Còn 4 ô chưa hợp lệ"


def test_print_setup_a4_fit_to_width(book, tmp_path):
    path = write_templates(book, tmp_path, issued_at=ISSUED)[0]
    ws = openpyxl.load_workbook(path)[SCORE_SHEET]
    assert ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed, one page wide
    assert ws.print_title_rows == f"${EXCEL_HEADER_ROW}:${EXCEL_HEADER_ROW}"


def test_guide_sheet_prints_within_the_page(book, tmp_path):
    path = fill(book, 0, tmp_path / "a.xlsx")
    assert_prints_on_a4(openpyxl.load_workbook(path)["Hướng dẫn"])


@needs_soffice
def test_libreoffice_resave_keeps_protection_validation_and_meta(book, tmp_path):
    path = fill(book, 0, tmp_path / "a.xlsx")
    saved = resave_with_libreoffice([path], tmp_path / "lo", tmp_path) / "a.xlsx"
    wb = openpyxl.load_workbook(saved)
    ws = wb[SCORE_SHEET]
    assert ws.protection.sheet
    assert len(ws.data_validations.dataValidation) >= len(book.leaves) - 1
    assert wb[META_SHEET].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in _rows(saved, META_SHEET)}
    assert meta["fingerprint"] == book.fingerprint
    assert not ws.cell(EXCEL_HEADER_ROW + 2, SCORE).protection.locked
    assert Decimal(str(next(r for r in _rows(saved) if r[1] == "TỔNG ĐIỂM")[COL_SCORE])) == 100


def _guided(book):
    """The book with a `Hướng dẫn chấm` text on every criterion but one."""
    criteria = [
        c if c.code == "II.2" else replace(c, guidance=f"Hướng dẫn chấm tiêu chí {c.code}: đủ hồ sơ, đúng hạn.")
        for c in book.criteria
    ]
    return replace(book, criteria=tuple(criteria))


def test_guidance_shown_beside_each_criterion_and_the_workbook_still_reads(book, tmp_path):
    """Issue 17, item 7: the book's guidance is in a column `Hướng dẫn chấm` right of `Nội dung tiêu chí`."""
    book = _guided(book)
    path = fill(book, 0, tmp_path / "a.xlsx")
    rows = _rows(path)
    header = list(rows[SCORE_HEADER_ROW][: len(HEADERS)])
    assert header.index(H_GUIDE) == header.index(H_TEXT) + 1 == COL_GUIDE
    by_code = {r[0]: r for r in rows[SCORE_HEADER_ROW + 1 : SCORE_HEADER_ROW + 1 + len(book.criteria)]}
    for c in book.criteria:
        assert by_code[c.code][COL_GUIDE] == c.guidance  # '' for II.2
    ws = openpyxl.load_workbook(path)[SCORE_SHEET]
    assert ws[cell_of(book, "I.1", COL_GUIDE)].font.i  # italic, apart from the criterion text
    assert ws.page_setup.orientation == "landscape"
    sub = check_submission(read_file(path, tmp_path).raw, book)
    assert sub.findings == () and sub.scores["I.2"] == 40


def _examples(prompt: str) -> list[Decimal]:
    return [Decimal(m.replace(",", ".")) for m in re.findall(r"ví dụ ([0-9]+(?:,[0-9]+)?)", prompt)]


@pytest.mark.parametrize("step", ["0.25", "0.5", "1"])
def test_the_input_hint_gives_an_example_within_the_max_and_on_the_step(tmp_path, step):
    """Issue 17, item 7: "Nhập điểm từ 0 đến 4 … (ví dụ 8,5)" showed a score the cell refuses."""
    sample = load_book(Path(__file__).resolve().parent.parent / "examples" / "bo_tieu_chi.xlsx")
    book = replace(sample, step=Decimal(step))
    path = write_templates(book, tmp_path, issued_at=ISSUED, units=book.units[:1])[0]
    ws = openpyxl.load_workbook(path)[SCORE_SHEET]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    for c in book.leaves:
        if c.kind is not Kind.SCORED:
            continue
        [example] = _examples(by_cell[cell_of(book, c.code)].prompt)
        assert 0 <= example <= c.max_points and example % book.step == 0, (c.code, example)
    guide = " ".join(str(r[0]) for r in _rows(path, GUIDE_SHEET))
    assert all(e % book.step == 0 for e in _examples(guide)) and _examples(guide)
