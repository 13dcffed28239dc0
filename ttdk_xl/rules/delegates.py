"""Delegate registration (đăng ký thành phần đại biểu) for the cluster's conference.

Each self-scoring workbook carries a sheet `Đăng ký đại biểu` (written here, called by template.py);
read.py keeps its rows; this module checks them and writes `dai_bieu.xlsx`: delegates by unit, counts,
units that registered none or too many, a seating list, printable name cards and the findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from ttdk_xl.core.atomic import atomic_path
from ttdk_xl.core.layout import cell_name
from ttdk_xl.core.models import Book, Finding, Severity, SourceState, Unit
from ttdk_xl.core.text import nfc

SHEET = "Đăng ký đại biểu"
H_STT, H_NAME, H_TITLE, H_PHONE, H_NOTE = "STT", "Họ và tên", "Chức vụ", "Số điện thoại", "Ghi chú"
HEADERS = (H_STT, H_NAME, H_TITLE, H_PHONE, H_NOTE)
HEADER_ROW = 7  # 0-based row of the table header in the unit workbook (Excel row 8, as the score sheet)
EXTRA_ROWS = 3  # input rows beyond the seats allowed, so that a unit can show it needs more

# Output workbook
LIST_SHEET = "Danh sách đại biểu"
COUNT_SHEET = "Theo đơn vị"
CHECK_SHEET = "Kiểm tra"
SEATING_SHEET = "Xếp chỗ ngồi"
CARDS_SHEET = "Bảng tên"
OUT_SHEETS = (LIST_SHEET, COUNT_SHEET, CHECK_SHEET, SEATING_SHEET, CARDS_SHEET)

REGISTERED, NONE, TOO_MANY, NO_FILE, NO_SHEET = (
    "Đã đăng ký",
    "Chưa đăng ký",
    "Quá số lượng",
    "Chưa nộp tệp",
    "Tệp không có trang đăng ký",
)

W, INFO = Severity.WARNING, Severity.INFO

_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")


def vn_phone(value: object) -> tuple[str, bool]:
    """A phone number as typed → (digits as '0912345678', True when it is a Vietnamese phone number).

    Mobiles: 10 digits starting 03, 05, 07, 08, 09; landlines: 11 digits starting 02. Spaces, dots,
    dashes, brackets and a +84 / 84 prefix are accepted; a number cell that lost its leading 0 is repaired.
    """
    if isinstance(value, bool) or value is None:
        return "", False
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return nfc(value), False
        text = str(int(value))
        if len(text) in (9, 10) and not text.startswith("0"):
            text = "0" + text
    else:
        text = nfc(value)
    digits = re.sub(r"[\s.\-()/\u00a0]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not digits.isdigit():
        return nfc(text), False
    return digits, bool(_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits))


def show_phone(digits: str) -> str:
    """'0912000101' → '0912 000 101'; '02373000203' → '0237 3000 203'; anything else unchanged."""
    if _MOBILE.fullmatch(digits):
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if _LANDLINE.fullmatch(digits):
        return f"{digits[:4]} {digits[4:8]} {digits[8:]}"
    return digits


@dataclass(frozen=True)
class Delegate:
    unit_code: str
    unit_name: str
    name: str
    title: str
    phone: str  # '0912 000 101' when valid, else as typed
    note: str
    file: str
    row: int  # Excel row in the unit's sheet
    phone_ok: bool = True


@dataclass(frozen=True)
class UnitDelegates:
    unit: Unit
    status: str  # REGISTERED / NONE / TOO_MANY / NO_FILE / NO_SHEET
    delegates: tuple[Delegate, ...] = ()
    file: str = ""


@dataclass(frozen=True)
class DelegateList:
    book: Book
    units: tuple[UnitDelegates, ...]  # book order
    findings: tuple[Finding, ...] = ()

    @property
    def delegates(self) -> list[Delegate]:
        return [d for u in self.units for d in u.delegates]

    @property
    def ok(self) -> bool:
        return all(u.status == REGISTERED for u in self.units)


# ---------------------------------------------------------------------------------------------- unit workbook


def write_delegate_sheet(wb: Any, fmt: dict[str, Any], book: Book, unit: Unit, delegates: Sequence[tuple] = ()) -> Any:
    """Add `Đăng ký đại biểu` to a unit workbook (xlsxwriter), optionally pre-filled with
    (name, title, phone, note) tuples. Input cells are unlocked; the phone column is text."""
    seats = book.seats_per_unit
    ws = wb.add_worksheet(SHEET)
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
    n_rows = seats + EXTRA_ROWS
    first, last = HEADER_ROW + 1, HEADER_ROW + n_rows  # 0-based data rows
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
    ws.set_row(HEADER_ROW, 24)
    for col, text in enumerate(HEADERS):
        ws.write_string(HEADER_ROW, col, text, fmt["header"])
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


# ---------------------------------------------------------------------------------------------- reading


def _key(value: object) -> str:
    if value is None or value == "":
        return ""
    return _str_key(value) if type(value) is str else " ".join(nfc(value).casefold().split())


@lru_cache(maxsize=4096)  # headers and sheet names recur in every unit's file
def _str_key(value: str) -> str:
    return " ".join(nfc(value).casefold().split())


def find_sheet(names: Iterable[str]) -> str | None:
    """The delegate sheet's name among a workbook's sheets (whatever the case or spacing)."""
    return next((n for n in names if _key(n) == _key(SHEET)), None)


def parse_delegates(
    rows: list[list[Any]], unit: Unit, file: str, sheet: str = SHEET
) -> tuple[list[Delegate], list[Finding]]:
    """Pure: the sheet's rows (row i = Excel row i+1, from A1) → delegates and findings."""
    findings: list[Finding] = []

    def add(code, sev, msg, fix, cell=""):
        findings.append(Finding(code, sev, file, msg, fix, sheet, cell, unit.code, unit.name))

    header, cols = None, {}
    for i, row in enumerate(rows[:40]):
        keys = {_key(v): j for j, v in enumerate(row)}
        if _key(H_NAME) in keys and _key(H_PHONE) in keys:
            header = i
            cols = {h: keys[_key(h)] for h in (H_NAME, H_TITLE, H_PHONE, H_NOTE) if _key(h) in keys}
            break
    if header is None:
        add(
            "delegate-header-missing",
            W,
            f"Trang '{sheet}' không còn dòng tiêu đề ('{H_NAME}', '{H_PHONE}'); không đọc được danh sách đại biểu.",
            "Đề nghị đơn vị điền lại vào trang đăng ký đại biểu của mẫu đã gửi.",
        )
        return [], findings

    def get(row, h):
        j = cols.get(h)
        return row[j] if j is not None and j < len(row) else None

    out: list[Delegate] = []
    seen: dict[str, int] = {}
    fields = [j for j in cols.values()]
    for i in range(header + 1, len(rows)):
        row = rows[i]
        if all(j >= len(row) or row[j] == "" or row[j] is None for j in fields):  # most rows are left empty
            continue
        name = " ".join(nfc(get(row, H_NAME)).split())
        title = nfc(get(row, H_TITLE))
        raw_phone = get(row, H_PHONE)
        note = nfc(get(row, H_NOTE))
        has_phone = raw_phone not in (None, "") and nfc(raw_phone) != ""
        if not (name or title or has_phone or note):
            continue
        if not name:
            add(
                "delegate-name-missing",
                W,
                f"Dòng {i + 1} có thông tin đại biểu ({', '.join(x for x in (title, nfc(raw_phone), note) if x)}) "
                "nhưng chưa có họ và tên.",
                "Bổ sung họ và tên đại biểu, hoặc xóa dòng nếu không cử người.",
                cell_name(i, cols[H_NAME]),
            )
            continue
        phone, ok = vn_phone(raw_phone) if has_phone else ("", True)
        phone = show_phone(phone) if ok else nfc(raw_phone)
        if has_phone and not ok:
            add(
                "delegate-phone-invalid",
                W,
                f"Số điện thoại của {name} '{nfc(raw_phone)}' không phải số điện thoại Việt Nam "
                "(di động 10 số bắt đầu 03, 05, 07, 08, 09; cố định 11 số bắt đầu 02).",
                "Liên hệ đơn vị để lấy lại số điện thoại đúng.",
                cell_name(i, cols[H_PHONE]),
            )
        elif not has_phone:
            add(
                "delegate-phone-missing",
                INFO,
                f"Đại biểu {name} chưa có số điện thoại.",
                "Bổ sung số điện thoại để tiện liên hệ khi tổ chức Hội nghị.",
                cell_name(i, cols[H_PHONE]) if H_PHONE in cols else "",
            )
        k = _key(name)
        if k in seen:
            add(
                "delegate-duplicate",
                W,
                f"{name} được đăng ký hai lần (dòng {seen[k]} và dòng {i + 1}).",
                "Xóa dòng trùng.",
                cell_name(i, cols[H_NAME]),
            )
            continue
        seen[k] = i + 1
        out.append(Delegate(unit.code, unit.name, name, title, phone, note, file, i + 1, ok))
    return out, findings


def _unit_entry(book: Book, unit: Unit, raw: Any | None, findings: list[Finding]) -> UnitDelegates:
    seats = book.seats_per_unit
    if raw is None:
        findings.append(
            Finding(
                "delegates-no-file",
                W,
                "",
                f"{unit.name} chưa gửi tệp (bảng tự chấm kèm đăng ký đại biểu).",
                "Liên hệ đơn vị để nhận đăng ký đại biểu"
                + (f" ({unit.contact}, {unit.phone})" if unit.phone else "")
                + ".",
                unit_code=unit.code,
                unit_name=unit.name,
            )
        )
        return UnitDelegates(unit, NO_FILE)
    file = raw.info.file
    if raw.delegate_rows is None:
        findings.append(
            Finding(
                "delegate-sheet-missing",
                W,
                file,
                f"Tệp không có trang '{SHEET}' (mẫu cũ hoặc trang bị xóa).",
                "Gửi đơn vị mẫu mới (ttdk-xl template) để đăng ký đại biểu, hoặc ghi nhận đăng ký qua điện thoại.",
                unit_code=unit.code,
                unit_name=unit.name,
            )
        )
        return UnitDelegates(unit, NO_SHEET, file=file)
    sheet = raw.delegate_sheet or SHEET
    parsed = raw.delegates_parsed
    if parsed is not None and parsed[0] == unit.code:
        delegates, found = list(parsed[1]), list(parsed[2])
    else:
        delegates, found = parse_delegates(raw.delegate_rows, unit, file, sheet)
    findings.extend(found)
    status = REGISTERED
    if not delegates:
        status = NONE
        findings.append(
            Finding(
                "delegates-none",
                W,
                file,
                "Đơn vị chưa đăng ký đại biểu nào.",
                "Nhắc đơn vị điền trang đăng ký đại biểu và gửi lại.",
                sheet,
                unit_code=unit.code,
                unit_name=unit.name,
            )
        )
    elif len(delegates) > seats:
        status = TOO_MANY
        findings.append(
            Finding(
                "delegates-too-many",
                W,
                file,
                f"Đơn vị đăng ký {len(delegates)} đại biểu, quá số được mời ({seats} đại biểu mỗi đơn vị).",
                f"Đề nghị đơn vị giảm còn {seats} đại biểu, hoặc Cụm trưởng đồng ý bổ sung chỗ ngồi.",
                sheet,
                cell_name(HEADER_ROW + seats + 1, 1),
                unit.code,
                unit.name,
            )
        )
    return UnitDelegates(unit, status, tuple(delegates), file)


def collect(book: Book, raws: dict[str, Any]) -> DelegateList:
    """Pure: one raw submission per unit code (or none) → the delegate list of the cluster."""
    findings: list[Finding] = []
    units = tuple(_unit_entry(book, u, raws.get(u.code), findings) for u in book.units)
    return DelegateList(book, units, tuple(findings))


def collect_from_result(book: Book, outcomes: Iterable[Any], result: Any) -> DelegateList:
    """Delegates from the files a consolidation used (one per unit)."""
    used = {s.file: s.unit_code for s in result.sources if s.state is SourceState.USED and s.unit_code}
    raws = {used[o.info.file]: o.raw for o in outcomes if o.raw is not None and o.info.file in used}
    return collect(book, raws)


def collect_from_inbox(book: Book, inbox: Path, max_bytes: int | None = None) -> DelegateList:
    """`ttdk-xl delegates`: read the inbox (scores may still be empty), newest file per unit."""
    from ttdk_xl.inbox.read import DEFAULT_MAX_BYTES, list_inbox
    from ttdk_xl.pipeline.stages import read_all
    from ttdk_xl.rules.checks import identify_unit

    outcomes = read_all(list_inbox(inbox), inbox, max_bytes or DEFAULT_MAX_BYTES)
    best: dict[str, tuple[tuple, Any]] = {}
    findings: list[Finding] = []
    for o in outcomes:
        findings.extend(f for f in o.findings if f.severity is not Severity.INFO)
        if o.raw is None:
            continue
        unit, found = identify_unit(o.raw, book)
        if unit is None or any(f.code in ("wrong-cluster", "wrong-year") for f in found):
            findings.extend(f for f in found if f.blocking)
            continue
        order = (o.raw.meta.get("issued_at", ""), o.info.edited_at or o.info.modified, o.info.file)
        if unit.code not in best or order > best[unit.code][0]:
            best[unit.code] = (order, o.raw)
    result = collect(book, {code: raw for code, (_, raw) in best.items()})
    return DelegateList(book, result.units, tuple(findings) + result.findings)


# ---------------------------------------------------------------------------------------------- dai_bieu.xlsx


def _seating_order(book: Book, units: Sequence[UnitDelegates]) -> list[UnitDelegates]:
    """Head unit first, then the deputy, then the others in book order."""
    from ttdk_xl.rules.checks import match_unit

    head = book.unit(book.head_unit) or match_unit(book, book.head_unit)
    deputy = book.unit(book.deputy_unit) or match_unit(book, book.deputy_unit)
    first = [c.code for c in (head, deputy) if c is not None]
    return sorted(units, key=lambda u: (first.index(u.unit.code) if u.unit.code in first else len(first),))


def write_delegates(dl: DelegateList, path: Path) -> Path:
    """Write dai_bieu.xlsx atomically."""
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        from ttdk_xl.outputs.xlsx_fast import gc_paused, use_fast_sheets

        use_fast_sheets(wb)  # same bytes, faster
        with gc_paused():
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
        ws.merge_range(2, 0, 2, n - 1, note, self.f(italic=True, align="center", font_color="#404040"))
        ws.set_paper(9)
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        ws.repeat_rows(3)
        ws.set_footer('&L&"Times New Roman"&9&A&R&"Times New Roman"&9Trang &P/&N')
        return ws

    def headers(self, ws: Any, headers: Sequence[str]) -> None:
        ws.set_row(3, 30)
        for c, h in enumerate(headers):
            ws.write_string(3, c, h, self.cell(bold=True, align="center", text_wrap=True, bg_color="#D9E1F2"))

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
        heads = ("STT", "Tệp", "Đơn vị", "Trang tính", "Ô", "Mã lỗi", "Mức độ", "Nội dung", "Cách khắc phục")
        ws = self.sheet(
            CHECK_SHEET,
            (5, 22, 20, 14, 6, 16, 9, 44, 36),
            "KIỂM TRA ĐĂNG KÝ ĐẠI BIỂU",
            f"{len(findings)} vấn đề" if findings else "Không có vấn đề nào.",
            landscape=True,
        )
        self.headers(ws, heads)
        r = 3
        center, text = self.cell(align="center"), self.cell(text_wrap=True, font_size=10)
        for i, f in enumerate(findings, start=1):
            r += 1
            ws.put_row(
                r,
                ((0, i, center), (1, f.file, text), (2, f.unit_name, text), (3, f.sheet, text), (4, f.cell, text),
                 (5, f.code, text), (6, f.severity.value, text), (7, f.message, text), (8, f.fix, text)),
            )  # fmt: skip
        ws.freeze_panes(4, 0)
        ws.autofilter(3, 0, max(r, 3), len(heads) - 1)

    def seating_sheet(self) -> None:
        dl = self.dl
        heads = ("Số ghế", "Họ và tên", "Chức vụ", "Đơn vị", "Ký tên")
        ws = self.sheet(
            SEATING_SHEET,
            (7, 26, 30, 26, 14),
            "DANH SÁCH XẾP CHỖ NGỒI",
            "Đơn vị Cụm trưởng, Cụm phó trước, các đơn vị khác theo thứ tự danh sách của Cụm",
        )
        self.headers(ws, heads)
        r, seat = 3, 0
        number, name = self.cell(align="center", bold=True), self.cell(bold=True, text_wrap=True)
        wrap, plain = self.cell(text_wrap=True), self.cell()
        for u in _seating_order(dl.book, dl.units):
            for d in u.delegates:
                r += 1
                seat += 1
                ws.set_row(r, 26)
                ws.put_row(
                    r,
                    (
                        (0, seat, number),
                        (1, d.name, name),
                        (2, d.title, wrap),
                        (3, d.unit_name, wrap),
                        (4, None, plain),
                    ),
                )
        ws.freeze_panes(4, 0)

    def cards_sheet(self) -> None:
        """Name cards two to a row, five rows to an A4 page: unit, NAME, title; seat number in a corner."""
        dl = self.dl
        ws = self.wb.add_worksheet(CARDS_SHEET)
        ws.set_paper(9)
        ws.set_portrait()
        ws.set_margins(left=0.4, right=0.4, top=0.4, bottom=0.4)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_column(0, 0, 42)
        ws.set_column(1, 1, 2)
        ws.set_column(2, 2, 42)
        ws.hide_gridlines(2)
        top = {"top": 2, "left": 2, "right": 2, "align": "center", "text_wrap": True}
        mid = {"left": 2, "right": 2, "align": "center", "text_wrap": True}
        bottom = {"bottom": 2, "left": 2, "right": 2, "align": "center", "text_wrap": True}
        people = [d for u in _seating_order(dl.book, dl.units) for d in u.delegates]
        breaks = []
        for i in range(0, len(people), 2):
            block = (i // 2) * 5  # rows: unit, name, title, seat, gap
            if i and (i // 2) % 5 == 0:
                breaks.append(block)
            ws.set_row(block, 30)
            ws.set_row(block + 1, 46)
            ws.set_row(block + 2, 30)
            ws.set_row(block + 3, 18)
            ws.set_row(block + 4, 12)
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
