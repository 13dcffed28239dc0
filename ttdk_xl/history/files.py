"""Read a year folder's `lich_su/` → History: the archived years, imported results and the hand-filled sheet.

    lich_su/2025/ket_qua.json     a year archived by the next-year step (or imported: this tool's results)
    lich_su/2025/tong_hop.xlsx    the same year's summary workbook (read when there is no ket_qua.json)
    lich_su/lich_su.xlsx          `Kết quả các năm`: years before the tool, typed by the office;
                                  `Đổi mã đơn vị`: old code → today's code (a renamed unit; a merged one: several rows)

Every bad row is a Finding naming the file, sheet and cell and what to do; the other rows are still used.
Pure reading: nothing here imports pandas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ttdk_xl.book.load import to_decimal
from ttdk_xl.core.layout import (
    HISTORY_CODE_COLUMNS,
    HISTORY_CODES_SHEET,
    HISTORY_YEAR_COLUMNS,
    HISTORY_YEARS_SHEET,
    SUMMARY_SHEET,
    cell_name,
)
from ttdk_xl.core.models import ROLE_DEPUTY, ROLE_HEAD, Book, Finding, History, PastResult, Severity
from ttdk_xl.core.text import header_key, nfc, text_key
from ttdk_xl.core.units import UnitNames
from ttdk_xl.core.year_folder import BOOK_NAME, HISTORY_DIR, RESULT_JSON, YearFolder, find_year

HAND_NAME = "lich_su.xlsx"
SUMMARY_NAME = "tong_hop.xlsx"
SHEET_YEARS = HISTORY_YEARS_SHEET
SHEET_CODES = HISTORY_CODES_SHEET
YEAR_COLUMNS = HISTORY_YEAR_COLUMNS
CODE_COLUMNS = HISTORY_CODE_COLUMNS
ROLES = {
    header_key(ROLE_HEAD): ROLE_HEAD,
    header_key(ROLE_DEPUTY): ROLE_DEPUTY,
    header_key("Cụm trưởng"): ROLE_HEAD,
    header_key("Cụm phó"): ROLE_DEPUTY,
}
_HEADER_SCAN_ROWS = 15


@dataclass
class _Row:
    """One past result as read, before codes are mapped and rows are checked against each other."""

    year: int
    code: str
    name: str
    file: str
    sheet: str = ""
    cells: dict[str, str] = field(default_factory=dict)  # field → Excel cell ("D7"), for a hand row
    total: Decimal | None = None
    rank: int | None = None
    level: str = ""
    award: str = ""
    role: str = ""
    groups: dict[str, Decimal] = field(default_factory=dict)

    def where(self, what: str = "") -> str:
        cell = self.cells.get(what) or self.cells.get("code", "")
        return " › ".join(x for x in (self.file, self.sheet, cell) if x)


class _Findings(list):
    def add(
        self,
        code: str,
        file: str,
        message: str,
        fix: str,
        sheet: str = "",
        cell: str = "",
        severity: Severity = Severity.WARNING,
        unit: str = "",
    ) -> None:
        self.append(Finding(code, severity, file, message, fix, sheet=sheet, cell=cell, unit_code=unit))


def history_folder(where: str | Path | YearFolder | None) -> Path | None:
    """The `lich_su/` of the year folder `where` is (or is inside, e.g. its `hop_thu/`); None when there is none."""
    year = where if isinstance(where, YearFolder) else find_year(where)
    if year is None or not year.history.is_dir():
        return None
    return year.history


def load_history(where: str | Path | YearFolder, book: Book) -> History | None:
    """The earlier years of the cluster whose year folder is `where` (a YearFolder, the folder, its inbox,
    or the `lich_su/` folder itself); None when it has no `lich_su/`. Never raises for a bad file or row."""
    folder = Path(where) if isinstance(where, str | Path) and Path(where).name == HISTORY_DIR else None
    if folder is None or not folder.is_dir():
        folder = history_folder(where)
    if folder is None:
        return None
    found = _Findings()
    rows: list[_Row] = []
    codes: dict[str, tuple[str, str]] = {}
    for year, path in _archives(folder, found):
        rows.extend(_read_archive(path, year, found))
    hand = folder / HAND_NAME
    if hand.is_file():
        hand_rows, codes = _read_hand(hand, found)
        rows.extend(hand_rows)
    return _assemble(book, folder, rows, codes, found)


# ---------------------------------------------------------------------------------------------- archives


def _rel(path: Path) -> str:
    """A history file named as the office sees it: from `lich_su/`."""
    parts = path.parts
    return "/".join(parts[parts.index(HISTORY_DIR) :]) if HISTORY_DIR in parts else path.name


def _archives(folder: Path, found: _Findings) -> list[tuple[int, Path]]:
    out = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if not re.fullmatch(r"\d{4}", sub.name):
            found.add(
                "history-folder-not-year",
                _rel(sub),
                f"Thư mục “{sub.name}” trong lich_su/ không phải một năm nên không được đọc.",
                "Đặt kết quả mỗi năm vào thư mục mang tên năm đó (ví dụ lich_su/2024/ket_qua.json).",
            )
            continue
        for name in (RESULT_JSON, SUMMARY_NAME):
            if (sub / name).is_file():
                out.append((int(sub.name), sub / name))
                break
        else:
            found.add(
                "history-year-empty",
                _rel(sub),
                f"Thư mục lich_su/{sub.name}/ không có ket_qua.json hay tong_hop.xlsx.",
                "Chép ket_qua.json (hoặc tong_hop.xlsx) của năm đó vào thư mục này, hoặc xóa thư mục.",
            )
    return out


def _read_archive(path: Path, year: int, found: _Findings) -> list[_Row]:
    try:
        rows = _read_json(path, year, found) if path.suffix == ".json" else _read_summary(path, year, found)
    except Exception as exc:  # a damaged or foreign file: a finding, the other years still count
        found.add(
            "history-file-unreadable",
            _rel(path),
            f"Không đọc được tệp lưu trữ năm {year} ({type(exc).__name__}).",
            "Chép lại ket_qua.json hoặc tong_hop.xlsx do ttdk-xl tạo năm đó vào thư mục này.",
            severity=Severity.ERROR,
        )
        return []
    _roles_from_book(path.parent / BOOK_NAME, rows, found)
    return rows


def _read_json(path: Path, year: int, found: _Findings) -> list[_Row]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not str(doc.get("format", "")).startswith("ttdk-xl/ket_qua"):
        raise ValueError("not a ket_qua.json")
    file = _rel(path)
    if doc.get("year") not in (None, year):
        found.add(
            "history-year-mismatch",
            file,
            f"Tệp ghi năm {doc.get('year')} nhưng nằm trong thư mục lich_su/{year}/; dùng năm {year}.",
            f"Chuyển tệp sang thư mục lich_su/{doc.get('year')}/ nếu đó mới đúng năm của nó.",
        )
    roles = doc.get("history", {}).get("roles", {}) if isinstance(doc.get("history"), dict) else {}
    out = []
    for u in doc.get("units", []):
        code = nfc(u.get("code"))
        role = ROLE_HEAD if code == roles.get("head") else ROLE_DEPUTY if code == roles.get("deputy") else ""
        out.append(
            _Row(
                year,
                code,
                nfc(u.get("name")),
                file,
                total=_decimal(u.get("total")),
                rank=u.get("rank") if isinstance(u.get("rank"), int) else None,
                level=nfc(u.get("level")),
                award=nfc(u.get("award")),
                role=role,
                groups={k: d for k, v in (u.get("group_scores") or {}).items() if (d := _decimal(v)) is not None},
            )
        )
    return out


def _read_summary(path: Path, year: int, found: _Findings) -> list[_Row]:
    sheets = _read_xlsx(path)
    rows = next((r for name, r in sheets.items() if header_key(name) == header_key(SUMMARY_SHEET)), None)
    if rows is None:
        raise ValueError("no summary sheet")
    columns = ("Mã đơn vị", "Đơn vị", "Tổng điểm", "Xếp hạng", "Xếp loại", "Đề nghị khen thưởng")
    header, cols = _header(rows, columns)
    if header is None or "Mã đơn vị" not in cols:
        raise ValueError("no header")
    file, out = _rel(path), []
    for i in range(header + 1, len(rows)):
        row = rows[i]

        def get(name: str, row: list = row) -> object:
            c = cols.get(name)
            return row[c] if c is not None and c < len(row) else None

        code = nfc(get("Mã đơn vị"))
        if not code:
            continue
        rank = _decimal(get("Xếp hạng"))
        out.append(
            _Row(
                year,
                code,
                nfc(get("Đơn vị")),
                file,
                SUMMARY_SHEET,
                {"code": _cell(i, cols["Mã đơn vị"])},
                total=_decimal(get("Tổng điểm")),
                rank=int(rank) if rank is not None else None,
                level=nfc(get("Xếp loại")),
                award=nfc(get("Đề nghị khen thưởng")),
            )
        )
    return out


def _roles_from_book(path: Path, rows: list[_Row], found: _Findings) -> None:
    """The head and deputy of an archived year, from that year's book when the archive has it."""
    if not path.is_file() or any(r.role for r in rows):
        return
    from ttdk_xl.book.load import load_book
    from ttdk_xl.core.errors import BookError

    try:
        old = load_book(path)
    except BookError:
        found.add(
            "history-book-unreadable",
            _rel(path),
            "Không đọc được bộ tiêu chí lưu trữ nên không biết Cụm trưởng, Cụm phó năm đó.",
            f"Ghi vai trò ở trang '{SHEET_YEARS}' của lich_su/{HAND_NAME}, hoặc thay bộ tiêu chí đúng.",
        )
        return
    names = UnitNames(old.units)
    for ref, role in ((old.head_unit, ROLE_HEAD), (old.deputy_unit, ROLE_DEPUTY)):
        unit = old.unit(nfc(ref)) or names.match(nfc(ref))
        for r in rows:
            if unit is not None and r.code == unit.code:
                r.role = role


# ---------------------------------------------------------------------------------------------- lich_su.xlsx


def _read_hand(path: Path, found: _Findings) -> tuple[list[_Row], dict[str, tuple[str, str]]]:
    file = _rel(path)
    try:
        sheets = _read_xlsx(path)
    except Exception as exc:
        found.add(
            "history-file-unreadable",
            file,
            f"Không đọc được tệp lịch sử ({type(exc).__name__}).",
            "Mở tệp bằng Excel, lưu lại dạng .xlsx; hoặc tạo tệp mẫu mới: ttdk-xl lich-su --tao-mau.",
            severity=Severity.ERROR,
        )
        return [], {}
    by_key = {header_key(name): (name, rows) for name, rows in sheets.items()}
    rows: list[_Row] = []
    codes: dict[str, tuple[str, str]] = {}
    if (sheet := by_key.get(header_key(SHEET_CODES))) is not None:
        codes = _read_codes(file, *sheet, found)
    if (sheet := by_key.get(header_key(SHEET_YEARS))) is not None:
        rows = _read_years(file, *sheet, found)
    return rows, codes


def _read_codes(file: str, sheet: str, rows: list[list[object]], found: _Findings) -> dict[str, tuple[str, str]]:
    """Old code → (new code, the cell of the new code)."""
    header, cols = _header(rows, CODE_COLUMNS)
    if header is None or "Mã cũ" not in cols or "Mã mới" not in cols:
        found.add(
            "history-no-header",
            file,
            "Không tìm thấy dòng tiêu đề có các cột 'Mã cũ', 'Mã mới'.",
            "Ghi tiêu đề các cột như tệp mẫu (ttdk-xl lich-su --tao-mau).",
            sheet=sheet,
        )
        return {}
    out: dict[str, tuple[str, str]] = {}
    for i in range(header + 1, len(rows)):
        row = rows[i]
        old = _code(row, cols["Mã cũ"])
        new = _code(row, cols["Mã mới"])
        if not old and not new:
            continue
        cell = _cell(i, cols["Mã mới" if old else "Mã cũ"])
        if not old or not new:
            found.add(
                "history-code-map-incomplete",
                file,
                "Dòng đổi mã thiếu mã cũ hoặc mã mới; dòng không được dùng.",
                "Ghi đủ mã cũ và mã mới (đơn vị hợp nhất: mỗi đơn vị cũ một dòng, cùng mã mới).",
                sheet=sheet,
                cell=cell,
            )
        elif old in out and out[old][0] != new:
            found.add(
                "history-code-split",
                file,
                f"Mã cũ '{old}' được đổi sang hai mã mới ('{out[old][0]}' và '{new}'); dùng dòng đầu.",
                "Mỗi mã cũ chỉ đổi sang một mã mới: xóa dòng thừa.",
                sheet=sheet,
                cell=_cell(i, cols["Mã cũ"]),
            )
        else:
            out[old] = (new, cell)
    return out


def _read_years(file: str, sheet: str, rows: list[list[object]], found: _Findings) -> list[_Row]:
    header, cols = _header(rows, YEAR_COLUMNS)
    missing = [c for c in ("Năm", "Mã đơn vị") if c not in cols]
    if header is None or missing:
        found.add(
            "history-no-header",
            file,
            "Không tìm thấy dòng tiêu đề có các cột 'Năm', 'Mã đơn vị'.",
            "Ghi tiêu đề các cột như tệp mẫu (ttdk-xl lich-su --tao-mau).",
            sheet=sheet,
            severity=Severity.ERROR,
        )
        return []
    out: list[_Row] = []
    for i in range(header + 1, len(rows)):
        row = rows[i]

        def raw(name: str, row: list = row) -> object:
            c = cols.get(name)
            return row[c] if c is not None and c < len(row) else None

        if all(raw(c) in (None, "") for c in cols):
            continue
        cells = {
            key: _cell(i, cols[name])
            for key, name in (
                ("year", "Năm"),
                ("code", "Mã đơn vị"),
                ("total", "Tổng điểm"),
                ("rank", "Xếp hạng"),
                ("role", "Vai trò trong Cụm"),
            )
            if name in cols
        }
        year = _decimal(raw("Năm"))
        code = _code(row, cols["Mã đơn vị"])
        if year is None or year != year.to_integral_value() or not 1900 < year < 2200:
            found.add(
                "history-bad-year",
                file,
                f"Năm '{nfc(raw('Năm'))}' không phải một năm; dòng không được dùng.",
                "Ghi năm bằng 4 chữ số, ví dụ 2024.",
                sheet=sheet,
                cell=cells["year"],
                severity=Severity.ERROR,
                unit=code,
            )
            continue
        if not code:
            found.add(
                "history-no-unit",
                file,
                "Dòng chưa ghi mã đơn vị; dòng không được dùng.",
                "Ghi mã đơn vị năm đó (mã cũ cũng được, nếu có ở trang 'Đổi mã đơn vị').",
                sheet=sheet,
                cell=cells["code"],
                severity=Severity.ERROR,
            )
            continue
        r = _Row(
            int(year),
            code,
            nfc(raw("Tên đơn vị")),
            file,
            sheet,
            cells,
            level=nfc(raw("Xếp loại")),
            award=nfc(raw("Khen thưởng")),
        )
        bad = False
        for key, name in (("total", "Tổng điểm"), ("rank", "Xếp hạng")):
            value = raw(name)
            if value in (None, ""):
                continue
            number = _decimal(value)
            whole = key == "rank"
            if number is None or number < 0 or (whole and (number != number.to_integral_value() or number < 1)):
                what = "số nguyên từ 1" if whole else "một số (ví dụ 87,5)"
                found.add(
                    "history-not-a-number",
                    file,
                    f"{name} '{nfc(value)}' của {code} năm {r.year} không phải {what}; dòng không được dùng.",
                    f"Ghi {name.lower()} bằng {what}, hoặc để trống nếu không có.",
                    sheet=sheet,
                    cell=cells[key],
                    severity=Severity.ERROR,
                    unit=code,
                )
                bad = True
            elif whole:
                r.rank = int(number)
            else:
                r.total = number
        role_text = nfc(raw("Vai trò trong Cụm"))
        if role_text:
            role = ROLES.get(header_key(role_text))
            if role is None:
                found.add(
                    "history-bad-role",
                    file,
                    f"Vai trò '{role_text}' không rõ; chỉ ghi '{ROLE_HEAD}' hoặc '{ROLE_DEPUTY}' (bỏ qua ô này).",
                    f"Ghi '{ROLE_HEAD}', '{ROLE_DEPUTY}' hoặc để trống.",
                    sheet=sheet,
                    cell=cells["role"],
                    unit=code,
                )
            else:
                r.role = role
        if not bad:
            out.append(r)
    return out


# ---------------------------------------------------------------------------------------------- assembling


def _assemble(
    book: Book, folder: Path, rows: list[_Row], code_map: dict[str, tuple[str, str]], found: _Findings
) -> History:
    """Rows → today's units (through the code map), each year and unit once, nothing from the future."""
    known = {u.code for u in book.units}
    by_key = {text_key(u.code): u.code for u in book.units}
    codes: dict[str, str] = {}
    for old, (new, cell) in code_map.items():
        if new in known or new in code_map:  # today's code, or one renamed again later (a chain)
            codes[old] = new
        elif text_key(new) in by_key:
            codes[old] = by_key[text_key(new)]
        else:
            found.add(
                "history-code-map-unknown",
                f"{HISTORY_DIR}/{HAND_NAME}",
                f"Mã mới '{new}' (đổi từ '{old}') không có trong danh sách đơn vị của bộ tiêu chí năm {book.year}; "
                "dòng không được dùng.",
                "Ghi đúng mã đơn vị hiện nay (trang 'Đơn vị' của bộ tiêu chí) ở cột 'Mã mới'.",
                sheet=SHEET_CODES,
                cell=cell,
            )

    def today(code: str) -> str | None:
        seen = set()
        while code in codes and code not in seen:  # a unit renamed twice: follow the chain
            seen.add(code)
            code = codes[code]
        if code in known:
            return code
        return by_key.get(text_key(code))

    kept: dict[tuple[int, str], _Row] = {}
    out: list[PastResult] = []
    for r in rows:
        where_file, sheet = r.file, r.sheet
        if r.year >= book.year:
            found.add(
                "history-future-year",
                where_file,
                f"Năm {r.year} của {r.code} không phải năm đã qua (bộ tiêu chí là năm {book.year}); bỏ qua.",
                f"Lịch sử chỉ gồm các năm trước {book.year}: sửa lại năm.",
                sheet=sheet,
                cell=r.cells.get("year", ""),
                severity=Severity.ERROR,
                unit=r.code,
            )
            continue
        unit = today(r.code)
        if unit is None:
            found.add(
                "history-unknown-unit",
                where_file,
                f"Đơn vị '{r.code}'{f' ({r.name})' if r.name else ''} năm {r.year} không có trong bộ tiêu chí "
                f"năm {book.year}; bỏ qua.",
                f"Nếu đơn vị đã đổi mã hoặc hợp nhất, ghi mã cũ → mã mới ở trang '{SHEET_CODES}' của "
                f"lich_su/{HAND_NAME}.",
                sheet=sheet,
                cell=r.cells.get("code", ""),
                unit=r.code,
            )
            continue
        key = (r.year, r.code)
        if key in kept:
            first = kept[key]
            found.add(
                "history-duplicate",
                where_file,
                f"Đơn vị '{r.code}' năm {r.year} đã có kết quả ({first.where()}); dòng này không được dùng.",
                "Mỗi đơn vị mỗi năm chỉ ghi một dòng: xóa dòng trùng.",
                sheet=sheet,
                cell=r.cells.get("code", ""),
                severity=Severity.ERROR,
                unit=r.code,
            )
            continue
        kept[key] = r
        out.append(
            PastResult(
                r.year, r.code, r.name, unit, r.total, r.rank, r.level, r.award, r.role, r.where("total"), r.groups
            )
        )
    order = {u.code: i for i, u in enumerate(book.units)}
    out.sort(key=lambda p: (p.year, order[p.unit_code], p.code))
    former: dict[str, tuple[str, ...]] = {}
    for p in out:
        if p.code != p.unit_code and p.code not in former.get(p.unit_code, ()):
            former[p.unit_code] = (*former.get(p.unit_code, ()), p.code)
    return History(tuple(out), tuple(found), str(folder), former)


# ---------------------------------------------------------------------------------------------- cells


def _read_xlsx(path: Path) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook  # deferred: keeps CLI start-up light

    wb = CalamineWorkbook.from_path(str(path))
    try:
        return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}
    finally:
        wb.close()


def _header(rows: list[list[object]], columns: Iterable[str]) -> tuple[int | None, dict[str, int]]:
    wanted = {header_key(c): c for c in columns}
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        cols = {}
        for c, v in enumerate(row):
            name = wanted.get(header_key(v))
            if name is not None and name not in cols:
                cols[name] = c
        if len(cols) >= 2:
            return i, cols
    return None, {}


def _decimal(value: object) -> Decimal | None:
    """A number as the book reads one (8,5 → 8.5; 90.0 → 90), None when it is none."""
    return None if isinstance(value, str) and not value.strip() else to_decimal(value)


def _code(row: list, c: int) -> str:
    value = row[c] if c < len(row) else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(nfc(value).split())


def _cell(row: int, col: int) -> str:
    return cell_name(row, col)


def this_year(year: YearFolder, book: Book) -> list[PastResult]:
    """This year's results as history rows, from `ket_qua/ket_qua.json` when a consolidation wrote one
    (for `ttdk-xl lich-su`, which shows the years without consolidating again); [] otherwise."""
    path = year.result_json
    if not path.is_file():
        return []
    try:
        rows = _read_json(path, book.year, _Findings())
    except Exception:  # an unreadable result is only not shown; `consolidate` writes it again
        return []
    head = book.unit(book.head_unit) or UnitNames(book.units).match(book.head_unit)
    deputy = book.unit(book.deputy_unit) or UnitNames(book.units).match(book.deputy_unit)
    known = {u.code for u in book.units}
    return [
        PastResult(
            r.year,
            r.code,
            r.name,
            r.code,
            r.total,
            r.rank,
            r.level,
            r.award,
            ROLE_HEAD if head and r.code == head.code else ROLE_DEPUTY if deputy and r.code == deputy.code else "",
            "ket_qua/ket_qua.json",
            r.groups,
        )
        for r in rows
        if r.code in known and r.total is not None
    ]


def result_year(path: str | Path) -> int | None:
    """The year of a ket_qua.json or tong_hop.xlsx this tool wrote (its `year`, or its title's 'NĂM 2025')."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".json":
            year = json.loads(path.read_text(encoding="utf-8")).get("year")
            return year if isinstance(year, int) else None
        sheets = _read_xlsx(path)
        rows = next((r for name, r in sheets.items() if header_key(name) == header_key(SUMMARY_SHEET)), [])
        found = re.search(r"NĂM\s+(\d{4})", nfc(rows[0][0]).upper()) if rows and rows[0] else None
        return int(found.group(1)) if found else None
    except Exception:  # not one of ours: the caller says so
        return None


def import_result(year: YearFolder, path: str | Path, which: int | None = None) -> Path:
    """Copy an earlier year's ket_qua.json or tong_hop.xlsx into `lich_su/<year>/` (the year read from the file
    unless `which` is given). Raises ValueError (Vietnamese message) when the file is none of these, its year
    is unknown, or that year already has one. A year not earlier than the folder's is a finding when read."""
    import shutil

    path = Path(path)
    name = {".json": RESULT_JSON, ".xlsx": SUMMARY_NAME}.get(path.suffix.lower())
    if name is None:
        raise ValueError(f"“{path.name}” không phải ket_qua.json hay tong_hop.xlsx do ttdk-xl tạo.")
    found = which or result_year(path)
    if found is None:
        raise ValueError(f"Không biết “{path.name}” là kết quả năm nào: ghi năm bằng tùy chọn --nam.")
    target = year.history / str(found) / name
    if target.exists():
        raise ValueError(f"Năm {found} đã có {target}: xóa tệp đó trước nếu muốn thay.")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return target
