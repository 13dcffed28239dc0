"""Delegate registration: the unit workbook's sheet, reading it back (also after LibreOffice), dai_bieu.xlsx."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

import ttdk_xl
from tests.conftest import ISSUED, full_entries, make_book, needs_soffice, resave_with_libreoffice
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.layout import DELEGATE_SHEET, META_SHEET, SCORE_SHEET
from ttdk_xl.forms.template import write_unit_workbook
from ttdk_xl.inbox.read import read_file
from ttdk_xl.outputs.delegate_list import write_delegates
from ttdk_xl.pipeline.stages import check_files, collect_from_inbox, default_book_path
from ttdk_xl.rules.delegates import office_rank, vn_phone

GOOD = [
    ("Lê Văn Hùng", "Phó Chủ tịch UBND huyện", "0912 000 101", "Trưởng đoàn"),
    ("Nguyễn Thị Lan", "Trưởng phòng Nội vụ", "+84 912.000.102", ""),
]


def rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


@pytest.mark.parametrize(
    ("typed", "digits", "ok"),
    [
        ("0912345678", "0912345678", True),
        ("0912 345 678", "0912345678", True),
        ("0912.345.678", "0912345678", True),
        ("+84 912 345 678", "0912345678", True),
        ("84912345678", "0912345678", True),
        ("0386 123 456", "0386123456", True),
        ("0237 3852 123", "02373852123", True),  # landline, 11 digits
        (912345678.0, "0912345678", True),  # a number cell that lost its leading 0
        ("0612345678", "0612345678", False),  # no 06 mobiles
        ("091234567", "091234567", False),  # 9 digits
        ("0237385212", "0237385212", False),  # a landline needs 11 digits
        ("09123456789", "09123456789", False),
        ("không có", "không có", False),
    ],
)
def test_vietnamese_phone_numbers(typed, digits, ok):
    assert vn_phone(typed) == (digits, ok)


def test_sheet_added_without_changing_the_score_sheet(tmp_path):
    book = make_book()
    path = write_unit_workbook(book, book.units[0], tmp_path / "u1.xlsx", ISSUED, full_entries(book), delegates=GOOD)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SCORE_SHEET, DELEGATE_SHEET, "Hướng dẫn", META_SHEET]
    assert wb.active.title == SCORE_SHEET and wb[META_SHEET].sheet_state == "hidden"
    ws = wb[DELEGATE_SHEET]
    assert ws.protection.sheet
    assert [c.value for c in ws[8]] == ["STT", "Họ và tên", "Chức vụ", "Số điện thoại", "Ghi chú"]
    assert ws["B9"].value == "Lê Văn Hùng" and ws["D9"].value == "0912 000 101"
    assert all(ws.cell(9, c).protection.locked is False for c in range(2, 6))
    assert ws["D9"].number_format == "@" and ws["A9"].protection.locked is not False
    assert ws.max_row == 8 + book.seats_per_unit + 3  # seats plus spare rows, so too many can be seen
    assert "Tối đa 3 đại biểu" in ws["B6"].value
    # Reading the scores is unchanged: a full workbook has no findings.
    assert check_files(book, [path]) == []
    raw = read_file(path).raw
    assert (
        raw.sheet == SCORE_SHEET and raw.delegate_sheet == DELEGATE_SHEET and raw.delegate_rows[8][1] == "Lê Văn Hùng"
    )


def make_inbox(book, root: Path, scores: bool = True) -> Path:
    inbox = root / "hop_thu"
    inbox.mkdir(parents=True)
    registrations = [
        GOOD,
        [
            *GOOD,
            ("Trần Văn Nam", "Chuyên viên", "0987654321", ""),
            ("Mai Thị Hương", "Chuyên viên", "0356 111 222", ""),
        ],
        [],
        [("Hà Văn Quang", "Phó Chủ tịch", "091 200 05", ""), ("", "Chuyên viên", "0912 000 802", "chưa ghi tên")],
    ]
    for i, u in enumerate(book.units):
        entries = full_entries(book) if scores else None
        write_unit_workbook(book, u, inbox / f"{u.code}.xlsx", ISSUED, entries, delegates=registrations[i])
    return inbox


def check_list(book, dl) -> None:
    assert [(u.unit.code, len(u.delegates), u.status) for u in dl.units] == [
        ("U1", 2, "Đã đăng ký"),
        ("U2", 4, "Quá số lượng"),
        ("U3", 0, "Chưa đăng ký"),
        ("U4", 1, "Đã đăng ký"),
    ]
    u1 = dl.units[0].delegates
    assert [(d.name, d.phone, d.phone_ok) for d in u1] == [
        ("Lê Văn Hùng", "0912 000 101", True),
        ("Nguyễn Thị Lan", "0912 000 102", True),
    ]
    found = {f.code: f for f in dl.findings}
    assert found["delegate-phone-invalid"].cell == "D9" and found["delegate-phone-invalid"].unit_code == "U4"
    assert "091 200 05" in found["delegate-phone-invalid"].message
    assert found["delegate-name-missing"].cell == "B10" and found["delegate-name-missing"].sheet == DELEGATE_SHEET
    assert found["delegates-too-many"].unit_code == "U2" and "4 đại biểu" in found["delegates-too-many"].message
    assert found["delegates-none"].unit_code == "U3"
    assert not dl.ok


@needs_soffice
def test_round_trip_through_libreoffice(tmp_path):
    book = make_book()
    inbox = make_inbox(book, tmp_path / "a")
    resaved = tmp_path / "b" / "hop_thu"
    resaved.mkdir(parents=True)
    resave_with_libreoffice(sorted(inbox.iterdir()), resaved, tmp_path)
    dl = collect_from_inbox(book, resaved)
    check_list(book, dl)
    assert dl.units == collect_from_inbox(book, inbox).units

    # consolidate writes the same list next to tong_hop.xlsx
    result = ttdk_xl.consolidate(resaved, book=book, out=tmp_path / "kq")
    assert result.ok
    out = tmp_path / "kq" / "dai_bieu.xlsx"
    names = CalamineWorkbook.from_path(str(out)).sheet_names
    assert names == ["Danh sách đại biểu", "Theo đơn vị", "Kiểm tra", "Xếp chỗ ngồi", "Bảng tên"]
    listed = [r for r in rows(out, "Danh sách đại biểu")[4:] if r[2]]
    assert [(r[1], r[2], r[4]) for r in listed[:2]] == [
        ("UBND huyện Triệu Sơn", "Lê Văn Hùng", "0912 000 101"),
        ("UBND huyện Triệu Sơn", "Nguyễn Thị Lan", "0912 000 102"),
    ]
    assert len(listed) == 7
    counts = {r[1]: (r[3], r[5]) for r in rows(out, "Theo đơn vị")[4:] if r[1]}
    assert counts == {
        "U1": (2.0, "Đã đăng ký"),
        "U2": (4.0, "Quá số lượng"),
        "U3": (0.0, "Chưa đăng ký"),
        "U4": (1.0, "Đã đăng ký"),
    }
    checks = {r[5]: r[4] for r in rows(out, "Kiểm tra")[4:] if r[5]}  # the label first, then the code
    assert checks["Số điện thoại sai (delegate-phone-invalid)"] == "D9"
    assert "Quá số đại biểu (delegates-too-many)" in checks
    seating = [r for r in rows(out, "Xếp chỗ ngồi")[4:] if r[1]]
    assert seating[0][:2] == [1.0, "Lê Văn Hùng"] and len(seating) == 7
    cards = rows(out, "Bảng tên")
    assert cards[1][0] == "Lê Văn Hùng" and cards[1][2] == "Lê Văn Hùng"  # seat by protocol: both Phó Chủ tịch
    assert cards[0][0] == "UBND HUYỆN TRIỆU SƠN" and cards[0][2] == "UBND HUYỆN NÔNG CỐNG"


def test_delegates_command_before_scores_are_due(tmp_path):
    book = load_book(default_book_path())
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(book.units[:3]):  # blank score sheets: only the registration is filled in
        regs = GOOD if i < 2 else GOOD + GOOD[:1] + [("Trần Văn Nam", "", "0987654321", ""), ("Lò Văn A", "", "", "")]
        write_unit_workbook(book, u, inbox / f"{i}.xlsx", ISSUED, delegates=regs)
    out = tmp_path / "kq"
    result = CliRunner().invoke(cli, ["delegates", str(inbox), "--book", str(default_book_path()), "-o", str(out)])
    assert result.exit_code == 1, result.output  # some units sent nothing, one registered too many
    assert "Traceback" not in result.output
    assert f"{book.units[0].name}" in result.output and "Đã đăng ký" in result.output
    assert re.search(r"\d+ đại biểu của 3/\d+ đơn vị", result.output)
    assert "Đơn vị chưa nộp tệp:" in result.output and "Đơn vị quá số lượng:" in result.output
    assert "được đăng ký hai lần" in result.output  # the same person twice
    data = rows(out / "dai_bieu.xlsx", "Theo đơn vị")
    assert data[4][5] == "Đã đăng ký" and data[6][3] == 4.0  # the duplicate counts once
    with zipfile.ZipFile(out / "dai_bieu.xlsx") as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_write_is_atomic_and_deterministic(tmp_path):
    book = make_book()
    dl = collect_from_inbox(book, make_inbox(book, tmp_path))
    check_list(book, dl)
    a, b = write_delegates(dl, tmp_path / "a.xlsx"), write_delegates(dl, tmp_path / "b.xlsx")
    assert rows(a, "Danh sách đại biểu") == rows(b, "Danh sách đại biểu")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx") == ["a.xlsx", "b.xlsx"]
    assert a.read_bytes() == b.read_bytes()
    # No clock in the file: the document's date is the book's year end, whenever it is written.
    with zipfile.ZipFile(a) as zf:
        assert f">{book.year}-12-31T00:00:00Z<" in zf.read("docProps/core.xml").decode()


@pytest.mark.parametrize(
    ("title", "rank"),
    [
        ("Bí thư Huyện ủy", 0),
        ("Chủ tịch UBND huyện", 1),
        ("Phó Bí thư Thường trực Huyện ủy", 2),
        ("Phó Chủ tịch UBND huyện", 3),
        ("Phó Bí thư Huyện ủy, Chủ tịch UBND huyện", 1),  # several offices: the highest
        ("PHO CHU TICH UBND", 3),  # typed without diacritics
        ("Trưởng phòng Nội vụ", 4),
        ("Chánh Văn phòng HĐND và UBND huyện", 4),
        ("Bí thư Huyện đoàn", 4),  # the youth union's secretary heads an office
        ("Phó Trưởng phòng Nội vụ", 5),
        ("Phó Giám đốc Sở", 5),
        ("Ủy viên Ban Thường vụ Huyện ủy", 6),
        ("Chuyên viên phòng Nội vụ", 7),
        ("", 8),
    ],
)
def test_office_rank_from_the_title(title, rank):
    assert office_rank(title) == rank


def test_seating_follows_protocol(tmp_path):
    """The head unit's leader has seat 1, then office rank; equal ranks: head unit, deputy unit, book order."""
    book = make_book(units=4)  # U1 heads the cluster, U2 is its deputy
    registrations = [
        [("Trần Văn An", "Chuyên viên phòng Nội vụ", "", ""), ("Lê Văn Hùng", "Phó Chủ tịch UBND huyện", "", "")],
        [("Nguyễn Thị Lan", "Trưởng phòng Nội vụ", "", ""), ("Phạm Văn Bình", "Phó Chủ tịch UBND huyện", "", "")],
        [("Vũ Văn Thắng", "Phó Chủ tịch UBND huyện", "", ""), ("Hoàng Văn Tuấn", "Chủ tịch UBND huyện", "", "")],
        [("Đỗ Minh Đức", "Phó Trưởng phòng Nội vụ", "", ""), ("Mai Văn Long", "Bí thư Huyện ủy", "", "")],
    ]
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for u, regs in zip(book.units, registrations, strict=True):
        write_unit_workbook(book, u, inbox / f"{u.code}.xlsx", ISSUED, full_entries(book), delegates=regs)
    out = write_delegates(collect_from_inbox(book, inbox), tmp_path / "dai_bieu.xlsx")
    seats = [(r[0], r[1], r[3]) for r in rows(out, "Xếp chỗ ngồi")[4:] if r[1]]
    assert seats == [
        (1.0, "Lê Văn Hùng", book.units[0].name),  # the head unit's leader, though a Phó Chủ tịch
        (2.0, "Mai Văn Long", book.units[3].name),  # Bí thư
        (3.0, "Hoàng Văn Tuấn", book.units[2].name),  # Chủ tịch
        (4.0, "Phạm Văn Bình", book.units[1].name),  # Phó Chủ tịch: the deputy unit first, then book order
        (5.0, "Vũ Văn Thắng", book.units[2].name),
        (6.0, "Nguyễn Thị Lan", book.units[1].name),  # Trưởng phòng
        (7.0, "Đỗ Minh Đức", book.units[3].name),  # Phó Trưởng phòng
        (8.0, "Trần Văn An", book.units[0].name),  # chuyên viên
    ]
    note = rows(out, "Xếp chỗ ngồi")[2][0]
    assert "Ghế số 1: lãnh đạo đơn vị Cụm trưởng" in note and "Bí thư; Chủ tịch; Phó Bí thư; Phó Chủ tịch" in note
    cards = rows(out, "Bảng tên")  # the name cards in the same order, with the same seat numbers
    assert [cards[1][0], cards[1][2], cards[6][0]] == ["Lê Văn Hùng", "Mai Văn Long", "Hoàng Văn Tuấn"]
    assert cards[3][2] == "Ghế số 2"


def test_long_texts_get_rows_tall_enough(tmp_path):
    """Neither Excel nor LibreOffice grows rows on opening: a long title must not be drawn over the next row."""
    book = make_book(units=2)
    long_title = "Phó Chủ tịch Thường trực UBND huyện, Trưởng Ban Chỉ đạo phong trào thi đua yêu nước của huyện"
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    regs = [("Lê Văn Hùng", long_title, "0912 000 101", ""), ("Nguyễn Thị Lan", "Trưởng phòng", "091 200 05", "")]
    write_unit_workbook(book, book.units[0], inbox / "u1.xlsx", ISSUED, full_entries(book), delegates=regs)
    write_unit_workbook(book, book.units[1], inbox / "u2.xlsx", ISSUED, full_entries(book), delegates=[])
    out = write_delegates(collect_from_inbox(book, inbox), tmp_path / "dai_bieu.xlsx")
    wb = openpyxl.load_workbook(out)

    def height(sheet: str, row: int) -> float:
        return wb[sheet].row_dimensions[row].height or 15

    assert height("Danh sách đại biểu", 5) >= 3 * 15  # the title takes three lines in its column
    assert height("Danh sách đại biểu", 6) == 15  # a short one keeps the default height
    assert height("Xếp chỗ ngồi", 5) >= 3 * 15
    assert height("Xếp chỗ ngồi", 3) >= 3 * 15  # the seating rule, wrapped
    checks = wb["Kiểm tra"]
    long_rows = [r for r in range(5, checks.max_row + 1) if len(str(checks.cell(r, 8).value or "")) > 60]
    assert long_rows and all(height("Kiểm tra", r) >= 2 * 12 for r in long_rows)  # the phone's message
