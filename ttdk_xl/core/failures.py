"""One file's failure → a finding for that file, never a stopped run.

A returned workbook can be damaged in countless ways (a broken download, a bad USB stick), and the
libraries that open it (zipfile, zlib, python-calamine, the email parsers) answer with many kinds of
exception. Each is turned here into a plain finding for that file; a failure that looks like a bug of
ours rather than the file's is reported as an internal error naming the file. The technical detail
goes to the `ttdk_xl` log, which the CLI shows with `-v`.
"""

from __future__ import annotations

import logging
import struct
import zipfile
import zlib
from email.errors import MessageError
from xml.etree.ElementTree import ParseError

from ttdk_xl.core.models import Finding, Severity

log = logging.getLogger("ttdk_xl")

CORRUPT_CODE = "file-corrupt"
INTERNAL_CODE = "internal-error"
CORRUPT_MESSAGE = "Tệp bị hỏng, không đọc được (có thể do tải về chưa hết hoặc hỏng khi sao chép)."
CORRUPT_FIX = "Đề nghị đơn vị gửi lại tệp."

# What the decoders raise for bytes they cannot make sense of: the file's fault, not ours.
_DAMAGE: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,  # includes UnicodeDecodeError; zipfile's "negative seek value"
    KeyError,  # a part named in the zip's index but missing
    NotImplementedError,  # zipfile: "compressed patched data (flag bit 5)", unknown compression
    MemoryError,
    ParseError,
    MessageError,
)


def must_propagate(exc: BaseException) -> bool:
    """Ctrl+C and interpreter shutdown are never a file's problem."""
    return isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


def is_damage(exc: BaseException) -> bool:
    """True when `exc` says the file's bytes are unusable (rather than that our code failed)."""
    if isinstance(exc, _DAMAGE) or _raised_by_a_decoder(exc):
        return True
    # python-calamine's errors, and a Rust panic inside it (pyo3's PanicException is a BaseException)
    module = type(exc).__module__ or ""
    return module.startswith(("python_calamine", "pyo3_runtime", "extract_msg", "olefile", "compressed_rtf"))


_DECODERS = ("zipfile", "zlib", "gzip", "email", "xml")  # the standard library's readers of a file's bytes


def _raised_by_a_decoder(exc: BaseException) -> bool:
    """True when the innermost frame that raised is a standard-library decoder (zipfile's RuntimeError
    for an entry flagged as encrypted, say): the bytes were refused, our code did not fail."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    return module.split(".")[0] in _DECODERS


def read_failure(file: str, exc: BaseException) -> Finding:
    """The finding for a file whose opening or reading raised `exc` (logged with its traceback for `-v`):
    a damaged file when a decoder refused its bytes, else an internal error."""
    if must_propagate(exc):
        raise exc
    if not is_damage(exc):
        return internal_failure(file, exc, "đọc")
    log.debug("%s", file, exc_info=exc)
    return damaged(file, f"{type(exc).__name__}: {exc}")


def damaged(file: str, detail: str) -> Finding:
    """The finding for a file that a reader could not read (`detail`, technical, goes to the log)."""
    log.info("%s: tệp hỏng (%s)", file, detail)
    return Finding(CORRUPT_CODE, Severity.ERROR, file, CORRUPT_MESSAGE, CORRUPT_FIX)


def internal_failure(file: str, exc: BaseException, doing: str) -> Finding:
    """The finding for a bug of ours met while `doing` (Vietnamese: "kiểm tra", …) something with a file
    that was read well: named, never a traceback on screen (it is in the log, shown with `-v`)."""
    if must_propagate(exc):
        raise exc
    log.warning("%s: lỗi nội bộ khi %s tệp (%s: %s)", file, doing, type(exc).__name__, exc, exc_info=exc)
    return Finding(
        INTERNAL_CODE,
        Severity.ERROR,
        file,
        f"ttdk-xl gặp lỗi nội bộ khi {doing} tệp này ({type(exc).__name__}); các tệp khác vẫn được tổng hợp.",
        "Gửi tệp này cho người phụ trách ttdk-xl (chạy lại lệnh với -v để xem chi tiết kỹ thuật).",
    )
