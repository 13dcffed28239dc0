"""Read and check the criteria book (bộ tiêu chí) → Book.

The book is an .xlsx the office edits by hand, so every problem found is collected (not just the
first) and reported together as one BookError, each problem a Vietnamese sentence naming the sheet,
the Excel row and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ttdk_xl.core.errors import BookError
from ttdk_xl.core.failures import must_propagate
from ttdk_xl.core.models import (
    DEFAULT_TIEBREAK,
    AwardCondition,
    AwardQuota,
    AwardRule,
    BlockedUnit,
    Book,
    Criterion,
    ExplainRule,
    Kind,
    Level,
    Screens,
    TieBreak,
    Unit,
)
from ttdk_xl.core.text import day_text, header_key, nfc, parse_day, plain, strip_unit_prefixes, text_key

SHEET_INFO = "Thông tin"
SHEET_CRITERIA = "Tiêu chí"
SHEET_UNITS = "Đơn vị"
SHEET_LEVELS = "Xếp loại"
SHEET_AWARDS = "Khen thưởng"
SHEET_TIEBREAK = "Phân định hạng"

# Thông tin: key → (required, example shown in the fix)
INFO_KEYS = {
    "Tên cụm": (True, "Cụm thi đua số 2"),
    "Cơ quan cấp trên": (False, "UBND tỉnh Thanh Hóa"),
    "Năm": (True, "2025"),
    "Đơn vị trưởng cụm": (False, "UBND huyện Triệu Sơn"),
    "Đơn vị phó cụm": (False, "UBND huyện Nông Cống"),
    "Hạn nộp": (False, "15/12/2025"),
    "Bước điểm": (True, "0,25"),
    "Điểm thưởng tối đa": (True, "10"),
    "Địa danh": (False, "Triệu Sơn"),
    # Optional, for the conference (ballots, count minutes); read as text, checked where used.
    "Tỷ lệ có mặt tối thiểu": (False, "2/3"),
    "Số đơn vị suy tôn": (False, "3"),
    "Số đại biểu mỗi đơn vị": (False, "3"),
    "Chênh lệch tự chấm tối đa": (False, "5"),
    "Điểm trừ khi chênh lệch": (False, "2"),
    "Ngày hội nghị": (False, "18/12/2025"),
}
EXTRA_INFO_KEYS = ("Tỷ lệ có mặt tối thiểu", "Số đơn vị suy tôn")
DEFAULT_SEATS = 3

CRITERIA_COLUMNS = ("Mã", "Nội dung tiêu chí", "Điểm tối đa", "Loại", "Bắt buộc giải trình", "Hướng dẫn chấm")
CRITERIA_REQUIRED = ("Mã", "Nội dung tiêu chí", "Điểm tối đa", "Loại", "Bắt buộc giải trình")
UNIT_COLUMNS = ("Mã đơn vị", "Tên đơn vị", "Cấp", "Email", "Người liên hệ", "Điện thoại")
UNIT_REQUIRED = ("Mã đơn vị", "Tên đơn vị")
LEVEL_COLUMNS = ("Mức", "Từ điểm")
AWARD_COLUMNS = ("Hạng", "Hình thức đề nghị", "Xếp loại tối thiểu")
AWARD_REQUIRED = ("Hạng", "Hình thức đề nghị")
TIEBREAK_COLUMNS = ("Thứ tự", "Tiêu chí phân định")
TIEBREAK_REQUIRED = ("Tiêu chí phân định",)

_HEADER_SCAN_ROWS = 30
_CODE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")


def _column_key(value: object) -> str:
    """A column header of the book: header_key, ignoring a trailing note in brackets ('Điểm tối đa (điểm)')."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", header_key(value))


_KINDS = {header_key(k.value): k for k in Kind}
_EXPLAIN = {header_key(e.value): e for e in ExplainRule}
_TIEBREAKS = {header_key(t.value): t for t in TieBreak}


def _kind_list() -> str:
    return ", ".join(f"'{k.value}'" for k in Kind)


def _explain_list() -> str:
    return ", ".join(f"'{e.value}'" for e in ExplainRule)


def _tiebreak_list() -> str:
    return ", ".join(f"'{t.value}'" for t in TieBreak)


@dataclass
class _Row:
    number: int  # Excel row number (1-based)
    values: dict[str, object]  # column name → raw cell value


class _Problems:
    """Collects the problems of one book, each phrased with sheet, row and fix."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, sheet: str, row: int | None, what: str, fix: str) -> None:
        where = f"Trang '{sheet}'" + (f", dòng {row}" if row else "")
        self.items.append(f"{where}: {what}. Cách sửa: {fix}.")

    def __bool__(self) -> bool:
        return bool(self.items)


def load_book(path: str | Path) -> Book:
    """Read and check the criteria book at `path`; raise BookError listing every problem."""
    path = Path(path)
    rows_by_sheet = _read_workbook(path)
    problems = _Problems()

    sheets = {header_key(name): (name, rows) for name, rows in rows_by_sheet.items()}

    def sheet_rows(name: str, required: bool = True) -> list[list[object]] | None:
        found = sheets.get(header_key(name))
        if found is None:
            if required:
                problems.add(
                    name,
                    None,
                    "không có trang tính này trong bộ tiêu chí",
                    f"thêm (hoặc đổi tên) một trang tính thành đúng tên '{name}' như trong bộ tiêu chí mẫu",
                )
            return None
        return found[1]

    info_rows = sheet_rows(SHEET_INFO)
    criteria_rows = sheet_rows(SHEET_CRITERIA)
    unit_rows = sheet_rows(SHEET_UNITS)
    level_rows = sheet_rows(SHEET_LEVELS)
    award_rows = sheet_rows(SHEET_AWARDS)
    tiebreak_rows = sheet_rows(SHEET_TIEBREAK, required=False)

    info = _parse_info(info_rows, problems) if info_rows is not None else {}
    step = info.get("step")
    criteria = _parse_criteria(criteria_rows, step, problems) if criteria_rows is not None else []
    units = _parse_units(unit_rows, problems) if unit_rows is not None else []
    levels = _parse_levels(level_rows, problems) if level_rows is not None else []
    awards = _parse_awards(award_rows, levels, problems) if award_rows is not None else []
    tiebreak = _parse_tiebreak(tiebreak_rows, criteria, problems)
    screens = _parse_screens(lambda name: sheet_rows(name, required=False), units, levels, awards, problems)

    if problems:
        raise BookError(problems.items)

    head = info.get("Đơn vị trưởng cụm", "")
    return Book(
        cluster_name=info["Tên cụm"],
        parent_body=info.get("Cơ quan cấp trên", ""),
        year=info["year"],
        head_unit=head,
        deputy_unit=info.get("Đơn vị phó cụm", ""),
        deadline=info.get("Hạn nộp", ""),
        step=info["step"],  # a required key: no problems means it is there
        bonus_cap=info["bonus_cap"],
        criteria=tuple(criteria),
        units=tuple(units),
        levels=tuple(levels),
        awards=tuple(awards),
        tiebreak=tuple(tiebreak),
        place=info.get("Địa danh") or place_from_unit(head),
        extra_info=tuple((k, info[k]) for k in EXTRA_INFO_KEYS if k in info) + tuple(info.get("_other", {}).items()),
        seats_per_unit=info.get("seats", DEFAULT_SEATS),
        deviation_margin=info.get("margin"),
        deviation_penalty=info.get("margin_penalty"),
        conference_date=info.get("conference_date"),
        screens=screens,
    )


def place_from_unit(name: str) -> str:
    """Place name for the report's date line: 'UBND huyện Triệu Sơn' → 'Triệu Sơn'."""
    name = nfc(name)
    return strip_unit_prefixes(name) or name


# --------------------------------------------------------------------------- reading


def _read_workbook(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's rows (row i of the list is Excel row i+1), or BookError if the file is unusable."""
    if not path.exists():
        raise BookError([f"Không tìm thấy tệp bộ tiêu chí '{path}'. Cách sửa: kiểm tra lại đường dẫn và tên tệp."])
    if path.is_dir():
        raise BookError([f"'{path}' là một thư mục, không phải tệp bộ tiêu chí. Cách sửa: chỉ ra tệp .xlsx."])
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods", ".csv"):
        raise BookError(
            [
                f"Tệp '{path.name}' có định dạng {suffix}, bộ tiêu chí phải là tệp Excel .xlsx. "
                "Cách sửa: mở tệp bằng Excel/LibreOffice và lưu lại dưới dạng .xlsx (Excel Workbook)."
            ]
        )
    from python_calamine import CalamineWorkbook  # deferred: keeps CLI start-up light

    try:
        wb = CalamineWorkbook.from_path(str(path))
        try:
            return {
                name: [[_cell(v) for v in row] for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
                for name in wb.sheet_names
            }
        finally:
            wb.close()
    except BaseException as exc:  # any failure here means "not a usable xlsx"
        if must_propagate(exc):
            raise
        raise BookError(
            [
                f"Không đọc được tệp '{path.name}' như một tệp Excel .xlsx ({type(exc).__name__}). "
                "Cách sửa: kiểm tra tệp không bị hỏng, không đặt mật khẩu, rồi mở bằng Excel và lưu lại dạng .xlsx."
            ]
        ) from exc


def _cell(value: object) -> object:
    """A calamine value as the parsers expect it: None for empty, 5 for 5.0, datetime for a date."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(
    sheet: str,
    rows: list[list[object]],
    columns: Sequence[str],
    required: Sequence[str],
    problems: _Problems,
) -> list[_Row] | None:
    """Locate the header row by its texts and return the data rows below it (blank rows skipped)."""
    wanted = {_column_key(c): c for c in columns}
    best: tuple[int, int, dict[str, int]] | None = None  # (matches of required, row index, column map)
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = wanted.get(_column_key(cell))
            if name is not None and name not in found:
                found[name] = col
        score = sum(1 for c in required if c in found)
        if score and (best is None or score > best[0]):
            best = (score, index, found)
        if score == len(required):
            break
    if best is None:
        cols = ", ".join(f"'{c}'" for c in required)
        problems.add(
            sheet,
            None,
            f"không tìm thấy dòng tiêu đề có các cột {cols}",
            "ghi đúng tên các cột ở một dòng tiêu đề phía trên bảng, như trong bộ tiêu chí mẫu",
        )
        return None
    _, header_index, colmap = best
    missing = [c for c in required if c not in colmap]
    if missing:
        for name in missing:
            problems.add(
                sheet,
                header_index + 1,
                f"thiếu cột '{name}'",
                f"thêm cột có tiêu đề '{name}' vào dòng tiêu đề",
            )
        return None
    out: list[_Row] = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        values = {name: (row[col] if col < len(row) else None) for name, col in colmap.items()}
        if all(_is_blank(v) for v in values.values()):
            continue
        out.append(_Row(index + 1, values))
    return out


def to_decimal(value: object) -> Decimal | None:
    """A number typed in a cell as an exact Decimal (0.25 → 0.25, '0,25' → 0.25), or None if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        d = Decimal(str(round(value, 6)))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return None
        d = value
    elif isinstance(value, str):
        text = nfc(value).replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"[+-]?\d+,\d+", text):
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            return None
        try:
            d = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    return _tidy(d)


def _tidy(d: Decimal) -> Decimal:
    """Normalized, but never in exponent form: Decimal('10') stays 10, not 1E+1."""
    d = d.normalize()
    exponent = d.as_tuple().exponent  # an int for a finite number ('n', 'N' or 'F' otherwise)
    if isinstance(exponent, int) and exponent > 0:
        d = d.quantize(Decimal(1))
    return d + 0 if d == 0 else d  # drop a negative zero


def _show(value: object) -> str:
    """A raw cell value as the user typed it, for messages."""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return nfc(value)


def _vn(d: Decimal) -> str:
    return plain(d).replace(".", ",")


# --------------------------------------------------------------------------- Thông tin


def _parse_info(rows: list[list[object]], problems: _Problems) -> dict:
    sheet = SHEET_INFO
    keys = {header_key(k): k for k in INFO_KEYS}
    raw: dict[str, tuple[int, object]] = {}
    info: dict = {}
    for index, line in enumerate(rows):
        cells = [(i, v) for i, v in enumerate(line) if not _is_blank(v)]
        if not cells:
            continue
        name = keys.get(header_key(cells[0][1]))
        at = cells[0][0] + 1  # the value is the cell right of the key (a blank one, then a note: no value)
        value = line[at] if at < len(line) else None
        if name is None:
            # Keys the book does not know are kept as typed: documents declare their own (with defaults).
            other = nfc(cells[0][1])
            if other and not _is_blank(value):
                info.setdefault("_other", {}).setdefault(other, _other_text(value))
            continue
        if name in raw:
            problems.add(
                sheet,
                index + 1,
                f"mục '{name}' bị ghi hai lần (đã có ở dòng {raw[name][0]})",
                "giữ lại một dòng và xóa dòng kia",
            )
            continue
        raw[name] = (index + 1, value)

    for name, (required, example) in INFO_KEYS.items():
        row, value = raw.get(name, (None, None))
        if _is_blank(value):
            if required:
                if row is None:
                    what = f"thiếu dòng '{name}'"
                    fix = f"thêm một dòng, cột A ghi '{name}', cột B ghi giá trị, ví dụ {example}"
                else:
                    what = f"mục '{name}' chưa có giá trị"
                    fix = f"ghi giá trị vào ô bên phải, ví dụ {example}"
                problems.add(sheet, row, what, fix)
            continue
        if name == "Hạn nộp" and isinstance(value, dt.datetime | dt.date):
            info[name] = value.strftime("%d/%m/%Y")
        else:
            info[name] = _show(value)

    if "Năm" in info:
        row, value = raw["Năm"]
        year = to_decimal(value)
        if year is None or year != year.to_integral_value() or not 2000 <= year <= 2100:
            problems.add(sheet, row, f"năm '{_show(value)}' không hợp lệ", "ghi năm bằng 4 chữ số, ví dụ 2025")
        else:
            info["year"] = int(year)
    if "Bước điểm" in info:
        row, value = raw["Bước điểm"]
        step = to_decimal(value)
        if step is None or step <= 0:
            problems.add(
                sheet,
                row,
                f"bước điểm '{_show(value)}' không hợp lệ (phải là số lớn hơn 0)",
                "ghi bước điểm, ví dụ 0,25 hoặc 0,5 hoặc 1",
            )
        else:
            info["step"] = step
    if "Điểm thưởng tối đa" in info:
        row, value = raw["Điểm thưởng tối đa"]
        cap = to_decimal(value)
        if cap is None or cap < 0:
            problems.add(
                sheet,
                row,
                f"điểm thưởng tối đa '{_show(value)}' không hợp lệ (phải là số không âm)",
                "ghi số điểm thưởng tối đa được cộng, ví dụ 10 (ghi 0 nếu không có điểm thưởng)",
            )
        else:
            info["bonus_cap"] = cap
    _parse_conference_options(raw, info, problems)
    return info


def _other_text(value: object) -> str:
    """A value of a key the book does not know, as text (a date as dd/mm/yyyy)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return _show(value)


def _parse_conference_options(raw: dict[str, tuple[int, object]], info: dict, problems: _Problems) -> None:
    """Optional keys for the conference: seats per unit; margin and penalty for a self-score total far off."""
    sheet = SHEET_INFO
    if "Số đại biểu mỗi đơn vị" in info:
        row, value = raw["Số đại biểu mỗi đơn vị"]
        seats = to_decimal(value)
        if seats is None or seats != seats.to_integral_value() or not 1 <= seats <= 100:
            problems.add(
                sheet,
                row,
                f"số đại biểu mỗi đơn vị '{_show(value)}' không hợp lệ (phải là số nguyên từ 1 đến 100)",
                f"ghi số đại biểu mỗi đơn vị được đăng ký, ví dụ 3 (để trống thì mặc định {DEFAULT_SEATS})",
            )
        else:
            info["seats"] = int(seats)
    for name, slot, example in (
        ("Chênh lệch tự chấm tối đa", "margin", "5"),
        ("Điểm trừ khi chênh lệch", "margin_penalty", "2"),
    ):
        if name in info:
            row, value = raw[name]
            number = to_decimal(value)
            if number is None or number < 0:
                what = f"'{name}' = '{_show(value)}' không hợp lệ (phải là số không âm)"
                problems.add(sheet, row, what, f"ghi số, ví dụ {example}")
            else:
                info[slot] = number
    if "Ngày hội nghị" in info:
        row, value = raw["Ngày hội nghị"]
        day = parse_day(value)
        year = info.get("year")
        if day is None:
            problems.add(
                sheet,
                row,
                f"ngày hội nghị '{_show(value)}' không hợp lệ",
                "ghi ngày dạng ngày/tháng/năm, ví dụ 18/12/2025 (để trống thì các văn bản ghi ngày chạy lệnh)",
            )
        elif year is not None and day.year not in (year, year + 1):
            problems.add(
                sheet,
                row,
                f"ngày hội nghị {day_text(day)} không thuộc năm {year} hoặc đầu năm {year + 1}",
                f"ghi ngày Hội nghị tổng kết năm {year} của Cụm, ví dụ 18/12/{year}",
            )
        else:
            info["conference_date"] = day
    margin_given, penalty_given = "Chênh lệch tự chấm tối đa" in info, "Điểm trừ khi chênh lệch" in info
    if margin_given != penalty_given:
        given, missing = (
            ("Chênh lệch tự chấm tối đa", "Điểm trừ khi chênh lệch")
            if margin_given
            else ("Điểm trừ khi chênh lệch", "Chênh lệch tự chấm tối đa")
        )
        problems.add(
            sheet,
            raw[given][0],
            f"có '{given}' nhưng thiếu '{missing}' (hai mục này đi cùng nhau)",
            f"ghi cả '{missing}', hoặc xóa giá trị '{given}' nếu không trừ điểm khi chênh lệch",
        )


# --------------------------------------------------------------------------- Tiêu chí


def _family(kind: Kind) -> str:
    """Kinds that may share a group: penalties and disqualifiers go together."""
    return {Kind.SCORED: "scored", Kind.BONUS: "bonus", Kind.PENALTY: "penalty", Kind.DISQUALIFIER: "penalty"}.get(
        kind, "group"
    )


_FAMILY_TEXT = {"scored": "chấm điểm", "bonus": "điểm thưởng", "penalty": "điểm trừ/điểm liệt"}


def _parse_criteria(rows: list[list[object]], step: Decimal | None, problems: _Problems) -> list[Criterion]:
    sheet = SHEET_CRITERIA
    table = _table(sheet, rows, CRITERIA_COLUMNS, CRITERIA_REQUIRED, problems)
    if table is None:
        return []
    if not table:
        problems.add(sheet, None, "chưa có tiêu chí nào", "nhập các tiêu chí, mỗi tiêu chí một dòng, dưới dòng tiêu đề")
        return []

    parsed: list[tuple[int, Criterion | None, bool]] = []  # (row, criterion, max given)
    seen: dict[str, int] = {}
    tainted: set[str] = set()  # groups with a duplicate child row: their sums would mislead
    for r in table:
        v = r.values
        code = re.sub(r"\s+", "", nfc(v.get("Mã"))).rstrip(".")
        text = nfc(v.get("Nội dung tiêu chí"))
        ok = True
        if not code:
            problems.add(sheet, r.number, "dòng có nội dung nhưng chưa có mã", "ghi mã tiêu chí (ví dụ I.1) ở cột 'Mã'")
            continue
        if not _CODE.match(code):
            problems.add(
                sheet,
                r.number,
                f"mã '{nfc(v.get('Mã'))}' không hợp lệ",
                "ghi mã theo cấp, các phần ngăn bằng dấu chấm, chỉ gồm chữ và số (ví dụ I, I.1, I.1.a)",
            )
            continue
        if code in seen:
            if "." in code:
                tainted.add(code.rsplit(".", 1)[0])
            problems.add(
                sheet,
                r.number,
                f"mã '{code}' bị trùng với dòng {seen[code]}",
                "đổi mã hoặc xóa dòng trùng",
            )
            continue
        seen[code] = r.number
        if not text:
            problems.add(
                sheet, r.number, f"tiêu chí '{code}' chưa có nội dung", "ghi nội dung ở cột 'Nội dung tiêu chí'"
            )
            ok = False

        raw_kind = v.get("Loại")
        kind = _KINDS.get(header_key(raw_kind))
        if kind is None:
            if _is_blank(raw_kind):
                what = f"tiêu chí '{code}' chưa ghi loại"
            else:
                what = f"loại '{nfc(raw_kind)}' của tiêu chí '{code}' không hợp lệ"
            problems.add(sheet, r.number, what, f"chọn một trong: {_kind_list()}")
            ok = False

        raw_explain = v.get("Bắt buộc giải trình")
        explain = ExplainRule.NEVER if _is_blank(raw_explain) else _EXPLAIN.get(header_key(raw_explain))
        if explain is None:
            problems.add(
                sheet,
                r.number,
                f"giá trị '{nfc(raw_explain)}' ở cột 'Bắt buộc giải trình' của tiêu chí '{code}' không hợp lệ",
                f"chọn một trong: {_explain_list()} (để trống nghĩa là 'không')",
            )
            ok = False

        raw_max = v.get("Điểm tối đa")
        given = not _is_blank(raw_max)
        max_points = to_decimal(raw_max) if given else Decimal(0)
        if max_points is None:
            problems.add(
                sheet,
                r.number,
                f"điểm tối đa '{_show(raw_max)}' của tiêu chí '{code}' không phải là số",
                "ghi điểm tối đa bằng số, ví dụ 5 hoặc 2,5",
            )
            ok = False
        elif max_points < 0:
            problems.add(
                sheet,
                r.number,
                f"điểm tối đa của tiêu chí '{code}' là số âm ({_show(raw_max)})",
                "ghi số dương; điểm trừ cũng ghi số dương (số điểm bị trừ tối đa), loại 'điểm trừ' cho biết là trừ",
            )
            ok = False
        elif kind is not None:
            if kind is Kind.DISQUALIFIER and max_points != 0:
                problems.add(
                    sheet,
                    r.number,
                    f"tiêu chí điểm liệt '{code}' có điểm tối đa {_vn(max_points)}",
                    "để trống hoặc ghi 0 ở cột 'Điểm tối đa' cho tiêu chí điểm liệt",
                )
                ok = False
            elif kind not in (Kind.GROUP, Kind.DISQUALIFIER) and max_points == 0:
                problems.add(
                    sheet,
                    r.number,
                    f"tiêu chí '{code}' ({kind.value}) có điểm tối đa bằng 0"
                    if given
                    else f"tiêu chí '{code}' ({kind.value}) chưa có điểm tối đa",
                    "ghi điểm tối đa lớn hơn 0 (chỉ tiêu chí điểm liệt mới có điểm tối đa 0)",
                )
                ok = False
            elif step is not None and max_points % step != 0:
                problems.add(
                    sheet,
                    r.number,
                    f"điểm tối đa {_vn(max_points)} của tiêu chí '{code}' không chia hết cho bước điểm {_vn(step)}",
                    f"ghi điểm tối đa là bội số của {_vn(step)}, hoặc đổi 'Bước điểm' ở trang '{SHEET_INFO}'",
                )
                ok = False

        parent = code.rsplit(".", 1)[0] if "." in code else None
        criterion = None
        if ok and kind is not None and explain is not None and max_points is not None:  # `ok` implies all three
            criterion = Criterion(
                code=code,
                text=text,
                max_points=max_points,
                kind=kind,
                explain=explain,
                guidance=nfc(v.get("Hướng dẫn chấm")),
                parent=parent,
                depth=code.count("."),
            )
        parsed.append((r.number, criterion, given))

    # Structure checks need every row's code and kind, so they run on the rows that parsed cleanly.
    by_code = {c.code: (row, c) for row, c, _ in parsed if c is not None}
    row_of = dict(seen)
    codes_seen_order = list(seen)
    for row, c, _ in parsed:
        if c is None or c.parent is None:
            continue
        if c.parent not in row_of:
            problems.add(
                sheet,
                row,
                f"mã '{c.code}' không có tiêu chí cha '{c.parent}'",
                f"thêm dòng nhóm có mã '{c.parent}' phía trên, hoặc sửa lại mã '{c.code}'",
            )
        elif codes_seen_order.index(c.parent) > codes_seen_order.index(c.code):
            problems.add(
                sheet,
                row,
                f"tiêu chí '{c.code}' đứng trước nhóm cha '{c.parent}' (dòng {row_of[c.parent]})",
                f"chuyển dòng nhóm '{c.parent}' lên trên các tiêu chí con của nó",
            )
        elif c.parent in by_code and not by_code[c.parent][1].is_group:
            prow, pc = by_code[c.parent]
            problems.add(
                sheet,
                row,
                f"tiêu chí '{c.code}' nằm dưới '{c.parent}' (dòng {prow}) nhưng '{c.parent}' có loại '{pc.kind.value}'",
                f"đổi loại của '{c.parent}' thành 'nhóm', hoặc sửa lại mã '{c.code}'",
            )

    children: dict[str, list[Criterion]] = {}
    for _, c, _ in parsed:
        if c is not None and c.parent is not None:
            children.setdefault(c.parent, []).append(c)

    families: dict[str, set[str]] = {}

    def family_of(c: Criterion) -> set[str]:
        if c.code in families:
            return families[c.code]
        families[c.code] = set()  # guards against cycles (cannot happen with dotted codes)
        if c.is_group:
            fam: set[str] = set()
            for child in children.get(c.code, []):
                fam |= family_of(child)
        else:
            fam = {_family(c.kind)}
        families[c.code] = fam
        return fam

    for row, c, given in parsed:
        if c is None or not c.is_group:
            continue
        kids = children.get(c.code, [])
        all_kids_ok = all(
            by_code.get(code) is not None for code in row_of if code.rsplit(".", 1)[0] == c.code and "." in code
        )
        if not kids and all_kids_ok:
            problems.add(
                sheet,
                row,
                f"nhóm '{c.code}' không có tiêu chí con nào",
                f"thêm các tiêu chí con (mã dạng {c.code}.1, {c.code}.2…) hoặc đổi loại của '{c.code}'",
            )
            continue
        if not all_kids_ok or c.code in tainted:
            continue  # the children's own problems are reported; sums would be misleading
        total = sum((k.max_points for k in kids), Decimal(0))
        if not given:
            problems.add(
                sheet,
                row,
                f"nhóm '{c.code}' chưa có điểm tối đa (tổng điểm tối đa các tiêu chí con là {_vn(total)})",
                f"ghi {_vn(total)} vào cột 'Điểm tối đa' của nhóm '{c.code}'",
            )
        elif c.max_points != total:
            problems.add(
                sheet,
                row,
                f"điểm tối đa của nhóm '{c.code}' là {_vn(c.max_points)} nhưng tổng điểm tối đa "
                f"các tiêu chí con là {_vn(total)}",
                f"sửa điểm tối đa của nhóm thành {_vn(total)} hoặc sửa điểm các tiêu chí con cho khớp",
            )
        fam = family_of(c)
        if len(fam) > 1:
            kinds = ", ".join(f"'{_FAMILY_TEXT[f]}'" for f in sorted(fam))
            problems.add(
                sheet,
                row,
                f"nhóm '{c.code}' trộn lẫn các loại tiêu chí con: {kinds}",
                "tách thành các nhóm riêng: một nhóm chấm điểm, một nhóm điểm thưởng, một nhóm điểm trừ/điểm liệt",
            )

    return [c for _, c, _ in parsed if c is not None]


# --------------------------------------------------------------------------- Đơn vị


def _phone(value: object) -> str:
    """Phone as text; Excel drops the leading 0 of a number typed as 0912345678."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value))
        return "0" + text if len(text) == 9 else text
    return nfc(value)


def _parse_units(rows: list[list[object]], problems: _Problems) -> list[Unit]:
    sheet = SHEET_UNITS
    table = _table(sheet, rows, UNIT_COLUMNS, UNIT_REQUIRED, problems)
    if table is None:
        return []
    units: list[Unit] = []
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    for r in table:
        v = r.values
        code = "".join(nfc(v.get("Mã đơn vị")).split())  # split() takes the whitespace \s takes
        name = " ".join(nfc(v.get("Tên đơn vị")).split())
        code_key, name_key = text_key(code), text_key(name)  # as core.units tells names apart
        ok = True
        if not code:
            problems.add(
                sheet, r.number, "đơn vị chưa có mã", "ghi mã đơn vị (ngắn, không dấu, ví dụ TSN) ở cột 'Mã đơn vị'"
            )
            ok = False
        elif code_key in codes:
            problems.add(
                sheet,
                r.number,
                f"mã đơn vị '{code}' bị trùng với dòng {codes[code_key]}",
                "mỗi đơn vị một mã riêng: đổi mã hoặc xóa dòng trùng",
            )
            ok = False
        else:
            codes[code_key] = r.number
        if not name:
            problems.add(sheet, r.number, "đơn vị chưa có tên", "ghi tên đơn vị ở cột 'Tên đơn vị'")
            ok = False
        elif name_key in names:
            problems.add(
                sheet,
                r.number,
                f"tên đơn vị '{name}' bị trùng với dòng {names[name_key]}",
                "mỗi đơn vị chỉ ghi một lần: xóa dòng trùng hoặc sửa tên",
            )
            ok = False
        else:
            names[name_key] = r.number
        if ok:
            units.append(
                Unit(
                    code=code,
                    name=name,
                    level=nfc(v.get("Cấp")),
                    email=nfc(v.get("Email")),
                    contact=nfc(v.get("Người liên hệ")),
                    phone=_phone(v.get("Điện thoại")),
                )
            )
    if not table:
        problems.add(sheet, None, "chưa có đơn vị nào", "nhập các đơn vị thành viên của cụm, mỗi đơn vị một dòng")
    return units


# --------------------------------------------------------------------------- Xếp loại, Khen thưởng


def _parse_levels(rows: list[list[object]], problems: _Problems) -> list[Level]:
    sheet = SHEET_LEVELS
    table = _table(sheet, rows, LEVEL_COLUMNS, LEVEL_COLUMNS, problems)
    if table is None:
        return []
    if not table:
        problems.add(sheet, None, "chưa có mức xếp loại nào", "nhập các mức, ví dụ 'Xuất sắc' từ 90 điểm, 'Tốt' từ 80…")
        return []
    levels: list[Level] = []
    names: dict[str, int] = {}
    thresholds: dict[Decimal, int] = {}
    for r in table:
        name = nfc(r.values.get("Mức"))
        raw = r.values.get("Từ điểm")
        threshold = to_decimal(raw)
        ok = True
        if not name:
            problems.add(sheet, r.number, "mức xếp loại chưa có tên", "ghi tên mức ở cột 'Mức', ví dụ 'Xuất sắc'")
            ok = False
        elif header_key(name) in names:
            problems.add(
                sheet,
                r.number,
                f"mức '{name}' bị trùng với dòng {names[header_key(name)]}",
                "mỗi mức chỉ ghi một lần: xóa dòng trùng hoặc đổi tên",
            )
            ok = False
        else:
            names[header_key(name)] = r.number
        if threshold is None:
            problems.add(
                sheet,
                r.number,
                f"'Từ điểm' của mức '{name}' không phải là số ('{_show(raw)}')",
                "ghi số điểm tối thiểu của mức, ví dụ 90 (mức thấp nhất ghi 0)",
            )
            ok = False
        elif threshold in thresholds:
            problems.add(
                sheet,
                r.number,
                f"mức '{name}' có cùng 'Từ điểm' {_vn(threshold)} với dòng {thresholds[threshold]}",
                "mỗi mức một ngưỡng điểm khác nhau",
            )
            ok = False
        else:
            thresholds[threshold] = r.number
        if ok and threshold is not None:  # `ok` implies a threshold
            levels.append(Level(name=name, min_total=threshold))
    levels.sort(key=lambda lv: lv.min_total, reverse=True)
    return levels


def _parse_awards(rows: list[list[object]], levels: list[Level], problems: _Problems) -> list[AwardRule]:
    sheet = SHEET_AWARDS
    table = _table(sheet, rows, AWARD_COLUMNS, AWARD_REQUIRED, problems)
    if table is None:
        return []
    level_names = {header_key(lv.name): lv.name for lv in levels}
    awards: list[AwardRule] = []
    ranks: dict[int, int] = {}
    for r in table:
        raw_rank = r.values.get("Hạng")
        rank = to_decimal(raw_rank)
        award = nfc(r.values.get("Hình thức đề nghị"))
        raw_level = r.values.get("Xếp loại tối thiểu")
        ok = True
        if rank is None or rank != rank.to_integral_value() or rank < 1:
            problems.add(
                sheet,
                r.number,
                f"hạng '{_show(raw_rank)}' không hợp lệ",
                "ghi hạng bằng số nguyên từ 1 (1 = Nhất, 2 = Nhì, 3 = Ba)",
            )
            ok = False
        elif int(rank) in ranks:
            problems.add(
                sheet,
                r.number,
                f"hạng {int(rank)} bị trùng với dòng {ranks[int(rank)]}",
                "mỗi hạng chỉ ghi một dòng",
            )
            ok = False
        else:
            ranks[int(rank)] = r.number
        if not award:
            problems.add(
                sheet,
                r.number,
                "chưa ghi hình thức khen thưởng đề nghị",
                "ghi hình thức ở cột 'Hình thức đề nghị', ví dụ 'Cờ thi đua của UBND tỉnh'",
            )
            ok = False
        min_level = None
        if not _is_blank(raw_level) and levels:  # no levels: the 'Xếp loại' problems are already reported
            min_level = level_names.get(header_key(raw_level))
            if min_level is None:
                known = ", ".join(f"'{lv.name}'" for lv in levels)
                problems.add(
                    sheet,
                    r.number,
                    f"xếp loại tối thiểu '{nfc(raw_level)}' không có trong trang '{SHEET_LEVELS}'",
                    f"chọn một trong các mức: {known}, hoặc để trống",
                )
                ok = False
        if ok and rank is not None:  # `ok` implies a rank
            awards.append(AwardRule(rank=int(rank), award=award, min_level=min_level))
    awards.sort(key=lambda a: a.rank)
    return awards


# --------------------------------------------------------------------------- Phân định hạng


def _default_tiebreak(criteria: Iterable[Criterion]) -> list[str]:
    groups = {c.code for c in criteria if c.is_group}
    return [entry for entry in DEFAULT_TIEBREAK if entry in groups or header_key(entry) in _TIEBREAKS]


def _parse_tiebreak(rows: list[list[object]] | None, criteria: list[Criterion], problems: _Problems) -> list[str]:
    sheet = SHEET_TIEBREAK
    if rows is None or all(all(_is_blank(v) for v in row) for row in rows):
        return _default_tiebreak(criteria)
    table = _table(sheet, rows, TIEBREAK_COLUMNS, TIEBREAK_REQUIRED, problems)
    if table is None:
        return []
    groups = {re.sub(r"\s+", "", c.code).casefold(): c.code for c in criteria if c.is_group}
    entries: list[tuple[Decimal | None, int, str]] = []
    seen: dict[str, int] = {}
    for r in table:
        raw = r.values.get("Tiêu chí phân định")
        if _is_blank(raw):
            continue
        text = nfc(raw)
        measure = _TIEBREAKS.get(header_key(text))
        code = re.sub(r"\s+", "", text).rstrip(".")
        value: str | None
        if measure is not None:
            value = measure.value
        elif not criteria:  # the criteria sheet is broken and already reported: do not pile on
            value = code if _CODE.match(code) else None
        else:
            value = groups.get(code.casefold())
        if value is None:
            problems.add(
                sheet,
                r.number,
                f"'{text}' không phải mã nhóm tiêu chí cũng không phải cách phân định đã biết",
                f"ghi mã một nhóm ở trang '{SHEET_CRITERIA}' (ví dụ II: nhóm đó điểm cao hơn thì xếp trên) "
                f"hoặc một trong: {_tiebreak_list()}",
            )
            continue
        if value in seen:
            problems.add(sheet, r.number, f"'{value}' bị ghi hai lần (đã có ở dòng {seen[value]})", "xóa dòng trùng")
            continue
        seen[value] = r.number
        entries.append((to_decimal(r.values.get("Thứ tự")), r.number, value))
    if not entries:
        return _default_tiebreak(criteria)
    # Sort by `Thứ tự` where given; rows without it keep their place after the numbered ones.
    entries.sort(key=lambda e: (e[0] is None, e[0] if e[0] is not None else 0, e[1]))
    return [value for _, _, value in entries]


# --------------------------------------------------------------------------- award screens (optional sheets)

SHEET_CONDITIONS = "Điều kiện khen thưởng"
SHEET_BLOCKED = "Đơn vị không đề nghị"
SHEET_QUOTAS = "Số lượng khen thưởng"
CONDITION_COLUMNS = ("Hình thức khen thưởng", "Số năm liên tục", "Xếp loại hoặc danh hiệu", "Căn cứ")
CONDITION_REQUIRED = CONDITION_COLUMNS[:3]
BLOCKED_COLUMNS = ("Mã đơn vị", "Lý do", "Căn cứ")
BLOCKED_REQUIRED = BLOCKED_COLUMNS[:2]
QUOTA_COLUMNS = ("Hình thức khen thưởng", "Số lượng tối đa", "Tỷ lệ tối đa (%)", "Căn cứ")
QUOTA_REQUIRED = QUOTA_COLUMNS[:1]


def _parse_screens(
    rows_of, units: list[Unit], levels: list[Level], awards: list[AwardRule], problems: _Problems
) -> Screens:
    """The optional sheets that screen award proposals (history.eligibility applies them)."""
    award_names = ", ".join(f"'{a}'" for a in dict.fromkeys(a.award for a in awards)) or "(chưa có)"
    known_awards = {header_key(a.award): a.award for a in awards}

    def award_of(sheet: str, r: _Row) -> str | None:
        typed = " ".join(nfc(r.values.get("Hình thức khen thưởng")).split())
        found = known_awards.get(header_key(typed))
        if found is None:
            problems.add(
                sheet,
                r.number,
                f"hình thức khen thưởng '{typed}' không có ở cột 'Hình thức đề nghị' của trang '{SHEET_AWARDS}'",
                f"ghi đúng một trong: {award_names}",
            )
        return found

    conditions: list[AwardCondition] = []
    rows = rows_of(SHEET_CONDITIONS)
    table = _table(SHEET_CONDITIONS, rows, CONDITION_COLUMNS, CONDITION_REQUIRED, problems) if rows else None
    for r in table or ():
        award = award_of(SHEET_CONDITIONS, r)
        raw_years = r.values.get("Số năm liên tục")
        years = to_decimal(raw_years)
        accepted = tuple(
            t
            for t in (
                " ".join(p.split()) for p in re.split(r";|\bhoặc\b|\n", nfc(r.values.get("Xếp loại hoặc danh hiệu")))
            )
            if t
        )
        ok = award is not None
        if years is None or years != years.to_integral_value() or not 1 <= years <= 10:
            problems.add(
                SHEET_CONDITIONS,
                r.number,
                f"số năm liên tục '{_show(raw_years)}' không hợp lệ",
                "ghi số nguyên từ 1 đến 10 (ví dụ 2: hai năm liền trước năm xét)",
            )
            ok = False
        if not accepted:
            problems.add(
                SHEET_CONDITIONS,
                r.number,
                "chưa ghi xếp loại hoặc danh hiệu cần đạt",
                "ghi các mức, cách nhau bởi dấu ; hoặc chữ 'hoặc' (ví dụ: Xuất sắc; Tập thể lao động xuất sắc)",
            )
            ok = False
        if ok and award is not None and years is not None:
            conditions.append(AwardCondition(award, int(years), accepted, nfc(r.values.get("Căn cứ"))))

    blocked: list[BlockedUnit] = []
    rows = rows_of(SHEET_BLOCKED)
    table = _table(SHEET_BLOCKED, rows, BLOCKED_COLUMNS, BLOCKED_REQUIRED, problems) if rows else None
    codes = {text_key(u.code): u.code for u in units}
    for r in table or ():
        typed = "".join(nfc(r.values.get("Mã đơn vị")).split())
        code = codes.get(text_key(typed))
        reason = " ".join(nfc(r.values.get("Lý do")).split())
        if code is None:
            problems.add(
                SHEET_BLOCKED,
                r.number,
                f"mã đơn vị '{typed}' không có ở trang '{SHEET_UNITS}'",
                f"ghi đúng mã ở cột 'Mã đơn vị' của trang '{SHEET_UNITS}'",
            )
        elif not reason:
            problems.add(
                SHEET_BLOCKED,
                r.number,
                "chưa ghi lý do không đề nghị khen thưởng",
                "ghi lý do (ví dụ: đang bị thanh tra, có đơn khiếu nại chưa giải quyết xong)",
            )
        else:
            blocked.append(BlockedUnit(code, reason, nfc(r.values.get("Căn cứ"))))

    quotas: list[AwardQuota] = []
    rows = rows_of(SHEET_QUOTAS)
    table = _table(SHEET_QUOTAS, rows, QUOTA_COLUMNS, QUOTA_REQUIRED, problems) if rows else None
    for r in table or ():
        award = award_of(SHEET_QUOTAS, r)
        raw_count, raw_share = r.values.get("Số lượng tối đa"), r.values.get("Tỷ lệ tối đa (%)")
        count, share = to_decimal(raw_count), to_decimal(raw_share)
        ok = award is not None
        if not _is_blank(raw_count) and (count is None or count != count.to_integral_value() or count < 0):
            problems.add(SHEET_QUOTAS, r.number, f"số lượng tối đa '{_show(raw_count)}' không hợp lệ",
                         "ghi số nguyên không âm (số đơn vị tối đa được đề nghị)")  # fmt: skip
            ok = False
        if not _is_blank(raw_share) and (share is None or not 0 <= share <= 100):
            problems.add(SHEET_QUOTAS, r.number, f"tỷ lệ tối đa '{_show(raw_share)}' không hợp lệ",
                         "ghi số phần trăm từ 0 đến 100 (ví dụ 20)")  # fmt: skip
            ok = False
        if _is_blank(raw_count) and _is_blank(raw_share):
            problems.add(SHEET_QUOTAS, r.number, "chưa ghi số lượng hoặc tỷ lệ tối đa",
                         "ghi số lượng tối đa, hoặc tỷ lệ tối đa (%) so với số đơn vị của Cụm")  # fmt: skip
            ok = False
        if ok and award is not None:
            quotas.append(
                AwardQuota(
                    award,
                    int(count) if count is not None and not _is_blank(raw_count) else None,
                    share / 100 if share is not None and not _is_blank(raw_share) else None,
                    nfc(r.values.get("Căn cứ")),
                )
            )
    return Screens(tuple(conditions), tuple(blocked), tuple(quotas))
