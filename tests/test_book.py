"""Tests of the criteria book reader: the default book, and one bad book per kind of problem."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import assert_prints_on_a4
from ttdk_xl.book.load import load_book
from ttdk_xl.core.errors import BookError
from ttdk_xl.core.models import ExplainRule, Kind, TieBreak

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BOOK = ROOT / "input_templates" / "bo_tieu_chi.xlsx"

CRITERIA_HEADER = ["Mã", "Nội dung tiêu chí", "Điểm tối đa", "Loại", "Bắt buộc giải trình", "Hướng dẫn chấm"]


def small_book() -> dict:
    """A minimal valid book as plain data: {sheet: list of rows}, header first where there is one."""
    return {
        "Thông tin": [
            ["Tên cụm", "Cụm thử"],
            ["Cơ quan cấp trên", "UBND tỉnh Thanh Hóa"],
            ["Năm", 2025],
            ["Đơn vị trưởng cụm", "UBND huyện Triệu Sơn"],
            ["Đơn vị phó cụm", "UBND huyện Nông Cống"],
            ["Hạn nộp", "15/12/2025"],
            ["Bước điểm", 0.25],
            ["Điểm thưởng tối đa", 10],
        ],
        "Tiêu chí": [
            CRITERIA_HEADER,
            ["I", "Nhóm một", 10, "nhóm", None, None],  # row 2
            ["I.1", "Tiêu chí một", 6, "chấm điểm", "khi chưa đạt tối đa", "Hướng dẫn"],  # row 3
            ["I.2", "Tiêu chí hai", 4, "chấm điểm", "không", None],  # row 4
            ["II", "Nhóm hai", 5, "nhóm", None, None],  # row 5
            ["II.1", "Tiêu chí ba", 5, "chấm điểm", None, None],  # row 6
            ["B", "Điểm thưởng", 3, "nhóm", None, None],  # row 7
            ["B.1", "Thưởng", 3, "điểm thưởng", "luôn luôn", None],  # row 8
            ["P", "Điểm trừ", 2, "nhóm", None, None],  # row 9
            ["P.1", "Trừ", 2, "điểm trừ", "luôn luôn", None],  # row 10
            ["P.2", "Liệt", None, "điểm liệt", "luôn luôn", None],  # row 11
        ],
        "Đơn vị": [
            ["Mã đơn vị", "Tên đơn vị", "Cấp", "Email", "Người liên hệ", "Điện thoại"],
            ["A", "UBND huyện A", "huyện", "a@example.com", "Chị A", "0912345678"],  # row 2
            ["B", "UBND huyện B", "huyện", "b@example.com", "Anh B", 912345679],  # row 3
        ],
        "Xếp loại": [
            ["Mức", "Từ điểm"],
            ["Khá", 65],
            ["Xuất sắc", 90],
            ["Yếu", 0],
        ],
        "Khen thưởng": [
            ["Hạng", "Hình thức đề nghị", "Xếp loại tối thiểu"],
            [1, "Cờ thi đua của UBND tỉnh", "Xuất sắc"],  # row 2
            [2, "Bằng khen của Chủ tịch UBND tỉnh", None],
        ],
        "Phân định hạng": [
            ["Thứ tự", "Tiêu chí phân định"],
            [1, "II"],
            [2, "Điểm trừ ít hơn"],
        ],
    }


def write_book(path: Path, sheets: dict) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def problems_of(tmp_path: Path, sheets: dict) -> list[str]:
    path = write_book(tmp_path / "book.xlsx", sheets)
    with pytest.raises(BookError) as info:
        load_book(path)
    return info.value.problems


def assert_problem(problems: list[str], *parts: str) -> str:
    """The one problem that contains every part (sheet/row prefix, words of the message)."""
    hits = [p for p in problems if all(part in p for part in parts)]
    assert hits, f"no problem with {parts!r} in:\n" + "\n".join(problems)
    assert all("Cách sửa:" in p for p in problems)
    return hits[0]


# --------------------------------------------------------------------------- valid books


def test_small_book_loads(tmp_path):
    book = load_book(write_book(tmp_path / "b.xlsx", small_book()))
    assert book.cluster_name == "Cụm thử"
    assert book.year == 2025
    assert book.step == Decimal("0.25")
    assert book.bonus_cap == Decimal("10")
    assert book.place == "Triệu Sơn"
    assert [c.code for c in book.criteria] == ["I", "I.1", "I.2", "II", "II.1", "B", "B.1", "P", "P.1", "P.2"]
    c = book.criterion("I.1")
    assert (c.parent, c.depth, c.kind, c.explain, c.guidance) == (
        "I",
        1,
        Kind.SCORED,
        ExplainRule.BELOW_MAX,
        "Hướng dẫn",
    )
    assert book.criterion("II.1").explain is ExplainRule.NEVER  # blank → không
    assert book.criterion("P.2").max_points == 0 and book.criterion("P.2").kind is Kind.DISQUALIFIER
    assert book.criterion("I").parent is None and book.criterion("I").depth == 0
    assert [lv.name for lv in book.levels] == ["Xuất sắc", "Khá", "Yếu"]
    assert book.units[1].phone == "0912345679"  # leading zero lost by Excel is restored
    assert book.awards[1].min_level is None
    assert book.tiebreak == ("II", TieBreak.LESS_PENALTY.value)


def test_exact_decimals_and_vietnamese_numbers(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"][2][2] = 5.75
    sheets["Tiêu chí"][3][2] = "4,25"
    sheets["Tiêu chí"][1][2] = 10
    book = load_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.criterion("I.1").max_points == Decimal("5.75")
    assert str(book.criterion("I.1").max_points) == "5.75"
    assert str(book.criterion("I.2").max_points) == "4.25"
    assert str(book.criterion("I").max_points) == "10"  # never '1E+1'


def test_header_anywhere_columns_any_order_blank_rows_nfc(tmp_path):
    sheets = small_book()
    header = sheets["Tiêu chí"][0]
    order = [5, 3, 0, 2, 1, 4]
    rows = [[r[i] for i in order] for r in sheets["Tiêu chí"]]
    rows[0] = [unicodedata.normalize("NFD", header[i]).upper() + "  " for i in order]
    rows.insert(1, [None] * 6)
    rows.insert(5, ["", "  ", None, None, None, None])
    sheets["Tiêu chí"] = [["BỘ TIÊU CHÍ NĂM 2025"], [], *rows, [None] * 6, [None] * 6]
    sheets["Thông tin"][0] = ["  tên  CỤM ", unicodedata.normalize("NFD", "Cụm thử")]
    book = load_book(write_book(tmp_path / "b.xlsx", sheets))
    assert len(book.criteria) == 10
    assert book.cluster_name == "Cụm thử" == unicodedata.normalize("NFC", book.cluster_name)
    assert book.criterion("I.1").text == "Tiêu chí một"


def test_deadline_date_place_and_default_tiebreak(tmp_path):
    sheets = small_book()
    sheets["Thông tin"][5] = ["Hạn nộp", dt.datetime(2025, 12, 5)]
    sheets["Thông tin"].append(["Địa danh", "Thanh Hóa"])
    del sheets["Phân định hạng"]
    book = load_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.deadline == "05/12/2025"
    assert book.place == "Thanh Hóa"
    assert book.tiebreak == ("II", "Điểm trừ ít hơn", "Điểm thưởng nhiều hơn", "Nhiều tiêu chí đạt tối đa hơn")


def test_tiebreak_order_column_and_empty_sheet(tmp_path):
    sheets = small_book()
    sheets["Phân định hạng"] = [["Thứ tự", "Tiêu chí phân định"], [2, "II"], [1, "điểm thưởng  nhiều hơn"]]
    book = load_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.tiebreak == ("Điểm thưởng nhiều hơn", "II")
    sheets["Phân định hạng"] = []
    book = load_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.tiebreak[0] == "II" and len(book.tiebreak) == 4


# --------------------------------------------------------------------------- file-level problems


def test_missing_file(tmp_path):
    with pytest.raises(BookError) as info:
        load_book(tmp_path / "khong_co.xlsx")
    assert "Không tìm thấy" in info.value.problems[0]


def test_not_an_xlsx(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(BookError) as info:
        load_book(path)
    assert "Không đọc được" in info.value.problems[0]
    xls = tmp_path / "book.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(BookError) as info:
        load_book(xls)
    assert ".xlsx" in info.value.problems[0]


def test_missing_sheet(tmp_path):
    sheets = small_book()
    del sheets["Đơn vị"]
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Đơn vị'", "không có trang tính")


def test_missing_column(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"] = [[c for c in row[:3]] + list(row[4:]) for row in sheets["Tiêu chí"]]
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Tiêu chí', dòng 1", "thiếu cột 'Loại'")


def test_empty_criteria(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"] = [CRITERIA_HEADER]
    sheets["Phân định hạng"] = []
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Tiêu chí'", "chưa có tiêu chí nào")


# --------------------------------------------------------------------------- criteria problems


def test_duplicate_criterion(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"][3][0] = "I.1"  # row 4 repeats row 3
    p = assert_problem(problems_of(tmp_path, sheets), "Trang 'Tiêu chí', dòng 4", "'I.1' bị trùng với dòng 3")
    assert p.endswith("Cách sửa: đổi mã hoặc xóa dòng trùng.")


def test_orphan_criterion(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"].insert(4, ["I.5.a", "Mồ côi", 1, "chấm điểm", None, None])  # row 5
    problems = problems_of(tmp_path, sheets)
    assert_problem(problems, "Trang 'Tiêu chí', dòng 5", "'I.5.a'", "'I.5'")


def test_group_sum_mismatch(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"][1][2] = 12
    p = assert_problem(problems_of(tmp_path, sheets), "Trang 'Tiêu chí', dòng 2", "nhóm 'I'")
    assert "12" in p and "10" in p


def test_group_without_children(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"].insert(6, ["III", "Nhóm rỗng", 5, "nhóm", None, None])  # row 7
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Tiêu chí', dòng 7", "'III' không có tiêu chí con")


def test_group_mixing_kinds(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"][3][3] = "điểm thưởng"  # I.2 bonus inside scored group I
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Tiêu chí', dòng 2", "trộn lẫn")


def test_penalty_and_disqualifier_may_share_a_group(tmp_path):
    book = load_book(write_book(tmp_path / "b.xlsx", small_book()))
    assert {c.kind for c in book.children("P")} == {Kind.PENALTY, Kind.DISQUALIFIER}


@pytest.mark.parametrize(
    ("row", "col", "value", "parts"),
    [
        (3, 3, "chấm", ("dòng 3", "loại 'chấm'", "không hợp lệ")),
        (3, 3, None, ("dòng 3", "chưa ghi loại")),
        (3, 4, "có", ("dòng 3", "'có'", "Bắt buộc giải trình")),
        (3, 2, "năm", ("dòng 3", "không phải là số")),
        (3, 2, -6, ("dòng 3", "số âm")),
        (3, 2, 5.9, ("dòng 3", "bước điểm 0,25")),
        (3, 2, 0, ("dòng 3", "bằng 0")),
        (11, 2, 1, ("dòng 11", "điểm liệt")),
        (3, 1, None, ("dòng 3", "chưa có nội dung")),
        (3, 0, "I..1", ("dòng 3", "không hợp lệ")),
    ],
)
def test_bad_criterion_cell(tmp_path, row, col, value, parts):
    sheets = small_book()
    sheets["Tiêu chí"][row - 1][col] = value
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Tiêu chí'", *parts)


def test_every_problem_is_reported(tmp_path):
    sheets = small_book()
    sheets["Tiêu chí"][3][0] = "I.1"
    sheets["Tiêu chí"][5][3] = "lạ"
    sheets["Đơn vị"][2][0] = "A"
    sheets["Xếp loại"][2][1] = 65
    problems = problems_of(tmp_path, sheets)
    assert_problem(problems, "Trang 'Tiêu chí', dòng 4", "trùng")
    assert_problem(problems, "Trang 'Tiêu chí', dòng 6", "'lạ'")
    assert_problem(problems, "Trang 'Đơn vị', dòng 3", "trùng")
    assert_problem(problems, "Trang 'Xếp loại', dòng 3", "65")
    assert len(problems) >= 4


# --------------------------------------------------------------------------- Thông tin problems


@pytest.mark.parametrize(
    ("index", "value", "parts"),
    [
        (2, None, ("dòng 3", "'Năm' chưa có giá trị")),
        (2, "năm nay", ("dòng 3", "năm 'năm nay'")),
        (6, 0, ("dòng 7", "bước điểm '0'")),
        (6, "abc", ("dòng 7", "bước điểm 'abc'")),
        (7, -1, ("dòng 8", "điểm thưởng tối đa '-1'")),
    ],
)
def test_bad_info_value(tmp_path, index, value, parts):
    sheets = small_book()
    sheets["Thông tin"][index][1] = value
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Thông tin'", *parts)


def test_missing_info_row(tmp_path):
    sheets = small_book()
    del sheets["Thông tin"][7]
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Thông tin'", "thiếu dòng 'Điểm thưởng tối đa'")


# --------------------------------------------------------------------------- levels, awards, tie-break


def test_level_problems(tmp_path):
    sheets = small_book()
    sheets["Xếp loại"] = [["Mức", "Từ điểm"], ["Tốt", "tám mươi"], ["Khá", 65], ["Trung bình", 65], ["Khá", 30]]
    problems = problems_of(tmp_path, sheets)
    assert_problem(problems, "Trang 'Xếp loại', dòng 2", "không phải là số")
    assert_problem(problems, "Trang 'Xếp loại', dòng 4", "cùng 'Từ điểm' 65 với dòng 3")
    assert_problem(problems, "Trang 'Xếp loại', dòng 5", "'Khá' bị trùng với dòng 3")


def test_award_unknown_level(tmp_path):
    sheets = small_book()
    sheets["Khen thưởng"][1][2] = "Giỏi"
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Khen thưởng', dòng 2", "'Giỏi'", "Xếp loại")


def test_tiebreak_unknown(tmp_path):
    sheets = small_book()
    sheets["Phân định hạng"].append([3, "Bốc thăm"])
    sheets["Phân định hạng"].append([4, "I.1"])  # a leaf, not a group
    problems = problems_of(tmp_path, sheets)
    assert_problem(problems, "Trang 'Phân định hạng', dòng 4", "'Bốc thăm'")
    assert_problem(problems, "Trang 'Phân định hạng', dòng 5", "'I.1'")


# --------------------------------------------------------------------------- units


def test_unit_problems(tmp_path):
    sheets = small_book()
    sheets["Đơn vị"] += [
        ["a", "UBND huyện C"],  # row 4: code of row 2 (case-insensitive)
        ["D", "UBND  huyện B"],  # row 5: name of row 3
        [None, "UBND huyện E"],  # row 6
        ["F", None, "huyện"],  # row 7
    ]
    problems = problems_of(tmp_path, sheets)
    assert_problem(problems, "Trang 'Đơn vị', dòng 4", "trùng với dòng 2")
    assert_problem(problems, "Trang 'Đơn vị', dòng 5", "trùng với dòng 3")
    assert_problem(problems, "Trang 'Đơn vị', dòng 6", "chưa có mã")
    assert_problem(problems, "Trang 'Đơn vị', dòng 7", "chưa có tên")


def test_no_units(tmp_path):
    sheets = small_book()
    sheets["Đơn vị"] = sheets["Đơn vị"][:1]
    assert_problem(problems_of(tmp_path, sheets), "Trang 'Đơn vị'", "chưa có đơn vị nào")


# --------------------------------------------------------------------------- the default book


def test_default_book():
    book = load_book(DEFAULT_BOOK)
    scored_groups = [
        c for c in book.criteria if c.is_group and c.depth == 0 and book.children(c.code)[0].kind is Kind.SCORED
    ]
    assert [g.code for g in scored_groups] == ["I", "II", "III", "IV"]
    assert sum(g.max_points for g in scored_groups) == 100
    assert [g.max_points for g in scored_groups] == [20, 45, 15, 20]
    assert book.bonus_cap == 10 and book.step == Decimal("0.25")
    assert len(book.units) == 8 and book.units[0].name == "UBND huyện Triệu Sơn"
    thresholds = [lv.min_total for lv in book.levels]
    assert thresholds == sorted(thresholds, reverse=True)
    assert [lv.name for lv in book.levels] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert [c.kind for c in book.children("V")] == [Kind.BONUS] * 3
    assert [c.kind for c in book.children("VI")] == [Kind.PENALTY] * 3 + [Kind.DISQUALIFIER]
    assert book.awards[0].award == "Cờ thi đua của UBND tỉnh" and book.awards[0].min_level == "Xuất sắc"
    assert book.tiebreak == ("II", "Điểm trừ ít hơn", "Điểm thưởng nhiều hơn", "Nhiều tiêu chí đạt tối đa hơn")
    assert book.place == "Triệu Sơn" and book.deadline == "15/12/2025" and book.year == 2025
    assert all(c.guidance for c in book.leaves)
    assert book.fingerprint == load_book(DEFAULT_BOOK).fingerprint


def test_default_book_guide_prints_within_the_page():
    assert_prints_on_a4(openpyxl.load_workbook(DEFAULT_BOOK)["Hướng dẫn"])


def test_default_book_is_reproducible(tmp_path):
    out = tmp_path / "bo_tieu_chi.xlsx"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_default_book.py"), str(out)], check=True)
    assert out.read_bytes() == DEFAULT_BOOK.read_bytes()


def test_libreoffice_resaved_book_loads_the_same(tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) không có trên máy này")
    src = tmp_path / "src" / "bo_tieu_chi.xlsx"
    src.parent.mkdir()
    shutil.copy(DEFAULT_BOOK, src)
    outdir = tmp_path / "out"
    profile = (tmp_path / "lo_profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    resaved = load_book(outdir / "bo_tieu_chi.xlsx")
    assert resaved == load_book(DEFAULT_BOOK)
