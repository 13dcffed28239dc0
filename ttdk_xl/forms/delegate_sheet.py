"""The sheet `Đăng ký đại biểu` of a unit's workbook, where the unit registers its conference delegates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ttdk_xl.core.layout import DELEGATE_EXTRA_ROWS, DELEGATE_HEADER_ROW, DELEGATE_HEADERS, DELEGATE_SHEET
from ttdk_xl.core.models import Book, Unit
from ttdk_xl.core.text import nfc


def write_delegate_sheet(wb: Any, fmt: dict[str, Any], book: Book, unit: Unit, delegates: Sequence[tuple] = ()) -> Any:
    """Add `Đăng ký đại biểu` to a unit workbook (xlsxwriter), optionally pre-filled with
    (name, title, phone, note) tuples. Input cells are unlocked; the phone column is text."""
    seats = book.seats_per_unit
    ws = wb.add_worksheet(DELEGATE_SHEET)
    ws.set_column("A:A", 10)
    ws.set_column("B:B", 28)
    ws.set_column("C:C", 28)
    ws.set_column("D:D", 16)
    ws.set_column("E:E", 26)
    title = wb.add_format(
        {"font_name": "Times New Roman", "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"}
    )
    title.set_text_wrap()
    ws.set_row(0, 40)
    ws.merge_range(
        "A1:E1", f"ĐĂNG KÝ ĐẠI BIỂU DỰ HỘI NGHỊ TỔNG KẾT CÔNG TÁC THI ĐUA, KHEN THƯỞNG NĂM {book.year}", title
    )
    ws.merge_range("A2:E2", f"{book.cluster_name} - {book.parent_body}", fmt["subtitle"])
    ws.write_string("A4", "Đơn vị:", fmt["label"])
    ws.merge_range("B4:E4", unit.name, fmt["label"])
    ws.write_string("A5", "Gửi về:", fmt["label"])
    ws.merge_range(
        "B5:E5", f"{book.head_unit} (Cụm trưởng), sau khi có thông báo thời gian tổ chức Hội nghị", fmt["text"]
    )
    ws.write_string("A6", "Số lượng:", fmt["label"])
    ws.merge_range(
        "B6:E6",
        f"Tối đa {seats} đại biểu mỗi đơn vị; mỗi người một dòng, số điện thoại di động 10 số (ví dụ 0912 345 678).",
        fmt["text"],
    )
    ws.write_string("A7", "Kiểm tra:", fmt["label"])
    n_rows = seats + DELEGATE_EXTRA_ROWS
    first, last = DELEGATE_HEADER_ROW + 1, DELEGATE_HEADER_ROW + n_rows  # 0-based data rows
    names = f"B{first + 1}:B{last + 1}"
    count = f"COUNTA({names})"
    status = (
        f'=IF({count}=0,"Chưa đăng ký đại biểu nào",IF({count}>{seats},"Quá số đại biểu cho phép: "&{count}&"/{seats}",'
        f'"Đã đăng ký "&{count}&"/{seats} đại biểu"))'
    )
    n = sum(1 for d in delegates if nfc(d[0]))
    cached = (
        "Chưa đăng ký đại biểu nào"
        if n == 0
        else (f"Quá số đại biểu cho phép: {n}/{seats}" if n > seats else f"Đã đăng ký {n}/{seats} đại biểu")
    )
    ws.merge_range("B7:E7", "", fmt["status"])
    ws.write_formula("B7", status, fmt["status"], cached)
    ws.set_row(DELEGATE_HEADER_ROW, 24)
    for col, text in enumerate(DELEGATE_HEADERS):
        ws.write_string(DELEGATE_HEADER_ROW, col, text, fmt["header"])
    phone_fmt = wb.add_format(
        {
            "font_name": "Times New Roman",
            "font_size": 12,
            "valign": "vcenter",
            "align": "center",
            "num_format": "@",
            "locked": False,
            "bg_color": "#FFFFF0",
            "border": 1,
        }
    )
    for i in range(n_rows):
        r = first + i
        ws.set_row(r, 22)
        ws.write_number(r, 0, i + 1, fmt["code"])
        values = tuple(delegates[i]) + ("",) * 4 if i < len(delegates) else ("",) * 4
        for col, value in enumerate(values[:4], start=1):
            style = phone_fmt if col == 3 else fmt["input_text"]
            if nfc(value):
                ws.write_string(r, col, nfc(value), style)
            else:
                ws.write_blank(r, col, None, style)
    ws.data_validation(
        first,
        1,
        last,
        1,
        {
            "validate": "length",
            "criteria": "between",
            "minimum": 2,
            "maximum": 80,
            "input_title": "Họ và tên",
            "input_message": "Họ và tên đầy đủ, có dấu (ví dụ Nguyễn Văn An).",
            "error_type": "warning",
        },
    )
    d = f"D{first + 1}"
    digits = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({d}," ",""),".",""),"-",""),"+84","0")'
    ws.data_validation(
        first,
        3,
        last,
        3,
        {
            "validate": "custom",
            "value": f'=AND(LEFT({digits},1)="0",LEN({digits})>=10,LEN({digits})<=11)',
            "ignore_blank": True,
            "input_title": "Số điện thoại",
            "input_message": "Số di động 10 số (ví dụ 0912 345 678) hoặc số cố định 11 số (ví dụ 0237 3852 123).",
            "error_title": "Số điện thoại chưa đúng",
            "error_message": "Số điện thoại Việt Nam có 10 số (di động) hoặc 11 số (cố định), bắt đầu bằng 0.",
            "error_type": "warning",
        },
    )
    ws.conditional_format(
        first,
        3,
        last,
        3,
        {
            "type": "formula",
            "criteria": f'=AND(LEN(TRIM({d}))>0,OR(LEFT({digits},1)<>"0",LEN({digits})<10,LEN({digits})>11))',
            "format": fmt["bad"],
        },
    )
    ws.protect("", {"format_columns": True, "format_rows": True})
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    ws.print_area(0, 0, last, 4)
    return ws
