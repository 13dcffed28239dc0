"""tong_hop.xlsx and ket_qua.json: sheets, headers, values, text safety, determinism."""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from ttdk_xl.core.layout import SUMMARY_HEADER_ROW, SUMMARY_SHEETS
from ttdk_xl.core.models import (
    AwardRule,
    Book,
    Criterion,
    ExplainRule,
    Finding,
    Kind,
    Level,
    Result,
    Severity,
    Source,
    SourceState,
    Status,
    Unit,
    UnitResult,
)
from ttdk_xl.outputs import summary as write_xlsx
from ttdk_xl.outputs.summary import write_json, write_summary

UNITS = (
    Unit("TS", "Huyện Triệu Sơn"),
    Unit("NC", "Huyện Nông Cống"),
    Unit("TH", "Huyện Thọ Xuân"),
    Unit("NT", "Huyện Như Thanh"),
)


def make_book() -> Book:
    criteria = (
        Criterion("I", "Công tác chỉ đạo, tổ chức thi đua", D(20), Kind.GROUP),
        Criterion("I.1", "Ban hành kế hoạch thi đua", D(10), Kind.SCORED, ExplainRule.BELOW_MAX, parent="I", depth=1),
        Criterion("I.2", "Sơ kết, tổng kết phong trào", D(10), Kind.SCORED, parent="I", depth=1),
        Criterion("II", "Phát triển kinh tế - xã hội", D(20), Kind.GROUP),
        Criterion("II.1", "Tăng trưởng kinh tế", D("15"), Kind.SCORED, parent="II", depth=1),
        Criterion("II.2", "Thu ngân sách", D(5), Kind.SCORED, parent="II", depth=1),
        Criterion("T", "Điểm thưởng: sáng kiến, mô hình mới", D(5), Kind.BONUS),
        Criterion("P", "Điểm trừ: chậm gửi báo cáo", D(5), Kind.PENALTY),
        Criterion("L", "Điểm liệt: để xảy ra vụ việc nghiêm trọng", D(0), Kind.DISQUALIFIER),
    )
    return Book(
        cluster_name="Cụm thi đua số 2",
        parent_body="UBND tỉnh Thanh Hóa",
        year=2025,
        head_unit="Huyện Triệu Sơn",
        deputy_unit="Huyện Nông Cống",
        deadline="2025-12-15",
        step=D("0.25"),
        bonus_cap=D(5),
        criteria=criteria,
        units=UNITS,
        levels=(Level("Xuất sắc", D(35)), Level("Tốt", D(30)), Level("Khá", D(0))),
        awards=(AwardRule(1, "Cờ thi đua của UBND tỉnh", "Xuất sắc"),),
    )


def make_result(rank_invalid: bool = False) -> Result:
    book = make_book()
    a = UnitResult(
        UNITS[0],
        Status.VALID,
        scored=D("37.5"),
        bonus=D(2),
        penalty=D(0),
        total=D("39.5"),
        rank=1,
        acclaim="Nhất",
        level="Xuất sắc",
        award="Đề nghị Cờ thi đua của UBND tỉnh",
        file="inbox/trieu_son.xlsx",
        scores={"I.1": D("9.5"), "I.2": D(10), "II.1": D(13), "II.2": D(5), "T": D(2), "P": D(0), "L": D(0)},
        group_scores={"I": D("19.5"), "II": D(18)},
        explanations={"I.1": "=1+1"},
        full_marks=2,
    )
    b = UnitResult(
        UNITS[1],
        Status.VALID,
        scored=D("30.25"),
        bonus=D(0),
        penalty=D("1.5"),
        total=D("28.75"),
        rank=2,
        level="Khá",
        tied=True,
        disqualified=True,
        note="Đồng hạng – cần Hội nghị bỏ phiếu",
        file="inbox/nong_cong.xlsx",
        scores={"I.1": D(4), "I.2": D("8.25"), "II.1": D(14), "II.2": D(4), "T": D(0), "P": D("1.5"), "L": D(1)},
        group_scores={"I": D("12.25"), "II": D(18)},
        explanations={"I.2": "@x", "I.1": "  "},
    )
    c = UnitResult(
        UNITS[2],
        Status.INVALID,
        scored=D(20),
        bonus=D(0),
        penalty=D(0),
        total=D(20),
        level="Khá",
        note="Có lỗi chặn, chưa xếp hạng",
        file="inbox/tho_xuan.xlsx",
        scores={"I.1": D(5), "I.2": D(5), "II.1": D(5), "II.2": D(5), "T": D(0), "P": D(0), "L": D(0)},
        group_scores={"I": D(10), "II": D(10)},
        explanations={"II.1": "Tăng trưởng 7,5%\nxem báo cáo số 12/BC-UBND"},
    )
    d = UnitResult(UNITS[3], Status.MISSING, note="Chưa gửi bảng tự chấm")
    findings = (
        Finding(
            "score-above-max",
            Severity.ERROR,
            "inbox/tho_xuan.xlsx",
            "Điểm tự chấm 12 lớn hơn điểm tối đa 10.",
            "Sửa lại điểm trong khoảng 0–10.",
            sheet="Tự chấm điểm",
            cell="D12",
            unit_code="TH",
            unit_name="Huyện Thọ Xuân",
        ),
        Finding(
            "number-as-text",
            Severity.WARNING,
            "inbox/nong_cong.xlsx",
            "Đọc “8 điểm” là 8.",
            "Chỉ nhập số.",
            unit_code="NC",
        ),
        Finding(
            "unit-missing",
            Severity.INFO,
            "",
            "Huyện Như Thanh chưa gửi bảng tự chấm.",
            "Nhắc đơn vị gửi.",
            unit_code="NT",
        ),
    )
    sources = (
        Source(
            "inbox/trieu_son.xlsx",
            "a" * 64,
            13_204,
            "2025-12-10T08:30:00",
            SourceState.USED,
            "TS",
            "1",
            "2025-11-01T09:00:00",
        ),
        Source(
            "inbox/nong_cong (1).xlsx",
            "b" * 64,
            13_000,
            "2025-12-09T10:00:00",
            SourceState.SUPERSEDED,
            "NC",
            note="Đã có tệp mới hơn",
        ),
        Source(
            "inbox/~$tho_xuan.xlsx",
            "c" * 64,
            165,
            "2025-12-11T07:00:00",
            SourceState.IGNORED,
            note="Tệp khóa của Office",
        ),
    )
    return Result(book, (a, b, c, d), findings, sources, rank_invalid=rank_invalid)


def rows(path: Path, sheet: str) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "tong_hop.xlsx"
    write_summary(make_result(), path)
    return path


def test_sheets_in_order(out: Path) -> None:
    names = CalamineWorkbook.from_path(str(out)).sheet_names
    assert names == ["Tổng hợp", "Kiểm tra", "Thẩm định", "Chi tiết điểm", "Giải trình", "Nguồn", "Biểu đồ"]


def test_summary_sheet(out: Path) -> None:
    data = rows(out, "Tổng hợp")
    assert data[0][0] == "KẾT QUẢ TỔNG HỢP TỰ CHẤM ĐIỂM THI ĐUA NĂM 2025"
    assert "Cụm thi đua số 2" in data[1][0]
    assert data[SUMMARY_HEADER_ROW] == [
        "STT", "Mã đơn vị", "Đơn vị", "Điểm chấm", "Điểm thưởng", "Điểm trừ", "Tổng điểm",
        "Xếp hạng", "Suy tôn", "Xếp loại", "Đề nghị khen thưởng", "Tình trạng", "Ghi chú",
    ]  # fmt: skip
    body = data[SUMMARY_HEADER_ROW + 1 :]
    assert len(body) == 4
    assert body[0][:12] == [
        1.0, "TS", "Huyện Triệu Sơn", 37.5, 2.0, 0.0, 39.5, 1.0, "Nhất", "Xuất sắc",
        "Đề nghị Cờ thi đua của UBND tỉnh", "Hợp lệ",
    ]  # fmt: skip
    assert body[1][6:8] == [28.75, 2.0]
    assert body[1][12].count("Đồng hạng") == 1  # the note already says it: not repeated
    assert "điểm liệt" in body[1][12]
    assert body[2][7] == "" and body[2][11] == "Có lỗi"
    assert body[3][3:8] == ["", "", "", "", ""] and body[3][11] == "Chưa nộp"
    assert "theo yêu cầu" not in data[2][0]


def test_rank_invalid_note(tmp_path: Path) -> None:
    path = tmp_path / "tong_hop.xlsx"
    write_summary(make_result(rank_invalid=True), path)
    assert "Xếp hạng cả đơn vị có lỗi theo yêu cầu" in rows(path, "Tổng hợp")[2][0]


def test_checks_sheet(out: Path) -> None:
    data = rows(out, "Kiểm tra")
    assert data[SUMMARY_HEADER_ROW] == [
        "STT", "Tệp", "Đơn vị", "Trang tính", "Ô", "Loại lỗi (mã)", "Mức độ", "Nội dung", "Cách khắc phục",
    ]  # fmt: skip
    body = data[SUMMARY_HEADER_ROW + 1 :]
    assert body[0] == [
        1.0, "inbox/tho_xuan.xlsx", "Huyện Thọ Xuân", "Tự chấm điểm", "D12",
        "Điểm vượt tối đa (score-above-max)", "Lỗi",
        "Điểm tự chấm 12 lớn hơn điểm tối đa 10.", "Sửa lại điểm trong khoảng 0–10.",
    ]  # fmt: skip
    assert body[1][2] == "Huyện Nông Cống"  # name looked up from the unit code
    assert [r[6] for r in body] == ["Lỗi", "Cảnh báo", "Ghi chú"]


def test_checks_sheet_without_findings(tmp_path: Path) -> None:
    result = make_result()
    result = Result(result.book, result.units, (), result.sources)
    path = tmp_path / "t.xlsx"
    write_summary(result, path)
    body = rows(path, "Kiểm tra")[SUMMARY_HEADER_ROW + 1 :]
    assert len(body) == 1 and body[0][0] == "Không có lỗi nào."


def test_matrix_sheet(out: Path) -> None:
    data = rows(out, "Chi tiết điểm")
    assert data[SUMMARY_HEADER_ROW] == [
        "Mã", "Nội dung tiêu chí", "Điểm tối đa", "Huyện Triệu Sơn", "Huyện Nông Cống", "Huyện Thọ Xuân",
        "Trung bình cụm (2 đơn vị xếp hạng)",
    ]  # fmt: skip
    by_code = {r[0]: r for r in data[SUMMARY_HEADER_ROW + 1 :]}
    assert by_code["I"][2:] == [20.0, 19.5, 12.25, 10.0, 15.88]  # the average: ranked units only (not Thọ Xuân)
    assert by_code["I.2"][3:6] == [10.0, 8.25, 5.0]
    assert by_code["L"][2:] == ["", "Không", "Có", "Không", ""]
    total = next(r for r in data if r[1] == "TỔNG ĐIỂM")
    assert total[2:] == [40.0, 39.5, 28.75, 20.0, 34.13]
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet3.xml").decode()
    assert "<conditionalFormatting" in xml


def test_matrix_transposed_for_many_units(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write_xlsx, "MATRIX_MAX_UNITS", 2)
    path = tmp_path / "t.xlsx"
    write_summary(make_result(), path)
    data = rows(path, "Chi tiết điểm")
    header = data[SUMMARY_HEADER_ROW]
    assert header[:3] == ["Mã đơn vị", "Đơn vị", "I"] and header[-2:] == ["Tổng điểm", "Xếp hạng"]
    assert data[SUMMARY_HEADER_ROW + 1][1] == "Điểm tối đa"
    ts = next(r for r in data if r[0] == "TS")
    assert ts[header.index("I.1")] == 9.5 and ts[header.index("L")] == "Không" and ts[-2:] == [39.5, 1.0]
    assert data[-1][1] == "Trung bình cụm (2 đơn vị xếp hạng)"


def test_explanations_are_text_never_formulas(out: Path) -> None:
    data = rows(out, "Giải trình")
    assert data[SUMMARY_HEADER_ROW] == ["Mã", "Nội dung tiêu chí", "Đơn vị", "Điểm", "Giải trình, minh chứng"]
    body = data[SUMMARY_HEADER_ROW + 1 :]
    assert [(r[0], r[2], r[3], r[4]) for r in body] == [
        ("I.1", "Huyện Triệu Sơn", 9.5, "=1+1"),
        ("I.2", "Huyện Nông Cống", 8.25, "@x"),
        ("II.1", "Huyện Thọ Xuân", 5.0, "Tăng trưởng 7,5%\nxem báo cáo số 12/BC-UBND"),
    ]
    # The only formulas are the sums of the editable `Thẩm định` sheet (third sheet), built from cell references.
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                formulas = re.findall(r"<f>(.*?)</f>", z.read(name).decode())
                if name != "xl/worksheets/sheet3.xml":
                    assert not formulas, name
                assert formulas == [f for f in formulas if re.fullmatch(r"(SUM|MIN|[A-Z]+[0-9]+|[-+(),.0-9])*", f)]


def test_sources_sheet(out: Path) -> None:
    data = rows(out, "Nguồn")
    assert data[SUMMARY_HEADER_ROW] == [
        "Tệp", "Mã đơn vị", "SHA-256", "Dung lượng (byte)", "Thời gian sửa", "Phiên bản mẫu",
        "Thời điểm phát hành", "Trạng thái", "Ghi chú",
    ]  # fmt: skip
    body = data[SUMMARY_HEADER_ROW + 1 :]
    assert body[0][:4] == ["inbox/trieu_son.xlsx", "TS", "a" * 64, 13204.0]
    assert [r[7] for r in body] == ["Đã dùng", "Bị thay thế", "Bỏ qua"]


def test_chart_sheet(out: Path) -> None:
    data = rows(out, "Biểu đồ")
    assert [r[:3] for r in data[SUMMARY_HEADER_ROW:]] == [
        ["Xếp hạng", "Đơn vị", "Tổng điểm"],
        [1.0, "Huyện Triệu Sơn", 39.5],
        [2.0, "Huyện Nông Cống", 28.75],
    ]  # not the unranked Thọ Xuân: its total is provisional
    assert "Không thể hiện 1 đơn vị chưa được xếp hạng" in data[2][0]
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert '<c:barDir val="bar"/>' in chart and "Tổng điểm thi đua năm 2025" in chart


def test_json(tmp_path: Path) -> None:
    path = tmp_path / "ket_qua.json"
    write_json(make_result(), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "ttdk-xl/ket_qua@1"
    assert doc["cluster"] == "Cụm thi đua số 2" and doc["year"] == 2025 and doc["rank_invalid"] is False
    assert doc["fingerprint"] == make_book().fingerprint
    ts, nc, _th, nt = doc["units"]
    assert ts["total"] == "39.5" and ts["scored"] == "37.5" and ts["rank"] == 1 and ts["acclaim"] == "Nhất"
    assert ts["scores"] == {"I.1": "9.5", "I.2": "10", "II.1": "13", "II.2": "5", "T": "2", "P": "0", "L": "0"}
    assert list(ts["group_scores"]) == ["I", "II"] and ts["group_scores"]["I"] == "19.5"
    assert nc["total"] == "28.75" and nc["tied"] is True and nc["disqualified"] is True
    assert nt["status"] == "Chưa nộp" and nt["total"] is None and nt["rank"] is None and nt["scores"] == {}
    assert doc["findings"][0]["severity"] == "Lỗi" and doc["findings"][0]["cell"] == "D12"
    assert doc["sources"][1]["state"] == "Bị thay thế" and doc["sources"][0]["size"] == 13204
    assert "Huyện Triệu Sơn" in path.read_text(encoding="utf-8")  # not \u-escaped

    def no_floats(value: object) -> None:
        assert not isinstance(value, float)
        for v in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
            no_floats(v)

    no_floats(doc)


def test_deterministic_and_atomic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        write_summary(make_result(), folder / "tong_hop.xlsx")
        write_json(make_result(), folder / "ket_qua.json")
    for name in ("tong_hop.xlsx", "ket_qua.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    write_summary(make_result(), first / "tong_hop.xlsx")  # overwrite in place
    assert (first / "tong_hop.xlsx").read_bytes() == (second / "tong_hop.xlsx").read_bytes()
    assert sorted(p.name for p in first.iterdir()) == ["ket_qua.json", "tong_hop.xlsx"]  # no temp files left


def test_failed_write_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tong_hop.xlsx"
    path.write_bytes(b"old")

    def boom(self: object) -> None:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(write_xlsx._Writer, "chart", boom)
    with pytest.raises(RuntimeError):
        write_summary(make_result(), path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["tong_hop.xlsx"]


def test_constant_memory_mode_gives_same_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    normal = tmp_path / "n.xlsx"
    write_summary(make_result(), normal)
    monkeypatch.setattr(write_xlsx, "CONSTANT_MEMORY_UNITS", 0)
    streamed = tmp_path / "s.xlsx"
    write_summary(make_result(), streamed)
    for sheet in SUMMARY_SHEETS:
        assert rows(streamed, sheet) == rows(normal, sheet), sheet


def test_a_province_summary_is_deflated_fast_with_the_same_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above CONSTANT_MEMORY_UNITS the parts are deflated at level 1: the same bytes inside, a bigger zip."""
    import zipfile

    import xlsxwriter.workbook

    real_zipfile = xlsxwriter.workbook.ZipFile
    monkeypatch.setattr(write_xlsx, "CONSTANT_MEMORY_UNITS", 0)
    fast = tmp_path / "fast.xlsx"
    write_summary(make_result(), fast)
    assert xlsxwriter.workbook.ZipFile is real_zipfile  # put back after closing
    monkeypatch.setattr(write_xlsx, "close_with_level", lambda wb, level: wb.close())
    usual = tmp_path / "usual.xlsx"
    write_summary(make_result(), usual)
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(usual) as b:
        assert a.namelist() == b.namelist()
        assert all(a.read(n) == b.read(n) for n in a.namelist())
        assert sum(i.compress_size for i in a.infolist()) > sum(i.compress_size for i in b.infolist())
