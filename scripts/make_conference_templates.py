"""Build the conference's editable Word templates into input_templates/:

    mau_ke_hoach_hoi_nghi.docx   the plan (Kế hoạch tổ chức Hội nghị tổng kết …)
    mau_giay_moi.docx            one invitation (rendered once per member unit and once for the province)
    mau_chuong_trinh.docx        the programme, with times and who speaks
    mau_maket.docx               the banner text, landscape, large and centred

docxtpl (Jinja) documents in the Decree 30/2020/NĐ-CP layout; `ttdk_xl.outputs.conference.build_context` (and
`invitation_context`) list the data they get. The office may reword anything in Word and keep the tags.
The same script gives the same bytes (fixed zip dates, fixed document properties).

Run from the repository root:  python scripts/make_conference_templates.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ttdk_xl.outputs.docx_style import (
    CENTER,
    LEFT,
    Writer,
    add_runs,
    cant_split,
    cell_par,
    fmt,
    mark_size,
    national_header,
    new_document,
    repeat_header,
    table_props,
    title,
    write_docx,
)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "input_templates"
FIXED = datetime(2026, 1, 1)  # document properties: the same bytes on every build
SUBJECT = (
    "Hội nghị tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, nhiệm vụ năm {{ year_next }} "
    "của {{ cluster_name }}"
)
NOTE = "Mẫu dùng thẻ docxtpl/Jinja; có thể sửa câu chữ, giữ nguyên các thẻ trong ngoặc nhọn."
MARK = {"mark": True}


def _document(doc_title: str, landscape: bool = False):
    doc = new_document(doc_title, comments=NOTE, landscape=landscape)
    props = doc.core_properties
    props.created = FIXED
    props.modified = FIXED
    props.last_modified_by = "ttdk-xl"
    props.revision = 1
    return doc


def _bullets(w: Writer, loop: str, text: str) -> None:
    """One bullet per item of a list: '- item;' and '- last.'"""
    w.tag(f"{{%p for x in {loop} %}}")
    w.para(f'- {text}{{{{ "." if loop.last else ";" }}}}')
    w.tag("{%p endfor %}")


def _labelled(w: Writer, label: str, text: str) -> None:
    w.para([(label, {"bold": True}), text])


def closing_block(doc, recipients: list[str]) -> None:
    """Nơi nhận (left) and the head unit's signature (right), in a borderless table."""
    t = doc.add_table(rows=1, cols=2)
    table_props(t, [6.9, 9.9], borders=False, indent_cm=-0.4)
    cant_split(t.rows[0])
    left, right = t.rows[0].cells
    p = left.paragraphs[0]
    fmt(p, align=LEFT, before=6, after=0, indent=0, line=None)
    add_runs(p, "Nơi nhận:", size=12, bold=True, italic=True)
    for line in recipients:
        p = left.add_paragraph()
        fmt(p, align=LEFT, after=0, indent=0, line=None)
        add_runs(p, line, size=11)
    p = right.paragraphs[0]
    fmt(p, align=CENTER, before=6, after=0, indent=0, line=None)
    add_runs(p, "CỤM TRƯỞNG", size=14, bold=True)
    p = right.add_paragraph()
    fmt(p, align=CENTER, after=0, indent=0, line=None)
    add_runs(p, "{{ head_signer_title }}", size=14, bold=True)
    for _ in range(4):
        p = right.add_paragraph()
        fmt(p, align=CENTER, after=0, indent=0, line=None)
        mark_size(p, 14)
    p = right.add_paragraph()
    fmt(p, align=CENTER, before=12, after=0, indent=0, line=None)
    add_runs(p, "{{ signer }}", size=14, bold=True)
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def banner_box(doc) -> None:
    """The banner text inside the plan: a bordered box, centred lines."""
    t = doc.add_table(rows=1, cols=1)
    table_props(t, [15.0], borders=True, indent_cm=0.75)
    cell = t.rows[0].cells[0]
    lines = [
        ("{{ cluster_name_upper }}", 13, True, False),
        ("{{ province_upper }}", 13, True, False),
        ("HỘI NGHỊ", 14, True, False),
        ("{{ banner_title_1 }}", 13, True, False),
        ("{{ banner_title_2 }}", 13, True, False),
        ("{{ banner_place_date }}", 13, False, True),
    ]
    for i, (text, size, bold, italic) in enumerate(lines):
        p = cell_par(cell, text, size=size, bold=bold, italic=italic, first=i == 0)
        if i in (0, 2, 5):
            p.paragraph_format.space_before = Pt(8)
        if i == 5:
            p.paragraph_format.space_after = Pt(8)


# ---------------------------------------------------------------------------------------------- the plan


def build_plan(out: Path) -> Path:
    doc = _document("Kế hoạch tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng (mẫu)")
    w = Writer(doc)
    national_header(
        doc, "{{ parent_body_upper }}", "{{ cluster_name_upper }}", "Số:      /KH-CTĐ", "{{ issue_date_line }}"
    )
    title(
        w,
        "KẾ HOẠCH",
        "Tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm {{ year }}; "
        "phương hướng, nhiệm vụ năm {{ year_next }}",
    )
    w.tag("{%p for b in legal_bases %}")
    w.para([("{{ b }};", {"italic": True})])
    w.tag("{%p endfor %}")
    w.para(
        "{{ head_body }}, đơn vị Cụm trưởng {{ cluster_name }} năm {{ year }}, ban hành Kế hoạch tổ chức Hội nghị "
        "tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, nhiệm vụ năm {{ year_next }} của Cụm "
        "với các nội dung sau:"
    )

    w.heading("I. MỤC ĐÍCH, YÊU CẦU")
    w.heading("1. Mục đích")
    w.para(
        "Đánh giá, tổng kết phong trào thi đua và công tác khen thưởng năm {{ year }} của các đơn vị trong Cụm; "
        "trao đổi, học tập kinh nghiệm lẫn nhau trong công tác chỉ đạo, tổ chức thực hiện các phong trào thi đua; "
        "phát hiện, biểu dương, tuyên truyền, nhân rộng các nhân tố mới, mô hình mới, gương điển hình tiên tiến."
    )
    w.para(
        "Bình xét, suy tôn đơn vị dẫn đầu (Nhất), Nhì, Ba; bầu Cụm trưởng, Cụm phó năm {{ year_next }}; đề ra "
        "phương hướng, nhiệm vụ đẩy mạnh các phong trào thi đua, nâng cao chất lượng, hiệu quả công tác thi đua, "
        "khen thưởng năm {{ year_next }} của Cụm."
    )
    w.heading("2. Yêu cầu")
    w.para(
        "Hội nghị được tổ chức thiết thực, hiệu quả, an toàn, tiết kiệm; việc đánh giá, chấm điểm, xếp loại và "
        "suy tôn bảo đảm công khai, dân chủ, khách quan, đúng Quy chế hoạt động của Cụm; cụ thể hóa các nội dung "
        "thi đua thành mục tiêu, phương hướng hoạt động của Cụm năm {{ year_next }}."
    )

    w.heading("II. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN THAM DỰ")
    w.heading("1. Thời gian, địa điểm")
    _labelled(w, "- Thời gian: ", "{{ conf_when_plan }};")
    _labelled(w, "- Địa điểm: ", "{{ venue }}.")
    w.heading("2. Thành phần tham dự")
    w.tag("{%p for a in province_attendees %}")
    w.para("- {{ a }};")
    w.tag("{%p endfor %}")
    w.para("- {{ member_roles_text }} của {{ n_units }} đơn vị trong Cụm: {{ unit_names }};")
    w.para("- Đơn vị Cụm phó ({{ deputy_body }}): {{ deputy_attendees }};")
    w.para("- Đơn vị Cụm trưởng ({{ head_body }}): {{ head_attendees_text }}.")
    w.para("Mỗi đơn vị trong Cụm đăng ký tối đa {{ seats }} đại biểu.")

    w.heading("III. CHƯƠNG TRÌNH, MAKET HỘI NGHỊ")
    w.heading("1. Nội dung chương trình Hội nghị")
    for line in (
        "- Báo cáo tổng kết công tác thi đua, khen thưởng năm {{ year }} của Cụm; phương hướng, mục tiêu và giải "
        "pháp thực hiện nhiệm vụ năm {{ year_next }};",
        "- Thông qua dự thảo kết quả đánh giá, chấm điểm, xếp loại thi đua năm {{ year }} của các đơn vị trong Cụm;",
        "- Thảo luận, thống nhất kết quả chấm điểm, xếp loại thi đua; bỏ phiếu bầu chọn, suy tôn đơn vị dẫn đầu "
        "(Nhất), Nhì, Ba;",
        "- Phát biểu chỉ đạo của lãnh đạo {{ province_office }};",
        "- Giới thiệu, bầu Cụm trưởng, Cụm phó năm {{ year_next }};",
        "- Cụm trưởng, Cụm phó năm {{ year_next }} nhận nhiệm vụ, phát động phong trào thi đua và tổ chức ký kết "
        "giao ước thi đua năm {{ year_next }};",
        "- Tham quan, học tập mô hình, điển hình tiên tiến: {{ visit }};",
        "- Giao lưu giữa các đơn vị trong Cụm.",
    ):
        w.para(line)
    w.para([("(Chương trình chi tiết kèm theo Giấy mời.)", {"italic": True})])
    w.heading("2. Maket, kinh phí Hội nghị")
    w.para("- Maket Hội nghị:", keep=True)
    banner_box(doc)
    w.para("", indent=0, after=0)
    _labelled(w, "- Kinh phí tổ chức Hội nghị: ", "{{ budget }}.")

    w.heading("IV. TỔ CHỨC THỰC HIỆN")
    w.heading("1. Các đơn vị trong {{ cluster_name }}")
    w.para(
        "- Hoàn thành tự chấm điểm thi đua năm {{ year }} trên bảng tự chấm điểm do đơn vị Cụm trưởng gửi, "
        "gửi về {{ head_body }} trước ngày {{ deadline }};"
    )
    w.para(
        "- Đăng ký thành phần đại biểu dự Hội nghị (tối đa {{ seats }} đại biểu) tại trang tính “Đăng ký đại biểu” "
        "của bảng tự chấm điểm, gửi về đơn vị Cụm trưởng sau khi có thông báo thời gian tổ chức Hội nghị, "
        "{{ register_by }};"
    )
    w.para("- Chuẩn bị ý kiến thảo luận tại Hội nghị; cử đại biểu dự Hội nghị đúng thành phần, thời gian.")
    w.heading("2. {{ head_body }} - Cụm trưởng")
    w.para(
        "- Tổng hợp kết quả tự chấm điểm thi đua của các đơn vị trong Cụm; xây dựng dự thảo báo cáo tổng kết "
        "phong trào thi đua và công tác khen thưởng năm {{ year }} của Cụm và dự thảo kết quả chấm điểm, xếp loại "
        "thi đua;"
    )
    w.para(
        "- Gửi giấy mời, chương trình Hội nghị; chuẩn bị phiếu suy tôn, phiếu bầu Cụm trưởng, Cụm phó và "
        "tổ chức kiểm phiếu;"
    )
    w.para("- Chuẩn bị cơ sở vật chất và các điều kiện cần thiết để tổ chức Hội nghị.")
    w.heading("3. {{ deputy_body }} - Cụm phó")
    w.para("- Phối hợp với đơn vị Cụm trưởng thực hiện các nội dung theo Kế hoạch;")
    w.para(
        "- Xây dựng bài phát động phong trào thi đua năm {{ year_next }} của Cụm và dự thảo giao ước thi đua "
        "năm {{ year_next }} giữa các đơn vị trong Cụm."
    )
    w.para(
        "Trên đây là Kế hoạch tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, "
        "nhiệm vụ năm {{ year_next }} của {{ cluster_name }}, đề nghị các đơn vị trong Cụm phối hợp triển khai "
        "thực hiện./.",
        keep=True,
    )
    closing_block(
        doc,
        [
            "- {{ province_office }} (b/c);",
            "- Các đơn vị trong Cụm (t/h);",
            "- Lưu: VT, NV.",
        ],
    )
    return write_docx(doc, out)


# ---------------------------------------------------------------------------------------------- the invitation


def build_invitation(out: Path) -> Path:
    doc = _document("Giấy mời dự Hội nghị tổng kết công tác thi đua, khen thưởng (mẫu)")
    w = Writer(doc)
    national_header(
        doc, "{{ parent_body_upper }}", "{{ cluster_name_upper }}", "Số:      /GM-CTĐ", "{{ issue_date_line }}"
    )
    title(w, "GIẤY MỜI", "Dự " + SUBJECT, before=12)
    w.para(
        [
            "Thực hiện Kế hoạch ",
            ("số      /KH-CTĐ ngày …", MARK),
            " của Cụm trưởng {{ cluster_name }} về tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm "
            "{{ year }}; phương hướng, nhiệm vụ năm {{ year_next }}, {{ head_body }} - đơn vị Cụm trưởng trân trọng "
            "kính mời:",
        ],
        after=3,
    )
    w.tag("{%p for i in invitees %}")
    w.para([('{{ i }}{{ ";" if not loop.last }}', {"bold": True})], after=3)
    w.tag("{%p endfor %}")
    w.para(
        "Tới dự Hội nghị tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, nhiệm vụ năm "
        "{{ year_next }} của Cụm (chương trình kèm theo).",
        after=3,
    )
    w.para([("Thời gian: ", {"bold": True}), "{{ conf_when }}."], after=3)
    w.para([("Địa điểm: ", {"bold": True}), "{{ venue }}."], after=3)
    w.para([("Đăng ký đại biểu: ", {"bold": True}), "{{ register }}"], after=3)
    w.para([("Liên hệ: ", {"bold": True}), "{{ contact }}."], after=3)
    w.para("Rất mong các đồng chí tới dự Hội nghị đúng thời gian./.", keep=True)
    closing_block(doc, ["- Như trên;", "- Lưu: VT, NV."])
    return write_docx(doc, out)


# ---------------------------------------------------------------------------------------------- the programme


def build_programme(out: Path) -> Path:
    doc = _document("Chương trình Hội nghị tổng kết công tác thi đua, khen thưởng (mẫu)")
    w = Writer(doc)
    national_header(doc, "{{ parent_body_upper }}", "{{ cluster_name_upper }}", "", "")
    title(w, "CHƯƠNG TRÌNH", SUBJECT, before=6)
    w.para([("Thời gian: ", {"bold": True}), "{{ conf_when }}."], after=3)
    w.para([("Địa điểm: ", {"bold": True}), "{{ venue }}."], after=6)
    widths = [1.0, 2.8, 7.6, 5.1]
    heads = ["STT", "Thời gian", "Nội dung", "Thực hiện"]
    t = doc.add_table(rows=4, cols=4)
    t.style = doc.styles["Table Grid"]
    table_props(t, widths, borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell_par(cell, text, bold=True, size=12)
    repeat_header(t.rows[0])
    cell_par(t.rows[1].cells[0], "{%tr for r in programme %}", align=LEFT)
    cells = t.rows[2].cells
    cell_par(cells[0], "{{ r.stt }}", size=12)
    cell_par(cells[1], "{{ r.time }}", size=12)
    cell_par(cells[2], "{{ r.item }}", align=LEFT, size=12)
    cell_par(cells[3], "{{ r.who }}", align=LEFT, size=12)
    cant_split(t.rows[2])
    cell_par(t.rows[3].cells[0], "{%tr endfor %}", align=LEFT)
    p = w.para(
        [("Thời gian các nội dung là dự kiến, có thể điều chỉnh theo thực tế.", {"italic": True})],
        before=6,
        after=0,
        keep=True,
    )
    for run in p.runs:
        run.font.size = Pt(12)
    p = w.para("BAN TỔ CHỨC HỘI NGHỊ", indent=0, align=CENTER, bold=True, before=6)
    p.paragraph_format.left_indent = Mm(80)
    return write_docx(doc, out)


# ---------------------------------------------------------------------------------------------- the banner


def _page_border(section, color: str) -> None:
    """A double border around the page (the printed banner's frame). The text is centred on the page by the
    space above its first line, not by the section's vertical alignment, which LibreOffice does not show."""
    sect = section._sectPr
    borders = OxmlElement("w:pgBorders")
    borders.set(qn("w:offsetFrom"), "page")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "double")
        el.set(qn("w:sz"), "18")
        el.set(qn("w:space"), "24")
        el.set(qn("w:color"), color)
        borders.append(el)
    # CT_SectPr order: … pgSz, pgMar, paperSrc, pgBorders, lnNumType, pgNumType, cols, formProt, vAlign …
    sect.find(qn("w:pgMar")).addnext(borders)


def build_banner(out: Path) -> Path:
    doc = _document("Maket Hội nghị tổng kết công tác thi đua, khen thưởng (mẫu)", landscape=True)
    section = doc.sections[0]
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    _page_border(section, "C00000")
    red = RGBColor(0xC0, 0x00, 0x00)
    lines = [
        ("{{ cluster_name_upper }}", 28, True, False, 70),
        ("{{ province_upper }}", 28, True, False, 0),
        ("HỘI NGHỊ", 66, True, False, 28),
        ("{{ banner_title_1 }}", 28, True, False, 10),
        ("{{ banner_title_2 }}", 28, True, False, 4),
        ("{{ banner_place_date }}", 26, False, True, 36),
    ]
    for text, size, bold, italic, before in lines:
        p = doc.add_paragraph()
        fmt(p, align=CENTER, before=before, after=0, indent=0, line=None)
        add_runs(p, text, size=size, bold=bold, italic=italic)
        if not italic:
            for run in p.runs:
                run.font.color.rgb = red
    return write_docx(doc, out)


BUILDERS = {
    "mau_ke_hoach_hoi_nghi.docx": build_plan,
    "mau_giay_moi.docx": build_invitation,
    "mau_chuong_trinh.docx": build_programme,
    "mau_maket.docx": build_banner,
}


def build(out_dir: Path = DEFAULT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [make(out_dir / name) for name, make in BUILDERS.items()]


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    for path in build(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
