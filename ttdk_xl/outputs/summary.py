"""Results → `tong_hop.xlsx` (the summary workbook) and `ket_qua.json` (the same results for machines).

Every sheet is written strictly row by row, so the same code works with xlsxwriter's `constant_memory`
mode, which a large run (thousands of units) switches on. Both files are written to a temporary file in
the target folder and renamed over the target, so an interrupted run leaves the previous output intact.
The same Result always gives the same bytes: no clock is read here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ttdk_xl.core.atomic import atomic_path
from ttdk_xl.core.finding_labels import label
from ttdk_xl.core.gc_pause import gc_paused
from ttdk_xl.core.layout import (
    NO,
    SUMMARY_CHART_SHEET,
    SUMMARY_CHECK_SHEET,
    SUMMARY_EXPLAIN_SHEET,
    SUMMARY_HEADER_ROW,
    SUMMARY_MATRIX_SHEET,
    SUMMARY_SHEET,
    SUMMARY_SOURCE_SHEET,
    YES,
)
from ttdk_xl.core.models import Criterion, Finding, Kind, Result, Severity, Source, SourceState, Status, UnitResult
from ttdk_xl.core.text import people_time, plain
from ttdk_xl.history.trend import history_fields
from ttdk_xl.outputs import xlsx_fast
from ttdk_xl.outputs.history_sheet import write_history_sheet
from ttdk_xl.outputs.xlsx_fast import close_with_level, use_fast_sheets, wrapped_lines
from ttdk_xl.rules.agreed_keep import STALE_HEADERS, STALE_SHEET, StaleValue
from ttdk_xl.rules.assessed import write_input_sheet, write_sheets

SUMMARY_HEADERS = (
    "STT",
    "Mã đơn vị",
    "Đơn vị",
    "Điểm chấm",
    "Điểm thưởng",
    "Điểm trừ",
    "Tổng điểm",
    "Xếp hạng",
    "Suy tôn",
    "Xếp loại",
    "Đề nghị khen thưởng",
    "Tình trạng",
    "Ghi chú",
)
CHECK_HEADERS = ("STT", "Tệp", "Đơn vị", "Trang tính", "Ô", "Loại lỗi (mã)", "Mức độ", "Nội dung", "Cách khắc phục")
EXPLAIN_HEADERS = ("Mã", "Nội dung tiêu chí", "Đơn vị", "Điểm", "Giải trình, minh chứng")
SOURCE_HEADERS = (
    "Tệp",
    "Mã đơn vị",
    "SHA-256",
    "Dung lượng (byte)",
    "Thời gian sửa",
    "Phiên bản mẫu",
    "Thời điểm phát hành",
    "Trạng thái",
    "Ghi chú",
)
SOURCE_MAIL_HEADERS = ("Thư gửi từ", "Ngày gửi thư")
CHART_HEADERS = ("Xếp hạng", "Đơn vị", "Tổng điểm")
AVERAGE_HEADER = "Trung bình cụm"
RANK_INVALID_NOTE = "Xếp hạng cả đơn vị có lỗi theo yêu cầu"
NO_FINDINGS = "Không có lỗi nào."

CONSTANT_MEMORY_UNITS = 2000  # above this many units the workbook is written in constant-memory mode
MATRIX_MAX_UNITS = 250  # above this, `Chi tiết điểm` is transposed: one row per unit, one column per criterion
MATRIX_FIT_UNITS = 16  # up to this many unit columns the matrix prints one page wide
CHART_MAX_UNITS = 60  # the chart shows at most this many units (the highest totals)
EXCEL_MAX_ROWS = 1_048_576

FONT = "Times New Roman"
LINE_HEIGHT = 14  # points per line of 11-point text
GREEN = ("#C6EFCE", "#006100")
RED = ("#FFC7CE", "#9C0006")
AMBER = ("#FFEB9C", "#7F6000")
GREY = ("#E7E6E6", "#595959")
HEADER_FILL = "#D9E1F2"
GROUP_FILL = "#EDF2FA"
ACCLAIM_FILL = "#FFF2CC"

STATUS_COLOURS = {Status.VALID: GREEN, Status.INVALID: RED, Status.MISSING: GREY}
SEVERITY_COLOURS = {Severity.ERROR: RED, Severity.WARNING: AMBER}
STATE_COLOURS = {SourceState.USED: GREEN, SourceState.SUPERSEDED: GREY, SourceState.REJECTED: RED}
ACCLAIMS = ("Nhất", "Nhì", "Ba")


# ---------------------------------------------------------------------------------------------- public API


def write_summary(result: Result, path: Path) -> None:
    """Write the summary workbook (normally `tong_hop.xlsx`) atomically.

    Sheets in order: `Tổng hợp`, `Kiểm tra`, `Thẩm định` (then `Điểm điều chỉnh` when agreed scores were
    applied), `Chi tiết điểm`, `Giải trình`, `Nguồn`, `Biểu đồ`, then `Qua các năm` when the result has a history
    (outputs.history_sheet).
    On every sheet but `Thẩm định` rows 1–3 are the title block and row 4 (`SUMMARY_HEADER_ROW` + 1) is the
    table header.
    Text that came from units is always written as text, never as a formula or a link.
    """
    path = Path(path)
    big = len(result.units) > CONSTANT_MEMORY_UNITS
    fast = xlsx_fast.wanted(len(result.units))  # a province: the fast sheets and no collector passes

    def write(tmp: Path) -> None:
        options = {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": big,
        }
        wb = xlsxwriter.Workbook(str(tmp), options)
        use_fast_sheets(wb, len(result.units))  # same bytes, faster for a province
        with gc_paused(fast):
            try:
                _Writer(wb, result).write()
            finally:
                close_with_level(wb, 1) if big else wb.close()  # a province's: deflated fast

    _atomic(path, write)


def write_agreed_workbook(result: Result, path: Path, stale: Iterable[StaleValue] = ()) -> None:
    """Write the year folder's agreed-scores file (`tham_dinh.xlsx`) atomically: the `Thẩm định` input sheet as
    in tong_hop.xlsx (agreed = the scores that count now: what was typed, else the self-score), then
    `Không còn dùng`, the typed values whose unit or criterion has no place any more."""
    stale = list(stale)

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        w = _Writer(wb, result)
        wb.set_properties(
            {
                "title": f"Điểm thẩm định thi đua năm {result.book.year}",
                "subject": result.book.cluster_name,
                "author": "ttdk-xl",
                "created": dt.datetime(result.book.year, 12, 31, 0, 0, 0),
            }
        )
        write_input_sheet(w)
        if stale:
            w.stale(stale)
        wb.close()

    _atomic(path, write)


def write_json(result: Result, path: Path) -> None:
    """Write the results for machines (normally `ket_qua.json`) atomically, UTF-8, indented by 2, one line
    per element of the top-level lists (unit, finding, source…).

    Schema (`format` = "ttdk-xl/ket_qua@1"). Every score is a decimal *string* ("87.5", never a float);
    a value that does not exist is `null`. Enumerated values are the Vietnamese words of the summary
    workbook. Nothing about the run itself (no clock time), so the same inputs give the same file::

        {
          "format": "ttdk-xl/ket_qua@1",
          "cluster": "Cụm thi đua số 2",          // book: Tên cụm
          "parent_body": "UBND tỉnh Thanh Hóa",    // book: Cơ quan cấp trên
          "year": 2025,
          "fingerprint": "3f1c…",                  // criteria fingerprint (ids, max points, kinds)
          "rank_invalid": false,                   // true: units with blocking errors were ranked on request
          "criteria": [                            // the criteria book, in book order
            {"code": "I.1", "text": "…", "kind": "chấm điểm", "max_points": "5", "parent": "I"}
          ],                                       // kind: nhóm | chấm điểm | điểm thưởng | điểm trừ | điểm liệt
          "units": [                               // same order as sheet `Tổng hợp` (ranked, unranked, missing)
            {
              "code": "TS", "name": "Huyện Triệu Sơn",
              "status": "Hợp lệ",                  // Hợp lệ | Có lỗi | Chưa nộp
              "scored": "80.5", "bonus": "5", "penalty": "1", "total": "84.5",   // or null
              "rank": 1,                           // integer or null (not ranked)
              "acclaim": "Nhất",                   // Nhất | Nhì | Ba | ""
              "level": "Tốt", "award": "…", "disqualified": false,
              "tied": false,                       // still equal after every tie-break: the conference votes
              "note": "…", "file": "inbox/ts.xlsx",
              "scores": {"I.1": "5", …},           // leaf code → points (penalties positive; disqualifier 1 = Có)
              "group_scores": {"I": "18.5", …},    // group code → subtotal
              "self_total": "90.5",                // with agreed scores: the total of the self-scores, else null
              "deviation_penalty": "2"             // deducted for a self-score total too far off, else null
            }
          ],
          "assessed_file": "tong_hop.xlsx",        // '' = self-scores; else the file whose `Thẩm định` counted
          "changes": [                             // agreed scores that differ from the self-scores
            {"unit_code": "TS", "criterion": "II.1", "self_score": "10", "self_typed": "", "agreed": "8",
             "reason": "…"}                        // self_score null: no valid self-score; self_typed: what the
          ],                                       // unit typed then ("9" over a max of 8), "" if blank
          "findings": [                            // same order as sheet `Kiểm tra`
            {"code": "score-above-max", "severity": "Lỗi",   // Lỗi | Cảnh báo | Ghi chú
             "file": "…", "sheet": "…", "cell": "D12", "unit_code": "TS", "unit_name": "…",
             "message": "…", "fix": "…"}
          ],
          "sources": [                             // every file of the inbox, same order as sheet `Nguồn`
            {"file": "…", "unit_code": "TS", "sha256": "…", "size": 12345, "modified": "2025-…",
             "template_version": "1", "issued_at": "…",
             "state": "Đã dùng",                   // Đã dùng | Bị thay thế | Bị loại | Bỏ qua
             "note": "…",
             "sender": "…", "sent_at": "…"}       // for a file attached to a saved email, else ""
          ],
          "history": {…}                           // only with a history: see history.trend.history_fields
        }
    """
    path = Path(path)
    text = _json_text(result_to_dict(result))

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    _atomic(path, write)


def _json_text(doc: dict[str, Any]) -> str:
    """The document indented by 2, with each element of a top-level list on one line.

    One line per unit, finding or source keeps a province's file readable and diff-friendly, and lets
    the json module's C encoder do the work (indenting every level goes through its slow Python path).
    """
    one = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    lines = ["{"]
    for i, (k, v) in enumerate(doc.items()):
        comma = "," if i < len(doc) - 1 else ""
        if isinstance(v, list) and v:
            lines.append(f"  {one(k)}: [")
            lines.append(",\n".join("    " + one(item) for item in v))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {one(k)}: {one(v)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def result_to_dict(result: Result) -> dict[str, Any]:
    """The JSON document of `write_json` as plain Python data (see its docstring for the schema)."""
    book = result.book
    codes = [c.code for c in book.criteria]

    def scores(values: dict[str, Decimal]) -> dict[str, str]:
        """In book order; codes the book does not have (none, normally) last, sorted."""
        out = {code: plain(v) for code in codes if (v := values.get(code)) is not None}
        if len(out) < len(values):
            out.update((code, plain(values[code])) for code in sorted(set(values) - set(out)))
        return out

    return {
        "format": "ttdk-xl/ket_qua@1",
        "cluster": book.cluster_name,
        "parent_body": book.parent_body,
        "year": book.year,
        "fingerprint": book.fingerprint,
        "rank_invalid": result.rank_invalid,
        "criteria": [
            {
                "code": c.code,
                "text": c.text,
                "kind": c.kind.value,
                "max_points": plain(c.max_points),
                "parent": c.parent,
            }
            for c in book.criteria
        ],
        "units": [
            {
                "code": u.unit.code,
                "name": u.unit.name,
                "status": u.status.value,
                "scored": _dec(u.scored),
                "bonus": _dec(u.bonus),
                "penalty": _dec(u.penalty),
                "total": _dec(u.total),
                "rank": u.rank,
                "acclaim": u.acclaim,
                "level": u.level,
                "award": u.award,
                "disqualified": u.disqualified,
                "tied": u.tied,
                "note": u.note,
                "file": u.file,
                "scores": scores(u.scores),
                "group_scores": scores(u.group_scores),
                "self_total": _dec(u.self_total),
                "deviation_penalty": _dec(u.deviation_penalty),
            }
            for u in result.units
        ],
        "assessed_file": result.assessed_file,
        "changes": [
            {
                "unit_code": ch.unit_code,
                "criterion": ch.code,
                "self_score": _dec(ch.self_score),
                "self_typed": ch.self_typed,
                "agreed": _dec(ch.agreed),
                "reason": ch.reason,
            }
            for ch in result.changes
        ],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "file": f.file,
                "sheet": f.sheet,
                "cell": f.cell,
                "unit_code": f.unit_code,
                "unit_name": f.unit_name,
                "message": f.message,
                "fix": f.fix,
            }
            for f in result.findings
        ],
        "sources": [
            {
                "file": s.file,
                "unit_code": s.unit_code,
                "sha256": s.sha256,
                "size": s.size,
                "modified": s.modified,
                "template_version": s.template_version,
                "issued_at": s.issued_at,
                "state": s.state.value,
                "note": s.note,
                "sender": s.sender,
                "sent_at": s.sent_at,
            }
            for s in result.sources
        ],
    } | history_fields(result)  # the `history` key, only when the result has a history


# ---------------------------------------------------------------------------------------------- helpers


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temporary file next to `path`, then rename it over `path`."""
    with atomic_path(path) as tmp:
        write(tmp)


def _decimals(result: Result) -> int:
    """Decimal places shown for scores: enough for the book's step, at least 2 (averages)."""
    exponent = result.book.step.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return max(2, min(places, 6))


class _Styles:
    """Cached xlsxwriter formats built from a base (font, border) plus per-cell properties."""

    def __init__(self, wb: xlsxwriter.Workbook, num_format: str):
        self.wb = wb
        self.num = num_format
        self._cache: dict[tuple, Format] = {}
        self._fast: dict[tuple, Format] = {}

    def __call__(self, cell: bool = True, **props: Any) -> Format:
        fast = (cell, *props.items())  # called per cell: look up by the call's own keyword order first
        found = self._fast.get(fast)
        if found is None:
            found = self._fast[fast] = self._make(cell, props)
        return found

    def _make(self, cell: bool, props: dict[str, Any]) -> Format:
        base: dict[str, Any] = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        if cell:
            base["border"] = 1
            base["border_color"] = "#808080"
        base.update(props)
        key = tuple(sorted(base.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(base)
        return self._cache[key]

    def coloured(self, colours: tuple[str, str] | None, **props: Any) -> Format:
        if colours:
            props.update(bg_color=colours[0], font_color=colours[1])
        return self(**props)

    def header(self) -> Format:
        return self(bold=True, bg_color=HEADER_FILL, text_wrap=True, align="center")


class _Writer:
    def __init__(self, wb: xlsxwriter.Workbook, result: Result):
        self.wb = wb
        self.result = result
        self.book = result.book
        self.places = _decimals(result)
        self.num = "0." + "0" * self.places
        self.s = _Styles(wb, self.num)
        self.scored_units = [u for u in result.units if u.total is not None]
        self.widths: dict[str, tuple[float, ...]] = {}
        self.capacities: dict[str, tuple[int, ...]] = {}

    def write(self) -> None:
        book = self.book
        self.wb.set_properties(
            {
                "title": f"Kết quả tổng hợp tự chấm điểm thi đua năm {book.year}",
                "subject": book.cluster_name,
                "author": "ttdk-xl",
                "company": book.head_unit,
                "comments": "Tạo bằng ttdk-xl",
                "created": dt.datetime(book.year, 12, 31, 0, 0, 0),
            }
        )
        self.summary()
        self.checks()

        write_sheets(self)
        self.matrix()
        self.explanations()
        self.sources()
        self.chart()
        write_history_sheet(self)  # `Qua các năm`, only when the result has a history (outputs.history_sheet)

    def stale(self, values: list[StaleValue]) -> None:
        """`Không còn dùng`: typed agreed values kept for a person to see (never counted)."""
        s = self.s
        ncols = len(STALE_HEADERS)
        ws = self.sheet(STALE_SHEET, (30, 9, 40, 12, 36, 36))
        note = (
            "Các điểm thẩm định đã nhập nhưng không còn chỗ trong trang 'Thẩm định' (đơn vị hoặc tiêu chí không còn). "
            "Không được tính; giữ lại để đối chiếu. Nếu vẫn cần, nhập lại vào trang 'Thẩm định'."
        )
        self.title(ws, ncols, "CÁC ĐIỂM THẨM ĐỊNH KHÔNG CÒN DÙNG", note, warn=True)
        self.headers(ws, STALE_HEADERS)
        r = SUMMARY_HEADER_ROW
        for v in values:
            r += 1
            self.fit(ws, r, {0: v.unit, 2: v.text, 4: v.reason, 5: v.why})
            for c, text in enumerate((v.unit, v.code, v.text, v.agreed, v.reason, v.why)):
                ws.write_string(r, c, text, s(text_wrap=True, align="center" if c in (1, 3) else "left"))
        self.finish_table(ws, ncols, r)

    # ------------------------------------------------------------------ common layout

    def sheet(self, name: str, widths: Iterable[float], fit_width: bool = True) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        widths = self.widths[name] = tuple(widths)
        self.capacities[name] = tuple(_capacity(w) for w in widths)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.55, bottom=0.6)
        ws.center_horizontally()
        if fit_width:
            ws.fit_to_pages(1, 0)
        ws.repeat_rows(SUMMARY_HEADER_ROW)
        ws.set_footer(f'&L&"{FONT}"&9&A&R&"{FONT}"&9Trang &P/&N', margin=0.3)
        return ws

    def title(self, ws: Worksheet, ncols: int, title: str, note: str = "", warn: bool = False) -> None:
        """Rows 0–2: title, cluster name, a note line; centred over `ncols` columns, or left-aligned if 0."""
        cluster = self.book.cluster_name
        if self.book.parent_body:
            cluster = f"{cluster} – {self.book.parent_body}" if cluster else self.book.parent_body
        align = "center" if ncols > 1 else "left"
        s = self.s
        lines = (
            (title, s(cell=False, bold=True, font_size=14, align=align)),
            (cluster, s(cell=False, bold=True, font_size=12, align=align)),
            (note, s(cell=False, italic=True, align=align, font_color=RED[1] if warn else "#404040", bold=warn)),
        )
        ws.set_row(0, 22)
        for r, (text, style) in enumerate(lines):
            if ncols > 1:
                ws.merge_range(r, 0, r, ncols - 1, text, style)
            else:
                ws.write_string(r, 0, text, style)

    def headers(self, ws: Worksheet, headers: Iterable[str], height: float = 30) -> None:
        ws.set_row(SUMMARY_HEADER_ROW, height)
        for c, text in enumerate(headers):
            ws.write_string(SUMMARY_HEADER_ROW, c, text, self.s.header())

    def fit(self, ws: Worksheet, r: int, cells: dict[int, str], minimum: float = 0) -> None:
        """Set row r's height for its wrapped texts (Excel and LibreOffice do not do it on opening).

        Must be called before the row's cells are written (constant-memory mode).
        """
        height = self.fit_height(ws.name, cells, minimum)
        if height:
            ws.set_row(r, height)

    def fit_height(self, sheet: str, cells: dict[int, str], minimum: float = 0) -> float:
        """The row height `fit` sets for these texts on this sheet (0: none)."""
        widths, capacities = self.widths[sheet], self.capacities[sheet]
        lines = 1
        for c, text in cells.items():
            if c < len(widths) and (len(text) > capacities[c] or "\n" in text):  # else one line
                lines = max(lines, _lines(text, widths[c]))
        height = max(lines * LINE_HEIGHT + 3 if lines > 1 else 0, minimum)
        return min(height, 409) if height else 0

    def number(self, ws: Worksheet, r: int, c: int, value: Decimal | None, fmt: Format) -> None:
        if value is None:
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, float(value), fmt)

    def finish_table(self, ws: Worksheet, ncols: int, last_row: int, freeze_cols: int = 0) -> None:
        ws.freeze_panes(SUMMARY_HEADER_ROW + 1, freeze_cols)
        ws.autofilter(SUMMARY_HEADER_ROW, 0, max(last_row, SUMMARY_HEADER_ROW), ncols - 1)

    def empty_row(self, ws: Worksheet, r: int, ncols: int, text: str) -> None:
        ws.merge_range(r, 0, r, ncols - 1, text, self.s(italic=True, align="center"))

    # ------------------------------------------------------------------ 1. Tổng hợp

    def summary(self) -> None:
        result = self.result
        ncols = len(SUMMARY_HEADERS)
        ws = self.sheet(SUMMARY_SHEET, (5, 8, 22, 8.5, 8.5, 8.5, 8.5, 7, 7, 10, 24, 10, 30))
        counts = {st: sum(1 for u in result.units if u.status is st) for st in Status}
        note = (
            f"Số đơn vị: {len(result.units)} (hợp lệ: {counts[Status.VALID]}; có lỗi: {counts[Status.INVALID]}; "
            f"chưa nộp: {counts[Status.MISSING]})"
        )
        if result.rank_invalid:
            note = f"Lưu ý: {RANK_INVALID_NOTE}. {note}"
        if result.assessed_file:
            title = f"KẾT QUẢ TỔNG HỢP ĐIỂM THI ĐUA NĂM {self.book.year} (THEO ĐIỂM HỘI NGHỊ THẨM ĐỊNH)"
        else:
            title = f"KẾT QUẢ TỔNG HỢP TỰ CHẤM ĐIỂM THI ĐUA NĂM {self.book.year}"
        self.title(ws, ncols, title, note, result.rank_invalid)
        self.headers(ws, SUMMARY_HEADERS)
        s = self.s
        styles: dict[tuple[bool, bool], tuple[Format, ...]] = {}  # (top, tied) → the row's formats, looked up once
        status_styles = {st: s.coloured(STATUS_COLOURS.get(st), align="center") for st in Status}
        rows: dict[tuple, tuple] = {}  # (top, tied, status) → the row's formats for put_rows
        fit_height = self.fit_height

        def cells() -> Iterable[tuple[float, tuple, tuple]]:
            for i, u in enumerate(result.units, start=1):
                top = u.acclaim in ACCLAIMS
                key = (top, u.tied)
                formats = rows.get((top, u.tied, u.status))
                if formats is None:
                    st = styles.get(key)
                    if st is None:
                        row: dict[str, Any] = {"bg_color": ACCLAIM_FILL} if top else {}
                        rank_style = s.coloured(AMBER, align="center") if u.tied else s(align="center", bold=top, **row)
                        st = styles[key] = (
                            s(align="center", **row),
                            s(**row),
                            s(text_wrap=True, bold=top, **row),
                            s(num_format=self.num, **row),
                            s(num_format=self.num, bold=True, **row),
                            rank_style,
                            s(align="center", bold=True, font_color="#C00000", **row),
                            s(text_wrap=True, **row),
                        )
                    f_no, f_code, f_name, f_num, f_total, f_rank, f_acclaim, f_wrap = st
                    formats = rows[(top, u.tied, u.status)] = (
                        f_no, f_code, f_name, f_num, f_num, f_num, f_total, f_rank, f_acclaim, f_wrap, f_wrap,
                        status_styles[u.status], f_wrap,
                    )  # fmt: skip
                note = _unit_note(u)
                height = fit_height(SUMMARY_SHEET, {2: u.unit.name, 9: u.level, 10: u.award, 12: note})
                values = (
                    i, u.unit.code, u.unit.name, _num(u.scored), _num(u.bonus), _num(u.penalty), _num(u.total),
                    u.rank, u.acclaim, u.level, u.award, u.status.value, note,
                )  # fmt: skip
                yield height, formats, values

        r = ws.put_rows(SUMMARY_HEADER_ROW + 1, cells())
        self.finish_table(ws, ncols, r, freeze_cols=3)

    # ------------------------------------------------------------------ 2. Kiểm tra

    def checks(self) -> None:
        findings = self.result.findings
        ncols = len(CHECK_HEADERS)
        ws = self.sheet(SUMMARY_CHECK_SHEET, (5, 19, 21, 11, 6, 20, 9, 38, 34))
        counts = {sev: sum(1 for f in findings if f.severity is sev) for sev in Severity}
        note = f"Lỗi: {counts[Severity.ERROR]}; cảnh báo: {counts[Severity.WARNING]}; ghi chú: {counts[Severity.INFO]}."
        if counts[Severity.ERROR] and not self.result.rank_invalid:
            note += " Đơn vị có lỗi chưa được xếp hạng cho đến khi sửa xong."
        self.title(ws, ncols, f"KẾT QUẢ KIỂM TRA HỒ SƠ TỰ CHẤM ĐIỂM NĂM {self.book.year}", note)
        self.headers(ws, CHECK_HEADERS)
        s = self.s
        r = SUMMARY_HEADER_ROW
        if not findings:
            r += 1
            self.empty_row(ws, r, ncols, NO_FINDINGS)
        limit = EXCEL_MAX_ROWS - 2
        for i, f in enumerate(findings, start=1):
            r += 1
            if r >= limit:
                self.empty_row(
                    ws, r, ncols, f"… còn {len(findings) - i + 1} dòng không ghi được (vượt giới hạn Excel)."
                )
                break
            colours = SEVERITY_COLOURS.get(f.severity)
            unit = self.finding_unit(f)
            kind = f"{label(f.code)} ({f.code})"  # people read the label, machines the stable code
            self.fit(ws, r, {1: f.file, 2: unit, 3: f.sheet, 5: kind, 7: f.message, 8: f.fix})
            wrap = s(text_wrap=True)
            ws.write_number(r, 0, i, s(align="center"))
            ws.write_string(r, 1, f.file, wrap)
            ws.write_string(r, 2, unit, wrap)
            ws.write_string(r, 3, f.sheet, wrap)
            ws.write_string(r, 4, f.cell, s(align="center"))
            ws.write_string(r, 5, kind, wrap)
            ws.write_string(r, 6, f.severity.value, s.coloured(colours, align="center", text_wrap=True))
            ws.write_string(r, 7, f.message, wrap)
            ws.write_string(r, 8, f.fix, wrap)
        self.finish_table(ws, ncols, r)

    def finding_unit(self, f: Finding) -> str:
        if f.unit_name:
            return f.unit_name
        unit = self.book.unit(f.unit_code) if f.unit_code else None
        return unit.name if unit else f.unit_code

    # ------------------------------------------------------------------ 3. Chi tiết điểm

    def matrix(self) -> None:
        if len(self.scored_units) > MATRIX_MAX_UNITS:
            self.matrix_by_unit()
        else:
            self.matrix_by_criterion()

    def matrix_by_criterion(self) -> None:
        """Criteria as rows, units as columns (a cluster: up to MATRIX_MAX_UNITS units)."""
        units = self.scored_units
        averages = self.result.averages()
        n = len(units)
        ncols = 3 + n + 1
        fit = n <= MATRIX_FIT_UNITS
        ws = self.sheet(SUMMARY_MATRIX_SHEET, (7, 40, 8, *([9] * n), 11), fit_width=fit)
        if not fit:
            ws.repeat_columns(0, 2)
            ws.set_print_scale(80)
        self.title(ws, ncols if fit else 0, *self.matrix_title())
        names = (u.unit.name for u in units)
        self.headers(ws, ("Mã", "Nội dung tiêu chí", "Điểm tối đa", *names, self.average_label()), 45)
        s = self.s
        rules: dict[str, list[int]] = {"scored": [], "bonus": [], "penalty": [], "disq": []}
        r = SUMMARY_HEADER_ROW
        for c in self.book.criteria:
            r += 1
            group = c.is_group
            row: dict[str, Any] = {"bold": True, "bg_color": GROUP_FILL} if group else {}
            self.fit(ws, r, {1: "   " * min(c.depth, 4) + c.text})
            ws.write_string(r, 0, c.code, s(**row))
            ws.write_string(r, 1, c.text, s(text_wrap=True, indent=min(c.depth, 4), **row))
            if c.kind is Kind.DISQUALIFIER:
                ws.write_blank(r, 2, None, s(**row))
            else:
                self.number(ws, r, 2, c.max_points, s(num_format=self.num, **row))
            for j, u in enumerate(units):
                self.criterion_cell(ws, r, 3 + j, c, u, s(num_format=self.num, align="center", **row))
            avg = None if c.kind is Kind.DISQUALIFIER else averages.get(c.code)
            self.average_cell(ws, r, 3 + n, c, avg, italic=True, **{"bg_color": "#F2F2F2", **row})
            rules[_rule_kind(c)].append(r)
        total_style = s(bold=True, top=2, num_format=self.num, align="center")
        r += 1
        ws.write_blank(r, 0, None, total_style)
        ws.write_string(r, 1, "TỔNG ĐIỂM", s(bold=True, top=2))
        self.number(ws, r, 2, self.max_scored(), total_style)
        for j, u in enumerate(units):
            self.number(ws, r, 3 + j, u.total, total_style)
        self.average_cell(ws, r, 3 + n, None, self.average_total(), bold=True, top=2, align="center")
        r += 1
        ws.write_blank(r, 0, None, s())
        ws.write_string(r, 1, "Xếp hạng", s(bold=True))
        ws.write_blank(r, 2, None, s())
        for j, u in enumerate(units):
            style = s.coloured(AMBER, align="center", bold=True) if u.tied else s(align="center", bold=True)
            if u.rank is None:
                ws.write_blank(r, 3 + j, None, style)
            else:
                ws.write_number(r, 3 + j, u.rank, style)
        ws.write_blank(r, 3 + n, None, s())
        if n:
            for kind, rows in rules.items():
                for first, last in _blocks(rows):
                    self.colour_rule(ws, kind, first, 3, last, 3 + n, f"$C{first + 1}", _cell(first, 3))
        ws.freeze_panes(SUMMARY_HEADER_ROW + 1, 3)

    def matrix_by_unit(self) -> None:
        """Units as rows, criteria as columns: for more units than fit across a sheet."""
        units = self.scored_units
        criteria = self.book.criteria
        averages = self.result.averages()
        m = len(criteria)
        ncols = 2 + m + 2
        ws = self.sheet(SUMMARY_MATRIX_SHEET, (10, 24, *([8] * m), 9, 8), fit_width=False)
        ws.repeat_columns(0, 1)
        ws.set_print_scale(80)
        self.title(ws, 0, *self.matrix_title())
        self.headers(ws, ("Mã đơn vị", "Đơn vị", *(c.code for c in criteria), "Tổng điểm", "Xếp hạng"))
        s = self.s
        bold = s(bold=True, bg_color=GROUP_FILL, num_format=self.num, align="center")
        r = SUMMARY_HEADER_ROW + 1
        max_row = r
        ws.write_blank(r, 0, None, bold)
        ws.write_string(r, 1, "Điểm tối đa", bold)
        for k, c in enumerate(criteria):
            self.number(ws, r, 2 + k, None if c.kind is Kind.DISQUALIFIER else c.max_points, bold)
        self.number(ws, r, 2 + m, self.max_scored(), bold)
        ws.write_blank(r, 3 + m, None, bold)
        cell = s(num_format=self.num, align="center")
        plain_fmt, total_fmt = s(), s(num_format=self.num, bold=True, align="center")
        tied_fmt, rank_fmt = s.coloured(AMBER, align="center"), s(align="center")
        plan = [(c.code, _cell_kind(c) == "group") for c in criteria]
        disq = [k for k, c in enumerate(criteria) if _cell_kind(c) == "disq"]
        plain_row = (plain_fmt, plain_fmt, *([cell] * m), total_fmt, rank_fmt)
        tied_row = (*plain_row[:-1], tied_fmt)
        floats: dict[Decimal, float] = {}  # the same scores recur on every row (not 0: -0 prints apart)

        def to_float(value: Decimal) -> float:
            found = floats[value] = float(value)
            if not value:
                del floats[value]
            return found

        def cells() -> Iterable[tuple[None, tuple, list]]:
            for u in units:
                scores, groups = u.scores, u.group_scores
                raw = [(groups if group else scores).get(code) for code, group in plan]
                values: list[Any] = [u.unit.code, u.unit.name]
                values += [None if v is None else floats.get(v) or to_float(v) for v in raw]
                for k in disq:  # as criterion_cell: Có/Không
                    value = raw[k]
                    values[2 + k] = "" if value is None else (YES if value == 1 else NO)
                values.append(_num(u.total))
                values.append(u.rank)
                yield None, tied_row if u.tied else plain_row, values

        r = ws.put_rows(r + 1, cells())
        first, last = max_row + 1, r
        r += 1
        props: dict[str, Any] = dict(italic=True, bold=True, top=2, bg_color="#F2F2F2", align="center")
        avg = s(num_format=self.num, **props)
        ws.write_blank(r, 0, None, avg)
        ws.write_string(r, 1, self.average_label(), avg)
        for k, c in enumerate(criteria):
            self.average_cell(ws, r, 2 + k, c, None if c.kind is Kind.DISQUALIFIER else averages.get(c.code), **props)
        self.average_cell(ws, r, 2 + m, None, self.average_total(), **props)
        ws.write_blank(r, 3 + m, None, avg)
        if units:
            for k, c in enumerate(criteria):
                col = 2 + k
                self.colour_rule(
                    ws, _rule_kind(c), first, col, last, col, _cell(max_row, col, row_abs=True), _cell(first, col)
                )
        ws.freeze_panes(SUMMARY_HEADER_ROW + 1, 2)
        ws.autofilter(SUMMARY_HEADER_ROW, 0, max(last, SUMMARY_HEADER_ROW + 1), ncols - 1)

    def matrix_title(self) -> tuple[str, str]:
        return (
            f"CHI TIẾT ĐIỂM THẨM ĐỊNH THEO TIÊU CHÍ NĂM {self.book.year}"
            if self.result.assessed_file
            else f"CHI TIẾT ĐIỂM TỰ CHẤM THEO TIÊU CHÍ NĂM {self.book.year}",
            "Tô xanh: đạt điểm tối đa; tô đỏ: dưới 50% điểm tối đa; tô vàng: có điểm trừ; điểm liệt: “Có” là vi phạm.",
        )

    def criterion_cell(self, ws: Worksheet, r: int, c: int, crit: Criterion, u: UnitResult, fmt: Format) -> None:
        if crit.is_group:
            self.number(ws, r, c, u.group_scores.get(crit.code), fmt)
        elif crit.kind is Kind.DISQUALIFIER:
            value = u.scores.get(crit.code)
            ws.write_string(r, c, "" if value is None else (YES if value == 1 else NO), fmt)
        else:
            self.number(ws, r, c, u.scores.get(crit.code), fmt)

    def colour_rule(self, ws: Worksheet, kind: str, r1: int, c1: int, r2: int, c2: int, max_ref: str, ref: str) -> None:
        s = self.s
        if kind == "scored":
            ws.conditional_format(
                r1, c1, r2, c2,
                {"type": "formula", "criteria": f"=AND(ISNUMBER({ref}),{ref}>={max_ref})", "format": _cf(s, GREEN)},
            )  # fmt: skip
            ws.conditional_format(
                r1, c1, r2, c2,
                {"type": "formula", "criteria": f"=AND(ISNUMBER({ref}),{ref}<0.5*{max_ref})", "format": _cf(s, RED)},
            )  # fmt: skip
        elif kind == "penalty":
            ws.conditional_format(
                r1, c1, r2, c2, {"type": "cell", "criteria": ">", "value": 0, "format": _cf(s, AMBER)}
            )
        elif kind == "disq":
            ws.conditional_format(
                r1, c1, r2, c2, {"type": "cell", "criteria": "==", "value": f'"{YES}"', "format": _cf(s, RED)}
            )

    def max_scored(self) -> Decimal:
        return sum((c.max_points for c in self.book.leaves if c.kind is Kind.SCORED), Decimal(0))

    def average_total(self) -> Decimal | None:
        return self.result.cluster_averages().total

    def average_label(self) -> str:
        """'Trung bình cụm (5 đơn vị xếp hạng)': the cluster average covers the ranked units only."""
        return f"{AVERAGE_HEADER} ({self.result.cluster_averages().ranked} đơn vị xếp hạng)"

    def average_cell(
        self, ws: Worksheet, r: int, c: int, crit: Criterion | None, value: Decimal | None, **props: Any
    ) -> None:
        """A cluster average (of `crit`, None: the total). One that covers fewer than the ranked units (a unit ranked
        with a refused score) shows how many, '37.00 (3)', and says so in a comment."""
        averages = self.result.cluster_averages()
        n = averages.basis(None if crit is None else crit.code)
        if value is None or n >= averages.ranked:
            self.number(ws, r, c, value, self.s(num_format=self.num, **props))
            return
        self.number(ws, r, c, value, self.s(num_format=f'{self.num}" ({n})"', **props))
        what = "mọi ô điểm hợp lệ" if crit is None or crit.is_group else "điểm hợp lệ ở tiêu chí này"
        ws.write_comment(r, c, f"Tính trên {n}/{averages.ranked} đơn vị được xếp hạng có {what}.")

    # ------------------------------------------------------------------ 4. Giải trình

    def explanations(self) -> None:
        ncols = len(EXPLAIN_HEADERS)
        ws = self.sheet(SUMMARY_EXPLAIN_SHEET, (7, 34, 18, 7, 70))
        criteria = [c for c in self.book.criteria if not c.is_group]
        by_code: dict[str, list] = {c.code: [] for c in criteria}
        for u in self.result.units:  # a unit explains a few criteria: visit those, not every criterion
            for code, text in u.explanations.items():
                found = by_code.get(code)
                if found is not None and (text := text.strip()):
                    found.append((u, text))
        total = sum(map(len, by_code.values()))
        note = f"Số lượt giải trình: {total}. Nội dung giữ nguyên như đơn vị đã nhập."
        self.title(ws, ncols, f"GIẢI TRÌNH, MINH CHỨNG CỦA CÁC ĐƠN VỊ NĂM {self.book.year}", note)
        self.headers(ws, EXPLAIN_HEADERS)
        s = self.s
        wrap = s(text_wrap=True, valign="top")
        top = s(valign="top")
        r = SUMMARY_HEADER_ROW
        if not total:
            r += 1
            self.empty_row(ws, r, ncols, "Không có giải trình nào.")
        limit = EXCEL_MAX_ROWS - 2
        score = s(num_format=self.num, align="center", valign="top")
        widths, capacities = self.widths[SUMMARY_EXPLAIN_SHEET], self.capacities[SUMMARY_EXPLAIN_SHEET]
        formats = (top, wrap, wrap, score, wrap)
        count = min(total, max(0, limit - r - 1))
        heights = [None, None] + [min(lines * LINE_HEIGHT + 3, 409) for lines in range(2, 40)]

        def lines_of(col: int, text: str) -> int:
            return 1 if len(text) <= capacities[col] and "\n" not in text else _lines(text, widths[col])

        def cells() -> Iterable[tuple[float | None, tuple, tuple]]:
            # self.fit(ws, r, {1: c.text, 2: u.unit.name, 4: text}), with the lines of the criterion's and
            # the units' texts worked out once
            name_lines: dict[str, int] = {}
            floats: dict[Decimal, float] = {}  # (not 0: -0 prints apart)
            capacity, width = capacities[4], widths[4]
            left = count
            for c in criteria:
                items = by_code[c.code][:left]
                left -= len(items)
                code, criterion = c.code, c.text
                c_lines = lines_of(1, criterion)
                disq = c.kind is Kind.DISQUALIFIER  # as criterion_cell: a Có/Không, else a number or a blank
                for u, text in items:
                    lines = 1 if len(text) <= capacity and "\n" not in text else _lines(text, width)
                    if c_lines > lines:
                        lines = c_lines
                    name = u.unit.name
                    found = name_lines.get(name)
                    if found is None:
                        found = name_lines[name] = lines_of(2, name)
                    if found > lines:
                        lines = found
                    value = u.scores.get(code)
                    if disq:
                        value = "" if value is None else (YES if value == 1 else NO)
                    elif value is not None:
                        number = floats.get(value)
                        if number is None:
                            number = float(value)
                            if value:
                                floats[value] = number
                        value = number
                    yield heights[lines] if lines < 40 else min(lines * LINE_HEIGHT + 3, 409), formats, (
                        code, criterion, name, value, text
                    )  # fmt: skip

        r = ws.put_rows(r + 1, cells())
        if count < total:
            r += 1
            self.empty_row(ws, r, ncols, f"… còn {total - count} dòng không ghi được (vượt giới hạn Excel).")
        self.finish_table(ws, ncols, r, freeze_cols=0)

    # ------------------------------------------------------------------ 5. Nguồn

    def sources(self) -> None:
        sources = self.result.sources
        mail = any(x.sender or x.sent_at for x in sources)  # files attached to saved emails: two more columns
        headers = SOURCE_HEADERS + (SOURCE_MAIL_HEADERS if mail else ())
        ncols = len(headers)
        ws = self.sheet(SUMMARY_SOURCE_SHEET, (24, 8, 23, 10, 11, 8, 11, 10, 28) + ((22, 11) if mail else ()))
        counts = {st: sum(1 for x in sources if x.state is st) for st in SourceState}
        note = f"Số tệp: {len(sources)} (" + "; ".join(f"{st.value.lower()}: {counts[st]}" for st in SourceState) + ")"
        self.title(ws, ncols, "DANH SÁCH TỆP ĐÃ NHẬN", note)
        self.headers(ws, headers)
        s = self.s
        wrap = s(text_wrap=True)
        r = SUMMARY_HEADER_ROW
        if not sources:
            r += 1
            self.empty_row(ws, r, ncols, "Không có tệp nào.")
        if sources:
            r = ws.put_rows(r + 1, self.source_rows(sources, wrap, mail))
        self.finish_table(ws, ncols, r)

    def source_rows(self, sources: Iterable[Source], wrap: Format, mail: bool) -> Iterable[tuple[float, tuple, tuple]]:
        """The rows of `Nguồn` for put_rows (with the sender and the time of the email when `mail`)."""
        s = self.s
        fit_height = self.fit_height
        formats: dict[SourceState, tuple] = {}
        center = sha = size = None
        for src in sources:
            modified, issued = _when(src.modified), _when(src.issued_at)
            height = fit_height(SUMMARY_SOURCE_SHEET, {0: src.file, 4: modified, 6: issued, 8: src.note}, minimum=25)
            if center is None:  # formats made in the order of the former per-row code
                center, sha, size = (
                    s(align="center"),
                    s(text_wrap=True, font_name="Courier New", font_size=8),
                    s(num_format="#,##0"),
                )
            row = formats.get(src.state)
            if row is None:
                state = s.coloured(STATE_COLOURS.get(src.state), align="center", text_wrap=True)
                row = formats[src.state] = (wrap, center, sha, size, wrap, center, wrap, state, wrap) + (
                    (wrap, wrap) if mail else ()
                )
            values: tuple[object, ...] = (
                src.file, src.unit_code, src.sha256, src.size, modified, src.template_version, issued,
                src.state.value, src.note,
            )  # fmt: skip
            if mail:
                values += (src.sender, _when(src.sent_at))
            yield height, row, values

    # ------------------------------------------------------------------ 6. Biểu đồ

    def chart(self) -> None:
        # The ranked units only: an unranked unit's total is provisional (its refused scores count as nothing).
        indexed = [(i, u) for i, u in enumerate(self.scored_units) if u.rank is not None]
        ranked = [u for _, u in sorted(indexed, key=lambda iu: (-(iu[1].total or 0), iu[0]))]
        shown = ranked[:CHART_MAX_UNITS]
        title = f"Tổng điểm thi đua năm {self.book.year}"
        ws = self.sheet(SUMMARY_CHART_SHEET, (8, 26, 10))
        if len(ranked) <= CHART_MAX_UNITS:
            ws.fit_to_pages(1, 1)  # table and chart on one page
        notes = []
        if len(ranked) > CHART_MAX_UNITS:
            notes.append(f"Biểu đồ thể hiện {CHART_MAX_UNITS} đơn vị có tổng điểm cao nhất.")
        left_out = len(self.scored_units) - len(ranked)
        if left_out:
            notes.append(f"Không thể hiện {left_out} đơn vị chưa được xếp hạng (tổng điểm tạm tính).")
        note = " ".join(notes)
        self.title(ws, 3 + 9, title.upper(), note)
        self.headers(ws, CHART_HEADERS)
        s = self.s
        r = SUMMARY_HEADER_ROW
        if not ranked:
            r += 1
            self.empty_row(ws, r, 3, "Chưa có đơn vị nào được xếp hạng.")
            return
        center, plain_fmt, number = s(align="center"), s(), s(num_format=self.num)
        formats = (center, plain_fmt, number)
        r = ws.put_rows(r + 1, ((None, formats, (u.rank, u.unit.name, _num(u.total))) for u in ranked))
        first, last = SUMMARY_HEADER_ROW + 1, SUMMARY_HEADER_ROW + len(shown)
        chart = self.wb.add_chart({"type": "bar"})
        font = {"name": FONT, "size": 10}
        chart.add_series(
            {
                "name": "Tổng điểm",
                "categories": [SUMMARY_CHART_SHEET, first, 1, last, 1],
                "values": [SUMMARY_CHART_SHEET, first, 2, last, 2],
                "fill": {"color": "#2F5597"},
                "gap": 40,
                "data_labels": {"value": True, "num_format": self.num, "font": font},
            }
        )
        chart.set_title({"name": title, "name_font": {"name": FONT, "size": 13, "bold": True}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font, "major_tick_mark": "none"})
        chart.set_x_axis(
            {
                "min": 0,
                "num_format": "0",
                "num_font": font,
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            }
        )
        chart.set_chartarea({"border": {"none": True}})
        chart.set_size({"width": 640, "height": max(260, 90 + 24 * len(shown))})
        ws.insert_chart(SUMMARY_HEADER_ROW, 4, chart, {"x_offset": 10, "object_position": 3})


# ---------------------------------------------------------------------------------------------- small pure helpers


def _unit_note(u: UnitResult) -> str:
    parts = [u.note] if u.note else []
    low = u.note.lower()
    if u.tied and "đồng hạng" not in low:
        parts.append("Đồng hạng – cần Hội nghị bỏ phiếu")
    if u.disqualified and "điểm liệt" not in low:
        parts.append("Vi phạm điểm liệt: không xét suy tôn, đề nghị khen thưởng")
    return "; ".join(parts)


def unit_note(u: UnitResult) -> str:
    """The `Ghi chú` of a unit's row in `Tổng hợp` (its note, a tie to vote on, a disqualifier); the page shows it."""
    return _unit_note(u)


def _num(value: Decimal | None) -> float | None:
    """A score as written to a cell: a number, or None for a blank cell."""
    return None if value is None else float(value)


def _cell_kind(c: Criterion) -> str:
    """How `criterion_cell` writes a criterion's value: a group subtotal, a Có/Không, or a score."""
    if c.is_group:
        return "group"
    return "disq" if c.kind is Kind.DISQUALIFIER else "score"


def _rule_kind(c: Criterion) -> str:
    if c.kind is Kind.PENALTY:
        return "penalty"
    if c.kind is Kind.DISQUALIFIER:
        return "disq"
    if c.kind is Kind.BONUS:
        return "bonus"
    return "scored"


def _blocks(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers → (first, last) runs."""
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def _cell(row: int, col: int, row_abs: bool = False) -> str:
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{'$' if row_abs else ''}{row + 1}"


def _cf(s: _Styles, colours: tuple[str, str]) -> Format:
    key = ("cf", colours)
    cache = s._cache
    if key not in cache:
        cache[key] = s.wb.add_format({"bg_color": colours[0], "font_color": colours[1]})
    return cache[key]


def _when(value: str) -> str:
    """ISO time → 'dd/mm/yyyy HH:MM', local time, as every date for people is shown."""
    return people_time(value)


def _capacity(width: float) -> int:
    """Characters that fit on one line of a wrapped cell `width` characters wide."""
    return max(1, int(width * 1.4) - 1)


@lru_cache(maxsize=4096)  # the same texts (criteria, common explanations) recur on every unit's rows
def _lines(text: str, width: float) -> int:
    """Estimated number of lines `text` takes in a wrapped cell `width` characters wide."""
    if not text:
        return 1
    capacity = _capacity(width)
    if len(text) <= capacity and "\n" not in text:
        return 1
    return sum(max(1, wrapped_lines(part, capacity)) for part in text.split("\n"))
