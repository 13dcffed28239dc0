"""Atomic output files: write to a temporary name in the same folder, then rename over the target.

An interrupted run therefore leaves the previous output intact, and a reader never sees half a file.
A file that cannot be written — on Windows, most often because it is open in Excel or Word, which
refuses the rename — is an OutputError with a Vietnamese message naming the file and what to do.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ttdk_xl.core.errors import TtdkError

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
    try:
        yield tmp
        _replace(tmp, path)
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
