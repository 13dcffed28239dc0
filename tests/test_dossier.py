"""The award dossier after the vote (`ttdk-xl ho-so`): what each document says, read back as a person would."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from tests.conftest import D, fill, full_entries, make_book
from tests.test_assessed import edit
from tests.test_ballots import enter
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.errors import ReportTemplateError
from ttdk_xl.outputs.ballots import write_ballots
from ttdk_xl.outputs.dossier import DOSSIER_FILES, INFO_DEFAULTS, K_BASES, TEMPLATES
from ttdk_xl.outputs.report import build_context
from ttdk_xl.pipeline import dossier as dossier_stage
from ttdk_xl.pipeline.dossier import make_dossier
from ttdk_xl.pipeline.stages import consolidate

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["UBND huyện Triệu Sơn", "UBND huyện Nông Cống", "UBND huyện Thọ Xuân", "UBND huyện Yên Định"]
VOTES = {
    "suy_ton": ["U1 U2 U3", "U1 U2 U4", "U1 U2 U3", "U1 U3"],  # U1 4, U2 3, U3 3, U4 1 of 4 ballots
    "cum_truong": ["U2", "U2", "U2", "U1"],
    "cum_pho": ["U3", "U3", "U3", "U4"],
}


def doc_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def marked(path: Path) -> list[str]:
    """The yellow-highlighted runs of a document (what the author must complete)."""
    doc = Document(str(path))
    paragraphs = list(doc.paragraphs) + [p for t in doc.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    return [r.text for p in paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]


def year_folder(tmp_path: Path, book=None, votes=VOTES, where: str = "bo_phieu") -> tuple[Path, object]:
    """A year folder with four returned workbooks (U1 > U2 > U3 > U4 on I.2) and the vote typed in."""
    book = book or make_book()
    root = tmp_path / "cum9-2025"
    inbox = root / "hop_thu"
    inbox.mkdir(parents=True)
    for i, u in enumerate(book.units):
        fill(book, i, inbox / f"{u.code}.xlsx", full_entries(book, I_2=(D(40 - 3 * i), "thiếu một nội dung")))
    result = consolidate(inbox, book=book)
    sheet = write_ballots(result, root / where)[2]
    if votes is not None:
        enter(sheet, present=4, ballots=votes)
    return root, book


@pytest.fixture
def dossier(tmp_path):
    root, book = year_folder(tmp_path)
    outcome = make_dossier(root, book=book)
    assert outcome.ok, outcome.findings
    return root, book, outcome


def test_the_four_documents_are_written_into_ho_so(dossier):
    root, _, outcome = dossier
    assert [p.name for p in outcome.paths] == list(DOSSIER_FILES)
    assert all(p.parent == root / "ho_so" and p.is_file() for p in outcome.paths)
    shown = sorted(p.name for p in (root / "ho_so").iterdir() if p.name[0] != ".")  # .ttdk_xl: output hashes
    assert shown == sorted(DOSSIER_FILES)  # no temporary file left
    assert not (root / "ket_qua").exists()  # the consolidation is in memory only


def test_no_document_has_a_tag_left(dossier):
    _, _, outcome = dossier
    for path in outcome.paths[:3]:
        text = doc_text(path)
        assert "{{" not in text and "{%" not in text and "}}" not in text, path.name


def test_to_trinh_requests_the_awards_voted(dossier):
    _, _, outcome = dossier
    path = outcome.paths[1]
    text = doc_text(path)
    assert "TỜ TRÌNH" in text and "/TTr-CTĐ" in text
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh Thanh Hóa (qua Sở Nội vụ tỉnh Thanh Hóa)." in text
    assert "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15" in text
    assert "Căn cứ Nghị định số 152/2025/NĐ-CP" in text
    assert "Căn cứ Biên bản họp bình xét thi đua của Cụm thi đua số 9 ngày" in text
    assert f"Tặng Cờ thi đua của UBND tỉnh cho {NAMES[0]} (suy tôn Nhất)" in text
    assert f"Tặng Bằng khen của Chủ tịch UBND tỉnh cho {NAMES[1]} (suy tôn Nhì)" in text
    assert f"Tặng Bằng khen của Chủ tịch UBND tỉnh cho {NAMES[2]} (suy tôn Ba)" in text
    assert NAMES[3] not in text  # one vote of five: not acclaimed
    assert "04/04 đại biểu" in text and f"{NAMES[0]}: đơn vị dẫn đầu (Nhất), 04/04 phiếu hợp lệ (100%)" in text
    assert "CHỦ TỊCH UBND HUYỆN TRIỆU SƠN" in text and "- Lưu: VT." in text
    # What the tool cannot know is a yellow placeholder: the number, a provincial basis, the signer.
    marks = marked(path)
    assert "…/TTr-CTĐ" in marks and "[Họ và tên người ký]" in marks
    assert any("Quyết định, hướng dẫn của UBND tỉnh Thanh Hóa" in m for m in marks)


def test_meeting_minutes_record_scores_votes_and_conclusions(dossier):
    _, _, outcome = dossier
    path = outcome.paths[2]
    text = doc_text(path)
    assert "BIÊN BẢN" in text and "Họp bình xét thi đua năm 2025 của Cụm thi đua số 9" in text
    assert "Đại biểu được triệu tập: 04; có mặt: 04 (đạt 100%, tỷ lệ tối thiểu theo quy định: 2/3)" in text
    table = Document(str(path)).tables[2]  # heading, members, ranking
    ranking = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[1] for r in ranking] == NAMES and [r[2] for r in ranking] == ["100", "97", "94", "91"]
    assert f"{NAMES[0]} 04 (Nhất)" in text and f"{NAMES[1]} 03 (Nhì)" in text and f"{NAMES[3]} 01" in text
    assert f"Đơn vị Cụm trưởng năm 2026: {NAMES[1]}; đơn vị Cụm phó năm 2026: {NAMES[2]}" in text
    assert f"Cờ thi đua của UBND tỉnh cho {NAMES[0]}" in text
    assert {"… giờ … phút", "[họ tên, chức vụ người chủ trì]", "[Họ và tên thư ký]"} <= set(marked(path))


def test_final_report_tells_the_vote_and_is_not_a_draft(dossier):
    _, _, outcome = dossier
    text = doc_text(outcome.paths[0])
    assert "DỰ THẢO" not in Document(str(outcome.paths[0])).sections[0].first_page_header.paragraphs[0].text
    assert "2. Kết quả suy tôn, đề nghị khen thưởng" in text
    assert f"{NAMES[0]}: đơn vị dẫn đầu (Nhất), 04/04 phiếu hợp lệ (100%)" in text
    assert f"{NAMES[1]} (suy tôn Nhì): đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh" in text
    assert f"Cụm trưởng năm 2026: {NAMES[1]} (03/04 phiếu hợp lệ, đạt 75%)" in text
    assert f"Cụm phó năm 2026: {NAMES[2]} (03/04 phiếu hợp lệ, đạt 75%)" in text
    assert "dự thảo kết quả" not in text and "đề xuất để Hội nghị xem xét, bầu" not in text


def test_list_annex_is_a_printable_sheet_of_the_proposals(dossier):
    _, _, outcome = dossier
    wb = openpyxl.load_workbook(outcome.paths[3])
    ws = wb.active
    assert ws.title == "Danh sách đề nghị"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, r in enumerate(values) if r[0] == "STT")
    assert values[header][1:4] == ["Tên đơn vị", "Tóm tắt thành tích", "Hình thức khen thưởng đề nghị"]
    rows = values[header + 1 : header + 4]
    assert [r[1] for r in rows] == NAMES[:3]
    assert [r[3] for r in rows] == ["Cờ thi đua của UBND tỉnh"] + ["Bằng khen của Chủ tịch UBND tỉnh"] * 2
    assert [r[4] for r in rows] == ["Nhất", "Nhì", "Ba"] and [r[5] for r in rows] == ["04/04", "03/04", "03/04"]
    assert "Tổng điểm thi đua năm 2025: 100 điểm, xếp thứ 1/4 đơn vị" in rows[0][2]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == f"${header + 1}:${header + 1}"  # the header row repeats on each page
    assert ws.cell(header + 2, 2).border.left.style == "thin"
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in [r[0] for r in values]


def test_book_keys_name_bases_addressees_and_signers(tmp_path):
    keys = (
        ("Số tờ trình", "125/TTr-UBND"),
        ("Căn cứ pháp lý", "Căn cứ Luật Thi đua, khen thưởng năm 2022;\nQuyết định số 99/QĐ-UBND ngày 01/3/2025 "
         "của {Cơ quan cấp trên};\nBiên bản họp Cụm {Ngày họp}."),
        ("Người ký", "Lê Văn An"),
        ("Chức vụ người ký", "PHÓ CHỦ TỊCH UBND HUYỆN TRIỆU SƠN"),
        ("Thẩm quyền ký", "KT. CHỦ TỊCH"),
        ("Chủ trì hội nghị", "Ông Lê Văn An, Chủ tịch UBND huyện Triệu Sơn"),
        ("Thư ký hội nghị", "Bà Trần Thị Bình"),
        ("Thời gian họp", "08 giờ 00 phút"),
    )  # fmt: skip
    root, book = year_folder(tmp_path, make_book(extra_info=keys))
    outcome = make_dossier(root, book=book)
    to_trinh, minutes = doc_text(outcome.paths[1]), doc_text(outcome.paths[2])
    assert "Số: 125/TTr-UBND" in to_trinh and "Căn cứ Căn cứ" not in to_trinh
    assert "Căn cứ Quyết định số 99/QĐ-UBND ngày 01/3/2025 của UBND tỉnh Thanh Hóa;" in to_trinh
    assert "Căn cứ Biên bản họp Cụm ngày" in to_trinh and "152/2025" not in to_trinh  # the book's, not the default
    assert "KT. CHỦ TỊCH" in to_trinh and "Lê Văn An" in to_trinh and "PHÓ CHỦ TỊCH UBND HUYỆN" in to_trinh
    assert marked(outcome.paths[1]) == []  # nothing left to complete
    report = doc_text(outcome.paths[0])
    assert "KT. CHỦ TỊCH" in report and "Lê Văn An" in report and "[Họ và tên người ký]" not in report
    assert "Chủ trì: Ông Lê Văn An, Chủ tịch UBND huyện Triệu Sơn." in minutes
    assert "Thời gian: 08 giờ 00 phút, ngày" in minutes and "Thư ký: Bà Trần Thị Bình." in minutes
    signatures = [c.text for c in Document(str(outcome.paths[2])).tables[-1].rows[0].cells]
    assert signatures[0].split() == ["THƯ", "KÝ", "Trần", "Thị", "Bình"]
    assert signatures[1].split() == ["CHỦ", "TRÌ", "HỘI", "NGHỊ", "Lê", "Văn", "An"]
    sheet = openpyxl.load_workbook(outcome.paths[3]).active
    assert "(Kèm theo Tờ trình số 125/TTr-UBND của UBND huyện Triệu Sơn)" in [c.value for c in sheet["A"]]


def test_the_same_inputs_give_the_same_bytes(dossier, tmp_path):
    root, book, outcome = dossier
    again = make_dossier(root, book=book, out=tmp_path / "lan2")
    assert [p.read_bytes() for p in again.paths] == [p.read_bytes() for p in outcome.paths]


def test_defaults_are_one_dict_of_keys():
    assert {"Số tờ trình", "Kính gửi", "Căn cứ pháp lý", "Người ký", "Chức vụ người ký"} <= set(INFO_DEFAULTS)
    bases = INFO_DEFAULTS[K_BASES].splitlines()
    assert "06/2022/QH15" in bases[0] and "152/2025/NĐ-CP" in bases[1] and "Biên bản họp" in bases[-1]


def test_agreed_scores_of_the_year_folder_count(tmp_path):
    root, book = year_folder(tmp_path)
    out = tmp_path / "kq"
    consolidate(root / "hop_thu", book=book, out=out)
    edit(out / "tong_hop.xlsx", root / "tham_dinh.xlsx", {("U1", "I.1"): (15, "Thiếu minh chứng")})
    outcome = make_dossier(root, book=book)
    assert outcome.ok and outcome.assessed_file == root / "tham_dinh.xlsx"
    minutes = doc_text(outcome.paths[2])
    assert "theo kết quả thẩm định đã được Hội nghị Cụm thảo luận, thống nhất (01 điểm được điều chỉnh" in minutes
    assert "95" in [c.text for row in Document(str(outcome.paths[2])).tables[2].rows for c in row.cells]


def test_the_tally_at_the_top_of_the_folder_wins(tmp_path):
    root, book = year_folder(tmp_path, where=".")
    outcome = make_dossier(root, book=book)
    assert outcome.ok and outcome.tally_file == root / "phieu_kiem.xlsx"


def test_without_a_count_nothing_is_written(tmp_path):
    root, book = year_folder(tmp_path, votes=None)
    (root / "bo_phieu" / "phieu_kiem.xlsx").unlink()
    outcome = make_dossier(root, book=book)
    assert not outcome.ok and [f.code for f in outcome.findings] == ["dossier-no-tally"]
    assert "ttdk-xl ballots" in outcome.findings[0].fix and "phieu_kiem.xlsx" in outcome.findings[0].message
    assert not (root / "ho_so").exists()


def test_a_count_with_errors_is_refused_naming_the_cell(tmp_path):
    root, book = year_folder(tmp_path, votes=None)
    enter(root / "bo_phieu" / "phieu_kiem.xlsx", present=4, ballots={"suy_ton": ["U1", "U1"]})
    sheet = root / "bo_phieu" / "phieu_kiem.xlsx"
    wb = openpyxl.load_workbook(sheet)
    wb["Suy tôn"].cell(5, 3).value = "v"  # a mark other than x
    wb.save(sheet)
    outcome = make_dossier(root, book=book)
    assert not outcome.ok and not (root / "ho_so").exists()
    bad = next(f for f in outcome.findings if f.code == "tally-bad-mark")
    assert bad.sheet == "Suy tôn" and bad.cell == "C5"
    assert outcome.findings[-1].code == "dossier-tally-errors"


def test_an_acclaimed_unit_below_the_awards_level_is_not_proposed(tmp_path):
    book = make_book()
    root, _ = year_folder(tmp_path, book=book)
    low = make_book(awards=book.awards[:2])  # no award for the third place
    outcome = make_dossier(root, book=low)
    assert outcome.ok
    warned = [f for f in outcome.findings if f.code == "dossier-no-award"]
    assert [f.unit_code for f in warned] == ["U3"]  # third place: the book has no award for it
    rows = [r[1] for r in openpyxl.load_workbook(outcome.paths[3]).active.iter_rows(values_only=True)]
    assert NAMES[2] not in rows and NAMES[1] in rows


# ------------------------------------------------------------------------------------------ templates


def _tiny(path: Path, *lines: str) -> Path:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))
    return path


def test_an_office_template_is_used_and_a_broken_one_is_a_message(tmp_path):
    root, book = year_folder(tmp_path)
    mine = tmp_path / "mau"
    mine.mkdir()
    _tiny(mine / TEMPLATES["to_trinh.docx"], "Tờ trình của {{ head_body }}: {{ n_proposed }} đơn vị")
    outcome = make_dossier(root, book=book, template_dir=mine)
    assert doc_text(outcome.paths[1]) == "Tờ trình của UBND huyện Triệu Sơn: 03 đơn vị"
    assert "BIÊN BẢN" in doc_text(outcome.paths[2])  # the others: the default templates

    _tiny(mine / TEMPLATES["bien_ban_hop.docx"], "Biên bản {{ khong_co_bien_nay }}")
    before = {p.name: p.read_bytes() for p in (root / "ho_so").iterdir()}
    with pytest.raises(ReportTemplateError) as err:
        make_dossier(root, book=book, template_dir=mine)
    assert "mau_bien_ban_hop.docx" in str(err.value) and "khong_co_bien_nay" in str(err.value)
    assert "Mẫu biên bản họp" in str(err.value)
    assert {p.name: p.read_bytes() for p in (root / "ho_so").iterdir()} == before  # nothing half-written


def test_shipped_templates_are_the_scripts_and_the_same_bytes_each_time(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_dossier_templates
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    first = make_dossier_templates.build_all(tmp_path / "a")
    second = make_dossier_templates.build_all(tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes() == (ROOT / "input_templates" / a.name).read_bytes(), a.name


def test_the_draft_report_context_is_unchanged_without_a_count(tmp_path):
    root, book = year_folder(tmp_path, votes=None)
    result = consolidate(root / "hop_thu", book=book)
    draft = build_context(result)
    assert draft["final"] == "" and "voted" not in draft


# ------------------------------------------------------------------------------------------ the command


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_command_writes_the_dossier_of_the_folder(tmp_path, monkeypatch):
    root, book = year_folder(tmp_path)
    monkeypatch.setattr(dossier_stage, "find_book", lambda inbox: book)  # the folder's book, built in code
    monkeypatch.chdir(root)
    result = run("ho-so")
    assert result.exit_code == 0, result.output
    assert f"Nhất {NAMES[0]}" in result.output and "đề nghị tặng Cờ thi đua của UBND tỉnh" in result.output
    assert all(name in result.output for name in DOSSIER_FILES)
    assert sorted(p.name for p in (root / "ho_so").iterdir() if p.name[0] != ".") == sorted(DOSSIER_FILES)


def test_command_without_a_count_says_what_to_do(tmp_path, monkeypatch):
    root, book = year_folder(tmp_path, votes=None)
    (root / "bo_phieu" / "phieu_kiem.xlsx").unlink()
    monkeypatch.setattr(dossier_stage, "find_book", lambda inbox: book)
    result = run("ho-so", root)
    assert result.exit_code == 1
    assert "Chưa có kết quả bỏ phiếu" in result.output and "ttdk-xl ballots" in result.output
    assert "Traceback" not in result.output and not (root / "ho_so").exists()


def test_command_broken_template_is_one_line_and_help_is_vietnamese(tmp_path, monkeypatch):
    root, book = year_folder(tmp_path)
    monkeypatch.setattr(dossier_stage, "find_book", lambda inbox: book)
    mine = tmp_path / "mau"
    mine.mkdir()
    _tiny(mine / TEMPLATES["to_trinh.docx"], "{{ unclosed")
    result = run("ho-so", root, "--mau", mine)
    assert result.exit_code == 1 and "Lỗi: Mẫu tờ trình “mau_to_trinh.docx”" in result.output
    assert "Traceback" not in result.output
    help_text = run("ho-so", "--help").output
    assert "THƯ_MỤC_NĂM" in help_text and "--kiem-phieu" in help_text and "--tham-dinh" in help_text
    assert "hồ sơ đề nghị khen thưởng" in help_text


def test_a_count_of_another_year_is_refused(tmp_path):
    root, _ = year_folder(tmp_path)
    outcome = make_dossier(root, book=make_book(year=2026))
    assert not outcome.ok and not (root / "ho_so").exists()
    assert [f.code for f in outcome.findings] == ["dossier-tally-other-year"]
    assert "năm 2025, không phải Cụm thi đua số 9 năm 2026" in outcome.findings[0].message


def test_places_left_open_by_the_vote_are_said(tmp_path):
    votes = {"suy_ton": ["U1 U2", "U1 U3", "U1 U2", "U1 U3"], "cum_truong": ["U2", "U3", "U2", "U3"], "cum_pho": []}
    root, book = year_folder(tmp_path, votes=votes)
    outcome = make_dossier(root, book=book)
    assert outcome.ok
    assert [f.code for f in outcome.findings if f.code == "dossier-vote-open"] == ["dossier-vote-open"] * 3
    report = doc_text(outcome.paths[0])
    assert "Còn 02 vị trí suy tôn chưa có đơn vị đạt quá nửa số phiếu hợp lệ." in report  # 2/4: not more than half
    assert "Bầu Cụm trưởng: chưa có đơn vị đạt quá nửa số phiếu hợp lệ, Hội nghị cần bầu lại." in report
    assert "Cụm trưởng năm 2026: [chưa bầu được: Hội nghị bầu lại];" in report
    assert [r[1] for r in openpyxl.load_workbook(outcome.paths[3]).active.iter_rows(values_only=True)].count(
        NAMES[0]
    ) == 1  # only the unit chosen is proposed
