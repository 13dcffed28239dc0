"""Next year's folder, made from this year's: the book moved on a year with the new head and deputy, the same
criteria and units for the office to edit, and this year's results archived as history.

The head and deputy are those the conference elected (the count of `phieu_kiem.xlsx`); when no vote was counted,
the book's rotation: this year's deputy becomes the head, and the unit after it in the book the deputy.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.models import Book, Severity
from ttdk_xl.core.text import header_key, nfc
from ttdk_xl.core.year_folder import BOOK_NAME, HISTORY_DIR, HOWTO_NAME, YearFolder
from ttdk_xl.history.files import load_history
from ttdk_xl.history.rotation import propose_head_deputy
from ttdk_xl.pipeline.stages import load

# What a year leaves in the next years' `lich_su/<year>/` (the book: that year's head and deputy, for the history).
ARCHIVED = ("ket_qua.json", "tong_hop.xlsx", BOOK_NAME)


@dataclass(frozen=True)
class NextYear:
    root: Path
    year: int
    head: str
    deputy: str
    how: str  # how the head and deputy were chosen, in Vietnamese
    archived: tuple[Path, ...]
    notes: tuple[str, ...] = ()


def next_year_name(name: str, year: int) -> str:
    """Next year's folder name: the year in the name moved on ('cum2-2025' → 'cum2-2026'), else name-YYYY."""
    if str(year) in name:
        return name.replace(str(year), str(year + 1))
    return f"{name}-{year + 1}"


def make_next_year(root: str | Path, out: str | Path | None = None, howto: str = "") -> NextYear:
    """Make next year's folder beside `root` (or at `out`); never over a folder that already has a book."""
    year = YearFolder(Path(root))
    book = load(year.book)
    target = YearFolder(Path(out) if out is not None else year.root.parent / next_year_name(year.root.name, book.year))
    if target.book.exists():
        raise TtdkError(
            f"Thư mục năm sau '{target.root}' đã có bộ tiêu chí; không ghi đè. Cách sửa: mở thư mục đó để làm tiếp, "
            "hoặc ghi tên thư mục khác bằng -o."
        )
    head, deputy, how = _leaders(year, book)
    notes: list[str] = []
    target.inbox.mkdir(parents=True, exist_ok=True)
    target.state.mkdir(exist_ok=True)
    _write_book(year.book, target.book, book, head, deputy)
    if howto:
        (target.root / HOWTO_NAME).write_text(howto, encoding="utf-8-sig")
    archived = _archive(year, target, book.year, notes)
    return NextYear(target.root, book.year + 1, head, deputy, how, tuple(archived), tuple(notes))


def _leaders(year: YearFolder, book: Book) -> tuple[str, str, str]:
    """(head, deputy, how): the conference's election when counted without blocking problems, else rotation."""
    for path in (year.tally, year.ballots / year.tally.name):
        if not path.is_file():
            continue
        from ttdk_xl.outputs.ballots import tally

        try:
            counted = tally(path)
        except TtdkError:
            continue
        if any(f.severity is Severity.ERROR for f in counted.findings):
            continue
        chosen = {c.vote.key: c.chosen for c in counted.counts}
        head, deputy = chosen.get("cum_truong", ()), chosen.get("cum_pho", ())
        if head and deputy:
            return head[0].name, deputy[0].name, f"theo kết quả bầu tại Hội nghị ({path.name})"
    if year.history.is_dir():  # earlier years: the book's rule over them (e.g. the unit that waited longest)
        head_unit, deputy_unit, reason = propose_head_deputy(book, load_history(year, book))
        if head_unit is not None and deputy_unit is not None:
            return head_unit.name, deputy_unit.name, f"chưa bầu; {reason}"
    names = [u.name for u in book.units]
    if not names:
        return book.head_unit, book.deputy_unit, "giữ như năm nay (bộ tiêu chí chưa có đơn vị)"
    key = header_key(book.deputy_unit)
    at = next((i for i, n in enumerate(names) if header_key(n) == key), None)
    if at is None:
        return names[0], names[1 % len(names)], "chưa bầu; lấy hai đơn vị đầu danh sách (sửa nếu khác)"
    after = names[(at + 1) % len(names)]
    return names[at], after, "chưa bầu; luân phiên: Cụm phó năm nay làm Cụm trưởng, đơn vị kế tiếp làm Cụm phó"


def _write_book(src: Path, dst: Path, book: Book, head: str, deputy: str) -> None:
    """This year's book with `Thông tin` moved on a year: the year, the deadline and conference date (a year
    later), the head and deputy. Everything else — criteria, units, levels, awards, formatting — as it was."""
    import openpyxl  # reads and writes back a person's workbook keeping what we do not touch

    wb = openpyxl.load_workbook(src)
    ws = next((wb[n] for n in wb.sheetnames if header_key(n) == header_key("Thông tin")), None)
    if ws is None:
        raise TtdkError("Bộ tiêu chí không có trang 'Thông tin'. Cách sửa: dùng bộ tiêu chí do ttdk-xl tạo.")
    new: dict[str, Any] = {
        header_key("Năm"): book.year + 1,
        header_key("Đơn vị trưởng cụm"): head,
        header_key("Đơn vị phó cụm"): deputy,
    }
    for row in ws.iter_rows():
        cells = [c for c in row if c.value not in (None, "")]
        if len(cells) < 1:
            continue
        key = header_key(cells[0].value)
        value_cell = ws.cell(cells[0].row, cells[0].column + 1)
        if key in new:
            value_cell.value = new[key]
        elif key in (header_key("Hạn nộp"), header_key("Ngày hội nghị")):
            value_cell.value = _a_year_later(value_cell.value)
        elif isinstance(value_cell.value, str) and str(book.year) in value_cell.value and "năm" in value_cell.value:
            # e.g. 'Tên cụm' never holds a year, but a title such as 'Bộ tiêu chí năm 2025' does
            value_cell.value = value_cell.value.replace(str(book.year), str(book.year + 1))
    tmp = dst.with_name(f".{dst.name}.tmp")
    wb.save(tmp)
    tmp.replace(dst)


def _a_year_later(value: Any) -> Any:
    if isinstance(value, date):
        try:
            return value.replace(year=value.year + 1)
        except ValueError:  # 29/02
            return value.replace(year=value.year + 1, day=28)
    text = nfc(value)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    return f"{m.group(1)}/{m.group(2)}/{int(m.group(3)) + 1}" if m else value


def _archive(year: YearFolder, target: YearFolder, this_year: int, notes: list[str]) -> list[Path]:
    """This year's results into the new folder's `lich_su/<year>/`, with the earlier years kept in this one."""
    archived: list[Path] = []
    if year.history.is_dir():
        shutil.copytree(year.history, target.history, dirs_exist_ok=True)
    folder = target.history / str(this_year)
    for name in ARCHIVED:
        src = year.book if name == BOOK_NAME else year.results / name
        if src.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            archived.append(Path(shutil.copy2(src, folder / name)))
    if not any(p.name != BOOK_NAME for p in archived):
        notes.append(
            f"Chưa có kết quả năm {this_year} (ket_qua/ket_qua.json) để lưu vào {HISTORY_DIR}/: chạy ttdk-xl "
            "consolidate trong thư mục năm nay rồi chép ket_qua/ket_qua.json, tong_hop.xlsx vào "
            f"{target.history.name}/{this_year}/ của thư mục năm sau."
        )
    return archived
