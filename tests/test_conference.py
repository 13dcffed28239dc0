"""The conference's own papers (issue 19): the plan, the invitations, the programme and the banner.

Each document is read back with python-docx: its layout, header, numbers and dates, every member unit named, the
placeholders highlighted, no tag left; then a custom and a broken template, the .eml drafts and the command.
"""

from __future__ import annotations

import email
import itertools
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_COLOR_INDEX

from tests.conftest import make_book, needs_soffice
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.errors import ReportTemplateError
from ttdk_xl.outputs.conference import (
    BANNER_NAME,
    CONFERENCE_FILES,
    CONFERENCE_INFO,
    INVITATIONS_DIR,
    PLAN_NAME,
    PROGRAMME_NAME,
    build_context,
    invitation_filename,
    start_time,
    write_conference_papers,
)
from ttdk_xl.outputs.conference_render import CLOSE, OPEN
from ttdk_xl.pipeline.conference import make_conference_papers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RUN_DAY = date(2025, 11, 20)
DAY = date(2025, 12, 18)  # a Thursday


def conference_book(**overrides):
    """Six districts, the conference on 18/12/2025 at 07h30, a few keys of `Thông tin` typed, the head unit's
    contact in `Đơn vị`."""
    book = make_book(units=6, conference_date=DAY)
    units = list(book.units)
    units[0] = replace(units[0], contact="Lê Thị Hoa", phone="0912 345 678", email="tdkt@trieuson.gov.vn")
    info = (
        ("Giờ hội nghị", "07h30"),
        ("Địa điểm hội nghị", "Hội trường tầng 3, trụ sở UBND huyện Triệu Sơn"),
        ("Người ký văn bản hội nghị", "Vũ Đức Kính"),
    )
    fields = {"units": tuple(units), "extra_info": info} | overrides
    return replace(book, **fields)


def all_paragraphs(doc):
    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        yield from walk(cell)
            else:
                yield block

    yield from walk(doc)
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            yield from walk(part)


def text(path: Path) -> str:
    return "\n".join(p.text for p in all_paragraphs(Document(str(path))))


def highlighted(path: Path) -> list[str]:
    return [
        r.text
        for p in all_paragraphs(Document(str(path)))
        for r in p.runs
        if r.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]


@pytest.fixture(scope="module")
def papers(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("conf") / "hoi_nghi"
    write_conference_papers(conference_book(), out, run_date=RUN_DAY)
    return out


def mm(length) -> int:
    return round(length.mm)


def docx_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.docx"))


# ---------------------------------------------------------------------------------------------- what is written


def test_the_step_writes_its_files(papers):
    assert CONFERENCE_FILES == (PLAN_NAME, INVITATIONS_DIR, PROGRAMME_NAME, BANNER_NAME)
    for name in CONFERENCE_FILES:
        assert (papers / name).exists(), name
    book = conference_book()
    invitations = sorted((papers / INVITATIONS_DIR).glob("*.docx"))
    assert len(invitations) == len(book.units) + 1  # every member unit, and the provincial office
    drafts = sorted((papers / INVITATIONS_DIR).glob("*.eml"))
    assert len(drafts) == len(book.units)  # not the head unit's own (it hosts), but the province's
    assert not (papers / INVITATIONS_DIR / invitation_filename(book.units[0])).with_suffix(".eml").exists()
    assert not [p for p in papers.rglob("*") if p.name.startswith(".")]  # no temporary file left


def test_no_tag_or_marker_left(papers):
    for path in docx_files(papers):
        body = text(path)
        assert "{{" not in body and "{%" not in body and "}}" not in body, path.name
        assert OPEN not in body and CLOSE not in body, path.name


def test_layout_decree_30(papers):
    for path in docx_files(papers):
        doc = Document(str(path))
        s = doc.sections[0]
        if path.name == BANNER_NAME:
            assert s.orientation == WD_ORIENT.LANDSCAPE
            assert (mm(s.page_width), mm(s.page_height)) == (297, 210)
            continue
        assert s.orientation == WD_ORIENT.PORTRAIT
        assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
        assert [mm(m) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [20, 20, 30, 15]
        fonts = {r.font.name for p in all_paragraphs(doc) for r in p.runs if r.text.strip()}
        assert fonts == {"Times New Roman"}, (path.name, fonts)


def test_plan_header_and_sections(papers):
    body = text(papers / PLAN_NAME)
    head = [c.text for c in Document(str(papers / PLAN_NAME)).tables[0].rows[0].cells]
    assert "UBND TỈNH THANH HÓA" in head[0] and "CỤM THI ĐUA SỐ 9" in head[0] and "Số:      /KH-CTĐ" in head[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head[1] and "Độc lập - Tự do - Hạnh phúc" in head[1]
    assert "Triệu Sơn, ngày      tháng 11 năm 2025" in head[1]  # the day is left for the signer
    assert (
        "KẾ HOẠCH\nTổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm 2025; phương hướng, nhiệm vụ năm 2026"
        in body
    )
    parts = [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN THAM DỰ",
        "III. CHƯƠNG TRÌNH, MAKET HỘI NGHỊ",
        "IV. TỔ CHỨC THỰC HIỆN",
        "Nơi nhận:",
        "CỤM TRƯỞNG",
    ]
    positions = [body.index(p) for p in parts]
    assert positions == sorted(positions)
    assert "- Thời gian: 07h30, Thứ Năm, ngày 18 tháng 12 năm 2025;" in body
    assert "- Địa điểm: Hội trường tầng 3, trụ sở UBND huyện Triệu Sơn." in body
    assert "CHỦ TỊCH UBND HUYỆN TRIỆU SƠN" in body and "Vũ Đức Kính" in body


def test_plan_names_every_unit_head_deputy_and_the_deadlines(papers):
    body = text(papers / PLAN_NAME)
    book = conference_book()
    for unit in book.units:
        assert unit.name in body
    assert "của 06 đơn vị trong Cụm" in body
    assert "2. UBND huyện Triệu Sơn - Cụm trưởng" in body and "3. UBND huyện Nông Cống - Cụm phó" in body
    assert "- Đơn vị Cụm phó (UBND huyện Nông Cống): đại diện lãnh đạo cấp ủy, chính quyền;" in body
    assert "trước ngày 15/12/2025" in body  # the book's Hạn nộp
    assert "tối đa 03 đại biểu" in body and "“Đăng ký đại biểu”" in body
    assert "trước ngày 13/12/2025" in body  # delegates: 5 days before the conference
    assert "Kinh phí tổ chức Hội nghị: Trích từ Quỹ Thi đua, khen thưởng của UBND huyện Triệu Sơn." in body
    assert "Thành viên Hội đồng Thi đua - Khen thưởng tỉnh phụ trách Cụm thi đua số 9" in body
    assert "- Đơn vị Cụm trưởng (UBND huyện Triệu Sơn): đại diện Thường trực cấp ủy, Thường trực HĐND" in body


def test_plan_programme_items_in_the_issue_order(papers):
    body = text(papers / PLAN_NAME)
    items = [
        "- Báo cáo tổng kết công tác thi đua, khen thưởng năm 2025 của Cụm",
        "- Thông qua dự thảo kết quả đánh giá, chấm điểm, xếp loại thi đua năm 2025",
        "- Thảo luận, thống nhất kết quả chấm điểm, xếp loại thi đua; bỏ phiếu bầu chọn, suy tôn đơn vị dẫn đầu",
        "- Phát biểu chỉ đạo của lãnh đạo Ban Thi đua - Khen thưởng tỉnh",
        "- Giới thiệu, bầu Cụm trưởng, Cụm phó năm 2026",
        "phát động phong trào thi đua và tổ chức ký kết giao ước thi đua năm 2026",
        "- Tham quan, học tập mô hình, điển hình tiên tiến",
        "- Giao lưu giữa các đơn vị trong Cụm.",
    ]
    positions = [body.index(i) for i in items]
    assert positions == sorted(positions)


def test_plan_carries_the_banner_text(papers):
    banner = Document(str(papers / PLAN_NAME)).tables[1].rows[0].cells[0].text.split("\n")
    assert banner == [
        "CỤM THI ĐUA SỐ 9",
        "TỈNH THANH HÓA",
        "HỘI NGHỊ",
        "TỔNG KẾT CÔNG TÁC THI ĐUA VÀ KHEN THƯỞNG",
        "NĂM 2025; PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026",
        "Triệu Sơn, ngày 18 tháng 12 năm 2025",
    ]


def test_banner_is_large_and_centred(papers):
    doc = Document(str(papers / BANNER_NAME))
    lines = [p for p in doc.paragraphs if p.text]
    assert [p.text for p in lines] == [
        "CỤM THI ĐUA SỐ 9",
        "TỈNH THANH HÓA",
        "HỘI NGHỊ",
        "TỔNG KẾT CÔNG TÁC THI ĐUA VÀ KHEN THƯỞNG",
        "NĂM 2025; PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026",
        "Triệu Sơn, ngày 18 tháng 12 năm 2025",
    ]
    assert all(p.alignment == 1 for p in lines)  # centred
    sizes = [p.runs[0].font.size.pt for p in lines]
    assert min(sizes) >= 24 and sizes[2] == max(sizes)  # "HỘI NGHỊ" the largest


def test_programme_times_speakers_and_order(papers):
    doc = Document(str(papers / PROGRAMME_NAME))
    rows = [[c.text for c in r.cells] for r in doc.tables[1].rows]
    assert rows[0] == ["STT", "Thời gian", "Nội dung", "Thực hiện"]
    rows = rows[1:]
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    assert rows[0][1] == "07h30 - 08h00"
    for before, after in itertools.pairwise(rows):  # contiguous: each item starts when the last ends
        assert after[1].replace("Từ ", "").split(" - ")[0] == before[1].split(" - ")[1]
    items = [r[2] for r in rows]
    order = ["Báo cáo tổng kết", "dự thảo kết quả chấm điểm", "Thảo luận, thống nhất", "Bỏ phiếu suy tôn",
             "Phát biểu chỉ đạo", "bầu Cụm trưởng, Cụm phó", "ký kết giao ước", "Tham quan", "Giao lưu"]  # fmt: skip
    found = [next(i for i, item in enumerate(items) if key in item) for key in order]
    assert found == sorted(found)
    who = {r[2]: r[3] for r in rows}
    report = next(k for k in who if k.startswith("Báo cáo tổng kết"))
    assert who[report] == "Lãnh đạo UBND huyện Triệu Sơn (Cụm trưởng)"
    assert (
        "Lãnh đạo UBND huyện Nông Cống (Cụm trưởng năm 2026, dự kiến)"
        in who[next(k for k in who if "ký kết giao ước" in k)]
    )
    assert "Lãnh đạo Ban Thi đua - Khen thưởng tỉnh" in who.values()
    assert "Thời gian: 07h30, Thứ Năm, ngày 18 tháng 12 năm 2025." in text(papers / PROGRAMME_NAME)


def test_each_invitation_is_addressed_from_the_book(papers):
    book = conference_book()
    for unit in book.units[1:]:
        body = text(papers / INVITATIONS_DIR / invitation_filename(unit))
        assert "GIẤY MỜI" in body and "Số:      /GM-CTĐ" in body
        roles = "Các đồng chí Chủ tịch, Trưởng phòng Nội vụ và chuyên viên phụ trách công tác thi đua, khen thưởng"
        assert f"{roles} của {unit.name}" in body
        assert f"Đề nghị {unit.name} đăng ký tối đa 03 đại biểu" in body
        assert "“Đăng ký đại biểu”" in body and "trước ngày 13/12/2025" in body
        assert f"(tệp “2025_{unit.code}_{unit.name}.xlsx”)" in body  # the workbook the unit was sent
        assert "Thời gian: 07h30, Thứ Năm, ngày 18 tháng 12 năm 2025." in body
        assert "Địa điểm: Hội trường tầng 3, trụ sở UBND huyện Triệu Sơn." in body
        assert "Liên hệ: Lê Thị Hoa, điện thoại 0912 345 678, thư điện tử tdkt@trieuson.gov.vn." in body
        others = [u.name for u in book.units[1:] if u != unit]
        assert not [n for n in others if n in body]  # addressed to this unit only
    deputy = text(papers / INVITATIONS_DIR / invitation_filename(book.units[1]))
    assert "Đại diện lãnh đạo cấp ủy, chính quyền huyện Nông Cống" in deputy
    head = text(papers / INVITATIONS_DIR / invitation_filename(book.units[0]))
    assert "lãnh đạo UBND, lãnh đạo Ủy ban MTTQ Việt Nam huyện Triệu Sơn;" in head
    province = text(papers / INVITATIONS_DIR / invitation_filename(None))
    assert "Thành viên Hội đồng Thi đua - Khen thưởng tỉnh phụ trách Cụm thi đua số 9;" in province
    assert "Đề nghị Ban Thi đua - Khen thưởng tỉnh thông báo danh sách đại biểu" in province


def test_drafts_carry_the_invitation(papers):
    book = conference_book()
    unit = book.units[2]
    path = (papers / INVITATIONS_DIR / invitation_filename(unit)).with_suffix(".eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert msg["X-Unsent"] == "1"
    assert unit.email in msg["To"] and "tdkt@trieuson.gov.vn" in msg["From"]
    assert "Giấy mời dự Hội nghị tổng kết" in msg["Subject"] and unit.name in msg["Subject"]
    body = msg.get_body(("plain",)).get_content()
    assert f"Kính gửi: {unit.name}" in body and "18 tháng 12 năm 2025" in body
    assert OPEN not in body and CLOSE not in body
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == invitation_filename(unit)
    assert attachment.get_content() == (papers / INVITATIONS_DIR / invitation_filename(unit)).read_bytes()
    province = email.message_from_bytes(
        (papers / INVITATIONS_DIR / invitation_filename(None)).with_suffix(".eml").read_bytes(), policy=policy.default
    )
    assert province["To"] is None  # the office types the provincial address


# ---------------------------------------------------------------------------------------------- what is not known


def test_unknown_parts_are_highlighted_placeholders(tmp_path):
    book = make_book(units=3)  # no Ngày hội nghị, no keys typed, no contact
    write_conference_papers(book, tmp_path, run_date=RUN_DAY)
    plan = highlighted(tmp_path / PLAN_NAME)
    assert "ngày … tháng … năm …" in plan  # the conference's date
    assert "[Họ và tên người ký]" in plan
    assert "[Hội trường, phòng họp]" in plan
    assert any(t.startswith("[Căn cứ …") for t in plan)
    assert "Dự kiến" not in text(tmp_path / PLAN_NAME)
    assert "(lịch cụ thể sẽ thông báo sau)" in text(tmp_path / PLAN_NAME)
    assert "chậm nhất 05 ngày trước ngày tổ chức Hội nghị" in text(tmp_path / PLAN_NAME)
    invitation_text = text(tmp_path / INVITATIONS_DIR / invitation_filename(book.units[1]))
    assert "Thời gian: 08h00, ngày … tháng … năm …." in invitation_text
    assert "thông báo sau" not in invitation_text  # an invitation does not say so
    assert "ngày … tháng … năm …" in highlighted(tmp_path / BANNER_NAME)
    invitation = highlighted(tmp_path / INVITATIONS_DIR / invitation_filename(book.units[1]))
    assert "số      /KH-CTĐ ngày …" in invitation and "[họ tên người liên hệ]" in invitation
    for path in docx_files(tmp_path):  # nothing typed by the book is highlighted
        assert not [t for t in highlighted(path) if not t.startswith(("[", "…", "ngày …", "số "))], path.name


def test_a_book_without_head_or_deputy(tmp_path):
    book = make_book(units=3, head_unit="", deputy_unit="", place="")
    write_conference_papers(book, tmp_path, run_date=RUN_DAY)
    marked = highlighted(tmp_path / PLAN_NAME)
    for expected in ("[đơn vị Cụm trưởng]", "[đơn vị Cụm phó]", "[CHỨC VỤ NGƯỜI KÝ]", "[địa danh]"):
        assert expected in marked
    for unit in book.units:
        assert unit.name in text(tmp_path / PLAN_NAME)
    assert len(list((tmp_path / INVITATIONS_DIR).glob("*.eml"))) == len(book.units) + 1  # no head: a draft each


def test_text_with_xml_characters_and_unsafe_file_names(tmp_path):
    book = make_book(units=3)
    units = list(book.units)
    units[2] = replace(units[2], name="Sở Văn hóa & Thể thao <mới>")
    book = replace(book, units=tuple(units), extra_info=(("Địa điểm hội nghị", "Hội trường A & B"),))
    write_conference_papers(book, tmp_path, run_date=RUN_DAY)
    plan = text(tmp_path / PLAN_NAME)
    assert "Sở Văn hóa & Thể thao <mới>" in plan and "Hội trường A & B" in plan
    path = tmp_path / INVITATIONS_DIR / "giay_moi_U3_Sở Văn hóa & Thể thao _mới_.docx"
    assert "Sở Văn hóa & Thể thao <mới>" in text(path)


def test_every_new_key_is_read_from_the_book(tmp_path):
    """The keys are typed in the workbook's `Thông tin`, read by load_book and used."""
    from openpyxl import load_workbook

    book_path = tmp_path / "bo_tieu_chi.xlsx"
    shutil.copyfile(EXAMPLES / "bo_tieu_chi.xlsx", book_path)
    wb = load_workbook(book_path)
    ws = wb["Thông tin"]
    typed = {
        "Ngày hội nghị": "09/01/2026",
        "Giờ hội nghị": "14 giờ",
        "Địa điểm hội nghị": "Nhà văn hóa trung tâm huyện Triệu Sơn",
        "Kinh phí hội nghị": "Ngân sách huyện Triệu Sơn năm 2026",
        "Căn cứ tổ chức hội nghị": "Quyết định số 622/QĐ-UBND ngày 22/02/2021 của UBND tỉnh Thanh Hóa; "
        "Căn cứ Hướng dẫn số 334/HD-BTĐKT ngày 21/7/2020",
        "Cơ quan thi đua tỉnh": "Sở Nội vụ tỉnh Thanh Hóa",
        "Đại biểu cấp tỉnh": "Phó Chủ tịch UBND tỉnh",
        "Đại biểu mỗi đơn vị": "Phó Chủ tịch UBND",
        "Đại biểu đơn vị Cụm phó": "Bí thư Huyện ủy",
        "Đại biểu đơn vị Cụm trưởng": "Thường trực Huyện ủy",
        "Hạn đăng ký đại biểu": "05/01/2026",
        "Tham quan mô hình": "mô hình trồng dưa lưới công nghệ cao xã Thọ Tân",
        "Người ký văn bản hội nghị": "Lê Văn Bình",
    }
    assert set(typed) - {"Ngày hội nghị"} == set(CONFERENCE_INFO)
    row = ws.max_row
    for key, value in typed.items():
        if key == "Ngày hội nghị":
            found = [r for r in range(1, row + 1) if ws.cell(r, 1).value == key]
            if found:
                ws.cell(found[0], 2).value = value
                continue
        row += 1
        ws.cell(row, 1).value, ws.cell(row, 2).value = key, value
    wb.save(book_path)
    paths = make_conference_papers(tmp_path, run_date=RUN_DAY)
    assert all(p.is_relative_to(tmp_path / "hoi_nghi") for p in paths)
    plan = text(tmp_path / "hoi_nghi" / PLAN_NAME)
    assert "Căn cứ Quyết định số 622/QĐ-UBND ngày 22/02/2021 của UBND tỉnh Thanh Hóa;" in plan
    assert "Căn cứ Hướng dẫn số 334/HD-BTĐKT ngày 21/7/2020;" in plan
    assert "- Thời gian: 14h00, Thứ Sáu, ngày 09 tháng 01 năm 2026;" in plan
    assert "Nhà văn hóa trung tâm huyện Triệu Sơn" in plan and "Ngân sách huyện Triệu Sơn năm 2026" in plan
    assert "- Phó Chủ tịch UBND tỉnh;" in plan and "- Phó Chủ tịch UBND của 08 đơn vị trong Cụm" in plan
    assert "(UBND huyện Nông Cống): Bí thư Huyện ủy;" in plan
    assert "): Thường trực Huyện ủy." in plan and "trước ngày 05/01/2026" in plan
    assert "mô hình trồng dưa lưới công nghệ cao xã Thọ Tân" in plan and "Lê Văn Bình" in plan
    assert "Sở Nội vụ tỉnh Thanh Hóa (b/c);" in plan
    assert highlighted(tmp_path / "hoi_nghi" / PLAN_NAME) == []  # everything known: nothing left to fill
    rows = [[c.text for c in r.cells] for r in Document(str(tmp_path / "hoi_nghi" / PROGRAMME_NAME)).tables[1].rows]
    assert rows[1][1] == "14h00 - 14h30" and "Lãnh đạo Sở Nội vụ tỉnh Thanh Hóa" in [r[3] for r in rows]


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("08h00", 480), ("7:30", 450), ("8 giờ 30", 510), ("14h", 840), ("8g15", 495), ("sáng", None), ("25h00", None)],
)
def test_start_time(typed, minutes):
    assert start_time(typed) == minutes


def test_context_is_strings_and_lists():
    ctx = build_context(conference_book(), RUN_DAY)

    def strings_only(value):
        if isinstance(value, list):
            return all(strings_only(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and strings_only(v) for k, v in value.items())
        return isinstance(value, str)

    assert strings_only(ctx)
    assert ctx["conf_weekday"] == "Thứ Năm" and ctx["seats"] == "03" and ctx["n_units"] == "06"
    book = conference_book()
    head = replace(book.units[0], phone="+84 912.345.678")
    ctx = build_context(replace(book, units=(head, *book.units[1:])), RUN_DAY)
    assert ctx["contact"] == "Lê Thị Hoa, điện thoại 0912 345 678, thư điện tử tdkt@trieuson.gov.vn"


# ---------------------------------------------------------------------------------------------- templates


def _tiny_template(path: Path, *lines: str) -> Path:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))
    return path


def test_custom_template_folder(tmp_path):
    mau = tmp_path / "mau"
    mau.mkdir()
    _tiny_template(mau / "mau_maket.docx", "{{ cluster_name_upper }} — {{ banner_place_date }}")
    out = tmp_path / "out"
    write_conference_papers(conference_book(), out, templates=mau, run_date=RUN_DAY)
    assert [p.text for p in Document(str(out / BANNER_NAME)).paragraphs] == [
        "CỤM THI ĐUA SỐ 9 — Triệu Sơn, ngày 18 tháng 12 năm 2025"
    ]
    assert "KẾ HOẠCH" in text(out / PLAN_NAME)  # the others from the defaults


def test_custom_template_highlights_placeholders(tmp_path):
    tpl = _tiny_template(tmp_path / "mau_giay_moi.docx", "Ngày {{ conf_day_words }}, ký: {{ signer }}")
    write_conference_papers(make_book(units=2), tmp_path / "out", templates=tpl, run_date=RUN_DAY)
    path = tmp_path / "out" / INVITATIONS_DIR / invitation_filename(None)
    assert [p.text for p in Document(str(path)).paragraphs] == ["Ngày ngày … tháng … năm …, ký: [Họ và tên người ký]"]
    assert highlighted(path) == ["ngày … tháng … năm …", "[Họ và tên người ký]"]


@pytest.mark.parametrize("tag", ["{{ unclosed", "{{ khong_co_bien }}", "{% fro x in units %}"])
def test_broken_template_is_a_message_and_nothing_is_written(tmp_path, tag):
    mau = tmp_path / "mau"
    mau.mkdir()
    _tiny_template(mau / "mau_giay_moi.docx", "Giấy mời {{ year }}", f"Câu có lỗi {tag} ở đây")
    out = tmp_path / "out"
    with pytest.raises(ReportTemplateError) as err:
        write_conference_papers(conference_book(), out, templates=mau, run_date=RUN_DAY)
    msg = str(err.value)
    assert "mau_giay_moi.docx" in msg and "giấy mời" in msg
    assert tag.split()[1].rstrip("}") in msg or tag in msg
    assert not out.exists()  # every template renders before anything is written


def test_tag_left_unrendered_is_refused(tmp_path):
    """A tag mistyped so that Jinja does not see it ('{ year }}') would be printed as is: refused."""
    tpl = _tiny_template(tmp_path / "mau_chuong_trinh.docx", "Chương trình {{ year }}", "Năm { year }} hết")
    with pytest.raises(
        ReportTemplateError, match=re.escape("còn thẻ chưa được thay sau khi dựng: “Năm { year }} hết”")
    ):
        write_conference_papers(conference_book(), tmp_path / "out", templates=tpl, run_date=RUN_DAY)
    assert not (tmp_path / "out").exists()


def test_not_a_word_file(tmp_path):
    bad = tmp_path / "mau_maket.docx"
    bad.write_bytes(b"khong phai docx")
    with pytest.raises(ReportTemplateError, match="Không đọc được mẫu maket hội nghị"):
        write_conference_papers(conference_book(), tmp_path / "out", templates=bad, run_date=RUN_DAY)


def test_same_book_same_bytes(tmp_path):
    write_conference_papers(conference_book(), tmp_path / "a", run_date=RUN_DAY)
    write_conference_papers(conference_book(), tmp_path / "b", run_date=RUN_DAY)
    for path in sorted((tmp_path / "a").rglob("*.*")):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes(), path.name


def test_shipped_templates_are_the_script_output(tmp_path):
    """input_templates/ holds what scripts/make_conference_templates.py builds (deterministic bytes)."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_conference_templates.py"), str(tmp_path)],
        check=True, capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    for built in sorted(tmp_path.glob("mau_*.docx")):
        assert built.read_bytes() == (ROOT / "input_templates" / built.name).read_bytes(), built.name


# ---------------------------------------------------------------------------------------------- the command


def test_command_in_the_year_folder(tmp_path, monkeypatch):
    year = tmp_path / "cum2-2025"
    year.mkdir()
    shutil.copyfile(EXAMPLES / "bo_tieu_chi.xlsx", year / "bo_tieu_chi.xlsx")
    (year / "hop_thu").mkdir()
    monkeypatch.chdir(year / "hop_thu")  # inside the year folder works too
    result = CliRunner().invoke(cli, ["hoi-nghi"])
    assert result.exit_code == 0, result.output
    book = load_book(year / "bo_tieu_chi.xlsx")
    assert "ke_hoach_hoi_nghi.docx" in result.output
    assert f"{len(book.units) + 1} giấy mời" in result.output
    assert "chưa có 'Ngày hội nghị'" in result.output
    for name in CONFERENCE_FILES:
        assert (year / "hoi_nghi" / name).exists()
    assert "Traceback" not in result.output


def test_command_options_and_errors(tmp_path):
    book = EXAMPLES / "bo_tieu_chi.xlsx"
    out = tmp_path / "van_ban"
    result = CliRunner().invoke(cli, ["hoi-nghi", "--book", str(book), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / PLAN_NAME).exists()

    result = CliRunner().invoke(cli, ["hoi-nghi", str(tmp_path)])  # no book here
    assert result.exit_code == 1 and "Không tìm thấy bộ tiêu chí bo_tieu_chi.xlsx" in result.output

    mau = tmp_path / "mau"
    mau.mkdir()
    _tiny_template(mau / "mau_ke_hoach_hoi_nghi.docx", "{{ unclosed")
    result = CliRunner().invoke(cli, ["hoi-nghi", "--book", str(book), "-o", str(tmp_path / "x"), "--mau", str(mau)])
    assert result.exit_code == 1
    assert "Lỗi: Mẫu kế hoạch hội nghị “mau_ke_hoach_hoi_nghi.docx”" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x").exists()


def test_a_rerun_backs_up_what_a_person_edited(tmp_path):
    year = tmp_path / "cum2-2025"
    year.mkdir()
    shutil.copyfile(EXAMPLES / "bo_tieu_chi.xlsx", year / "bo_tieu_chi.xlsx")
    assert CliRunner().invoke(cli, ["hoi-nghi", str(year)]).exit_code == 0
    plan = year / "hoi_nghi" / PLAN_NAME
    doc = Document(str(plan))
    doc.add_paragraph("Văn phòng đã điền ngày Hội nghị")
    doc.save(str(plan))  # as Word saves it: real dates in the zip
    result = CliRunner().invoke(cli, ["hoi-nghi", str(year)])
    assert result.exit_code == 0, result.output
    (copy,) = list((year / "sao_luu").rglob("*.docx"))  # only the edited one
    assert copy.name.startswith(PLAN_NAME.removesuffix(".docx") + "_") and copy.parent.name == "sao_luu"
    assert "Văn phòng đã điền ngày Hội nghị" in text(copy)
    assert "Văn phòng đã điền" not in text(plan)  # written afresh
    assert f"Tệp {PLAN_NAME} đã được sửa sau lần tạo trước: bản đó được lưu ở {copy}" in result.output
    assert CliRunner().invoke(cli, ["hoi-nghi", str(year)]).exit_code == 0
    assert len(list((year / "sao_luu").rglob("*.docx"))) == 1  # nothing edited since: no new copy


def test_help_is_vietnamese():
    result = CliRunner().invoke(cli, ["hoi-nghi", "--help"])
    assert result.exit_code == 0
    shown = " ".join(result.output.split())
    assert "kế hoạch, giấy mời, chương trình, maket" in shown and "[THƯ_MỤC_NĂM]" in shown


# ---------------------------------------------------------------------------------------------- as printed


@needs_soffice
def test_printed_pages(papers, tmp_path):
    """As LibreOffice prints them: an invitation on one page, the banner on one landscape page."""
    names = [papers / BANNER_NAME, papers / INVITATIONS_DIR / invitation_filename(conference_book().units[1])]
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *map(str, names)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for name in names:
        pdf = (tmp_path / name.name).with_suffix(".pdf").read_bytes()
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, name.name
