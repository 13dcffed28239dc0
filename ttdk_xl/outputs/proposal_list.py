"""danh_sach_de_nghi.xlsx: the list annex of the Tờ trình (units proposed for an award, achievements, votes).

One sheet, printed on A4 landscape: the two-column heading, the title and "Kèm theo Tờ trình số …", a table
(STT, unit, achievement summary, award, acclaim, votes, rate) whose header row repeats on each page, then the
signature. Written from the dossier's context (outputs.dossier.dossier_context), so it says what the Tờ trình
says.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ttdk_xl.core.atomic import atomic_path
from ttdk_xl.core.models import Result
from ttdk_xl.core.rowfit import fit_height, text_lines

LIST_SHEET = "Danh sách đề nghị"
HEADERS = (
    "STT",
    "Tên đơn vị",
    "Tóm tắt thành tích",
    "Hình thức khen thưởng đề nghị",
    "Suy tôn",
    "Số phiếu đồng ý / phiếu hợp lệ",
    "Tỷ lệ (%)",
)
WIDTHS = (5, 24, 50, 24, 8, 12, 8)  # about the width of A4 landscape at 12 pt


def write_proposal_list(result: Result, ctx: dict[str, Any], path: Path) -> Path:
    """Write the list annex to `path` atomically; `ctx` is outputs.dossier.dossier_context(result, count)."""
    import xlsxwriter

    book = result.book
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    last = len(HEADERS) - 1
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        wb.set_properties(
            {
                "title": f"Danh sách đề nghị khen thưởng — {ctx['cluster_name']} năm {ctx['year']}",
                "author": "ttdk-xl",
                "created": datetime(book.year, 12, 31),
            }
        )  # fmt: skip  (not the clock: the same inputs give the same bytes)
        font = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
        f_center = wb.add_format({**font, "align": "center"})
        f_bold_center = wb.add_format({**font, "bold": True, "align": "center"})
        f_title = wb.add_format({**font, "bold": True, "align": "center", "font_size": 14})
        f_italic = wb.add_format({**font, "italic": True, "align": "center", "text_wrap": True})
        f_mark = wb.add_format({**font, "italic": True, "align": "center", "text_wrap": True, "bg_color": "#FFFF00"})
        f_head = wb.add_format(
            {**font, "bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"}
        )
        f_cell = wb.add_format({**font, "border": 1, "align": "center", "text_wrap": True})
        f_left = wb.add_format({**font, "border": 1, "text_wrap": True})
        f_name = wb.add_format({**font, "border": 1, "bold": True, "text_wrap": True})
        f_empty = wb.add_format({**font, "border": 1, "italic": True, "align": "center"})

        ws = wb.add_worksheet(LIST_SHEET)
        for j, width in enumerate(WIDTHS):
            ws.set_column(j, j, width)
        ws.set_landscape()
        ws.set_paper(9)
        ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_footer('&C&"Times New Roman"&11Trang &P/&N')

        # The two-column heading (Decree 30/2020): issuing body left, the national title right.
        ws.merge_range(0, 0, 0, 2, ctx["parent_body_upper"], f_center)
        ws.merge_range(1, 0, 1, 2, ctx["cluster_name_upper"], f_bold_center)
        ws.merge_range(0, 3, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f_bold_center)
        ws.merge_range(1, 3, 1, last, "Độc lập - Tự do - Hạnh phúc", f_bold_center)
        ws.merge_range(3, 0, 3, last, "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", f_title)
        ws.merge_range(
            4, 0, 4, last,
            f"Đề nghị Chủ tịch {ctx['parent_body']} khen thưởng các đơn vị của {ctx['cluster_name']} "
            f"có thành tích xuất sắc trong phong trào thi đua năm {ctx['year']}",
            wb.add_format({**font, "bold": True, "align": "center", "text_wrap": True}),
        )  # fmt: skip
        ws.set_row(4, 34)
        number = ctx["ttr_number"]
        if number:
            ws.merge_range(5, 0, 5, last, f"(Kèm theo Tờ trình số {number} của {ctx['head_body']})", f_italic)
        else:
            ws.merge_range(5, 0, 5, last, f"(Kèm theo Tờ trình số …/TTr-CTĐ ngày … của {ctx['head_body']})", f_mark)

        head_row = 7
        for j, text in enumerate(HEADERS):
            ws.write_string(head_row, j, text, f_head)
        ws.set_row(head_row, 34)
        ws.repeat_rows(head_row)
        row = head_row + 1
        proposed = ctx["proposed"]
        for i, v in enumerate(proposed, 1):
            ws.write_number(row, 0, i, f_cell)
            ws.write_string(row, 1, v["name"], f_name)
            ws.write_string(row, 2, v["summary"], f_left)
            ws.write_string(row, 3, v["award"], f_cell)
            ws.write_string(row, 4, v["place"], f_cell)
            ws.write_string(row, 5, f"{v['votes']}/{v['valid']}", f_cell)
            ws.write_string(row, 6, v["percent"], f_cell)
            lines = max(
                text_lines(v["summary"], WIDTHS[2]), text_lines(v["award"], WIDTHS[3]), text_lines(v["name"], WIDTHS[1])
            )
            ws.set_row(row, fit_height(lines))
            row += 1
        if not proposed:
            ws.merge_range(row, 0, row, last, "Không có đơn vị được đề nghị khen thưởng.", f_empty)
            row += 1
        ws.merge_range(
            row, 0, row, last,
            f"(Danh sách có {len(proposed):02d} đơn vị, theo kết quả bỏ phiếu suy tôn tại Hội nghị "
            f"{ctx['cluster_name']} {ctx['vote_date_words']}.)",
            wb.add_format({**font, "italic": True}),
        )  # fmt: skip

        # Signature, right
        row += 2
        ws.merge_range(
            row,
            3,
            row,
            last,
            f"{ctx['place']}, {ctx['date_words']}",
            wb.add_format({**font, "italic": True, "align": "center"}),
        )
        ws.merge_range(row + 1, 3, row + 1, last, ctx["sign_authority"], f_bold_center)
        ws.merge_range(row + 2, 3, row + 2, last, ctx["signer_title"], f_bold_center)
        signer = ctx["signer"]
        fmt = (
            f_bold_center if signer else wb.add_format({**font, "bold": True, "align": "center", "bg_color": "#FFFF00"})
        )
        ws.merge_range(row + 7, 3, row + 7, last, signer or "[Họ và tên người ký]", fmt)
        ws.set_row(row + 2, fit_height(text_lines(ctx["signer_title"], sum(WIDTHS[3:]))))
        ws.print_area(0, 0, row + 7, last)
        wb.close()
    return path
