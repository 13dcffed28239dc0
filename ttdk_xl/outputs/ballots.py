"""Conference votes: printable ballots, the counters' tally sheet, the count and its minutes.

Three votes, each a sheet of the tally workbook `phieu_kiem.xlsx` and a section of the minutes:
  - suy tôn (acclaim): the units eligible for Nhất/Nhì/Ba, in rank order; a ballot names at most
    `Số đơn vị suy tôn` units (default: the number of acclaim places, 3);
  - Cụm trưởng and Cụm phó of next year: every member unit; a ballot names one.

`write_ballots` writes the ballots (.docx) and the blank tally workbook from a consolidation Result.
`read_tally` reads the tally workbook back (one row per ballot, 'x' under each unit the ballot names)
and returns findings naming cells; `count` is pure arithmetic; `write_minutes` writes the count minutes
(biên bản kiểm phiếu, .docx). Rules, stated in the documents themselves:
  - quorum: delegates present ≥ `Tỷ lệ có mặt tối thiểu` (book, default 2/3) × delegates convened;
  - a ballot is invalid when it names more units than allowed or the counters mark it `Không hợp lệ`;
  - a unit is chosen with more than half of the valid ballots; among the chosen, more votes first
    (equal votes: the better score rank first, said in the minutes); units with equal votes competing
    for the last place are a tie the conference must vote again on.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from ttdk_xl.core.atomic import atomic_path
from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.failures import must_propagate
from ttdk_xl.core.layout import (
    TALLY_ACCLAIM_SHEET,
    TALLY_DEPUTY_SHEET,
    TALLY_FORMAT,
    TALLY_H_BALLOT,
    TALLY_H_INVALID,
    TALLY_H_NOTE,
    TALLY_HEAD_SHEET,
    TALLY_HEADER_ROW,
    TALLY_INFO_SHEET,
    TALLY_K_CHIEF,
    TALLY_K_CONVENED,
    TALLY_K_DATE,
    TALLY_K_MEMBERS,
    TALLY_K_PLACE,
    TALLY_K_PRESENT,
    TALLY_K_QUORUM,
    TALLY_META_SHEET,
    cell_name,
)
from ttdk_xl.core.models import Book, Finding, Result, Severity, Unit, conference_date
from ttdk_xl.core.rowfit import fit_height, text_lines
from ttdk_xl.core.text import day_text, day_words, header_key, nfc, parse_day, vn_number
from ttdk_xl.core.units import UnitNames

TALLY_NAME = "phieu_kiem.xlsx"
ACCLAIM_BALLOT = "phieu_suy_ton.docx"
ELECTION_BALLOT = "phieu_bau_cum_truong_cum_pho.docx"
MINUTES_NAME = "bien_ban_kiem_phieu.docx"

K_SEATS = "Số đơn vị suy tôn"  # a key of the book's `Thông tin`
MARKS = {"x", "X", "×"}
DEFAULT_QUORUM = Fraction(2, 3)
PLACES = ("Nhất", "Nhì", "Ba", "Tư", "Năm")


@dataclass(frozen=True)
class Vote:
    """One contest: who may be named and how many units one ballot may name."""

    key: str  # "suy_ton", "cum_truong", "cum_pho"
    sheet: str  # sheet of the tally workbook
    title: str  # section title in the minutes
    candidates: tuple[Unit, ...]
    seats: int
    places: bool = False  # the chosen get Nhất/Nhì/Ba
    role: str = ""  # "Cụm trưởng" / "Cụm phó"


@dataclass(frozen=True)
class Ballot:
    row: int  # 0-based sheet row
    number: str
    marks: tuple[str, ...]  # unit codes named
    invalid_reason: str = ""


@dataclass(frozen=True)
class Tally:
    """What the counters typed: the meta, the delegates, the ballots per vote."""

    file: str
    cluster: str
    parent_body: str
    year: int
    place: str
    convened: int
    present: int
    quorum: Fraction
    count_date: str
    chief: str
    members: tuple[str, ...]
    votes: tuple[Vote, ...]
    ballots: dict[str, tuple[Ballot, ...]]  # vote key → ballots
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Line:
    unit: Unit
    votes: int
    percent: Decimal  # of the valid ballots, one decimal
    outcome: str = ""  # "Nhất", "Trúng cử", "Đồng phiếu - bầu lại", ""


@dataclass(frozen=True)
class VoteCount:
    vote: Vote
    issued: int
    collected: int
    valid: int
    invalid: tuple[Ballot, ...]
    lines: tuple[Line, ...]  # in the order of the ballot
    chosen: tuple[Unit, ...]  # in place order
    tied: tuple[Unit, ...]  # equal votes for the last place: the conference votes again
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountResult:
    tally: Tally
    counts: tuple[VoteCount, ...]
    quorate: bool
    findings: tuple[Finding, ...] = field(default=())


# ---------------------------------------------------------------------------------------------- the votes


def parse_quorum(text: str) -> Fraction:
    """'2/3', '66,7%', '0,75', '' (→ 2/3). Raises ValueError with a Vietnamese reason."""
    text = nfc(text).replace(" ", "")
    if not text:
        return DEFAULT_QUORUM
    if re.match(r"^\d{4}-\d\d-\d\d", text):
        raise ValueError("Excel đã đổi giá trị thành ngày tháng; hãy gõ dạng phần trăm, ví dụ 66,7%, hoặc '2/3")
    try:
        m = re.match(r"^(\d+)/(\d+)$", text)
        if m:
            value = Fraction(int(m.group(1)), int(m.group(2)))
        elif text.endswith("%"):
            value = Fraction(Decimal(text[:-1].replace(",", "."))) / 100
        else:
            value = Fraction(Decimal(text.replace(",", ".")))
            if value > 1:
                value /= 100
    except (ArithmeticError, ValueError, ZeroDivisionError):
        raise ValueError(f"'{text}' không phải một tỷ lệ (ví dụ 2/3 hoặc 66,7%)") from None
    if not 0 < value <= 1:
        raise ValueError(f"tỷ lệ '{text}' phải lớn hơn 0 và không quá 100%")
    return value


def quorum_text(q: Fraction) -> str:
    if q.denominator <= 10:
        return f"{q.numerator}/{q.denominator}"
    return vn_number((Decimal(q.numerator) * 100 / q.denominator).quantize(Decimal("0.1"))) + "%"


def acclaim_seats(book: Book) -> int:
    text = nfc(book.info(K_SEATS))
    if text:
        if not text.isdigit() or not 1 <= int(text) <= len(PLACES):
            raise TtdkError(
                f"Trang 'Thông tin' của bộ tiêu chí: '{K_SEATS}' = '{text}' không hợp lệ. "
                f"Cách sửa: ghi một số từ 1 đến {len(PLACES)} (thường là 3: Nhất, Nhì, Ba)."
            )
        return int(text)
    return max((a.rank for a in book.awards if a.rank <= len(PLACES)), default=3) or 3


def book_quorum(book: Book) -> Fraction:
    try:
        return parse_quorum(book.info(TALLY_K_QUORUM))
    except ValueError as exc:
        raise TtdkError(
            f"Trang 'Thông tin' của bộ tiêu chí: '{TALLY_K_QUORUM}' không hợp lệ: {exc}. "
            "Cách sửa: ghi ví dụ 2/3 (hai phần ba) hoặc 66,7%, hoặc để trống (mặc định 2/3)."
        ) from None


def eligible(result: Result) -> tuple[Unit, ...]:
    """Units that may be acclaimed: ranked, without a disqualifier, not on the book's `Đơn vị không đề nghị` list
    (Result.history.blocked: no proposal while under discipline, inspection…), in rank order."""
    blocked = result.history.blocked if result.history is not None else frozenset()
    ranked = sorted(
        (u for u in result.units if u.rank is not None and not u.disqualified and u.unit.code not in blocked),
        key=lambda u: u.rank or 0,
    )
    return tuple(u.unit for u in ranked)


def votes_for(result: Result) -> tuple[Vote, ...]:
    book = result.book
    seats = acclaim_seats(book)
    names = ", ".join(PLACES[:seats])
    return (
        Vote(
            "suy_ton",
            TALLY_ACCLAIM_SHEET,
            f"Suy tôn đơn vị dẫn đầu phong trào thi đua ({names}) năm {book.year}",
            eligible(result),
            seats,
            places=True,
        ),
        Vote(
            "cum_truong",
            TALLY_HEAD_SHEET,
            f"Bầu đơn vị Cụm trưởng năm {book.year + 1}",
            book.units,
            1,
            role="Cụm trưởng",
        ),
        Vote("cum_pho", TALLY_DEPUTY_SHEET, f"Bầu đơn vị Cụm phó năm {book.year + 1}", book.units, 1, role="Cụm phó"),
    )


# ---------------------------------------------------------------------------------------------- ballots (.docx)


def write_ballots(result: Result, out_dir: Path, tally_path: Path | None = None) -> list[Path]:
    """The two ballots (.docx) and the blank tally workbook, in out_dir (the tally: at `tally_path` when given,
    unless that file already holds typed ballots: a human input is never replaced — then it is not in the list)."""
    out_dir = Path(out_dir)
    book_quorum(result.book)  # a bad value stops here, before the conference
    votes = votes_for(result)
    if not votes[0].candidates:
        raise TtdkError(
            "Chưa có đơn vị nào đủ điều kiện suy tôn (chưa đơn vị nào được xếp hạng). "
            "Cách sửa: chạy 'ttdk-xl consolidate', khắc phục các lỗi trong trang 'Kiểm tra' rồi tạo lại phiếu."
        )
    paths = [
        _ballot_doc(result.book, [votes[0]], out_dir / ACCLAIM_BALLOT, "PHIẾU SUY TÔN"),
        _ballot_doc(result.book, list(votes[1:]), out_dir / ELECTION_BALLOT, "PHIẾU BẦU"),
    ]
    target = tally_path or out_dir / TALLY_NAME
    if not tally_typed(target):
        paths.append(write_tally_sheet(result, target))
    return paths


def tally_typed(path: Path) -> bool:
    """The tally workbook at `path` exists and a counter has typed into it (a ballot, or it cannot be read as
    ours any more): it must not be replaced."""
    if not path.exists():
        return False
    try:
        t = read_tally(path)
    except TtdkError:
        return True  # damaged or re-saved: a person's file all the same
    return any(t.ballots.values()) or t.present != 0


def _ballot_doc(book: Book, votes: list[Vote], path: Path, kind: str) -> Path:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
    from docx.shared import Pt

    from ttdk_xl.outputs import docx_style as ds  # lazy: python-docx, for start-up

    title = "Phiếu suy tôn" if kind == "PHIẾU SUY TÔN" else "Phiếu bầu Cụm trưởng, Cụm phó"
    doc = ds.new_document(f"{title} — {book.cluster_name} năm {book.year}")
    w = ds.Writer(doc)
    ds.national_header(doc, nfc(book.parent_body).upper(), nfc(book.cluster_name).upper(), "", "")
    subject = votes[0].title if len(votes) == 1 else f"Bầu đơn vị Cụm trưởng, Cụm phó năm {book.year + 1}"
    ds.title(w, kind, f"{subject} của {book.cluster_name}", before=12)
    for i, vote in enumerate(votes):
        if len(votes) > 1:
            w.para(f"{'I' * (i + 1)}. {vote.title}", indent=0, bold=True, before=6, keep=True)
        if vote.seats == 1:
            rule = "Đánh dấu (x) vào ô của 01 đơn vị được chọn. Phiếu chọn từ 02 đơn vị trở lên là phiếu không hợp lệ."
        else:
            rule = (
                f"Đánh dấu (x) vào ô của các đơn vị được chọn, không quá {vote.seats:02d} đơn vị. "
                f"Phiếu chọn quá {vote.seats:02d} đơn vị là phiếu không hợp lệ."
            )
        w.para([(rule, {"italic": True})], indent=0, after=4, keep=True)
        t = doc.add_table(rows=1 + len(vote.candidates), cols=3)
        t.style = doc.styles["Table Grid"]
        ds.table_props(t, [1.3, 12.2, 3.0], borders=True, pad_cm=0.1)
        for cell, text in zip(t.rows[0].cells, ("STT", "Tên đơn vị", "Chọn (x)"), strict=True):
            ds.cell_par(cell, text, size=13, bold=True)
        ds.repeat_header(t.rows[0])
        for n, unit in enumerate(vote.candidates, 1):
            row = t.rows[n]
            ds.cell_par(row.cells[0], str(n), size=13)
            ds.cell_par(row.cells[1], unit.name, size=13, align=ds.LEFT)
            ds.cell_par(row.cells[2], "", size=13)
            row.height = Pt(22)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            ds.cant_split(row)
            for cell in row.cells:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if vote.places:
            w.para(
                [
                    (
                        "Danh sách xếp theo thứ tự tổng điểm thi đua đã được Hội nghị thống nhất. Đơn vị được quá "
                        "nửa số phiếu hợp lệ được suy tôn; thứ tự Nhất, Nhì, Ba theo số phiếu từ cao xuống thấp.",
                        {"italic": True, "size": 12},
                    )
                ],
                indent=0,
                before=6,
            )
    w.para([("Ghi chú: Phiếu không ký tên. Bỏ phiếu vào hòm phiếu sau khi đánh dấu.", {"italic": True, "size": 12})],
           indent=0, before=6)  # fmt: skip
    return ds.save(doc, path)


# ---------------------------------------------------------------------------------------------- tally sheet (.xlsx)

TALLY_HINT_WIDTH = 46  # characters: the column of `Thông tin` that says what to enter


def convened_of(result: Result) -> tuple[int, str]:
    """The delegates convened, to pre-fill the tally sheet, and the note beside it: the delegates the units
    registered (the run's delegate list), or, when nobody registered (or the list was not made), the number
    of units."""
    dl = result.delegates
    ask = "Số đại biểu được triệu tập theo giấy mời; sửa nếu khác."
    if dl is not None and (registered := len(dl.delegates)):
        units = sum(1 for u in dl.units if u.delegates)
        return registered, (
            f"{ask} Đã điền sẵn số đại biểu các đơn vị đăng ký: {registered} đại biểu của "
            f"{units}/{len(result.book.units)} đơn vị (dai_bieu.xlsx)."
        )
    n = len(result.book.units)
    return n, f"{ask} Chưa có đăng ký đại biểu: đã điền sẵn số đơn vị ({n})."


def write_tally_sheet(result: Result, path: Path) -> Path:
    """The blank tally workbook: `Thông tin` (delegates, counting team), one sheet per vote, hidden `_meta`."""

    import xlsxwriter

    book = result.book
    votes = votes_for(result)
    quorum = book_quorum(book)
    day = day_text(conference_date(book, result.run_date))  # as on the report: the minutes say it again
    convened, convened_note = convened_of(result)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        wb.set_properties({"author": "ttdk-xl", "created": datetime(book.year, 12, 31)})  # not the clock
        font = {"font_name": "Times New Roman", "font_size": 12}
        f_title = wb.add_format({**font, "bold": True, "font_size": 14, "align": "center"})
        f_note = wb.add_format({**font, "italic": True, "text_wrap": True, "valign": "top"})
        f_key = wb.add_format({**font, "bold": True, "border": 1, "text_wrap": True, "valign": "vcenter"})
        f_val = wb.add_format({**font, "border": 1, "locked": False, "bg_color": "#FFF2CC", "valign": "vcenter"})
        f_fixed = wb.add_format({**font, "border": 1, "valign": "vcenter"})
        f_head = wb.add_format(
            {**font, "bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter",
             "bg_color": "#D9E1F2"}
        )  # fmt: skip
        f_cell = wb.add_format({**font, "border": 1, "align": "center", "locked": False})
        f_sum = wb.add_format({**font, "bold": True, "border": 1, "align": "center", "bg_color": "#F2F2F2"})

        ws = wb.add_worksheet(TALLY_INFO_SHEET)
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 50)
        ws.set_column(2, 2, TALLY_HINT_WIDTH)  # what to enter, beside a pre-filled value
        ws.merge_range(0, 0, 0, 2, f"KIỂM PHIẾU - HỘI NGHỊ {nfc(book.cluster_name).upper()} NĂM {book.year}", f_title)
        ws.merge_range(
            1, 0, 1, 2,
            "Tổ kiểm phiếu nhập các ô tô vàng. Mỗi trang tính tiếp theo là một lần bỏ phiếu, mỗi phiếu một dòng.",
            f_note,
        )  # fmt: skip
        ws.set_row(1, 32)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        rows = [
            ("Tên cụm", book.cluster_name, False),
            ("Năm", str(book.year), False),
            (TALLY_K_CONVENED, convened, True),
            (TALLY_K_PRESENT, None, True),
            (TALLY_K_QUORUM, quorum_text(quorum), False),
            (TALLY_K_PLACE, book.place, True),
            (TALLY_K_DATE, day, True),
            (TALLY_K_CHIEF, "", True),
            (TALLY_K_MEMBERS, "", True),
        ]
        hint = {"italic": True, "text_wrap": True, "valign": "vcenter", "indent": 1, "font_color": "#404040"}
        f_hint = wb.add_format({**font, **hint})
        for i, (k, v, editable) in enumerate(rows, start=3):
            if k == TALLY_K_CONVENED:
                ws.set_row(i, fit_height(text_lines(convened_note, TALLY_HINT_WIDTH)))
                ws.write_string(i, 2, convened_note, f_hint)
            ws.write_string(i, 0, k, f_key)
            fmt = f_val if editable else f_fixed
            if isinstance(v, int):
                ws.write_number(i, 1, v, fmt)
            elif v is None:
                ws.write_blank(i, 1, None, fmt)
            else:
                ws.write_string(i, 1, nfc(v), fmt)
        ws.merge_range(
            len(rows) + 4, 0, len(rows) + 4, 1,
            f"{TALLY_K_MEMBERS}: ghi họ tên, ngăn cách bằng dấu chấm phẩy (;). {TALLY_K_DATE}: dạng ngày/tháng/năm, "
            "đã ghi sẵn ngày Hội nghị (như ngày của báo cáo), chỉ sửa nếu kiểm phiếu vào ngày khác. "
            f"{TALLY_K_QUORUM}: lấy từ bộ tiêu chí (trang 'Thông tin').",
            f_note,
        )  # fmt: skip
        ws.set_row(len(rows) + 4, 48)
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})

        for vote in votes:
            ws = wb.add_worksheet(vote.sheet)
            n = len(vote.candidates)
            last = n + 2  # Phiếu số, candidates…, Không hợp lệ, Ghi chú
            ws.set_column(0, 0, 9)
            ws.set_column(1, n, 14)
            ws.set_column(n + 1, n + 1, 11)
            ws.set_column(n + 2, n + 2, 28)
            ws.merge_range(0, 0, 0, last, f"KIỂM PHIẾU: {vote.title.upper()}", f_title)
            rule = "một đơn vị" if vote.seats == 1 else f"không quá {vote.seats} đơn vị"
            ws.merge_range(
                1, 0, 1, last,
                f"Mỗi dòng là một phiếu: ghi số phiếu ở cột '{TALLY_H_BALLOT}', đánh x dưới mỗi đơn vị được "
                f"chọn trên phiếu (mỗi phiếu chọn {rule}; phiếu chọn nhiều hơn là phiếu không hợp lệ). Phiếu "
                f"không hợp lệ vì lý do khác (rách, ghi thêm…): đánh x ở cột '{TALLY_H_INVALID}' và ghi lý do. "
                "Phiếu để trống cũng nhập (chỉ ghi số phiếu).",
                f_note,
            )  # fmt: skip
            ws.set_row(1, 48)
            ws.set_row(TALLY_HEADER_ROW, 60)
            ws.write_string(TALLY_HEADER_ROW, 0, TALLY_H_BALLOT, f_head)
            for j, unit in enumerate(vote.candidates, start=1):
                ws.write_string(TALLY_HEADER_ROW, j, unit.name, f_head)
            ws.write_string(TALLY_HEADER_ROW, n + 1, TALLY_H_INVALID, f_head)
            ws.write_string(TALLY_HEADER_ROW, n + 2, TALLY_H_NOTE, f_head)
            first, stop = TALLY_HEADER_ROW + 1, TALLY_HEADER_ROW + 1 + max(len(book.units) * 3, 60)
            for r in range(first, stop):
                ws.write_blank(r, 0, None, f_cell)
                for j in range(1, n + 2):
                    ws.write_blank(r, j, None, f_cell)
                ws.write_blank(r, n + 2, None, wb.add_format({**font, "border": 1, "locked": False}))
            ws.data_validation(
                first, 1, stop - 1, n + 1,
                {"validate": "list", "source": ["x"], "error_title": "Chỉ đánh x",
                 "error_message": "Đánh x nếu phiếu chọn đơn vị này; để trống nếu không."},
            )  # fmt: skip
            ws.write_string(stop, 0, "Cộng", f_sum)
            for j in range(1, n + 2):
                col = cell_name(0, j)[:-1]
                ws.write_formula(stop, j, f'=COUNTIF({col}{first + 1}:{col}{stop},"x")', f_sum, 0)
            ws.freeze_panes(TALLY_HEADER_ROW + 1, 1)
            ws.set_landscape()
            ws.set_paper(9)
            ws.fit_to_pages(1, 0)
            ws.repeat_rows(TALLY_HEADER_ROW)
            ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})

        meta = wb.add_worksheet(TALLY_META_SHEET)
        meta_rows = [
            ("format", TALLY_FORMAT),
            ("cluster", book.cluster_name),
            ("parent_body", book.parent_body),
            ("year", str(book.year)),
            ("date", day),
            ("quorum", f"{quorum.numerator}/{quorum.denominator}"),
        ]
        for vote in votes:
            meta_rows.append((f"vote:{vote.key}", f"{vote.sheet}|{vote.seats}|{int(vote.places)}|{vote.role}"))
            meta_rows.append((f"title:{vote.key}", vote.title))
            for unit in vote.candidates:
                meta_rows.append((f"unit:{vote.key}", f"{unit.code}|{unit.name}"))
        for i, (k, v) in enumerate(meta_rows):
            meta.write_string(i, 0, k)
            meta.write_string(i, 1, nfc(v))
        meta.hide()
        wb.close()
    return path


# ---------------------------------------------------------------------------------------------- reading the tally


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    text = nfc(value)
    return int(text) if text.isdigit() else None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return nfc(value)


def read_tally(path: Path) -> Tally:
    """Read the tally workbook as typed by the counters. Problems are findings naming sheet and cell."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    file = path.name
    findings: list[Finding] = []

    def problem(code, message, fix, sheet="", cell="", severity=Severity.ERROR):
        findings.append(Finding(code, severity, file, message, fix, sheet, cell))

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
        meta_rows = wb.get_sheet_by_name(TALLY_META_SHEET).to_python() if TALLY_META_SHEET in names else []
    except BaseException as exc:  # also a Rust panic in calamine
        if must_propagate(exc):
            raise
        raise TtdkError(
            f"Không đọc được tệp kiểm phiếu '{file}' ({type(exc).__name__}). "
            "Cách sửa: mở tệp bằng Excel, lưu dạng .xlsx rồi chạy lại."
        ) from None
    meta: dict[str, list[str]] = {}
    for row in meta_rows:
        if len(row) >= 2 and nfc(row[0]):
            meta.setdefault(nfc(row[0]), []).append(_text(row[1]))
    if meta.get("format", [""])[0] != TALLY_FORMAT:
        raise TtdkError(
            f"'{file}' không phải bảng kiểm phiếu do ttdk-xl tạo (thiếu trang ẩn '{TALLY_META_SHEET}'). "
            "Cách sửa: tạo bảng bằng 'ttdk-xl ballots' và nhập phiếu vào đó."
        )

    votes: list[Vote] = []
    for entry in ("suy_ton", "cum_truong", "cum_pho"):
        if f"vote:{entry}" not in meta:
            continue
        sheet, seats, places, role = meta[f"vote:{entry}"][0].split("|")
        units = tuple(Unit(*u.split("|", 1)) for u in meta.get(f"unit:{entry}", []))
        votes.append(Vote(entry, sheet, meta[f"title:{entry}"][0], units, int(seats), places == "1", role))

    # Thông tin
    info: dict[str, tuple[object, str]] = {}
    if TALLY_INFO_SHEET in names:
        for i, row in enumerate(wb.get_sheet_by_name(TALLY_INFO_SHEET).to_python(skip_empty_area=False)):
            if len(row) >= 2 and nfc(row[0]):
                info[header_key(row[0])] = (row[1], cell_name(i, 1))
    else:
        problem(
            "tally-no-info",
            f"Thiếu trang '{TALLY_INFO_SHEET}'.",
            "Dùng lại bảng kiểm phiếu do ttdk-xl tạo.",
            TALLY_INFO_SHEET,
        )

    def number(k: str) -> int | None:
        value, cell = info.get(header_key(k), (None, "B?"))
        n = _int(value)
        if n is None or n <= 0:
            shown = _text(value)
            problem(
                "tally-delegates",
                f"'{k}' " + (f"là '{shown}', không phải số nguyên dương." if shown else "chưa được nhập."),
                f"Nhập {k.lower()} (số nguyên) vào ô {cell}.",
                TALLY_INFO_SHEET,
                cell,
            )
        return n

    convened, present = number(TALLY_K_CONVENED), number(TALLY_K_PRESENT)
    if convened and present and present > convened:
        problem(
            "tally-present-above-convened",
            f"Số đại biểu có mặt ({present}) lớn hơn số đại biểu được triệu tập ({convened}).",
            "Kiểm tra lại hai số này ở trang 'Thông tin'.",
            TALLY_INFO_SHEET,
            info[header_key(TALLY_K_PRESENT)][1],
        )
    try:
        quorum = parse_quorum(meta.get("quorum", [""])[0])
    except ValueError:
        quorum = DEFAULT_QUORUM

    ballots: dict[str, tuple[Ballot, ...]] = {}
    for vote in votes:
        if vote.sheet not in names:
            problem("tally-no-sheet", f"Thiếu trang '{vote.sheet}'.", "Dùng lại bảng kiểm phiếu do ttdk-xl tạo.")
            ballots[vote.key] = ()
            continue
        rows = wb.get_sheet_by_name(vote.sheet).to_python(skip_empty_area=False)
        ballots[vote.key] = _read_vote_sheet(vote, rows, present, problem)

    members = tuple(
        m.strip() for m in re.split(r"[;\n]", _text(info.get(header_key(TALLY_K_MEMBERS), ("", ""))[0])) if m.strip()
    )
    return Tally(
        file=file,
        cluster=meta.get("cluster", [""])[0],
        parent_body=meta.get("parent_body", [""])[0],
        year=int(meta.get("year", ["0"])[0] or 0),
        place=_text(info.get(header_key(TALLY_K_PLACE), ("", ""))[0]),
        convened=convened or 0,
        present=present or 0,
        quorum=quorum,
        # as the counters typed it; left blank, the conference's date the sheet was made with
        count_date=_text(info.get(header_key(TALLY_K_DATE), ("", ""))[0]) or meta.get("date", [""])[0],
        chief=_text(info.get(header_key(TALLY_K_CHIEF), ("", ""))[0]),
        members=members,
        votes=tuple(votes),
        ballots=ballots,
        findings=tuple(findings),
    )


def _read_vote_sheet(vote: Vote, rows: Sequence[Sequence[object]], present: int | None, problem) -> tuple[Ballot, ...]:
    sheet = vote.sheet
    header = rows[TALLY_HEADER_ROW] if len(rows) > TALLY_HEADER_ROW else []
    names = UnitNames(vote.candidates)
    columns: dict[int, Unit] = {}
    col_ballot = col_invalid = col_note = None
    for j, v in enumerate(header):
        k = header_key(v)
        if k == header_key(TALLY_H_BALLOT):
            col_ballot = j
        elif k == header_key(TALLY_H_INVALID):
            col_invalid = j
        elif k == header_key(TALLY_H_NOTE):
            col_note = j
        elif k and (unit := names.match(_text(v))) is not None:
            columns[j] = unit
        elif k:
            problem(
                "tally-unknown-column",
                f"Cột '{_text(v)}' không phải đơn vị trong danh sách bỏ phiếu.",
                "Không đổi tên, thêm hay xóa cột; dùng lại bảng kiểm phiếu do ttdk-xl tạo.",
                sheet,
                cell_name(TALLY_HEADER_ROW, j),
            )
    missing = [u.name for u in vote.candidates if u not in columns.values()]
    if col_ballot is None or missing:
        problem(
            "tally-columns",
            "Bảng kiểm phiếu thiếu cột "
            + ", ".join(([f"'{TALLY_H_BALLOT}'"] if col_ballot is None else []) + missing)
            + ".",
            "Không đổi tên, thêm hay xóa cột; dùng lại bảng kiểm phiếu do ttdk-xl tạo.",
            sheet,
            cell_name(TALLY_HEADER_ROW, 0),
        )
        return ()

    out: list[Ballot] = []
    seen: dict[str, str] = {}
    for i in range(TALLY_HEADER_ROW + 1, len(rows)):
        row = rows[i]

        def at(j, row=row):
            return row[j] if j is not None and j < len(row) else None

        label = header_key(at(col_ballot))
        if label == "cộng":
            break
        marks: list[str] = []
        bad = False
        for j, unit in columns.items():
            v = at(j)
            if v is None or nfc(v) == "":
                continue
            if nfc(v) in MARKS:
                marks.append(unit.code)
            else:
                bad = True
                problem(
                    "tally-bad-mark",
                    f"Ô có '{_text(v)}'; chỉ được đánh x (phiếu chọn đơn vị) hoặc để trống.",
                    "Sửa thành x hoặc xóa, theo đúng phiếu.",
                    sheet,
                    cell_name(i, j),
                )
        flagged = nfc(at(col_invalid)) if col_invalid is not None else ""
        if flagged and flagged not in MARKS:
            bad = True
            problem(
                "tally-bad-mark",
                f"Ô có '{flagged}'; ở cột '{TALLY_H_INVALID}' chỉ đánh x hoặc để trống.",
                "Sửa thành x (phiếu không hợp lệ) hoặc xóa.",
                sheet,
                cell_name(i, col_invalid),
            )
        number = _text(at(col_ballot))
        if not number and not marks and not flagged and not bad:
            continue  # an unused row
        if not number:
            problem(
                "tally-no-number",
                "Dòng có đánh dấu nhưng chưa ghi số phiếu.",
                f"Ghi số phiếu vào ô {cell_name(i, col_ballot)} (mỗi phiếu một số).",
                sheet,
                cell_name(i, col_ballot),
            )
        elif number in seen:
            problem(
                "tally-duplicate-ballot",
                f"Phiếu số {number} được nhập hai lần (đã có ở ô {seen[number]}).",
                "Xóa dòng nhập trùng, hoặc sửa lại số phiếu.",
                sheet,
                cell_name(i, col_ballot),
            )
        else:
            seen[number] = cell_name(i, col_ballot)
        reason = ""
        if flagged in MARKS:
            reason = nfc(at(col_note)) or "tổ kiểm phiếu xác định không hợp lệ"
        elif len(marks) > vote.seats:
            reason = f"chọn {len(marks)} đơn vị, quá {vote.seats} đơn vị được chọn"
            problem(
                "tally-too-many",
                f"Phiếu số {number or '?'} chọn {len(marks)} đơn vị, quá số được chọn ({vote.seats}): tính là phiếu "
                "không hợp lệ.",
                "Đối chiếu với phiếu giấy; nếu nhập nhầm, sửa lại dòng này.",
                sheet,
                cell_name(i, col_ballot),
                Severity.WARNING,
            )
        out.append(Ballot(i, number, tuple(marks), reason))
    if present and len(out) > present:
        problem(
            "tally-too-many-ballots",
            f"Có {len(out)} phiếu, nhiều hơn số đại biểu có mặt ({present}): kết quả không thể đúng.",
            "Kiểm tra phiếu nhập trùng, hoặc số đại biểu có mặt ở trang 'Thông tin'.",
            sheet,
            cell_name(TALLY_HEADER_ROW + 1, col_ballot),
        )
    return tuple(out)


# ---------------------------------------------------------------------------------------------- counting (pure)


def count(tally: Tally) -> CountResult:
    """Count every vote of the tally. Pure; assumes `tally.findings` has no error (see tally())."""
    counts = tuple(count_vote(v, tally.ballots.get(v.key, ()), tally.present) for v in tally.votes)
    quorate = tally.present * tally.quorum.denominator >= tally.quorum.numerator * tally.convened
    return CountResult(tally, counts, quorate, tally.findings)


def count_vote(vote: Vote, ballots: tuple[Ballot, ...], issued: int) -> VoteCount:
    valid = [b for b in ballots if not b.invalid_reason]
    invalid = tuple(b for b in ballots if b.invalid_reason)
    n = len(valid)
    votes = {u.code: 0 for u in vote.candidates}
    for b in valid:
        for code in b.marks:
            votes[code] += 1
    order = {u.code: i for i, u in enumerate(vote.candidates)}
    # more than half of the valid ballots
    passing = [u for u in vote.candidates if n and 2 * votes[u.code] > n]
    passing.sort(key=lambda u: (-votes[u.code], order[u.code]))
    chosen: list[Unit] = passing[: vote.seats]
    tied: list[Unit] = []
    notes: list[str] = []
    if len(passing) > vote.seats:
        cut = votes[passing[vote.seats - 1].code]
        if votes[passing[vote.seats].code] == cut:
            tied = [u for u in passing if votes[u.code] == cut]
            chosen = [u for u in chosen if votes[u.code] > cut]
    if vote.places:
        for upper, lower in itertools.pairwise(chosen):
            if votes[upper.code] == votes[lower.code]:
                notes.append(
                    f"{upper.name} và {lower.name} bằng số phiếu ({votes[upper.code]}); "
                    "thứ tự xếp theo thứ hạng tổng điểm thi đua."
                )
    outcome: dict[str, str] = {}
    for i, u in enumerate(chosen):
        outcome[u.code] = PLACES[i] if vote.places else "Trúng cử"
    for u in tied:
        outcome[u.code] = "Bằng phiếu - bỏ phiếu lại"
    lines = tuple(Line(u, votes[u.code], _percent(votes[u.code], n), outcome.get(u.code, "")) for u in vote.candidates)
    return VoteCount(vote, issued, len(ballots), n, invalid, lines, tuple(chosen), tuple(tied), tuple(notes))


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


def tally(path: Path) -> CountResult:
    """Read the tally workbook and count it (the counts are meaningful only without blocking findings)."""
    t = read_tally(path)
    result = count(t)
    if not result.quorate and t.present and t.convened:
        extra = Finding(
            "tally-no-quorum",
            Severity.ERROR,
            t.file,
            f"Số đại biểu có mặt ({t.present}/{t.convened}) chưa đạt tỷ lệ tối thiểu {quorum_text(t.quorum)}: "
            "Hội nghị không đủ điều kiện biểu quyết.",
            "Kiểm tra lại số đại biểu ở trang 'Thông tin'; nếu đúng, hoãn bỏ phiếu đến khi đủ đại biểu.",
            TALLY_INFO_SHEET,
        )
        result = CountResult(t, result.counts, False, (*result.findings, extra))
    return result


# ---------------------------------------------------------------------------------------------- minutes (.docx)


def write_minutes(result: CountResult, path: Path) -> Path:
    from ttdk_xl.outputs import docx_style as ds  # lazy: python-docx, for start-up

    t = result.tally
    doc = ds.new_document(f"Biên bản kiểm phiếu — {t.cluster} năm {t.year}")
    w = ds.Writer(doc)
    place = t.place or "[địa danh]"
    day = parse_day(t.count_date)
    when = day_words(day) if day else "ngày … tháng … năm …"
    ds.national_header(doc, nfc(t.parent_body).upper(), nfc(t.cluster).upper(), "", f"{place}, {when}")
    subjects = "; ".join(c.vote.title[:1].lower() + c.vote.title[1:] for c in result.counts)
    ds.title(w, "BIÊN BẢN KIỂM PHIẾU", f"{subjects[:1].upper()}{subjects[1:]} của {t.cluster}", before=12)

    team = t.chief or "[họ tên, chức vụ]"
    w.para(
        f"Hôm nay, {when}, tại {place}, Hội nghị {t.cluster} đã tiến hành bỏ phiếu. "
        f"Tổ kiểm phiếu do Hội nghị bầu gồm: đồng chí {team} - Tổ trưởng"
        + (f"; các thành viên: {', '.join(t.members)}." if t.members else "; các thành viên: [họ tên].")
    )
    share = _percent(t.present, t.convened)
    w.para(
        f"Số đại biểu được triệu tập: {t.convened:02d}; số đại biểu có mặt: {t.present:02d} "
        f"(đạt {vn_number(share)}%, tỷ lệ tối thiểu theo quy định: {quorum_text(t.quorum)}"
        + ("" if result.quorate else "; CHƯA ĐỦ điều kiện biểu quyết")
        + ")."
    )
    w.para("Tổ kiểm phiếu đã kiểm phiếu công khai trước Hội nghị; kết quả như sau:")
    roman = ("I", "II", "III", "IV", "V")
    for i, c in enumerate(result.counts):
        _minutes_section(ds, doc, w, f"{roman[i]}. {c.vote.title.upper()}", c, last=i == len(result.counts) - 1)
    # The last lines stay on the page of the signatures (keep with next), which never stand alone on a page.
    w.para(
        "Biên bản được lập xong hồi … giờ … phút cùng ngày, đã đọc lại trước Hội nghị và được Hội nghị thống nhất.",
        before=6,
        keep=True,
    )
    _signatures(ds, doc, t)
    return ds.save(doc, path)


def _minutes_section(ds, doc, w, heading: str, c: VoteCount, last: bool = False) -> None:
    """One vote's count; the `last` one's result is kept with the closing lines and the signatures."""
    w.para(heading, indent=0, bold=True, before=6, keep=True)
    w.para(
        f"Số phiếu phát ra: {c.issued:02d}; số phiếu thu vào: {c.collected:02d}; số phiếu hợp lệ: {c.valid:02d}; "
        f"số phiếu không hợp lệ: {len(c.invalid):02d}."
    )
    for b in c.invalid:
        reason = b.invalid_reason.rstrip(" .")
        w.para(f"- Phiếu số {b.number}: {reason[:1].lower()}{reason[1:]}.", indent=1.27)
    t = doc.add_table(rows=1 + len(c.lines), cols=5)
    t.style = doc.styles["Table Grid"]
    ds.table_props(t, [1.2, 7.6, 2.2, 2.6, 2.9], borders=True, pad_cm=0.1)
    heads = ("STT", "Đơn vị", "Số phiếu", "Tỷ lệ (%) trên số phiếu hợp lệ", "Kết quả")
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        ds.cell_par(cell, text, bold=True)
    ds.repeat_header(t.rows[0])
    for n, line in enumerate(c.lines, 1):
        cells = t.rows[n].cells
        ds.cell_par(cells[0], str(n))
        ds.cell_par(cells[1], line.unit.name, align=ds.LEFT)
        ds.cell_par(cells[2], f"{line.votes:02d}")
        ds.cell_par(cells[3], vn_number(line.percent))
        ds.cell_par(cells[4], line.outcome, bold=bool(line.outcome))
        ds.cant_split(t.rows[n])
    w.para(_result_text(c), before=6, keep=last)
    for note in c.notes:
        w.para([(note, {"italic": True})], keep=last)


def _result_text(c: VoteCount) -> str:
    votes = {line.unit.code: line.votes for line in c.lines}
    parts = []
    if c.vote.places:
        for i, u in enumerate(c.chosen):
            parts.append(f"{u.name} ({votes[u.code]:02d} phiếu) được suy tôn là đơn vị dẫn đầu, xếp thứ {PLACES[i]}")
        text = "Kết quả: " + ("; ".join(parts) + "." if parts else "không có đơn vị nào đạt quá nửa số phiếu hợp lệ.")
        if c.tied:
            k = len(c.chosen)
            text += (
                f" Các đơn vị {', '.join(u.name for u in c.tied)} bằng số phiếu ({votes[c.tied[0].code]:02d}) "
                f"cho vị trí thứ {', '.join(PLACES[k : k + len(c.tied)][:1])}: đề nghị Hội nghị bỏ phiếu lại giữa "
                "các đơn vị này."
            )
        elif len(c.chosen) < c.vote.seats:
            text += (
                f" Còn {c.vote.seats - len(c.chosen):02d} vị trí chưa có đơn vị đạt quá nửa số phiếu hợp lệ: "
                "đề nghị Hội nghị thảo luận, bỏ phiếu lại."
            )
        return text
    if c.chosen:
        u = c.chosen[0]
        return (
            f"Kết quả: {u.name} được {votes[u.code]:02d}/{c.valid:02d} phiếu hợp lệ "
            f"({vn_number(_percent(votes[u.code], c.valid))}%), trúng cử đơn vị {c.vote.role}."
        )
    if c.tied:
        return (
            f"Kết quả: {', '.join(u.name for u in c.tied)} bằng số phiếu ({votes[c.tied[0].code]:02d}): "
            "đề nghị Hội nghị bỏ phiếu lại giữa các đơn vị này."
        )
    return f"Kết quả: không có đơn vị nào đạt quá nửa số phiếu hợp lệ; đề nghị Hội nghị bầu lại {c.vote.role}."


def _signatures(ds, doc, t: Tally) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    table = doc.add_table(rows=1, cols=2)
    table_w = ds.usable_width_cm(doc)
    ds.table_props(table, [table_w / 2, table_w / 2], borders=False)
    ds.cant_split(table.rows[0])
    for cell, head, names in (
        (table.rows[0].cells[0], "CÁC THÀNH VIÊN TỔ KIỂM PHIẾU", t.members or ("[Họ và tên]",)),
        (table.rows[0].cells[1], "TỔ TRƯỞNG TỔ KIỂM PHIẾU", (t.chief or "[Họ và tên]",)),
    ):
        ds.cell_par(cell, head, size=13, bold=True).paragraph_format.space_before = ds.Pt(12)
        ds.cell_par(cell, "(Ký, ghi rõ họ tên)", size=13, italic=True, first=False)
        for name in names:
            for _ in range(3):
                ds.cell_par(cell, "", size=13, first=False)
            ds.cell_par(cell, name, size=13, bold=True, first=False)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
