"""The only module that opens returned workbooks: files → raw submissions (values as typed, with cells).

python-calamine reads the values (fast, .xlsx/.xlsm/.xls/.ods); for .xlsx/.xlsm a small look at the
sheet XML finds what calamine hides: Excel error values, formulas without a cached value, and
whether the sheet is still protected. Nothing here judges scores; that is checks.py.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ttdk_xl.core import isolated
from ttdk_xl.core.failures import damaged, must_propagate, read_failure
from ttdk_xl.core.layout import (
    DELEGATE_SHEET,
    H_CODE,
    H_EXPLAIN,
    H_MAX,
    H_SCORE,
    H_TEXT,
    META_SHEET,
    SCORE_SHEET,
    SUM_TOTAL,
    UNIT_LABEL,
    cell_name,
)
from ttdk_xl.core.models import Delegate, Finding, Severity
from ttdk_xl.core.text import code_text, header_key, nfc
from ttdk_xl.core.zipparts import ZipfileParts, ZipParts, open_parts

SPREADSHEET_EXTS = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
ZIP_EXTS = {".xlsx", ".xlsm", ".ods", ".xlsb"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a self-scoring workbook is ~20 KB; 20 MB leaves room for photos
MAX_UNZIPPED_RATIO = 100  # zip bombs expand far beyond this
MAX_UNZIPPED_FACTOR = 5  # unpacked size allowed per byte of the --max-mb limit


class RawRow(NamedTuple):  # a tuple: thousands of files × dozens of rows are built fast
    """One criterion row as found in the unit's sheet (values untouched)."""

    row: int  # 0-based sheet row
    code: str
    text: str
    max_value: object
    score: object
    explanation: object


@dataclass(frozen=True)
class FileInfo:
    file: str  # path relative to the inbox, '/'-separated, NFC
    sha256: str
    size: int
    modified: str  # file system time, ISO
    edited_at: str = ""  # document's own last-saved time (docProps), ISO, when known
    sender: str = ""  # for an email attachment: the email's sender address
    sent_at: str = ""  # … and the email's date, ISO


@dataclass(frozen=True)
class RawSubmission:
    info: FileInfo
    meta: dict[str, str]
    sheet: str
    columns: dict[str, int]  # header text → 0-based column
    header_row: int  # 0-based
    rows: tuple[RawRow, ...]
    unit_name: str  # from the title block ("Đơn vị:")
    stated_total: object = None
    total_cell: str = ""
    cell_flags: dict[str, str] = field(default_factory=dict)  # cell → '#REF!' or 'formula-no-value'
    protected: bool | None = None  # None when unknown (not .xlsx)
    delegate_rows: list[list[Any]] | None = None  # rows of `Đăng ký đại biểu` from A1 (rules.delegates); None: no sheet
    delegate_sheet: str = ""
    # (unit code, delegates, findings) when the sheet was already parsed for that unit (worker processes
    # do it, so that thousands of sheets are not parsed one by one afterwards)
    delegates_parsed: tuple[str, tuple[Delegate, ...], tuple[Finding, ...]] | None = None


@dataclass(frozen=True)
class ReadOutcome:
    """What reading one file gave: a submission (None if unusable) and file-level findings."""

    info: FileInfo
    raw: RawSubmission | None
    findings: tuple[Finding, ...]
    ignored: bool = False  # not a submission at all (lock file, attachment)


@lru_cache(maxsize=8192)  # criterion texts recur in every file of a template
def _text(value: object) -> str:
    return nfc(value)


def file_info(path: Path, inbox: Path | None) -> FileInfo:
    return _load(path, inbox)[0]


def _load(path: Path, inbox: Path | None) -> tuple[FileInfo, bytes]:
    """The file's identity and its bytes: read once, so what is hashed is what is read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        stat = os.fstat(fd)
        chunks = [os.read(fd, stat.st_size + 1)]
        while chunks[-1]:  # a file that grew while being read, or a short read
            chunks.append(os.read(fd, 1 << 20))
    finally:
        os.close(fd)
    data = b"".join(chunks)
    modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC).isoformat(timespec="seconds")
    return FileInfo(relative_name(path, inbox), hashlib.sha256(data).hexdigest(), len(data), modified), data


def relative_name(path: Path, inbox: Path | None) -> str:
    """The path relative to the inbox, '/'-separated, NFC (by string for the common case: thousands of files)."""
    if inbox is None:
        return nfc(path.name)
    text, base = str(path), str(inbox)
    if text.startswith(base) and text[len(base) : len(base) + 1] == os.sep:
        return nfc(text[len(base) + 1 :].replace(os.sep, "/"))
    return nfc(path.relative_to(inbox).as_posix())


def read_file(path: Path, inbox: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadOutcome:
    """Read one file of the inbox. Never raises for a bad file: problems become findings."""
    try:
        info, data = _load(path, inbox)
    except OSError as exc:
        rel = nfc(path.relative_to(inbox).as_posix() if inbox else path.name)
        finding = Finding(
            "file-unreadable",
            Severity.ERROR,
            rel,
            f"Không mở được tệp ({exc.strerror or type(exc).__name__}).",
            "Kiểm tra quyền đọc tệp hoặc chép tệp ra thư mục khác rồi chạy lại.",
        )
        return ReadOutcome(FileInfo(rel, "", 0, ""), None, (finding,))
    name = info.file.rsplit("/", 1)[-1]
    ext = path.suffix.lower()

    def fail(code: str, message: str, fix: str, severity: Severity = Severity.ERROR, ignored: bool = False):
        return ReadOutcome(info, None, (Finding(code, severity, info.file, message, fix),), ignored)

    if name.startswith("~$") or name.startswith(".~lock"):
        return fail(
            "lock-file",
            "Tệp khóa tạm của Excel/LibreOffice (tạo ra khi đang mở tệp), không phải bài nộp.",
            "Không cần làm gì; có thể xóa tệp này.",
            Severity.INFO,
            ignored=True,
        )
    if ext not in SPREADSHEET_EXTS:
        return fail(
            "not-spreadsheet",
            "Tệp không phải bảng tính Excel nên được bỏ qua.",
            "Nếu đây là bài nộp, đề nghị đơn vị gửi lại tệp Excel (.xlsx).",
            Severity.INFO,
            ignored=True,
        )
    if info.size == 0:
        return fail("file-empty", "Tệp rỗng (0 byte).", "Đề nghị đơn vị gửi lại tệp.")
    if info.size > max_bytes:
        return fail(
            "file-too-large",
            f"Tệp quá lớn ({info.size:,} byte, giới hạn {max_bytes:,} byte), không đọc để tránh treo máy.",
            "Đề nghị đơn vị gửi lại bảng tự chấm gốc; nếu tệp đúng là hợp lệ, chạy lại với --max-mb lớn hơn.",
        )
    head = data[:8]
    edited_at = ""
    zf: ZipParts | ZipfileParts | None = None  # the parts, for the look at the sheet XML
    if ext in ZIP_EXTS:
        if head.startswith(OLE_MAGIC):
            return fail(
                "file-password",
                "Tệp được đặt mật khẩu mở (mã hóa) nên không đọc được.",
                "Đề nghị đơn vị gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại.",
            )
        if not head.startswith(b"PK"):
            return fail(
                "file-corrupt",
                f"Tệp có đuôi {ext} nhưng không phải bảng tính (có thể là tệp khác bị đổi tên hoặc bị hỏng).",
                "Đề nghị đơn vị mở lại bảng tự chấm bằng Excel, lưu dạng .xlsx rồi gửi lại.",
            )
        try:
            zf = open_parts(data)
            names = set(zf.names())
            unzipped = zf.unpacked_size()
            problem = None
            # Refuse before unpacking: a zip bomb or a sheet with a million filled rows.
            if unzipped > max_bytes * MAX_UNZIPPED_FACTOR or unzipped > max(max_bytes, info.size * MAX_UNZIPPED_RATIO):
                problem = (
                    "file-too-large",
                    f"Tệp giải nén ra quá lớn ({unzipped:,} byte) — có thể là tệp độc hại hoặc có quá nhiều dòng.",
                    "Đề nghị đơn vị gửi lại bảng tự chấm gốc, không thêm dữ liệu ngoài bảng.",
                )
            elif other := _other_office_kind(names, ext):
                problem = (
                    "file-corrupt",
                    f"Tệp có đuôi {ext} nhưng thực ra là {other} bị đổi tên, không phải bảng tự chấm điểm.",
                    "Đề nghị đơn vị gửi đúng tệp bảng tự chấm điểm (.xlsx) đã điền.",
                )
            elif _declares_entities(zf):
                problem = (
                    "xml-entities",
                    "Tệp chứa khai báo thực thể XML (DOCTYPE/ENTITY) — Excel không tạo ra những khai báo này; "
                    "tệp có thể độc hại nên không được đọc.",
                    "Đề nghị đơn vị mở bảng tự chấm gốc bằng Excel, lưu lại rồi gửi lại.",
                )
            elif far := _far_cell(zf):
                problem = _too_far(f"quá xa bảng ({far})")
            if problem:
                return fail(*problem)
            edited_at = _edited_at(zf)
        except BaseException as exc:  # any damage to the zip or its XML: a finding for this file
            return ReadOutcome(info, None, (read_failure(info.file, exc),))
    elif not head.startswith(OLE_MAGIC):
        return fail(
            "file-corrupt",
            "Tệp có đuôi .xls nhưng không phải bảng tính Excel (có thể là tệp khác bị đổi tên hoặc bị hỏng).",
            "Đề nghị đơn vị mở lại bảng tự chấm bằng Excel, lưu dạng .xlsx rồi gửi lại.",
        )
    info = FileInfo(info.file, info.sha256, info.size, info.modified, edited_at)
    if ext in ISOLATED_EXTS:
        try:
            return isolated.call(_read_or_finding, data, info, ext, timeout=ISOLATED_SECONDS)
        except isolated.ChildDied as exc:  # the reader ended its process on this file
            return ReadOutcome(info, None, (damaged(info.file, str(exc)),))
    return _read_or_finding(data, info, ext, zf)


ISOLATED_EXTS = {".xls", ".ods", ".xlsb"}  # read in a child process (ttdk_xl.core.isolated)
ISOLATED_SECONDS = 20  # a legacy workbook reads in well under a second, also in a fresh interpreter


def _read_or_finding(data: bytes, info: FileInfo, ext: str, zf: ZipParts | ZipfileParts | None = None) -> ReadOutcome:
    """_read_workbook, with whatever it raises turned into a finding for the file."""
    try:
        return _read_workbook(data, info, ext, zf)
    except BaseException as exc:  # calamine raises many types (even a Rust panic) for broken files
        if must_propagate(exc):
            raise
        text = str(exc).lower()
        code, message, fix = "", "", ""
        if "password" in text or "encrypt" in text:
            code, message, fix = (
                "file-password",
                "Tệp được đặt mật khẩu nên không đọc được.",
                "Đề nghị đơn vị gỡ mật khẩu rồi gửi lại.",
            )
        elif "cell limit" in text:  # calamine's own bound (.ods)
            code, message, fix = _too_far("rất xa bảng")
        if code:
            return ReadOutcome(info, None, (Finding(code, Severity.ERROR, info.file, message, fix),))
        return ReadOutcome(info, None, (read_failure(info.file, exc),))


def _other_office_kind(names: set[str], ext: str) -> str:
    """What a zip really is when it is not the spreadsheet its extension says ('' when it is)."""
    if ext == ".ods":
        return "" if "content.xml" in names else "một tệp khác"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return ""
    if "word/document.xml" in names:
        return "tệp Word (.docx)"
    if "ppt/presentation.xml" in names:
        return "tệp PowerPoint (.pptx)"
    if "content.xml" in names:
        return "tệp OpenDocument khác"
    return "một tệp nén khác"


def _declares_entities(zf: ZipParts | ZipfileParts) -> bool:
    """True when an XML part declares a DTD or entities (never made by office suites; billion-laughs risk).

    Only the prolog (before the root element) can hold a DTD, so only the first bytes of each part are
    inflated; a prolog longer than any office suite writes is refused too."""
    for name in zf.names():
        if name.endswith(_XML_PARTS):
            key = zf.stored_key(name)
            known = _SAFE_PARTS.get(key) if key is not None else None
            if known is not None and zf.stored_equals(name, known):  # the same stored bytes as a safe part
                continue
            for size in (_PROLOG_LOOK, _PROLOG_MAX):
                head = zf.head(name, size)
                root = _ROOT_TAG.search(head)
                if root is not None or len(head) < size:
                    break
            else:
                return True
            prolog = head[: root.start()] if root else head
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                return True
            if key is not None and key[3] <= _SAFE_PART_BYTES and len(_SAFE_PARTS) < _SAFE_PARTS_MAX:
                raw = zf.raw(name)
                if raw is not None:
                    _SAFE_PARTS[key] = raw[1:]  # without the method byte, which is in the key
    return False


# Stored bytes of parts already found free of a DTD, by (method, CRC, size, stored size); a hit is then
# compared byte for byte. Files issued from one template share most parts (styles, theme, guide…): the
# first files' parts fill it, then it stops growing.
_SAFE_PARTS: dict[tuple[int, int, int, int], bytes] = {}
_SAFE_PARTS_MAX = 512
_SAFE_PART_BYTES = 32_768  # stored; bounds the memory to 16 MB
_XML_PARTS = (".xml", ".rels", ".vml")


_PROLOG_LOOK = 512  # an office suite's prolog is the XML declaration, maybe a comment
_PROLOG_MAX = 65536
_ROOT_TAG = re.compile(rb"<[A-Za-z_]")


def _too_far(where: str) -> tuple[str, str, str]:
    """The finding (code, message, fix) for a sheet with data too far from its table."""
    return (
        "sheet-too-large",
        f"Tệp có dữ liệu ở ô {where} nên không đọc để tránh treo máy.",
        "Đề nghị đơn vị xóa dữ liệu thừa ngoài bảng (bấm Ctrl+End để tìm ô cuối cùng), lưu lại rồi gửi lại tệp.",
    )


def _far_cell(zf: ZipParts | ZipfileParts) -> str:
    """Where a worksheet's data reaches when its table would be too large to read ('' when none is).

    python-calamine makes a sheet one dense table from its first to its last filled cell, and a table
    too large for memory ends the whole process (a Rust abort, which no exception handler sees): one
    value typed in XFD1048576 is enough. So the extent is bounded here, before calamine opens a sheet.
    Nearly every sheet is settled by two quick searches: no cell beyond column Z or row 9,999 and every
    cell and row placed by its `r` attribute bound it to 26 × 9,999 cells."""
    for name in zf.names():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        key = zf.stored_key(name)
        known = _SMALL_SHEETS.get(key) if key is not None else None
        if known is not None and zf.stored_equals(name, known):  # the same stored bytes as a checked sheet
            continue
        xml = zf.head(name, 1 << 62)  # the whole part; calamine checks its CRC when it reads it
        if _FAR_REF.search(xml) is None and _UNPLACED.search(xml) is None:
            if key is not None and key[3] <= _SAFE_PART_BYTES and len(_SMALL_SHEETS) < _SAFE_PARTS_MAX:
                raw = zf.raw(name)
                if raw is not None:
                    _SMALL_SHEETS[key] = raw[1:]
            continue
        rows, cols, far = _extent(xml)
        if rows * cols > MAX_SHEET_CELLS:
            return far
    return ""


# Stored bytes of sheets already found small, as _SAFE_PARTS: files issued from one template share some
# sheets byte for byte (the guide; the delegate sheet while it is empty).
_SMALL_SHEETS: dict[tuple[int, int, int, int], bytes] = {}


def _extent(xml: bytes) -> tuple[int, int, str]:
    """(rows, columns) a sheet's filled cells may span, and where they reach, in words."""
    cells = _FILLED_CELL.findall(xml)  # cells with content: calamine leaves out empty ones
    rows = [int(digits) for _letters, digits in cells if digits]
    cols = [column_number(letters.decode("ascii")) for letters, _digits in cells if letters]
    row_span = max(rows) - min(rows) + 1 if rows else 1
    col_span = max(cols) - min(cols) + 1 if cols else 1
    if _UNPLACED.search(xml):  # cells or rows placed by their order: each may add one
        row_span += xml.count(b"<row")
        col_span += xml.count(b"<c")
    last_row = f"{max(rows, default=row_span):,}".replace(",", ".")  # Vietnamese digit grouping
    last_col = max((letters for letters, _ in cells), key=lambda c: (len(c), c), default=b"A").decode("ascii")
    return row_span, col_span, f"đến cột {last_col or 'A'}, hàng {last_row}"


MAX_SHEET_CELLS = 300_000  # a score sheet has a few thousand; more would take seconds to read
_FAR_REF = re.compile(rb'r="(?:[A-Z]{2}|[A-Z]*[0-9]{5})')  # a cell beyond column Z or a row beyond 9,999
_UNPLACED = re.compile(rb'<(?:c|row)(?:>|\s(?!r="))')  # a cell or row without `r` first
_FILLED_CELL = re.compile(rb'<c\b[^>]*?\sr="([A-Z]*)([0-9]*)"[^>]*(?<!/)>')


def column_number(letters: str) -> int:
    """'A' → 1, 'Z' → 26, 'AA' → 27, 'XFD' → 16384 ('' → 0)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _edited_at(zf: ZipParts | ZipfileParts) -> str:
    try:
        core = zf.head("docProps/core.xml", 20000)
    except KeyError:
        return ""
    m = _MODIFIED.search(core)
    return m.group(1).decode("utf-8", "replace").strip() if m else ""


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def _read_workbook(data: bytes, info: FileInfo, ext: str, zf: ZipParts | ZipfileParts | None = None) -> ReadOutcome:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    names = list(wb.sheet_names)
    findings: list[Finding] = []
    meta: dict[str, str] = {}
    if META_SHEET in names:
        for row in wb.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
            if len(row) >= 2 and nfc(row[0]):
                meta[nfc(row[0])] = code_text(row[1])

    # The score sheet: by its contract name, else the first sheet holding the score table.
    order = [n for n in names if n == meta.get("sheet", SCORE_SHEET)] + [n for n in names if n != META_SHEET]
    for sheet in dict.fromkeys(order):
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        header = _find_header(rows)
        if header is not None:
            break
    else:
        findings.append(
            Finding(
                "not-ttdk-workbook",
                Severity.ERROR,
                info.file,
                f"Không tìm thấy bảng tự chấm điểm (trang '{SCORE_SHEET}' với cột '{H_CODE}' và '{H_SCORE}') "
                f"trong tệp; các trang có: {', '.join(names)}.",
                "Đề nghị đơn vị dùng đúng mẫu bảng tự chấm điểm của Cụm đã gửi, điền và gửi lại.",
            )
        )
        return ReadOutcome(info, None, tuple(findings))

    header_row, columns = header
    c_code, c_text, c_max, c_score, c_expl = (columns.get(h, -1) for h in (H_CODE, H_TEXT, H_MAX, H_SCORE, H_EXPLAIN))
    label_col = c_text if c_text >= 0 else 1
    out: list[RawRow] = []
    stated_total, total_cell = None, ""
    total_key = header_key(SUM_TOTAL)
    for i in range(header_row + 1, len(rows)):
        r = rows[i]
        n = len(r)
        label = r[label_col] if label_col < n else ""
        if label != "" and header_key(label).startswith(total_key):
            stated_total = r[c_score] if c_score < n else ""
            total_cell = cell_name(i, c_score)
            break
        code = code_text(r[c_code]) if 0 <= c_code < n else ""
        if not code:
            continue
        text = r[c_text] if 0 <= c_text < n else ""
        out.append(
            RawRow(
                i,
                code,
                _text(text) if type(text) is str else nfc(text),
                r[c_max] if 0 <= c_max < n else "",
                r[c_score] if c_score < n else "",
                r[c_expl] if 0 <= c_expl < n else "",
            )
        )

    unit_name = ""
    label_key = header_key(UNIT_LABEL)
    for r in rows[:header_row]:
        for j, v in enumerate(r[:-1]):
            if header_key(v) == label_key:
                unit_name = nfc(r[j + 1])
                break

    flags: dict[str, str] = {}
    protected = None
    if ext in (".xlsx", ".xlsm"):
        # calamine reads an error value or a formula without a cached value as an empty cell: only the
        # score cells that read empty are worth a look in the XML (flags are only asked of score cells).
        blank = [cell_name(r.row, c_score) for r in out if r.score == "" or r.score is None]
        flags, protected = _inspect_sheet_xml(data, sheet, zf, blank)
    delegate_sheet = next((n for n in names if header_key(n) == _DELEGATE_KEY), "")
    delegate_rows = wb.get_sheet_by_name(delegate_sheet).to_python(skip_empty_area=False) if delegate_sheet else None
    raw = RawSubmission(
        info,
        meta,
        sheet,
        columns,
        header_row,
        tuple(out),
        unit_name,
        stated_total,
        total_cell,
        flags,
        protected,
        delegate_rows,
        delegate_sheet,
    )
    return ReadOutcome(info, raw, tuple(findings))


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]] | None:
    wanted = _HEADERS
    for i, row in enumerate(rows[:60]):
        # Headers are text: numbers and empty cells are passed over without building their key.
        cols = {wanted[k]: j for j, v in enumerate(row) if v.__class__ is str and v and (k := header_key(v)) in wanted}
        if H_CODE in cols and H_SCORE in cols:
            return i, cols
    return None


_DELEGATE_KEY = header_key(DELEGATE_SHEET)
_HEADERS = {header_key(h): h for h in (H_CODE, H_TEXT, H_MAX, H_SCORE, H_EXPLAIN)}


_CELL_RE = re.compile(rb"<c\s([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ATTR_T = re.compile(rb'\bt="([a-z]+)"')
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)
_SHARED_F_VALUE = re.compile(rb"<f [^>]*/><v>[^<]")  # a shared formula's follower cell with a value


def _inspect_sheet_xml(
    data: bytes, sheet: str, zf: ZipParts | ZipfileParts | None = None, cells: list[str] | None = None
) -> tuple[dict[str, str], bool | None]:
    """Error values and formulas without a cached value (of `cells` when given, in sheet order; else of
    every cell), and whether the sheet is protected."""
    try:
        zf = zf or open_parts(data)
        target = _sheet_part(zf, sheet)
        if target is None:
            return {}, None
        xml = zf.read(target)
    except (KeyError, zipfile.BadZipFile):
        return {}, None
    flags = _cell_flags(xml) if cells is None else _flags_of(xml, cells)
    return flags, b"<sheetProtection" in xml


def _flags_of(xml: bytes, cells: list[str]) -> dict[str, str]:
    """`_cell_flags` for a few cells (in sheet order), found directly by their `<c r="…"` opening.

    Office suites and xlsxwriter write `r` first; a cell not found that way (another writer, or a cell
    that is not in the file at all) sends the whole sheet through `_cell_flags`."""
    flags: dict[str, str] = {}
    pos = 0
    for ref in cells:
        start = xml.find(b'<c r="' + ref.encode() + b'"', pos)
        close = xml.find(b">", start) if start >= 0 else -1
        if close < 0:
            wanted = set(cells)
            return {k: v for k, v in _cell_flags(xml).items() if k in wanted}
        pos = close
        if xml[close - 1 : close] == b"/":  # <c …/>: no value, no formula
            continue
        end = xml.find(b"</c>", close)
        cell = xml[start : end + 4] if end >= 0 else xml[start:]
        flags.update(_cell_flags(b"<sheetData>" + cell + b"</sheetData>"))
    return flags


def _cell_flags(xml: bytes) -> dict[str, str]:
    """Cells holding an Excel error value, or a formula without a cached value, of one sheet's XML."""
    if b't="e"' not in xml:
        # Fast path (nearly every file): no error value, and every formula is directly followed by a
        # non-empty cached value. Then the full scan below would find nothing.
        formulas = xml.count(b"<f>") + xml.count(b"<f ")
        with_value = xml.count(b"</f><v>") - xml.count(b"</f><v></v>") + len(_SHARED_F_VALUE.findall(xml))
        if formulas == with_value:
            return {}
    flags: dict[str, str] = {}
    for m in _CELL_RE.finditer(xml):
        attrs, body = m.group(1), m.group(2) or b""
        has_f = b"<f" in body
        if not has_f and b'"e"' not in attrs:  # fast path: neither a formula nor an error value
            continue
        ref = _ATTR_R.search(attrs)
        if not ref:
            continue
        t = _ATTR_T.search(attrs)
        v = _VALUE.search(body)
        if t and t.group(1) == b"e":
            flags[ref.group(1).decode()] = v.group(1).decode("utf-8", "replace") if v else "#N/A"
        elif has_f and (not v or v.group(1) == b""):
            flags[ref.group(1).decode()] = "formula-no-value"
    return flags


def _sheet_part(zf: ZipParts | ZipfileParts, sheet: str) -> str | None:
    wb, rels = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    # Files made from one template share these two parts byte for byte: known by their CRC and size,
    # they need not be inflated again.
    key = (zf.crc(wb), zf.crc(rels), sheet)
    if key not in _TARGETS:
        if len(_TARGETS) > 256:
            _TARGETS.clear()
        _TARGETS[key] = _sheet_target(zf.read(wb), zf.read(rels), sheet)
    return _TARGETS[key]


_TARGETS: dict[tuple, str | None] = {}


@lru_cache(maxsize=64)  # files made from one template share these two parts byte for byte
def _sheet_target(wb_xml: bytes, rels_xml: bytes, sheet: str) -> str | None:
    import html

    wb = wb_xml.decode("utf-8", "replace")
    rels = rels_xml.decode("utf-8", "replace")

    for m in re.finditer(r"<sheet\b[^>]*>", wb):
        tag = m.group(0)
        name = re.search(r'name="([^"]*)"', tag)
        rid = re.search(r'r:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if name and rid and nfc(html.unescape(name.group(1))) == nfc(sheet):
            rel = re.search(rf'<Relationship\b[^>]*Id="{re.escape(rid.group(1))}"[^>]*>', rels)
            if not rel:
                return None
            found = re.search(r'Target="([^"]*)"', rel.group(0))
            if not found:  # a relationship without a target: calamine has read the sheet some other way
                return None
            target = found.group(1).lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    return None
