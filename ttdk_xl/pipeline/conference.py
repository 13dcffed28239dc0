"""The conference's papers step (`ttdk-xl hoi-nghi`): the year folder (or a book) → hoi_nghi/.

Needs only the criteria book: it can run as soon as the book is ready, before any unit has sent its form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ttdk_xl.book.load import load_book
from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.models import Book
from ttdk_xl.core.year_folder import BOOK_NAME, CONFERENCE_DIR, find_year
from ttdk_xl.outputs.conference import CONFERENCE_FILES, write_conference_papers

__all__ = ["CONFERENCE_FILES", "ConferencePapers", "locate", "make_conference_papers"]


@dataclass(frozen=True)
class ConferencePapers:
    """Where the step reads and writes: the book file and the output folder."""

    book: Path
    out: Path


def locate(where: str | Path | None = None, book: str | Path | None = None, out: str | Path | None = None):
    """The book and the output folder: `book` when given, else the year folder's (`where`, default the current
    folder: a folder holding bo_tieu_chi.xlsx, or a folder directly inside one) or `where` itself when it is a
    book file; the output folder `out`, else hoi_nghi/ beside the book."""
    if book is None:
        given = Path(where) if where is not None else Path.cwd()
        if given.is_file():
            book = given
        else:
            year = find_year(given)
            if year is None:
                raise TtdkError(
                    f"Không tìm thấy bộ tiêu chí {BOOK_NAME} trong thư mục “{given}”. Cách sửa: chạy lệnh trong "
                    f"thư mục năm (thư mục có {BOOK_NAME}, do 'ttdk-xl init' tạo), chỉ ra thư mục đó, "
                    "hoặc dùng --book."
                )
            book = year.book
    book = Path(book)
    return ConferencePapers(book=book, out=Path(out) if out is not None else book.parent / CONFERENCE_DIR)


def make_conference_papers(
    where: str | Path | Book | None = None,
    out: str | Path | None = None,
    templates: str | Path | None = None,
    run_date: date | None = None,
    progress: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write the conference's papers (CONFERENCE_FILES) and return the paths written.

    A paper a person has edited since the tool wrote it is first copied to the year folder's sao_luu/ when the
    outputs are guarded (core.atomic.guarded_outputs: every command is).

    `where`: a year folder, a book file, or a loaded Book (then `out` is required). `out` defaults to the year
    folder's hoi_nghi/. `templates`: the office's own templates (a folder, or one template file). Raises
    BookError for a bad book and ReportTemplateError for a template that cannot be rendered."""
    if isinstance(where, Book):
        if out is None:
            raise TtdkError("Cần chỉ ra thư mục ghi các văn bản Hội nghị (out) khi truyền một bộ tiêu chí đã đọc.")
        the_book, folder = where, Path(out)
    else:
        place = locate(where, out=out)
        the_book, folder = load_book(place.book), place.out
    return write_conference_papers(
        the_book, folder, templates=Path(templates) if templates else None, run_date=run_date, progress=progress
    )
