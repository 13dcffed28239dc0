"""History (issue 16): three years of built data — 2024 typed by hand, 2025 consolidated and archived by the
tool, 2026 consolidated now — with one unit merged from two (XA + XB → XM in 2026), one renamed (TX → TX2
in 2025), bad history rows, and award screens declared in the book."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import ttdk_xl
from tests.conftest import fill, full_entries, make_book
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.errors import BookError
from ttdk_xl.core.models import AwardQuota, Book, Screens, Unit
from ttdk_xl.history.eligibility import screen, screen_proposals
from ttdk_xl.history.files import load_history
from ttdk_xl.history.frame import trend_frame
from ttdk_xl.history.rotation import propose_head_deputy
from ttdk_xl.history.trend import trends
from ttdk_xl.outputs.ballots import eligible

D = Decimal

UNITS_2025 = [
    Unit("TS", "UBND huyện Triệu Sơn", "huyện"),
    Unit("NC", "UBND huyện Nông Cống", "huyện"),
    Unit("XA", "UBND xã An Nông", "xã"),
    Unit("XB", "UBND xã Bình Sơn", "xã"),
    Unit("TX2", "UBND thị xã Thọ Xuân", "thị xã"),
    Unit("YD", "UBND huyện Yên Định", "huyện"),
]
UNITS_2026 = [UNITS_2025[0], UNITS_2025[1], Unit("XM", "UBND xã Minh Sơn", "xã"), UNITS_2025[4], UNITS_2025[5]]
# Self-scores: total = 60 + I.2 (every other scored criterion at its max, no bonus, no penalty).
TOTALS_2025 = {"TS": 95, "XB": 92, "NC": 88, "TX2": 85, "XA": 82, "YD": 70}
TOTALS_2026 = {"TX2": 96, "TS": 93, "XM": 91, "NC": 89, "YD": 75}

HAND_HEADER = [
    "Năm",
    "Mã đơn vị",
    "Tên đơn vị",
    "Tổng điểm",
    "Xếp hạng",
    "Xếp loại",
    "Khen thưởng",
    "Vai trò trong Cụm",
]
HAND_2024 = [
    [2024, "NC", "UBND huyện Nông Cống", 93, 1, "Xuất sắc", "Cờ thi đua của UBND tỉnh", "Trưởng cụm"],
    [2024, "XB", "UBND xã Bình Sơn", 91, 2, "Xuất sắc", "Bằng khen của Chủ tịch UBND tỉnh", None],
    [2024, "TS", "UBND huyện Triệu Sơn", 90, 3, "Xuất sắc", "Bằng khen của Chủ tịch UBND tỉnh", "Phó cụm"],
    [2024, "TX", "UBND huyện Thọ Xuân", "86,5", 4, "Tốt", None, None],
    [2024, "XA", "UBND xã An Nông", 80, 5, "Tốt", None, None],
    [2024, "YD", "UBND huyện Yên Định", 60, 6, "Trung bình", None, None],
]
CODES_2025 = [
    ["Mã cũ", "Tên cũ", "Mã mới", "Năm đổi", "Ghi chú"],
    ["TX", "UBND huyện Thọ Xuân", "TX2", 2025, "đổi tên"],
]
CODES_2026 = [
    *CODES_2025,
    ["XA", "UBND xã An Nông", "XM", 2026, "hợp nhất"],
    ["XB", "UBND xã Bình Sơn", "XM", 2026, "hợp nhất"],
]
BAD_ROWS = [  # rows 8–11 of `Kết quả các năm` in the 2026 folder
    [2024, "ZZ", "UBND xã Không Có", 70, 7, "Khá", None, None],  # unknown unit
    [2024, "TS", "UBND huyện Triệu Sơn", 91, 3, "Xuất sắc", None, None],  # TS 2024 twice
    [2023, "YD", "UBND huyện Yên Định", "tám mươi", 2, "Tốt", None, None],  # total not a number
    [2027, "NC", "UBND huyện Nông Cống", 90, 1, "Xuất sắc", None, None],  # a year not yet over
]

BK = "Bằng khen của Chủ tịch UBND tỉnh"


def book_sheets(book: Book, info: dict | None = None, extra: dict | None = None) -> dict:
    kinds = {c.code: c for c in book.criteria}
    return {
        "Thông tin": [
            ["Tên cụm", book.cluster_name],
            ["Cơ quan cấp trên", book.parent_body],
            ["Năm", book.year],
            ["Đơn vị trưởng cụm", book.head_unit],
            ["Đơn vị phó cụm", book.deputy_unit],
            ["Hạn nộp", f"15/12/{book.year}"],
            ["Bước điểm", 0.25],
            ["Điểm thưởng tối đa", 5],
            *[[k, v] for k, v in (info or {}).items()],
        ],
        "Tiêu chí": [["Mã", "Nội dung tiêu chí", "Điểm tối đa", "Loại", "Bắt buộc giải trình", "Hướng dẫn chấm"]]
        + [[c.code, c.text, float(c.max_points), c.kind.value, c.explain.value, ""] for c in kinds.values()],
        "Đơn vị": [["Mã đơn vị", "Tên đơn vị", "Cấp"]] + [[u.code, u.name, u.level] for u in book.units],
        "Xếp loại": [["Mức", "Từ điểm"]] + [[lv.name, float(lv.min_total)] for lv in book.levels],
        "Khen thưởng": [["Hạng", "Hình thức đề nghị", "Xếp loại tối thiểu"]]
        + [[a.rank, a.award, a.min_level] for a in book.awards],
        **(extra or {}),
    }


def write_xlsx(path: Path, sheets: dict) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def year_folder(root: Path, year: int, units: list[Unit], head: str, deputy: str, totals: dict, **book_kw) -> Path:
    """A year folder as `ttdk-xl init` makes it: the book, the units' returned workbooks in hop_thu/."""
    folder = root / str(year)
    base = replace(make_book(len(units), year=year, head_unit=head, deputy_unit=deputy), units=tuple(units))
    write_xlsx(folder / "bo_tieu_chi.xlsx", book_sheets(base, **book_kw))
    book = load_book(folder / "bo_tieu_chi.xlsx")
    for i, u in enumerate(book.units):
        fill(book, i, folder / "hop_thu" / f"{u.code}.xlsx", full_entries(book, I_2=D(totals[u.code] - 60)))
    return folder


SCREENS_2026 = {
    "Điều kiện khen thưởng": [
        ["Hình thức khen thưởng", "Số năm liên tục", "Xếp loại hoặc danh hiệu", "Căn cứ"],
        [BK, 2, "Xuất sắc; Tập thể lao động xuất sắc", "QĐ 86/2025/QĐ-UBND, Điều 3"],
    ],
    "Đơn vị không đề nghị": [["Mã đơn vị", "Lý do", "Căn cứ"], ["TX2", "đang bị thanh tra", "Công văn 12/SNV"]],
}


@pytest.fixture(scope="module")
def three_years(tmp_path_factory) -> Path:
    return build_three_years(tmp_path_factory.mktemp("years"))


def build_three_years(root: Path) -> Path:
    # 2025: consolidated with 2024 typed by hand (and TX renamed TX2) in its lich_su/
    y25 = year_folder(root, 2025, UNITS_2025, "UBND huyện Triệu Sơn", "UBND huyện Nông Cống", TOTALS_2025)
    write_xlsx(
        y25 / "lich_su" / "lich_su.xlsx", {"Kết quả các năm": [HAND_HEADER, *HAND_2024], "Đổi mã đơn vị": CODES_2025}
    )
    ttdk_xl.consolidate(y25 / "hop_thu", out=y25 / "ket_qua")
    # 2026: the next-year step archived 2025; the office keeps 2024 by hand, adds the merger, and mistypes some rows
    y26 = year_folder(root, 2026, UNITS_2026, "UBND huyện Nông Cống", "UBND xã Minh Sơn", TOTALS_2026,
                      extra=SCREENS_2026)  # fmt: skip
    (y26 / "lich_su" / "2025").mkdir(parents=True)
    shutil.copy(y25 / "ket_qua" / "ket_qua.json", y26 / "lich_su" / "2025" / "ket_qua.json")
    shutil.copy(y25 / "ket_qua" / "tong_hop.xlsx", y26 / "lich_su" / "2025" / "tong_hop.xlsx")
    rows = [HAND_HEADER, *HAND_2024, *BAD_ROWS]
    write_xlsx(y26 / "lich_su" / "lich_su.xlsx", {"Kết quả các năm": rows, "Đổi mã đơn vị": CODES_2026})
    return root


@pytest.fixture(scope="module")
def result26(three_years):
    y26 = three_years / "2026"
    return ttdk_xl.consolidate(y26 / "hop_thu", out=y26 / "ket_qua")


def _rows(history):
    return [(r.year, r.code, r.unit_code, r.total, r.rank, r.level, r.role) for r in history.rows]


def test_history_reads_the_archived_year_the_hand_filled_one_and_maps_codes(result26):
    h = result26.history
    assert h.years == (2024, 2025)
    assert _rows(h) == [
        (2024, "TS", "TS", D(90), 3, "Xuất sắc", "Phó cụm"),
        (2024, "NC", "NC", D(93), 1, "Xuất sắc", "Trưởng cụm"),
        (2024, "XA", "XM", D(80), 5, "Tốt", ""),
        (2024, "XB", "XM", D(91), 2, "Xuất sắc", ""),
        (2024, "TX", "TX2", D("86.5"), 4, "Tốt", ""),  # typed '86,5'
        (2024, "YD", "YD", D(60), 6, "Trung bình", ""),
        (2025, "TS", "TS", D(95), 1, "Xuất sắc", "Trưởng cụm"),  # roles: from the archived ket_qua.json
        (2025, "NC", "NC", D(88), 3, "Tốt", "Phó cụm"),
        (2025, "XA", "XM", D(82), 5, "Tốt", ""),
        (2025, "XB", "XM", D(92), 2, "Xuất sắc", ""),
        (2025, "TX2", "TX2", D(85), 4, "Tốt", ""),
        (2025, "YD", "YD", D(70), 6, "Khá", ""),
    ]
    assert h.former == {"XM": ("XA", "XB"), "TX2": ("TX",)}
    assert h.of("TS")[1].source == "lich_su/2025/ket_qua.json"
    assert h.of("TS")[0].source == "lich_su/lich_su.xlsx › Kết quả các năm › D4"
    assert h.of("TS")[1].groups == {"I": D(55), "II": D(40), "III": D(0), "IV": D(0)}


def test_a_bad_history_row_is_a_finding_naming_file_sheet_and_cell(result26):
    found = {(f.code, f.cell): f for f in result26.history.findings}
    assert sorted(found) == [
        ("history-duplicate", "B9"),
        ("history-future-year", "A11"),
        ("history-not-a-number", "D10"),
        ("history-unknown-unit", "B8"),
    ]
    for f in found.values():
        assert (f.file, f.sheet) == ("lich_su/lich_su.xlsx", "Kết quả các năm")
        assert f.message and f.fix
    assert "'tám mươi'" in found["history-not-a-number", "D10"].message
    assert "Đổi mã đơn vị" in found["history-unknown-unit", "B8"].fix
    # … listed in `Kiểm tra` as warnings: they never block this year's consolidation
    shown = [f for f in result26.findings if f.code.startswith("history-")]
    assert len(shown) == 4 and all(f.severity.value == "Cảnh báo" and not f.unit_code for f in shown)


def test_changes_from_last_year_are_exact(result26):
    ts = {t.unit.code: t for t in trends(result26)}
    assert [(c, t.change_total, t.change_rank, t.rank_text(), t.total_text()) for c, t in ts.items()] == [
        ("TX2", D(11), 3, "▲ 3", "+11"),
        ("TS", D(-2), -1, "▼ 1", "−2"),
        ("XM", None, None, "", ""),
        ("NC", D(1), -1, "▼ 1", "+1"),
        ("YD", D(5), 1, "▲ 1", "+5"),
    ]
    assert ts["XM"].note == (
        "Hợp nhất từ 2 đơn vị; năm 2025: UBND xã An Nông (XA): 82 điểm; UBND xã Bình Sơn (XB): 92 điểm."
    )
    assert ts["TX2"].note == ""  # renamed in 2025: last year already TX2
    assert [p.code for p in ts["TX2"].years[2024]] == ["TX"]
    assert [p.code for p in ts["XM"].years[2024]] == ["XA", "XB"]


def test_screens_decide_the_proposals_and_say_why(result26):
    by = {u.unit.code: u for u in result26.units}
    assert [(c, by[c].rank, by[c].acclaim, by[c].award) for c in ("TX2", "TS", "XM")] == [
        ("TX2", 1, "", ""),
        ("TS", 2, "Nhì", f"Đề nghị tặng {BK}"),
        ("XM", 3, "Ba", ""),
    ]
    assert result26.history.eligibility == {
        "TX2": "Không suy tôn, không đề nghị khen thưởng: đang bị thanh tra (theo Công văn 12/SNV).",
        "TS": f"Đề nghị {BK}: 2 năm liên tục đạt Xuất sắc hoặc Tập thể lao động xuất sắc (2024 Xuất sắc; "
        "2025 Xuất sắc) (theo QĐ 86/2025/QĐ-UBND, Điều 3).",
        "XM": f"Không đề nghị {BK}: năm 2024 UBND xã An Nông xếp loại Tốt, chưa đạt Xuất sắc hoặc Tập thể lao động "
        "xuất sắc (2 năm liên tục, theo QĐ 86/2025/QĐ-UBND, Điều 3).",
    }
    assert by["TX2"].note == result26.history.eligibility["TX2"]  # shown in `Tổng hợp` › Ghi chú
    assert by["NC"].award == "" and "NC" not in result26.history.eligibility
    assert result26.history.blocked == {"TX2"}
    # the acclamation ballot follows: the blocked unit is not on it
    assert [u.code for u in eligible(result26)] == ["TS", "XM", "NC", "YD"]


def test_a_quota_keeps_the_first_proposals_in_rank_order(result26):
    quota = Screens(quotas=(AwardQuota(BK, share=D("0.2"), basis="Hướng dẫn 5/HD-SNV"),))
    book = replace(result26.book, screens=quota)
    base = replace(result26, book=book, units=tuple(replace(u, award=_award(u)) for u in result26.units))
    out = screen(base)
    by = {u.unit.code: u for u in out.units}
    assert by["TS"].award == f"Đề nghị tặng {BK}"
    assert by["XM"].award == ""
    assert out.history.eligibility["XM"] == (
        f"Không đề nghị {BK}: vượt số lượng tối đa (20% số đơn vị của Cụm, 1 đơn vị, theo Hướng dẫn 5/HD-SNV); "
        "đã đủ số đơn vị xếp trên."
    )


def _award(u):
    return {1: "Đề nghị tặng Cờ thi đua của UBND tỉnh", 2: f"Đề nghị tặng {BK}", 3: f"Đề nghị tặng {BK}"}.get(
        u.rank, ""
    )


def test_head_and_deputy_from_history(result26):
    head, deputy, reason = propose_head_deputy(result26.book, result26.history)
    assert (head.code, deputy.code) == ("XM", "TX2")
    assert reason == (
        "Đơn vị lâu nhất chưa làm Cụm trưởng: UBND xã Minh Sơn chưa làm Cụm trưởng năm nào trong 2024–2026; "
        "kế tiếp: UBND thị xã Thọ Xuân chưa làm Cụm trưởng năm nào trong 2024–2026."
    )
    # the book states another rule: this year's deputy becomes head, the next in book order deputy
    book = replace(result26.book, extra_info=(("Cách đề xuất Cụm trưởng", "Luân phiên theo danh sách"),))
    head, deputy, _ = propose_head_deputy(book, result26.history)
    assert (head.code, deputy.code) == ("XM", "TX2")
    # without history, as before; with TS head this year, the longest waiting is XM (never), then TX2
    book = replace(result26.book, head_unit="UBND huyện Yên Định", deputy_unit="UBND huyện Triệu Sơn")
    assert [u.code for u in propose_head_deputy(book, None)[:2]] == ["TS", "NC"]
    assert [u.code for u in propose_head_deputy(book, result26.history)[:2]] == ["XM", "TX2"]


def test_ket_qua_json_has_the_history_fields(three_years, result26):
    doc = json.loads((three_years / "2026" / "ket_qua" / "ket_qua.json").read_text(encoding="utf-8"))
    h = doc["history"]
    assert h["years"] == [2024, 2025]
    assert h["roles"] == {"head": "NC", "deputy": "XM"}
    units = {u["code"]: u for u in h["units"]}
    assert (units["TX2"]["change_total"], units["TX2"]["change_rank"]) == ("11", 3)
    assert units["XM"]["change_total"] is None and units["XM"]["note"].startswith("Hợp nhất từ 2 đơn vị")
    assert [(y["year"], y["code"], y["total"], y["rank"]) for y in units["XM"]["years"]] == [
        (2024, "XA", "80", 5),
        (2024, "XB", "91", 2),
        (2025, "XA", "82", 5),
        (2025, "XB", "92", 2),
    ]
    assert units["TS"]["eligibility"].startswith(f"Đề nghị {BK}")
    assert len(h["findings"]) == 4


def test_summary_has_the_years_sheet(three_years, result26):
    wb = openpyxl.load_workbook(three_years / "2026" / "ket_qua" / "tong_hop.xlsx")
    assert wb.sheetnames[-1] == "Qua các năm"
    ws = wb["Qua các năm"]
    header = [c.value for c in ws[4]]
    assert header[:11] == ["STT", "Mã đơn vị", "Đơn vị", "Tổng điểm 2024", "Hạng 2024", "Tổng điểm 2025", "Hạng 2025",
                           "Tổng điểm 2026", "Hạng 2026", "Tăng, giảm điểm so với 2025", "Thay đổi hạng"]  # fmt: skip
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=11)]
    assert [r[:11] for r in rows] == [
        [1, "TX2", "UBND thị xã Thọ Xuân", 86.5, 4, 85, 4, 96, 1, 11, "▲ 3"],
        [2, "TS", "UBND huyện Triệu Sơn", 90, 3, 95, 1, 93, 2, -2, "▼ 1"],
        [3, "XM", "UBND xã Minh Sơn", "hợp nhất ↓", None, "hợp nhất ↓", None, 91, 3, None, ""],
        [None, "XA", "↳ UBND xã An Nông", 80, 5, 82, 5, None, None, None, None],
        [None, "XB", "↳ UBND xã Bình Sơn", 91, 2, 92, 2, None, None, None, None],
        [4, "NC", "UBND huyện Nông Cống", 93, 1, 88, 3, 89, 4, 1, "▼ 1"],
        [5, "YD", "UBND huyện Yên Định", 60, 6, 70, 6, 75, 5, 5, "▲ 1"],
    ]
    assert rows[0][11] == "Không suy tôn, không đề nghị khen thưởng: đang bị thanh tra (theo Công văn 12/SNV)."
    assert ws._charts, "a chart of the totals over the years"


def test_report_has_the_changes_and_the_eligibility(three_years, result26):
    from docx import Document

    doc = Document(str(three_years / "2026" / "ket_qua" / "bao_cao.docx"))
    text = [p.text for p in doc.paragraphs]
    i = text.index("Thay đổi so với năm 2025")
    assert text[i + 1].startswith(
        "So với năm 2025, 02 đơn vị tăng hạng, 02 đơn vị giảm hạng; tăng nhiều nhất là UBND thị xã Thọ Xuân "
        "(▲ 3 bậc, +11 điểm)."
    )
    assert text[i + 2 : i + 4] == ["", "2. Đề nghị suy tôn, khen thưởng"]  # the table, a spacer, the heading
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][2:3] == ["Tổng điểm năm 2025"])
    assert [[c.text for c in r.cells] for r in table.rows[1:3]] == [
        ["1", "UBND thị xã Thọ Xuân", "85", "96", "+11", "4", "1", "▲ 3"],
        ["2", "UBND huyện Triệu Sơn", "95", "93", "−2", "1", "2", "▼ 1"],
    ]
    assert [c.text for c in table.rows[3].cells][2:] == ["(hợp nhất)", "91", "", "—", "3", ""]
    assert any(t.startswith("- UBND xã Minh Sơn: Không đề nghị Bằng khen") for t in text)
    assert "- Cụm trưởng năm 2027: UBND xã Minh Sơn (chưa làm Cụm trưởng năm nào trong 2024–2026);" in text
    # the awards the report proposes follow the screens
    assert not any(t.startswith("- UBND thị xã Thọ Xuân (Nhất): đề nghị tặng") for t in text)


def test_archived_summary_workbook_is_read_when_there_is_no_json(three_years, tmp_path):
    y26 = tmp_path / "2026"
    shutil.copytree(three_years / "2026", y26, ignore=shutil.ignore_patterns("ket_qua"))
    (y26 / "lich_su" / "2025" / "ket_qua.json").unlink()
    book = load_book(y26 / "bo_tieu_chi.xlsx")
    h = load_history(y26, book)
    assert [(r.year, r.code, r.total, r.rank, r.level) for r in h.rows if r.year == 2025] == [
        (2025, "TS", D(95), 1, "Xuất sắc"),
        (2025, "NC", D(88), 3, "Tốt"),
        (2025, "XA", D(82), 5, "Tốt"),
        (2025, "XB", D(92), 2, "Xuất sắc"),
        (2025, "TX2", D(85), 4, "Tốt"),
        (2025, "YD", D(70), 6, "Khá"),
    ]


def test_api_returns_the_frame(three_years, result26):
    frame = ttdk_xl.history_frame(three_years / "2026")
    assert list(frame.columns) == ["year", "unit_code", "code", "name", "total", "rank", "level", "award", "role",
                                   "source"]  # fmt: skip
    assert frame.groupby("year").size().to_dict() == {2024: 6, 2025: 6, 2026: 5}
    xm = ttdk_xl.history_frame(three_years / "2026", unit="XA")  # a former code finds today's unit
    assert xm[["year", "code", "total"]].values.tolist() == [
        [2024, "XA", 80.0], [2024, "XB", 91.0], [2025, "XA", 82.0], [2025, "XB", 92.0], [2026, "XM", 91.0]
    ]  # fmt: skip
    wide = trend_frame(result26)
    assert wide.loc[wide.code == "TX2", ["total_2024", "total_2025", "total_2026", "change_total", "change_rank"]
                    ].values.tolist() == [[86.5, 85.0, 96.0, 11.0, 3]]  # fmt: skip


def test_cli_prints_the_years_and_makes_the_template(three_years, tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["lich-su", str(three_years / "2026")])
    assert out.exit_code == 1, out.output  # bad rows: to fix
    lines = out.output.splitlines()
    assert any(line.split() == ["TX2", "UBND", "thị", "xã", "Thọ", "Xuân", "TX", "86,5", "(4)", "85", "(4)", "96",
                                "(1)", "+11", "điểm,", "▲", "3"] for line in lines), out.output  # fmt: skip
    assert any("XA 80 (5) + XB 91 (2)" in line and "hợp nhất" in line for line in lines)
    assert "lich_su/lich_su.xlsx › Kết quả các năm › D10" in out.output
    out = runner.invoke(cli, ["lich-su", str(three_years / "2026"), "--don-vi", "YD"])
    assert [line.split()[0] for line in out.output.splitlines()[1:3]] == ["Mã", "YD"]

    y = tmp_path / "2026"
    shutil.copytree(three_years / "2026", y, ignore=shutil.ignore_patterns("lich_su", "ket_qua"))
    out = runner.invoke(cli, ["lich-su", str(y)])
    assert out.exit_code == 0 and "Chưa có lịch sử" in out.output
    out = runner.invoke(cli, ["lich-su", str(y), "--tao-mau"])
    assert out.exit_code == 0 and (y / "lich_su" / "lich_su.xlsx").is_file(), out.output
    wb = openpyxl.load_workbook(y / "lich_su" / "lich_su.xlsx")
    assert wb.sheetnames == ["Kết quả các năm", "Đổi mã đơn vị", "Hướng dẫn"]
    assert [c.value for c in wb["Kết quả các năm"][1]] == HAND_HEADER
    assert wb["Kết quả các năm"].data_validations.dataValidation  # checked as typed
    out = runner.invoke(cli, ["lich-su", str(y), "--tao-mau"])
    assert "không ghi đè" in out.output
    # typed by hand, then read back
    ws = wb["Kết quả các năm"]
    ws.append([2025, "TS", "UBND huyện Triệu Sơn", 95, 1, "Xuất sắc", None, "Trưởng cụm"])
    wb.save(y / "lich_su" / "lich_su.xlsx")
    h = load_history(y, load_book(y / "bo_tieu_chi.xlsx"))
    assert _rows(h) == [(2025, "TS", "TS", D(95), 1, "Xuất sắc", "Trưởng cụm")] and not h.findings


def test_a_folder_without_history_keeps_todays_outputs(three_years, tmp_path):
    """No lich_su/ and no screens in the book: no history, no new sheet, key or section — and no pandas."""
    y = tmp_path / "2026"
    shutil.copytree(three_years / "2026", y, ignore=shutil.ignore_patterns("lich_su", "ket_qua"))
    sheets = book_sheets(replace(make_book(5, year=2026), units=tuple(UNITS_2026), head_unit="UBND huyện Nông Cống",
                                 deputy_unit="UBND xã Minh Sơn"))  # fmt: skip
    write_xlsx(y / "bo_tieu_chi.xlsx", sheets)
    code = (
        "import sys, ttdk_xl; r = ttdk_xl.consolidate(sys.argv[1], out=sys.argv[2]); "
        "print(r.history is None, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(y / "hop_thu"), str(y / "ket_qua")], capture_output=True,
                          text=True, check=True, cwd=Path(__file__).parents[1])  # fmt: skip
    assert done.stdout.split() == ["True", "False"], done.stderr
    doc = json.loads((y / "ket_qua" / "ket_qua.json").read_text(encoding="utf-8"))
    assert "history" not in doc
    assert "Qua các năm" not in openpyxl.load_workbook(y / "ket_qua" / "tong_hop.xlsx").sheetnames
    by = {u["code"]: u for u in doc["units"]}
    assert by["TX2"]["award"] == "Đề nghị tặng Cờ thi đua của UBND tỉnh"  # no screens: as before


def test_bad_screen_rows_are_book_problems(tmp_path):
    base = replace(make_book(5, year=2026), units=tuple(UNITS_2026))
    extra = {
        "Điều kiện khen thưởng": [
            ["Hình thức khen thưởng", "Số năm liên tục", "Xếp loại hoặc danh hiệu", "Căn cứ"],
            ["Huân chương Lao động", 2, "Xuất sắc", None],
            [BK, "hai", "Xuất sắc", None],
        ],
        "Đơn vị không đề nghị": [["Mã đơn vị", "Lý do"], ["QQ", "đang bị thanh tra"], ["TS", None]],
        "Số lượng khen thưởng": [["Hình thức khen thưởng", "Số lượng tối đa", "Tỷ lệ tối đa (%)"], [BK, None, 150]],
    }
    path = write_xlsx(tmp_path / "bo_tieu_chi.xlsx", book_sheets(base, extra=extra))
    with pytest.raises(BookError) as info:
        load_book(path)
    problems = "\n".join(info.value.problems)
    for part in (
        "Trang 'Điều kiện khen thưởng', dòng 2: hình thức khen thưởng 'Huân chương Lao động' không có",
        "Trang 'Điều kiện khen thưởng', dòng 3: số năm liên tục 'hai' không hợp lệ",
        "Trang 'Đơn vị không đề nghị', dòng 2: mã đơn vị 'QQ' không có",
        "Trang 'Đơn vị không đề nghị', dòng 3: chưa ghi lý do",
        "Trang 'Số lượng khen thưởng', dòng 2: tỷ lệ tối đa '150' không hợp lệ",
    ):
        assert part in problems, problems
    good = load_book(write_xlsx(tmp_path / "ok.xlsx", book_sheets(base, extra=SCREENS_2026)))
    assert good.screens.blocked[0].unit_code == "TX2"
    assert good.screens.conditions[0].accepted == ("Xuất sắc", "Tập thể lao động xuất sắc")
    assert not load_book(write_xlsx(tmp_path / "none.xlsx", book_sheets(base))).screens


def test_import_a_year_and_code_map_edge_cases(three_years, tmp_path):
    """`--nhap` files an earlier year's results under lich_su/<year>/ (the year read from the file); a unit
    renamed twice follows the chain; a new code the book does not have is a finding naming its cell."""
    y = tmp_path / "2026"
    shutil.copytree(three_years / "2026", y, ignore=shutil.ignore_patterns("lich_su", "ket_qua"))
    runner = CliRunner()
    out = runner.invoke(cli, ["lich-su", str(y), "--nhap", str(three_years / "2025" / "ket_qua" / "tong_hop.xlsx")])
    assert out.exit_code == 0, out.output
    assert (y / "lich_su" / "2025" / "tong_hop.xlsx").is_file() and "Đã nhập kết quả năm 2025" in out.output
    again = runner.invoke(cli, ["lich-su", str(y), "--nhap", str(three_years / "2025" / "ket_qua" / "ket_qua.json")])
    assert again.exit_code == 0  # json beside the workbook: json is read first
    twice = runner.invoke(cli, ["lich-su", str(y), "--nhap", str(three_years / "2025" / "ket_qua" / "ket_qua.json")])
    assert twice.exit_code == 1 and "đã có" in twice.output
    codes = [
        ["Mã cũ", "Tên cũ", "Mã mới"],
        ["T0", "Huyện Thọ Xuân (cũ)", "TX"],  # T0 → TX → TX2
        ["TX", "UBND huyện Thọ Xuân", "TX2"],
        ["XA", "UBND xã An Nông", "XM"],
        ["XB", "UBND xã Bình Sơn", "XN"],  # not in the book
    ]
    rows = [
        HAND_HEADER,
        [2023, "T0", "Huyện Thọ Xuân", 70, 5, "Khá", None, None],
        [2023, "XB", "x", 80, 2, None, None, None],
    ]
    write_xlsx(y / "lich_su" / "lich_su.xlsx", {"Kết quả các năm": rows, "Đổi mã đơn vị": codes})
    h = load_history(y, load_book(y / "bo_tieu_chi.xlsx"))
    assert [(r.year, r.code, r.unit_code) for r in h.of("TX2")] == [(2023, "T0", "TX2"), (2025, "TX2", "TX2")]
    found = [(f.code, f.file, f.sheet, f.cell) for f in h.findings]
    assert found == [
        ("history-code-map-unknown", "lich_su/lich_su.xlsx", "Đổi mã đơn vị", "C5"),
        ("history-unknown-unit", "lich_su/2025/ket_qua.json", "", ""),  # XB in 2025, mapped to nothing
        ("history-unknown-unit", "lich_su/lich_su.xlsx", "Kết quả các năm", "B3"),
    ]
    assert "'XB'" in h.findings[1].message


def test_the_dossier_can_screen_the_proposals_of_the_vote(result26):
    """The vote may order the places otherwise than the ranks: the same screens, in the vote's order."""
    unit = {u.unit.code: u.unit for u in result26.units}
    verdicts = screen_proposals(
        result26.book,
        result26.history,
        [(unit["XM"], "Cờ thi đua của UBND tỉnh"), (unit["TS"], BK), (unit["TX2"], BK)],
    )
    assert verdicts == [
        (True, "Đề nghị Cờ thi đua của UBND tỉnh."),
        (True, result26.history.eligibility["TS"]),
        (False, "Không suy tôn, không đề nghị khen thưởng: đang bị thanh tra (theo Công văn 12/SNV)."),
    ]


def test_the_dossier_follows_the_screens(tmp_path):
    """The Tờ trình and the list annex propose what the vote gave, screened like the draft (here a quota)."""
    from tests.test_dossier import year_folder as dossier_folder
    from ttdk_xl.pipeline.dossier import make_dossier

    book = make_book(screens=Screens(quotas=(AwardQuota(BK, count=1),)))
    root, _ = dossier_folder(tmp_path, book=book)  # voted: U1 Nhất, U2 Nhì, U3 Ba
    outcome = make_dossier(root, book=book)
    warned = [f for f in outcome.findings if f.code == "dossier-no-award"]
    assert [f.unit_code for f in warned] == ["U3"]
    assert warned[0].message.endswith(
        f"được suy tôn Ba nhưng không được đề nghị khen thưởng: không đề nghị {BK}: vượt số lượng tối đa "
        "(1 đơn vị); đã đủ số đơn vị xếp trên."
    )
    rows = [r[1] for r in openpyxl.load_workbook(outcome.paths[3]).active.iter_rows(values_only=True)]
    assert "UBND huyện Nông Cống" in rows and "UBND huyện Thọ Xuân" not in rows


def test_the_final_report_after_the_vote_has_the_history_part(three_years, tmp_path):
    """ho-so's final report (heading '2. Kết quả suy tôn…') gets the same part; the Tờ trình none."""
    from docx import Document

    from tests.test_ballots import enter
    from ttdk_xl.outputs.ballots import write_ballots
    from ttdk_xl.pipeline.dossier import make_dossier

    y = tmp_path / "2026"
    shutil.copytree(three_years / "2026", y, ignore=shutil.ignore_patterns("ket_qua"))
    result = ttdk_xl.consolidate(y / "hop_thu")
    sheet = write_ballots(result, y / "bo_phieu")[2]
    enter(sheet, present=5, ballots={"suy_ton": ["TS XM NC"] * 5, "cum_truong": ["XM"] * 5, "cum_pho": ["TX2"] * 5})
    outcome = make_dossier(y)
    assert outcome.ok, outcome.findings
    final = [p.text for p in Document(str(y / "ho_so" / "bao_cao.docx")).paragraphs]
    i = final.index("Thay đổi so với năm 2025")
    assert final[i + 3] == "2. Kết quả suy tôn, đề nghị khen thưởng"
    assert "Thay đổi so với năm 2025" not in [p.text for p in Document(str(y / "ho_so" / "to_trinh.docx")).paragraphs]
