"""The year folder: the agreed scores are a human input of their own (tham_dinh.xlsx) that no re-run loses."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.conftest import needs_soffice, resave_with_libreoffice
from tests.test_assessed import edit
from tests.test_ballots import enter
from tests.test_book import small_book, write_book
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.layout import ASSESSED_SHEET
from ttdk_xl.core.year_folder import STATE_DIR, YearFolder
from ttdk_xl.forms.template import write_unit_workbook
from ttdk_xl.pipeline.agreed_edit import agreed_table, save_agreed
from ttdk_xl.rules.agreed_keep import STALE_SHEET

D = Decimal
ISSUED = __import__("datetime").datetime(2025, 11, 1, 8, 0)


def three_units() -> dict:
    sheets = small_book()
    sheets["Đơn vị"].append(["C", "UBND huyện C", "huyện", "c@example.com", "Anh C", "0912345670"])
    return sheets


def make_year(root: Path, sheets: dict | None = None) -> YearFolder:
    """A year folder as `init` makes it, with the test's own book."""
    year = YearFolder(root)
    year.inbox.mkdir(parents=True)
    year.state.mkdir()
    write_book(year.book, sheets or three_units())
    return year


def send(year: YearFolder, code: str, scores: dict[str, object], name: str | None = None) -> Path:
    """A unit returns its workbook: every scored criterion at its max unless `scores` says otherwise."""
    book = load_book(year.book)
    unit = next(u for u in book.units if u.code == code)
    entries = {c.code: (c.max_points, "") for c in book.leaves if c.kind.value == "chấm điểm"}
    entries.update({k: (v, "Giải trình") for k, v in scores.items()})
    path = year.inbox / (name or f"{code}.xlsx")
    return write_unit_workbook(book, unit, path, ISSUED, entries=entries)


def run(*args: object, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, [str(a) for a in args])
    with runner.isolated_filesystem(temp_dir=cwd.parent):
        import os

        old = os.getcwd()
        os.chdir(cwd)
        try:
            return runner.invoke(cli, [str(a) for a in args])
        finally:
            os.chdir(old)


def type_agreed(path: Path, changes: dict[tuple[str, str], tuple[object, str | None]]) -> None:
    """Type into `Thẩm định` as an office would: {(unit code, criterion): (agreed value, reason)}."""
    edit(path, path, changes)


def totals(year: YearFolder) -> dict[str, str]:
    import json

    data = json.loads((year.results / "ket_qua.json").read_text(encoding="utf-8"))
    return {u["code"]: u["total"] for u in data["units"]}


def sheet_rows(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


def test_the_agreed_scores_live_in_their_own_file_and_survive_a_late_file(tmp_path):
    year = make_year(tmp_path / "nam")
    send(year, "A", {"I.1": 5})
    send(year, "B", {"I.1": 4})
    first = run("consolidate", year.root)
    assert first.exit_code == 1, first.output  # C has not sent its file yet
    assert first.output.splitlines()[0] == "Chưa có điểm thẩm định trong tham_dinh.xlsx: tính theo điểm tự chấm."
    assert "Đã tạo tham_dinh.xlsx" in first.output
    # tong_hop.xlsx has no input sheet of its own any more: nobody types where a re-run replaces.
    assert ASSESSED_SHEET not in CalamineWorkbook.from_path(str(year.results / "tong_hop.xlsx")).sheet_names
    assert totals(year)["A"] == "14"

    type_agreed(year.agreed, {("A", "I.1"): (3, "Thiếu minh chứng"), ("B", "II.1"): (4.5, None)})
    typed_bytes = year.agreed.read_bytes()
    again = run("consolidate", year.root)
    assert again.output.splitlines()[0] == "Dùng điểm thẩm định từ tham_dinh.xlsx (2 điểm khác điểm tự chấm)."
    assert totals(year)["A"] == "12" and totals(year)["B"] == "12.5"
    assert year.agreed.read_bytes() == typed_bytes  # nothing to update: the person's file is left as it is
    assert not year.backups.exists()

    # The office re-runs without any option after C's late file: the typed scores still count.
    send(year, "C", {"I.2": 3})
    late = run("consolidate", year.root)
    assert late.exit_code == 0, late.output
    assert late.output.splitlines()[0].startswith("Dùng điểm thẩm định từ tham_dinh.xlsx")
    assert totals(year) == {"A": "12", "B": "12.5", "C": "14"}
    assert "Đã cập nhật tham_dinh.xlsx" in late.output and "sao_luu/tham_dinh_" in late.output
    backups = list(year.backups.glob("tham_dinh_*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == typed_bytes
    data = sheet_rows(year.agreed, ASSESSED_SHEET)
    assert "UBND huyện C (C)" in data[3]
    i1 = next(r for r in data if r[0] == "I.1")
    assert i1[3:6] == [5.0, 3.0, "Thiếu minh chứng"]  # A: self, agreed, reason kept


def test_a_late_resend_follows_the_new_self_scores_where_nothing_was_typed(tmp_path):
    year = make_year(tmp_path / "nam")
    for code in "ABC":
        send(year, code, {})
    run("consolidate", year.root)
    type_agreed(year.agreed, {("A", "I.2"): (2, "Hội nghị thống nhất")})
    # B re-sends with a lower I.1: its untouched agreed cell must not keep the old self-score.
    send(year, "B", {"I.1": 2}, name="B_gui_lai.xlsx")
    (year.inbox / "B.xlsx").unlink()
    out = run("consolidate", year.root)
    assert totals(year)["B"] == "11" and totals(year)["A"] == "13", out.output


def test_a_value_whose_criterion_is_gone_is_kept_in_a_visible_list(tmp_path):
    year = make_year(tmp_path / "nam")
    for code in "ABC":
        send(year, code, {})
    run("consolidate", year.root)
    type_agreed(year.agreed, {("A", "I.2"): (1, "Sai minh chứng"), ("B", "I.1"): (5, None)})
    # The office drops criterion I.2 from the book (and the units re-send on the new form).
    sheets = three_units()
    sheets["Tiêu chí"] = [r for r in sheets["Tiêu chí"] if r[0] != "I.2"]
    sheets["Tiêu chí"][1] = ["I", "Nhóm một", 6, "nhóm", None, None]
    write_book(year.book, sheets)
    for code in "ABC":
        send(year, code, {})
    out = run("consolidate", year.root)
    assert "1 điểm đã nhập chuyển sang trang 'Không còn dùng'" in out.output, out.output
    stale = sheet_rows(year.agreed, STALE_SHEET)
    row = next(r for r in stale if r[1] == "I.2")
    assert row[0] == "UBND huyện A (A)" and row[3] == "1" and row[4] == "Sai minh chứng"
    assert totals(year)["B"] == "10"  # B's typed I.1 (5 instead of 6) still counts
    # Carried over by every later rewrite (C re-sends with another score).
    send(year, "C", {"I.1": 1})
    run("consolidate", year.root)
    assert any(r[1] == "I.2" for r in sheet_rows(year.agreed, STALE_SHEET))


def test_a_bad_agreed_value_is_a_finding_naming_the_cell(tmp_path):
    year = make_year(tmp_path / "nam")
    for code in "ABC":
        send(year, code, {})
    run("consolidate", year.root)
    type_agreed(year.agreed, {("A", "I.1"): (7, None), ("B", "I.1"): (4.3, None)})
    out = run("consolidate", year.root)
    assert "Traceback" not in out.output and out.exit_code == 1
    assert "tham_dinh.xlsx" in out.output and "lớn hơn điểm tối đa" in out.output
    assert "không theo bước điểm" in out.output


@needs_soffice
def test_agreed_scores_typed_and_resaved_by_libreoffice_count(tmp_path):
    year = make_year(tmp_path / "nam")
    for code in "ABC":
        send(year, code, {})
    run("consolidate", year.root)
    type_agreed(year.agreed, {("C", "I.1"): (4, "Thiếu")})
    resaved = resave_with_libreoffice([year.agreed], tmp_path / "lo", tmp_path) / year.agreed.name
    resaved.replace(year.agreed)
    out = run("consolidate", year.root)
    assert totals(year)["C"] == "13", out.output
    # Saved as .ods instead: read (with a warning), never replaced by an .xlsx of ours.
    ods = resave_with_libreoffice([year.agreed], tmp_path / "ods", tmp_path, "ods") / "tham_dinh.ods"
    year.agreed.unlink()
    ods.replace(year.root / "tham_dinh.ods")
    out = run("consolidate", year.root)
    assert totals(year)["C"] == "13" and "tham_dinh.ods" in out.output
    assert not year.agreed.exists()


def test_old_style_runs_outside_a_year_folder_are_unchanged(tmp_path):
    """An inbox beside a book but not made by `init` (the sample in examples/): nothing is written into it."""
    year = make_year(tmp_path / "nam")
    (year.state).rmdir()
    for code in "ABC":
        send(year, code, {})
    out = run("consolidate", year.inbox, "-o", tmp_path / "kq")
    assert out.exit_code == 0, out.output
    assert not year.agreed.exists() and (tmp_path / "kq" / "tong_hop.xlsx").exists()
    assert ASSESSED_SHEET in CalamineWorkbook.from_path(str(tmp_path / "kq" / "tong_hop.xlsx")).sheet_names


def test_the_page_api_reads_and_saves_agreed_scores(tmp_path):
    year = make_year(tmp_path / "nam")
    for code in "ABC":
        send(year, code, {})
    run("consolidate", year.root)
    table = agreed_table(year.root)
    assert [u for u, _ in table.units] == ["A", "B", "C"]
    assert table.cells[("A", "I.1")].self_value == D(6) == table.cells[("A", "I.1")].agreed_value
    bad = save_agreed(year.root, {("A", "I.1"): ("7", ""), ("B", "I.1"): ("abc", "")})
    assert {f.code for f in bad} == {"agreed-bad-value"} and len(bad) == 2
    before = year.agreed.read_bytes()
    assert year.agreed.read_bytes() == before  # a refused save writes nothing
    notes = save_agreed(year.root, {("A", "I.1"): ("4,5", "Hội nghị thống nhất")})
    assert any(f.code == "agreed-saved" for f in notes)
    assert agreed_table(year.root).cells[("A", "I.1")] == type(table.cells[("A", "I.1")])(
        D(6), D("4.5"), "Hội nghị thống nhất"
    )
    run("consolidate", year.root)
    assert totals(year)["A"] == "13.5"
    # Back to the self-score.
    save_agreed(year.root, {("A", "I.1"): ("", "")})
    assert agreed_table(year.root).cells[("A", "I.1")].agreed_value == D(6)


def test_ballots_follow_the_agreed_order_and_never_replace_a_typed_count(tmp_path):
    year = make_year(tmp_path / "nam")
    send(year, "A", {})
    send(year, "B", {"I.1": 5})
    send(year, "C", {"I.1": 4})
    run("consolidate", year.root)
    type_agreed(year.agreed, {("A", "I.1"): (3, "Thiếu minh chứng")})  # A falls from first to third
    out = run("ballots", year.root)
    assert out.exit_code == 0, out.output
    listed = [line.split(". ", 1)[1] for line in out.output.splitlines() if line.strip()[:3].strip(" .").isdigit()]
    assert listed[:3] == ["UBND huyện B", "UBND huyện C", "UBND huyện A"], out.output
    assert year.tally.exists() and (year.ballots / "phieu_suy_ton.docx").exists()
    # The counters type the ballots; ballots run again: their file is kept.
    enter(year.tally, present=3, ballots={"suy_ton": ["B C"] * 3, "cum_truong": ["B"] * 3, "cum_pho": ["C"] * 3})
    typed = year.tally.read_bytes()
    again = run("ballots", year.root)
    assert "Giữ nguyên" in again.output and year.tally.read_bytes() == typed


@pytest.mark.parametrize("where", ["root", "inbox", "cwd"])
def test_the_year_folder_is_found_from_the_folder_its_inbox_or_the_current_folder(tmp_path, where):
    year = make_year(tmp_path / "nam")
    for code in "ABC":
        send(year, code, {})
    if where == "cwd":
        out = run("consolidate", cwd=year.root)
    else:
        out = run("consolidate", year.root if where == "root" else year.inbox)
    assert out.exit_code == 0, out.output
    assert (year.results / "tong_hop.xlsx").exists() and year.agreed.exists()


def test_no_year_folder_here_is_a_plain_message(tmp_path):
    out = run("consolidate", cwd=tmp_path)
    assert out.exit_code == 2 and "không phải thư mục năm" in out.output and "Traceback" not in out.output


def test_init_marks_the_folder(tmp_path):
    out = run("init", tmp_path / "cum")
    assert out.exit_code == 0 and (tmp_path / "cum" / STATE_DIR).is_dir()


def test_status_shows_units_steps_and_the_next_thing_to_do(tmp_path):
    from ttdk_xl.pipeline.year_status import NOT_SENT, VALID, WITH_ERRORS, year_status

    year = make_year(tmp_path / "nam")
    send(year, "A", {})
    send(year, "B", {"I.1": 9})  # above the max: an error
    st = year_status(year.root)
    assert [(u.code, u.state) for u in st.units] == [("A", VALID), ("B", WITH_ERRORS), ("C", NOT_SENT)]
    assert st.units[1].findings >= 1 and st.units[1].file == "B.xlsx"
    assert st.next_step is not None and st.next_step.title == "Gửi bảng tự chấm cho đơn vị"
    run("consolidate", year.root)
    st = year_status(year.root)
    received = next(s for s in st.steps if s.title == "Nhận bảng tự chấm")
    assert not received.done and "2/3 đơn vị đã gửi, 1 có lỗi; chưa gửi: UBND huyện C" in received.detail
    assert st.next_step is not None and st.next_step.command == "ttdk-xl hoi-nghi"
    out = run("trang-thai", year.root)
    assert out.exit_code == 0 and "Đơn vị: 1 hợp lệ, 1 có lỗi, 1 chưa gửi (tổng 3)." in out.output
    assert "[x] 3. Tổng hợp, dự thảo báo cáo" in out.output and "Việc tiếp theo:" in out.output
    type_agreed(year.agreed, {("A", "I.1"): (5, "Thiếu")})
    assert next(s for s in year_status(year.root).steps if s.title.startswith("Thẩm định")).done


def test_an_output_a_person_edited_is_backed_up_before_it_is_replaced(tmp_path):
    year = make_year(tmp_path / "nam")
    for code in "ABC":
        send(year, code, {})
    run("consolidate", year.root)
    again = run("consolidate", year.root)
    assert "đã được sửa" not in again.output and not list(year.backups.glob("tong_hop_*"))
    wb = openpyxl.load_workbook(year.results / "tong_hop.xlsx")
    wb.active["A1"] = "Ghi chú của văn phòng"
    wb.save(year.results / "tong_hop.xlsx")
    edited = (year.results / "tong_hop.xlsx").read_bytes()
    out = run("consolidate", year.root)
    assert "Tệp tong_hop.xlsx đã được sửa sau lần tạo trước" in out.output, out.output
    (copy,) = year.backups.glob("tong_hop_*.xlsx")
    assert copy.read_bytes() == edited
    assert "đã được sửa" not in run("consolidate", year.root).output  # recorded again: no second copy
    assert len(list(year.backups.glob("tong_hop_*.xlsx"))) == 1


def test_next_year_moves_the_book_on_elects_from_the_count_and_archives_the_results(tmp_path):
    year = make_year(tmp_path / "cum-2025")
    for code in "ABC":
        send(year, code, {})
    run("consolidate", year.root)
    assert run("ballots", year.root).exit_code == 0
    enter(year.tally, present=3, ballots={"suy_ton": ["A B"] * 3, "cum_truong": ["C"] * 3, "cum_pho": ["A"] * 3})
    out = run("nam-moi", year.root)
    assert out.exit_code == 0, out.output
    new = YearFolder(tmp_path / "cum-2026")
    book = load_book(new.book)
    assert (book.year, book.head_unit, book.deputy_unit) == (2026, "UBND huyện C", "UBND huyện A")
    assert book.deadline == "15/12/2026" and [u.code for u in book.units] == ["A", "B", "C"]
    assert [c.code for c in book.criteria] == [c.code for c in load_book(year.book).criteria]
    assert (new.history / "2025" / "ket_qua.json").is_file() and (new.history / "2025" / "tong_hop.xlsx").is_file()
    assert new.inbox.is_dir() and new.managed and "theo kết quả bầu" in out.output
    assert run("nam-moi", year.root).exit_code == 1  # never over a folder that has a book


def test_next_year_without_a_vote_rotates_the_head(tmp_path):
    sheets = three_units()
    sheets["Thông tin"][3:5] = [["Đơn vị trưởng cụm", "UBND huyện A"], ["Đơn vị phó cụm", "UBND huyện B"]]
    year = make_year(tmp_path / "cum", sheets)
    out = run("nam-moi", year.root)
    assert out.exit_code == 0, out.output
    book = load_book(tmp_path / "cum-2026" / "bo_tieu_chi.xlsx")
    # This year: head A, deputy B (the book) → next year the deputy leads and the unit after it is deputy.
    assert (book.head_unit, book.deputy_unit) == ("UBND huyện B", "UBND huyện C") and "luân phiên" in out.output
    assert "Chưa có kết quả năm 2025" in out.output


def test_consolidate_eml_drafts_the_returns_and_the_reminders(tmp_path):
    import email
    from email import policy

    year = make_year(tmp_path / "nam")
    assert run("template", year.book, "-o", year.forms).exit_code == 0
    send(year, "A", {})
    send(year, "B", {"I.1": 9})  # above the max: returned
    out = run("consolidate", year.root, "--eml")
    assert "Thư nháp gửi phiếu trả lại: 1" in out.output and "nhắc đơn vị chưa gửi: 1" in out.output, out.output
    (ret,) = (year.results / "tra_lai").glob("*.eml")
    msg = email.message_from_bytes(ret.read_bytes(), policy=policy.default)
    assert msg["To"] == "UBND huyện B <b@example.com>" and "Đề nghị sửa" in msg["Subject"]
    body = msg.get_body(("plain",)).get_content()
    assert "lớn hơn điểm tối đa" in body or "vượt" in body
    assert [a.get_filename() for a in msg.iter_attachments()] == [ret.with_suffix(".xlsx").name]
    (rem,) = (year.results / "nhac_nop").glob("*.eml")
    msg = email.message_from_bytes(rem.read_bytes(), policy=policy.default)
    assert msg["To"] == "UBND huyện C <c@example.com>" and "Nhắc gửi" in msg["Subject"]
    assert len(list(msg.iter_attachments())) == 1  # the form issued to C, sent again
    # C sends, B fixes its file: no draft is left to send by mistake.
    send(year, "C", {})
    send(year, "B", {})
    run("consolidate", year.root, "--eml")
    assert not list((year.results / "tra_lai").glob("*.eml")) and not list((year.results / "nhac_nop").glob("*"))


def test_next_year_from_a_year_with_history_follows_the_books_rule(tmp_path):
    sheets = three_units()
    sheets["Thông tin"][3:5] = [["Đơn vị trưởng cụm", "UBND huyện A"], ["Đơn vị phó cụm", "UBND huyện B"]]
    year = make_year(tmp_path / "cum-2025", sheets)
    for code in "ABC":
        send(year, code, {})
    run("consolidate", year.root)
    assert run("nam-moi", year.root).exit_code == 0  # 2026: B leads (rotation), C deputy; 2025 archived
    second = YearFolder(tmp_path / "cum-2026")
    assert (second.history / "2025" / "bo_tieu_chi.xlsx").is_file()
    out = run("nam-moi", second.root)
    assert out.exit_code == 0, out.output
    book = load_book(tmp_path / "cum-2027" / "bo_tieu_chi.xlsx")
    # A led in 2025, B in 2026: C has waited longest.
    assert book.head_unit == "UBND huyện C", out.output
    assert "chưa bầu" in out.output
