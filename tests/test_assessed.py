"""Agreed scores: the `Thẩm định` sheet of tong_hop.xlsx, edited like an office would, read back and applied."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

import ttdk_xl
from tests.conftest import D, fill, full_entries, make_book, needs_soffice, resave_with_libreoffice
from tests.test_book import small_book, write_book
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.errors import BookError
from ttdk_xl.core.layout import ASSESSED_SHEET
from ttdk_xl.core.models import Severity, Status
from ttdk_xl.forms.template import cell_of
from ttdk_xl.outputs.report import build_context, write_report
from ttdk_xl.rules.assessed import read_assessed

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "input_templates" / "mau_bao_cao.docx"


def make_inbox(book, root: Path) -> Path:
    """Four units; U1 leads on I.2, U2 second, U3 third, U4 last."""
    inbox = root / "hop_thu"
    inbox.mkdir(parents=True)
    for i, u in enumerate(book.units):
        fill(book, i, inbox / f"{u.code}.xlsx", full_entries(book, I_2=(D(40 - 3 * i), "thiếu một nội dung")))
    return inbox


def rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def edit(src: Path, dst: Path, changes: dict[tuple[str, str], tuple[object, str | None]]) -> Path:
    """Type into `Thẩm định` like an office: {(unit code, criterion): (agreed value, reason)}."""
    wb = openpyxl.load_workbook(src)
    ws = wb[ASSESSED_SHEET]
    units = {str(c.value).rsplit("(", 1)[1].rstrip(")"): c.column for c in ws[4] if c.value}
    crit_rows = {ws.cell(r, 1).value: r for r in range(6, ws.max_row + 1)}
    for (unit, code), (value, reason) in changes.items():
        col = units[unit] + 1
        ws.cell(crit_rows[code], col).value = value
        if reason is not None:
            ws.cell(crit_rows[code], col + 1).value = reason
    wb.save(dst)
    return dst


def libreoffice_resave(path: Path, tmp: Path) -> Path:
    return resave_with_libreoffice([path], tmp / "lo_out", tmp) / path.name


def ranks(result) -> list[tuple[str, int | None, D | None]]:
    return [(u.unit.code, u.rank, u.total) for u in result.units]


def test_sheet_is_prefilled_unlocked_and_validated(tmp_path):
    book = make_book()
    inbox = make_inbox(book, tmp_path)
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "kq")
    path = tmp_path / "kq" / "tong_hop.xlsx"
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    assert names[:3] == ["Tổng hợp", "Kiểm tra", ASSESSED_SHEET] and "Điểm điều chỉnh" not in names

    data = rows(path, ASSESSED_SHEET)
    assert data[3][3] == "UBND huyện Triệu Sơn (U1)" and data[3][6] == "UBND huyện Nông Cống (U2)"
    assert data[4][:6] == ["Mã", "Nội dung tiêu chí", "Điểm tối đa", "Tự chấm", "Thẩm định", "Lý do điều chỉnh"]
    i2 = next(r for r in data if r[0] == "I.2")
    assert i2[3:5] == [40.0, 40.0] and i2[6:8] == [37.0, 37.0]  # self-score and agreed, pre-filled alike
    total = next(r for r in data if r[1] == "TỔNG ĐIỂM")
    assert total[3] == total[4] == 100.0

    wb = openpyxl.load_workbook(path)
    ws = wb[ASSESSED_SHEET]
    assert ws.protection.sheet
    r = next(c.row for c in ws["A"] if c.value == "I.2")
    assert ws.cell(r, 5).protection.locked is False and ws.cell(r, 6).protection.locked is False
    assert ws.cell(r, 4).protection.locked is not False  # the self-score cannot be typed over
    rules = [dv for dv in ws.data_validations.dataValidation if f"E{r}" in str(dv.sqref)]
    assert rules and rules[0].type == "custom" and "$C" in rules[0].formula1 and "0.25" in rules[0].formula1
    assert f"H{r}" in str(rules[0].sqref) and f"N{r}" in str(rules[0].sqref)  # every unit's agreed column


def test_the_cells_to_type_in_are_visibly_yellow_when_printed(tmp_path):
    """The fill of the agreed-score and reason cells shows printed and in LibreOffice (an ivory #FFFFF0 looked
    white); the note over the table wraps within the page and names the colours."""
    book = make_book()
    ttdk_xl.consolidate(make_inbox(book, tmp_path), book=book, out=tmp_path / "kq")
    ws = openpyxl.load_workbook(tmp_path / "kq" / "tong_hop.xlsx")[ASSESSED_SHEET]
    r = next(c.row for c in ws["A"] if c.value == "I.2")

    def rgb(cell) -> tuple[int, int, int]:
        assert cell.fill.patternType == "solid"
        hex6 = cell.fill.fgColor.rgb[-6:]
        return int(hex6[:2], 16), int(hex6[2:4], 16), int(hex6[4:], 16)

    for col in (5, 8):  # the `Thẩm định` cells of two units
        red, green, blue = rgb(ws.cell(r, col))
        assert red >= 0xF0 and green >= 0xC0 and blue <= 0xA0  # a yellow, far from white
    red, green, blue = rgb(ws.cell(r, 6))  # the reason beside it: a lighter yellow, still not white
    assert red >= 0xF0 and blue <= 0xD0
    note = ws["A3"].value
    assert "Ô nền vàng" in note and "Ô nền cam" in note
    assert ws["A3"].alignment.wrap_text and any(str(m).startswith("A3:") for m in ws.merged_cells.ranges)
    assert (ws.row_dimensions[3].height or 15) >= 2 * 14


@needs_soffice
def test_three_changes_in_libreoffice_change_ranks_report_and_list(tmp_path):
    book = make_book()
    inbox = make_inbox(book, tmp_path)
    out = tmp_path / "kq"
    before = ttdk_xl.consolidate(inbox, book=book, out=out)
    assert [c for c, _, _ in ranks(before)] == ["U1", "U2", "U3", "U4"]
    out_before = tmp_path / "kq_truoc"
    shutil.copytree(out, out_before)

    edited = edit(
        out / "tong_hop.xlsx",
        tmp_path / "tong_hop.xlsx",
        {
            ("U1", "II.1"): (15, "Thu ngân sách chỉ đạt 92% dự toán"),
            ("U4", "I.2"): (40, "Bổ sung minh chứng tại Hội nghị"),
            ("U2", "III.1"): (2, "Có Cờ thi đua của UBND tỉnh"),
        },
    )
    agreed_file = libreoffice_resave(edited, tmp_path)
    after = ttdk_xl.consolidate(inbox, book=book, out=out, assessed=agreed_file)

    assert ranks(after) == [("U4", 1, D(100)), ("U2", 2, D(99)), ("U3", 3, D(94)), ("U1", 4, D(90))]
    assert after.ok and after.assessed_file == "tong_hop.xlsx"
    changes = [(c.unit_code, c.code, c.self_score, c.agreed, c.reason) for c in after.changes]
    assert changes == [
        ("U1", "II.1", D(25), D(15), "Thu ngân sách chỉ đạt 92% dự toán"),
        ("U2", "III.1", D(0), D(2), "Có Cờ thi đua của UBND tỉnh"),
        ("U4", "I.2", D(31), D(40), "Bổ sung minh chứng tại Hội nghị"),
    ]
    u1 = next(u for u in after.units if u.unit.code == "U1")
    assert u1.self_total == D(100) and u1.scores["II.1"] == D(15) and "điều chỉnh 1 tiêu chí (II.1)" in u1.note

    # The workbook lists the changes and carries the agreed scores forward.
    summary = out / "tong_hop.xlsx"
    assert CalamineWorkbook.from_path(str(summary)).sheet_names[:4] == [
        "Tổng hợp",
        "Kiểm tra",
        ASSESSED_SHEET,
        "Điểm điều chỉnh",
    ]
    listed = [r for r in rows(summary, "Điểm điều chỉnh") if r[3] in ("II.1", "III.1", "I.2")]
    assert [(r[1], r[3], r[5], r[6], r[8]) for r in listed] == [
        ("U1", "II.1", 25.0, 15.0, "Thu ngân sách chỉ đạt 92% dự toán"),
        ("U2", "III.1", 0.0, 2.0, "Có Cờ thi đua của UBND tỉnh"),
        ("U4", "I.2", 31.0, 40.0, "Bổ sung minh chứng tại Hội nghị"),
    ]
    top = rows(summary, "Tổng hợp")[4]
    assert top[1] == "U4" and top[7] == 1.0
    # The titles say which scores these are (they said "tự chấm" after agreed scores too).
    assert rows(summary, "Tổng hợp")[0][0].endswith("(THEO ĐIỂM HỘI NGHỊ THẨM ĐỊNH)")
    assert rows(summary, "Chi tiết điểm")[0][0].startswith("CHI TIẾT ĐIỂM THẨM ĐỊNH")
    assert "TỰ CHẤM" in rows(out_before / "tong_hop.xlsx", "Tổng hợp")[0][0]
    again = ttdk_xl.consolidate(inbox, book=book, assessed=summary)  # the new file holds the agreed scores
    assert ranks(again) == ranks(after) and again.changes == after.changes

    # The report is computed from the agreed scores and lists the changes.
    ctx = build_context(after)
    assert ctx["assessed"] and "thẩm định" in ctx["score_basis"]
    assert [(c["unit"], c["code"], c["self"], c["agreed"]) for c in ctx["changes"]] == [
        ("UBND huyện Triệu Sơn", "II.1", "25", "15"),
        ("UBND huyện Nông Cống", "III.1", "0", "2"),
        ("UBND huyện Yên Định", "I.2", "31", "40"),
    ]
    report = tmp_path / "bao_cao.docx"
    write_report(after, report, TEMPLATE)
    xml = zipfile.ZipFile(report).read("word/document.xml").decode()
    assert "Thu ngân sách chỉ đạt 92% dự toán" in xml and "Các điểm Hội nghị Cụm thống nhất điều chỉnh" in xml
    assert "theo điểm thẩm định" in xml


def test_report_without_agreed_scores_has_no_change_table(tmp_path):
    book = make_book()
    result = ttdk_xl.consolidate(make_inbox(book, tmp_path), book=book)
    assert build_context(result)["changes"] == [] and not build_context(result)["assessed"]
    report = tmp_path / "bao_cao.docx"
    write_report(result, report, TEMPLATE)
    xml = zipfile.ZipFile(report).read("word/document.xml").decode()
    assert "điều chỉnh so với điểm tự chấm" not in xml and "dự thảo kết quả chấm điểm" in xml


def test_penalty_for_self_score_total_too_far_off(tmp_path):
    book = make_book(deviation_margin=D(5), deviation_penalty=D(2))
    inbox = make_inbox(book, tmp_path)
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "kq")
    agreed = edit(
        tmp_path / "kq" / "tong_hop.xlsx",
        tmp_path / "td.xlsx",
        {
            ("U1", "I.1"): (14, "Kế hoạch ban hành chậm"),  # 6 points off: more than 5
            ("U2", "I.1"): (15, "Kế hoạch ban hành chậm"),  # 5 points off: not more than 5
        },
    )
    result = ttdk_xl.consolidate(inbox, book=book, assessed=agreed)
    u1 = next(u for u in result.units if u.unit.code == "U1")
    u2 = next(u for u in result.units if u.unit.code == "U2")
    assert (u1.total, u1.penalty, u1.deviation_penalty) == (D(92), D(2), D(2))
    assert "chênh lệch 6 điểm" in u1.note and "trừ 2 điểm" in u1.note
    assert (u2.total, u2.penalty, u2.deviation_penalty) == (D(92), D(0), None)
    ctx = build_context(result)
    assert ctx["deviations"] == [
        {"name": u1.unit.name, "self_total": "100", "agreed_total": "94", "diff": "6", "penalty": "2"}
    ]


def test_broken_edits_are_findings_naming_the_cell(tmp_path):
    book = make_book()
    inbox = make_inbox(book, tmp_path)
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "kq")
    src = tmp_path / "kq" / "tong_hop.xlsx"
    agreed = edit(
        src,
        tmp_path / "td.xlsx",
        {
            ("U1", "I.1"): (25, "quá điểm tối đa"),
            ("U2", "II.1"): ("hai mươi", "chữ"),
            ("U3", "I.2"): ("30,5", "gõ dấu phẩy"),
            ("U3", "II.2"): (14, None),  # changed without a reason
        },
    )
    wb = openpyxl.load_workbook(agreed)
    ws = wb[ASSESSED_SHEET]
    u4 = next(c.column for c in ws[4] if c.value and "(U4)" in str(c.value))
    ws.delete_cols(u4, 3)  # the office deletes Yên Định's columns
    wb.save(agreed)

    result = ttdk_xl.consolidate(inbox, book=book, assessed=agreed)
    found = {(f.code, f.unit_code): f for f in result.findings if f.file == "td.xlsx"}
    assert (
        found[("assessed-above-max", "U1")].cell == "E7" and found[("assessed-above-max", "U1")].sheet == ASSESSED_SHEET
    )
    assert found[("assessed-not-number", "U2")].cell == "H10"
    assert "hai mươi" in found[("assessed-not-number", "U2")].message
    assert found[("assessed-text-number", "U3")].cell == "K8"  # '30,5' is read as 30.5, with a warning
    assert found[("assessed-no-reason", "U3")].cell == "L11"
    assert found[("assessed-unit-missing", "U4")].cell == "4:5"
    status = {u.unit.code: u.status for u in result.units}
    assert status == {"U1": Status.INVALID, "U2": Status.INVALID, "U3": Status.VALID, "U4": Status.INVALID}
    u3 = next(u for u in result.units if u.unit.code == "U3")
    assert u3.scores["I.2"] == D("30.5") and u3.scores["II.2"] == D(14) and u3.rank == 1
    u1 = next(u for u in result.units if u.unit.code == "U1")
    assert u1.scores["I.1"] == D(20) and u1.rank is None  # the bad cell keeps the self-score; unit not ranked


@pytest.mark.parametrize(
    "typed",
    [
        {
            "I.1": (D(25), "score-above-max", "assessed-above-max"),
            "I.2": ("đạt", "score-not-number", "assessed-not-number"),
            "II.1": (D("12.3"), "score-off-step", "assessed-off-step"),
            "II.2": ("8,5", "score-as-text-comma", "assessed-text-number"),
            "IV.1": (D(-2), "score-negative", "assessed-negative"),
        },
        {
            "I.1": (None, "score-missing", "assessed-missing"),
            "I.2": ("30 điểm", "score-as-text-unit", "assessed-text-number"),
            "II.1": (" 7 ", "score-as-text", "assessed-text-number"),
            "II.2": (D(15), "", ""),
            "IV.1": (D("1.5"), "", ""),
        },
    ],
)
def test_an_agreed_score_is_judged_as_the_same_self_score_is(tmp_path, typed):
    """One validation for both sheets: the same typed value gets the same problem (and the same warning for a
    number typed as text) whether the unit or the conference typed it."""
    from tests.test_checks import findings_of
    from ttdk_xl.rules.assessed import _check_cell

    book = make_book()
    entries = full_entries(book)
    entries.update({code: (value, "giải trình") for code, (value, _, _) in typed.items()})
    found, _ = findings_of(fill(book, 0, tmp_path / "u.xlsx", entries), book)
    by_cell = {f.cell: f.code for f in found}
    for code, (value, self_code, agreed_code) in typed.items():
        assert by_cell.get(cell_of(book, code), "") == self_code
        agreed: list[str] = []
        _check_cell(book.criterion(code), value, book, lambda found_code, *_, to=agreed: to.append(found_code))
        assert agreed == ([agreed_code] if agreed_code else []), (code, value)


def test_a_disqualifier_reads_the_same_words_on_both_sheets():
    from ttdk_xl.rules.assessed import _check_cell
    from ttdk_xl.rules.values import yes_no

    book = make_book()
    dq = book.criterion("IV.2")
    assert [yes_no(v) for v in ("Có", " CÓ ", "x", "1", "Không", "khong", "0", "", None)] == [True] * 4 + [False] * 5
    assert yes_no("Hình như có") is None
    problems: list[str] = []
    assert _check_cell(dq, "x", book, lambda *a: problems.append(a[0])) == D(1)
    assert _check_cell(dq, "khong", book, lambda *a: problems.append(a[0])) == D(0)
    assert _check_cell(dq, "có lẽ", book, lambda *a: problems.append(a[0])) is None
    assert problems == ["assessed-not-yes-no"]


def test_unusable_file_is_a_message_not_a_traceback(tmp_path):
    book = make_book()
    inbox = make_inbox(book, tmp_path)
    not_summary = tmp_path / "khac.xlsx"
    fill(book, 0, not_summary)
    from ttdk_xl.rules.assessed import AssessedError

    with pytest.raises(AssessedError, match="không có trang 'Thẩm định'"):
        read_assessed(not_summary, book)
    bfile = write_book(tmp_path / "bo.xlsx", small_book())
    result = CliRunner().invoke(cli, ["consolidate", str(inbox), "--book", str(bfile), "--tham-dinh", str(not_summary)])
    assert result.exit_code == 1 and "Lỗi:" in result.output and "Thẩm định" in result.output
    assert "Traceback" not in result.output


def test_book_conference_options(tmp_path):
    sheets = small_book()
    sheets["Thông tin"] += [
        ["Số đại biểu mỗi đơn vị", 4],
        ["Chênh lệch tự chấm tối đa", "5"],
        ["Điểm trừ khi chênh lệch", 2],
    ]
    book = load_book(write_book(tmp_path / "a.xlsx", sheets))
    assert (book.seats_per_unit, book.deviation_margin, book.deviation_penalty) == (4, D(5), D(2))
    plain = load_book(write_book(tmp_path / "b.xlsx", small_book()))
    assert (plain.seats_per_unit, plain.deviation_margin, plain.deviation_penalty) == (3, None, None)

    bad = small_book()
    bad["Thông tin"] += [["Số đại biểu mỗi đơn vị", "ba"], ["Chênh lệch tự chấm tối đa", 5]]
    with pytest.raises(BookError) as err:
        load_book(write_book(tmp_path / "c.xlsx", bad))
    text = str(err.value)
    assert "số đại biểu mỗi đơn vị 'ba' không hợp lệ" in text
    assert "thiếu 'Điểm trừ khi chênh lệch'" in text and "dòng 10" in text


def test_ballots_follow_agreed_scores(tmp_path):
    """The acclamation ballot lists units in the order of the agreed scores when --tham-dinh is given."""
    import docx

    book = make_book()
    inbox = make_inbox(book, tmp_path)
    out = tmp_path / "kq"
    ttdk_xl.consolidate(inbox, book=book, out=out)
    changes = {("U4", "I.2"): (40, "Bổ sung minh chứng"), ("U4", "III.1"): (2, "Cờ thi đua của tỉnh")}
    agreed = edit(out / "tong_hop.xlsx", tmp_path / "tong_hop.xlsx", changes)
    from ttdk_xl.outputs import ballots as ballots_mod
    from ttdk_xl.pipeline.stages import consolidate

    result = consolidate(inbox, book=book, assessed=agreed)
    paths = ballots_mod.write_ballots(result, tmp_path / "phieu")
    ballot = next(p for p in paths if p.name == "phieu_suy_ton.docx")
    names = [row.cells[1].text for t in docx.Document(str(ballot)).tables[-1:] for row in t.rows[1:]]
    assert names[0] == book.units[3].name  # U4 leads on the agreed scores
    assert "--tham-dinh" in CliRunner().invoke(cli, ["ballots", "--help"]).output


def test_an_agreed_score_settles_the_error_of_the_cell_it_is_typed_over(tmp_path):
    """A unit typed 45 where the max is 40, another 'hai' as a bonus: the conference agrees 38 and 2. Each cell's
    error is settled (kept as a note), the units are ranked, and the changes show what the units typed. A cell
    with an error whose agreed score is left blank settles nothing."""
    import json

    from ttdk_xl.outputs.ballots import eligible

    book = make_book()
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    typed = {"U2": {"III_2": ("ba", "mô hình mới")}, "U3": {"III_1": ("hai", "Cờ thi đua")}, "U4": {"I_2": D(45)}}
    for i, u in enumerate(book.units):
        fill(book, i, inbox / f"{u.code}.xlsx", full_entries(book, **typed.get(u.code, {})))
    out = tmp_path / "kq"
    before = ttdk_xl.consolidate(inbox, book=book, out=out)
    assert {u.unit.code: u.status for u in before.units} == {
        "U1": Status.VALID, "U2": Status.INVALID, "U3": Status.INVALID, "U4": Status.INVALID,
    }  # fmt: skip

    agreed = edit(
        out / "tong_hop.xlsx",
        tmp_path / "tham_dinh.xlsx",
        {("U4", "I.2"): (38, "Hội nghị thống nhất 38 điểm"), ("U3", "III.1"): (2, "Có Cờ thi đua của tỉnh")},
    )  # U2's III.2 (a bonus: blank reads as 0) is left as it was pre-filled, blank
    after = ttdk_xl.consolidate(inbox, book=book, out=out, assessed=agreed)

    units = {u.unit.code: u for u in after.units}
    assert {c: (u.status, u.rank) for c, u in units.items()} == {
        "U3": (Status.VALID, 1), "U1": (Status.VALID, 2), "U4": (Status.VALID, 3), "U2": (Status.INVALID, None),
    }  # fmt: skip
    assert (units["U3"].total, units["U4"].total) == (D(102), D(98))  # the agreed 2 and 38 count
    assert units["U4"].self_total == D(105)  # what the unit claimed, 45 included (not 60, as if it were 0)
    assert "UBND huyện Yên Định" in [u.name for u in eligible(after)]  # on the acclaim ballot now
    notes = {(f.unit_code, f.code): f for f in after.findings if f.code.startswith("score-")}
    settled = notes[("U4", "score-above-max")]
    assert settled.severity is Severity.INFO and not settled.blocking
    assert settled.message.startswith("Đã được Hội nghị thẩm định: Điểm tiêu chí 'I.2' là 45, vượt điểm tối đa 40.")
    assert notes[("U3", "score-not-number")].severity is Severity.INFO
    assert notes[("U2", "score-not-number")].severity is Severity.ERROR  # nothing typed over it: still an error
    # Only U2 still has something to fix: U3's and U4's returns (made before the conference) are withdrawn.
    from ttdk_xl.outputs.returns import return_filename

    assert sorted(p.name for p in (out / "tra_lai").glob("*.xlsx")) == [
        return_filename(book, "U2", units["U2"].unit.name)
    ]

    assert [(c.unit_code, c.code, c.self_score, c.self_typed, c.agreed) for c in after.changes] == [
        ("U3", "III.1", None, "hai", D(2)),
        ("U4", "I.2", None, "45", D(38)),
    ]
    listed = [r for r in rows(out / "tong_hop.xlsx", "Điểm điều chỉnh") if r[3] in ("I.2", "III.1")]
    assert [(r[1], r[3], r[5], r[6], r[7]) for r in listed[:2]] == [
        ("U3", "III.1", "hai", 2.0, ""),  # text: no difference to show
        ("U4", "I.2", 45.0, 38.0, -7.0),  # as typed, not blank → 38 (+38)
    ]
    sheet = rows(out / "tong_hop.xlsx", "Điểm điều chỉnh")
    totals = {r[1]: r[5:8] for r in sheet if isinstance(r[3], float)}  # the totals table: r[3] counts the changes
    assert totals["U4"] == [105.0, 98.0, -7.0] and totals["U3"] == [100.0, 102.0, 2.0]  # same story as the rows
    checks = {(r[2], r[5]): r[6] for r in rows(out / "tong_hop.xlsx", "Kiểm tra")}
    assert checks[("UBND huyện Yên Định", "Điểm vượt tối đa (score-above-max)")] == "Ghi chú"
    assert [(c["code"], c["self"], c["agreed"]) for c in build_context(after)["changes"]] == [
        ("III.1", "hai", "2"),
        ("I.2", "45", "38"),
    ]
    doc = json.loads((out / "ket_qua.json").read_text(encoding="utf-8"))
    assert doc["changes"][1] | {"reason": ""} == {
        "unit_code": "U4", "criterion": "I.2", "self_score": None, "self_typed": "45", "agreed": "38", "reason": "",
    }  # fmt: skip
