"""`lich_su/lich_su.xlsx`, empty: the sheet the office fills by hand for the years before the tool, and the
code map (old code → today's code) for renamed and merged units. Formatted, with drop-downs and checks."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ttdk_xl.core.atomic import atomic_path
from ttdk_xl.core.models import ROLE_DEPUTY, ROLE_HEAD, Book
from ttdk_xl.history.files import CODE_COLUMNS, SHEET_CODES, SHEET_YEARS, YEAR_COLUMNS

ROWS = 300  # rows checked (drop-downs, numbers)
SHOWN = 30  # rows ruled as a table to fill in
GUIDE = (
    "Cách điền tệp lịch sử (lich_su.xlsx)",
    "",
    "Trang “Kết quả các năm”: kết quả thi đua của Cụm các năm trước khi dùng ttdk-xl, mỗi đơn vị mỗi năm một dòng.",
    "• Năm: 4 chữ số (chỉ các năm đã qua). Mã đơn vị: mã đơn vị năm đó (mã cũ cũng được).",
    "• Tổng điểm, Xếp hạng: số (để trống nếu không có). Xếp loại, Khen thưởng: như quyết định năm đó.",
    f"• Vai trò trong Cụm: “{ROLE_HEAD}”, “{ROLE_DEPUTY}” hoặc để trống — dùng để đề xuất Cụm trưởng năm sau.",
    "",
    "Trang “Đổi mã đơn vị”: đơn vị đổi tên, đổi mã hoặc hợp nhất (sắp xếp đơn vị hành chính 2025).",
    "• Mỗi mã cũ một dòng; đơn vị hợp nhất từ nhiều đơn vị: mỗi đơn vị cũ một dòng, cùng một mã mới.",
    "• Mã mới phải là mã trong trang “Đơn vị” của bộ tiêu chí năm nay.",
    "",
    "Các năm đã tổng hợp bằng ttdk-xl không cần gõ lại: bước sang năm mới tự lưu vào lich_su/<năm>/;",
    "kết quả cũ (ket_qua.json hoặc tong_hop.xlsx) có thể chép vào thư mục lich_su/<năm>/.",
    "Kiểm tra: ttdk-xl lich-su (trong thư mục năm) — dòng nào sai sẽ được chỉ rõ ô và cách sửa.",
)


def write_history_template(book: Book, path: Path) -> Path:
    """Write the empty, formatted, checked history workbook for `book`'s cluster to `path` (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        font = {"font_name": "Times New Roman", "font_size": 12}
        head = wb.add_format(
            font
            | {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        cell = wb.add_format(font | {"border": 1, "border_color": "#808080"})
        number = wb.add_format(font | {"border": 1, "border_color": "#808080", "num_format": "0.##"})
        centered = wb.add_format(font | {"border": 1, "border_color": "#808080", "align": "center"})

        ws = wb.add_worksheet(SHEET_YEARS)
        widths = (8, 12, 30, 11, 9, 13, 34, 16)
        formats = (centered, centered, cell, number, centered, cell, cell, cell)
        for c, (w, f) in enumerate(zip(widths, formats, strict=True)):
            ws.set_column(c, c, w, f)
        ws.set_row(0, 32)
        for c, text in enumerate(YEAR_COLUMNS):
            ws.write_string(0, c, text, head)
        ws.freeze_panes(1, 0)
        _page(ws)
        for r in range(1, SHOWN + 1):  # a ruled table to fill in (the checks below reach further)
            for c, f in enumerate(formats):
                ws.write_blank(r, c, None, f)
        last = ROWS
        years = {
            "validate": "integer",
            "criteria": "between",
            "minimum": 1990,
            "maximum": book.year - 1,
            "input_title": "Năm",
            "input_message": f"Năm đã qua, trước {book.year}.",
            "error_message": f"Ghi năm bằng 4 chữ số, trước {book.year}.",
        }
        ws.data_validation(1, 0, last, 0, years)
        ws.data_validation(
            1,
            3,
            last,
            3,
            {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "error_message": "Tổng điểm là một số không âm (ví dụ 87,5).",
            },
        )
        ws.data_validation(
            1,
            4,
            last,
            4,
            {"validate": "integer", "criteria": ">=", "value": 1, "error_message": "Xếp hạng là số nguyên từ 1."},
        )
        if book.levels:
            ws.data_validation(
                1,
                5,
                last,
                5,
                {
                    "validate": "list",
                    "source": [lv.name for lv in book.levels],
                    "error_type": "warning",
                    "error_message": "Mức không có trong bộ tiêu chí năm nay.",
                },
            )
        ws.data_validation(
            1,
            7,
            last,
            7,
            {
                "validate": "list",
                "source": [ROLE_HEAD, ROLE_DEPUTY],
                "error_message": f"Chọn “{ROLE_HEAD}”, “{ROLE_DEPUTY}” hoặc để trống.",
            },
        )

        ws = wb.add_worksheet(SHEET_CODES)
        code_formats = (centered, cell, centered, centered, cell)
        for c, w in enumerate((12, 34, 12, 10, 34)):
            ws.set_column(c, c, w, code_formats[c])
        ws.set_row(0, 32)
        for c, text in enumerate(CODE_COLUMNS):
            ws.write_string(0, c, text, head)
        ws.freeze_panes(1, 0)
        _page(ws)
        for r in range(1, SHOWN + 1):
            for c, f in enumerate(code_formats):
                ws.write_blank(r, c, None, f)
        codes = [u.code for u in book.units]
        if codes and sum(len(c) + 1 for c in codes) < 250:  # Excel: a list typed in the rule holds 255 characters
            ws.data_validation(
                1,
                2,
                last,
                2,
                {
                    "validate": "list",
                    "source": codes,
                    "error_message": "Mã mới phải là mã đơn vị của bộ tiêu chí năm nay.",
                },
            )
        ws.data_validation(
            1,
            3,
            last,
            3,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": 1990,
                "maximum": book.year,
                "error_message": "Năm bằng 4 chữ số.",
            },
        )

        ws = wb.add_worksheet("Hướng dẫn")
        ws.set_column(0, 0, 120, wb.add_format(font | {"text_wrap": True, "valign": "top"}))
        for r, text in enumerate(GUIDE):
            ws.write_string(r, 0, text, wb.add_format(font | {"bold": True, "font_size": 14}) if r == 0 else None)
        _page(ws)
        wb.close()
    return path


def _page(ws) -> None:
    """A4 landscape, one page wide, the header row on every page."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(0)
