"""One date for every document of a conference: the report, the tally sheet and the count minutes, the covenant."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from tests.conftest import D, fill, full_entries, make_book
from tests.test_ballots import doc_text, enter
from tests.test_book import small_book, write_book
from ttdk_xl.book.load import load_book
from ttdk_xl.core.errors import BookError
from ttdk_xl.core.models import conference_date
from ttdk_xl.core.text import day_words, parse_day
from ttdk_xl.outputs.ballots import MINUTES_NAME, tally, write_ballots, write_minutes
from ttdk_xl.outputs.covenant import write_covenant
from ttdk_xl.outputs.report import build_context, write_report
from ttdk_xl.pipeline.stages import consolidate

# The report template of this source tree (an installed package may carry another one)
TEMPLATE = Path(__file__).resolve().parents[1] / "input_templates" / "mau_bao_cao.docx"
VOTES = {"suy_ton": ["U1 U2", "U1", "U1 U3"], "cum_truong": ["U2"] * 3, "cum_pho": ["U3", "U3", "U1"]}


def conference(tmp_path: Path, **book_fields):
    """Three units of a book with `book_fields`, consolidated in memory."""
    book = make_book(units=3, **book_fields)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i in range(3):
        fill(book, i, inbox / f"{i}.xlsx", full_entries(book, I_2=(D(40 - i), "thiếu")))
    return consolidate(inbox, book=book)


def count(result, tmp_path: Path, typed_date: object = None) -> Path:
    sheet = write_ballots(result, tmp_path / "bo_phieu")[2]
    if typed_date is not None:
        wb = openpyxl.load_workbook(sheet)
        for row in wb["Thông tin"].iter_rows():
            if row[0].value == "Ngày kiểm phiếu":
                row[1].value = typed_date
        wb.save(sheet)
    enter(sheet, present=3, ballots=VOTES)
    counted = tally(sheet)
    assert not [f for f in counted.findings if f.blocking]
    return write_minutes(counted, tmp_path / MINUTES_NAME)


def report_date_line(result, path: Path) -> str:
    write_report(result, path, TEMPLATE)
    doc = Document(str(path))
    cell = doc.tables[0].rows[0].cells[1]  # the national header's right column: the place and date
    return cell.paragraphs[-1].text


def test_the_report_and_the_minutes_carry_the_book_s_conference_date(tmp_path):
    result = conference(tmp_path, conference_date=dt.date(2025, 12, 18))
    assert conference_date(result.book, dt.date(2025, 12, 5)) == dt.date(2025, 12, 18)  # the book's key first

    assert report_date_line(result, tmp_path / "bao_cao.docx") == "Triệu Sơn, ngày 18 tháng 12 năm 2025"
    assert build_context(result)["date"] == "18/12/2025"
    minutes = doc_text(count(result, tmp_path))
    assert "Triệu Sơn, ngày 18 tháng 12 năm 2025" in minutes  # the minutes' own date line
    assert "Hôm nay, ngày 18 tháng 12 năm 2025, tại Triệu Sơn" in minutes
    wb = openpyxl.load_workbook(tmp_path / "bo_phieu" / "phieu_kiem.xlsx")
    info = {r[0].value: r[1].value for r in wb["Thông tin"].iter_rows() if r[0].value}
    assert info["Ngày kiểm phiếu"] == "18/12/2025"  # pre-filled for the counters
    covenant = doc_text(write_covenant(result.book, tmp_path / "giao_uoc.docx", run_date=dt.date(2025, 12, 5)))
    assert "ngày 18 tháng 12 năm 2025" in covenant and "GIAO ƯỚC THI ĐUA" in covenant


def test_without_the_key_every_document_of_a_run_has_the_run_s_date(tmp_path):
    result = conference(tmp_path)
    assert result.book.conference_date is None and result.run_date is not None  # decided once by the run
    result = replace(result, run_date=dt.date(2026, 1, 9))  # a conference early next year, as some clusters hold it
    assert report_date_line(result, tmp_path / "bao_cao.docx") == "Triệu Sơn, ngày 09 tháng 01 năm 2026"
    assert "Hôm nay, ngày 09 tháng 01 năm 2026, tại Triệu Sơn" in doc_text(count(result, tmp_path))


def test_a_date_the_counters_type_is_the_date_of_the_count(tmp_path):
    result = conference(tmp_path, conference_date=dt.date(2025, 12, 18))
    minutes = doc_text(count(result, tmp_path, typed_date=dt.datetime(2025, 12, 19)))
    assert "Hôm nay, ngày 19 tháng 12 năm 2025" in minutes


def test_dates_in_words_as_decree_30_writes_them():
    assert day_words(dt.date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert day_words(dt.date(2026, 2, 20)) == "ngày 20 tháng 02 năm 2026"
    assert day_words(dt.date(2025, 12, 18)) == "ngày 18 tháng 12 năm 2025"
    assert [parse_day(v) for v in ("18/12/2025", " 5-1-2026 ", "31/02/2026", "2025-12-18", None)] == [
        dt.date(2025, 12, 18),
        dt.date(2026, 1, 5),
        None,
        None,
        None,
    ]


def test_the_book_s_conference_date_key(tmp_path):
    for value in ("18/12/2025", dt.datetime(2025, 12, 18)):
        sheets = small_book()
        sheets["Thông tin"].append(["Ngày hội nghị", value])
        assert load_book(write_book(tmp_path / "b.xlsx", sheets)).conference_date == dt.date(2025, 12, 18)
    assert load_book(write_book(tmp_path / "b.xlsx", small_book())).conference_date is None
    for value, words in (("18/13/2025", "không hợp lệ"), ("18/12/2030", "không thuộc năm 2025")):
        sheets = small_book()
        sheets["Thông tin"].append(["Ngày hội nghị", value])
        with pytest.raises(BookError, match=words):
            load_book(write_book(tmp_path / "b.xlsx", sheets))
