"""Build input_templates/mau_bao_cao.docx, the editable Word template of the year-end report.

The template is a docxtpl (Jinja) document in the Decree 30/2020/NĐ-CP layout. The office may open it in
Word or LibreOffice, reword anything and keep the tags; `ttdk_xl.report.build_context` lists the data it gets.

Run from the repository root:  python scripts/make_report_template.py [OUTPUT.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
BODY_SIZE = 14
LINE_SPACING = 1.2
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "input_templates" / "mau_bao_cao.docx"

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


# ---------------------------------------------------------------------------------------------- low-level helpers


def set_rfonts(rpr) -> None:
    """Times New Roman for every script (ascii, hAnsi, eastAsia, cs), without theme overrides."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)


def set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), "vi-VN")


def style_run(run, size: float = BODY_SIZE, bold: bool = False, italic: bool = False, mark: bool = False) -> None:
    run.font.name = FONT
    set_rfonts(run._element.get_or_add_rPr())
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    if mark:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def mark_size(paragraph, size: float) -> None:
    """Size of the paragraph mark, so an empty paragraph has the intended height."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    set_rfonts(rpr)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)


def fmt(
    paragraph,
    align=JUSTIFY,
    before: float = 0,
    after: float = 6,
    indent: float | None = None,
    line: float | None = LINE_SPACING,
    keep: bool = False,
):
    pf = paragraph.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if indent is not None:
        pf.first_line_indent = Cm(indent)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing = line
    pf.keep_with_next = keep or None
    pf.widow_control = True
    return paragraph


def add_runs(paragraph, parts, size: float = BODY_SIZE, bold: bool = False, italic: bool = False) -> None:
    """parts: a string, or a list of strings and (text, {"bold": …, "italic": …, "mark": …}) tuples."""
    if isinstance(parts, str):
        parts = [parts]
    for part in parts:
        text, opts = (part, {}) if isinstance(part, str) else part
        run = paragraph.add_run(text)
        style_run(
            run,
            size=opts.get("size", size),
            bold=opts.get("bold", bold),
            italic=opts.get("italic", italic),
            mark=opts.get("mark", False),
        )


def bottom_rule(paragraph, left_cm: float, right_cm: float) -> None:
    """A short centred horizontal rule: the bottom border of an indented, nearly empty paragraph."""
    pf = paragraph.paragraph_format
    pf.left_indent = Cm(left_cm)
    pf.right_indent = Cm(right_cm)
    pf.space_before = Pt(2)
    pf.space_after = Pt(0)
    pf.line_spacing = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    pbdr.append(bottom)
    # pBdr must come before spacing/ind/jc in CT_PPr order
    anchor = ppr.find(qn("w:spacing"))
    if anchor is None:
        anchor = ppr.find(qn("w:ind"))
    if anchor is not None:
        anchor.addprevious(pbdr)
    else:
        ppr.append(pbdr)
    mark_size(paragraph, 1)


def box(paragraph) -> None:
    """A thin border around a paragraph (the "DỰ THẢO" stamp)."""
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), "000000")
        pbdr.append(el)
    anchor = ppr.find(qn("w:spacing"))
    if anchor is None:
        anchor = ppr.find(qn("w:ind"))
    if anchor is not None:
        anchor.addprevious(pbdr)
    else:
        ppr.append(pbdr)


def table_props(
    table, widths_cm: list[float], borders: bool, indent_cm: float = 0, pad_cm: float | None = None
) -> None:
    """Fixed column widths, optional single borders, optional left indent."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tblpr = table._tbl.tblPr
    for tag in ("w:tblW", "w:tblInd", "w:tblBorders", "w:tblLayout", "w:tblCellMar"):
        old = tblpr.find(qn(tag))
        if old is not None:
            tblpr.remove(old)
    tblw = OxmlElement("w:tblW")
    tblw.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    tblw.set(qn("w:type"), "dxa")
    tblpr.append(tblw)
    if indent_cm:
        ind = OxmlElement("w:tblInd")
        ind.set(qn("w:w"), str(int(indent_cm * 567)))
        ind.set(qn("w:type"), "dxa")
        tblpr.append(ind)
    bdr = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single" if borders else "nil")
        if borders:
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        bdr.append(el)
    tblpr.append(bdr)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    if pad_cm is not None:
        mar = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), str(int(pad_cm * 567)))
            el.set(qn("w:type"), "dxa")
            mar.append(el)
        tblpr.append(mar)
    # keep CT_TblPr child order valid: tblStyle, …, tblW, jc, …, tblInd, tblBorders, …, tblLayout, …, tblLook
    order = [
        "w:tblStyle",
        "w:tblpPr",
        "w:tblOverlap",
        "w:bidiVisual",
        "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize",
        "w:tblW",
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
    ]
    children = sorted(
        tblpr, key=lambda el: order.index(el.tag.replace(qn("w:"), "w:")) if el.tag.startswith(qn("w:")) else 99
    )
    for child in children:
        tblpr.remove(child)
        tblpr.append(child)
    for i, width in enumerate(widths_cm):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    trpr.insert(0, el)


def cell_par(cell, parts, align=CENTER, size: float = 12, bold: bool = False, italic: bool = False, first=True):
    """Write into a table cell (its first paragraph when first=True), single spacing."""
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    fmt(p, align=align, before=2, after=2, indent=0, line=None)
    add_runs(p, parts, size=size, bold=bold, italic=italic)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return p


# ---------------------------------------------------------------------------------------------- document parts


class Writer:
    """Adds body paragraphs in the report's few recurring shapes."""

    def __init__(self, doc):
        self.doc = doc

    def para(self, parts, indent: float = 1.27, align=JUSTIFY, bold=False, italic=False, before=0, after=6, keep=False):
        p = self.doc.add_paragraph()
        fmt(p, align=align, before=before, after=after, indent=indent, keep=keep)
        add_runs(p, parts, bold=bold, italic=italic)
        return p

    def tag(self, text: str):
        """A paragraph holding only a docxtpl paragraph tag ({%p …%}); docxtpl removes it when rendering."""
        p = self.doc.add_paragraph()
        fmt(p, align=LEFT, after=0, indent=0)
        add_runs(p, text)
        return p

    def part(self, text):
        """A part heading ("Phần I. …"), centred, bold."""
        return self.para(text, indent=0, align=CENTER, bold=True, before=6, after=6, keep=True)

    def heading(self, text):
        """A numbered heading ("1. …"), bold."""
        return self.para(text, bold=True, keep=True)

    def subheading(self, text):
        """A lettered heading ("a) …"), bold italic."""
        return self.para(text, bold=True, italic=True, keep=True)

    def placeholder(self, text: str):
        """A part the author must write: highlighted in yellow, in square brackets."""
        return self.para([(text, {"mark": True, "italic": True})])

    def bullet(self, parts):
        return self.para(parts)


def setup_document():
    doc = Document()

    # Defaults and Normal style: Times New Roman 14 for every script, Vietnamese proofing.
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rfonts(rpr_default)
    set_lang(rpr_default)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    set_rfonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.alignment = JUSTIFY
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing = LINE_SPACING
    for name in ("Header", "Footer", "Table Grid"):
        try:
            st = doc.styles[name]
        except KeyError:
            continue
        st.font.name = FONT
        set_rfonts(st.element.get_or_add_rPr())

    # A4 portrait, margins 20/20/30/15 mm, page number from page 2.
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True

    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    fmt(p, align=CENTER, after=0, indent=0, line=None)
    page_field(p)

    first = section.first_page_header
    first.is_linked_to_previous = False
    p = first.paragraphs[0]
    fmt(p, align=RIGHT, after=0, indent=0, line=None)
    add_runs(p, "DỰ THẢO", size=12, bold=True)
    box(p)
    p.paragraph_format.alignment = CENTER
    p.paragraph_format.left_indent = Cm(13.9)

    props = doc.core_properties
    props.title = "Báo cáo tổng kết công tác thi đua, khen thưởng của Cụm thi đua (mẫu)"
    props.author = "ttdk-xl"
    props.language = "vi-VN"
    # docxtpl renders the core properties too: no Jinja braces here
    props.comments = "Mẫu báo cáo dùng thẻ docxtpl/Jinja; có thể sửa câu chữ, giữ nguyên các thẻ trong ngoặc nhọn."
    return doc


def page_field(paragraph) -> None:
    """A PAGE field (complex field, so Word and LibreOffice both update it)."""

    def fld(kind: str):
        run = paragraph.add_run()
        style_run(run, size=14)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = paragraph.add_run()
    style_run(run, size=14)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    fld("separate")
    run = paragraph.add_run("2")
    style_run(run, size=14)
    fld("end")


def header_block(doc) -> None:
    """The two-column heading: bodies and number left, national title and date right."""
    left_w, right_w = 6.4, 10.7
    t = doc.add_table(rows=1, cols=2)
    table_props(t, [left_w, right_w], borders=False, indent_cm=-0.5)
    left, right = t.rows[0].cells
    cell_par(left, "{{ parent_body_upper }}", size=13)
    cell_par(left, "{{ cluster_name_upper }}", size=13, bold=True, first=False).paragraph_format.space_before = Pt(0)
    bottom_rule(left.add_paragraph(), (left_w - 0.4 - 2.4) / 2, (left_w - 0.4 - 2.4) / 2)
    p = cell_par(left, "Số:      /BC-CTĐ", size=13, first=False)
    p.paragraph_format.space_before = Pt(8)
    for p in left.paragraphs[:2]:
        p.paragraph_format.space_before = Pt(0)
        p.paragraph_format.space_after = Pt(0)

    p = cell_par(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    p = cell_par(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True, first=False)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    bottom_rule(right.add_paragraph(), (right_w - 0.4 - 6.1) / 2, (right_w - 0.4 - 6.1) / 2)
    p = cell_par(right, "{{ place }}, ngày … tháng … năm {{ year_next }}", size=14, italic=True, first=False)
    p.paragraph_format.space_before = Pt(8)
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def title_block(w: Writer) -> None:
    w.para("BÁO CÁO", indent=0, align=CENTER, bold=True, before=18, after=0, keep=True)
    p = w.para(
        "Tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, nhiệm vụ năm {{ year_next }} "
        "của {{ cluster_name }}",
        indent=0,
        align=CENTER,
        bold=True,
        after=0,
        keep=True,
    )
    p.paragraph_format.left_indent = Cm(1.0)
    p.paragraph_format.right_indent = Cm(1.0)
    rule = w.doc.add_paragraph()
    bottom_rule(rule, 6.25, 6.25)
    rule.paragraph_format.space_after = Pt(18)


def score_table(doc) -> None:
    """Phần II table: ranked units via a docxtpl row loop, then the units not ranked."""
    widths = [1.0, 5.2, 1.65, 1.75, 1.5, 1.7, 1.6, 2.1]
    heads = ["STT", "Đơn vị", "Điểm chấm", "Điểm thưởng", "Điểm trừ", "Tổng điểm", "Xếp hạng", "Xếp loại"]
    t = doc.add_table(rows=7, cols=8)
    t.style = doc.styles["Table Grid"]
    table_props(t, widths, borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell_par(cell, text, bold=True)
    repeat_header(t.rows[0])

    def row_fields(row, obj: str, last: str, italic_last: bool = False):
        cells = row.cells
        cell_par(cells[0], f"{{{{ {obj}.stt }}}}")
        cell_par(cells[1], f"{{{{ {obj}.name }}}}", align=LEFT)
        for i, key in enumerate(("scored", "bonus", "penalty"), start=2):
            cell_par(cells[i], f"{{{{ {obj}.{key} }}}}")
        cell_par(cells[5], f"{{{{ {obj}.total }}}}", bold=True)
        cell_par(cells[6], f"{{{{ {obj}.rank }}}}")
        cell_par(cells[7], f"{{{{ {obj}.{last} }}}}", italic=italic_last)
        cant_split(row)

    cell_par(t.rows[1].cells[0], "{%tr for u in ranked %}", align=LEFT)
    row_fields(t.rows[2], "u", "level")
    cell_par(t.rows[3].cells[0], "{%tr endfor %}", align=LEFT)
    cell_par(t.rows[4].cells[0], "{%tr for u in unranked %}", align=LEFT)
    row_fields(t.rows[5], "u", "status", italic_last=True)
    cell_par(t.rows[6].cells[0], "{%tr endfor %}", align=LEFT)


def group_table(doc) -> None:
    """Cluster average per criteria group, then the scored total."""
    widths = [1.4, 7.9, 2.2, 2.5, 2.5]
    heads = ["Mã", "Nhóm tiêu chí", "Điểm tối đa", "Điểm bình quân của Cụm", "Tỷ lệ đạt (%)"]
    t = doc.add_table(rows=5, cols=5)
    t.style = doc.styles["Table Grid"]
    table_props(t, widths, borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell_par(cell, text, bold=True)
    repeat_header(t.rows[0])
    cell_par(t.rows[1].cells[0], "{%tr for g in group_averages %}", align=LEFT)
    cells = t.rows[2].cells
    cell_par(cells[0], "{{ g.code }}")
    cell_par(cells[1], "{{ g.text }}", align=LEFT)
    cell_par(cells[2], "{{ g.max }}")
    cell_par(cells[3], "{{ g.average }}")
    cell_par(cells[4], "{{ g.percent }}")
    cant_split(t.rows[2])
    cell_par(t.rows[3].cells[0], "{%tr endfor %}", align=LEFT)
    cells = t.rows[4].cells
    merged = cells[0].merge(cells[1])
    cell_par(merged, "Cộng điểm chấm", bold=True)
    cell_par(cells[2], "{{ scored_max }}", bold=True)
    cell_par(cells[3], "{{ avg_scored }}", bold=True)
    cell_par(cells[4], "{{ avg_scored_percent }}", bold=True)


def unit_caption(w: Writer) -> None:
    p = w.para("Đơn vị tính: điểm", indent=0, align=RIGHT, italic=True, after=3, keep=True)
    for run in p.runs:
        run.font.size = Pt(12)


def closing_block(doc) -> None:
    """Nơi nhận (left) and signature (right), in a borderless table."""
    t = doc.add_table(rows=1, cols=2)
    table_props(t, [6.9, 9.9], borders=False, indent_cm=-0.4)
    cant_split(t.rows[0])
    left, right = t.rows[0].cells
    p = left.paragraphs[0]
    fmt(p, align=LEFT, before=6, after=0, indent=0, line=None)
    add_runs(p, "Nơi nhận:", size=12, bold=True, italic=True)
    for line in (
        "- Ban Thi đua - Khen thưởng tỉnh (b/c);",
        "- UBND các đơn vị trong Cụm;",
        "- Lưu: VT, NV.",
    ):
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
    add_runs(p, [("[Họ và tên người ký]", {"mark": True})], size=14, bold=True)
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


# ---------------------------------------------------------------------------------------------- the report


def build(out: Path = DEFAULT_OUT) -> Path:
    doc = setup_document()
    w = Writer(doc)
    header_block(doc)
    title_block(w)

    w.placeholder(
        "[Căn cứ … (người soạn thảo ghi số, ngày, trích yếu các văn bản: quyết định tổ chức các cụm, khối thi đua; "
        "hướng dẫn của Ban Thi đua - Khen thưởng tỉnh; quy chế hoạt động của Cụm năm {{ year }}…)]"
    )
    w.para(
        "Trên cơ sở kết quả tự chấm điểm thi đua của các đơn vị trong Cụm, {{ head_body }} - đơn vị Cụm trưởng "
        "{{ cluster_name }} năm {{ year }} báo cáo tổng kết công tác thi đua, khen thưởng năm {{ year }}; "
        "phương hướng, nhiệm vụ năm {{ year_next }} của Cụm như sau:"
    )

    # --- Đặc điểm tình hình
    w.part("ĐẶC ĐIỂM TÌNH HÌNH")
    w.para(
        "{{ cluster_name }} năm {{ year }} gồm {{ n_units }} đơn vị: {{ unit_names }}. {{ head_unit_name }} là "
        "đơn vị Cụm trưởng, {{ deputy_unit_name }} là đơn vị Cụm phó."
    )
    w.placeholder(
        "[Phần này do người soạn thảo viết: đặc điểm chung của các đơn vị trong Cụm; thuận lợi, khó khăn trong năm "
        "{{ year }} ảnh hưởng đến việc thực hiện nhiệm vụ chính trị và phong trào thi đua.]"
    )

    # --- Phần I
    w.part(["Phần I", "\nKẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA VÀ CÔNG TÁC KHEN THƯỞNG NĂM {{ year }}"])
    w.heading("1. Công tác chỉ đạo, tổ chức phát động phong trào thi đua")
    w.placeholder(
        "[Phần này do người soạn thảo viết: việc ban hành kế hoạch, phát động các phong trào thi đua, đăng ký "
        "danh hiệu và ký kết giao ước thi đua; công tác tuyên truyền, phát hiện, nhân rộng điển hình tiên tiến "
        "của các đơn vị trong Cụm.]"
    )
    w.heading("2. Kết quả thực hiện nhiệm vụ chính trị, các chỉ tiêu phát triển kinh tế - xã hội")
    w.placeholder(
        "[Phần này do người soạn thảo viết: kết quả nổi bật của từng đơn vị trong Cụm về phát triển kinh tế - "
        "xã hội, quốc phòng, an ninh, xây dựng hệ thống chính trị (số liệu do các đơn vị cung cấp).]"
    )
    w.heading("3. Hoạt động của Cụm thi đua")
    w.para(
        "Thực hiện Quy chế hoạt động của Cụm, đơn vị Cụm trưởng đã gửi bảng tự chấm điểm thi đua năm {{ year }} "
        "đến các đơn vị trong Cụm. Đến thời điểm tổng hợp, {{ n_submitted }}/{{ n_units }} đơn vị đã gửi bảng "
        "tự chấm điểm về đơn vị Cụm trưởng, cụ thể:"
    )
    w.tag("{%p if valid_names %}")
    w.bullet("- Đơn vị gửi bảng tự chấm điểm hợp lệ ({{ n_valid }}): {{ valid_names }};")
    w.tag("{%p endif %}")
    w.tag("{%p if invalid_names %}")
    w.bullet(
        "- Đơn vị đã gửi nhưng bảng tự chấm điểm còn lỗi, cần kiểm tra, hoàn thiện ({{ n_invalid }}): "
        "{{ invalid_names }};"
    )
    w.tag("{%p endif %}")
    w.tag("{%p if missing_names %}")
    w.bullet("- Đơn vị chưa gửi bảng tự chấm điểm ({{ n_missing }}): {{ missing_names }}.")
    w.tag("{%p endif %}")
    w.placeholder(
        "[Phần này do người soạn thảo viết: các hoạt động chung của Cụm trong năm (hội nghị, giao lưu, học tập "
        "kinh nghiệm, tham quan mô hình…).]"
    )
    w.heading("4. Công tác khen thưởng")
    w.placeholder(
        "[Phần này do người soạn thảo viết: kết quả khen thưởng của các đơn vị trong năm {{ year }}; việc thực hiện "
        "khen thưởng kịp thời, đúng quy định, chú trọng người trực tiếp lao động, sản xuất.]"
    )

    # --- Phần II
    w.part(["Phần II", "\nKẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI VÀ ĐỀ NGHỊ SUY TÔN"])
    w.heading("1. Kết quả chấm điểm, xếp loại")
    w.para(
        "Căn cứ Bộ tiêu chí thi đua năm {{ year }} của Cụm (điểm chấm tối đa {{ scored_max }} điểm; điểm thưởng "
        "tối đa {{ bonus_cap }} điểm) và kết quả tự chấm điểm của các đơn vị, đơn vị Cụm trưởng tổng hợp dự thảo "
        "kết quả chấm điểm, xếp loại như sau (đơn vị có tổng điểm bằng nhau được phân định hạng lần lượt theo: "
        "{{ tiebreak_text }}):",
        keep=True,
    )
    unit_caption(w)
    score_table(doc)
    w.para("", indent=0, after=0)
    w.tag("{%p if level_summary %}")
    w.para(
        "Kết quả xếp loại: {{ level_summary }}. Tổng điểm bình quân của Cụm đạt {{ avg_total }} điểm "
        "(cao nhất {{ max_total }} điểm, thấp nhất {{ min_total }} điểm)."
    )
    w.tag("{%p endif %}")
    w.tag("{%p if unranked %}")
    w.para("Các đơn vị chưa được xếp hạng:")
    w.tag("{%p for u in unranked %}")
    w.bullet('- {{ u.name }}: {{ u.reason }}{{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p if rank_invalid_note %}")
    w.para([("Lưu ý: ", {"bold": True}), "{{ rank_invalid_note }}"])
    w.tag("{%p endif %}")

    w.heading("2. Đề nghị suy tôn, khen thưởng")
    w.tag("{%p if acclaims %}")
    w.para("Căn cứ kết quả chấm điểm, xếp loại nêu trên, đơn vị Cụm trưởng đề nghị Hội nghị Cụm xem xét, suy tôn:")
    w.tag("{%p for a in acclaims %}")
    w.bullet(
        "- {{ a.name }}: đơn vị {{ a.label }} (tổng điểm {{ a.total }}, xếp loại {{ a.level }})"
        '{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p else %}")
    w.para("Chưa có đơn vị đủ điều kiện để đề nghị Hội nghị Cụm suy tôn Nhất, Nhì, Ba.")
    w.tag("{%p endif %}")
    w.tag("{%p if awards %}")
    w.para("Trên cơ sở kết quả suy tôn, đề nghị Hội nghị Cụm thống nhất đề nghị cấp có thẩm quyền khen thưởng:")
    w.tag("{%p for a in awards %}")
    w.bullet('- {{ a.name }} ({{ a.acclaim }}): đề nghị tặng {{ a.award }}{{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p if ties %}")
    w.para("Các đơn vị có tổng điểm bằng nhau, sau khi đã xét lần lượt các tiêu chí phân định hạng vẫn bằng nhau:")
    w.tag("{%p for t in ties %}")
    w.bullet(
        "- {{ t.names }}: cùng đạt {{ t.total }} điểm, xếp thứ {{ t.rank }}, đồng hạng — cần Hội nghị bỏ phiếu"
        '{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p if disqualified %}")
    w.para(
        "Các đơn vị vi phạm tiêu chí điểm liệt, vẫn giữ tổng điểm và xếp loại nhưng không đủ điều kiện xét suy tôn, "
        "đề nghị khen thưởng:"
    )
    w.tag("{%p for d in disqualified %}")
    w.bullet('- {{ d.name }}: {{ d.reason }}{{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.para(
        [
            (
                "Kết quả trên là dự thảo do đơn vị Cụm trưởng tổng hợp từ bảng tự chấm điểm của các đơn vị; điểm "
                "thẩm định, thứ hạng và các đơn vị được suy tôn do Hội nghị Cụm thảo luận, thống nhất và bỏ phiếu "
                "quyết định.",
                {"italic": True},
            )
        ]
    )

    w.heading("3. Đánh giá chung")
    w.subheading("a) Kết quả theo nhóm tiêu chí")
    w.para("Điểm bình quân của các đơn vị trong Cụm theo từng nhóm tiêu chí:", keep=True)
    unit_caption(w)
    group_table(doc)
    w.para("", indent=0, after=0)
    w.tag("{%p if weakest %}")
    w.para("Các tiêu chí Cụm đạt tỷ lệ điểm thấp nhất so với điểm tối đa (cần lưu ý khi đánh giá hạn chế):", keep=True)
    w.tag("{%p for c in weakest %}")
    w.bullet(
        "- {{ c.code }}. {{ c.text }}: bình quân {{ c.average }}/{{ c.max }} điểm ({{ c.percent }}%)"
        '{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.subheading("b) Ưu điểm")
    w.placeholder(
        "[Phần này do người soạn thảo viết: những kết quả nổi bật, ưu điểm của phong trào thi đua trong Cụm.]"
    )
    w.subheading("c) Hạn chế, nguyên nhân")
    w.placeholder(
        "[Phần này do người soạn thảo viết: hạn chế, tồn tại (tham khảo các tiêu chí đạt tỷ lệ thấp nêu trên) và "
        "nguyên nhân khách quan, chủ quan.]"
    )
    w.subheading("d) Bài học kinh nghiệm")
    w.placeholder("[Phần này do người soạn thảo viết, nếu có.]")

    # --- Phần III
    w.part(["Phần III", "\nPHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {{ year_next }}"])
    w.heading("1. Phương hướng, nhiệm vụ trọng tâm")
    w.placeholder(
        "[Phần này do người soạn thảo viết: các phong trào thi đua trọng tâm, chỉ tiêu, giải pháp của Cụm năm "
        "{{ year_next }}; nội dung giao ước thi đua.]"
    )
    w.heading("2. Đề xuất Cụm trưởng, Cụm phó năm {{ year_next }}")
    w.para(
        "Theo nguyên tắc luân phiên (đơn vị Cụm phó năm trước đảm nhận Cụm trưởng năm sau), đơn vị Cụm trưởng "
        "đề xuất để Hội nghị Cụm xem xét, bầu:"
    )
    w.bullet("- Cụm trưởng năm {{ year_next }}: {{ next_head }}{{ next_head_note }};")
    w.bullet("- Cụm phó năm {{ year_next }}: {{ next_deputy }}{{ next_deputy_note }}.")
    w.para(
        "Đơn vị Cụm trưởng, Cụm phó năm {{ year_next }} nhận nhiệm vụ tại Hội nghị, phát động phong trào thi đua "
        "và tổ chức ký kết giao ước thi đua năm {{ year_next }} giữa các đơn vị trong Cụm."
    )

    # --- Kiến nghị
    w.part("KIẾN NGHỊ, ĐỀ XUẤT")
    w.placeholder(
        "[Phần này do người soạn thảo viết: kiến nghị, đề xuất với Hội đồng Thi đua - Khen thưởng tỉnh, "
        "Ban Thi đua - Khen thưởng tỉnh, nếu có.]"
    )
    w.para(
        "Trên đây là Báo cáo tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, nhiệm vụ năm "
        "{{ year_next }} của {{ cluster_name }}./.",
        keep=True,
    )
    closing_block(doc)

    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    print(build(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
