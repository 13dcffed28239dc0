"""ttdk-xl: consolidate, check, rank and report the self-scoring workbooks of an emulation cluster.

>>> import ttdk_xl
>>> result = ttdk_xl.consolidate("hop_thu", out="ket_qua")   # doctest: +SKIP
>>> [(u.rank, u.unit.name, u.total) for u in result.units]  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ttdk_xl.core.models import Book, Finding, Result, Severity, Status, UnitResult
from ttdk_xl.core.version import __version__

if TYPE_CHECKING:  # the rules load with the pipeline, not with `import ttdk_xl`
    from ttdk_xl.rules.assessed import Assessment

# Library convention: silent unless the program configures logging (the CLI does with -v).
logging.getLogger("ttdk_xl").addHandler(logging.NullHandler())


def consolidate(
    inbox: str | Path,
    book: Book | str | Path | None = None,
    out: str | Path | None = None,
    rank_invalid: bool = False,
    max_bytes: int = 20 * 1024 * 1024,  # ttdk_xl.inbox.read.DEFAULT_MAX_BYTES, not imported: start-up stays fast
    report_template: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    assessed: str | Path | Assessment | None = None,
    processes: bool | None = False,
    paths: list[Path] | None = None,
    with_delegates: bool = False,
    agreed_input: str | Path | None = None,
) -> Result:
    """Consolidate every workbook under `inbox`; return the Result (units in rank order, findings, sources).

    inbox: the folder of returned workbooks (sub-folders and saved emails included).
    book: the criteria book, as a Book or the path of a .xlsx; by default `bo_tieu_chi.xlsx` in `inbox` or
        its parent folder, else the packaged default book.
    out: a folder to write the outputs to (tong_hop.xlsx, ket_qua.json, bao_cao.docx, dai_bieu.xlsx and the
        annotated returns under tra_lai/); None writes nothing.
    rank_invalid: also rank units whose workbook has blocking errors.
    max_bytes: larger files are refused unread.
    report_template: a .docx template for bao_cao.docx instead of the packaged one.
    progress: called with 1 after each file is read.
    workers: number of parallel readers; 1 reads serially, None chooses by the number of files.
    assessed: a tong_hop.xlsx whose agreed-scores sheet was filled in at the conference (or an Assessment
        already read); the agreed scores count instead of the self-scores.
    processes: False reads in threads; True or None (from 300 files) in worker processes, which needs the
        `if __name__ == "__main__":` guard in a script.
    paths: the files of the inbox when the caller has already listed them; by default the inbox is listed.
    with_delegates: also collect the delegates the units registered (`Result.delegates`) when `out` is None;
        with `out` they always are (dai_bieu.xlsx).
    agreed_input: the year folder's agreed-scores file (tham_dinh.xlsx): what a person typed there counts
        (unless `assessed` is given); with `out` it is created, or updated keeping every typed value.

    Bad files never raise: their problems are in `Result.findings`.
    """
    from ttdk_xl.pipeline.stages import consolidate as run  # lazy: `ttdk-xl --help` does not load the pipeline

    return run(
        inbox, book=book, out=out, rank_invalid=rank_invalid, max_bytes=max_bytes, report_template=report_template,
        progress=progress, workers=workers, assessed=assessed, processes=processes, paths=paths,
        with_delegates=with_delegates, agreed_input=agreed_input,
    )  # fmt: skip


def load_book(path: str | Path) -> Book:
    """Read and check a criteria book (.xlsx); raise BookError listing every problem."""
    from ttdk_xl.book.load import load_book as load

    return load(path)


def check(paths: str | Path | Iterable[str | Path], book: Book | str | Path | None = None) -> list[Finding]:
    """Findings of single workbooks (one path or several) against a book (a Book or the path of one), or,
    without a book, against the rules each workbook was issued with."""
    from ttdk_xl.pipeline.stages import check_files, load

    files = [paths] if isinstance(paths, str | Path) else paths
    return check_files(load(book) if book is not None else None, files)


def history_frame(where: str | Path, unit: str | None = None):
    """The cluster's years as a pandas DataFrame, one row per year and unit (as it was that year): the earlier
    years of the year folder `where` (lich_su/) and this year's results (ket_qua/ket_qua.json) when written;
    only `unit`'s rows when given (today's code or a former one). Columns: see `history.frame.years_frame`."""
    from ttdk_xl.history.frame import folder_frame

    return folder_frame(where, unit)[0]


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
    "history_frame",
    "load_book",
]
