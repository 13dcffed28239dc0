"""ttdk-xl: consolidate, check, rank and report the self-scoring workbooks of an emulation cluster.

>>> import ttdk_xl
>>> result = ttdk_xl.consolidate("hop_thu", out="ket_qua")   # doctest: +SKIP
>>> [(u.rank, u.unit.name, u.total) for u in result.units]  # doctest: +SKIP
"""

import logging

from ttdk_xl.core.models import Book, Finding, Result, Severity, Status, UnitResult
from ttdk_xl.core.version import __version__

# Library convention: silent unless the program configures logging (the CLI does with -v).
logging.getLogger("ttdk_xl").addHandler(logging.NullHandler())


def consolidate(*args, **kwargs) -> Result:
    """See ttdk_xl.pipeline.stages.consolidate (imported lazily to keep start-up fast)."""
    from ttdk_xl.pipeline.stages import consolidate as run

    return run(*args, **kwargs)


def load_book(path) -> Book:
    """Read and check a criteria book (.xlsx)."""
    from ttdk_xl.book.load import load_book as load

    return load(path)


def check(paths, book=None) -> list[Finding]:
    """Findings of single workbooks against a book (path or Book), or against their own issued rules."""
    from ttdk_xl.pipeline.stages import check_files, load

    return check_files(load(book) if book is not None else None, paths)


__all__ = [
    "Book",
    "Finding",
    "Result",
    "Severity",
    "Status",
    "UnitResult",
    "__version__",
    "check",
    "consolidate",
    "load_book",
]
