"""The year folder's agreed scores (`tham_dinh.xlsx`): a human input the tool creates once and then only updates.

- Reading: only what a person typed counts (rules.assessed.parse_sheet, typed_only): a cell still equal to the
  self-score shown beside it follows the unit's current self-score, so a late or re-sent file never meets a
  stale copy of its old self-scores.
- Keeping: after a consolidation the file is rewritten only when its contents would change (a unit or criterion
  added or gone, self-scores that changed). The old file is copied to `sao_luu/` first; typed values that have no
  place any more move to the `Không còn dùng` sheet. A file re-saved as .ods/.xls is read, never rewritten.
- For the page: `agreed_table` (what the sheet holds) and `save_agreed` (typed values from a form).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ttdk_xl.book.load import to_decimal
from ttdk_xl.core.atomic import OutputError, backup_copy, unguarded
from ttdk_xl.core.failures import must_propagate, read_failure
from ttdk_xl.core.layout import ASSESSED_SHEET
from ttdk_xl.core.models import Book, Criterion, Finding, Kind, Result, Severity
from ttdk_xl.core.text import header_key, nfc
from ttdk_xl.core.year_folder import BACKUP_DIR
from ttdk_xl.rules.agreed_keep import (
    STALE_SHEET,
    StaleValue,
    TypedCell,
    merge_stale,
    newly_stale,
    read_stale_sheet,
    sheet_cells,
)
from ttdk_xl.rules.assessed import AssessedError, Assessment, parse_sheet, sheet_units, unit_of_title
from ttdk_xl.rules.values import yes_no

RESAVED = (".ods", ".xls", ".xlsb", ".xlsm")  # what an office suite may have saved the file as


@dataclass(frozen=True)
class AgreedInput:
    """What the agreed-scores file holds now."""

    path: Path  # the file read: tham_dinh.xlsx, or a re-saved .ods/.xls of it
    assessment: Assessment | None  # the typed values; None when nothing is typed (self-scores count)
    cells: tuple[TypedCell, ...] = ()
    stale: tuple[StaleValue, ...] = ()
    findings: tuple[Finding, ...] = ()
    typed: int = 0  # cells typed that count

    @property
    def writable(self) -> bool:
        return self.path.suffix.lower() == ".xlsx"


def find_agreed(path: Path) -> Path | None:
    """`path`, or the file an office suite re-saved it as (tham_dinh.ods …), or None."""
    if path.is_file():
        return path
    return next((p for ext in RESAVED if (p := path.with_suffix(ext)).is_file()), None)


def read_agreed_input(path: str | Path, book: Book) -> AgreedInput | None:
    """The agreed-scores file at `path` (or its re-saved twin) read against the book; None when there is none.
    Never raises for the file's content: what is wrong is a finding naming the file and cell."""
    wanted = Path(path)
    found = find_agreed(wanted)
    if found is None:
        return None
    name = found.name
    findings: list[Finding] = []
    if found != wanted:
        findings.append(
            Finding(
                "agreed-resaved",
                Severity.WARNING,
                name,
                f"Điểm thẩm định được đọc từ '{name}' (tệp đã được lưu lại dạng {found.suffix}); ttdk-xl không "
                "cập nhật được tệp dạng này (đơn vị hoặc tiêu chí mới sẽ không có cột, dòng).",
                f"Mở '{name}', chọn Lưu thành (Save As) dạng Excel Workbook (.xlsx) với tên {wanted.name}, rồi xóa "
                f"tệp '{name}'.",
            )
        )
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(found))
        sheet = next((s for s in wb.sheet_names if header_key(s) == header_key(ASSESSED_SHEET)), None)
        stale_sheet = next((s for s in wb.sheet_names if header_key(s) == header_key(STALE_SHEET)), None)
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False) if sheet else None
        stale_rows = wb.get_sheet_by_name(stale_sheet).to_python(skip_empty_area=False) if stale_sheet else []
    except BaseException as exc:  # calamine raises many types for broken files; a file open in Excel reads fine
        if must_propagate(exc):
            raise
        f = read_failure(name, exc)
        findings.append(
            Finding(f.code, Severity.ERROR, name, f"Không đọc được tệp điểm thẩm định: {f.message}", _REDO_FIX)
        )
        return AgreedInput(found, None, findings=tuple(findings))
    if rows is None or sheet is None:
        findings.append(
            Finding(
                "agreed-no-sheet",
                Severity.ERROR,
                name,
                f"Tệp '{name}' không còn trang '{ASSESSED_SHEET}': chưa dùng được điểm thẩm định.",
                _REDO_FIX,
            )
        )
        return AgreedInput(found, None, findings=tuple(findings))
    try:
        a = parse_sheet(rows, book, name, sheet, typed_only=True)
    except AssessedError as exc:
        findings.append(Finding("agreed-no-header", Severity.ERROR, name, str(exc), _REDO_FIX, sheet))
        return AgreedInput(found, None, findings=tuple(findings))
    cells = tuple(sheet_cells(rows))
    typed = sum(len(v) for v in a.values.values())
    reasons = any(a.reasons.values())
    findings.extend(a.findings)
    return AgreedInput(
        found,
        a if typed or reasons or a.findings else None,
        cells,
        tuple(read_stale_sheet(stale_rows)),
        tuple(findings),
        typed,
    )


_REDO_FIX = (
    "Đóng tệp, mở lại bằng Excel để kiểm tra; nếu tệp hỏng, lấy bản gần nhất trong thư mục sao_luu/ (đổi tên "
    "thành tham_dinh.xlsx) rồi chạy lại. Điểm tự chấm được dùng cho tới khi đọc được tệp."
)


def keep_agreed_input(path: str | Path, result: Result, prior: AgreedInput | None) -> list[Finding]:
    """After a consolidation: create the agreed-scores file, or update it when what it shows would change.

    Returns notes for the run (created, updated and where the old one was copied, values moved to
    `Không còn dùng`), or a finding when the file cannot be written (open in Excel): the values were used."""
    from ttdk_xl.outputs.summary import write_agreed_workbook  # lazy: writers load only when writing

    path = Path(path)
    if prior is not None and not prior.writable:
        return []  # a re-saved .ods/.xls: read, never replaced (its finding says what to do)
    if prior is not None and prior.assessment is None and any(f.severity is Severity.ERROR for f in prior.findings):
        return []  # unreadable: keep it for a person to repair
    book = result.book
    units = sheet_units(result)
    kept = {u.unit.code for u in units}
    stale_old = list(prior.stale) if prior else []
    fresh = newly_stale(prior.cells, book, kept, lambda t: unit_of_title(book, t)) if prior else []
    stale = merge_stale(stale_old, fresh)
    if prior is not None and _shown(prior, book) == wanted_cells(result) and len(stale) == len(stale_old):
        return []
    backup = None
    try:
        if prior is not None:
            backup = backup_copy(path)
        with unguarded():  # backed up just above, whatever the hash says
            write_agreed_workbook(result, path, stale)
    except (OutputError, OSError) as exc:
        err = exc if isinstance(exc, OutputError) else OutputError(path, exc)
        return [Finding("agreed-not-updated", Severity.WARNING, path.name, err.message, err.fix)]
    if prior is None:
        return [
            Finding(
                "agreed-created",
                Severity.INFO,
                path.name,
                f"Đã tạo {path.name}: nhập điểm Hội nghị thẩm định vào đây (ô để nguyên = điểm tự chấm).",
                "",
            )
        ]
    moved = f" {len(fresh)} điểm đã nhập chuyển sang trang '{STALE_SHEET}'." if fresh else ""
    return [
        Finding(
            "agreed-updated",
            Severity.WARNING if fresh else Severity.INFO,
            path.name,
            f"Đã cập nhật {path.name} (đơn vị, tiêu chí hoặc điểm tự chấm thay đổi); mọi điểm đã nhập được giữ "
            f"nguyên; bản trước được lưu ở {BACKUP_DIR}/{backup.name if backup else ''}.{moved}",
            f"Xem trang '{STALE_SHEET}' của {path.name}." if fresh else "",
        )
    ]


def _value(c: Criterion, raw: object) -> object:
    """A cell as compared: a disqualifier as 1/0, a number as a Decimal, a blank as None, else the text."""
    if c.kind is Kind.DISQUALIFIER:
        return Decimal(1) if yes_no(raw) else Decimal(0)
    if not nfc(raw):
        return None
    number = to_decimal(raw)
    return number if number is not None else nfc(raw)


def _shown(prior: AgreedInput, book: Book) -> dict[tuple[str, str], tuple[object, object, str]]:
    leaves = {c.code: c for c in book.leaves}
    groups = {c.code for c in book.criteria if c.is_group}
    out: dict[tuple[str, str], tuple[object, object, str]] = {}
    for cell in prior.cells:
        if cell.code in groups:
            continue  # a subtotal (a formula): nothing to keep
        unit = unit_of_title(book, cell.unit)
        c = leaves.get(cell.code)
        if unit is None or c is None:
            out[(cell.unit, cell.code)] = (None, None, "")
            continue
        out[(unit, cell.code)] = (_value(c, cell.self_value), _value(c, cell.agreed), cell.reason)
    return out


def wanted_cells(result: Result) -> dict[tuple[str, str], tuple[object, object, str]]:
    out: dict[tuple[str, str], tuple[object, object, str]] = {}
    for u in sheet_units(result):
        own = u.self_scores if u.self_total is not None or u.self_scores else u.scores
        for c in result.book.leaves:
            self_v, agreed = own.get(c.code), u.scores.get(c.code)
            if c.kind is Kind.DISQUALIFIER:
                self_v, agreed = Decimal(1 if self_v == 1 else 0), Decimal(1 if agreed == 1 else 0)
            out[(u.unit.code, c.code)] = (self_v, agreed, u.agreed_reasons.get(c.code, ""))
    return out
