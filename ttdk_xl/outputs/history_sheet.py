"""The `Qua các năm` sheet of tong_hop.xlsx (only when the result has a history): per unit its total and rank
in each year, the change from last year with arrows, why it is or is not proposed; the criteria groups'
cluster averages over the years; a chart of the totals.

A merged unit's earlier years are shown as its parts': one grey row per former unit under it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ttdk_xl.core.layout import SUMMARY_HEADER_ROW, SUMMARY_HISTORY_SHEET
from ttdk_xl.core.models import PastResult
from ttdk_xl.history.trend import DOWN, UP, trends

HISTORY_SHEET = SUMMARY_HISTORY_SHEET
CHART_MAX_SERIES = 30  # the chart draws at most this many units (the first in rank order)
GREEN, RED, GREY = ("#C6EFCE", "#006100"), ("#FFC7CE", "#9C0006"), "#595959"


def write_history_sheet(w: Any) -> None:
    """Add the sheet to the summary writer `w` (outputs.summary._Writer); nothing without a history."""
    result = w.result
    history = result.history
    if history is None:
        return
    book = result.book
    ts = trends(result)
    years = sorted({y for t in ts for y in t.years} | set(history.years))
    if not years:
        years = [book.year]
    fixed = ["STT", "Mã đơn vị", "Đơn vị"]
    per_year = [h for y in years for h in (f"Tổng điểm {y}", f"Hạng {y}")]
    tail = [f"Tăng, giảm điểm so với {book.year - 1}", "Thay đổi hạng", "Xét đề nghị khen thưởng", "Ghi chú"]
    heads = fixed + per_year + tail
    widths = [5, 10, 26] + [9, 6.5] * len(years) + [11, 9, 40, 30]
    ws = w.sheet(HISTORY_SHEET, widths)
    note = f"Các năm {years[0]}–{years[-1]}: các năm trước từ thư mục lich_su/, năm {book.year} từ kết quả năm nay."
    if history.findings:
        note += f" Có {len(history.findings)} dòng lịch sử không dùng được: xem cuối trang này."
    w.title(ws, len(heads), f"KẾT QUẢ THI ĐUA QUA CÁC NĂM {years[0]}–{years[-1]}", note)
    w.headers(ws, heads, height=45)
    s = w.s
    num, center, text = s(num_format=w.num), s(align="center"), s(text_wrap=True)
    part_num = s(num_format=w.num, italic=True, font_color=GREY)
    part_center, part_text = s(align="center", italic=True, font_color=GREY), s(italic=True, font_color=GREY)
    arrows = {UP: s.coloured(GREEN, align="center", bold=True), DOWN: s.coloured(RED, align="center", bold=True)}
    first_col = len(fixed)
    r = SUMMARY_HEADER_ROW
    for i, t in enumerate(ts, 1):
        r += 1
        eligibility = history.eligibility.get(t.unit.code, "")
        w.fit(ws, r, {len(heads) - 2: eligibility, len(heads) - 1: t.note, 2: t.unit.name})
        ws.write_number(r, 0, i, center)
        ws.write_string(r, 1, t.unit.code, center)
        ws.write_string(r, 2, t.unit.name, text)
        for j, y in enumerate(years):
            rows = t.years.get(y, ())
            c = first_col + 2 * j
            if len(rows) == 1:
                w.number(ws, r, c, rows[0].total, num)
                _rank(ws, r, c + 1, rows[0], center)
            elif rows:
                ws.merge_range(r, c, r, c + 1, "hợp nhất ↓", part_center)
            else:
                ws.write_blank(r, c, None, num)
                ws.write_blank(r, c + 1, None, center)
        c = first_col + 2 * len(years)
        w.number(ws, r, c, t.change_total, s(num_format='+0.##;-0.##;"0"', align="center"))
        ws.write_string(r, c + 1, t.rank_text(), arrows.get(t.arrow, center))
        ws.write_string(r, c + 2, eligibility, text)
        ws.write_string(r, c + 3, t.note, text)
        parts = sorted(
            {p.code: p for rows in t.years.values() if len(rows) > 1 for p in rows}.values(), key=lambda p: p.code
        )
        for p in parts:  # a merged unit: its former units' own years
            r += 1
            ws.write_blank(r, 0, None, part_center)
            ws.write_string(r, 1, p.code, part_center)
            ws.write_string(r, 2, f"↳ {p.name or p.code}", part_text)
            for j, y in enumerate(years):
                mine = [q for q in t.years.get(y, ()) if q.code == p.code]
                c = first_col + 2 * j
                w.number(ws, r, c, mine[0].total if mine else None, part_num)
                _rank(ws, r, c + 1, mine[0] if mine else None, part_center)
            for k in range(4):
                ws.write_blank(r, first_col + 2 * len(years) + k, None, part_text)
    ws.freeze_panes(SUMMARY_HEADER_ROW + 1, 3)

    # The criteria groups' cluster averages over the years (a year without group scores: blank).
    groups = [c for c in book.criteria if c.is_group and c.parent is None]
    r += 2
    ws.write_string(r, 2, "Bình quân của Cụm theo nhóm tiêu chí", s(cell=False, bold=True))
    r += 1
    ws.write_string(r, 1, "Nhóm", s.header())
    ws.write_string(r, 2, "Nội dung", s.header())
    for j, y in enumerate(years):
        ws.merge_range(r, first_col + 2 * j, r, first_col + 2 * j + 1, str(y), s.header())
    every = [p for t in ts for rows in t.years.values() for p in rows]
    for code, name in [(g.code, g.text) for g in groups] + [("", "Tổng điểm")]:
        r += 1
        ws.write_string(r, 1, code, center)
        ws.write_string(r, 2, name, text)
        for j, y in enumerate(years):
            values = [p.groups.get(code) if code else p.total for p in every if p.year == y]
            known = [v for v in values if v is not None]
            avg = (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.01"), ROUND_HALF_UP) if known else None
            ws.merge_range(r, first_col + 2 * j, r, first_col + 2 * j + 1, "", num)
            if avg is not None:
                ws.write_number(r, first_col + 2 * j, float(avg), num)

    # The chart's numbers (each unit's totals, a merged unit's parts summed nowhere: blank), then the chart.
    r += 2
    ws.write_string(r, 2, "Số liệu biểu đồ: tổng điểm qua các năm", s(cell=False, bold=True))
    r += 1
    data_head = r
    ws.write_string(r, 2, "Đơn vị", s.header())
    for j, y in enumerate(years):
        ws.write_string(r, first_col + j, str(y), s.header())
    chart = w.wb.add_chart({"type": "line"})
    font = {"name": "Times New Roman", "size": 10}
    last_col = first_col + len(years) - 1
    for t in ts[:CHART_MAX_SERIES]:
        r += 1
        ws.write_string(r, 2, t.unit.name, text)
        for j, y in enumerate(years):
            rows = t.years.get(y, ())
            w.number(ws, r, first_col + j, rows[0].total if len(rows) == 1 else None, num)
        chart.add_series(
            {
                "name": [HISTORY_SHEET, r, 2],
                "categories": [HISTORY_SHEET, data_head, first_col, data_head, last_col],
                "values": [HISTORY_SHEET, r, first_col, r, last_col],
                "marker": {"type": "circle", "size": 5},
            }
        )
    title_font = {"name": "Times New Roman", "size": 13, "bold": True}
    chart.set_title({"name": "Tổng điểm qua các năm", "name_font": title_font})
    chart.set_legend({"position": "right", "font": font})
    chart.set_x_axis({"num_font": font})
    totals = [p.total for t in ts[:CHART_MAX_SERIES] for rows in t.years.values() for p in rows if p.total is not None]
    low = max(0, int(min(totals)) // 10 * 10 - 10) if totals else 0  # the lines apart, not squeezed at the top
    chart.set_y_axis({"min": low, "num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_size({"width": 760, "height": 360})
    r += 2
    ws.insert_chart(r, 1, chart)
    r += 19
    if history.findings:
        ws.write_string(r, 1, "Dòng lịch sử không dùng được", s(cell=False, bold=True))
        for f in history.findings:
            r += 1
            where = " › ".join(x for x in (f.file, f.sheet, f.cell) if x)
            ws.write_string(r, 1, f.severity.value, s.coloured(RED if f.blocking else None))
            ws.merge_range(r, 2, r, len(heads) - 1, f"{where}: {f.message} {f.fix}", s(text_wrap=True))


def _rank(ws: Any, r: int, c: int, p: PastResult | None, fmt: Any) -> None:
    if p is not None and p.rank is not None:
        ws.write_number(r, c, p.rank, fmt)
    else:
        ws.write_blank(r, c, None, fmt)
