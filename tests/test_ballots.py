"""Ballots, the counters' tally workbook and the count: as the office and the counting team use them."""

from __future__ import annotations

import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from tests.conftest import ISSUED, D, fill, full_entries, make_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.models import Unit
from ttdk_xl.forms.template import write_unit_workbook
from ttdk_xl.outputs.ballots import (
    ACCLAIM_BALLOT,
    ELECTION_BALLOT,
    MINUTES_NAME,
    TALLY_NAME,
    Ballot,
    Vote,
    count_vote,
    parse_quorum,
    tally,
    write_ballots,
    write_minutes,
)
from ttdk_xl.pipeline.stages import consolidate


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def result(tmp_path):
    """Five units; U5 has a disqualifier, so four are eligible, ranked U1 > U2 > U3 > U4."""
    book = make_book(units=5)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i in range(4):
        fill(book, i, inbox / f"{i}.xlsx", full_entries(book, I_2=(D(40 - i), "thiếu")))
    fill(book, 4, inbox / "4.xlsx", full_entries(book, IV_2=("Có", "vi phạm")))
    return consolidate(inbox, book=book)


def doc_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def enter(path: Path, present, ballots: dict[str, list[str]], invalid: dict[str, dict[int, str]] | None = None):
    """Type ballots as the counters do: one row per ballot, 'x' under each unit named (units by code)."""
    wb = openpyxl.load_workbook(path)
    meta = {}
    for k, v in wb["_meta"].iter_rows(values_only=True):
        meta.setdefault(k, []).append(v)
    info = wb["Thông tin"]
    for row in info.iter_rows(min_row=1):
        if row[0].value == "Số đại biểu có mặt":
            row[1].value = present
    for key, rows in ballots.items():
        sheet = meta[f"vote:{key}"][0].split("|")[0]
        codes = [u.split("|")[0] for u in meta[f"unit:{key}"]]
        ws = wb[sheet]
        for i, marks in enumerate(rows):
            r = 5 + i
            ws.cell(r, 1).value = i + 1
            for code in marks.split():
                ws.cell(r, 2 + codes.index(code)).value = "x"
        for i, reason in (invalid or {}).get(key, {}).items():
            ws.cell(5 + i, 2 + len(codes)).value = "x"
            ws.cell(5 + i, 3 + len(codes)).value = reason
    wb.save(path)
    return path


def test_ballots_list_eligible_units_in_rank_order(result, tmp_path):
    paths = write_ballots(result, tmp_path / "phieu")
    assert [p.name for p in paths] == [ACCLAIM_BALLOT, ELECTION_BALLOT, TALLY_NAME]
    text = doc_text(paths[0])
    names = [u.name for u in result.book.units]
    positions = [text.index(n) for n in names[:4]]
    assert positions == sorted(positions)  # rank order U1..U4
    assert names[4] not in text  # disqualified: not on the acclaim ballot
    assert "không quá 03 đơn vị" in text and "PHIẾU SUY TÔN" in text
    with zipfile.ZipFile(paths[2]) as zf:  # the counters' workbook carries no clock time
        assert f">{result.book.year}-12-31T00:00:00Z<" in zf.read("docProps/core.xml").decode()
    election = doc_text(paths[1])
    assert all(n in election for n in names) and "Cụm trưởng năm 2026" in election


def test_count_with_invalid_ballots_and_minutes(result, tmp_path):
    sheet = write_ballots(result, tmp_path)[2]
    enter(
        sheet,
        present=5,
        ballots={
            "suy_ton": ["U1 U2 U3", "U1 U2 U4", "U1 U2 U3 U4", "U1 U3", "U2 U1"],
            "cum_truong": ["U2", "U2", "U2", "U1", "U2 U3"],
            "cum_pho": ["U3", "U3", "U3", "U4", "U3"],
        },
        invalid={"cum_pho": {4: "Phiếu bị rách"}},
    )
    counted = tally(sheet)
    assert not [f for f in counted.findings if f.blocking]
    warn = [f for f in counted.findings if f.code == "tally-too-many"]
    assert len(warn) == 2 and {f.cell for f in warn} == {"A7", "A9"}  # 4 units on an acclaim ballot, 2 for head
    acclaim, head, deputy = counted.counts
    assert (acclaim.collected, acclaim.valid, len(acclaim.invalid)) == (5, 4, 1)
    votes = {line.unit.code: line.votes for line in acclaim.lines}
    assert votes == {"U1": 4, "U2": 3, "U3": 2, "U4": 1}
    assert [u.code for u in acclaim.chosen] == ["U1", "U2"]  # U3 has 2/4: not more than half
    assert {line.unit.code: line.outcome for line in acclaim.lines}["U2"] == "Nhì"
    assert [u.code for u in head.chosen] == ["U2"] and head.valid == 4
    assert [u.code for u in deputy.chosen] == ["U3"] and deputy.invalid[0].invalid_reason == "Phiếu bị rách"
    assert counted.quorate

    path = write_minutes(counted, tmp_path / MINUTES_NAME)
    text = doc_text(path)
    assert "BIÊN BẢN KIỂM PHIẾU" in text and "số phiếu không hợp lệ: 01" in text
    assert "xếp thứ Nhất" in text and "Phiếu số 3: chọn 4 đơn vị" in text
    assert "trúng cử đơn vị Cụm trưởng" in text and "phiếu bị rách" in text


def test_tie_for_the_last_place_is_flagged():
    units = tuple(Unit(f"U{i}", f"Đơn vị {i}") for i in range(1, 5))
    vote = Vote("suy_ton", "Suy tôn", "Suy tôn", units, 2, places=True)
    ballots = tuple(Ballot(i, str(i), tuple(m.split())) for i, m in enumerate(["U1 U2", "U1 U3", "U1 U2", "U1 U3"]))
    c = count_vote(vote, ballots, 4)
    # U1 4/4 chosen Nhất; U2 and U3 2/4 each: not more than half → nobody else chosen, no tie reported
    assert [u.code for u in c.chosen] == ["U1"] and c.tied == ()
    ballots += (Ballot(9, "9", ("U2", "U3")),)
    c = count_vote(vote, ballots, 5)
    # U1 4/5; U2 3/5 and U3 3/5 both pass but only one place is left: a tie, voted again
    assert [u.code for u in c.chosen] == ["U1"] and [u.code for u in c.tied] == ["U2", "U3"]
    assert {line.unit.code: line.outcome for line in c.lines}["U3"] == "Bằng phiếu - bỏ phiếu lại"


def test_equal_votes_among_the_chosen_follow_the_score_rank():
    units = tuple(Unit(f"U{i}", f"Đơn vị {i}") for i in range(1, 4))
    vote = Vote("suy_ton", "Suy tôn", "Suy tôn", units, 3, places=True)
    ballots = tuple(Ballot(i, str(i), ("U3", "U2")) for i in range(3))
    c = count_vote(vote, ballots, 3)
    assert [u.code for u in c.chosen] == ["U2", "U3"] and c.tied == ()
    assert c.notes and "thứ hạng tổng điểm" in c.notes[0]


def test_head_election_tie_and_no_majority():
    units = tuple(Unit(f"U{i}", f"Đơn vị {i}") for i in range(1, 4))
    vote = Vote("cum_truong", "Cụm trưởng", "Bầu", units, 1, role="Cụm trưởng")
    c = count_vote(vote, tuple(Ballot(i, str(i), (m,)) for i, m in enumerate(["U1", "U2", "U1", "U2"])), 4)
    assert c.chosen == () and c.tied == ()  # 2/4 is not more than half
    c = count_vote(vote, (), 0)
    assert c.chosen == () and c.valid == 0


def test_impossible_counts_are_refused(result, tmp_path):
    sheet = write_ballots(result, tmp_path)[2]
    enter(sheet, present=2, ballots={"suy_ton": ["U1", "U1", "U2"]})
    counted = tally(sheet)
    codes = {(f.code, f.sheet, f.cell) for f in counted.findings if f.blocking}
    assert ("tally-too-many-ballots", "Suy tôn", "A5") in codes
    assert ("tally-no-quorum", "Thông tin", "") in codes  # 2 of 5 convened < 2/3

    wb = openpyxl.load_workbook(sheet)
    wb["Suy tôn"]["B6"] = "có"
    wb["Suy tôn"]["A7"] = 1  # same number twice
    wb.save(sheet)
    found = {(f.code, f.cell) for f in tally(sheet).findings if f.blocking}
    assert ("tally-bad-mark", "B6") in found and ("tally-duplicate-ballot", "A7") in found

    cli_run = run("tally", sheet)
    assert cli_run.exit_code == 1 and "chưa lập biên bản" in cli_run.output
    assert not (tmp_path / MINUTES_NAME).exists()


def test_a_unit_column_retyped_by_the_counters_is_still_that_unit(result, tmp_path):
    """Unit columns are matched as unit names everywhere else are: prefixes, case and accents aside."""
    sheet = write_ballots(result, tmp_path)[2]
    enter(sheet, present=5, ballots={"suy_ton": ["U1 U2", "U1", "U1 U3"]})
    wb = openpyxl.load_workbook(sheet)
    wb["Suy tôn"]["B4"] = "Huyện TRIEU SON"  # was 'UBND huyện Triệu Sơn'
    wb.save(sheet)
    counted = tally(sheet)
    assert not [f for f in counted.findings if f.blocking]
    assert {line.unit.code: line.votes for line in counted.counts[0].lines}["U1"] == 3


def test_missing_present_count_names_the_cell(result, tmp_path):
    sheet = write_ballots(result, tmp_path)[2]
    found = [f for f in tally(sheet).findings if f.code == "tally-delegates"]
    assert found and found[0].sheet == "Thông tin" and found[0].cell == "B7"


@pytest.mark.parametrize(
    ("text", "value"),
    [("", Fraction(2, 3)), ("2/3", Fraction(2, 3)), ("3/4", Fraction(3, 4)), ("50%", Fraction(1, 2)),
     ("0,75", Fraction(3, 4)), ("75", Fraction(3, 4))],
)  # fmt: skip
def test_parse_quorum(text, value):
    assert parse_quorum(text) == value


def test_minutes_keep_the_signatures_with_the_last_lines(result, tmp_path):
    """The signature block never stands alone on a page: the last result and the closing sentence are kept with
    it (keep with next), and its row cannot split."""
    sheet = write_ballots(result, tmp_path)[2]
    enter(sheet, present=5, ballots={"suy_ton": ["U1 U2"] * 5, "cum_truong": ["U2"] * 5, "cum_pho": ["U3"] * 5})
    doc = Document(str(write_minutes(tally(sheet), tmp_path / MINUTES_NAME)))
    body = list(doc.element.body.iterchildren())
    signatures = doc.tables[-1]._tbl
    assert "TỔ TRƯỞNG TỔ KIỂM PHIẾU" in "".join(signatures.itertext())
    before = [el for el in body[: body.index(signatures)] if el.tag.endswith("}p")]
    closing, last_result = before[-1], before[-2]
    assert "Biên bản được lập xong" in "".join(closing.itertext())
    assert "Kết quả:" in "".join(last_result.itertext()) and "Cụm phó" in "".join(last_result.itertext())
    for p in (closing, last_result):
        assert p.pPr is not None and p.pPr.keepNext is not None and p.pPr.keepNext.val is not False
    assert signatures.tr_lst[0].trPr.xpath("./w:cantSplit")


@pytest.mark.parametrize("text", ["abc", "0", "2/0", "150%", "2025-03-02 00:00:00"])
def test_parse_quorum_rejects(text):
    with pytest.raises(ValueError):
        parse_quorum(text)


def test_cli_ballots_then_tally(tmp_path):
    book = make_book(units=3)
    work = tmp_path / "cum"
    inbox = work / "hop_thu"
    inbox.mkdir(parents=True)
    for i in range(3):
        fill(book, i, inbox / f"{i}.xlsx", full_entries(book, I_2=(D(40 - i), "thiếu")))
    res = consolidate(inbox, book=book)  # the test book is built in code; `ballots` on a book file: next test
    sheet = write_ballots(res, work / "phieu")[2]
    enter(sheet, present=3, ballots={"suy_ton": ["U1 U2", "U1", "U1 U3"], "cum_truong": ["U2"] * 3,
                                     "cum_pho": ["U3", "U3", "U1"]})  # fmt: skip
    out = run("tally", sheet)
    assert out.exit_code == 0, out.output
    assert "Nhất" in out.output and "Trúng cử" in out.output
    assert (work / "phieu" / MINUTES_NAME).exists()


def info_rows(path: Path) -> dict[str, list]:
    wb = openpyxl.load_workbook(path)
    return {r[0]: list(r[1:]) for r in wb["Thông tin"].iter_rows(values_only=True) if r[0]}


def test_delegates_convened_prefilled_from_the_registration(tmp_path):
    """`Số đại biểu được triệu tập` is the number of delegates the units registered, with a note saying what to
    enter; the number of units only when nobody registered."""
    book = make_book(units=4)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    people = [("Lê Văn Hùng", "Phó Chủ tịch UBND huyện", "0912 000 101", ""),
              ("Nguyễn Thị Lan", "Trưởng phòng Nội vụ", "0912 000 102", ""),
              ("Trần Văn An", "Chuyên viên", "0912 000 103", "")]  # fmt: skip
    for i, u in enumerate(book.units):  # 3 + 3 + 3 + 0 delegates
        regs = people if i < 3 else []
        write_unit_workbook(book, u, inbox / f"{i}.xlsx", ISSUED, full_entries(book), delegates=regs)
    result = consolidate(inbox, book=book, with_delegates=True)
    info = info_rows(write_ballots(result, tmp_path / "phieu")[2])
    value, note = info["Số đại biểu được triệu tập"][:2]
    assert value == 9  # not the 4 units
    assert "theo giấy mời; sửa nếu khác" in note and "9 đại biểu của 3/4 đơn vị" in note
    assert tally_convened(tmp_path / "phieu" / TALLY_NAME, present=7) == 9  # read back as typed

    nobody = consolidate(inbox, book=book)  # no delegate list: the number of units, said so
    value, note = info_rows(write_ballots(nobody, tmp_path / "phieu2")[2])["Số đại biểu được triệu tập"][:2]
    assert value == 4 and "sửa nếu khác" in note and "số đơn vị (4)" in note


def tally_convened(sheet: Path, present: int) -> int:
    enter(sheet, present=present, ballots={"suy_ton": ["U1"] * present, "cum_truong": ["U2"] * present,
                                           "cum_pho": ["U3"] * present})  # fmt: skip
    return tally(sheet).tally.convened


def test_cli_ballots_on_the_sample(tmp_path):
    from ttdk_xl.pipeline.stages import default_book_path

    sample = Path(__file__).resolve().parent.parent / "examples" / "hop_thu"
    out = run("ballots", sample, "--book", Path(sample).parent / "bo_tieu_chi.xlsx", "-o", tmp_path / "p")
    assert out.exit_code == 0, out.output
    assert "đủ điều kiện suy tôn" in out.output
    shown = {p.name for p in (tmp_path / "p").iterdir() if not p.name.startswith(".")}  # .ttdk_xl: output hashes
    assert shown == {ACCLAIM_BALLOT, ELECTION_BALLOT, TALLY_NAME}
    # The sample's units registered 19 delegates (dai_bieu.xlsx): the counters' sheet starts from them.
    assert info_rows(tmp_path / "p" / TALLY_NAME)["Số đại biểu được triệu tập"][0] == 19
    assert "Số đại biểu được triệu tập (điền sẵn trong phieu_kiem.xlsx, sửa nếu khác): 19" in out.output
    assert default_book_path().exists()
