"""Cluster averages: over the ranked units only, each row over the valid cells, and saying how many units."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from docx import Document
from python_calamine import CalamineWorkbook

import ttdk_xl
from tests.conftest import D, fill, full_entries, make_book
from ttdk_xl.core.layout import SUMMARY_HEADER_ROW
from ttdk_xl.core.models import Status
from ttdk_xl.outputs.report import build_context

AVERAGE = "Trung bình cụm"
# The report template of this source tree (an installed package may carry another one)
TEMPLATE = Path(__file__).resolve().parents[1] / "input_templates" / "mau_bao_cao.docx"


def inbox_with_a_refused_score(root: Path) -> Path:
    """Four units; U1..U3 score I.2 40, 37, 34 (of 40); U4 types 45 there: refused, so U4 is not ranked."""
    book = make_book()
    inbox = root / "hop_thu"
    inbox.mkdir(parents=True)
    for i, u in enumerate(book.units):
        i2 = D(45) if u.code == "U4" else D(40 - 3 * i)
        fill(book, i, inbox / f"{u.code}.xlsx", full_entries(book, I_2=(i2, "thiếu một nội dung")))
    return inbox


def sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


def report_text(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_a_refused_score_and_an_unranked_unit_are_not_in_the_averages(tmp_path):
    book = make_book()
    out = tmp_path / "kq"
    result = ttdk_xl.consolidate(inbox_with_a_refused_score(tmp_path), book=book, out=out, report_template=TEMPLATE)
    u4 = next(u for u in result.units if u.unit.code == "U4")
    assert u4.status is Status.INVALID and u4.rank is None and u4.total == D(60)  # provisional: I.2 refused

    # (40 + 37 + 34) / 3, not (40 + 37 + 34 + 0) / 4 = 27,75 with the refused 45 counted as 0
    averages = result.cluster_averages()
    assert result.averages()["I.2"] == D(37) and averages.basis("I.2") == 3 and averages.ranked == 3
    assert result.averages()["I"] == D(57) and averages.total == D(97) and averages.basis() == 3

    ctx = build_context(result)
    assert (ctx["avg_total"], ctx["max_total"], ctx["min_total"]) == ("97", "100", "94")  # not U4's 60
    assert ctx["avg_total_basis"] == ctx["avg_basis"] == "tính trên 03 đơn vị được xếp hạng"
    weakest = ctx["weakest"][0]
    assert (weakest["code"], weakest["average"], weakest["percent"], weakest["basis_note"]) == ("I.2", "37", "92,5", "")
    text = report_text(out / "bao_cao.docx")
    assert (
        "Tổng điểm bình quân của Cụm (tính trên 03 đơn vị được xếp hạng) đạt 97 điểm "
        "(cao nhất 100 điểm, thấp nhất 94 điểm)." in text
    )
    assert "theo từng nhóm tiêu chí (tính trên 03 đơn vị được xếp hạng):" in text
    assert "I.2. Triển khai phong trào thi đua: bình quân 37/40 điểm (92,5%)" in text

    summary = out / "tong_hop.xlsx"
    matrix = sheet(summary, "Chi tiết điểm")
    header = matrix[SUMMARY_HEADER_ROW]
    assert header[-1] == f"{AVERAGE} (3 đơn vị xếp hạng)"
    assert "UBND huyện Yên Định" in header  # U4's cells are still shown, outside the average
    by_code = {r[0]: r for r in matrix[SUMMARY_HEADER_ROW + 1 :]}
    assert by_code["I.2"][-1] == 37.0 and by_code["I"][-1] == 57.0
    assert next(r for r in matrix if r[1] == "TỔNG ĐIỂM")[-1] == 97.0
    chart = sheet(summary, "Biểu đồ")
    assert [r[1] for r in chart[SUMMARY_HEADER_ROW + 1 :]] == [u.unit.name for u in result.units if u.rank]
    assert "Không thể hiện 1 đơn vị chưa được xếp hạng" in chart[2][0]


def test_a_unit_ranked_with_errors_counts_for_its_valid_cells_only(tmp_path):
    book = make_book()
    out = tmp_path / "kq"
    result = ttdk_xl.consolidate(
        inbox_with_a_refused_score(tmp_path), book=book, out=out, rank_invalid=True, report_template=TEMPLATE
    )
    assert next(u for u in result.units if u.unit.code == "U4").rank == 4  # ranked on request, I.2 refused

    averages = result.cluster_averages()
    assert averages.ranked == 4
    assert (result.averages()["I.2"], averages.basis("I.2")) == (D(37), 3)  # not U4's refused cell
    assert (result.averages()["I.1"], averages.basis("I.1")) == (D(20), 4)  # U4's valid cell counts
    assert (averages.basis("I"), averages.basis("II")) == (3, 4)  # a group: the units whose cells are all valid
    assert (averages.total, averages.basis()) == (D(97), 3)

    ctx = build_context(result)
    assert ctx["avg_total_basis"] == "tính trên 03/04 đơn vị được xếp hạng có điểm hợp lệ ở mọi tiêu chí"
    assert ctx["avg_basis"].startswith("tính trên 04 đơn vị được xếp hạng; tiêu chí có ô điểm chưa hợp lệ")
    group_i = next(g for g in ctx["group_averages"] if g["code"] == "I")
    assert (group_i["average"], group_i["basis_note"]) == ("57", " (03 đơn vị có điểm hợp lệ)")
    assert "bình quân 37/40 điểm (92,5%) (03 đơn vị có điểm hợp lệ)" in report_text(out / "bao_cao.docx")

    ws = openpyxl.load_workbook(out / "tong_hop.xlsx")["Chi tiết điểm"]
    header = [c.value for c in ws[SUMMARY_HEADER_ROW + 1]]
    col = header.index(f"{AVERAGE} (4 đơn vị xếp hạng)") + 1
    rows = {ws.cell(r, 1).value: r for r in range(SUMMARY_HEADER_ROW + 2, ws.max_row + 1)}
    i2 = ws.cell(rows["I.2"], col)
    assert i2.value == 37 and i2.number_format.endswith('" (3)"')  # printed '37.00 (3)'
    assert "Tính trên 3/4 đơn vị" in i2.comment.text
    assert ws.cell(rows["I.1"], col).comment is None
