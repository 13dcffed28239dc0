"""Atomic output files: write to a temporary name in the same folder, then rename over the target.

An interrupted run therefore leaves the previous output intact, and a reader never sees half a file.
A file that cannot be written — on Windows, most often because it is open in Excel or Word, which
refuses the rename — is an OutputError with a Vietnamese message naming the file and what to do.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.year_folder import BACKUP_DIR, STATE_DIR, enclosing_year

RENAME_TRIES = 4  # an antivirus or a cloud-sync tool may hold a new file for a moment
RENAME_WAIT = 0.25  # seconds between tries


class OutputError(TtdkError):
    """An output file could not be written; the message says which and what to do."""

    def __init__(self, path: Path, exc: OSError):
        self.path = path
        name = path.name
        if isinstance(exc, PermissionError):
            self.message = (
                f"Không ghi được tệp '{name}': tệp đang được mở (trong Excel, Word…) hoặc thư mục không cho ghi."
            )
            self.fix = f"Đóng tệp {name} trong Excel/Word rồi chạy lại lệnh; tệp cũ vẫn giữ nguyên."
        else:
            self.message = f"Không ghi được tệp '{name}' ({exc.strerror or type(exc).__name__})."
            self.fix = f"Kiểm tra ổ đĩa còn chỗ trống và thư mục {path.parent} cho phép ghi, rồi chạy lại lệnh."
        super().__init__(f"{self.message} Cách sửa: {self.fix}")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, on any failure it is removed.

    The temporary file is created by whoever writes it (so it gets the usual permissions), under a
    hidden, unpredictable name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    guard = _GUARD.get()
    try:
        yield tmp
        if guard is not None:
            guard.keep_if_edited(path)
        _replace(tmp, path)
        if guard is not None:
            guard.record(path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(path, exc) from exc
        raise


class OutputsNotWritten(TtdkError):
    """Some outputs of a run could not be written (the others were): one line for each."""

    def __init__(self, errors: list[OutputError]):
        self.errors = errors
        self.paths = [e.path for e in errors]
        super().__init__("\n".join(str(e) for e in errors))


def _replace(tmp: Path, path: Path) -> None:
    for attempt in range(RENAME_TRIES):
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            if attempt == RENAME_TRIES - 1:
                raise
            time.sleep(RENAME_WAIT)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


# ---------------------------------------------------------------------------------------------- edited outputs


@dataclass
class Guard:
    """While active (`guarded_outputs`), every output written records its hash beside it (`.ttdk_xl/`), and an
    output that a person changed since (its hash differs, or it has no record) is first copied to `sao_luu/` under
    a dated name. `backups` lists (output, copy) for the run to say so."""

    backups: list[tuple[Path, Path]] = field(default_factory=list)

    def keep_if_edited(self, path: Path) -> None:
        if not path.is_file():
            return
        record = _record_of(path)
        if record.is_file() and record.read_text(encoding="ascii").strip() == _sha256(path):
            return
        self.backups.append((path, backup_copy(path)))

    def record(self, path: Path) -> None:
        record = _record_of(path)
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(_sha256(path), encoding="ascii")
        except OSError:  # no record: the next run backs the file up once more, which is safe
            pass


_GUARD: ContextVar[Guard | None] = ContextVar("ttdk_xl_output_guard", default=None)


@contextmanager
def guarded_outputs() -> Iterator[Guard]:
    """Back up outputs a person edited before replacing them (the commands run inside this)."""
    guard = Guard()
    token = _GUARD.set(guard)
    try:
        yield guard
    finally:
        _GUARD.reset(token)


@contextmanager
def unguarded() -> Iterator[None]:
    """Outputs written here are not watched: files nobody edits (the returns), or a human input whose writer
    makes its own backup."""
    token = _GUARD.set(None)
    try:
        yield
    finally:
        _GUARD.reset(token)


def _record_of(path: Path) -> Path:
    """Where the hash of an output is kept: in a year folder, under its `.ttdk_xl/` (one place, nothing added to
    the folders people open); elsewhere in a `.ttdk_xl/` beside the output."""
    year = enclosing_year(path.parent)
    if year is not None:
        relative = path.resolve().relative_to(year.root)
        return year.state / "outputs" / relative.parent / f"{relative.name}.sha256"
    return path.parent / STATE_DIR / f"{path.name}.sha256"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def backup_copy(path: Path) -> Path:
    """Copy `path` to the year folder's `sao_luu/` (else a `sao_luu/` beside it) under a dated name."""
    year = enclosing_year(path.parent, managed=False)
    folder = (year.root if year is not None else path.parent) / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}_{stamp}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}_{stamp}_{n}{path.suffix}"
    shutil.copy2(path, target)
    return target
