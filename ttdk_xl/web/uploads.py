"""What an upload may become: a file of the inbox, named safely, checked by the inbox reader before it is kept.

A file is kept only when the inbox reader gets a self-scoring table out of it (a workbook, or a saved email
with one attached): the reader's own checks refuse zip bombs, encrypted and damaged files, XML entities and
non-spreadsheets before anything is unpacked. Macros are refused here as well (a returned form has none).
A name already in the inbox is never replaced: the new file is kept beside it ("tên (2).xlsx").
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from ttdk_xl.core.models import Book, Finding, Severity
from ttdk_xl.core.text import safe_filename
from ttdk_xl.inbox.files import read_path
from ttdk_xl.inbox.mail import EMAIL_EXTS, EMAIL_SIZE_FACTOR
from ttdk_xl.inbox.read import DEFAULT_MAX_BYTES, OLE_MAGIC
from ttdk_xl.rules.checks import identify_unit

ALLOWED_EXTS = (".xlsx", ".xls", ".ods", ".eml", ".msg")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.IGNORECASE)  # Windows device names
_VBA_OLE = "_VBA_PROJECT".encode("utf-16-le")  # the macro storage of a legacy .xls


@dataclass(frozen=True)
class Upload:
    """The fate of one uploaded file."""

    given: str  # the name the browser sent (shown escaped)
    kept: str = ""  # the name in the inbox ('' = refused, nothing written)
    unit_code: str = ""
    unit_name: str = ""
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def refused(self) -> bool:
        return not self.kept

    @property
    def errors(self) -> int:
        return sum(f.blocking for f in self.findings)


def clean_name(given: str) -> str:
    """A safe file name for the inbox, or '' when the name is refused.

    A browser sends a file's own name: one with a path in it (either slash, `..`), a NUL or another control
    character is refused. Windows' forbidden characters become '_', a device name (CON, NUL, COM1…) gets a
    '_' in front, and the extension must be one of ALLOWED_EXTS."""
    name = unicodedata.normalize("NFC", given or "")
    if not name or "/" in name or "\\" in name or any(ord(ch) < 32 for ch in name) or name.strip(" .") == "":
        return ""
    name = safe_filename(name)
    stem, dot, ext = name.rpartition(".")
    if not dot or f".{ext.lower()}" not in ALLOWED_EXTS or not stem.strip(" ."):
        return ""
    if _RESERVED.match(stem.split(".")[0].strip()):
        stem = "_" + stem
    return f"{stem}.{ext.lower()}"


def free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem (2).ext`… when taken: an earlier file is never replaced."""
    path = folder / name
    stem, ext = path.stem, path.suffix
    n = 2
    while path.exists():
        path = folder / f"{stem} ({n}){ext}"
        n += 1
    return path


def _refused(given: str, code: str, message: str, fix: str) -> Upload:
    return Upload(given, findings=(Finding(code, Severity.ERROR, given, message, fix),))


def _has_macros(data: bytes, ext: str) -> bool:
    if data.startswith(OLE_MAGIC):
        return _VBA_OLE in data
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            return any(n.lower().endswith("vbaproject.bin") or n.startswith("Basic/") for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # the reader refuses a damaged zip with its own finding


def receive(given: str, data: bytes, inbox: Path, book: Book | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Upload:
    """Check one uploaded file and keep it in `inbox` when usable; never raises for a bad file."""
    name = clean_name(given)
    if not name:
        return _refused(
            given,
            "upload-not-allowed",
            "Tên tệp không hợp lệ, hoặc không phải bảng tự chấm (.xlsx, .xls, .ods) hay thư điện tử đã lưu (.eml, "
            ".msg); tệp không được nhận.",
            "Chọn đúng tệp bảng tự chấm mà đơn vị gửi về (đổi tên tệp nếu cần).",
        )
    ext = Path(name).suffix
    limit = max_bytes * (EMAIL_SIZE_FACTOR if ext in EMAIL_EXTS else 1)
    if len(data) > limit:
        return _refused(
            given,
            "file-too-large",
            f"Tệp quá lớn ({len(data):,} byte, giới hạn {limit:,} byte), không nhận để tránh treo máy.".replace(
                ",", "."
            ),
            "Đề nghị đơn vị gửi lại bảng tự chấm gốc.",
        )
    if ext not in EMAIL_EXTS and _has_macros(data, ext):
        return _refused(
            given,
            "file-macro",
            "Tệp có chứa macro (mã lệnh VBA); bảng tự chấm của Cụm không có macro nên tệp không được nhận.",
            "Đề nghị đơn vị dùng đúng mẫu bảng tự chấm (.xlsx) do Cụm gửi, điền và gửi lại.",
        )
    with tempfile.TemporaryDirectory(prefix="ttdk-nhan-") as tmp:
        staged = Path(tmp) / name
        staged.write_bytes(data)
        outcomes = read_path(staged, None, max_bytes)
        usable = [o for o in outcomes if o.raw is not None]
        if not usable:
            findings = tuple(f for o in outcomes for f in o.findings) or (
                Finding(
                    "not-ttdk-workbook",
                    Severity.ERROR,
                    name,
                    "Thư không kèm bảng tự chấm điểm nào.",
                    "Đề nghị đơn vị gửi lại thư có đính kèm bảng tự chấm (.xlsx).",
                ),
            )
            return Upload(given, findings=tuple(_blocking(f) for f in findings))
        unit_code = unit_name = ""
        if book is not None:
            unit, _ = identify_unit(usable[0].raw, book)  # type: ignore[arg-type]
            if unit is not None:
                unit_code, unit_name = unit.code, unit.name
        from ttdk_xl import check  # the same findings as `ttdk-xl check`

        findings = tuple(check(staged, book))
    inbox.mkdir(parents=True, exist_ok=True)
    target = free_name(inbox, name)
    with open(target, "xb") as f:  # exclusive: never over a file that appeared meanwhile
        f.write(data)
    findings = tuple(_renamed(f, name, target.name) for f in findings)
    return Upload(given, target.name, unit_code, unit_name, findings)


def _blocking(f: Finding) -> Finding:
    """A finding that made the file refused is shown as an error (the reader calls some of them notes)."""
    from dataclasses import replace

    return f if f.severity is Severity.ERROR else replace(f, severity=Severity.ERROR)


def _renamed(f: Finding, staged: str, kept: str) -> Finding:
    from dataclasses import replace

    return f if staged == kept or not f.file.startswith(staged) else replace(f, file=kept + f.file[len(staged) :])
