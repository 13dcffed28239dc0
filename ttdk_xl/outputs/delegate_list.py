"""`dai_bieu.xlsx`: the conference's delegates by unit, counts, units that registered none or too many,
a seating list, printable name cards and the findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ttdk_xl.core.atomic import atomic_path
from ttdk_xl.core.finding_labels import label
from ttdk_xl.core.gc_pause import gc_paused
from ttdk_xl.core.models import Delegate
from ttdk_xl.core.rowfit import fit_height, text_lines
from ttdk_xl.outputs import xlsx_fast
from ttdk_xl.outputs.xlsx_fast import use_fast_sheets
from ttdk_xl.rules.delegates import REGISTERED, SEATING_RULE, TOO_MANY, DelegateList, seating

# Output workbook
LIST_SHEET = "Danh sách đại biểu"
COUNT_SHEET = "Theo đơn vị"
CHECK_SHEET = "Kiểm tra"
SEATING_SHEET = "Xếp chỗ ngồi"
CARDS_SHEET = "Bảng tên"
OUT_SHEETS = (LIST_SHEET, COUNT_SHEET, CHECK_SHEET, SEATING_SHEET, CARDS_SHEET)
CARD_WIDTH = 42  # characters: a name card, two across an A4 page
CARDS_PAGE_HEIGHT = 770.0  # points of an A4 page within the cards' margins: five cards of the usual size


def write_delegates(dl: DelegateList, path: Path) -> Path:
    """Write dai_bieu.xlsx atomically."""
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        fast = xlsx_fast.wanted(len(dl.units))  # a province: the fast sheets and no collector passes
        use_fast_sheets(wb, len(dl.units))  # same bytes, faster for a province
        with gc_paused(fast):
            try:
                _Out(wb, dl).write()
            finally:
                wb.close()
    return path


@dataclass
class _Out:
    wb: Any
    dl: DelegateList
    cache: dict = field(default_factory=dict)
    widths: tuple[float, ...] = ()  # of the sheet being written
    people: list[Delegate] = field(default_factory=list)
    fast: dict = field(default_factory=dict)  # the call's own keyword order → format (called per cell)

    def f(self, **props) -> Any:
        found = self.fast.get(call := tuple(props.items()))
        if found is not None:
            return found
        base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
        key = tuple(sorted({**base, **props}.items()))
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(dict(key))
        self.fast[call] = self.cache[key]
        return self.cache[key]

    def cell(self, **props) -> Any:
        return self.f(border=1, border_color="#808080", **props)

    def write(self) -> None:
        self.wb.set_properties(
            {
                "title": f"Đăng ký đại biểu Hội nghị năm {self.dl.book.year}",
                "author": "ttdk-xl",
                "created": datetime(self.dl.book.year, 12, 31),  # not the clock: same inputs, same bytes
            }
        )
        self.people = seating(self.dl)  # seat order, for the seating list and the name cards
        self.list_sheet()
        self.count_sheet()
        self.check_sheet()
        self.seating_sheet()
        self.cards_sheet()

    def sheet(self, name: str, widths: Sequence[float], title: str, note: str, landscape: bool = False) -> Any:
        ws = self.wb.add_worksheet(name)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        book = self.dl.book
        n = len(widths)
        ws.merge_range(0, 0, 0, n - 1, title, self.f(bold=True, font_size=14, align="center"))
        ws.merge_range(
            0 + 1, 0, 1, n - 1, f"{book.cluster_name} - {book.parent_body}", self.f(align="center", bold=True)
        )
        ws.merge_range(2, 0, 2, n - 1, note, self.f(italic=True, align="center", font_color="#404040", text_wrap=True))
        ws.set_row(2, fit_height(text_lines(note, sum(widths))))
        ws.set_paper(9)
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        ws.repeat_rows(3)
        self.widths = tuple(widths)
        ws.set_footer('&L&"Times New Roman"&9&A&R&"Times New Roman"&9Trang &P/&N')
        return ws

    def headers(self, ws: Any, headers: Sequence[str]) -> None:
        ws.set_row(3, 30)
        for c, h in enumerate(headers):
            ws.write_string(3, c, h, self.cell(bold=True, align="center", text_wrap=True, bg_color="#D9E1F2"))

    def fit(self, ws: Any, r: int, cells: dict[int, str], bold: Sequence[int] = (), small: Sequence[int] = (),
            minimum: float = 0) -> None:  # fmt: skip
        """Set row r's height for its wrapped texts (`small`: columns in 10-point type), before its cells are
        written: neither Excel nor LibreOffice grows the rows of a generated file, so a long title would be drawn
        over the next row."""
        height = minimum
        for c, text in cells.items():
            size = 10 if c in small else 12
            lines = text_lines(text, self.widths[c], size, c in bold) if text else 1
            if lines > 1:
                height = max(height, fit_height(lines, size))
        if height:
            ws.set_row(r, height)

    def list_sheet(self) -> None:
        dl = self.dl
        heads = ("STT", "Đơn vị", "Họ và tên", "Chức vụ", "Số điện thoại", "Ghi chú")
        n = len(dl.delegates)
        units = sum(1 for u in dl.units if u.delegates)
        ws = self.sheet(
            LIST_SHEET,
            (5, 24, 24, 28, 14, 22),
            f"DANH SÁCH ĐẠI BIỂU DỰ HỘI NGHỊ TỔNG KẾT NĂM {dl.book.year}",
            f"{n} đại biểu của {units}/{len(dl.units)} đơn vị",
            landscape=True,
        )
        self.headers(ws, heads)
        r = 3
        center, wrap, name = self.cell(align="center"), self.cell(text_wrap=True), self.cell(bold=True, text_wrap=True)
        for i, d in enumerate(dl.delegates, start=1):
            r += 1
            phone = center if d.phone_ok else self.cell(align="center", bg_color="#FFC7CE")
            self.fit(ws, r, {1: d.unit_name, 2: d.name, 3: d.title, 4: d.phone, 5: d.note}, bold=(2,))
            ws.put_row(
                r,
                ((0, i, center), (1, d.unit_name, wrap), (2, d.name, name), (3, d.title, wrap), (4, d.phone, phone),
                 (5, d.note, wrap)),
            )  # fmt: skip
        if not n:
            r += 1
            ws.merge_range(r, 0, r, len(heads) - 1, "Chưa có đại biểu nào đăng ký.", self.cell(italic=True))
        ws.freeze_panes(4, 0)
        ws.autofilter(3, 0, max(r, 3), len(heads) - 1)

    def count_sheet(self) -> None:
        dl = self.dl
        heads = ("STT", "Mã đơn vị", "Đơn vị", "Số đại biểu", "Tối đa", "Tình trạng", "Tệp")
        seats = dl.book.seats_per_unit
        bad = sum(1 for u in dl.units if u.status != REGISTERED)
        ws = self.sheet(
            COUNT_SHEET,
            (5, 9, 28, 10, 8, 22, 34),
            "SỐ ĐẠI BIỂU ĐĂNG KÝ THEO ĐƠN VỊ",
            f"Tối đa {seats} đại biểu mỗi đơn vị; {bad} đơn vị cần liên hệ (chưa đăng ký, quá số lượng hoặc chưa nộp)",
            landscape=True,
        )
        self.headers(ws, heads)
        colours = {REGISTERED: ("#C6EFCE", "#006100"), TOO_MANY: ("#FFC7CE", "#9C0006")}
        r = 3
        center, plain, wrap = self.cell(align="center"), self.cell(), self.cell(text_wrap=True)
        count, file = self.cell(align="center", bold=True), self.cell(text_wrap=True, font_size=10)
        for i, u in enumerate(dl.units, start=1):
            r += 1
            bg, fg = colours.get(u.status, ("#FFEB9C", "#7F6000"))
            status = self.cell(align="center", bg_color=bg, font_color=fg)
            self.fit(ws, r, {2: u.unit.name, 5: u.status, 6: u.file}, small=(6,))
            ws.put_row(
                r,
                ((0, i, center), (1, u.unit.code, plain), (2, u.unit.name, wrap), (3, len(u.delegates), count),
                 (4, seats, center), (5, u.status, status), (6, u.file, file)),
            )  # fmt: skip
        r += 1
        ws.merge_range(r, 0, r, 2, "Tổng cộng", self.cell(bold=True, align="center"))
        ws.write_number(r, 3, len(dl.delegates), self.cell(bold=True, align="center"))
        ws.write_number(r, 4, seats * len(dl.units), self.cell(align="center"))
        ws.write_blank(r, 5, None, self.cell())
        ws.write_blank(r, 6, None, self.cell())
        ws.freeze_panes(4, 0)

    def check_sheet(self) -> None:
        findings = self.dl.findings
        heads = ("STT", "Tệp", "Đơn vị", "Trang tính", "Ô", "Loại lỗi (mã)", "Mức độ", "Nội dung", "Cách khắc phục")
        ws = self.sheet(
            CHECK_SHEET,
            (5, 22, 20, 14, 6, 22, 9, 44, 36),
            "KIỂM TRA ĐĂNG KÝ ĐẠI BIỂU",
            f"{len(findings)} vấn đề" if findings else "Không có vấn đề nào.",
            landscape=True,
        )
        self.headers(ws, heads)
        r = 3
        center, text = self.cell(align="center"), self.cell(text_wrap=True, font_size=10)
        for i, f in enumerate(findings, start=1):
            r += 1
            kind = f"{label(f.code)} ({f.code})"
            texts = {1: f.file, 2: f.unit_name, 3: f.sheet, 4: f.cell, 5: kind, 6: f.severity.value, 7: f.message,
                     8: f.fix}  # fmt: skip
            self.fit(ws, r, texts, small=tuple(texts))
            ws.put_row(
                r,
                ((0, i, center), (1, f.file, text), (2, f.unit_name, text), (3, f.sheet, text), (4, f.cell, text),
                 (5, kind, text), (6, f.severity.value, text), (7, f.message, text),
                 (8, f.fix, text)),
            )  # fmt: skip
        ws.freeze_panes(4, 0)
        ws.autofilter(3, 0, max(r, 3), len(heads) - 1)

    def seating_sheet(self) -> None:
        heads = ("Số ghế", "Họ và tên", "Chức vụ", "Đơn vị", "Ký tên")
        ws = self.sheet(SEATING_SHEET, (7, 26, 30, 26, 14), "DANH SÁCH XẾP CHỖ NGỒI", SEATING_RULE)
        self.headers(ws, heads)
        r = 3
        number, name = self.cell(align="center", bold=True), self.cell(bold=True, text_wrap=True)
        wrap, plain = self.cell(text_wrap=True), self.cell()
        for seat, d in enumerate(self.people, start=1):
            r += 1
            self.fit(ws, r, {1: d.name, 2: d.title, 3: d.unit_name}, bold=(1,), minimum=26)
            ws.put_row(r, ((0, seat, number), (1, d.name, name), (2, d.title, wrap), (3, d.unit_name, wrap),
                           (4, None, plain)))  # fmt: skip
        ws.freeze_panes(4, 0)

    def cards_sheet(self) -> None:
        """Name cards in seat order, two to a row, five rows to an A4 page (fewer when long texts make them taller):
        unit, NAME, title; seat number in a corner."""
        ws = self.wb.add_worksheet(CARDS_SHEET)
        ws.set_paper(9)
        ws.set_portrait()
        ws.set_margins(left=0.4, right=0.4, top=0.4, bottom=0.4)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_column(0, 0, CARD_WIDTH)
        ws.set_column(1, 1, 2)
        ws.set_column(2, 2, CARD_WIDTH)
        ws.hide_gridlines(2)
        top = {"top": 2, "left": 2, "right": 2, "align": "center", "text_wrap": True}
        mid = {"left": 2, "right": 2, "align": "center", "text_wrap": True}
        bottom = {"bottom": 2, "left": 2, "right": 2, "align": "center", "text_wrap": True}
        people = self.people
        breaks, used = [], 0.0
        for i in range(0, len(people), 2):
            block = (i // 2) * 5  # rows: unit, name, title, seat, gap; grown for long texts
            pair = people[i : i + 2]
            heights = (
                max(fit_height(text_lines(d.unit_name.upper(), CARD_WIDTH, 12, True), 12, 30) for d in pair),
                max(fit_height(text_lines(d.name, CARD_WIDTH, 24, True), 24, 46) for d in pair),
                max(fit_height(text_lines(d.title, CARD_WIDTH, 13), 13, 30) for d in pair),
                18,
                12,
            )
            if i and used + sum(heights) > CARDS_PAGE_HEIGHT:  # a card never splits across pages
                breaks.append(block)
                used = 0.0
            used += sum(heights)
            for k, height in enumerate(heights):
                ws.set_row(block + k, height)
            for k, d in enumerate(people[i : i + 2]):
                c = 2 * k
                ws.write_string(block, c, d.unit_name.upper(), self.f(font_size=12, bold=True, **top))
                ws.write_string(block + 1, c, d.name, self.f(font_size=24, bold=True, font_color="#C00000", **mid))
                ws.write_string(block + 2, c, d.title, self.f(font_size=13, italic=True, **mid))
                ws.write_string(
                    block + 3, c, f"Ghế số {i + k + 1}", self.f(font_size=9, font_color="#595959", **bottom)
                )
        if breaks:
            ws.set_h_pagebreaks(breaks)
        if not people:
            ws.write_string(0, 0, "Chưa có đại biểu nào đăng ký.", self.f(italic=True))
        ws.print_area(0, 0, max(0, (len(people) + 1) // 2 * 5 - 1), 2)
