"""The conference's papers step (`ttdk-xl hoi-nghi`): the year folder (or a book) → hoi_nghi/.

Needs only the criteria book: it can run as soon as the book is ready, before any unit has sent its form.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ttdk_xl.book.load import load_book
from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.models import Book
from ttdk_xl.core.year_folder import BACKUP_DIR, BOOK_NAME, CONFERENCE_DIR, find_year
from ttdk_xl.outputs.conference import CONFERENCE_FILES, write_conference_papers

__all__ = ["CONFERENCE_FILES", "ConferencePapers", "back_up_edited", "locate", "make_conference_papers"]

_WRITTEN_BY_US = (1980, 1, 1, 0, 0, 0)  # ttdk-xl dates every zip entry so (docx_style.write_docx); Word does not


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
    on_backup: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write the conference's papers (CONFERENCE_FILES) and return the paths written.

    A paper a person has edited since the tool wrote it (saved by Word or LibreOffice) is first copied to the
    year folder's sao_luu/ (`back_up_edited`; `on_backup` gets each copy): a re-run never loses typed text.

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
    for copy in back_up_edited(folder):
        if on_backup:
            on_backup(copy)
    return write_conference_papers(
        the_book, folder, templates=Path(templates) if templates else None, run_date=run_date, progress=progress
    )


def edited(path: Path) -> bool:
    """A .docx saved by an office program since ttdk-xl wrote it (its zip entries carry a real date)."""
    try:
        with zipfile.ZipFile(path) as z:
            return any(info.date_time != _WRITTEN_BY_US for info in z.infolist())
    except (OSError, zipfile.BadZipFile):
        return True  # not ours any more: keep it


def back_up_edited(folder: Path, when: datetime | None = None) -> list[Path]:
    """Copy the papers in `folder` that a person edited to sao_luu/<date-time>_hoi_nghi/ beside `folder`;
    return the copies."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [p for p in sorted(folder.rglob("*.docx")) if not p.name.startswith(("~$", ".")) and edited(p)]
    if not found:
        return []
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder.parent / BACKUP_DIR / f"{stamp}_{folder.name}"
    copies = []
    for path in found:
        copy = target / path.relative_to(folder)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
        copies.append(copy)
    return copies
